"""Convolution: ``conv2d`` over NHWC images with a Keras-layout kernel.

``Conv2DOp`` is a ``Function`` like every other op, and its forward and backward
are the three formulas of a convolution written as matrix products. With ``x``
(N, H, W, C), a (kh, kw, C, O) kernel, ``P = N * out_h * out_w`` output pixels and
``K = kh * kw * C`` input values under each window, ``cols = im2col(x)`` is the
(P, K) matrix whose row ``p`` holds the window of output pixel ``p``. Then

    Y  = cols @ kernel + bias          (P, O) = (P, K) @ (K, O)
    dK = cols.T @ dY                   each weight meets every value it multiplied
    dX = col2im(dY @ kernel.T)         each window's gradient, added back onto its cells
    db = sum of dY over the pixels

The loops run over cache-sized blocks of output pixels, because ``cols`` is
``kh * kw`` times larger than ``x``; ``autograd/kernels/conv.py`` supplies the
blocks (``ColumnMatrix``), and explains its options (a column of ones for the
bias, keeping the whole matrix for backward, and filling it transposed for one
to three input channels). A large batch runs in two lanes of images, side by side
on two threads (``conv_lanes``): ``_forward_lane`` and ``_backward_lane`` are the
formulas for one lane's images, and the lanes' kernel and bias gradients add up.

One exception, for speed: a float32 convolution with a 3x3 kernel, stride 1 and at
least 8 input channels (``winograd_applies`` in ``kernels/conv.py``) runs as
Winograd's F(2x2, 3x3) instead - the same convolution in 16/36 of the
multiplications, each 2x2 block of outputs from a 4x4 block of input, with the
formulas and their backward in ``autograd/kernels/winograd.py``
(``_winograd_forward_lane``, ``_winograd_backward_lane``). Its results differ from
im2col's only in rounding. Everything else, float64 (what gradcheck uses) included,
runs the formulas above.

``conv2d_numpy`` and ``conv2d_backward_numpy`` at the bottom are the same op in
plain NumPy (every window at once, ``tensordot``): the readable twin the tests
compare this one with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..kernels.arrays import as_kernel_array, kernel_dtype
from ..kernels.conv import (
    ColumnMatrix,
    conv_lanes,
    keep_column_matrix,
    winograd_applies,
    winograd_tiles_per_block,
)
from ..kernels.geometry import Window, check_nhwc, check_padding, pair, window_2d
from ..kernels.im2col import _windows, col2im_rows_numpy
from ..kernels.lanes import join_lane_images, run_lanes, sum_in_lane_order
from ..kernels.relu import relu_backward
from ..kernels.threads import match_blas_threads_to_load
from ..kernels.winograd import (
    input_tiles,
    input_tiles_adjoint,
    kernel_tiles,
    kernel_tiles_adjoint,
    output_tiles,
    output_tiles_adjoint,
    tile_grid,
)
from ..kernels.workspace import scratch
from ..tensor import Tensor


class Conv2DOp(Function):
    @staticmethod
    def forward(ctx, x, kernel, bias, *, window: Window, activation: str | None = None):
        match_blas_threads_to_load()  # one BLAS thread while the machine is busy
        dtype = kernel_dtype(x, kernel, bias)
        x = as_kernel_array(x, dtype)
        kernel = as_kernel_array(kernel, dtype)
        n_out = kernel.shape[3]
        out = np.empty((x.shape[0], window.out_h, window.out_w, n_out), dtype=dtype)
        # The batch in two lanes of images, one thread and one-thread BLAS each
        # (kernels/conv.py, "Threads"): each lane is the convolution of its images.
        lanes = conv_lanes(len(x), out[..., 0].size * window.kh * window.kw * x.shape[3])
        # 3x3, stride 1, many channels: Winograd's F(2x2, 3x3) (kernels/winograd.py),
        # the same convolution in 16/36 of the multiplications; else im2col + matmul.
        tiles = kernel_tiles(kernel) if winograd_applies(x, window) else None
        # Keep im2col(x) for the kernel's gradient when that pays (kernels/conv.py).
        keep = tiles is None and ctx.needs_input_grad[1] and keep_column_matrix(x, window)
        kept_cols = None
        if tiles is not None:
            run_lanes(lambda images: _winograd_forward_lane(
                x[images], tiles, bias, window, out[images], activation), lanes)
        else:
            kept_cols = run_lanes(lambda images: _forward_lane(
                x[images], kernel, bias, window, out[images], keep, activation), lanes)
        ctx.save_for_backward(x, kernel, kept_cols if keep else None,
                              out if activation == "relu" else None)
        ctx.window, ctx.lanes, ctx.kernel_tiles = window, lanes, tiles
        return out

    @staticmethod
    def backward(ctx, grad):
        x, kernel, kept_cols, relu_out = ctx.saved_tensors
        match_blas_threads_to_load()
        grad = as_kernel_array(grad, x.dtype)
        lanes = ctx.lanes
        if ctx.kernel_tiles is not None:
            return _winograd_backward(ctx, x, grad, relu_out)
        parts = run_lanes(lambda lane: _backward_lane(
            x[lanes[lane]], kernel, kept_cols[lane] if kept_cols else None, ctx.window,
            grad[lanes[lane]], None if relu_out is None else relu_out[lanes[lane]],
            ctx.needs_input_grad), range(len(lanes)))
        dxs, dks, dbs = zip(*parts)
        # dX: each lane's images; dK and db: the lanes' sums, added in lane order.
        return join_lane_images(dxs), sum_in_lane_order(dks), sum_in_lane_order(dbs)


def _forward_lane(x, kernel, bias, window, out, keep, activation):
    """The convolution of the images ``x`` into ``out``; returns the column matrix."""
    dtype, n_out = x.dtype, kernel.shape[3]
    # With a bias, the column matrix ends in a column of ones (kernels/conv.py).
    cols = ColumnMatrix(x, window, ones_column=bias is not None, keep=keep)
    y = out.reshape(-1, n_out)  # (P, O), a view of out: write into it
    # BEGIN SOLUTION hw3.conv2d_forward
    weights = kernel.reshape(-1, n_out)  # (K, O)
    if bias is not None:  # one more row: the weights of the ones column
        weights = np.concatenate([weights, as_kernel_array(bias, dtype)[None]])
    for rows in cols.blocks():
        np.matmul(cols.block(rows), weights, out=y[rows])  # Y = cols @ K (+ b)
    # END SOLUTION
    if activation == "relu":  # conv, then bias, then relu: in place, no new array
        np.maximum(out, 0, out=out)
    return cols


def _backward_lane(x, kernel, kept_cols, window, grad, relu_out, needs_input_grad):
    """The gradients of one lane: (dx of its images, its part of dK, its part of db)."""
    need_x, need_kernel, need_bias = needs_input_grad
    n_out = kernel.shape[3]
    if relu_out is not None:  # relu's derivative first: dY = grad where Y > 0, else 0
        d_relu = np.empty_like(grad)  # not in place: the engine may share grad
        relu_backward(grad, relu_out, d_relu)
        grad = d_relu
    dy = grad.reshape(-1, n_out)  # (P, O)
    # With the ones column, cols.T @ dY is [dK; db]: the bias's gradient is its
    # last row, and comes with the kernel's in the same matmul.
    cols = kept_cols or ColumnMatrix(x, window, ones_column=need_kernel and need_bias)
    bias_in_dk = need_kernel and cols.ones_column
    # BEGIN SOLUTION hw3.conv2d_backward
    kernel_t = kernel.reshape(-1, n_out).T  # (O, K)
    dx = np.zeros_like(x) if need_x else None  # col2im adds into it
    dk = np.zeros((cols.width, n_out), dtype=x.dtype) if need_kernel else None
    db = np.zeros(n_out, dtype=x.dtype) if need_bias and not bias_in_dk else None
    d_cols = scratch("conv.dcols", cols.rows_per_block, cols.k, x.dtype) if need_x else None
    ones = np.ones(cols.rows_per_block, dtype=x.dtype)
    for rows in cols.blocks():
        dy_block = dy[rows]
        m = len(dy_block)
        if need_kernel:  # dK += cols.T @ dY
            dk += cols.block(rows).T @ dy_block
        if need_x:  # dX += col2im(dY @ K.T)
            cols.add_back(np.matmul(dy_block, kernel_t, out=d_cols[:m]), rows, dx)
        if db is not None:  # db += sum of dY, as ones @ dY: one BLAS call
            db += ones[:m] @ dy_block
    if bias_in_dk:
        dk, db = dk[:-1], (dk[-1].copy() if need_bias else None)
    return dx, (dk.reshape(kernel.shape) if need_kernel else None), db
    # END SOLUTION


def _winograd_backward(ctx, x, grad, relu_out):
    """``Conv2DOp.backward`` for a convolution that ran as Winograd's F(2x2, 3x3)."""
    lanes = ctx.lanes
    parts = run_lanes(lambda lane: _winograd_backward_lane(
        x[lanes[lane]], ctx.kernel_tiles, ctx.window, grad[lanes[lane]],
        None if relu_out is None else relu_out[lanes[lane]], ctx.needs_input_grad),
        range(len(lanes)))
    dxs, dus, dbs = zip(*parts)
    du = sum_in_lane_order(dus)  # the kernel tiles' gradient, then the kernel's
    return (join_lane_images(dxs), None if du is None else kernel_tiles_adjoint(du),
            sum_in_lane_order(dbs))


