"""``conv2d_transpose``: the transposed ("de-") convolution, which upsamples.

It is the convolution's input gradient used as a layer: each input pixel stamps
the kernel, scaled by its value, onto an output ``strides`` times larger; the
stamps overlap and add. So its forward is ``conv2d``'s backward formula for the
input, and its backward is ``conv2d``'s forward. With ``x`` (N, h, w, C_in) read
as the (P, C_in) matrix ``X`` of its ``P = N * h * w`` pixels, and the Keras
kernel (kh, kw, C_out, C_in) read as the (kh * kw * C_out, C_in) matrix ``K``:

    Y  = col2im(X @ K.T) + bias      each pixel's stamp, added onto the output
    dX = im2col(dY) @ K              conv2d of dY with the same kernel
    dK = im2col(dY).T @ X
    db = sum of dY over the pixels

``im2col`` and ``col2im`` are the convolution's (``kernels/im2col.py``), over the
window of the convolution that this op transposes: kernel (kh, kw), the same
strides, from the (big) output back to the (small) input. PyTorch's
``conv_transpose2d`` works this way too. The loops go over cache-sized blocks of
pixels, as ``Conv2DOp``'s do. ``conv2d_transpose_numpy`` at the bottom is the
same op as the textbook identity, written with ``conv2d_numpy``:

    conv2d_transpose(x, K) = crop(conv2d(pad(dilate(x)), flip(K)ᵀ))

- ``dilate``: ``strides - 1`` zeros between neighbouring input pixels;
- ``pad``: ``kernel - 1`` zeros around (each stamp may hang over the edge);
- ``flip(K)ᵀ``: the kernel turned 180° with its in/out channels swapped;
- ``crop``: ``"same"`` keeps the central ``input * strides`` pixels.

That one convolves mostly zeros (three in four input pixels for stride 2), so it
does ``strides²`` times the work; the tests compare the two.

>>> import autograd
>>> x = autograd.ones(1, 2, 2, 1)
>>> k = autograd.ones(2, 2, 1, 1)          # (kernel_h, kernel_w, out, in), as Keras
>>> autograd.conv2d_transpose(x, k, strides=2)[0, :, :, 0]
Tensor([[1., 1., 1., 1.],
        [1., 1., 1., 1.],
        [1., 1., 1., 1.],
        [1., 1., 1., 1.]], shape=(4, 4), dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..kernels.arrays import as_kernel_array, kernel_dtype, sum_over_pixels
from ..kernels.conv import ColumnMatrix, conv_lanes, rows_per_block
from ..kernels.geometry import Window, window_2d
from ..kernels.im2col import col2im_rows
from ..kernels.lanes import join_lane_images, run_lanes, sum_in_lane_order
from ..kernels.threads import match_blas_threads_to_load
from ..kernels.workspace import scratch
from ..tensor import Tensor
from .conv import _geometry, _shape, conv2d_numpy


class ConvTranspose2DOp(Function):
    @staticmethod
    def forward(ctx, x, kernel, bias, *, window: Window, out_size: tuple[int, int]):
        match_blas_threads_to_load()  # one BLAS thread while the machine is busy
        dtype = kernel_dtype(x, kernel, bias)
        x = as_kernel_array(x, dtype)
        kernel = as_kernel_array(kernel, dtype)
        n_img, n_in = x.shape[0], x.shape[3]
        n_out = kernel.shape[2]
        k_t = kernel.reshape(-1, n_in).T  # K.T (C_in, kh * kw * C_out), a view
        out = np.empty((n_img, *out_size, n_out), dtype=dtype)
        # Start from the bias (or 0), then add every stamp onto it.
        out[...] = 0 if bias is None else as_kernel_array(bias, dtype)
        # The batch in two lanes of images, as conv2d's (kernels/conv.py, "Threads").
        lanes = conv_lanes(n_img, x[..., 0].size * k_t.shape[1])
        run_lanes(lambda images: _stamp(x[images], k_t, out[images], window), lanes)
        ctx.save_for_backward(x, kernel)
        ctx.window, ctx.lanes = window, lanes
        return out

    @staticmethod
    def backward(ctx, grad):
        x, kernel = ctx.saved_tensors
        need_x, need_kernel, need_bias = ctx.needs_input_grad
        match_blas_threads_to_load()
        grad = as_kernel_array(grad, x.dtype)
        lanes = ctx.lanes
        parts = run_lanes(lambda images: _conv_of_grad(
            x[images], kernel, grad[images], ctx.window, need_x, need_kernel), lanes)
        dxs, dks = zip(*parts)
        db = sum_over_pixels(grad) if need_bias else None  # the sum of dY over the pixels
        # dX: each lane's images; dK: the lanes' sums, added in lane order.
        return join_lane_images(dxs), sum_in_lane_order(dks), db


def _stamp(x, k_t, out, window):
    """Add the stamps of the images ``x`` onto ``out``: ``out += col2im(X @ K.T)``."""
    pixels_in = x.reshape(-1, x.shape[3])  # X (P, C_in)
    step = rows_per_block(len(pixels_in), k_t.shape[1], x.itemsize)
    stamps = scratch("conv_transpose.stamps", step, k_t.shape[1], x.dtype)
    for p0 in range(0, len(pixels_in), step):
        block = pixels_in[p0:p0 + step]
        np.matmul(block, k_t, out=stamps[:len(block)])  # one stamp per row
        col2im_rows(stamps[:len(block)], out, p0, *_geometry(window))


def _conv_of_grad(x, kernel, grad, window, need_x, need_kernel):
    """(dx, dK) of one lane's images: the ordinary convolution of ``grad``."""
    n_in = x.shape[3]
    pixels_in = x.reshape(-1, n_in)  # X (P, C_in)
    k = kernel.reshape(-1, n_in)  # K (kh * kw * C_out, C_in)
    # The column matrix of dY, over the window that maps the output back onto x.
    cols = ColumnMatrix(grad, window)
    dx = np.empty_like(pixels_in) if need_x else None
    dk = np.zeros_like(k) if need_kernel else None
    for rows in cols.blocks():
        block = cols.block(rows)
        if need_x:  # dX = im2col(dY) @ K: the ordinary convolution of dY
            np.matmul(block, k, out=dx[rows])
        if need_kernel:  # dK += im2col(dY).T @ X
            dk += block.T @ pixels_in[rows]
    return ((dx.reshape(x.shape) if need_x else None),
            (dk.reshape(kernel.shape) if need_kernel else None))


