"""Scratch buffers that are reused from call to call.

Convolution fills a block of the column matrix, multiplies it, and moves on to
the next block. Asking NumPy for a fresh block each time is slower than it
looks: new memory is mapped lazily, so every first write to each 4 KB page
traps into the operating system (benchmarks/README.md has the measurement).
So each thread keeps one buffer per name and dtype, and grows it only when a
larger block is asked for.

>>> a = scratch("demo", 2, 3, "float32")
>>> a.shape, a.flags.c_contiguous
((2, 3), True)
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

# One set of buffers per thread, so that two threads running convolutions at the
# same time never write into each other's blocks.
_local = threading.local()


def scratch(name: str, rows: int, cols: int, dtype: Any) -> np.ndarray:
    """A C-contiguous (rows, cols) array of uninitialized memory, reused across calls.

    The contents are garbage from the previous use; the caller overwrites them.
    Two different ``name``s never share memory.
    """
    dtype = np.dtype(dtype)
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    key = (name, dtype)
    size = rows * cols
    buf = buffers.get(key)
    if buf is None or buf.size < size:
        buf = buffers[key] = np.empty(max(size, 1), dtype=dtype)
    return buf[:size].reshape(rows, cols)
