"""im2col and col2im: turn a convolution into a matrix product, and back.

For NHWC input ``x`` and a kernel of shape ``(kh, kw, C, O)``, number the output
pixels row-major over ``(n, oh, ow)``. Row ``p`` of the *column matrix* holds
the input values under the window of output pixel ``p``, in the kernel's
``(i, j, c)`` order (padding cells are 0). Then

    out.reshape(P, O) = cols @ kernel.reshape(kh * kw * C, O)

The full column matrix is ``kh * kw`` times larger than the input (227 MB for
a batch of 8 159x159x32 images with a 3x3 kernel), so these kernels fill or
read only a block of rows ``p0 .. p0 + len(cols)``: ``kernels/conv.py`` works
through the output one cache-sized block at a time.

``col2im_rows`` is the adjoint: it adds each row of a block back onto the input
cells it was copied from (cells under several windows receive several adds).

``im2col_rows`` only copies, so it does not care what the bits mean:
``ColumnMatrix`` in ``kernels/conv.py`` hands it both float32 and float64 arrays
as ``as_words`` views (a float64 cell of C channels is 2 * C uint32 words).
One compiled version then serves both dtypes, which saves a compile (about
0.6 s on a cold cache, benchmarks/README.md) and gives bit-identical columns.
``col2im_rows`` adds, so it needs the real dtype.

Each Numba kernel has a NumPy twin with the same signature, used by the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import sliding_window_view

from .runs import add_run, copy_run, zero_run


def as_words(a: np.ndarray) -> np.ndarray:
    """The bytes of a C-contiguous float32 or float64 array as uint32 words, the
    last axis widened to match (a view, nothing is copied).

    >>> as_words(np.zeros((2, 3), np.float64)).shape
    (2, 6)
    """
    return a.view(np.uint32)


@njit(cache=True, nogil=True, error_model="numpy")
def im2col_rows(x, cols, p0, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """Fill ``cols[r, :kh * kw * C]`` with the window of output pixel ``p0 + r``.

    ``x`` is (N, H, W, C) and ``cols`` is (rows, kh * kw * C + extra), both
    C-contiguous and of the same dtype. Windows start at
    ``(oh * sh - pad_top, ow * sw - pad_left)`` and take every ``dh``-th row and
    ``dw``-th column. The ``extra`` columns at the end of each row (usually none)
    are left as they are: ``kernels/conv.py`` keeps a column of ones there, so
    that the matmul adds the bias.
    """
    # BEGIN SOLUTION hw3.im2col
    n_img, h, w, c = x.shape
    src = x.reshape(x.size)  # flat views: the offsets below count elements
    dst = cols.reshape(cols.size)
    run = kw * c  # one kernel row: kw cells of c channels
    extra = cols.shape[1] - kh * run  # columns after the window, skipped
    n = p0 // (out_h * out_w)
    oh = (p0 // out_w) % out_h
    ow = p0 % out_w
    d = 0  # where the next value goes in dst
    for _pixel in range(cols.shape[0]):
        top = oh * sh - pad_top
        left = ow * sw - pad_left
        for i in range(kh):
            ih = top + i * dh
            row = (n * h + ih) * w  # flat index of pixel (n, ih, 0)
            if ih < 0 or ih >= h:
                zero_run(dst, d, run)  # this kernel row lies in the padding
            elif dw == 1 and left >= 0 and left + kw <= w:
                # The usual case: the kw cells are adjacent in memory and all inside.
                copy_run(dst, d, src, (row + left) * c, run)
            else:
                # Near an edge, or dilated: one cell (c channels) at a time.
                for j in range(kw):
                    iw = left + j * dw
                    if 0 <= iw < w:
                        copy_run(dst, d + j * c, src, (row + iw) * c, c)
                    else:
                        zero_run(dst, d + j * c, c)
            d += run
        d += extra
        # next output pixel, row-major over (n, oh, ow)
        ow += 1
        if ow == out_w:
            ow = 0
            oh += 1
            if oh == out_h:
                oh = 0
                n += 1
    # END SOLUTION


@njit(cache=True, nogil=True, error_model="numpy")
def col2im_rows(cols, dx, p0, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """Add ``cols[r]`` back onto the input cells under the window of pixel ``p0 + r``.

    The adjoint of ``im2col_rows``: ``dx`` (N, H, W, C) is accumulated into, not
    overwritten, and values that fell on padding are dropped.
    """
    # BEGIN SOLUTION hw3.col2im
    n_img, h, w, c = dx.shape
    src = cols.reshape(cols.size)
    dst = dx.reshape(dx.size)
    run = kw * c
    n = p0 // (out_h * out_w)
    oh = (p0 // out_w) % out_h
    ow = p0 % out_w
    d = 0  # where the next value comes from in src
    for _pixel in range(cols.shape[0]):
        top = oh * sh - pad_top
        left = ow * sw - pad_left
        for i in range(kh):
            ih = top + i * dh
            row = (n * h + ih) * w
            if ih < 0 or ih >= h:
                pass  # padding: nothing to add back
            elif dw == 1 and left >= 0 and left + kw <= w:
                add_run(dst, (row + left) * c, src, d, run)
            else:
                for j in range(kw):
                    iw = left + j * dw
                    if 0 <= iw < w:
                        add_run(dst, (row + iw) * c, src, d + j * c, c)
            d += run
        ow += 1
        if ow == out_w:
            ow = 0
            oh += 1
            if oh == out_h:
                oh = 0
                n += 1
    # END SOLUTION


# ------------------------------ one to three input channels: the matrix filled transposed


def im2col_transposed(x, cols_t, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """Fill ``cols_t[:kh * kw * C]`` with the transpose of the whole column matrix.

    Row ``(i * kw + j) * C + c`` of ``cols_t`` (K + extra, P) holds, for every output
    pixel, the input value under kernel cell ``(i, j)`` in channel ``c``. For one
    kernel cell that is a strided slice of ``x`` - one NumPy copy for all N images -
    where ``im2col_rows`` copies runs of ``kw * C`` values, only 3-9 long when C is 1-3.
    So ``kernels/conv.py`` uses this for one to three input channels; its ``cols_t.T`` is the
    column matrix, which BLAS reads as it is (a transposed layout costs it nothing).
    Padding cells are 0; the ``extra`` rows at the end are left alone. Plain NumPy:
    each cell is one slice assignment, so there is nothing to compile.

    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> cols_t = np.empty((4, 4))
    >>> im2col_transposed(x, cols_t, 2, 2, 1, 1, 1, 1, 0, 0, 2, 2)
    >>> cols_t.T.tolist()[:2]
    [[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0]]
    """
    n_img, h, w, c = x.shape
    for i in range(kh):
        # the output rows whose kernel row i lands inside the image
        oh0, oh1 = _outputs_inside(i * dh - pad_top, sh, h, out_h)
        for j in range(kw):
            ow0, ow1 = _outputs_inside(j * dw - pad_left, sw, w, out_w)
            cell = (i * kw + j) * c
            dst = cols_t[cell : cell + c].reshape(c, n_img, out_h, out_w)
            if (oh0, oh1, ow0, ow1) != (0, out_h, 0, out_w):
                dst[...] = 0  # some windows put this cell on the padding
            if oh0 < oh1 and ow0 < ow1:
                top = oh0 * sh + i * dh - pad_top  # the input row under output row oh0
                left = ow0 * sw + j * dw - pad_left
                src = x[:, top : top + (oh1 - oh0 - 1) * sh + 1 : sh,
                        left : left + (ow1 - ow0 - 1) * sw + 1 : sw]
                dst[:, :, oh0:oh1, ow0:ow1] = src.transpose(3, 0, 1, 2)


def _outputs_inside(offset, step, size, count):
    """The range ``start, stop`` of outputs ``o < count`` with ``0 <= offset + o * step < size``."""
    start = max(0, -(offset // step))  # the first o with offset + o * step >= 0
    stop = max(start, min(count, -((offset - size) // step)))  # offset + o * step < size
    return start, stop


# ---------------------------------------------------------------- NumPy twins


def _windows(x, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """All windows as a view of shape (N, out_h, out_w, kh, kw, C) over a zero-padded x."""
    # BEGIN SOLUTION hw3.im2col
    n_img, h, w, c = x.shape
    pad_bottom = max(0, (out_h - 1) * sh + (kh - 1) * dh + 1 - pad_top - h)
    pad_right = max(0, (out_w - 1) * sw + (kw - 1) * dw + 1 - pad_left - w)
    xp = np.pad(x, ((0, 0), (pad_top, pad_bottom), (pad_left, pad_right), (0, 0)))
    eff_h, eff_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    win = sliding_window_view(xp, (eff_h, eff_w), axis=(1, 2))  # (N, H', W', C, eff_h, eff_w)
    win = win[:, : (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw, :, ::dh, ::dw]
    return win.transpose(0, 1, 2, 4, 5, 3)
    # END SOLUTION


def im2col_rows_numpy(x, cols, p0, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """Twin of ``im2col_rows``: the same rows, cut from a sliding-window view."""
    win = _windows(x, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w)
    k = kh * kw * x.shape[3]
    every_row = win.reshape(-1, k)
    cols[:, :k] = every_row[p0 : p0 + cols.shape[0]]


def col2im_rows_numpy(cols, dx, p0, kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w):
    """Twin of ``col2im_rows``: ``np.add.at`` one kernel cell (i, j) at a time."""
    # BEGIN SOLUTION hw3.col2im
    n_img, h, w, c = dx.shape
    p = np.arange(p0, p0 + cols.shape[0])
    n, oh, ow = p // (out_h * out_w), (p // out_w) % out_h, p % out_w
    block = cols.reshape(-1, kh, kw, c)
    for i in range(kh):
        for j in range(kw):
            ih = oh * sh - pad_top + i * dh
            iw = ow * sw - pad_left + j * dw
            inside = (ih >= 0) & (ih < h) & (iw >= 0) & (iw < w)
            np.add.at(dx, (n[inside], ih[inside], iw[inside]), block[inside, i, j])
    # END SOLUTION
