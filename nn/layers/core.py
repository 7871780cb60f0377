"""Core layers: ``Dense`` (a fully connected layer) and ``Activation``."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.input_spec import InputSpec
from nn.saving.registry import register

# Dense multiplies along the last axis: (batch, features), or (batch, ..., features).
FEATURES = ("batch", "features")


def add_kernel_and_bias(layer: Layer, kernel_shape: tuple) -> None:
    """Give ``layer`` its ``kernel`` of ``kernel_shape`` and, when ``layer.use_bias``, its
    ``bias`` with one value per output feature (the kernel's last axis), made with
    ``add_weight`` from the layer's ``kernel_*`` and ``bias_*`` initializers and
    regularizers, named "kernel" and "bias" as in Keras. Dense, Conv1D and Conv2D use it.
    """
    # BEGIN SOLUTION hw2.dense
    layer.kernel = layer.add_weight(
        shape=kernel_shape,
        initializer=layer.kernel_initializer,
        regularizer=layer.kernel_regularizer,
        name="kernel",
    )
    if layer.use_bias:
        layer.bias = layer.add_weight(
            shape=(kernel_shape[-1],),
            initializer=layer.bias_initializer,
            regularizer=layer.bias_regularizer,
            name="bias",
        )
    # END SOLUTION


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    The kernel has shape ``(input features, units)`` and the bias ``(units,)``, as
    in Keras, so ``get_weights()`` moves one to one between gradstack and Keras.
    Inputs of more than two dimensions are multiplied along their last axis.

    Parameters
    ----------
    units : int
        Output features.
    activation : str or callable, optional
        None means linear.
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default.
    kernel_regularizer, bias_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> import nn, numpy as np
    >>> layer = nn.layers.Dense(3, activation="relu")
    >>> layer(np.ones((2, 6))).shape
    (2, 3)
    >>> [w.shape for w in layer.weights]
    [(6, 3), (3,)]
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense: units must be a positive int, got {units!r}.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.input_spec = InputSpec(min_ndim=2, known=(-1,), layout=FEATURES)

    def build(self, input_shape: Any) -> None:
        # From now on inputs must have the features the kernel was made for.
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]}, layout=FEATURES)
        # BEGIN SOLUTION hw2.dense
        add_kernel_and_bias(self, (input_shape[-1], self.units))
        # END SOLUTION
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        # BEGIN SOLUTION hw2.dense
        # inputs @ kernel + bias, as one op (autograd/ops/linalg.py)
        return self.activation(autograd.linear(inputs, self.kernel, self.bias))
        # END SOLUTION

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Activation(Layer):
    """Applies an activation function: ``layers.Activation("relu")``.

    >>> import nn
    >>> nn.layers.Activation("relu")([[-1.0, 2.0]])
    Tensor([[0., 2.]], shape=(1, 2), dtype=float32)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


# The classes a saved file may name (nn/saving/registry.py).
register(Dense)
register(Activation)
