"""The error function ``erf``, which NumPy lacks and exact GELU needs.

``erf_numba`` is the compiled kernel; ``erf_numpy`` is its plain twin (one
Python ``math.erf`` call per element: slow, but obviously right). ``erf``
picks the kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def erf_numba(x, out):
    """Write erf(x) into ``out`` (both flat, contiguous, same dtype)."""
    for i in range(x.shape[0]):
        out[i] = math.erf(x[i])


def erf_numpy(x: np.ndarray) -> np.ndarray:
    """Twin of ``erf_numba`` for tests and for reading."""
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def erf(x: np.ndarray) -> np.ndarray:
    """erf of every element of a floating-point array, same shape and dtype."""
    x = np.asarray(x)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    erf_numba(flat, out)
    return out.reshape(x.shape)
