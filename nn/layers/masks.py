"""Where masks live: ``set_mask``/``get_mask`` attach a boolean (batch, steps) mask
to a Tensor and read it back, ``resolve_mask`` picks and checks the one a layer uses.

Keras keeps the mask on the tensor as ``_keras_mask``; our Tensors have fixed slots,
so the masks live here, keyed by the tensor, and go away with it. This module
imports no layer, so the base ``Layer.__call__`` can pass masks on (``masking.py``
has the ``Masking`` layer and the rule).

>>> import autograd, numpy as np
>>> t = set_mask(autograd.tensor(np.ones((1, 2, 3))), [[True, False]])
>>> get_mask(t)
array([[ True, False]])
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograd import Tensor

# id(tensor) -> (weak reference to the tensor, its mask)
_MASKS: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def set_mask(tensor: Tensor, mask: Any) -> Tensor:
    """Attach a (batch, steps) boolean mask to ``tensor`` (None removes it); returns it."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return tensor
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)

    def forget(_ref: weakref.ref, key: int = key) -> None:
        _MASKS.pop(key, None)

    _MASKS[key] = (weakref.ref(tensor, forget), mask)
    return tensor


def get_mask(tensor: Any) -> np.ndarray | None:
    """The mask attached to ``tensor``, or None."""
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]


def resolve_mask(inputs: Any, mask: Any, layer: str, steps_axis_shape: tuple) -> np.ndarray | None:
    """The mask a layer should use: the one passed in, else the one on its input;
    checked against the input's (batch, steps)."""
    if mask is None:
        mask = get_mask(inputs)
    if mask is None:
        return None
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if mask.dtype.kind not in "biuf":
        raise ValueError(f"{layer}: a mask must hold booleans, got dtype {mask.dtype}.")
    if mask.shape != tuple(steps_axis_shape):
        raise ValueError(
            f"{layer}: the mask has shape {mask.shape}, but the input of shape "
            f"{tuple(inputs.shape)} needs a mask of shape {tuple(steps_axis_shape)}: one "
            "True/False per (sample, time step), True for real steps."
        )
    return mask.astype(bool)


def merged_mask(masks: Any) -> np.ndarray | None:
    """The mask of a merge (Add, Concatenate, ...): a step is real only where it is
    real in every input that has a mask (Keras's rule); None if no input has one."""
    if masks is None or not isinstance(masks, (list, tuple)):
        return masks
    present = [np.asarray(m, dtype=bool) for m in masks if m is not None]
    if not present:
        return None
    merged = present[0]
    for mask in present[1:]:
        merged = merged & mask
    return merged
