"""Activation functions: tanh, sigmoid, relu, leaky_relu, elu, softplus, gelu.

Each derivative is written in terms of what forward already computed (often
the output itself: ``tanh' = 1 - tanh^2``, ``sigmoid' = s (1 - s)``), which is
why forward saves it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # BEGIN SOLUTION hw1.tanh_backward
        return grad * (1 - out * out)  # d(tanh a)/da = 1 - tanh(a)^2
        # END SOLUTION


def tanh(a: Any) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return Tanh.apply(a)


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
        # BEGIN SOLUTION hw1.sigmoid_backward
        return grad * out * (1 - out)  # s'(a) = s(a) (1 - s(a))
        # END SOLUTION


def sigmoid(a: Any) -> Tensor:
    """``1 / (1 + exp(-a))``, computed without overflow.

    >>> import autograd
    >>> autograd.sigmoid(autograd.tensor([0.0]))
    Tensor([0.5], shape=(1,), dtype=float32)
    """
    return Sigmoid.apply(a)


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # BEGIN SOLUTION hw1.relu_backward
        return grad * (out > 0)  # 1 where a > 0, else 0 (also at a == 0)
        # END SOLUTION


def relu(a: Any) -> Tensor:
    """``max(a, 0)``; the gradient at 0 is 0.

    >>> import autograd
    >>> autograd.relu(autograd.tensor([-1.0, 2.0]))
    Tensor([0., 2.], shape=(2,), dtype=float32)
    """
    return ReLU.apply(a)


class LeakyReLU(Function):
    @staticmethod
    def forward(ctx, a, *, negative_slope):
        ctx.save_for_backward(a)
        ctx.negative_slope = negative_slope
        return np.where(a > 0, a, a * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return np.where(a > 0, grad, grad * ctx.negative_slope)


def leaky_relu(a: Any, negative_slope: float = 0.01) -> Tensor:
    """``a`` where positive, else ``negative_slope * a`` (PyTorch's default slope)."""
    return LeakyReLU.apply(a, negative_slope=negative_slope)


class ELU(Function):
    @staticmethod
    def forward(ctx, a, *, alpha):
        out = np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))
        ctx.save_for_backward(a, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        # for a <= 0: d(alpha (e^a - 1))/da = alpha e^a = out + alpha
        return np.where(a > 0, grad, grad * (out + ctx.alpha))


def elu(a: Any, alpha: float = 1.0) -> Tensor:
    """``a`` where positive, else ``alpha * (exp(a) - 1)``."""
    return ELU.apply(a, alpha=alpha)


class Softplus(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.logaddexp(0, a)  # ln(1 + e^a) without overflow

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 0.5 * (np.tanh(0.5 * a) + 1)  # derivative is sigmoid(a)


def softplus(a: Any) -> Tensor:
    """``log(1 + exp(a))``, computed without overflow."""
    return Softplus.apply(a)


_SQRT_HALF = math.sqrt(0.5)


_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


_GELU_C = math.sqrt(2 / math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    from ..kernels.special import erf

    return erf(x)


class GELU(Function):
    @staticmethod
    def forward(ctx, a, *, approximate):
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


def gelu(a: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit ``a * Phi(a)``; ``approximate=True`` uses the tanh
    formula."""
    return GELU.apply(a, approximate=approximate)
