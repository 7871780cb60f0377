"""Layers that combine several inputs: ``Add``, ``Subtract``, ``Multiply``,
``Average``, ``Maximum``, ``Minimum`` (elementwise, with broadcasting),
``Concatenate`` and ``Dot``.

Called on a list: ``layers.Add()([a, b])``, or with Keras's functional helpers
``layers.add([a, b])``, ``layers.concatenate([a, b])``, ... A residual connection::

    x = nn.Input(shape=(16,))
    y = nn.layers.Dense(16, activation="relu")(x)
    out = nn.layers.add([x, y])
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.masks import merged_mask
from nn.saving.registry import register


class _ElementwiseMerge(Layer):
    """Shared by the elementwise merges: checks that inputs are a list of
    broadcast-compatible shapes."""

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return merged_mask(mask)

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


class Maximum(_ElementwiseMerge):
    """The elementwise maximum of its inputs (the gradient goes to the larger).

    >>> import nn, numpy as np
    >>> nn.layers.Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    Tensor([[3., 5.]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: list[Tensor]) -> Tensor:
        largest = inputs[0]
        for tensor in inputs[1:]:
            largest = autograd.maximum(largest, tensor)
        return largest


class Minimum(_ElementwiseMerge):
    """The elementwise minimum of its inputs.

    >>> import nn, numpy as np
    >>> nn.layers.Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    Tensor([[1., 2.]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: list[Tensor]) -> Tensor:
        smallest = inputs[0]
        for tensor in inputs[1:]:
            smallest = autograd.minimum(smallest, tensor)
        return smallest


class Concatenate(Layer):
    """Joins its inputs along ``axis`` (the last by default); the other sizes must match.

    >>> import nn
    >>> a, b = nn.Input(shape=(4,)), nn.Input(shape=(3,))
    >>> nn.layers.Concatenate()([a, b]).shape
    (None, 7)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return merged_mask(mask)

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


class Dot(Layer):
    """The dot product of two inputs along ``axes``, sample by sample.

    ``axes`` is one axis for both inputs or a pair ``(axis_of_a, axis_of_b)``;
    the batch axis 0 cannot be one of them. Two ``(batch, n)`` inputs give
    ``(batch, 1)``; otherwise the output holds the remaining axes of ``a`` then
    of ``b``, as Keras's ``batch_dot``. ``normalize=True`` divides both by their
    L2 norm along ``axes`` first: the output is then the cosine similarity.

    >>> import nn, numpy as np
    >>> nn.layers.Dot(axes=1)([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])])
    Tensor([[11.]], shape=(1, 1), dtype=float32)
    """

    def __init__(self, axes: int | tuple[int, int] | list[int], normalize: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pair = tuple(axes) if isinstance(axes, (list, tuple)) else (axes, axes)
        if len(pair) != 2 or not all(isinstance(a, int) for a in pair):
            raise ValueError(f"Dot layer '{self.name}': axes must be an integer or a pair of "
                             f"integers, got {axes!r}.")
        self.axes = pair
        self.normalize = bool(normalize)

    def _axes_for(self, input_shape: Any) -> tuple[int, int]:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Dot layer '{self.name}' must be called on a list of exactly 2 "
                             "inputs, e.g. layers.Dot(axes=1)([a, b]).")
        a_shape, b_shape = (tuple(s) for s in input_shape)
        axes = []
        for axis, shape in zip(self.axes, (a_shape, b_shape), strict=True):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise ValueError(
                    f"Dot layer '{self.name}': axis {axis} is not a feature axis of an input of "
                    f"shape {shape} (axis 0 is the batch).")
            axes.append(axis % len(shape))
        n_a, n_b = a_shape[axes[0]], b_shape[axes[1]]
        if n_a is not None and n_b is not None and n_a != n_b:
            raise ValueError(
                f"Dot layer '{self.name}' multiplies axis {axes[0]} of {a_shape} with axis "
                f"{axes[1]} of {b_shape}: their sizes {n_a} and {n_b} must be equal.")
        return axes[0], axes[1]

    def check_input_shape(self, input_shape: Any) -> None:
        self._axes_for(input_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        axis_a, axis_b = self._axes_for(input_shape)
        a_shape, b_shape = (tuple(s) for s in input_shape)
        rest = ([d for i, d in enumerate(a_shape[1:], 1) if i != axis_a]
                + [d for i, d in enumerate(b_shape[1:], 1) if i != axis_b])
        return (a_shape[0], *(rest or [1]))

    def call(self, inputs: list[Tensor]) -> Tensor:
        a, b = inputs
        axis_a, axis_b = self._axes_for([a.shape, b.shape])
        if self.normalize:
            a = a / autograd.sqrt(autograd.maximum((a * a).sum(axis=axis_a, keepdims=True),
                                                   1e-12))
            b = b / autograd.sqrt(autograd.maximum((b * b).sum(axis=axis_b, keepdims=True),
                                                   1e-12))
        # a -> (batch, rest_a, n) and b -> (batch, n, rest_b): one batched matmul.
        order_a = [0] + [i for i in range(1, a.ndim) if i != axis_a] + [axis_a]
        order_b = [0, axis_b] + [i for i in range(1, b.ndim) if i != axis_b]
        a_moved, b_moved = a.transpose(order_a), b.transpose(order_b)
        rest_a, rest_b = a_moved.shape[1:-1], b_moved.shape[2:]
        n = a_moved.shape[-1]
        product = autograd.matmul(
            autograd.reshape(a_moved, (a.shape[0], _prod(rest_a), n)),
            autograd.reshape(b_moved, (b.shape[0], n, _prod(rest_b))))
        return autograd.reshape(product, (a.shape[0], *((*rest_a, *rest_b) or (1,))))

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


def _prod(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# Keras's functional forms: layers.add([a, b]) is layers.Add()([a, b]).
def add(inputs: list, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: int | tuple[int, int] = -1, normalize: bool = False,
        **kwargs: Any) -> Any:
    """``Dot(axes, normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


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
register(Maximum)
register(Minimum)
register(Dot)
