"""Shape-changing layers for images and sequences of vectors: ``UpSampling2D``,
``ZeroPadding2D``, ``Cropping2D`` (channels last, ``(batch, rows, cols, channels)``),
``RepeatVector`` and ``Permute``.

The 1-D versions (``UpSampling1D``, ...) are in ``pooling1d.py``. Each is a view or
a copy of its input, so the gradient is routed back by the autograd ops it uses
(``pad``, slicing, ``broadcast_to``, ``transpose``).

>>> import nn
>>> nn.layers.UpSampling2D(2)(nn.Input(shape=(7, 7, 16))).shape
(None, 14, 14, 16)
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.saving.registry import register


def _require_image_batch(input_shape: Any, layer: Layer) -> None:
    if len(input_shape) != 4:
        raise ValueError(
            f"{type(layer).__name__} layer '{layer.name}' expects images of shape (batch, rows, "
            f"cols, channels), but got inputs of shape {tuple(input_shape)}.")


def _channels_last(data_format: str | None, layer_name: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer_name}: only data_format='channels_last' is supported; move "
                         "the channels last with x.transpose(0, 2, 3, 1).")


def _two_pairs(value: Any, argument: str, where: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``1`` -> ((1, 1), (1, 1)); ``(1, 2)`` -> ((1, 1), (2, 2)); ((t, b), (l, r)) as is."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            pairs = ((value, value), (value, value))
        elif all(isinstance(v, int) for v in value):
            rows, cols = value
            pairs = ((rows, rows), (cols, cols))
        else:
            (top, bottom), (left, right) = value
            pairs = ((int(top), int(bottom)), (int(left), int(right)))
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {argument} must be an int, a pair (rows, cols) or a pair of "
                         f"pairs ((top, bottom), (left, right)), got {value!r}.") from None
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f"{where}: {argument} must not be negative, got {value!r}.")
    return pairs


class UpSampling2D(Layer):
    """Repeats every row ``size[0]`` times and every column ``size[1]`` times
    (nearest-neighbour upsampling).

    >>> import nn, numpy as np
    >>> nn.layers.UpSampling2D(2)(np.array([[[[1.0], [2.0]]]])).numpy()[0, :, :, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]], dtype=float32)
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"UpSampling2D layer '{self.name}'"
        _channels_last(data_format, where)
        if interpolation != "nearest":
            raise NotImplementedError(f"{where}: only interpolation='nearest' is supported, got "
                                      f"{interpolation!r}.")
        rows, cols = (size, size) if isinstance(size, int) else tuple(size)
        if int(rows) < 1 or int(cols) < 1:
            raise ValueError(f"{where}: size must be positive, got {size!r}.")
        self.size = (int(rows), int(cols))

    def check_input_shape(self, input_shape: Any) -> None:
        _require_image_batch(input_shape, self)

    def call(self, inputs: Tensor) -> Tensor:
        batch, rows, cols, channels = inputs.shape
        a, b = self.size
        spread = autograd.broadcast_to(
            autograd.reshape(inputs, (batch, rows, 1, cols, 1, channels)),
            (batch, rows, a, cols, b, channels))
        return autograd.reshape(spread, (batch, rows * a, cols * b, channels))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, rows, cols, channels = input_shape
        return (batch, None if rows is None else rows * self.size[0],
                None if cols is None else cols * self.size[1], channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": list(self.size),
                "data_format": "channels_last", "interpolation": "nearest"}


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around each image: ``padding=1``,
    ``(rows, cols)`` or ``((top, bottom), (left, right))``.

    >>> import nn, numpy as np
    >>> nn.layers.ZeroPadding2D(((1, 0), (0, 1)))(np.ones((1, 1, 1, 1))).numpy()[0, :, :, 0]
    array([[0., 0.],
           [1., 0.]], dtype=float32)
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"ZeroPadding2D layer '{self.name}'"
        _channels_last(data_format, where)
        self.padding = _two_pairs(padding, "padding", where)

    def check_input_shape(self, input_shape: Any) -> None:
        _require_image_batch(input_shape, self)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.pad(inputs, ((0, 0), self.padding[0], self.padding[1], (0, 0)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, rows, cols, channels = input_shape
        (top, bottom), (left, right) = self.padding
        return (batch, None if rows is None else rows + top + bottom,
                None if cols is None else cols + left + right, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": "channels_last"}


class Cropping2D(Layer):
    """Removes rows and columns at the edges: ``cropping=1``, ``(rows, cols)`` or
    ``((top, bottom), (left, right))``.

    >>> import nn
    >>> nn.layers.Cropping2D(((2, 2), (4, 4)))(nn.Input(shape=(28, 28, 3))).shape
    (None, 24, 20, 3)
    """

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"Cropping2D layer '{self.name}'"
        _channels_last(data_format, where)
        self.cropping = _two_pairs(cropping, "cropping", where)

    def check_input_shape(self, input_shape: Any) -> None:
        _require_image_batch(input_shape, self)
        for size, (start, end), axis in zip(input_shape[1:3], self.cropping, ("rows", "cols"),
                                            strict=True):
            if size is not None and start + end >= size:
                raise ValueError(
                    f"Cropping2D layer '{self.name}': cropping {(start, end)} of the {axis} "
                    f"removes all {size} of them (input shape {tuple(input_shape)}).")

    def call(self, inputs: Tensor) -> Tensor:
        (top, bottom), (left, right) = self.cropping
        rows, cols = inputs.shape[1], inputs.shape[2]
        return inputs[:, top:rows - bottom, left:cols - right]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, rows, cols, channels = input_shape
        (top, bottom), (left, right) = self.cropping
        return (batch, None if rows is None else rows - top - bottom,
                None if cols is None else cols - left - right, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": [list(c) for c in self.cropping],
                "data_format": "channels_last"}


class RepeatVector(Layer):
    """``(batch, features)`` -> ``(batch, n, features)``: the vector repeated ``n`` times
    (an encoder's summary fed to every step of a decoder).

    >>> import nn
    >>> nn.layers.RepeatVector(3)(nn.Input(shape=(32,))).shape
    (None, 3, 32)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"RepeatVector layer '{self.name}': n must be a positive integer, "
                             f"got {n!r}.")
        self.n = n

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 2:
            raise ValueError(
                f"RepeatVector layer '{self.name}' expects inputs of shape (batch, features), "
                f"but got {tuple(input_shape)}; flatten them first.")

    def call(self, inputs: Tensor) -> Tensor:
        batch, features = inputs.shape
        return autograd.broadcast_to(autograd.reshape(inputs, (batch, 1, features)),
                                     (batch, self.n, features))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorders the axes after the batch: ``dims`` counts from 1, so ``Permute((2, 1))``
    swaps the two axes of ``(batch, steps, features)``.

    >>> import nn
    >>> nn.layers.Permute((2, 1))(nn.Input(shape=(10, 64))).shape
    (None, 64, 10)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute layer '{self.name}': dims must be a permutation of 1..{len(self.dims)} "
                f"(axis 0, the batch, stays first), got {tuple(dims)!r}.")

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Permute layer '{self.name}' reorders {len(self.dims)} axes, but its inputs of "
                f"shape {tuple(input_shape)} have {len(input_shape) - 1} after the batch.")

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": list(self.dims)}


# The classes a saved file may name (nn/saving/registry.py).
register(UpSampling2D)
register(ZeroPadding2D)
register(Cropping2D)
register(RepeatVector)
register(Permute)
