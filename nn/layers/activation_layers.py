"""Activations as layers with their own arguments: ``ReLU``, ``LeakyReLU``, ``PReLU``,
``ELU``, ``Softmax``.

``layers.Activation("relu")`` covers the plain functions; these take the options
Keras gives them (a capped or leaky ReLU, a learned slope, a softmax axis).

>>> import nn
>>> nn.layers.ReLU(max_value=6.0)([[-1.0, 3.0, 9.0]])
Tensor([[0., 3., 6.]], shape=(1, 3), dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn import initializers, regularizers
from nn.layers.base import Layer
from nn.saving.registry import register


class _Elementwise(Layer):
    """An activation layer: the output has the input's shape."""

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class ReLU(_Elementwise):
    """The ReLU with Keras's options: ``x`` above ``threshold`` (0 below), capped at
    ``max_value``, minus ``negative_slope * max(threshold - x, 0)`` - so ReLU6 is
    ``ReLU(max_value=6)`` and a leaky ReLU ``ReLU(negative_slope=0.1)``.

    >>> import nn
    >>> nn.layers.ReLU(negative_slope=0.5, threshold=1.0)([[0.0, 2.0]])
    Tensor([[-0.5,  2. ]], shape=(1, 2), dtype=float32)
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU layer '{self.name}': max_value must be >= 0 or None, got "
                             f"{max_value}.")
        if negative_slope < 0:
            raise ValueError(f"ReLU layer '{self.name}': negative_slope must be >= 0, got "
                             f"{negative_slope}.")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: Tensor) -> Tensor:
        if self.threshold != 0.0:
            above = autograd.as_array(inputs) > self.threshold
            out = autograd.where(above, inputs, 0.0)
        else:
            out = autograd.relu(inputs)
        if self.max_value is not None:
            out = autograd.clip(out, 0.0, self.max_value)
        if self.negative_slope != 0.0:
            out = out - self.negative_slope * autograd.relu(self.threshold - inputs)
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (Keras's default slope 0.3;
    tf.keras called it ``alpha``).

    >>> import nn
    >>> nn.layers.LeakyReLU()([[-1.0, 2.0]])
    Tensor([[-0.3,  2. ]], shape=(1, 2), dtype=float32)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # tf.keras's name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope < 0:
            raise ValueError(f"LeakyReLU layer '{self.name}': negative_slope must be >= 0, "
                             f"got {negative_slope}.")
        self.negative_slope = float(negative_slope)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below.

    >>> import nn
    >>> nn.layers.ELU()([[0.0, 2.0]])
    Tensor([[0., 2.]], shape=(1, 2), dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.elu(inputs, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """A leaky ReLU whose slope is learned: ``max(x, 0) + alpha * min(x, 0)``, one
    ``alpha`` per feature (``shared_axes`` share it, e.g. ``[1, 2]`` for one slope
    per channel of an image). The slopes start at 0 (``alpha_initializer="zeros"``).

    >>> import nn
    >>> layer = nn.layers.PReLU(alpha_initializer=nn.initializers.Constant(0.25))
    >>> layer([[-4.0, 2.0]]).numpy()
    array([[-1.,  2.]], dtype=float32)
    >>> layer.alpha.shape
    (2,)
    """

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if alpha_constraint is not None:
            raise NotImplementedError(f"PReLU layer '{self.name}': alpha_constraint is not "
                                      "supported.")
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape: Any) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise ValueError(f"PReLU layer '{self.name}': shared axis {axis} is not a "
                                 f"feature axis of inputs of shape {tuple(input_shape)}.")
            shape[axis - 1] = 1
        if any(s is None for s in shape):
            raise ValueError(f"PReLU layer '{self.name}' needs every feature axis known to "
                             f"size its slopes, got {tuple(input_shape)}; share the unknown "
                             "axes with shared_axes=[...].")
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, name="alpha")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.relu(inputs) - self.alpha * autograd.relu(-inputs)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": None, "shared_axes": self.shared_axes}


class Softmax(_Elementwise):
    """The softmax along ``axis``; with a ``mask``, masked positions get probability 0.

    >>> import nn
    >>> nn.layers.Softmax()([[0.0, 0.0]])
    Tensor([[0.5, 0.5]], shape=(1, 2), dtype=float32)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:
            # As Keras: a large negative number where the mask is False, so exp() is 0 there.
            keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            inputs = inputs + np.where(keep, 0.0, -1e9).astype(np.float32)
        return autograd.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


# The classes a saved file may name (nn/saving/registry.py).
register(ReLU)
register(LeakyReLU)
register(ELU)
register(PReLU)
register(Softmax)
