"""Arithmetic: ``+ - * / **``, negation, absolute value, and dtype casts.

Each op is a ``Function`` with its forward and backward next to each other, and
the plain function that applies it right below. Backward receives ``grad``, the
gradient of the final scalar with respect to the op's output, and returns one
gradient per input. Shapes may differ by broadcasting: the engine sums each
gradient back to its input's shape, so a backward here is written as if all
shapes were equal.

The ``r``-functions (``radd``, ``rsub``, ...) are Python's reflected operators:
``2 - t`` calls ``t.__rsub__(2)``, which is ``rsub(t, 2) = Sub.apply(2, t)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.add_backward
        # d(a+b)/da = 1, d(a+b)/db = 1
        return grad, grad
        # END SOLUTION


def add(a: Any, b: Any) -> Tensor:
    """``a + b`` with NumPy broadcasting.

    >>> import autograd
    >>> autograd.add(autograd.tensor([1.0, 2.0]), 10.0)
    Tensor([11., 12.], shape=(2,), dtype=float32)
    """
    return Add.apply(a, b)


def radd(a: Any, b: Any) -> Tensor:
    return Add.apply(b, a)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


def sub(a: Any, b: Any) -> Tensor:
    """``a - b`` with broadcasting."""
    return Sub.apply(a, b)


def rsub(a: Any, b: Any) -> Tensor:
    return Sub.apply(b, a)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # BEGIN SOLUTION hw1.mul_backward
        # d(a*b)/da = b, d(a*b)/db = a
        grad_a = grad * b if ctx.needs_input_grad[0] else None
        grad_b = grad * a if ctx.needs_input_grad[1] else None
        # END SOLUTION
        return grad_a, grad_b


def mul(a: Any, b: Any) -> Tensor:
    """``a * b`` elementwise, with broadcasting."""
    return Mul.apply(a, b)


def rmul(a: Any, b: Any) -> Tensor:
    return Mul.apply(b, a)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # BEGIN SOLUTION hw1.div_backward
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        grad_a = grad / b if ctx.needs_input_grad[0] else None
        grad_b = -grad * a / (b * b) if ctx.needs_input_grad[1] else None
        # END SOLUTION
        return grad_a, grad_b


def div(a: Any, b: Any) -> Tensor:
    """``a / b`` elementwise, with broadcasting."""
    return Div.apply(a, b)


def rdiv(a: Any, b: Any) -> Tensor:
    return Div.apply(b, a)


class Pow(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        # BEGIN SOLUTION hw1.pow_backward
        # d(a^b)/da = b * a^(b-1);  d(a^b)/db = a^b * ln(a)  (defined for a > 0)
        if ctx.needs_input_grad[0]:
            grad_a = grad * b * a ** (b - 1)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = grad * out * np.log(a)
        # END SOLUTION
        return grad_a, grad_b


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - mirrors Python's operator name
    """``a ** b`` elementwise. The gradient for ``b`` needs ``a > 0``."""
    return Pow.apply(a, b)


def rpow(a: Any, b: Any) -> Tensor:
    return Pow.apply(b, a)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(a: Any) -> Tensor:
    """``-a``."""
    return Neg.apply(a)


def pos(a: Tensor) -> Tensor:
    """``+a`` returns ``a`` itself."""
    return a


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # d|a|/da = sign(a); we use 0 at a == 0, as PyTorch and TensorFlow do.
        return grad * np.sign(a)


def abs(a: Any) -> Tensor:  # noqa: A001
    """``|a|``; its gradient at 0 is 0."""
    return Abs.apply(a)


class Cast(Function):
    @staticmethod
    def forward(ctx, a, *, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.input_dtype)


def astype(a: Tensor, dtype: Any) -> Tensor:
    """Convert to another dtype. Float to float keeps the graph (the gradient is
    converted back); a cast to an integer or bool dtype leaves the graph.

    >>> import autograd
    >>> autograd.tensor([1.5]).astype("float64").dtype
    dtype('float64')
    """
    dtype = np.dtype(dtype)
    data = as_array(a)
    if dtype == data.dtype:
        return a if isinstance(a, Tensor) else Tensor(data)
    if dtype.kind not in "fc":
        return Tensor._from_op(data.astype(dtype))
    return Cast.apply(a, dtype=dtype)