def _pair(value: Any, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in pair):
        raise ValueError(f"conv2d_transpose: {name} must be a positive int or a pair of them, "
                         f"got {value!r}.")
    return int(pair[0]), int(pair[1])


def transposed_output_length(size: int | None, kernel: int, stride: int, padding: str,
                             output_padding: int | None = None) -> int | None:
    """The output size along one axis, as Keras's ``deconv_output_length``:
    ``"valid"``: ``(size - 1) * stride + kernel``; ``"same"``: ``size * stride``;
    ``output_padding`` adds rows at the end (where several sizes would fit)."""
    if size is None:
        return None
    if output_padding is None:
        return size * stride if padding == "same" else (size - 1) * stride + max(kernel, stride)
    pad_total = kernel // 2 * 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - pad_total + output_padding


def conv2d_transpose(x: Any, kernel: Any, bias: Any = None, strides: int | tuple = 1,
                     padding: str = "valid", output_padding: Any = None) -> Tensor:
    """Transposed convolution of NHWC images.

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, in_channels)
    kernel : Tensor of shape (kernel_h, kernel_w, out_channels, in_channels) - Keras's
        ``Conv2DTranspose`` layout (the forward convolution's, read backwards)
    bias : Tensor of shape (out_channels,), optional
    strides : int or (int, int): the upsampling factor
    padding : "valid" (the output is ``(in - 1) * stride + kernel``) or "same"
        (``in * stride``)
    output_padding : int or (int, int), optional: extra rows/columns at the end
    """
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
    kernel = kernel if isinstance(kernel, Tensor) else Tensor(np.asarray(kernel, np.float32))
    if x.ndim != 4 or kernel.ndim != 4:
        raise ValueError(f"conv2d_transpose: x must be (batch, height, width, channels) and the "
                         f"kernel (kernel_h, kernel_w, out_channels, in_channels); got shapes "
                         f"{x.shape} and {kernel.shape}.")
    if kernel.shape[3] != x.shape[3]:
        raise ValueError(f"conv2d_transpose: x has {x.shape[3]} channels but the kernel of shape "
                         f"{kernel.shape} expects {kernel.shape[3]} (its last axis: the layout is "
                         "(kernel_h, kernel_w, out_channels, in_channels)).")
    if padding not in ("valid", "same"):
        raise ValueError(f"conv2d_transpose: padding must be 'valid' or 'same', got {padding!r}.")
    sh, sw = _pair(strides, "strides")
    kh, kw = kernel.shape[0], kernel.shape[1]
    h, w = x.shape[1], x.shape[2]
    extra = (0, 0) if output_padding is None else tuple(
        (output_padding, output_padding) if isinstance(output_padding, int) else output_padding)
    out_h = transposed_output_length(h, kh, sh, padding, None if output_padding is None
                                     else extra[0])
    out_w = transposed_output_length(w, kw, sw, padding, None if output_padding is None
                                     else extra[1])
    if padding == "same":  # the forward conv's "same" padding: the larger half at the end
        top, left = max(kh - sh, 0) // 2, max(kw - sw, 0) // 2
    else:
        top = left = 0
    # The convolution this op transposes: from the (out_h, out_w) output back to
    # the (h, w) input. Its bottom/right padding is what the stamps hang over the
    # output's end (negative where output_padding or a stride > kernel leaves rows
    # that no stamp reaches).
    window = Window(kh, kw, sh, sw, 1, 1,
                    top, (h - 1) * sh + kh - top - out_h,
                    left, (w - 1) * sw + kw - left - out_w, h, w)
    if bias is not None and _shape(bias) != (kernel.shape[2],):
        raise ValueError(f"conv2d_transpose: bias must have shape ({kernel.shape[2]},), one "
                         f"value per output channel of the kernel {kernel.shape}, but it has "
                         f"shape {_shape(bias)}.")
    return ConvTranspose2DOp.apply(x, kernel, bias, window=window, out_size=(out_h, out_w))


