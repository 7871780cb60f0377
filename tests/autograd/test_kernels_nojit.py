"""The kernels outside the test process: as plain Python (NUMBA_DISABLE_JIT=1, so a
learner can step into them with a debugger), from a read-only install (Numba must
fall back to a user cache directory), and through the warm-up command."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd

pytestmark = [pytest.mark.kernels, pytest.mark.slow]

PACKAGE_ROOT = Path(autograd.__file__).resolve().parent.parent

# A small conv + both pools + a depthwise conv, forward and backward; saves the results.
SCRIPT = textwrap.dedent("""
    import sys, numpy as np, autograd
    from autograd.kernels import im2col
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.standard_normal((2, 7, 6, 3)), requires_grad=True)
    k = autograd.tensor(rng.standard_normal((3, 2, 3, 4)), requires_grad=True)
    y = autograd.conv2d(x, k, strides=(2, 1), padding="same", dilation_rate=(1, 2))
    y = y + autograd.conv2d(x, k, strides=(2, 1), padding="same", activation="relu")
    z = autograd.max_pool2d(y, 2, padding="same") .sum() + autograd.avg_pool2d(y, 2).sum()
    d = autograd.tensor(rng.standard_normal((3, 3, 3, 2)), requires_grad=True)
    z = z + (autograd.depthwise_conv2d(x, d, strides=2, padding="same") ** 2).sum()
    # 3x3, stride 1, 8 float32 channels: Winograd's kernels (kernels/winograd.py)
    w = autograd.tensor(rng.standard_normal((3, 3, 8, 2)), requires_grad=True)
    many = autograd.tensor(rng.standard_normal((2, 5, 6, 8)).astype(np.float32),
                           requires_grad=True)
    wy = autograd.conv2d(many, w.astype("float32"), padding="same", activation="relu")
    z = z + (wy.astype("float64") ** 2).sum()
    z.backward()
    jitted = hasattr(im2col.im2col_rows, "signatures")
    np.savez(sys.argv[1], y=y.numpy(), dx=x.grad.numpy(), dk=k.grad.numpy(),
             dd=d.grad.numpy(), wy=wy.numpy(), dmany=many.grad.numpy(), dw=w.grad.numpy(),
             jitted=jitted)
""")


def run(args, env=None, **kwargs):
    env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=300, **kwargs)


def test_kernels_run_as_plain_python_with_numba_disabled(tmp_path):
    plain, jit = tmp_path / "plain.npz", tmp_path / "jit.npz"
    result = run(["-c", SCRIPT, str(plain)], env={"NUMBA_DISABLE_JIT": "1"},
                 cwd=PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    run(["-c", SCRIPT, str(jit)], cwd=PACKAGE_ROOT).check_returncode()
    a, b = np.load(plain), np.load(jit)
    assert not a["jitted"] and b["jitted"]
    for name in ("y", "dx", "dk", "dd"):
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-12)
    for name in ("wy", "dmany", "dw"):  # float32: the compiler may reorder the sums
        np.testing.assert_allclose(a[name], b[name], rtol=1e-5, atol=1e-5)


CACHE_SCRIPT = textwrap.dedent("""
    import numpy as np, autograd
    from autograd.kernels import pool
    assert autograd.__file__.startswith({root!r}), autograd.__file__
    x = np.ones((1, 4, 4, 2))
    pool.avg_pool_forward(x, np.empty((1, 2, 2, 2)), 2, 2, 2, 2, 0, 0)
    stats = pool.avg_pool_forward.stats
    print("hits", sum(stats.cache_hits.values()), "misses", sum(stats.cache_misses.values()))
    print("path", stats.cache_path)
