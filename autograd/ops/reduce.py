"""Reductions: sum, mean, var, std, max, min, prod, logsumexp, argmax, argmin.

``axis`` is None (all axes), an int, or a tuple of ints; negative axes count
from the end. With ``keepdims=True`` the reduced axes stay as size 1.

Every backward here does the same first step: put the reduced axes back as
size 1 (``_expand``) so that the gradient broadcasts against the input.

(The code calls array methods and ufuncs - ``a.sum(...)``, ``np.maximum.reduce``
- rather than ``np.sum``/``np.max``: on small arrays NumPy's Python-level
wrappers cost more than the arithmetic, and small models run many small ops.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array

Axis = int | tuple[int, ...] | None


def _normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """Turn ``axis`` into a sorted tuple of non-negative axes, or explain the mistake."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ValueError(
                f"{op}: axis {ax} is out of range for a tensor with {ndim} dimension(s); "
                f"use an axis in [{-ndim}, {ndim - 1}]."
            )
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {axis} names the same axis twice.")
    return tuple(sorted(out))


def _expand(grad: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Reinsert reduced axes as size 1 so ``grad`` broadcasts against the input."""
    # BEGIN SOLUTION hw1.sum_mean_backward
    if keepdims or not axes:
        return grad
    shape = list(grad.shape)
    for ax in axes:  # sorted, so each insert lands where the axis was
        shape.insert(ax, 1)
    return grad.reshape(shape)
    # END SOLUTION


def _spread(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Repeat ``grad`` (reduced axes kept as size 1) over the input's shape."""
    if _prod(shape) <= 65536:
        # Small: a filled array is cheaper than np.broadcast_to's bookkeeping.
        out = np.empty(shape, dtype=grad.dtype)
        np.copyto(out, grad)
        return out
    # Large: a read-only view that repeats values without copying them.
    return np.broadcast_to(grad, shape)


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _without(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the given axes removed."""
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


class Sum(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims):
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return a.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.sum_mean_backward
        # Every input element contributed once: copy the gradient back to all of them.
        return _spread(_expand(grad, ctx.axes, ctx.keepdims), ctx.shape)
        # END SOLUTION


def sum(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default).

    >>> import autograd
    >>> autograd.sum(autograd.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    Tensor([4., 6.], shape=(2,), dtype=float32)
    """
    return Sum.apply(a, axes=_normalize_axis(axis, as_array(a).ndim, "sum"), keepdims=keepdims)


class Mean(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims):
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return a.sum(axis=axes, keepdims=keepdims) / _count(a.shape, axes)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.sum_mean_backward
        n = _count(ctx.shape, ctx.axes)
        return _spread(_expand(grad, ctx.axes, ctx.keepdims) / n, ctx.shape)
        # END SOLUTION


def mean(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes by default)."""
    return Mean.apply(a, axes=_normalize_axis(axis, as_array(a).ndim, "mean"), keepdims=keepdims)


class Var(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims, ddof):
        mean = a.sum(axis=axes, keepdims=True) / _count(a.shape, axes)
        centered = a - mean
        ctx.save_for_backward(centered)
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.denominator = _count(a.shape, axes) - ddof
        return (centered * centered).sum(axis=axes, keepdims=keepdims) / ctx.denominator

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        # d/dx_i of sum_j (x_j - mean)^2 / d  is  2 (x_i - mean) / d
        # (the terms through the mean cancel because centered values sum to zero).
        return _expand(grad, ctx.axes, ctx.keepdims) * 2 * centered / ctx.denominator


def var(a: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over ``axis``; ``ddof=0`` divides by n (as NumPy and Keras do)."""
    axes = _normalize_axis(axis, as_array(a).ndim, "var")
    return Var.apply(a, axes=axes, keepdims=keepdims, ddof=ddof)


class Std(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims, ddof):
        mean = a.sum(axis=axes, keepdims=True) / _count(a.shape, axes)
        centered = a - mean
        denominator = _count(a.shape, axes) - ddof
        out = np.sqrt((centered * centered).sum(axis=axes, keepdims=True) / denominator)
        ctx.save_for_backward(centered, out)
        ctx.axes, ctx.keepdims, ctx.denominator = axes, keepdims, denominator
        return out if keepdims else out.reshape(_without(out.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        centered, out = ctx.saved_tensors
        # d sqrt(var)/dx_i = (x_i - mean) / (d * std). Where std is 0 every x_i equals
        # the mean and the gradient is 0 (as in PyTorch), not 0/0 = NaN.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(out == 0, 0, 1 / (out * ctx.denominator))
        return _expand(grad, ctx.axes, ctx.keepdims) * centered * scale


def std(a: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Standard deviation ``sqrt(var)`` over ``axis``; over values that are all
    equal its gradient is 0, as in PyTorch.

    >>> import autograd
    >>> autograd.std(autograd.tensor([1.0, 3.0])).item()
    1.0
    """
    axes = _normalize_axis(axis, as_array(a).ndim, "std")
    return Std.apply(a, axes=axes, keepdims=keepdims, ddof=ddof)


class MaxMin(Function):
    """max or min along axes; the gradient goes to the winning element(s)."""

    @staticmethod
    def forward(ctx, a, *, axes, keepdims, take_max):
        reduce = np.maximum.reduce if take_max else np.minimum.reduce
        out = reduce(a, axis=axes, keepdims=True)
        ctx.save_for_backward(a, out)
        ctx.axes, ctx.keepdims = axes, keepdims
        return out if keepdims else out.reshape(_without(out.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        # BEGIN SOLUTION hw1.max_backward
        winners = a == out
        # Ties share the gradient equally, so the total that flows back is unchanged.
        share = winners / winners.sum(axis=ctx.axes, keepdims=True)
        return _expand(grad, ctx.axes, ctx.keepdims) * share
        # END SOLUTION


def max(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value over ``axis``; tied winners share the gradient equally."""
    _check_not_empty(a, "max")
    axes = _normalize_axis(axis, as_array(a).ndim, "max")
    return MaxMin.apply(a, axes=axes, keepdims=keepdims, take_max=True)


def min(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value over ``axis``; tied winners share the gradient equally."""
    _check_not_empty(a, "min")
    axes = _normalize_axis(axis, as_array(a).ndim, "min")
    return MaxMin.apply(a, axes=axes, keepdims=keepdims, take_max=False)


def _check_not_empty(a: Any, op: str) -> None:
    if as_array(a).size == 0:
        raise ValueError(f"{op} of an empty tensor (shape {as_array(a).shape}) has no value.")


class Prod(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims):
        ctx.save_for_backward(a)
        ctx.axes, ctx.keepdims = axes, keepdims
        return np.prod(a, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # d(prod)/da_i is the product of all the other elements. Dividing the product
        # by a_i fails when a_i == 0, so multiply exclusive prefix and suffix products.
        others = _product_of_others(a, ctx.axes)
        return _expand(grad, ctx.axes, ctx.keepdims) * others


def _product_of_others(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """For each element, the product of the other elements in its reduction group."""
    kept = [ax for ax in range(a.ndim) if ax not in axes]
    moved = np.transpose(a, kept + list(axes))
    group = int(np.prod([a.shape[ax] for ax in axes])) if axes else 1
    flat = moved.reshape(moved.shape[: len(kept)] + (group,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    prefix = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    suffix = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (prefix * suffix).reshape(moved.shape)
    return np.transpose(others, np.argsort(kept + list(axes)))


def prod(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Product over ``axis``; the gradient is right even where elements are zero."""
    axes = _normalize_axis(axis, as_array(a).ndim, "prod")
    return Prod.apply(a, axes=axes, keepdims=keepdims)


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, a, *, axes, keepdims):
        # log(sum(e^a)) = m + log(sum(e^(a - m))) with m = max(a): no overflow.
        # (initial=-inf: an empty group has no maximum, and its logsumexp is
        # log(0) = -inf, as in PyTorch.)
        m = np.maximum.reduce(a, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        e = np.exp(a - m)
        total = e.sum(axis=axes, keepdims=True)
        with np.errstate(divide="ignore"):
            out = np.log(total) + m
        # The gradient is softmax(a). Keep it from the shifted values: recomputing it
        # as e^(a - out) would lose digits to the rounding of a large ``out``.
        ctx.save_for_backward(e / total)
        ctx.axes, ctx.keepdims = axes, keepdims
        return out if keepdims else out.reshape(_without(out.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        (softmax,) = ctx.saved_tensors
        # d(logsumexp)/da_i = softmax(a)_i = e^(a_i - m) / sum_j e^(a_j - m)
        return _expand(grad, ctx.axes, ctx.keepdims) * softmax


def logsumexp(a: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(a)))`` over ``axis``, computed without overflow.

    >>> import autograd
    >>> autograd.logsumexp(autograd.tensor([1000.0, 1000.0])).item()  # 1000 + log 2
    1000.6931762695312
    """
    axes = _normalize_axis(axis, as_array(a).ndim, "logsumexp")
    return LogSumExp.apply(a, axes=axes, keepdims=keepdims)


def argmax(a: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the largest value (an int64 tensor, outside the graph)."""
    return Tensor._from_op(np.asarray(np.argmax(as_array(a), axis=axis, keepdims=keepdims)))


def argmin(a: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the smallest value (an int64 tensor, outside the graph)."""
    return Tensor._from_op(np.asarray(np.argmin(as_array(a), axis=axis, keepdims=keepdims)))
