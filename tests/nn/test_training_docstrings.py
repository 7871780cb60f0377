"""The examples in the training modules' docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

import autograd

pytestmark = pytest.mark.training

MODULES = [
    "optim", "optim.base", "optim.sgd", "optim.adam", "optim.adamw", "optim.rmsprop",
    "optim.adagrad", "optim.schedules",
    "nn.losses", "nn.metrics", "nn.callbacks", "nn.models.training",
    "nn.utils.progbar", "nn.utils.random", "nn.utils.numerical", "nn.utils.data",
    "nn.datasets.digits", "nn.datasets.mnist", "nn.saving.saving",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    autograd.manual_seed(0)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
