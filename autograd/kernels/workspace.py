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

import ctypes
import os
import sys
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


# Arrays freed by one training step are asked for again, same sizes, by the next.
# glibc's malloc gives arrays over a threshold (dynamic, from 128 kB) their own
# mmap and returns them to the system when freed, so the next step's array of the
# same size starts as fresh pages, and every first write to each 4 kB page traps
# into the kernel: about 7,000 page faults per MNIST-convnet step at batch 128,
# 15-17 ms of system time in a 57 ms step. Keeping arrays up to 32 MB (glibc's
# largest allowed threshold) on the heap, and freed heap memory in the process up
# to 256 MB, removes them (benchmarks/README.md). Peak memory is unchanged; memory
# freed after a peak stays with the process for reuse instead of going back.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024


def reuse_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed large arrays for reuse (see above); return
    whether it applied. Called once by ``import autograd``. Nothing happens on other
    C libraries (macOS, Windows, musl), or with ``GRADSTACK_MALLOC=system`` set in the
    environment, which keeps the allocator's own defaults.
    """
    if os.environ.get("GRADSTACK_MALLOC") == "system" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(m_trim_threshold, TRIM_THRESHOLD_BYTES))
