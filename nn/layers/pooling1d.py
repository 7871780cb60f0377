"""Pooling along the time axis of ``(batch, steps, channels)``, and the 1-D reshapes.

``MaxPooling1D``/``AveragePooling1D`` run the 2-D pooling kernels on a window of
height 1 (the input viewed as ``(batch, 1, steps, channels)``). The global
poolings are reductions over the steps; ``GlobalAveragePooling1D`` leaves masked
steps out of the mean, as in Keras. ``UpSampling1D``, ``ZeroPadding1D`` and
``Cropping1D`` repeat, pad and cut steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.masking import resolve_mask
from nn.layers.window_layers import (
    normalize_padding,
    normalize_tuple,
    sequence_output_shape,
    sequence_spec,
)
from nn.saving.registry import register


class _Pooling1D(Layer):
    _pool = staticmethod(autograd.max_pool2d)

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"{type(self).__name__} layer '{self.name}'"
        (self.pool_size,) = normalize_tuple(pool_size, 1, "pool_size", where)
        (self.strides,) = normalize_tuple(self.pool_size if strides is None else strides, 1,
                                          "strides", where)
        self.padding = normalize_padding(padding, where)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{where}: only data_format='channels_last' is supported.")
        self.input_spec = sequence_spec()

    def call(self, inputs: Tensor) -> Tensor:
        batch, steps, channels = inputs.shape
        images = autograd.reshape(inputs, (batch, 1, steps, channels))
        out = self._pool(images, (1, self.pool_size), (1, self.strides), self.padding)
        return autograd.reshape(out, (batch, out.shape[2], channels))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return sequence_output_shape(input_shape, self.pool_size, self.strides, self.padding,
                                     op=f"{type(self).__name__} layer '{self.name}'")

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": [self.pool_size],
                "strides": [self.strides], "padding": self.padding,
                "data_format": "channels_last"}


class MaxPooling1D(_Pooling1D):
    """The largest value in each window of ``pool_size`` steps, per channel.

    >>> import nn, numpy as np
    >>> nn.layers.MaxPooling1D(2)(np.arange(6.0).reshape(1, 6, 1)).numpy()[0, :, 0]
    array([1., 3., 5.], dtype=float32)
    """

    _pool = staticmethod(autograd.max_pool2d)


class AveragePooling1D(_Pooling1D):
    """The mean of each window of ``pool_size`` steps, per channel.

    >>> import nn, numpy as np
    >>> nn.layers.AveragePooling1D(3)(np.arange(6.0).reshape(1, 6, 1)).numpy()[0, :, 0]
    array([1., 4.], dtype=float32)
    """

    _pool = staticmethod(autograd.avg_pool2d)


class _GlobalPooling1D(Layer):
    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__}: only data_format='channels_last' is "
                             "supported.")
        self.keepdims = bool(keepdims)
        self.input_spec = sequence_spec()

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, _, channels = input_shape
        return (batch, 1, channels) if self.keepdims else (batch, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": "channels_last",
                "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling1D):
    """The largest value over all steps, per channel: ``(batch, channels)``.
    (As in Keras, a mask is not used.)

    >>> import nn, numpy as np
    >>> nn.layers.GlobalMaxPooling1D()(np.arange(6.0).reshape(1, 3, 2)).numpy()
    array([[4., 5.]], dtype=float32)
    """

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.max(inputs, axis=1, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """The mean over the steps, per channel; masked steps are left out of the mean.

    >>> import nn, numpy as np
    >>> x = np.array([[[1.0], [3.0], [100.0]]])
    >>> nn.layers.GlobalAveragePooling1D()(x, mask=np.array([[True, True, False]])).numpy()
    array([[2.]], dtype=float32)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None  # the steps are gone: nothing left to mask

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        mask = resolve_mask(inputs, mask, f"GlobalAveragePooling1D layer '{self.name}'",
                            tuple(inputs.shape[:2]))
        if mask is None:
            return autograd.mean(inputs, axis=1, keepdims=self.keepdims)
        weights = mask[:, :, None].astype(inputs.dtype)
        counts = np.maximum(weights.sum(axis=1, keepdims=True), 1.0)
        out = autograd.sum(inputs * weights, axis=1, keepdims=True) / counts
        return out if self.keepdims else autograd.reshape(out, (out.shape[0], out.shape[2]))


class UpSampling1D(Layer):
    """Repeats every step ``size`` times: ``(batch, steps * size, channels)``.

    >>> import nn, numpy as np
    >>> nn.layers.UpSampling1D(2)(np.array([[[1.0], [2.0]]])).numpy()[0, :, 0]
    array([1., 1., 2., 2.], dtype=float32)
    """

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        (self.size,) = normalize_tuple(size, 1, "size", f"UpSampling1D layer '{self.name}'")
        self.input_spec = sequence_spec()

    def call(self, inputs: Tensor) -> Tensor:
        batch, steps, channels = inputs.shape
        repeated = autograd.broadcast_to(autograd.reshape(inputs, (batch, steps, 1, channels)),
                                         (batch, steps, self.size, channels))
        return autograd.reshape(repeated, (batch, steps * self.size, channels))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, steps, channels = input_shape
        return (batch, None if steps is None else steps * self.size, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


def _pair_of_ints(value: Any, argument: str, where: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    try:
        a, b = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {argument} must be an int or a pair of ints, got "
                         f"{value!r}.") from None
    if a < 0 or b < 0:
        raise ValueError(f"{where}: {argument} must not be negative, got {value!r}.")
    return a, b


class ZeroPadding1D(Layer):
    """Adds zero steps at the start and end: ``padding=1`` or ``(start, end)``.

    >>> import nn, numpy as np
    >>> nn.layers.ZeroPadding1D((1, 2))(np.ones((1, 2, 1))).numpy()[0, :, 0]
    array([0., 1., 1., 0., 0.], dtype=float32)
    """

    def __init__(self, padding: Any = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = _pair_of_ints(padding, "padding", f"ZeroPadding1D layer '{self.name}'")
        self.input_spec = sequence_spec()

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.pad(inputs, ((0, 0), self.padding, (0, 0)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, steps, channels = input_shape
        return (batch, None if steps is None else steps + sum(self.padding), channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": list(self.padding)}


class Cropping1D(Layer):
    """Removes steps at the start and end: ``cropping=(start, end)``.

    >>> import nn, numpy as np
    >>> nn.layers.Cropping1D((1, 1))(np.arange(4.0).reshape(1, 4, 1)).numpy()[0, :, 0]
    array([1., 2.], dtype=float32)
    """

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = _pair_of_ints(cropping, "cropping", f"Cropping1D layer '{self.name}'")
        self.input_spec = sequence_spec()

    def check_input_shape(self, input_shape: Any) -> None:
        # (Rank: input_spec.) Something must be left after cropping.
        steps = input_shape[1]
        if steps is not None and sum(self.cropping) >= steps:
            raise ValueError(
                f"Cropping1D layer '{self.name}': cropping {self.cropping} removes all "
                f"{steps} steps of input shape {tuple(input_shape)}.")

    def call(self, inputs: Tensor) -> Tensor:
        start, end = self.cropping
        return inputs[:, start:inputs.shape[1] - end]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, steps, channels = input_shape
        return (batch, None if steps is None else steps - sum(self.cropping), channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": list(self.cropping)}


# The classes a saved file may name (nn/saving/registry.py).
register(MaxPooling1D)
register(AveragePooling1D)
register(GlobalMaxPooling1D)
register(GlobalAveragePooling1D)
register(UpSampling1D)
register(ZeroPadding1D)
register(Cropping1D)
