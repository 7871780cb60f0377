"""Layers that change the shape, not the values: ``Flatten`` and ``Reshape``.
The batch axis is always kept."""

from __future__ import annotations

import math
from typing import Any

from autograd import Tensor
from nn.layers.base import Layer
from nn.saving.registry import register


class Flatten(Layer):
    """``(batch, d1, d2, ...)`` -> ``(batch, d1 * d2 * ...)``.

    >>> import nn
    >>> nn.layers.Flatten()(nn.Input(shape=(6, 6, 32))).shape
    (None, 1152)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(
                f"Flatten layer '{self.name}': only data_format='channels_last' is supported.")

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": "channels_last"}


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1).

    >>> import nn
    >>> nn.layers.Reshape((28, 28, 1))(nn.Input(shape=(784,))).shape
    (None, 28, 28, 1)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target) > 1 or any(d == 0 or d < -1 for d in target):
            raise ValueError(
                f"Reshape layer '{self.name}': target_shape must hold positive sizes and at "
                f"most one -1 (a size to be computed), got {tuple(target_shape)}."
            )
        self.target_shape = target

    def check_input_shape(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # raises if the sizes cannot match

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        fits = size % known == 0 if -1 in self.target_shape else size == known
        if not fits:
            raise ValueError(
                f"Reshape layer '{self.name}': cannot reshape an input of shape "
                f"{tuple(input_shape)} ({size} values per sample) to {self.target_shape} "
                f"({known} values per sample). The number of values must stay the same."
            )
        output = tuple(size // known if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + output

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


# The classes a saved file may name (nn/saving/registry.py).
register(Flatten)
register(Reshape)
