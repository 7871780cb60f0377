"""Convolution: ``conv2d`` over NHWC images with a Keras-layout kernel.

``Conv2DOp`` is a ``Function`` like every other op: ``forward`` and ``backward``
work on NumPy arrays and call the kernels in ``autograd/kernels/conv.py``
(im2col blocks times a BLAS matmul). ``conv2d`` checks its arguments and works
out the window geometry (``kernels/geometry.py``), then calls ``Conv2DOp.apply``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..kernels.arrays import as_kernel_array, kernel_dtype
from ..kernels.conv import column_matrix, conv2d_backward, conv2d_forward, keep_column_matrix
from ..kernels.geometry import Window, check_nhwc, check_padding, pair, window_2d
from ..tensor import Tensor


class Conv2DOp(Function):
    @staticmethod
    def forward(ctx, x, kernel, bias, *, window: Window):
        dtype = kernel_dtype(x, kernel, bias)
        x = as_kernel_array(x, dtype)
        kernel = as_kernel_array(kernel, dtype)
        bias = None if bias is None else as_kernel_array(bias, dtype)
        # Keep the column matrix im2col(x) for the kernel's gradient when that pays
        # (few channels, small matrix: see kernels/conv.py).
        wants_kernel_grad = ctx.needs_input_grad[1]
        cols = None
        if wants_kernel_grad and keep_column_matrix(x, window):
            cols = column_matrix(x, window, with_bias=bias is not None)
        ctx.save_for_backward(x, kernel, cols)
        ctx.window = window
        ctx.has_bias = bias is not None
        return conv2d_forward(x, kernel, bias, window, cols)

    @staticmethod
    def backward(ctx, grad):
        x, kernel, cols = ctx.saved_tensors
        need_x, need_kernel, need_bias = ctx.needs_input_grad
        grad = as_kernel_array(grad, x.dtype)
        # dx = col2im(grad @ kernel^T), dkernel = im2col(x)^T @ grad, dbias = sum of grad
        # (the bias is the weight of an input that is always 1: see kernels/conv.py).
        # Gradients nobody asked for are not computed.
        return conv2d_backward(x, kernel, grad, ctx.window, need_x, need_kernel,
                               need_bias and ctx.has_bias, cols)


def conv2d(
    x: Any,
    kernel: Any,
    bias: Any = None,
    strides: int | tuple[int, int] = 1,
    padding: str = "valid",
    dilation_rate: int | tuple[int, int] = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in Keras and PyTorch) of NHWC images.

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, in_channels)
    kernel : Tensor of shape (kernel_h, kernel_w, in_channels, out_channels)
    bias : Tensor of shape (out_channels,), optional
    strides : int or (int, int)
        How far the window moves between outputs.
    padding : "valid" or "same"
        ``"valid"``: no padding. ``"same"``: zero-pad so that the output is
        ``ceil(input / stride)``; an odd extra row/column goes at the bottom/right,
        as in TensorFlow.
    dilation_rate : int or (int, int)
        Spacing between kernel cells (1 = adjacent).

    Returns
    -------
    Tensor of shape (batch, out_height, out_width, out_channels), float32 (float64
    if any input is float64).

    Examples
    --------
    >>> import autograd
    >>> x = autograd.arange(9.0).reshape(1, 3, 3, 1)
    >>> k = autograd.ones(2, 2, 1, 1)
    >>> autograd.conv2d(x, k)[0, :, :, 0]
    Tensor([[ 8., 12.],
            [20., 24.]], shape=(2, 2), dtype=float32)
    """
    x_shape, k_shape = _shape(x), _shape(kernel)
    check_nhwc(x_shape, "conv2d")
    if len(k_shape) != 4:
        raise ValueError(
            f"conv2d: expected a 4-D kernel of shape (kernel_h, kernel_w, in_channels, "
            f"out_channels) - the Keras layout - but it has shape {k_shape}."
        )
    if x_shape[3] != k_shape[2]:
        raise ValueError(
            f"conv2d: x has {x_shape[3]} channels (the last axis of shape {x_shape}), but "
            f"the kernel of shape {k_shape} expects {k_shape[2]} input channels (its third "
            f"axis). The kernel layout is (kernel_h, kernel_w, in_channels, out_channels)."
        )
    if bias is not None and _shape(bias) != (k_shape[3],):
        raise ValueError(
            f"conv2d: bias must have shape ({k_shape[3]},), one value per output channel "
            f"of the kernel {k_shape}, but it has shape {_shape(bias)}."
        )
    window = window_2d(
        "conv2d", x_shape, (k_shape[0], k_shape[1]), pair(strides, "strides", "conv2d"),
        pair(dilation_rate, "dilation_rate", "conv2d"), check_padding(padding, "conv2d"),
        kernel_shape=k_shape,
    )
    return Conv2DOp.apply(x, kernel, bias, window=window)


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(a.shape) if isinstance(a, (Tensor, np.ndarray)) else np.shape(a)
