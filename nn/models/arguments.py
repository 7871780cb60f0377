"""Checks for the data and settings given to ``fit``, ``evaluate`` and ``predict``.

A wrong argument there rarely fails on its own: ``class_weight={-1: 5.0}``
weighs the last class (NumPy's negative indexing), ``{1.5: 5.0}`` weighs class
1, and ``predict`` on no samples returns an empty array that breaks much later.
So the training methods check their arguments first, and a bad one raises an
error naming the method, the argument, what was given and what is allowed.

>>> import numpy as np
>>> check_class_weight("fit", {0: 1.0, 1: 2.0}, np.array([0, 1, 1]), classes=2)
>>> check_class_weight("fit", {-1: 2.0}, np.array([0, 1, 1]), classes=2)
Traceback (most recent call last):
...
ValueError: fit: class_weight keys must be class indices in [0, 2), but got the key -1 ...
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def check_has_samples(method: str, n: int, x: Any) -> None:
    """``n`` (the number of samples in ``x``) must be at least one."""
    if n == 0:
        shapes = ", ".join(str(np.shape(a)) for a in _leaves(x))
        raise ValueError(
            f"{method}: expected input data to be non-empty, but x has 0 samples (shape "
            f"{shapes}). Pass at least one sample: one row per sample on the first axis.")


def check_x_given(method: str, x: Any) -> None:
    if x is None:
        raise ValueError(
            f"{method}: x is None; pass the input data, e.g. model.{method}(x_test) with one "
            "row per sample.")


def check_sample_weight(method: str, sample_weight: Any, n: int) -> Any:
    """One weight per sample: shape ``(n,)`` or ``(n, 1)``; finite and not negative.
    Returns it as a 1-D array (or None)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, (list, dict)):
        raise TypeError(
            f"{method}: sample_weight must be one array of one weight per sample, shape "
            f"({n},), but got a {type(sample_weight).__name__} of arrays.")
    weights = np.asarray(sample_weight)
    if weights.ndim == 2 and weights.shape[1] == 1:
        weights = weights[:, 0]
    if weights.ndim != 1:
        raise ValueError(
            f"{method}: sample_weight must have one weight per sample, shape ({n},), but got "
            f"shape {weights.shape}. For weights per class use class_weight={{class: "
            "weight}; per time step is not supported.")
    if weights.dtype.kind not in "biuf":
        raise TypeError(
            f"{method}: sample_weight must hold numbers, but got dtype {weights.dtype}.")
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{method}: sample_weight must be finite and >= 0, but sample {i} has weight "
            f"{float(weights[i])}.")
    return weights


def check_class_weight(method: str, class_weight: Any, y: Any, classes: int | None) -> None:
    """``{class index: weight}``: integer keys in ``[0, classes)`` (``classes``: the
    width of one-hot targets or of the model's output, None when unknown), finite
    weights >= 0, at least one entry."""
    given = f"class_weight={_short(class_weight)}"
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"{method}: class_weight must be a dict {{class index: weight}}, but got "
            f"{type(class_weight).__name__}: {given}.")
    if not class_weight:
        raise ValueError(
            f"{method}: class_weight is empty ({given}). Pass a dict {{class index: weight}} "
            "with at least one class, or class_weight=None to weigh every class equally.")
    allowed = f"in [0, {classes})" if classes else ">= 0"
    if isinstance(y, (list, dict)) or y is None:
        raise ValueError(f"{method}: class_weight is for models with one output and one array "
                         "of targets y; for several outputs, weigh samples per output with "
                         "sample_weight.")
    for key, weight in class_weight.items():
        is_int = isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_))
        if not is_int or key < 0 or (classes and key >= classes):
            raise ValueError(
                f"{method}: class_weight keys must be class indices {allowed}, but got the "
                f"key {key!r} in {given}.")
        is_number = isinstance(weight, (int, float, np.integer, np.floating)) and not \
            isinstance(weight, (bool, np.bool_))
        if not is_number or not math.isfinite(weight) or weight < 0:
            raise ValueError(
                f"{method}: class_weight values must be finite numbers >= 0, but class "
                f"{key!r} has weight {weight!r} in {given}.")


def number_of_classes(y: np.ndarray, output_shape: Any) -> int | None:
    """The class count that ``class_weight`` keys must stay below: the width of
    one-hot targets, else of the model's output (2 for one sigmoid unit), else None."""
    if y.ndim > 1 and y.shape[-1] > 1:
        return int(y.shape[-1])
    width = output_shape[-1] if isinstance(output_shape, tuple) and output_shape else None
    if isinstance(width, int):
        return 2 if width == 1 else width
    return None


def _leaves(x: Any) -> list:
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
