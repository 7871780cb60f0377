"""``Conv2DTranspose``: the upsampling convolution of decoders and autoencoders.

It runs ``autograd.conv2d_transpose`` (the convolution's input gradient as a
layer). The kernel has Keras's layout for this layer, ``(kernel_height,
kernel_width, filters, in_channels)`` - output channels before input channels,
the reverse of ``Conv2D`` - so ``get_weights()`` moves one to one with Keras.

>>> import nn
>>> nn.layers.Conv2DTranspose(8, 3, strides=2, padding="same")(nn.Input((7, 7, 16))).shape
(None, 14, 14, 8)
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from autograd.ops.conv_transpose import transposed_output_length
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.window_layers import normalize_tuple
from nn.saving.registry import register


class Conv2DTranspose(Layer):
    """Transposed 2-D convolution: each input pixel stamps ``filters`` kernels onto an
    output ``strides`` times larger.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size, strides : int or (int, int)
    padding : ``"valid"`` (output ``(in - 1) * stride + max(kernel, stride)``) or
        ``"same"`` (output ``in * stride``)
    output_padding : int or (int, int), optional
        Rows/columns added at the end, to pick among the sizes a strided convolution
        maps to the same input size (must be smaller than the stride).
    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
    bias_regularizer : as in ``Conv2D``.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"Conv2DTranspose layer '{self.name}'"
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"{where}: filters must be a positive integer, got {filters!r}.")
        if padding not in ("valid", "same"):
            raise ValueError(f"{where}: padding must be 'valid' or 'same', got {padding!r}.")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{where}: only data_format='channels_last' is supported; move "
                             "the channels last with x.transpose(0, 2, 3, 1).")
        if normalize_tuple(dilation_rate, 2, "dilation_rate", where) != (1, 1):
            raise NotImplementedError(f"{where}: dilation_rate other than 1 is not supported.")
        if kernel_constraint is not None or bias_constraint is not None:
            raise NotImplementedError(f"{where}: weight constraints are not supported.")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size", where)
        self.strides = normalize_tuple(strides, 2, "strides", where)
        self.padding = padding
        self.output_padding = None if output_padding is None else \
            tuple(int(v) for v in ((output_padding,) * 2 if isinstance(output_padding, int)
                                   else output_padding))
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides, strict=True)):
            raise ValueError(f"{where}: output_padding {self.output_padding} must be smaller "
                             f"than the strides {self.strides}.")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"Conv2DTranspose layer '{self.name}' expects images of shape "
                             f"(batch, height, width, channels), got {tuple(input_shape)}.")
        if input_shape[3] is None:
            raise ValueError(f"Conv2DTranspose layer '{self.name}' needs to know the number of "
                             f"channels (the last axis) of its inputs, got {tuple(input_shape)}.")

    def build(self, input_shape: Any) -> None:
        kh, kw = self.kernel_size
        self.kernel = self.add_weight(shape=(kh, kw, self.filters, input_shape[3]),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, name="bias") \
            if self.use_bias else None
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        out = autograd.conv2d_transpose(inputs, self.kernel, self.bias, strides=self.strides,
                                        padding=self.padding,
                                        output_padding=self.output_padding)
        return self.activation(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        extra = self.output_padding or (None, None)
        sizes = [transposed_output_length(input_shape[1 + i], self.kernel_size[i],
                                          self.strides[i], self.padding, extra[i])
                 for i in range(2)]
        return (input_shape[0], *sizes, self.filters)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "output_padding": None if self.output_padding is None else list(self.output_padding),
            "data_format": "channels_last",
            "dilation_rate": [1, 1],
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


# The class a saved file may name (nn/saving/registry.py).
register(Conv2DTranspose)
