"""PyTorch's spellings, all in this one file, so that micrograd-style and PyTorch
course code runs on gradstack.

Each function below is a thin wrapper that translates PyTorch's keywords to
gradstack's and calls the op in ``autograd/ops/`` (where its backward is).
They are bound to Tensor one per line at the bottom of ``tensor.py``, and the
module-level ``autograd.sum``, ``autograd.softmax``, ... are these functions too.
``docs/coming_from_pytorch.md`` has the whole table.

=============================== ========================================
PyTorch                         gradstack's own spelling
=============================== ========================================
``x.sum(dim=1, keepdim=True)``  ``x.sum(axis=1, keepdims=True)``
(also mean, prod, logsumexp, argmax, argmin, var, std, max, min)
``x.max(dim=1)`` -> (values, indices)  ``x.max(axis=1)``, ``x.argmax(axis=1)``
``x.var(dim=0)`` (divides by n-1)  ``x.var(axis=0, ddof=1)``
``x.softmax(dim=-1)``           ``x.softmax(axis=-1)`` (also log_softmax)
``x.pow(2)``                    ``x ** 2``
``x.clamp(min=0, max=1)``       ``x.clip(0, 1)``
``x.view(2, -1)``               ``x.reshape(2, -1)``
``x.permute(0, 2, 1)``          ``x.transpose(0, 2, 1)``
``x.unsqueeze(1)``              ``x.expand_dims(1)``
=============================== ========================================

Two rules keep this honest:

- ``dim=`` means "the caller thinks in PyTorch", so it gets PyTorch's answer where
  the two libraries differ: ``max``/``min`` with ``dim=`` return the pair
  ``(values, indices)`` and ``var``/``std`` with ``dim=`` divide by ``n - 1``
  (``correction=1``), as PyTorch does. With ``axis=`` nothing changes.
- Giving both ``axis=`` and ``dim=`` is an error, never a guess.

>>> import autograd
>>> x = autograd.tensor([[1.0, 5.0], [4.0, 2.0]])
>>> x.sum(dim=1, keepdim=True).shape
(2, 1)
>>> values, indices = x.max(dim=1)
>>> values.tolist(), indices.tolist()
([5.0, 4.0], [1, 0])
>>> x.unsqueeze(0).permute(1, 2, 0).view(-1).shape
(4,)
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .ops import arithmetic, reduce, selection, shape
from .ops import softmax as softmax_ops
from .tensor import Tensor


class ValuesIndices(NamedTuple):
    """What ``x.max(dim=...)`` and ``x.min(dim=...)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


def _axis(op: str, axis: Any, dim: Any) -> Any:
    if dim is None:
        return axis
    if axis is not None:
        raise TypeError(
            f"{op}() got both axis={axis!r} and dim={dim!r}; they mean the same thing "
            "(dim is PyTorch's name). Pass one of them."
        )
    return dim


def _keepdims(keepdims: bool, keepdim: bool | None) -> bool:
    # keepdim (PyTorch) wins when given: keepdims=False is also just the default
    return bool(keepdims) if keepdim is None else bool(keepdim)


# ---------------------------------------------------------------- reductions


