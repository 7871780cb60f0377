"""Every example in autograd's docstrings runs and prints what it shows.

The modules are found by walking the package, so a new module's examples run
without anyone adding it to a list.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import autograd

pytestmark = pytest.mark.ops

SKIP = {"autograd.kernels.__main__"}  # a command-line entry point, not a library module


def modules() -> list[str]:
    names = ["autograd"]
    for info in pkgutil.walk_packages(autograd.__path__, "autograd."):
        if info.name not in SKIP:
            names.append(info.name)
    return sorted(names)


def test_the_walk_finds_the_op_and_kernel_modules():
    found = set(modules())
    assert {"autograd.tensor", "autograd.ops.activations", "autograd.ops.conv",
            "autograd.kernels.geometry", "autograd.graph"} <= found


@pytest.mark.parametrize("name", modules())
def test_docstring_examples(name):
    autograd.manual_seed(0)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