# ---------------------------------------------------------------- the NumPy twin


def dilate_and_pad(x: np.ndarray, strides: tuple[int, int], kernel_size: tuple[int, int],
                   grow: tuple[int, int] = (0, 0)) -> np.ndarray:
    """``x`` with ``stride - 1`` zeros between neighbouring pixels and ``kernel - 1``
    zeros around (``grow`` more at the bottom and right): the input whose plain
    convolution with the flipped kernel is the transposed convolution.

    >>> dilate_and_pad(np.ones((1, 2, 2, 1)), (2, 2), (2, 2))[0, :, :, 0]
    array([[0., 0., 0., 0., 0.],
           [0., 1., 0., 1., 0.],
           [0., 0., 0., 0., 0.],
           [0., 1., 0., 1., 0.],
           [0., 0., 0., 0., 0.]])
    """
    n, h, w, c = x.shape
    (sh, sw), (kh, kw) = strides, kernel_size
    spread = np.zeros((n, (h - 1) * sh + 2 * kh - 1 + grow[0],
                       (w - 1) * sw + 2 * kw - 1 + grow[1], c), dtype=x.dtype)
    spread[:, kh - 1:kh - 1 + (h - 1) * sh + 1:sh, kw - 1:kw - 1 + (w - 1) * sw + 1:sw] = x
    return spread


def conv2d_transpose_numpy(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                           window: Window, out_size: tuple[int, int]) -> np.ndarray:
    """``ConvTranspose2DOp.forward`` as the textbook identity: the ordinary
    convolution (``conv2d_numpy``) of the dilated, padded input with the flipped
    kernel, cropped to ``out_size``. It convolves mostly zeros, but every step is
    one line of the definition.

    >>> x = np.ones((1, 2, 2, 1))
    >>> win = Window(2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 2, 2)  # k 2, stride 2, valid
    >>> conv2d_transpose_numpy(x, np.ones((2, 2, 1, 1)), None, win, (4, 4))[0, :, :, 0]
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """
    h, w = x.shape[1], x.shape[2]
    kh, kw, sh, sw = window.kh, window.kw, window.sh, window.sw
    out_h, out_w = out_size
    top, left = window.pad_top, window.pad_left
    # more zeros at the end where the crop below reaches past the last stamp
    grow = (max(top + out_h - (h - 1) * sh - kh, 0), max(left + out_w - (w - 1) * sw - kw, 0))
    spread = dilate_and_pad(x, (sh, sw), (kh, kw), grow)
    flipped = kernel[::-1, ::-1].transpose(0, 1, 3, 2)  # turned 180°, in/out swapped
    valid = window_2d("conv2d", spread.shape, (kh, kw), (1, 1), (1, 1), "valid")
    full = conv2d_numpy(spread, flipped, bias, valid)
    return full[:, top:top + out_h, left:left + out_w]
