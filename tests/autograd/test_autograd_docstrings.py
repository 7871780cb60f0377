"""The runnable examples in the docstrings of the engine-side modules."""

import doctest
import importlib

import pytest

pytestmark = pytest.mark.engine

MODULES = [
    "autograd.engine",
    "autograd.grad_mode",
    "autograd.gradcheck",
    "autograd.strict_mode",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0
