"""Copy, add and zero runs of adjacent elements in flat arrays: the inner loops of
im2col, col2im and pooling.

Why these exist: when Numba indexes an array with a signed integer it first
checks for a negative index (Python's ``a[-1]``). In a loop like
``dst[d + q] = src[s + q]`` that check cannot be proved away, and it stops LLVM
from turning the loop into SIMD copies (several times slower, measured:
benchmarks/README.md). Offsets in these helpers are never
negative, so they are converted to unsigned integers, for which there is no
such check. Everything else in the kernels keeps ordinary signed arithmetic.

(Unsigned arithmetic in Numba needs care: ``uint64 + int64`` becomes a float.
Inside these helpers every index is unsigned, so nothing mixes.)

``inline="always"`` makes Numba paste each helper into its caller before
compiling: as a real call, with Numba's error-status checks around it, im2col
ran measurably slower (benchmarks/README.md).

A caching caveat: Numba's on-disk cache of a kernel is invalidated when the
kernel's own file changes, not when a helper it calls changes. After editing
this file, delete the ``__pycache__/*.nbi`` and ``*.nbc`` files next to the
kernels (or touch ``im2col.py``), or the callers keep the old machine code.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def copy_run(dst, d, src, s, n):
    """``dst[d:d + n] = src[s:s + n]`` on flat arrays, for ``d, s, n >= 0``."""
    d = np.uint64(d)
    s = np.uint64(s)
    for q in range(np.uint64(n)):
        dst[d + q] = src[s + q]


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def add_run(dst, d, src, s, n):
    """``dst[d:d + n] += src[s:s + n]`` on flat arrays, for ``d, s, n >= 0``."""
    d = np.uint64(d)
    s = np.uint64(s)
    for q in range(np.uint64(n)):
        dst[d + q] += src[s + q]


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def zero_run(dst, d, n):
    """``dst[d:d + n] = 0`` on a flat array, for ``d, n >= 0``."""
    d = np.uint64(d)
    for q in range(np.uint64(n)):
        dst[d + q] = 0
