"""Elementwise math functions: exp, log, sqrt, square, sin, cos.

Each op's backward is its derivative times the incoming gradient; most save
their output or input in forward because the derivative is written in it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # BEGIN SOLUTION hw1.exp_log_backward
        return grad * out  # d(e^a)/da = e^a
        # END SOLUTION


def exp(a: Any) -> Tensor:
    """``e ** a`` elementwise.

    >>> import autograd
    >>> autograd.exp(autograd.tensor([0.0]))
    Tensor([1.], shape=(1,), dtype=float32)
    """
    return Exp.apply(a)


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # BEGIN SOLUTION hw1.exp_log_backward
        return grad / a  # d(ln a)/da = 1/a
        # END SOLUTION


def log(a: Any) -> Tensor:
    """Natural logarithm, elementwise."""
    return Log.apply(a)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)  # d(sqrt a)/da = 1 / (2 sqrt a)


def sqrt(a: Any) -> Tensor:
    """Square root, elementwise."""
    return Sqrt.apply(a)


class Square(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 2 * a


def square(a: Any) -> Tensor:
    """``a * a``, elementwise."""
    return Square.apply(a)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.cos(a)


def sin(a: Any) -> Tensor:
    """Sine, elementwise."""
    return Sin.apply(a)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * np.sin(a)


def cos(a: Any) -> Tensor:
    """Cosine, elementwise."""
    return Cos.apply(a)
