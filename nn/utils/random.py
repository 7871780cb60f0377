"""One seed for everything random in gradstack."""

from __future__ import annotations

import random

import numpy as np

import autograd


def set_random_seed(seed: int) -> None:
    """Seed every random draw: weight initializers, dropout, shuffling in ``fit``
    and ``autograd``'s own random tensors all use ``autograd.get_generator()``,
    which this reseeds; Python's ``random`` and NumPy's global generator are
    seeded too, for your own code (as Keras does).

    The same seed then gives the same ``fit`` history, bit for bit.

    >>> import autograd, nn
    >>> nn.utils.set_random_seed(0); a = autograd.rand(3)
    >>> nn.utils.set_random_seed(0); b = autograd.rand(3)
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"set_random_seed needs an integer seed, but got {seed!r}.")
    autograd.manual_seed(int(seed))
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