""")


def make_read_only(root):
    """Make every directory under ``root`` unwritable; return a function that undoes it.
    Root ignores permission bits, so as root the directories are marked immutable."""
    dirs = [root, *(p for p in root.rglob("*") if p.is_dir())]
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a directory read-only")
        subprocess.run(["chattr", "+i", *map(str, dirs)], check=True)
        return lambda: subprocess.run(["chattr", "-i", *map(str, dirs)], check=True)
    for d in dirs:
        d.chmod(0o555)
    return lambda: [d.chmod(0o755) for d in dirs]


def test_the_cache_works_when_the_package_directory_is_read_only(tmp_path):
    # Copy the package, make it unwritable, and run a kernel twice: the first run
    # compiles and must store the cache in the user cache dir; the second loads it.
    copy = tmp_path / "install"
    shutil.copytree(PACKAGE_ROOT / "autograd", copy / "autograd",
                    ignore=shutil.ignore_patterns("__pycache__"))
    user_cache = tmp_path / "user-cache"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(copy), XDG_CACHE_HOME=str(user_cache),
               PYTHONDONTWRITEBYTECODE="1")
    script = CACHE_SCRIPT.format(root=str(copy))
    undo = make_read_only(copy)
    try:
        outputs = []
        for _ in range(2):
            result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr
            outputs.append(result.stdout)
    finally:
        undo()
    assert "hits 0 misses 1" in outputs[0], outputs[0]
    assert "hits 1 misses 0" in outputs[1], outputs[1]
    assert str(user_cache) in outputs[1]
    assert not list(copy.rglob("*.nbi")), "wrote into the read-only package"
    assert list(user_cache.rglob("*.nbi")), "nothing cached in the user cache dir"


def test_warmup_command_compiles_every_kernel_and_reports_times():
    result = run(["-m", "autograd.kernels", "--warmup"], cwd=PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    for name in ("col2im_rows", "relu_backward", "max_pool_forward",
                 "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
                 "depthwise_forward", "depthwise_backward"):
        assert result.stdout.count(name) == 2, result.stdout  # float32 and float64
    # im2col only copies: one version on uint32 words serves both dtypes
    assert result.stdout.count("im2col_rows          uint32") == 1, result.stdout
    # Winograd's kernels run in float32 only: one version each
    for name in ("input_tiles ", "output_tiles ", "output_tiles_adjoint", "input_tiles_adjoint"):
        assert result.stdout.count(name) == 1 and f"{name.strip():<20} float32" in result.stdout
    assert "total" in result.stdout
    assert run(["-m", "autograd.kernels"], cwd=PACKAGE_ROOT).returncode == 2  # usage


def test_warmup_of_float32_alone_compiles_no_float64_conv_or_pool_kernel():
    result = run(["-m", "autograd.kernels", "--warmup", "--dtypes", "float32"], cwd=PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()[1:-2]]  # not total, wall
    assert {kernel for kernel, dtype, *_ in lines if dtype == "float32"} == {
        "col2im_rows", "relu_backward", "max_pool_forward", "max_pool_backward",
        "avg_pool_forward", "avg_pool_backward", "depthwise_forward", "depthwise_backward",
        "lstm_forward_step", "lstm_backward_step", "input_tiles", "output_tiles",
        "output_tiles_adjoint", "input_tiles_adjoint"}
    assert [kernel for kernel, dtype, *_ in lines if dtype == "float64"] == ["erf_numba"]
    bad = run(["-m", "autograd.kernels", "--warmup", "--dtypes", "float16"], cwd=PACKAGE_ROOT)
    assert bad.returncode == 2 and "float32 and/or float64" in bad.stderr


def test_the_two_warmup_groups_split_every_kernel_between_them_once():
    from autograd.kernels.__main__ import FIRST_GROUP, SECOND_GROUP, _all_calls
    assert not set(FIRST_GROUP) & set(SECOND_GROUP)  # no cache file written by both
    names = {name for name, _, _ in _all_calls(("float32", "float64"))}
    assert names == set(FIRST_GROUP) | set(SECOND_GROUP)


def test_warmup_compiles_in_two_processes_on_a_cold_cache_and_loads_in_one_when_warm(tmp_path):
    def rows(jobs, processes):
        result = run(["-m", "autograd.kernels", "--warmup", "--jobs", jobs], cwd=PACKAGE_ROOT,
                     env={"NUMBA_CACHE_DIR": str(tmp_path)})
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[-1].split()[0] == "wall" and lines[-2].split()[0] == "total", lines
        assert f"({processes})" in lines[-1], lines[-1]
        return sorted(tuple(line.split()[:2]) for line in lines[1:-2])
    cold = rows("2", "2 processes")  # tmp_path starts empty: every kernel compiles
    # 11 kernels x 2 dtypes, im2col once on words, erf once, Winograd's 4 in float32
    assert len(cold) == 26
    assert rows("2", "1 process") == cold  # warm: one process loads them all
    assert rows("1", "1 process") == cold


# Warm two kernels, one from each group, with two processes: the second a fork (Linux's
# way) or a new interpreter (the way elsewhere), chosen by FORK.
TWO_PROCESSES = textwrap.dedent("""
    import sys
    import autograd.kernels.__main__ as warm
    warm.FORK = sys.argv[1] == "fork"
    times = warm.warmup(dtypes=("float32",), kernels=("relu_backward", "erf_numba"), jobs=2)
    assert sorted(times) == ["erf_numba[float64]", "relu_backward[float32]"], times
""")


@pytest.mark.parametrize("start", ["fork", "new interpreter"])
def test_the_second_warmup_process_reports_its_kernels_either_way_it_starts(tmp_path, start):
    result = run(["-c", TWO_PROCESSES, start], cwd=tmp_path,
                 env={"NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(PACKAGE_ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("(2 processes)"), result.stdout
    assert list(tmp_path.rglob("*erf_numba*.nbi")), "the second process cached nothing"


# The forked process's kernel fails: warmup must say so, not hang or drop its rows.
FAILING_CHILD = textwrap.dedent("""
    import autograd.kernels.__main__ as warm
    def broken():
        raise ValueError("a kernel that cannot compile")
    calls = warm._all_calls(("float32",))
    warm._all_calls = lambda dtypes: calls + [("erf_numba", "float64", broken)]
    try:
        warm.warmup(dtypes=("float32",), kernels=("relu_backward", "erf_numba"), jobs=2)
    except RuntimeError as error:
        print("caught:", error)
""")


def test_a_failure_in_the_forked_warmup_process_is_reported(tmp_path):
    result = run(["-c", FAILING_CHILD], cwd=tmp_path,
                 env={"NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(PACKAGE_ROOT)})
    assert "caught: the second warmup process failed (exit code 1)" in result.stdout, result
    assert "a kernel that cannot compile" in result.stderr  # the child's own traceback


def test_warmup_of_named_kernels_only_and_clear_errors_for_bad_options():
    result = run(["-m", "autograd.kernels", "--warmup", "--kernels", "relu_backward",
                  "--dtypes", "float32"], cwd=PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()[1:-2]] == [
        ["relu_backward", "float32"]]
    bad = run(["-m", "autograd.kernels", "--warmup", "--kernels", "conv9"], cwd=PACKAGE_ROOT)
    assert bad.returncode == 2 and "no kernel named conv9" in bad.stderr
    assert "max_pool_forward" in bad.stderr  # the names it takes
    bad = run(["-m", "autograd.kernels", "--warmup", "--jobs", "3"], cwd=PACKAGE_ROOT)
    assert bad.returncode == 2 and "--jobs takes 1 or 2" in bad.stderr
