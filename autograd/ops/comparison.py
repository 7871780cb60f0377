"""Comparisons: ``== != < <= > >=`` as bool tensors.

They are not ``Function``s: a bool result has no gradient, so these return
tensors outside the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


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
