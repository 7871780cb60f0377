"""Depthwise convolution: every channel convolved with its own small kernel.

For NHWC input ``x`` and a (kh, kw, C) ``kernel`` (one kh x kw kernel per channel),

    out[n, oh, ow, c] = sum over (i, j) of x[n, ih, iw, c] * kernel[i, j, c]
    with ih = oh * sh - pad_top + i * dh,  iw = ow * sw - pad_left + j * dw

where cells that fall on the padding add nothing. There is no sum over channels,
so there is no matrix product to hand to BLAS: im2col + matmul (``conv.py``) would
multiply a kernel that is zero off its diagonal, ``C`` times the work. These loops
do only the needed multiply-adds, the channel loop innermost (adjacent in memory
in ``x``, ``kernel`` and ``out``, so the compiler vectorizes it).

``depthwise_backward`` is the same loop read backwards: each product
``x * kernel`` that made ``out`` sends ``grad * kernel`` back to the input cell
and ``grad * x`` to the kernel cell. ``ops/depthwise_conv.py`` runs both on the
batch in two lanes (``lanes.py``), as pooling does; a depth multiplier M > 1 is
M copies of each channel there, so these kernels only see M = 1.

Each Numba kernel has a NumPy twin with the same signature, used by the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .im2col import _windows, col2im_rows_numpy


@njit(cache=True, nogil=True, error_model="numpy")
def depthwise_forward(x, kernel, out, sh, sw, dh, dw, pad_top, pad_left):
    """Add the depthwise convolution of ``x`` (N, H, W, C) with ``kernel`` (kh, kw, C)
    onto ``out`` (N, out_h, out_w, C): the caller fills ``out`` with the bias, or 0.

    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> out = np.zeros((1, 2, 2, 1))
    >>> depthwise_forward(x, np.ones((2, 2, 1)), out, 1, 1, 1, 1, 0, 0)
    >>> out[0, :, :, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    n_img, h, w, c = x.shape
    kh, kw = kernel.shape[0], kernel.shape[1]
    out_h, out_w = out.shape[1], out.shape[2]
    for n in range(n_img):
        for oh in range(out_h):
            for i in range(kh):
                ih = oh * sh - pad_top + i * dh
                if ih < 0 or ih >= h:
                    continue  # this kernel row lies on the padding
                for ow in range(out_w):
                    for j in range(kw):
                        iw = ow * sw - pad_left + j * dw
                        if iw < 0 or iw >= w:
                            continue
                        for ch in range(c):  # adjacent values: vectorized
                            out[n, oh, ow, ch] += x[n, ih, iw, ch] * kernel[i, j, ch]


@njit(cache=True, nogil=True, error_model="numpy")
def depthwise_backward(x, kernel, grad, dx, dkernel, sh, sw, dh, dw, pad_top, pad_left):
    """Add the gradients of ``depthwise_forward`` onto ``dx`` (N, H, W, C) and
    ``dkernel`` (kh, kw, C), given ``grad`` (N, out_h, out_w, C) of its output:

        dx[n, ih, iw, c]  += grad[n, oh, ow, c] * kernel[i, j, c]
        dkernel[i, j, c]  += grad[n, oh, ow, c] * x[n, ih, iw, c]

    One image at a time (its arrays stay in the cache), one kernel cell at a time:
    cell (i, j) meets input cell (ih, iw) at every output pixel (oh, ow).
    """
    n_img, h, w, c = x.shape
    kh, kw = kernel.shape[0], kernel.shape[1]
    out_h, out_w = grad.shape[1], grad.shape[2]
    for n in range(n_img):
        for i in range(kh):
            for j in range(kw):
                for oh in range(out_h):
                    ih = oh * sh - pad_top + i * dh
                    if ih < 0 or ih >= h:
                        continue  # cell (i, j) lies on the padding for this row
                    for ow in range(out_w):
                        iw = ow * sw - pad_left + j * dw
                        if iw < 0 or iw >= w:
                            continue
                        for ch in range(c):
                            g = grad[n, oh, ow, ch]
                            dx[n, ih, iw, ch] += g * kernel[i, j, ch]
                            dkernel[i, j, ch] += g * x[n, ih, iw, ch]


# ---------------------------------------------------------------- NumPy twins


def depthwise_forward_numpy(x, kernel, out, sh, sw, dh, dw, pad_top, pad_left):
    """Twin of ``depthwise_forward``: every window at once (a view), times the kernel,
    summed over the window's cells."""
    kh, kw = kernel.shape[0], kernel.shape[1]
    windows = _windows(x, kh, kw, sh, sw, dh, dw, pad_top, pad_left,
                       out.shape[1], out.shape[2])  # (N, out_h, out_w, kh, kw, C)
    out += np.einsum("nhwijc,ijc->nhwc", windows, kernel)


def depthwise_backward_numpy(x, kernel, grad, dx, dkernel, sh, sw, dh, dw, pad_top, pad_left):
    """Twin of ``depthwise_backward``: the kernel's gradient from the same windows, and
    each window's gradient ``grad * kernel`` added back by ``col2im_rows_numpy``."""
    kh, kw, c = kernel.shape
    out_h, out_w = grad.shape[1], grad.shape[2]
    geometry = (kh, kw, sh, sw, dh, dw, pad_top, pad_left, out_h, out_w)
    dkernel += np.einsum("nhwijc,nhwc->ijc", _windows(x, *geometry), grad)
    d_windows = grad[:, :, :, None, None, :] * kernel  # (N, out_h, out_w, kh, kw, C)
    col2im_rows_numpy(d_windows.reshape(-1, kh * kw * c), dx, 0, *geometry)
