"""Small array helpers from Keras's utils."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(y: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels: ``(n,)`` -> ``(n, num_classes)`` float32.

    ``num_classes`` defaults to ``max(y) + 1``. A trailing axis of size 1 is
    dropped first, as in Keras.

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError("to_categorical needs whole class numbers, but got fractional values.")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"to_categorical needs integer labels, but got dtype {y.dtype}.")
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, but the smallest is {y.min()}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and y.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {y.max()} does not fit num_classes={num_classes}; "
            f"labels must be in [0, {num_classes - 1}]."
        )
    out = np.zeros(y.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(out, y[..., None], 1.0, axis=-1)
    return out
