"""``depthwise_conv2d``: every input channel convolved with its own kernels.

A depthwise kernel ``(kernel_h, kernel_w, in_channels, depth_multiplier)`` gives
``in_channels * depth_multiplier`` outputs; output ``c * depth_multiplier + m``
sees input channel ``c`` only, through kernel ``K[:, :, c, m]``:

    Y[n, oh, ow, c * dm + m] = sum over (i, j) of x[n, ih, iw, c] * K[i, j, c, m] + b

(``ih, iw``: the window's cells, as in ``conv2d``). ``DepthwiseConv2DOp`` runs the
loops of ``autograd/kernels/depthwise.py`` on the batch in two lanes (two threads,
as pooling); a depth multiplier ``dm > 1`` is ``dm`` copies of each input channel,
each with its own kernel, so the loops see one kernel per channel:

    x_copies[..., c * dm + m] = x[..., c]        (np.repeat along the channels)
    dx[..., c] = sum over m of dx_copies[..., c * dm + m]

It is also ``conv2d`` with a block-diagonal kernel (zero wherever an output
would look at another channel), and the tests check it against that, but the
ordinary convolution would do ``in_channels`` times the needed work.

>>> import autograd
>>> x = autograd.ones(1, 3, 3, 2)
>>> k = autograd.ones(2, 2, 2, 1)
>>> autograd.depthwise_conv2d(x, k).shape
(1, 2, 2, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..kernels.arrays import as_kernel_array, kernel_dtype, sum_over_pixels
from ..kernels.depthwise import depthwise_backward, depthwise_forward
from ..kernels.geometry import Window, check_padding, pair, window_2d
from ..kernels.lanes import image_lanes, run_lanes, sum_in_lane_order
from ..kernels.threads import match_blas_threads_to_load
from ..tensor import Tensor


def _window_args(w: Window) -> tuple:
    return (w.sh, w.sw, w.dh, w.dw, w.pad_top, w.pad_left)


class DepthwiseConv2DOp(Function):
    @staticmethod
    def forward(ctx, x, kernel, bias, *, window: Window):
        dtype = kernel_dtype(x, kernel, bias)
        x = as_kernel_array(x, dtype)
        kh, kw, channels, multiplier = kernel.shape
        # One kernel per (copied) channel: (kh, kw, C * dm), channel c * dm + m.
        flat_kernel = as_kernel_array(kernel, dtype).reshape(kh, kw, channels * multiplier)
        x_copies = x if multiplier == 1 else np.repeat(x, multiplier, axis=3)
        out = np.empty((x.shape[0], window.out_h, window.out_w, channels * multiplier), dtype)
        start = 0 if bias is None else as_kernel_array(bias, dtype)

        def lane(images):  # start from the bias, add the products
            out[images] = start
            depthwise_forward(x_copies[images], flat_kernel, out[images], *_window_args(window))

        lanes = image_lanes(x.shape[0], out.size * kh * kw)
        run_lanes(lane, lanes)
        ctx.save_for_backward(x_copies, flat_kernel)
        ctx.window, ctx.lanes, ctx.kernel_shape = window, lanes, kernel.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x_copies, flat_kernel = ctx.saved_tensors
        need_x, need_kernel, need_bias = ctx.needs_input_grad
        grad = as_kernel_array(grad, x_copies.dtype)
        dx_copies = np.zeros_like(x_copies)  # both are added into
        args = _window_args(ctx.window)

        def lane(images):  # each lane adds into its own kernel gradient
            dk = np.zeros_like(flat_kernel)
            depthwise_backward(x_copies[images], flat_kernel, grad[images], dx_copies[images],
                               dk, *args)
            return dk

        # The loops compute both gradients at once; the ones not asked for are dropped.
        lane_dks = run_lanes(lane, ctx.lanes)
        dk = sum_in_lane_order(lane_dks) if need_kernel else None
        kh, kw, channels, multiplier = ctx.kernel_shape
        dx = None
        if need_x:  # the copies' gradients, summed back onto their channel
            dx = dx_copies.reshape(*dx_copies.shape[:3], channels, multiplier).sum(axis=4) \
                if multiplier > 1 else dx_copies
        db = None
        if need_bias:  # the sum of dY over the pixels, on BLAS
            match_blas_threads_to_load()  # one BLAS thread while the machine is busy
            db = sum_over_pixels(grad)
        return dx, (dk.reshape(ctx.kernel_shape) if need_kernel else None), db


def depthwise_conv2d(x: Any, kernel: Any, bias: Any = None, strides: Any = 1,
                     padding: str = "valid", dilation_rate: Any = 1) -> Tensor:
    """Depthwise 2-D convolution of NHWC images (Keras's ``DepthwiseConv2D``).

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, in_channels)
    kernel : Tensor of shape (kernel_h, kernel_w, in_channels, depth_multiplier)
    bias : Tensor of shape (in_channels * depth_multiplier,), optional
    strides, padding, dilation_rate : as in ``conv2d``

    Examples
    --------
    >>> import autograd
    >>> x = autograd.arange(18.0).reshape(1, 3, 3, 2)   # two channels
    >>> k = autograd.ones(2, 2, 2, 1)
    >>> autograd.depthwise_conv2d(x, k)[0, :, :, 1]    # channel 1 alone: 1 + 3 + 7 + 9, ...
    Tensor([[20., 28.],
            [44., 52.]], shape=(2, 2), dtype=float32)
    """
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
    kernel = kernel if isinstance(kernel, Tensor) else Tensor(np.asarray(kernel, np.float32))
    if x.ndim != 4 or kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"depthwise_conv2d: x must be (batch, height, width, channels) and the kernel "
            f"(kernel_h, kernel_w, in_channels, depth_multiplier) with in_channels = "
            f"x's channels; got shapes {x.shape} and {kernel.shape}.")
    kh, kw, channels, multiplier = kernel.shape
    if bias is not None and tuple(np.shape(bias)) != (channels * multiplier,):
        raise ValueError(
            f"depthwise_conv2d: bias must have shape ({channels * multiplier},), one value "
            f"per output channel (in_channels * depth_multiplier = {channels} * "
            f"{multiplier}), but it has shape {tuple(np.shape(bias))}.")
    window = window_2d(
        "depthwise_conv2d", x.shape, (kh, kw), pair(strides, "strides", "depthwise_conv2d"),
        pair(dilation_rate, "dilation_rate", "depthwise_conv2d"),
        check_padding(padding, "depthwise_conv2d"), kernel_shape=kernel.shape)
    return DepthwiseConv2DOp.apply(x, kernel, bias, window=window)
