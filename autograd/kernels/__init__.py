"""Numba kernels: the loops behind convolution and pooling, on plain NumPy arrays.

Nothing here knows about Tensors or gradients-as-a-graph; the ops in
``autograd/ops/conv.py`` and ``autograd/ops/pool.py`` choose which kernel to
call. Every Numba kernel sits next to a NumPy twin with the same signature,
which the tests compare it with, and which reads as a specification.

- ``geometry.py``: window sizes, strides, "valid"/"same" padding (pure Python)
- ``im2col.py``: copy windows into rows of a matrix, and add them back
- ``conv.py``: the column matrix of a convolution, block by block, for the op in
  ``ops/conv.py`` (whose NumPy twin sits beside it there)
- ``pool.py``: max and average pooling, forward and backward
- ``depthwise.py``: depthwise convolution (one kernel per channel), forward and backward
- ``relu.py``: relu's derivative, for a convolution that applies relu itself
- ``recurrent.py``: one step of LSTM backward, for ``ops/recurrent.py``
- ``threads.py``: BLAS threads only on the cores no other process is running on, and
  held at one once convolutions run in lanes
- ``lanes.py``: a batch in two halves, on two threads (convolutions, pooling, depthwise)
- ``runs.py``: the copy/add/zero inner loops the kernels share
- ``arrays.py``, ``workspace.py``: the arrays kernels accept; reused scratch memory
- ``special.py``: erf, for GELU

Every kernel is ``@njit(cache=True, nogil=True, error_model="numpy")``: compiled on
first use and cached on disk; free to run while other Python threads hold the
GIL; and without Python's ZeroDivisionError checks, which cannot fire here (every
divisor is a stride or a size >= 1) and only cost code (measured: benchmarks/README.md).
``python -m autograd.kernels --warmup`` compiles them all ahead of time. To step
through a kernel in a debugger, run with ``NUMBA_DISABLE_JIT=1``: every kernel is
then ordinary (slow) Python.
"""
