"""``Dropout``: randomly zero inputs while training (inverted dropout)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.random import dropout_mask
from nn.layers.base import Layer
from nn.layers.config import check_rate
from nn.saving.registry import register


class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to 0 while training, and scales the
    rest by ``1 / (1 - rate)`` so that the expected sum stays the same; at
    inference (``training`` False or None) it returns the inputs unchanged.

    Parameters
    ----------
    rate : float
        The fraction to drop, in [0, 1).
    noise_shape : tuple, optional
        The shape of the random mask, broadcast against the input (None entries
        take the input's size): ``(None, 1, 1, None)`` drops whole channels.
    seed : int, optional
        The masks come from this layer's own generator. Without a seed they come
        from ``autograd.get_generator()`` (``autograd.manual_seed`` repeats them).

    Examples
    --------
    >>> import nn, numpy as np
    >>> drop = nn.layers.Dropout(0.5, seed=0)
    >>> drop(np.ones((1, 4))).numpy()          # inference: unchanged
    array([[1., 1., 1., 1.]], dtype=float32)
    >>> np.unique(drop(np.ones((1, 1000)), training=True).numpy())   # dropped or doubled
    array([0., 2.], dtype=float32)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(f"Dropout layer '{self.name}'", "rate", rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        rng = self._generator if self._generator is not None else autograd.get_generator()
        # BEGIN SOLUTION hw2.dropout
        if not training or self.rate == 0.0:
            return inputs
        mask = dropout_mask(rng, self._mask_shape(inputs.shape), self.rate, inputs.dtype)
        return inputs * mask
        # END SOLUTION

    def _mask_shape(self, input_shape: tuple) -> tuple:
        if self.noise_shape is None:
            return input_shape
        pairs = zip(self.noise_shape, input_shape, strict=True)
        return tuple(size if n is None else n for n, size in pairs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}


# The classes a saved file may name (nn/saving/registry.py).
register(Dropout)
