"""Masks: which time steps of a sequence are real, and ``layers.Masking``.

As in Keras, a layer that knows which steps are padding (``Embedding`` with
``mask_zero=True``, ``Masking``) attaches a boolean mask of shape
``(batch, steps)`` to its output; layers that understand masks (the recurrent
layers, the 1-D global poolings, attention) read it from their input and skip
the padded steps. Keras keeps the mask on the tensor as ``_keras_mask``; our
Tensors have fixed slots, so the masks live here, keyed by the tensor, and go
away with it.

>>> import nn, numpy as np
>>> out = nn.layers.Masking(mask_value=0.0)(np.array([[[1.0], [0.0]]]))
>>> get_mask(out)
array([[ True, False]])
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.saving.registry import register

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


class Masking(Layer):
    """Marks the time steps whose features all equal ``mask_value`` as padding.

    The output is the input with masked steps set to 0; the mask travels with it
    to the layers after (recurrent layers skip the masked steps).

    Parameters
    ----------
    mask_value : float
        Steps where every feature equals this value are masked (0.0 by default).

    Examples
    --------
    >>> import nn, numpy as np
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> nn.layers.Masking()(x).numpy()[0, 1]
    array([0., 0.], dtype=float32)
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray:
        data = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return np.any(data != self.mask_value, axis=-1)

    def call(self, inputs: Tensor) -> Tensor:
        mask = self.compute_mask(inputs)
        outputs = inputs * autograd.tensor(mask[..., None].astype(inputs.dtype))
        return set_mask(outputs, mask)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


# The classes a saved file may name (nn/saving/registry.py).
register(Masking)