def _winograd_forward_lane(x, tiles, bias, window, out, activation):
    """The convolution of the images ``x`` into ``out`` as Winograd's F(2x2, 3x3):
    input tiles, then 16 matmuls with the kernel's tiles, then output tiles (with
    the bias and relu applied there, while the block is in cache)."""
    dtype, n_out = x.dtype, tiles.shape[2]
    bias = np.zeros(n_out, dtype) if bias is None else as_kernel_array(bias, dtype)
    tiles_h, tiles_w = tile_grid(window.out_h, window.out_w)
    n_tiles = len(x) * tiles_h * tiles_w
    block = winograd_tiles_per_block(x.shape[3], x.itemsize)
    v = _planes("conv.winograd.v", block, x.shape[3], dtype)
    m = _planes("conv.winograd.m", block, n_out, dtype)
    for t0 in range(0, n_tiles, block):
        n = min(block, n_tiles - t0)
        input_tiles(x, v, t0, n, tiles_h, tiles_w, window.pad_top, window.pad_left)
        # M[k] = V[k] @ U[k] for the 16 planes k, in one call (one BLAS product each)
        np.matmul(v[:, :n], tiles, out=m[:, :n])
        output_tiles(m, out, bias, activation == "relu", t0, n, tiles_h, tiles_w)


