"""The examples in the front end's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

import autograd
import nn

pytestmark = pytest.mark.layers

MODULES = [
    "nn.activations", "nn.initializers", "nn.regularizers", "nn.backend",
    "nn.layers.base", "nn.layers.naming", "nn.layers.variable", "nn.layers.symbolic",
    "nn.layers.input_layer", "nn.layers.core", "nn.layers.convolutional", "nn.layers.pooling",
    "nn.layers.normalization", "nn.layers.regularization", "nn.layers.reshaping",
    "nn.layers.merging", "nn.layers.window_layers", "nn.layers.input_spec",
    "nn.layers.tracking",
    "nn.layers.call_context", "nn.layers.symbolic_views", "nn.layers.config",
    "nn.saving.registry", "nn.saving.serialization",
    "nn.models.model", "nn.models.functional", "nn.models.sequential", "nn.models.arguments",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    nn.clear_session()
    autograd.manual_seed(0)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
