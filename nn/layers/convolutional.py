"""``Conv2D``: 2-D convolution over images stored channels last (NHWC).

The kernel has Keras's layout ``(kernel_height, kernel_width, in_channels,
filters)`` - the layout autograd's ``conv2d`` op takes - so nothing is transposed
and ``get_weights()`` moves one to one between gradstack and Keras.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.core import add_kernel_and_bias
from nn.layers.input_spec import check_input_spec
from nn.layers.window_layers import (
    check_channels_last,
    image_spec,
    normalize_padding,
    normalize_tuple,
)
from nn.saving.registry import register


def _looks_channels_first(shape: tuple, kernel_size: tuple) -> bool:
    """True for an (N, C, H, W) image given where (N, H, W, C) is expected: a grey,
    RGB or RGBA channel count on axis 1, a real image size on axes 2 and 3, and
    either a kernel taller than axis 1 (MNIST) or 3 channels of a square image
    (CIFAR, where a 3x3 kernel fits). A true NHWC input that is 1 pixel high (a
    1-D signal as a one-row image) has kernels one pixel tall and is left alone."""
    _, first, h, w = shape
    if first is None or h is None or w is None:
        return False
    if first not in (1, 3, 4) or h < 8 or w < 8:
        return False
    return kernel_size[0] > first or (first == 3 and h == w)


class Conv2D(Layer):
    """2-D convolution: slides ``filters`` kernels over the height and width.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int or (int, int)
    strides : int or (int, int)
        Step between kernel positions; 1 by default.
    padding : ``"valid"`` or ``"same"``
        ``"valid"``: no padding, the output shrinks; ``"same"``: zero padding so the
        output size is ``ceil(input / stride)``.
    data_format : only ``"channels_last"`` (the default) is supported.
    dilation_rate : int or (int, int)
        Spacing between kernel taps (strides must then be 1, as in Keras).
    activation : str or callable, optional
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
        ``"glorot_uniform"`` (fans include the receptive field) and ``"zeros"``.
    kernel_regularizer, bias_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> import nn
    >>> x = nn.Input(shape=(320, 320, 3))
    >>> nn.layers.Conv2D(32, 4, strides=2, activation="relu")(x).shape
    (None, 159, 159, 32)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"Conv2D layer '{self.name}'"
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{where}: filters must be a positive int, got {filters!r}.")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size", where)
        self.strides = normalize_tuple(strides, 2, "strides", where)
        self.padding = normalize_padding(padding, where)
        check_channels_last(data_format, where)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate", where)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{where}: strides > 1 together with dilation_rate > 1 is not supported "
                f"(got strides={self.strides}, dilation_rate={self.dilation_rate}), as in Keras."
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.input_spec = image_spec(known_channels=True)

    def check_input_shape(self, input_shape: Any) -> None:
        # (Rank and a known channel count: input_spec.) First: every other piece of
        # advice (padding='same', channel counts) would be wrong for an image in
        # PyTorch's layout.
        if _looks_channels_first(tuple(input_shape), self.kernel_size):
            n, c, h, w = tuple(input_shape)
            raise ValueError(
                f"Conv2D layer '{self.name}': the input shape {tuple(input_shape)} looks "
                f"channels-first (NCHW, PyTorch's layout: {c} channel(s) of {h}x{w} "
                "pixels), but Conv2D takes channels-last images, (batch, height, width, "
                f"channels), as Keras does. Use x.transpose(0, 2, 3, 1) (NumPy: "
                f"np.transpose(x, (0, 2, 3, 1))) to get shape {(n, h, w, c)}."
            )
        if self.kernel is not None:  # then the channels the kernel was built for
            check_input_spec(self, input_shape, spec=image_spec(channels=self.kernel.shape[2]))
        # Does the kernel fit in the image?
        if self.padding == "valid":
            for axis, size, k, d in zip(("height", "width"), input_shape[1:3],
                                        self.kernel_size, self.dilation_rate, strict=True):
                reach = (k - 1) * d + 1
                if size is not None and reach > size:
                    dilated = f" ({reach} with dilation {d})" if d > 1 else ""
                    raise ValueError(
                        f"Conv2D layer '{self.name}': its {self.kernel_size[0]}x"
                        f"{self.kernel_size[1]} kernel{dilated} is larger than the input's "
                        f"{axis} ({size}; input shape {tuple(input_shape)}), so with "
                        "padding='valid' there is no position to put it: the output would be "
                        "empty. Use padding='same', a smaller kernel_size, or downsample less "
                        "before this layer."
                    )

    def build(self, input_shape: Any) -> None:
        kh, kw = self.kernel_size
        add_kernel_and_bias(self, (kh, kw, input_shape[-1], self.filters))  # as Dense does
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        # A plain relu is applied by the conv op itself (same values and gradients,
        # one pass over the output less); any other activation comes after it.
        fused = "relu" if self.activation is activations.relu else None
        outputs = autograd.conv2d(
            inputs,
            self.kernel,
            bias=self.bias,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            activation=fused,
        )
        return outputs if fused else self.activation(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return autograd.conv_output_shape(
            tuple(input_shape), self.kernel_size, self.strides, self.padding,
            self.dilation_rate, filters=self.filters, op=f"Conv2D layer '{self.name}'")

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": "channels_last",
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


# The classes a saved file may name (nn/saving/registry.py).
register(Conv2D)