def _winograd_backward_lane(x, tiles, window, grad, relu_out, needs_input_grad):
    """The gradients of one lane as Winograd's F(2x2, 3x3): (dx of its images, its part
    of the kernel tiles' gradient dU, its part of db)."""
    need_x, need_kernel, need_bias = needs_input_grad
    dtype, channels, n_out = x.dtype, x.shape[3], tiles.shape[2]
    tiles_h, tiles_w = tile_grid(window.out_h, window.out_w)
    n_tiles = len(x) * tiles_h * tiles_w
    block = winograd_tiles_per_block(max(channels, n_out), x.itemsize)
    dm = _planes("conv.winograd.dm", block, n_out, dtype)
    v = _planes("conv.winograd.v", block, channels, dtype) if need_kernel else None
    dv = _planes("conv.winograd.dv", block, channels, dtype) if need_x else None
    dx = np.zeros_like(x) if need_x else None  # input_tiles_adjoint adds into it
    du = np.zeros(tiles.shape, dtype) if need_kernel else None
    db = np.zeros(n_out, dtype) if need_bias else None
    ones = np.ones(block, dtype)
    relu = relu_out is not None
    for t0 in range(0, n_tiles, block):
        n = min(block, n_tiles - t0)
        # dM = A dY A^T, with relu's derivative applied to dY first
        output_tiles_adjoint(grad, relu_out if relu else grad, relu, dm, t0, n,
                             tiles_h, tiles_w)
        if need_kernel:  # dU[k] += V[k].T @ dM[k], for the 16 planes k
            input_tiles(x, v, t0, n, tiles_h, tiles_w, window.pad_top, window.pad_left)
            du += np.matmul(v[:, :n].transpose(0, 2, 1), dm[:, :n])
        if need_x:  # dV[k] = dM[k] @ U[k].T, then dx += B dV B^T
            np.matmul(dm[:, :n], tiles.transpose(0, 2, 1), out=dv[:, :n])
            input_tiles_adjoint(dv, dx, t0, n, tiles_h, tiles_w,
                                window.pad_top, window.pad_left)
        if need_bias:  # db += sum of dY: plane 5 of dM holds each tile's sum
            db += ones[:n] @ dm[5, :n]
    return dx, du, db


