"""Masks: which time steps of a sequence are real, and ``layers.Masking``.

As in Keras, a layer that knows which steps are padding (``Embedding`` with
``mask_zero=True``, ``Masking``) attaches a boolean mask of shape
``(batch, steps)`` to its output; layers that understand masks (the recurrent
layers, the 1-D global poolings, attention) read it from their input and skip
the padded steps. The masks themselves live in ``masks.py``.

Between those, the base ``Layer.__call__`` carries the mask on with Keras's rule:
a layer with ``supports_masking = True`` (Dense, Dropout, Activation, the
activation layers, the normalizations, the merges, TimeDistributed, ...) gives
its output the mask ``compute_mask(inputs, mask)`` returns - the input's mask
unless it says otherwise (``GlobalAveragePooling1D`` and a recurrent layer
without ``return_sequences`` end it). A layer that does not support masking
(Flatten, Conv1D, Reshape, ...) drops the mask with a warning, as Keras does.

>>> import nn, numpy as np
>>> out = nn.layers.Masking(mask_value=0.0)(np.array([[[1.0], [0.0]]]))
>>> get_mask(out)
array([[ True, False]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.masks import get_mask, resolve_mask, set_mask
from nn.saving.registry import register

__all__ = ["Masking", "get_mask", "resolve_mask", "set_mask"]


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
