"""Attribute tracking: how a layer finds the layers and weights it holds.

A layer built from other layers (your own subclass, or a model) reports all
their weights without being told about them: assigning a layer, a weight, or a
list/tuple/dict of them to an attribute remembers the attribute's name, and
``weights`` reads those attributes when it is asked for. A list you append
layers to after assigning it is seen too.

>>> import nn
>>> class Block(nn.layers.Layer):
...     def __init__(self):
...         super().__init__()
...         self.parts = [nn.layers.Dense(2), nn.layers.Dense(1)]
...     def call(self, inputs):
...         return self.parts[1](self.parts[0](inputs))
>>> block = Block()
>>> _ = block([[1.0, 2.0, 3.0]])
>>> [w.shape for w in block.weights]
[(3, 2), (2,), (2, 1), (1,)]
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

# Attributes of the base class itself: bookkeeping, never layers or weights to track.
_NOT_TRACKED = frozenset({"_tracked_attributes", "_own_weights", "_inbound_nodes",
                          "_call_losses", "_loss_layers", "input_spec"})


class AttributeTracking:
    """Mixin of ``Layer``: tracked attributes, sublayers, weights and ``trainable``.

    Expects ``self._own_weights`` (the weights made by ``add_weight``) and
    ``self._trainable`` from ``Layer.__init__``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        # Remember attributes that hold (or may later hold) layers or weights.
        if name not in _NOT_TRACKED and isinstance(
                value, (AttributeTracking, Tensor, list, tuple, dict)):
            tracked = self.__dict__.setdefault("_tracked_attributes", [])
            if name not in tracked:
                tracked.append(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        tracked = self.__dict__.get("_tracked_attributes", [])
        if name in tracked:
            tracked.remove(name)
        object.__delattr__(self, name)

    def _tracked_values(self) -> list[Any]:
        """Every value held by a tracked attribute (items of lists, tuples and dicts
        included), in assignment order."""
        found: list[Any] = []
        for attribute in self.__dict__.get("_tracked_attributes", []):
            value = self.__dict__.get(attribute)
            if isinstance(value, dict):
                found.extend(value.values())
            elif isinstance(value, (list, tuple)):
                found.extend(value)
            else:
                found.append(value)
        return found

    def _sublayers(self) -> list[Any]:
        """The layers this layer holds directly (not their sublayers), each once."""
        return unique([v for v in self._tracked_values() if isinstance(v, AttributeTracking)])

    def _flatten_layers(self) -> list[Any]:
        """This layer and every layer inside it, depth first, each once."""
        found: list[Any] = []
        seen: set[int] = set()
        stack: list[Any] = [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            found.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return found

    def _direct_weights(self) -> list[Tensor]:
        """Weights this layer owns itself: from add_weight, then from attributes
        (a Variable, or a leaf Tensor that requires grad, assigned to self)."""
        attribute_weights = [
            v for v in self._tracked_values()
            if isinstance(v, autograd.Variable)  # tf.Variable too, trainable or not
            or (isinstance(v, Tensor) and v.requires_grad and v.grad_fn is None)
        ]
        return unique(self._own_weights + attribute_weights)

    # ------------------------------------------------------------------ weights
    @property
    def weights(self) -> list[Tensor]:
        """All weights, this layer's own first, then those of the layers inside it,
        each once (in creation order, which is the order Keras saves them in)."""
        found = list(self._direct_weights())
        for layer in self._sublayers():
            found.extend(layer.weights)
        return unique(found)

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights training updates: empty when the layer is frozen."""
        if not self.trainable:
            return []
        found = [w for w in self._direct_weights() if is_trainable(w)]
        for layer in self._sublayers():
            found.extend(layer.trainable_weights)
        return unique(found)

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights training leaves alone (all of them, when the layer is frozen)."""
        if not self.trainable:
            return self.weights
        trainable_ids = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable_ids]

    @property
    def variables(self) -> list[Tensor]:
        return self.weights

    # ------------------------------------------------------------------ trainable
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Like Keras, freezing (or unfreezing) a layer does the same to every layer
        # inside it. A frozen weight stops requiring grad, so backward skips it.
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            for weight in layer._direct_weights():
                weight.requires_grad_(bool(value) and is_trainable(weight))


def unique(items: list) -> list:
    """Keep the first occurrence of each object (by identity: Tensors compare
    elementwise with ==, so `in` and set() of values cannot be used)."""
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def is_trainable(weight: Tensor) -> bool:
    return getattr(weight, "trainable", True)