def _planes(name: str, block: int, channels: int, dtype) -> np.ndarray:
    """A reused (16, block + 1, channels) scratch array for Winograd's planes: one tile
    more per plane than used, so that planes do not lie a multiple of 4 KB apart
    (kernels/winograd.py, "Layout")."""
    return scratch(name, 16, (block + 1) * channels, dtype).reshape(16, block + 1, channels)


def conv2d(
    x: Any,
    kernel: Any,
    bias: Any = None,
    strides: int | tuple[int, int] = 1,
    padding: str = "valid",
    dilation_rate: int | tuple[int, int] = 1,
    activation: str | None = None,
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
    activation : None or "relu"
        ``"relu"`` gives ``relu(conv2d(...))`` in one op, as Keras's
        ``Conv2D(activation="relu")`` is one layer: the output is rectified in place
        (no second array as large as the output), and backward starts from relu's
        derivative, in one compiled loop (``kernels/relu.py``). The same values and
        gradients as ``autograd.relu(autograd.conv2d(...))``.

    Returns
    -------
    Tensor of shape (batch, out_height, out_width, out_channels)
        float32 (float64 if any input is float64).

    Examples
    --------
    >>> import autograd
    >>> x = autograd.arange(9.0).reshape(1, 3, 3, 1)
    >>> k = autograd.ones(2, 2, 1, 1)
    >>> autograd.conv2d(x, k)[0, :, :, 0]
    Tensor([[ 8., 12.],
            [20., 24.]], shape=(2, 2), dtype=float32)
    >>> autograd.conv2d(x, k, bias=autograd.tensor([-10.0]), activation="relu")[0, :, :, 0]
    Tensor([[ 0.,  2.],
            [10., 14.]], shape=(2, 2), dtype=float32)
    """
    if activation not in (None, "linear", "relu"):
        raise ValueError(
            f"conv2d: activation must be None or 'relu' (the activation the op can apply "
            f"itself), but got {activation!r}. Apply any other activation to the output: "
            f"autograd.tanh(autograd.conv2d(x, kernel))."
        )
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
    return Conv2DOp.apply(x, kernel, bias, window=window,
                          activation="relu" if activation == "relu" else None)


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(a.shape) if isinstance(a, (Tensor, np.ndarray)) else np.shape(a)


# ---------------------------------------------------------------- the NumPy twin


def conv2d_numpy(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                 window: Window) -> np.ndarray:
    """``Conv2DOp.forward`` in plain NumPy: every window at once, contracted with the
    kernel by ``tensordot``. Slow and memory-hungry, but it reads as the definition.

    >>> from autograd.kernels.geometry import window_2d
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> win = window_2d("conv2d", x.shape, (2, 2), (1, 1), (1, 1), "valid")
    >>> conv2d_numpy(x, np.ones((2, 2, 1, 1)), None, win)[0, :, :, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    windows = _windows(x, *_geometry(window))  # (N, out_h, out_w, kh, kw, C)
    # BEGIN SOLUTION hw3.conv2d_forward
    out = np.tensordot(windows, kernel, axes=([3, 4, 5], [0, 1, 2]))
    return out + bias if bias is not None else out
    # END SOLUTION


def conv2d_backward_numpy(x: np.ndarray, kernel: np.ndarray, grad: np.ndarray,
                          window: Window, need_x: bool = True, need_kernel: bool = True,
                          need_bias: bool = True) -> tuple:
    """``Conv2DOp.backward`` in plain NumPy, from the same windows: (dx, dkernel, dbias),
    None for a gradient not asked for."""
    geo = _geometry(window)
    # BEGIN SOLUTION hw3.conv2d_backward
    dk = None
    if need_kernel:  # dK = sum over pixels of window (x) dY
        dk = np.tensordot(_windows(x, *geo), grad, axes=([0, 1, 2], [0, 1, 2]))
    dx = None
    if need_x:  # each window's gradient dY . K, added back onto the cells it covers
        d_windows = np.tensordot(grad, kernel, axes=([3], [3]))  # (N, out_h, out_w, kh, kw, C)
        dx = np.zeros_like(x)
        col2im_rows_numpy(d_windows.reshape(-1, window.kh * window.kw * x.shape[3]), dx, 0, *geo)
    db = grad.sum(axis=(0, 1, 2)) if need_bias else None
    return dx, dk, db
    # END SOLUTION


def _geometry(w: Window) -> tuple:
    return (w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.pad_top, w.pad_left, w.out_h, w.out_w)
