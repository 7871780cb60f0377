"""Checks for the numbers an optimizer is created with.

A wrong setting never fails loudly on its own: a negative ``clipnorm`` turns
descent into ascent, ``beta_1=1.5`` makes Adam's average grow without bound.
So each optimizer checks its settings once, in ``__init__``, and a bad one
raises ``ValueError`` naming the optimizer, the argument, the value given and
the values allowed - the same ranges PyTorch enforces.

>>> check_in_range("Adam", "beta_1", 0.9, low=0.0, high=1.0, high_open=True)
0.9
>>> check_in_range("Adam", "beta_1", 1.5, low=0.0, high=1.0, high_open=True)
Traceback (most recent call last):
...
ValueError: Adam: beta_1 must be a number in [0, 1), but got beta_1=1.5.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _interval(low: float, high: float | None, high_open: bool) -> str:
    if high is None:
        return f">= {low:g}"
    return f"in [{low:g}, {high:g}{')' if high_open else ']'}"


def check_in_range(
    owner: str, name: str, value: Any, *, low: float = 0.0, high: float | None = None,
    high_open: bool = False, hint: str = "",
) -> Any:
    """Return ``value`` if it is a finite real number in ``[low, high]`` (or
    ``[low, high)`` with ``high_open``; no upper bound when ``high`` is None);
    otherwise raise ``ValueError`` saying what was given and what is allowed."""
    allowed = _interval(low, high, high_open)
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))
    ok = is_number and math.isfinite(value) and value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(
            f"{owner}: {name} must be a number {allowed}, but got {name}={value!r}."
            + (f" {hint}" if hint else "")
        )
    return value


def check_optional(owner: str, name: str, value: Any, hint: str = "") -> Any:
    """Like ``check_in_range(..., low=0)``, but None (the setting is off) is allowed."""
    if value is None:
        return None
    return check_in_range(owner, name, value, low=0.0, hint=hint)
