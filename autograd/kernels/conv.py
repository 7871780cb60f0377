"""2-D convolution, forward and backward, as im2col blocks times a BLAS matmul.

Shapes: ``x`` is (N, H, W, C), ``kernel`` is (kh, kw, C, O) - the Keras layout -
and the output is (N, out_h, out_w, O). With ``P = N * out_h * out_w`` output
pixels and ``K = kh * kw * C`` values under each window:

    forward    out[P, O]  = cols[P, K] @ kernel[K, O]        (+ bias)
    backward   dkernel    = cols.T @ grad                     (sum over pixels)
               dcols      = grad @ kernel.T,  dx = col2im(dcols)
               dbias      = grad summed over pixels

The bias rides along in the matmul: it is the weight of one more input that is
always 1. Each row of ``cols`` gets a last column of ones and the kernel matrix a
last row, the bias, so the matmul adds it; in backward the same extra column
makes the last row of ``cols.T @ grad`` the bias gradient. (Adding the bias in a
separate pass over the output cost 5-11% of the forward pass, measured.)

Why not a direct convolution loop, at least for 1-3 input channels, where K is tiny
and im2col copies short runs? It was measured (benchmarks/README.md) and lost:
Numba cannot keep the O output accumulators of a pixel in registers, so each of
the K updates loads and stores them, and im2col + BLAS stayed as fast or faster.

``cols`` is not built whole: it can be hundreds of MB. The loops below fill
one block of rows at a time into a reused scratch buffer small enough to stay
in the CPU caches (``TILE_BYTES``), and hand each block to ``np.matmul``. (The
one exception, ``keep_column_matrix``: for inputs with few channels and a small
column matrix, forward keeps it whole for backward.)

Threading policy (the one place it is decided, for conv and pool alike): every
Numba kernel is serial, and only the matmuls are parallel, on OpenBLAS's own
threads. Reasons, measured on the 2-core machine the benchmarks ran on:

- OpenBLAS keeps its idle threads spinning for ~0.1 s after each call, and
  Numba's OpenMP threads spin after theirs. A parallel Numba kernel next to a
  matmul fights those spinners for the two cores: a max-pool run on two threads
  was 1.5-1.75x faster than serial on its own, but 5-16% *slower* than serial
  right after a matmul - which is where it runs in a network (conv, pool, conv...).
  A convolution alternates between copying and multiplying hundreds of times.
- Serial copies plus threaded BLAS keeps each core busy with one thing: while
  the main thread fills a block, BLAS's threads wait; while BLAS multiplies, it
  has both cores.
- Nothing depends on ``numba.get_num_threads()`` inside a cached kernel (a value
  read there is frozen into the cache).
- The price: on a machine where other processes compete for the cores, each of
  the hundreds of threaded matmul calls can stall at its barrier for a scheduler
  tick, which hurts more than one big call would.

``conv2d_forward_numpy`` and ``conv2d_backward_numpy`` are the plain NumPy
twins (sliding windows and ``tensordot``) that the tests compare against.
"""

from __future__ import annotations

import numpy as np

from .geometry import Window
from .im2col import _windows, col2im_rows, col2im_rows_numpy, im2col_rows
from .workspace import scratch

# Size of one block of the column matrix. Measured on this machine (AMD EPYC,
# 1 MB L2 per core, 32 MB L3) over the benchmark workloads: blocks of 0.75-3 MB
# are within a few percent of each other, 6 MB is 10-50% slower (the block no
# longer stays in cache between the fill and the matmul); below ~256 rows the
# per-call BLAS overhead shows. With few channels (K = 9, 27) rows are cheap, and
# more than 8192 rows per block made the forward pass up to 1.4x slower.
TILE_BYTES = 1536 * 1024
MIN_TILE_ROWS = 256
MAX_TILE_ROWS = 8192


