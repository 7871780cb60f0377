"""The call context: what every layer reached by one top-level call shares.

Calling a model calls its layers, which may call layers of their own. Two
things must reach every one of those nested calls without being passed by
hand (Keras keeps them in its call context too):

- ``training``: a layer called without ``training=`` inherits the value of the
  call it is nested in, so a Dropout deep inside your own model knows whether
  ``fit`` is running;
- the ``add_loss`` values: a new top-level call forgets the values the previous
  one collected, so ``model.losses`` holds those of the last call only.

The outermost ``Layer.__call__`` opens the context, the nested calls share it,
and it closes when the outermost call returns. It is kept per thread, so two
threads calling two models never see each other's training flag or losses.

>>> import nn
>>> seen = []
>>> class Probe(nn.layers.Layer):
...     def call(self, inputs, training=None):
...         seen.append(training)
...         return inputs
>>> model = nn.Sequential([nn.Input(shape=(1,)), Probe()])
>>> seen.clear()               # (building ran Probe once on zeros, to learn its output shape)
>>> _ = model([[1.0]], training=True)     # Sequential calls Probe without training=
>>> seen
[True]
"""

from __future__ import annotations

import functools
import inspect
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Numbers the contexts, so a layer can tell whether its add_loss values belong to
# the call in progress (next() on a count is atomic, so this is safe under threads).
_serial_numbers = itertools.count(1)

# The context of the call in progress, one per thread.
_this_thread = threading.local()


class CallContext:
    """The shared state of one top-level call.

    Attributes
    ----------
    serial : int
        Tells this call apart from every other.
    training : bool or None
        The ``training`` value of the innermost layer call in progress.
    loss_layers : list of Layer
        The layers that called ``add_loss`` during this call, each once.
    """

    def __init__(self) -> None:
        self.serial = next(_serial_numbers)
        self.training: Any = None
        self.loss_layers: list[Any] = []


def current_call_context() -> CallContext | None:
    """The context of the call in progress on this thread, or None between calls."""
    return getattr(_this_thread, "context", None)


@contextmanager
def layer_call(layer: Any, training: Any) -> Iterator[Any]:
    """Run one layer call in the call context; yields the ``training`` value to use.

    The outermost call opens the context: it first clears the ``add_loss`` values
    its previous call collected, and afterwards remembers which layers added some
    this time. A nested call given ``training=None`` inherits the value in force.
    """
    context = current_call_context()
    opens = context is None
    if opens:
        context = CallContext()
        for holder in layer._loss_layers:
            holder._call_losses = []
        _this_thread.context = context
    outer_training = context.training
    context.training = outer_training if training is None else training
    try:
        yield context.training
    finally:
        context.training = outer_training
        if opens:
            _this_thread.context = None
            layer._loss_layers = context.loss_layers


@functools.cache
def call_takes_training(layer_class: type) -> bool:
    """Whether ``layer_class.call`` accepts ``training`` (looked up once per class)."""
    parameters = inspect.signature(layer_class.call).parameters.values()
    return any(p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters)
