"""nn.activations: Keras's definitions and defaults, by name or as functions, with
gradients that match finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn import activations

pytestmark = pytest.mark.layers

X = np.array([-4.0, -2.5, -1.0, -0.3, 0.2, 0.7, 1.5, 3.2, 6.5], dtype=np.float64)
ERF = np.vectorize(math.erf)

# name -> the formula written out in NumPy (Keras's documented definitions)
EXPECTED = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),  # default slope 0.2
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.05070098 * np.where(x > 0, x, 1.67326324 * (np.exp(x) - 1)),
    "gelu": lambda x: 0.5 * x * (1 + ERF(x / np.sqrt(2))),  # exact by default
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "exponential": np.exp,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum()),
}


def test_every_activation_the_issue_names_is_known():
    names = {"relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu", "elu", "selu",
             "gelu", "silu", "swish", "softplus", "softsign", "exponential", "hard_sigmoid",
             "relu6", "log_softmax"}
    assert names <= set(activations.BY_NAME)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_activation_values_match_keras_definition(name):
    out = activations.get(name)(autograd.tensor(X))
    assert isinstance(out, autograd.Tensor)
    np.testing.assert_allclose(out.numpy(), EXPECTED[name](X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_activation_gradients_match_finite_differences(name):
    # Points away from the kinks (0 for relu-likes, +-3 for hard_sigmoid, 6 for relu6).
    x = autograd.tensor(X + 0.05, dtype="float64", requires_grad=True)
    assert autograd.gradcheck(activations.get(name), [x])


def test_activation_by_name_and_by_function_are_the_same():
    assert activations.get("relu") is activations.relu
    assert activations.get(activations.tanh) is activations.tanh
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu


def test_activations_accept_numpy_arrays_and_keep_float32():
    out = activations.relu(np.array([-1.0, 1.0], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [0.0, 1.0])


def test_relu_options_follow_keras():
    x = autograd.tensor([-2.0, -0.5, 0.5, 2.0, 10.0])
    np.testing.assert_allclose(activations.relu(x, max_value=6.0).numpy(), [0, 0, 0.5, 2, 6])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.1).numpy(),
                               [-0.2, -0.05, 0.5, 2, 10], rtol=1e-6)
    np.testing.assert_allclose(activations.relu(x, threshold=1.0).numpy(), [0, 0, 0, 2, 10])


def test_softmax_axis_and_rows_sum_to_one():
    x = autograd.tensor(np.random.default_rng(0).normal(size=(3, 4)))
    assert np.allclose(activations.softmax(x).numpy().sum(axis=-1), 1)
    assert np.allclose(activations.softmax(x, axis=0).numpy().sum(axis=0), 1)


def test_gelu_approximate_uses_the_tanh_formula():
    x = autograd.tensor(X)
    tanh_formula = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(activations.gelu(x, approximate=True).numpy(), tanh_formula,
                               rtol=1e-6)


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError) as error:
        activations.get("rleu")
    text = str(error.value)
    assert "'rleu'" in text and "Did you mean 'relu'?" in text
    for name in ("elu", "gelu", "relu", "sigmoid", "softmax", "tanh"):
        assert name in text


def test_unknown_activation_is_an_error_when_making_a_layer():
    with pytest.raises(ValueError, match="Unknown activation 'tanhh'"):
        nn.layers.Dense(2, activation="tanhh")


def test_serialize_gives_the_name():
    assert activations.serialize(activations.get("relu")) == "relu"
    assert activations.serialize(activations.get("swish")) == "silu"


def test_layer_with_a_custom_activation_function():
    def double(x):
        return x * 2.0

    layer = nn.layers.Dense(2, activation=double, kernel_initializer="ones")
    out = layer(np.ones((1, 3)))
    np.testing.assert_allclose(out.numpy(), [[6.0, 6.0]])
