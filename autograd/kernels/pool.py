"""Max and average pooling over NHWC input, forward and backward.

A window of ``kh x kw`` cells moves ``sh`` rows / ``sw`` columns at a time; the
window of output ``(oh, ow)`` starts at input ``(oh * sh - pad_top, ow * sw - pad_left)``.
Cells outside the input (``"same"`` padding) are ignored: they never win a max
and are not counted in an average.

Max pooling remembers, for each output value, which cell of its window won:
``arg`` holds the position ``i * kw + j`` inside the window (row-major). On exact
ties the first cell in that order wins, and a NaN wins over any number (the
first NaN, if there are several), so NaNs propagate as in ``np.max``. The
backward pass sends each gradient to its winner only.

The loops keep channels innermost: channels are adjacent in NHWC memory, so the
inner loop is a contiguous run that LLVM turns into SIMD instructions.

Every Numba kernel here has a NumPy twin with the same signature (the tests
compare the two). Each kernel is serial: the op in ``ops/pool.py`` runs it on the
two halves of the batch on two threads (``kernels/lanes.py``), which gives the same
bits as one call over the whole batch.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import sliding_window_view


@njit(cache=True, nogil=True, error_model="numpy")
def max_pool_forward(x, out, arg, kh, kw, sh, sw, pad_top, pad_left):
    """Write the window maxima of ``x`` (N, H, W, C) into ``out`` (N, out_h, out_w, C)
    and the winning window positions into ``arg`` (int32, same shape as ``out``)."""
    # BEGIN SOLUTION hw3.pool_forward
    n_img, h, w, c = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    for n in range(n_img):
        for oh in range(out_h):
            top = oh * sh - pad_top
            i_lo, i_hi = max(0, -top), min(kh, h - top)  # window rows inside the image
            best = out[n, oh]  # (out_w, C) views: one row of outputs
            where = arg[n, oh]
            for i in range(i_lo, i_hi):
                x_row = x[n, top + i]
                for ow in range(out_w):
                    left = ow * sw - pad_left
                    j_lo, j_hi = max(0, -left), min(kw, w - left)
                    for j in range(j_lo, j_hi):
                        k = i * kw + j
                        cell = left + j
                        if i == i_lo and j == j_lo:  # the first cell starts the max
                            for ch in range(c):
                                best[ow, ch] = x_row[cell, ch]
                                where[ow, ch] = k
                        else:
                            for ch in range(c):
                                v = x_row[cell, ch]
                                b = best[ow, ch]
                                was = where[ow, ch]
                                # strictly greater: on ties the earlier cell stays
                                take = (v > b) | ((v != v) & (b == b))
                                # Written so that LLVM emits a blend and a plain store:
                                # "v if take else b" becomes a masked store, which is
                                # slow on AMD CPUs (this loop ran 1.5-2.4x slower).
                                # b + 0.0 equals b (a -0.0 becomes +0.0, which == -0.0).
                                best[ow, ch] = v if take else b + 0.0
                                where[ow, ch] = was + (k - was) * take
    # END SOLUTION


@njit(cache=True, nogil=True, error_model="numpy")
def max_pool_backward(grad, arg, dx, kh, kw, sh, sw, pad_top, pad_left):
    """Write into ``dx`` (N, H, W, C) the gradient of max pooling: each value of
    ``grad`` (N, out_h, out_w, C) goes to the cell ``arg`` names; all else is 0."""
    # BEGIN SOLUTION hw3.pool_backward
    n_img, h, w, c = dx.shape
    out_h, out_w = grad.shape[1], grad.shape[2]
    if sh < kh or sw < kw:
        # Overlapping windows (say 3x3 every 2 cells) can share a winner: zero dx,
        # then add each gradient to its winner.
        flat = dx.reshape(dx.size)
        for q in range(flat.size):
            flat[q] = 0
        for n in range(n_img):
            for oh in range(out_h):
                for ow in range(out_w):
                    for ch in range(c):
                        i, j = divmod(arg[n, oh, ow, ch], kw)
                        dx[n, oh * sh - pad_top + i, ow * sw - pad_left + j, ch] += \
                            grad[n, oh, ow, ch]
        return
    # The usual case, stride >= pool size: each input cell lies in at most one
    # window, so walk dx row by row and write every cell once - its gradient, or 0
    # if it lost or no window covers it - instead of zeroing dx and then adding.
    for n in range(n_img):
        for ih in range(h):
            dx_row = dx[n, ih]
            oh, i = divmod(ih + pad_top, sh)  # the only window row that can hold ih
            if i >= kh or oh >= out_h:
                for iw in range(w):  # between or below the windows
                    for ch in range(c):
                        dx_row[iw, ch] = 0
                continue
            g_row = grad[n, oh]
            a_row = arg[n, oh]
            done = 0  # columns [0, done) are written
            for ow in range(out_w):
                left = ow * sw - pad_left
                for iw in range(done, max(left, 0)):  # a gap before this window
                    for ch in range(c):
                        dx_row[iw, ch] = 0
                for j in range(max(0, -left), min(kw, w - left)):
                    k = i * kw + j
                    for ch in range(c):
                        dx_row[left + j, ch] = g_row[ow, ch] if a_row[ow, ch] == k else 0
                done = min(left + kw, w)
            for iw in range(done, w):  # columns right of the last window
                for ch in range(c):
                    dx_row[iw, ch] = 0
    # END SOLUTION


@njit(cache=True, nogil=True, error_model="numpy")
def avg_pool_forward(x, out, kh, kw, sh, sw, pad_top, pad_left):
    """Write the window means of ``x`` (N, H, W, C) into ``out`` (N, out_h, out_w, C),
    counting only cells inside the input."""
    # BEGIN SOLUTION hw3.pool_forward
    n_img, h, w, c = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    for n in range(n_img):
        for oh in range(out_h):
            top = oh * sh - pad_top
            i_lo, i_hi = max(0, -top), min(kh, h - top)
            total = out[n, oh]
            for ow in range(out_w):
                for ch in range(c):
                    total[ow, ch] = 0
            for i in range(i_lo, i_hi):
                x_row = x[n, top + i]
                for ow in range(out_w):
                    left = ow * sw - pad_left
                    for j in range(max(0, -left), min(kw, w - left)):
                        for ch in range(c):
                            total[ow, ch] += x_row[left + j, ch]
            for ow in range(out_w):
                left = ow * sw - pad_left
                count = (i_hi - i_lo) * (min(kw, w - left) - max(0, -left))
                for ch in range(c):
                    total[ow, ch] /= count
    # END SOLUTION


@njit(cache=True, nogil=True, error_model="numpy")
def avg_pool_backward(grad, dx, kh, kw, sh, sw, pad_top, pad_left):
    """Write into ``dx`` (N, H, W, C) the gradient of average pooling: each value of
    ``grad`` is shared equally by the cells its window counted."""
    # BEGIN SOLUTION hw3.pool_backward
    n_img, h, w, c = dx.shape
    out_h, out_w = grad.shape[1], grad.shape[2]
    flat = dx.reshape(dx.size)  # zero dx, then add each window's share to its cells
    for q in range(flat.size):
        flat[q] = 0
    for n in range(n_img):
        for oh in range(out_h):
            top = oh * sh - pad_top
            i_lo, i_hi = max(0, -top), min(kh, h - top)
            g_row = grad[n, oh]
            for ow in range(out_w):
                left = ow * sw - pad_left
                j_lo, j_hi = max(0, -left), min(kw, w - left)
                scale = 1.0 / ((i_hi - i_lo) * (j_hi - j_lo))
                for i in range(i_lo, i_hi):
                    dx_row = dx[n, top + i]
                    for j in range(j_lo, j_hi):
                        for ch in range(c):
                            dx_row[left + j, ch] += g_row[ow, ch] * scale
    # END SOLUTION


# ---------------------------------------------------------------- NumPy twins


def _pool_windows(x, fill, kh, kw, sh, sw, pad_top, pad_left, out_h, out_w):
    """(N, out_h, out_w, kh * kw, C) windows over ``x`` padded with ``fill``, and a
    (out_h, out_w, kh * kw) mask of the cells that are inside the input."""
    n_img, h, w, c = x.shape
    pad_bottom = max(0, (out_h - 1) * sh + kh - pad_top - h)
    pad_right = max(0, (out_w - 1) * sw + kw - pad_left - w)
    pads = ((0, 0), (pad_top, pad_bottom), (pad_left, pad_right), (0, 0))
    xp = np.pad(x, pads, constant_values=fill)
    inside = np.pad(np.ones((1, h, w, 1), dtype=bool), pads)
    def cut(a):
        win = sliding_window_view(a, (kh, kw), axis=(1, 2))[:, ::sh, ::sw][:, :out_h, :out_w]
        return win.transpose(0, 1, 2, 4, 5, 3).reshape(a.shape[0], out_h, out_w, kh * kw, -1)
    return cut(xp), cut(inside)[0, :, :, :, 0]


def max_pool_forward_numpy(x, out, arg, kh, kw, sh, sw, pad_top, pad_left):
    """Twin of ``max_pool_forward``, with argmax over sliding windows."""
    # BEGIN SOLUTION hw3.pool_forward
    win, inside = _pool_windows(x, -np.inf, kh, kw, sh, sw, pad_top, pad_left,
                                out.shape[1], out.shape[2])
    inside = inside[None, :, :, :, None]
    is_nan = np.isnan(win)
    best = np.max(win, axis=3, keepdims=True)  # nan if any nan
    first_best = np.argmax((win == best) & inside, axis=3)
    first_nan = np.argmax(is_nan, axis=3)
    has_nan = is_nan.any(axis=3)
    arg[:] = np.where(has_nan, first_nan, first_best)
    out[:] = best[:, :, :, 0]
    # END SOLUTION


def max_pool_backward_numpy(grad, arg, dx, kh, kw, sh, sw, pad_top, pad_left):
    """Twin of ``max_pool_backward``: ``np.add.at`` onto each winner's cell."""
    # BEGIN SOLUTION hw3.pool_backward
    n, oh, ow, ch = np.indices(grad.shape)
    ih = oh * sh - pad_top + arg // kw
    iw = ow * sw - pad_left + arg % kw
    dx[:] = 0
    np.add.at(dx, (n, ih, iw, ch), grad)
    # END SOLUTION


