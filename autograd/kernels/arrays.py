"""The arrays the kernels accept, and how to get them.

Numba compiles one machine-code version of a kernel per combination of argument
types, and "type" includes dtype, memory layout and whether the array is
read-only. To keep that to two versions per kernel (float32 and float64, both
C-contiguous and writeable) every array goes through ``as_kernel_array`` first.

>>> a = as_kernel_array(np.arange(6).reshape(2, 3).T, np.float32)
>>> a.dtype, a.flags.c_contiguous, a.flags.writeable
(dtype('float32'), True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def kernel_dtype(*arrays: Any) -> np.dtype:
    """float64 if any input is float64; otherwise float32 (ints and float16 included)."""
    is_64 = any(np.asarray(a).dtype == np.float64 for a in arrays if a is not None)
    return np.dtype(np.float64 if is_64 else np.float32)


def as_kernel_array(a: Any, dtype: Any) -> np.ndarray:
    """``a`` as a C-contiguous, writeable array of ``dtype`` (copied only if needed)."""
    a = np.ascontiguousarray(a, dtype=dtype)
    if not a.flags.writeable:  # e.g. a broadcast gradient: read-only arrays are another type
        a = a.copy()
    return a


def sum_over_pixels(a: np.ndarray) -> np.ndarray:
    """The sum of ``a`` over every axis but the last, as one BLAS product ``ones @ a``:
    a bias's gradient. NumPy's ``sum`` down a tall matrix runs about 10x slower
    (1.1 against 0.09 ms on 53,824 x 16, benchmarks/README.md).

    >>> sum_over_pixels(np.ones((2, 3, 4), np.float32))
    array([6., 6., 6., 6.], dtype=float32)
    """
    rows = a.reshape(-1, a.shape[-1])
    return np.ones(len(rows), dtype=a.dtype) @ rows
