"""The one random number generator behind every draw in gradstack.

``manual_seed(n)`` makes random tensors, weight initializers, dropout masks and
shuffling in ``fit`` repeat exactly::

    >>> import autograd
    >>> autograd.manual_seed(0); a = autograd.rand(2)
    >>> autograd.manual_seed(0); b = autograd.rand(2)
    >>> bool((a == b).numpy().all())
    True
"""

from __future__ import annotations

import numpy as np


class _RNG:
    generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reseed the library's generator (``get_generator()`` returns it)."""
    _RNG.generator = np.random.default_rng(seed)


def get_generator() -> np.random.Generator:
    """The generator that every random draw in gradstack uses."""
    return _RNG.generator
