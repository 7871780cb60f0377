"""Pooling over images stored channels last (NHWC).

- ``MaxPooling2D`` / ``AveragePooling2D``: the max / mean of each window;
  ``strides`` default to ``pool_size`` (windows side by side), as in Keras.
- ``GlobalMaxPooling2D`` / ``GlobalAveragePooling2D``: one number per channel,
  ``(batch, h, w, c)`` -> ``(batch, c)`` (``keepdims=True``: ``(batch, 1, 1, c)``).
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.window_layers import (
    check_channels_last,
    image_spec,
    normalize_padding,
    normalize_tuple,
)
from nn.saving.registry import register


class _Pooling2D(Layer):
    """Shared by MaxPooling2D and AveragePooling2D: arguments, checks and shapes."""

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"{type(self).__name__} layer '{self.name}'"
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size", where)
        self.strides = (
            self.pool_size if strides is None else normalize_tuple(strides, 2, "strides", where)
        )
        self.padding = normalize_padding(padding, where)
        check_channels_last(data_format, where)
        self.input_spec = image_spec()

    def check_input_shape(self, input_shape: Any) -> None:
        # (Rank: input_spec.) Does the window fit in the image?
        if self.padding == "valid":
            sizes = zip(("height", "width"), input_shape[1:3], self.pool_size, strict=True)
            for axis, size, window in sizes:
                if size is not None and window > size:
                    raise ValueError(
                        f"{type(self).__name__} layer '{self.name}': its "
                        f"{self.pool_size[0]}x{self.pool_size[1]} window is larger than the "
                        f"input's {axis} ({size}; input shape {tuple(input_shape)}), so with "
                        "padding='valid' the output would be empty. Use a smaller pool_size, "
                        "padding='same', or downsample less before this layer."
                    )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return autograd.conv_output_shape(tuple(input_shape), self.pool_size, self.strides,
                                          self.padding,
                                          op=f"{type(self).__name__} layer '{self.name}'")

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": "channels_last"}


class MaxPooling2D(_Pooling2D):
    """The maximum of each ``pool_size`` window.

    >>> import nn
    >>> x = nn.Input(shape=(157, 157, 32))
    >>> nn.layers.MaxPooling2D(3)(x).shape
    (None, 52, 52, 32)
    """

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.max_pool2d(inputs, self.pool_size, strides=self.strides,
                                   padding=self.padding)


class AveragePooling2D(_Pooling2D):
    """The mean of each ``pool_size`` window.

    >>> import nn
    >>> nn.layers.AveragePooling2D(2)(nn.Input(shape=(6, 6, 3))).shape
    (None, 3, 3, 3)
    """

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.avg_pool2d(inputs, self.pool_size, strides=self.strides,
                                   padding=self.padding)


class _GlobalPooling2D(Layer):
    """Shared by the global pooling layers."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_channels_last(data_format, f"{type(self).__name__} layer '{self.name}'")
        self.keepdims = bool(keepdims)
        self.input_spec = image_spec()

    def _keep_dims(self, outputs: Tensor) -> Tensor:
        if self.keepdims:
            return outputs.reshape(outputs.shape[0], 1, 1, outputs.shape[-1])
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch, channels = input_shape[0], input_shape[-1]
        return (batch, 1, 1, channels) if self.keepdims else (batch, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": "channels_last",
                "keepdims": self.keepdims}


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum over height and width, per channel: ``(b, h, w, c)`` -> ``(b, c)``.

    >>> import nn
    >>> nn.layers.GlobalMaxPooling2D()(nn.Input(shape=(6, 6, 32))).shape
    (None, 32)
    """

    def call(self, inputs: Tensor) -> Tensor:
        return self._keep_dims(autograd.global_max_pool2d(inputs))


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean over height and width, per channel: ``(b, h, w, c)`` -> ``(b, c)``.

    >>> import nn, numpy as np
    >>> nn.layers.GlobalAveragePooling2D()(np.arange(8.0).reshape(1, 2, 2, 2))
    Tensor([[3., 4.]], shape=(1, 2), dtype=float32)
    """

    def call(self, inputs: Tensor) -> Tensor:
        return self._keep_dims(autograd.global_avg_pool2d(inputs))


# The classes a saved file may name (nn/saving/registry.py).
register(MaxPooling2D)
register(AveragePooling2D)
register(GlobalMaxPooling2D)
register(GlobalAveragePooling2D)
