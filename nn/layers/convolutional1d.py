"""``Conv1D``: convolution along the time axis of ``(batch, steps, channels)``.

A 1-D window is a 2-D window of height 1: the layer reshapes its input to
``(batch, 1, steps, channels)`` and its kernel ``(kernel_size, in, filters)``
(Keras's layout) to ``(1, kernel_size, in, filters)``, and runs the same
``autograd.conv2d`` (Numba im2col + one BLAS matmul) that ``Conv2D`` uses. The
two reshapes are views, so they cost no copy.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.core import add_kernel_and_bias
from nn.layers.window_layers import normalize_tuple, sequence_output_shape, sequence_spec
from nn.saving.registry import register

PADDINGS_1D = ("valid", "same", "causal")


def normalize_padding_1d(padding: Any, where: str) -> str:
    if isinstance(padding, str) and padding.lower() in PADDINGS_1D:
        return padding.lower()
    raise ValueError(
        f"{where}: padding must be 'valid', 'same' or 'causal', got {padding!r}. 'causal' "
        "pads only at the start, so output step t sees input steps up to t and never the "
        "future (for forecasting and WaveNet-style models).")


class Conv1D(Layer):
    """1-D convolution: ``filters`` kernels slide along the steps.

    Parameters
    ----------
    filters : int
    kernel_size : int
    strides : int
    padding : ``"valid"``, ``"same"`` or ``"causal"``
        ``"causal"`` pads ``(kernel_size - 1) * dilation_rate`` zeros at the start.
    data_format : only ``"channels_last"`` (the default) is supported.
    dilation_rate : int
        Spacing between kernel taps (strides must then be 1, as in Keras).
    activation, use_bias, kernel_initializer, bias_initializer,
    kernel_regularizer, bias_regularizer : as in ``Conv2D``.

    The kernel has Keras's shape ``(kernel_size, in_channels, filters)``.

    Examples
    --------
    >>> import nn
    >>> x = nn.Input(shape=(500, 1))
    >>> nn.layers.Conv1D(64, 3, padding="same")(x).shape
    (None, 500, 64)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"Conv1D layer '{self.name}'"
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{where}: filters must be a positive int, got {filters!r}.")
        if data_format not in (None, "channels_last"):
            raise ValueError(
                f"{where}: data_format={data_format!r} is not supported; sequences are "
                "(batch, steps, channels). Transpose with np.transpose(x, (0, 2, 1)).")
        self.filters = filters
        (self.kernel_size,) = normalize_tuple(kernel_size, 1, "kernel_size", where)
        (self.strides,) = normalize_tuple(strides, 1, "strides", where)
        (self.dilation_rate,) = normalize_tuple(dilation_rate, 1, "dilation_rate", where)
        self.padding = normalize_padding_1d(padding, where)
        if self.strides > 1 and self.dilation_rate > 1:
            raise ValueError(
                f"{where}: strides > 1 together with dilation_rate > 1 is not supported "
                f"(got strides={self.strides}, dilation_rate={self.dilation_rate}), as in Keras.")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.input_spec = sequence_spec(known_channels=True)

    def check_input_shape(self, input_shape: Any) -> None:
        # (Rank and channels: input_spec.) Does the kernel fit in the sequence?
        reach = (self.kernel_size - 1) * self.dilation_rate + 1
        steps = input_shape[1]
        if self.padding == "valid" and steps is not None and reach > steps:
            raise ValueError(
                f"Conv1D layer '{self.name}': its kernel spans {reach} steps, more than the "
                f"input's {steps} (input shape {tuple(input_shape)}), so with padding='valid' "
                "the output would be empty. Use padding='same' or 'causal', or a smaller "
                "kernel_size.")

    def build(self, input_shape: Any) -> None:
        self.input_spec = sequence_spec(channels=input_shape[-1])  # what the kernel is for
        add_kernel_and_bias(self, (self.kernel_size, input_shape[-1], self.filters))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        padding = self.padding
        if padding == "causal":  # zeros before the first step only, then a valid convolution
            inputs = autograd.pad(inputs, ((0, 0), ((self.kernel_size - 1) * self.dilation_rate,
                                                    0), (0, 0)))
            padding = "valid"
        batch, steps, channels = inputs.shape
        images = autograd.reshape(inputs, (batch, 1, steps, channels))
        kernel = autograd.reshape(self.kernel, (1,) + tuple(self.kernel.shape))
        out = autograd.conv2d(images, kernel, bias=self.bias, strides=(1, self.strides),
                              padding=padding, dilation_rate=(1, self.dilation_rate))
        out = autograd.reshape(out, (batch, out.shape[2], self.filters))
        return self.activation(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return sequence_output_shape(input_shape, self.kernel_size, self.strides, self.padding,
                                     self.dilation_rate, filters=self.filters,
                                     op=f"Conv1D layer '{self.name}'")

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": [self.kernel_size],
            "strides": [self.strides],
            "padding": self.padding,
            "data_format": "channels_last",
            "dilation_rate": [self.dilation_rate],
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


# The classes a saved file may name (nn/saving/registry.py).
register(Conv1D)
