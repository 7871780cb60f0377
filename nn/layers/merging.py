"""Layers that combine several inputs: ``Add``, ``Subtract``, ``Multiply``,
``Average`` (elementwise, with broadcasting) and ``Concatenate``.

Called on a list: ``layers.Add()([a, b])``. A residual connection::

    x = nn.Input(shape=(16,))
    y = nn.layers.Dense(16, activation="relu")(x)
    out = nn.layers.Add()([x, y])
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.saving.registry import register


class _ElementwiseMerge(Layer):
    """Shared by the elementwise merges: checks that inputs are a list of
    broadcast-compatible shapes."""

    _exactly_two = False

    def check_input_shape(self, input_shape: Any) -> None:
        cls = type(self).__name__
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"{cls} layer '{self.name}' must be called on a list of at least 2 inputs, "
                f"e.g. layers.{cls}()([a, b]); got "
                f"{'a list of 1' if isinstance(input_shape, list) else 'a single input'}."
            )
        if self._exactly_two and len(input_shape) != 2:
            raise ValueError(
                f"{cls} layer '{self.name}' takes exactly 2 inputs, got {len(input_shape)}.")
        self.compute_output_shape(input_shape)  # raises if shapes do not fit

    def compute_output_shape(self, input_shape: Any) -> tuple:
        output = tuple(input_shape[0])
        for shape in input_shape[1:]:
            output = _broadcast(output, tuple(shape), self, input_shape)
        return output


class Add(_ElementwiseMerge):
    """The elementwise sum of its inputs.

    >>> import nn, numpy as np
    >>> nn.layers.Add()([np.ones((1, 2)), np.ones((1, 2))])
    Tensor([[2., 2.]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: list[Tensor]) -> Tensor:
        total = inputs[0]
        for tensor in inputs[1:]:
            total = total + tensor
        return total


class Subtract(_ElementwiseMerge):
    """``inputs[0] - inputs[1]``.

    >>> import nn, numpy as np
    >>> nn.layers.Subtract()([np.ones((1, 2)), np.full((1, 2), 3.0)])
    Tensor([[-2., -2.]], shape=(1, 2), dtype=float32)
    """

    _exactly_two = True

    def call(self, inputs: list[Tensor]) -> Tensor:
        return inputs[0] - inputs[1]


class Multiply(_ElementwiseMerge):
    """The elementwise product of its inputs.

    >>> import nn, numpy as np
    >>> nn.layers.Multiply()([np.full((1, 2), 2.0), np.full((1, 2), 3.0)])
    Tensor([[6., 6.]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: list[Tensor]) -> Tensor:
        product = inputs[0]
        for tensor in inputs[1:]:
            product = product * tensor
        return product


class Average(_ElementwiseMerge):
    """The elementwise mean of its inputs.

    >>> import nn, numpy as np
    >>> nn.layers.Average()([np.zeros((1, 2)), np.full((1, 2), 3.0)])
    Tensor([[1.5, 1.5]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: list[Tensor]) -> Tensor:
        total = inputs[0]
        for tensor in inputs[1:]:
            total = total + tensor
        return total / float(len(inputs))


class Concatenate(Layer):
    """Joins its inputs along ``axis`` (the last by default); the other sizes must match.

    >>> import nn
    >>> a, b = nn.Input(shape=(4,)), nn.Input(shape=(3,))
    >>> nn.layers.Concatenate()([a, b]).shape
    (None, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def check_input_shape(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"Concatenate layer '{self.name}' must be called on a list of at least 2 "
                "inputs, e.g. layers.Concatenate()([a, b])."
            )
        self.compute_output_shape(input_shape)

    def call(self, inputs: list[Tensor]) -> Tensor:
        return autograd.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(
                f"Concatenate layer '{self.name}': inputs must have the same number of "
                f"dimensions, got shapes {[tuple(s) for s in input_shape]}."
            )
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate layer '{self.name}': axis={self.axis} is out of range for "
                f"{rank}-D inputs.")
        axis = self.axis % rank
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            for a in range(rank):
                if a == axis:
                    output[a] = None if output[a] is None or shape[a] is None else (
                        output[a] + shape[a])
                elif output[a] is not None and shape[a] is not None and output[a] != shape[a]:
                    raise ValueError(
                        f"Concatenate layer '{self.name}' joins along axis {self.axis}, so "
                        "every other axis must have the same size, but got shapes "
                        f"{[tuple(s) for s in input_shape]} (axis {a} differs)."
                    )
                elif output[a] is None:
                    output[a] = shape[a]
        return tuple(output)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _broadcast(a: tuple, b: tuple, layer: Layer, shapes: list) -> tuple:
    """The NumPy broadcast of two shapes that may contain None, or a clear error."""
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + b
    output = []
    for x, y in zip(a, b, strict=True):
        if x == 1:
            output.append(y)
        elif y == 1 or y is None or x == y:
            output.append(x)
        elif x is None:
            output.append(y)
        else:
            raise ValueError(
                f"{type(layer).__name__} layer '{layer.name}' combines its inputs elementwise, "
                f"so their shapes must match (or broadcast), but got shapes "
                f"{[tuple(s) for s in shapes]}."
            )
    return tuple(output)


# The classes a saved file may name (nn/saving/registry.py).
register(Add)
register(Subtract)
register(Multiply)
register(Average)
register(Concatenate)
