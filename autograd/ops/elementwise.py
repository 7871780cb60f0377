"""Elementwise ops: arithmetic, activations, comparisons.

Each op is a ``Function`` with its forward and backward next to each other.
Backward receives ``grad``, the gradient of the final scalar with respect to
the op's output, and returns the gradient with respect to each input. Shapes
may differ by broadcasting: the engine sums each gradient back to its input's
shape, so a backward here is written as if all shapes were equal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array

# ---------------------------------------------------------------- arithmetic


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        # d(a+b)/da = 1, d(a+b)/db = 1
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a*b)/da = b, d(a*b)/db = a
        grad_a = grad * b if ctx.needs_input_grad[0] else None
        grad_b = grad * a if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        grad_a = grad / b if ctx.needs_input_grad[0] else None
        grad_b = -grad * a / (b * b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Pow(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        # d(a^b)/da = b * a^(b-1);  d(a^b)/db = a^b * ln(a)  (defined for a > 0)
        grad_a = grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = grad * out * np.log(a)
        return grad_a, grad_b


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


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


class Cast(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.input_dtype), None


def add(a: Any, b: Any) -> Tensor:
    """``a + b`` with NumPy broadcasting.

    >>> import autograd
    >>> autograd.add(autograd.tensor([1.0, 2.0]), 10.0)
    Tensor([11., 12.], shape=(2,), dtype=float32)
    """
    return Add.apply(a, b)


def radd(a: Any, b: Any) -> Tensor:
    return Add.apply(b, a)


def sub(a: Any, b: Any) -> Tensor:
    """``a - b`` with broadcasting."""
    return Sub.apply(a, b)


def rsub(a: Any, b: Any) -> Tensor:
    return Sub.apply(b, a)


def mul(a: Any, b: Any) -> Tensor:
    """``a * b`` elementwise, with broadcasting."""
    return Mul.apply(a, b)


def rmul(a: Any, b: Any) -> Tensor:
    return Mul.apply(b, a)


def div(a: Any, b: Any) -> Tensor:
    """``a / b`` elementwise, with broadcasting."""
    return Div.apply(a, b)


def rdiv(a: Any, b: Any) -> Tensor:
    return Div.apply(b, a)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - mirrors Python's operator name
    """``a ** b`` elementwise. The gradient for ``b`` needs ``a > 0``."""
    return Pow.apply(a, b)


def rpow(a: Any, b: Any) -> Tensor:
    return Pow.apply(b, a)


def neg(a: Any) -> Tensor:
    """``-a``."""
    return Neg.apply(a)


def pos(a: Tensor) -> Tensor:
    """``+a`` returns ``a`` itself."""
    return a


def abs(a: Any) -> Tensor:  # noqa: A001
    """``|a|``; its gradient at 0 is 0."""
    return Abs.apply(a)


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
    return Cast.apply(a, dtype)


# ---------------------------------------------------------------- math functions


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out  # d(e^a)/da = e^a


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a  # d(ln a)/da = 1/a


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


class Square(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 2 * a


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.cos(a)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * np.sin(a)


def exp(a: Any) -> Tensor:
    """``e ** a`` elementwise.

    >>> import autograd
    >>> autograd.exp(autograd.tensor([0.0]))
    Tensor([1.], shape=(1,), dtype=float32)
    """
    return Exp.apply(a)


def log(a: Any) -> Tensor:
    """Natural logarithm, elementwise."""
    return Log.apply(a)


def sqrt(a: Any) -> Tensor:
    """Square root, elementwise."""
    return Sqrt.apply(a)


def square(a: Any) -> Tensor:
    """``a * a``, elementwise."""
    return Square.apply(a)


def sin(a: Any) -> Tensor:
    """Sine, elementwise."""
    return Sin.apply(a)


def cos(a: Any) -> Tensor:
    """Cosine, elementwise."""
    return Cos.apply(a)


# ---------------------------------------------------------------- activations


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)  # d(tanh a)/da = 1 - tanh(a)^2


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        # 1 / (1 + e^-a) written through tanh: never overflows for large |a|.
        out = 0.5 * (np.tanh(0.5 * a) + 1)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)  # s'(a) = s(a) (1 - s(a))


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # 1 where a > 0, else 0 (also at a == 0)


class LeakyReLU(Function):
    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.save_for_backward(a)
        ctx.negative_slope = negative_slope
        return np.where(a > 0, a, a * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return np.where(a > 0, grad, grad * ctx.negative_slope)


class ELU(Function):
    @staticmethod
    def forward(ctx, a, alpha):
        out = np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))
        ctx.save_for_backward(a, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        # for a <= 0: d(alpha (e^a - 1))/da = alpha e^a = out + alpha
        return np.where(a > 0, grad, grad * (out + ctx.alpha))


class Softplus(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.logaddexp(0, a)  # ln(1 + e^a) without overflow

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 0.5 * (np.tanh(0.5 * a) + 1)  # derivative is sigmoid(a)


class GELU(Function):
    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate:
            inner = _GELU_C * (a + 0.044715 * a**3)
            return 0.5 * a * (1 + np.tanh(inner))
        return 0.5 * a * (1 + _erf(a * _SQRT_HALF))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.approximate:
            inner = _GELU_C * (a + 0.044715 * a**3)
            t = np.tanh(inner)
            d_inner = _GELU_C * (1 + 3 * 0.044715 * a * a)
            return grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * d_inner)
        # d/da [a Phi(a)] = Phi(a) + a phi(a)
        cdf = 0.5 * (1 + _erf(a * _SQRT_HALF))
        pdf = np.exp(-0.5 * a * a) * _INV_SQRT_2PI
        return grad * (cdf + a * pdf)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_C = math.sqrt(2 / math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    from ..kernels.special import erf

    return erf(x)


def tanh(a: Any) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return Tanh.apply(a)


def sigmoid(a: Any) -> Tensor:
    """``1 / (1 + exp(-a))``, computed without overflow.

    >>> import autograd
    >>> autograd.sigmoid(autograd.tensor([0.0]))
    Tensor([0.5], shape=(1,), dtype=float32)
    """
    return Sigmoid.apply(a)


def relu(a: Any) -> Tensor:
    """``max(a, 0)``; the gradient at 0 is 0.

    >>> import autograd
    >>> autograd.relu(autograd.tensor([-1.0, 2.0]))
    Tensor([0., 2.], shape=(2,), dtype=float32)
    """
    return ReLU.apply(a)


def leaky_relu(a: Any, negative_slope: float = 0.01) -> Tensor:
    """``a`` where positive, else ``negative_slope * a`` (PyTorch's default slope)."""
    return LeakyReLU.apply(a, negative_slope=negative_slope)


def elu(a: Any, alpha: float = 1.0) -> Tensor:
    """``a`` where positive, else ``alpha * (exp(a) - 1)``."""
    return ELU.apply(a, alpha=alpha)


def softplus(a: Any) -> Tensor:
    """``log(1 + exp(a))``, computed without overflow."""
    return Softplus.apply(a)


def gelu(a: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit ``a * Phi(a)``; ``approximate=True`` uses the tanh
    formula."""
    return GELU.apply(a, approximate=approximate)


# ---------------------------------------------------------------- selection


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


class Clip(Function):
    @staticmethod
    def forward(ctx, a, low, high):
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


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``; a tie splits the gradient in half."""
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``; a tie splits the gradient in half."""
    return Minimum.apply(a, b)


def clip(a: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to ``[min, max]``; the gradient is 0 where a value was clipped.

    >>> import autograd
    >>> autograd.clip(autograd.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
    Tensor([0. , 0.5, 1. ], shape=(3,), dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clip needs at least one bound: clip(x, min=..., max=...)")
    return Clip.apply(a, low=min, high=max)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` is true, else ``b`` (broadcasting all three).

    >>> import autograd
    >>> x = autograd.tensor([-1.0, 2.0])
    >>> autograd.where(x > 0, x, 0.0)
    Tensor([0., 2.], shape=(2,), dtype=float32)
    """
    cond = as_array(condition)
    return Where.apply(cond.astype(bool, copy=False), a, b)


# ---------------------------------------------------------------- comparisons
# Comparisons return bool tensors outside the graph: they have no gradient.


def _compare(ufunc: np.ufunc, a: Any, b: Any) -> Tensor:
    a = a.data if isinstance(a, Tensor) else a
    b = b.data if isinstance(b, Tensor) else b
    return Tensor._from_op(np.asarray(ufunc(a, b)))


def equal(a: Any, b: Any) -> Any:
    """Elementwise ``a == b`` as a bool tensor (no gradient)."""
    if b is None:
        return False
    return _compare(np.equal, a, b)


def not_equal(a: Any, b: Any) -> Any:
    """Elementwise ``a != b`` as a bool tensor (no gradient)."""
    if b is None:
        return True
    return _compare(np.not_equal, a, b)


def less(a: Any, b: Any) -> Tensor:
    """Elementwise ``a < b`` as a bool tensor (no gradient)."""
    return _compare(np.less, a, b)


def less_equal(a: Any, b: Any) -> Tensor:
    """Elementwise ``a <= b`` as a bool tensor (no gradient)."""
    return _compare(np.less_equal, a, b)


def greater(a: Any, b: Any) -> Tensor:
    """Elementwise ``a > b`` as a bool tensor (no gradient)."""
    return _compare(np.greater, a, b)


def greater_equal(a: Any, b: Any) -> Tensor:
    """Elementwise ``a >= b`` as a bool tensor (no gradient)."""
    return _compare(np.greater_equal, a, b)
