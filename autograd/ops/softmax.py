"""Softmax and log-softmax, numerically stable.

Written as compositions of exp, sum and log, logits of 1000 would overflow to
inf and the gradient would become nan. Both ops here subtract the maximum first.
(Array methods and ufunc reductions rather than np.sum/np.max: on the small
arrays of a small model, NumPy's Python-level wrappers cost more than the math.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor


def _stable_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """log(softmax(x)) along ``axis`` on arrays, finite for any finite logits (the
    cross-entropies use it too)."""
    # BEGIN SOLUTION hw2.log_softmax
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    # END SOLUTION


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, *, axis):
        e = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # Jacobian-vector product of softmax: s * (g - sum(g * s))
        return s * (grad - (grad * s).sum(axis=ctx.axis, keepdims=True))


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, without overflow.

    >>> import autograd
    >>> autograd.softmax(autograd.tensor([1000.0, 1000.0]))
    Tensor([0.5, 0.5], shape=(2,), dtype=float32)
    """
    return Softmax.apply(x, axis=axis)


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, *, axis):
        out = _stable_log_softmax(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # BEGIN SOLUTION hw2.log_softmax
        # d(log_softmax)_i/dx_j = delta_ij - softmax_j
        return grad - np.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)
        # END SOLUTION


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``axis``, computed directly (finite for any logits)."""
    return LogSoftmax.apply(x, axis=axis)
