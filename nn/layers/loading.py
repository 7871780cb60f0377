"""Where new weights get their values while a saved file is being loaded.

Normally ``Layer.add_weight`` runs the weight's initializer. While
``nn.saving`` loads a file it installs a *weight source* for the current thread
(``weights_from``); ``add_weight`` then takes the values from it instead. The
source checks each requested shape against the arrays the file really holds, so
a hostile file cannot make the loader allocate a weight it does not store, and
no random initializer runs (its values would be overwritten anyway: loading is
faster and consumes no random numbers). Other threads are not affected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

# source(layer, weight_name, shape, dtype) -> the new weight's values
WeightSource = Callable[[Any, str, tuple, np.dtype], np.ndarray]

_state = threading.local()


def current_source() -> WeightSource | None:
    """The weight source of this thread's load in progress, or None."""
    return getattr(_state, "source", None)


@contextmanager
def weights_from(source: WeightSource) -> Iterator[None]:
    """Within the block, this thread's ``add_weight`` calls take values from ``source``."""
    previous = current_source()
    _state.source = source
    try:
        yield
    finally:
        _state.source = previous
