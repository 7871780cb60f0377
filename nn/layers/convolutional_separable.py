"""``DepthwiseConv2D`` and ``SeparableConv2D``: the cheap convolutions of MobileNet
and Xception.

- ``DepthwiseConv2D``: each input channel filtered by its own ``depth_multiplier``
  kernels (``autograd.depthwise_conv2d``); weights ``[kernel (kh, kw, in, dm), bias]``.
- ``SeparableConv2D``: a depthwise convolution, then a 1x1 ``conv2d`` that mixes the
  channels into ``filters``; weights ``[depthwise_kernel, pointwise_kernel (1, 1,
  in * dm, filters), bias]``.

Both take Keras's arguments and weight layouts, so ``get_weights()`` moves one to
one with Keras.

>>> import nn
>>> nn.layers.SeparableConv2D(8, 3, padding="same")(nn.Input((10, 10, 4))).shape
(None, 10, 10, 8)
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.window_layers import normalize_tuple
from nn.saving.registry import register


class _DepthwiseBase(Layer):
    """The arguments and the depthwise half shared by both layers."""

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"{type(self).__name__} layer '{self.name}'"
        if padding not in ("valid", "same"):
            raise ValueError(f"{where}: padding must be 'valid' or 'same', got {padding!r}.")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{where}: only data_format='channels_last' is supported; move "
                             "the channels last with x.transpose(0, 2, 3, 1).")
        if not isinstance(depth_multiplier, int) or depth_multiplier < 1:
            raise ValueError(f"{where}: depth_multiplier must be a positive integer, got "
                             f"{depth_multiplier!r}.")
        if depthwise_constraint is not None or bias_constraint is not None:
            raise NotImplementedError(f"{where}: weight constraints are not supported.")
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size", where)
        self.strides = normalize_tuple(strides, 2, "strides", where)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate", where)
        self.padding = padding
        self.depth_multiplier = depth_multiplier
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 4 or input_shape[3] is None:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' expects images of shape (batch, "
                f"height, width, channels) with the channels known, got {tuple(input_shape)}.")

    def _depthwise_kernel(self, channels: int, name: str) -> Any:
        return self.add_weight(shape=(*self.kernel_size, channels, self.depth_multiplier),
                               initializer=self.depthwise_initializer,
                               regularizer=self.depthwise_regularizer, name=name)

    def _bias(self, size: int) -> Any:
        return self.add_weight(shape=(size,), initializer=self.bias_initializer,
                               regularizer=self.bias_regularizer, name="bias") \
            if self.use_bias else None

    def _depthwise(self, inputs: Tensor, kernel: Any, bias: Any) -> Tensor:
        return autograd.depthwise_conv2d(inputs, kernel, bias, strides=self.strides,
                                         padding=self.padding, dilation_rate=self.dilation_rate)

    def _spatial_output(self, input_shape: Any) -> list:
        out = autograd.conv_output_shape(tuple(input_shape), self.kernel_size,
                                         strides=self.strides, padding=self.padding,
                                         dilation_rate=self.dilation_rate)
        return list(out[1:3])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size), "strides": list(self.strides),
            "padding": self.padding, "depth_multiplier": self.depth_multiplier,
            "data_format": "channels_last", "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class DepthwiseConv2D(_DepthwiseBase):
    """Each input channel convolved with its own ``depth_multiplier`` kernels:
    ``in_channels * depth_multiplier`` output channels, no mixing between channels.

    >>> import nn
    >>> layer = nn.layers.DepthwiseConv2D(3, depth_multiplier=2)
    >>> layer(nn.Input((8, 8, 3))).shape, layer.kernel.shape
    ((None, 6, 6, 6), (3, 3, 3, 2))
    """

    def build(self, input_shape: Any) -> None:
        self.kernel = self._depthwise_kernel(input_shape[3], "kernel")
        self.bias = self._bias(input_shape[3] * self.depth_multiplier)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(self._depthwise(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], *self._spatial_output(input_shape),
                input_shape[3] * self.depth_multiplier)


class SeparableConv2D(_DepthwiseBase):
    """A depthwise convolution, then a 1x1 convolution into ``filters`` channels:
    a ``Conv2D`` with far fewer weights.

    Parameters beyond ``DepthwiseConv2D``'s: ``filters``, ``pointwise_initializer``,
    ``pointwise_regularizer``.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, pointwise_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer, **kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"SeparableConv2D layer '{self.name}': filters must be a positive "
                             f"integer, got {filters!r}.")
        if pointwise_constraint is not None:
            raise NotImplementedError(f"SeparableConv2D layer '{self.name}': weight constraints "
                                      "are not supported.")
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)

    def build(self, input_shape: Any) -> None:
        channels = input_shape[3]
        self.depthwise_kernel = self._depthwise_kernel(channels, "depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            name="pointwise_kernel")
        self.bias = self._bias(self.filters)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        spread = self._depthwise(inputs, self.depthwise_kernel, None)
        return self.activation(autograd.conv2d(spread, self.pointwise_kernel, self.bias))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], *self._spatial_output(input_shape), self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer)}


# The classes a saved file may name (nn/saving/registry.py).
register(DepthwiseConv2D)
register(SeparableConv2D)
