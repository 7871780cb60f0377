"""import autograd asks glibc's malloc to keep freed large arrays for reuse
(kernels/workspace.py): a training step's arrays then stop faulting in fresh pages."""

import os
import subprocess
import sys
import textwrap

import pytest

# Twenty "steps", each filling arrays the size of the MNIST convnet's first
# activations (four of 11 MB - output, saved output, gradients - and 3 and 4 MB
# ones, alive together) and freeing them at the end, as a training step does;
# print the page faults the last nineteen cost.
SCRIPT = textwrap.dedent("""
    import resource, numpy as np, autograd
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    def step():
        big, pooled, second = 128 * 26 * 26 * 32, 128 * 13 * 13 * 32, 128 * 11 * 11 * 64
        return [np.ones(n, np.float32) for n in (big, big, pooled, second, big, big)]
    step()  # the first step may fault in its pages
    before = faults()
    for _ in range(19):
        step()
    print(faults() - before)
""")


def faults_of_repeated_arrays(**env):
    env = {**{k: v for k, v in os.environ.items() if k != "GRADSTACK_MALLOC"}, **env}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return int(out.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_arrays_are_reused_without_page_faults():
    # 51 MB is about 12,500 pages; by default glibc returns part of them each step
    # (measured: ~3,700 faults per step), and then faults them in again.
    assert faults_of_repeated_arrays() < 1000
    assert faults_of_repeated_arrays(GRADSTACK_MALLOC="system") > 19 * 2000


def test_reuse_freed_memory_can_be_switched_off(monkeypatch):
    from autograd.kernels.workspace import reuse_freed_memory

    monkeypatch.setenv("GRADSTACK_MALLOC", "system")
    assert reuse_freed_memory() is False
