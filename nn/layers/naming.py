"""Automatic layer and model names: ``dense``, ``dense_1``, ``conv2d``, ``input_1`` ...

A layer you do not name gets ``snake_case(ClassName)`` plus a counter kept per
name for the whole process, as Keras 2 does. ``clear_session()`` starts every
counter again, so that a tutorial prints the same names on every run. The
counters are shared by all threads and taken under a lock, so layers created
on several threads at once still get names no other layer has. The same
``snake_case`` names losses and metrics.

>>> from nn.layers.naming import clear_session, snake_case, unique_name
>>> clear_session()
>>> snake_case("MaxPooling2D")
'max_pooling2d'
>>> unique_name("dense"), unique_name("dense")
('dense', 'dense_1')
"""

from __future__ import annotations

import re
import threading

# How many names were handed out for each prefix since the last clear_session().
_name_counts: dict[str, int] = {}
# Read-then-increment of a count must not interleave between threads.
_name_lock = threading.Lock()


def snake_case(class_name: str) -> str:
    """``"GlobalMaxPooling2D"`` -> ``"global_max_pooling2d"``, ``"Conv2D"`` -> ``"conv2d"``.

    Keras 3's ``to_snake_case``, the one rule for automatic names of layers,
    models, losses and metrics and for the layer paths inside Keras files
    (``nn/saving/keras_format``), which must be Keras's exactly. A capital
    followed by lowercase letters starts a word ("Pooling"), and so does a
    capital after a lowercase letter ("xP"); digits stay with the word before.

    >>> snake_case("LSTMCell"), snake_case("L1L2"), snake_case("UpSampling1D")
    ('lstm_cell', 'l1l2', 'up_sampling1d')
    """
    name = re.sub(r"\W+", "", class_name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str, zero_based: bool = True) -> str:
    """The next unused name for ``prefix``.

    Layers and models count from zero (``dense``, ``dense_1``, ...); Keras 2
    counts inputs from one (``input_1``, ``input_2``, ...): ``zero_based=False``.
    """
    with _name_lock:
        count = _name_counts.get(prefix, 0)
        _name_counts[prefix] = count + 1
    if zero_based:
        return prefix if count == 0 else f"{prefix}_{count}"
    return f"{prefix}_{count + 1}"


def clear_session() -> None:
    """Reset the automatic names, so the next ``Dense()`` is called ``dense`` again.

    >>> import nn
    >>> nn.clear_session()
    >>> nn.layers.Dense(2).name
    'dense'
    """
    with _name_lock:
        _name_counts.clear()