def sum(x: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Sum over ``axis`` (PyTorch: ``dim``); see ``ops/reduce.py``."""
    axis = _axis("sum", axis, dim)
    return reduce.sum(x, axis, _keepdims(keepdims, keepdim))


def mean(x: Any, axis: Any = None, keepdims: bool = False, *,
         dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Mean over ``axis`` (PyTorch: ``dim``)."""
    axis = _axis("mean", axis, dim)
    return reduce.mean(x, axis, _keepdims(keepdims, keepdim))


def prod(x: Any, axis: Any = None, keepdims: bool = False, *,
         dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Product over ``axis`` (PyTorch: ``dim``)."""
    axis = _axis("prod", axis, dim)
    return reduce.prod(x, axis, _keepdims(keepdims, keepdim))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, *,
              dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``axis`` (PyTorch: ``dim``)."""
    axis = _axis("logsumexp", axis, dim)
    return reduce.logsumexp(x, axis, _keepdims(keepdims, keepdim))


def _variance_ddof(op: str, ddof: int | None, dim: Any, unbiased: bool | None,
                   correction: int | None) -> int:
    given = [name for name, v in (("ddof", ddof), ("unbiased", unbiased),
                                  ("correction", correction)) if v is not None]
    if len(given) > 1:
        raise TypeError(f"{op}() got {' and '.join(given)}; they say the same thing. Pass one.")
    if ddof is not None:
        return int(ddof)
    if correction is not None:
        return int(correction)
    if unbiased is not None:
        return 1 if unbiased else 0
    return 1 if dim is not None else 0  # PyTorch's default is n - 1, NumPy's and Keras's n


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int | None = None, *,
        dim: Any = None, keepdim: bool | None = None, unbiased: bool | None = None,
        correction: int | None = None) -> Tensor:
    """Variance over ``axis``; divides by n, or by n - 1 when called the PyTorch way
    (``dim=``, ``unbiased=True`` or ``correction=1``)."""
    ddof = _variance_ddof("var", ddof, dim, unbiased, correction)
    axis = _axis("var", axis, dim)
    return reduce.var(x, axis, _keepdims(keepdims, keepdim), ddof)


def std(x: Any, axis: Any = None, keepdims: bool = False, ddof: int | None = None, *,
        dim: Any = None, keepdim: bool | None = None, unbiased: bool | None = None,
        correction: int | None = None) -> Tensor:
    """Standard deviation; ``ddof`` as in ``var``."""
    ddof = _variance_ddof("std", ddof, dim, unbiased, correction)
    axis = _axis("std", axis, dim)
    return reduce.std(x, axis, _keepdims(keepdims, keepdim), ddof)


def max(x: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Any:
    """Largest value over ``axis``; with PyTorch's ``dim=``, the pair
    ``(values, indices)`` as ``torch.max(x, dim)`` returns it."""
    keep = _keepdims(keepdims, keepdim)
    if dim is None:
        return reduce.max(x, axis, keep)
    dim = _axis("max", axis, dim)
    return ValuesIndices(reduce.max(x, dim, keep), reduce.argmax(x, dim, keep))


def min(x: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Any:
    """Smallest value over ``axis``; with ``dim=``, ``(values, indices)``."""
    keep = _keepdims(keepdims, keepdim)
    if dim is None:
        return reduce.min(x, axis, keep)
    dim = _axis("min", axis, dim)
    return ValuesIndices(reduce.min(x, dim, keep), reduce.argmin(x, dim, keep))


def argmax(x: Any, axis: Any = None, keepdims: bool = False, *,
           dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the largest value over ``axis`` (PyTorch: ``dim``)."""
    axis = _axis("argmax", axis, dim)
    return reduce.argmax(x, axis, _keepdims(keepdims, keepdim))


def argmin(x: Any, axis: Any = None, keepdims: bool = False, *,
           dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the smallest value over ``axis`` (PyTorch: ``dim``)."""
    axis = _axis("argmin", axis, dim)
    return reduce.argmin(x, axis, _keepdims(keepdims, keepdim))


# ---------------------------------------------------------------- softmax family


def softmax(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Softmax along ``axis`` (default -1; PyTorch: ``dim``)."""
    axis = _axis("softmax", axis, dim)
    return softmax_ops.softmax(x, -1 if axis is None else axis)


def log_softmax(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """log(softmax(x)) along ``axis`` (default -1; PyTorch: ``dim``)."""
    axis = _axis("log_softmax", axis, dim)
    return softmax_ops.log_softmax(x, -1 if axis is None else axis)


# ---------------------------------------------------------------- methods PyTorch has


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001
    """``x.pow(2)`` is ``x ** 2``."""
    return arithmetic.pow(x, exponent)


def clamp(x: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``x.clamp(min=0)`` is ``x.clip(0, None)``; the gradient is 0 where clamped."""
    return selection.clip(x, min, max)


def view(x: Any, *shape_: Any) -> Tensor:
    """``x.view(2, -1)`` is ``x.reshape(2, -1)`` (gradstack has no strides to keep)."""
    return shape.reshape(x, *shape_)


def permute(x: Any, *dims: Any) -> Tensor:
    """``x.permute(0, 2, 1)`` is ``x.transpose(0, 2, 1)``: every axis, in the new order."""
    return shape.transpose(x, *dims)


def unsqueeze(x: Any, dim: int) -> Tensor:
    """``x.unsqueeze(1)`` is ``x.expand_dims(1)``: a new axis of size 1 at ``dim``."""
    return shape.expand_dims(x, dim)