def avg_pool_forward_numpy(x, out, kh, kw, sh, sw, pad_top, pad_left):
    """Twin of ``avg_pool_forward``: window sums over window cell counts."""
    # BEGIN SOLUTION hw3.pool_forward
    win, inside = _pool_windows(x, 0, kh, kw, sh, sw, pad_top, pad_left,
                                out.shape[1], out.shape[2])
    out[:] = win.sum(axis=3) / inside.sum(axis=2)[None, :, :, None]
    # END SOLUTION


def avg_pool_backward_numpy(grad, dx, kh, kw, sh, sw, pad_top, pad_left):
    """Twin of ``avg_pool_backward``: ``np.add.at`` of grad / count onto each cell."""
    # BEGIN SOLUTION hw3.pool_backward
    n_img, h, w, c = dx.shape
    out_h, out_w = grad.shape[1], grad.shape[2]
    _, inside = _pool_windows(dx, 0, kh, kw, sh, sw, pad_top, pad_left, out_h, out_w)
    share = grad / inside.sum(axis=2)[None, :, :, None]
    dx[:] = 0
    n, oh, ow, ch = np.indices(grad.shape)
    for i in range(kh):
        for j in range(kw):
            ih = oh * sh - pad_top + i
            iw = ow * sw - pad_left + j
            ok = (ih >= 0) & (ih < h) & (iw >= 0) & (iw < w)
            np.add.at(dx, (n[ok], ih[ok], iw[ok], ch[ok]), share[ok])
    # END SOLUTION
