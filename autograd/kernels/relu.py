"""ReLU's backward for a convolution that applies ReLU itself (``conv2d(...,
activation="relu")``): the incoming gradient where the output is positive, else 0.

Why a kernel: in NumPy, ``grad * (out > 0)`` makes a boolean temporary and then
multiplies float by bool through a casting loop - two passes, one of them slow;
on the 128x26x26x32 activations of the MNIST convnet it took 2-7 ms, this loop
about 1.1 ms (benchmarks/README.md). The ``ReLU`` op in ``autograd/ops/activations.py``
keeps the NumPy form: it is the one a learner writes.

>>> dgrad = np.empty(3)
>>> relu_backward(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, 2.0]), dgrad)
>>> dgrad
array([1., 0., 3.])
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def relu_backward(grad, out, dgrad):
    """``dgrad = grad where out > 0, else 0``; all three C-contiguous, same shape and
    dtype (``dgrad`` may be ``grad`` itself)."""
    g = grad.reshape(grad.size)
    o = out.reshape(out.size)
    d = dgrad.reshape(dgrad.size)
    for i in range(g.size):
        d[i] = g[i] if o[i] > 0 else 0  # a select, not a branch: LLVM vectorizes it


def relu_backward_numpy(grad, out, dgrad):
    """Twin of ``relu_backward``."""
    dgrad[...] = np.where(out > 0, grad, 0)  # a select: inf or nan where out <= 0 gives 0