def _tile_rows(k: int, itemsize: int, total: int) -> int:
    rows = min(MAX_TILE_ROWS, max(MIN_TILE_ROWS, TILE_BYTES // (max(k, 1) * itemsize)))
    return max(1, min(total, rows))


def _geometry_args(win: Window) -> tuple:
    return (win.kh, win.kw, win.sh, win.sw, win.dh, win.dw,
            win.pad_top, win.pad_left, win.out_h, win.out_w)


def _is_pointwise(win: Window) -> bool:
    """A 1x1 kernel with stride 1 and no padding: cols is x itself."""
    no_padding = win.pad_top == win.pad_bottom == win.pad_left == win.pad_right == 0
    return (win.kh, win.kw, win.sh, win.sw) == (1, 1, 1, 1) and no_padding


def column_matrix_bytes(x: np.ndarray, win: Window) -> int:
    """Size of the whole column matrix (P, kh * kw * C) of ``x`` for this window."""
    return x.shape[0] * win.out_h * win.out_w * win.kh * win.kw * x.shape[3] * x.itemsize


def column_matrix(x: np.ndarray, win: Window, with_bias: bool) -> np.ndarray:
    """An empty whole column matrix for ``conv2d_forward`` to fill and keep: (P, K),
    or (P, K + 1) with room for the column of ones that carries the bias."""
    p = x.shape[0] * win.out_h * win.out_w
    return np.empty((p, win.kh * win.kw * x.shape[3] + with_bias), dtype=x.dtype)


def _with_bias_row(k2: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The (K + 1, O) matrix: the kernel's K rows, then the bias as the weights of
    an input that is always 1."""
    return np.concatenate([k2, bias.reshape(1, -1)])


# Memory for time: when the kernel's gradient is wanted, the input has few channels
# and the whole column matrix is small, the forward pass keeps it, so the backward
# pass need not rebuild it. With few channels im2col copies short runs and costs
# much per byte: keeping it made forward+backward 13-15% faster for 28x28x1 and
# 32x32x3 batches of 64 (1.5 and 7 MB). With 32 channels (13x13x32, 9 MB) and for
# big matrices (320x320x3, 39 MB) rebuilding blocks in cache was 2-6% faster.
KEEP_COLS_BYTES = 16 * 1024 * 1024
KEEP_COLS_MAX_CHANNELS = 4


def keep_column_matrix(x: np.ndarray, win: Window) -> bool:
    """Should the forward pass keep the whole column matrix for the backward pass?"""
    return x.shape[3] <= KEEP_COLS_MAX_CHANNELS and column_matrix_bytes(x, win) <= KEEP_COLS_BYTES


def conv2d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   win: Window, cols: np.ndarray | None = None) -> np.ndarray:
    """Convolve NHWC ``x`` with a (kh, kw, C, O) ``kernel``; add ``bias`` (O,) if given.

    ``x`` and ``kernel`` must be C-contiguous arrays of the same float dtype. If
    ``cols`` is given - from ``column_matrix(x, win, bias is not None)`` - the whole
    column matrix is written into it, so that ``conv2d_backward`` need not rebuild it.

    >>> from autograd.kernels.geometry import window_2d
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> k = np.ones((2, 2, 1, 1))
    >>> win = window_2d("conv2d", x.shape, (2, 2), (1, 1), (1, 1), "valid")
    >>> conv2d_forward(x, k, None, win)[0, :, :, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    n, c, o = x.shape[0], x.shape[3], kernel.shape[3]
    p_total = n * win.out_h * win.out_w
    k = win.kh * win.kw * c
    k2 = kernel.reshape(k, o)
    out = np.empty((n, win.out_h, win.out_w, o), dtype=x.dtype)
    out2 = out.reshape(p_total, o)
    if _is_pointwise(win):
        np.matmul(x.reshape(p_total, c), k2, out=out2)
        if bias is not None:
            out2 += bias
        return out
    weights = k2 if bias is None else _with_bias_row(k2, bias)
    width = weights.shape[0]  # K, or K + 1 with the column of ones
    rows = _tile_rows(width, x.itemsize, p_total)
    if cols is None:
        cols_in_blocks = scratch("conv.cols", rows, width, x.dtype)
    else:
        assert cols.shape == (p_total, width), (cols.shape, (p_total, width))
        cols_in_blocks = None
    if bias is not None:  # im2col fills the first K columns; the ones stay put
        (cols if cols is not None else cols_in_blocks)[:, k] = 1
    geo = _geometry_args(win)
    for p0 in range(0, p_total, rows):
        m = min(rows, p_total - p0)
        block = cols_in_blocks[:m] if cols is None else cols[p0:p0 + m]
        im2col_rows(x, block, p0, *geo)
        np.matmul(block, weights, out=out2[p0:p0 + m])
    return out


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, grad: np.ndarray, win: Window,
                    need_x: bool = True, need_kernel: bool = True, need_bias: bool = True,
                    cols: np.ndarray | None = None):
    """Gradients of ``conv2d_forward`` for an output gradient ``grad`` (N, out_h, out_w, O).

    Returns ``(dx, dkernel, dbias)``; an entry is None when its ``need_*`` is False.
    ``grad`` must be C-contiguous and of ``x``'s dtype. ``cols``, if given, is the
    whole column matrix that ``conv2d_forward`` filled; otherwise it is rebuilt
    block by block. When both the kernel's and the bias's gradients are wanted,
    the bias's comes from the column of ones: the last row of ``cols.T @ grad``.
    """
    n, c, o = x.shape[0], x.shape[3], kernel.shape[3]
    p_total = n * win.out_h * win.out_w
    k = win.kh * win.kw * c
    k2 = kernel.reshape(k, o)
    g2 = grad.reshape(p_total, o)
    if not (need_x or need_kernel):
        return None, None, (_column_sums(g2) if need_bias else None)
    if _is_pointwise(win):
        x2 = x.reshape(p_total, c)
        dx = (g2 @ k2.T).reshape(x.shape) if need_x else None
        dk = (x2.T @ g2).reshape(kernel.shape) if need_kernel else None
        return dx, dk, (_column_sums(g2) if need_bias else None)

    dx = np.zeros_like(x) if need_x else None  # col2im adds into it
    # dkernel with one more row, the bias's gradient, when cols has the ones column.
    refill = need_kernel and cols is None  # then dkernel block by block, rebuilding cols
    width = cols.shape[1] if cols is not None else k + (need_kernel and need_bias)
    dk = np.zeros((width, o), dtype=x.dtype) if need_kernel else None
    if need_kernel and cols is not None:
        np.matmul(cols.T, g2, out=dk)  # kept by forward: the whole sum in one call
    bias_from_ones = need_kernel and need_bias and width == k + 1
    dbias = np.zeros(o, dtype=x.dtype) if need_bias and not bias_from_ones else None
    rows = _tile_rows(width, x.itemsize, p_total)
    if refill:
        block_cols = scratch("conv.cols", rows, width, x.dtype)
        block_cols[:, k:] = 1  # the column of ones, if there is one
    dcols = scratch("conv.dcols", rows, k, x.dtype)
    dk_block = scratch("conv.dkernel", width, o, x.dtype)
    ones = np.ones(rows, dtype=x.dtype)
    db_block = np.empty(o, dtype=x.dtype)
    geo = _geometry_args(win)
    for p0 in range(0, p_total, rows):
        m = min(rows, p_total - p0)
        g_block = g2[p0:p0 + m]
        if dbias is not None:
            # ones @ g sums the rows as a BLAS call: 6x faster than g.sum(axis=0) for
            # (pixels, 32) blocks (measured), and done while the block is in cache.
            np.matmul(ones[:m], g_block, out=db_block)
            dbias += db_block
        if refill:
            block = block_cols[:m]
            im2col_rows(x, block, p0, *geo)
            np.matmul(block.T, g_block, out=dk_block)
            dk += dk_block
        if need_x:
            d_block = dcols[:m]
            np.matmul(g_block, k2.T, out=d_block)
            col2im_rows(d_block, dx, p0, *geo)
    if bias_from_ones:
        dbias = dk[k].copy()
    if dk is not None:
        dk = dk[:k].reshape(kernel.shape)
    return dx, dk, dbias


def _column_sums(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=0)`` as ``ones @ a`` (one BLAS call; see conv2d_backward)."""
    return np.ones(a.shape[0], dtype=a.dtype) @ a


# ---------------------------------------------------------------- NumPy twins


def conv2d_forward_numpy(x, kernel, bias, win):
    """Twin of ``conv2d_forward``: every window at once, contracted with ``tensordot``."""
    windows = _windows(x, *_geometry_args(win))  # (N, out_h, out_w, kh, kw, C)
    out = np.tensordot(windows, kernel, axes=([3, 4, 5], [0, 1, 2]))
    return out + bias if bias is not None else out


def conv2d_backward_numpy(x, kernel, grad, win, need_x=True, need_kernel=True,
                          need_bias=True):
    """Twin of ``conv2d_backward``, from the same sliding-window view."""
    geo = _geometry_args(win)
    windows = _windows(x, *geo)
    dk = np.tensordot(windows, grad, axes=([0, 1, 2], [0, 1, 2])) if need_kernel else None
    dx = None
    if need_x:
        dwin = np.tensordot(grad, kernel, axes=([3], [3]))  # (N, out_h, out_w, kh, kw, C)
        dx = np.zeros_like(x)
        col2im_rows_numpy(dwin.reshape(-1, win.kh * win.kw * x.shape[3]), dx, 0, *geo)
    db = grad.sum(axis=(0, 1, 2)) if need_bias else None
    return dx, dk, db
