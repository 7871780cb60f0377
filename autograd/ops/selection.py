"""Ops that pick between values: maximum, minimum, clip, where.

The gradient flows to whichever input was picked; where two inputs tie,
``maximum`` and ``minimum`` split it in half, so the total is unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # The larger input gets the gradient; a tie splits it in half.
        share_a = (a > b) + 0.5 * (a == b)
        return grad * share_a, grad * (1 - share_a)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``; a tie splits the gradient in half."""
    return Maximum.apply(a, b)


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share_a = (a < b) + 0.5 * (a == b)
        return grad * share_a, grad * (1 - share_a)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``; a tie splits the gradient in half."""
    return Minimum.apply(a, b)


class Clip(Function):
    @staticmethod
    def forward(ctx, a, *, low, high):
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        # np.maximum/np.minimum directly: np.clip's Python wrapper costs more than the
        # arithmetic on small arrays.
        out = a if low is None else np.maximum(a, low)
        return out if high is None else np.minimum(out, high)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # Gradient passes where the value was not clipped (bounds included).
        inside = np.ones(a.shape, dtype=bool)
        if ctx.low is not None:
            inside &= a >= ctx.low
        if ctx.high is not None:
            inside &= a <= ctx.high
        return grad * inside


def clip(a: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to ``[min, max]``; the gradient is 0 where a value was clipped.

    >>> import autograd
    >>> autograd.clip(autograd.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
    Tensor([0. , 0.5, 1. ], shape=(3,), dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clip needs at least one bound: clip(x, min=..., max=...)")
    return Clip.apply(a, low=min, high=max)


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        cond = ctx.condition
        zero = np.zeros((), dtype=grad.dtype)
        return None, np.where(cond, grad, zero), np.where(cond, zero, grad)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` is true, else ``b`` (broadcasting all three).

    >>> import autograd
    >>> x = autograd.tensor([-1.0, 2.0])
    >>> autograd.where(x > 0, x, 0.0)
    Tensor([0., 2.], shape=(2,), dtype=float32)
    """
    cond = as_array(condition)
    return Where.apply(cond.astype(bool, copy=False), a, b)
