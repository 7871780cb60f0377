"""Symbolic views of a layer: ``input``, ``output`` and their shapes.

Each call of a layer on symbolic tensors (from ``nn.Input``) records a ``Node``
in ``layer._inbound_nodes`` (see ``symbolic.py``). These properties read those
nodes, as Keras's do: ``layer.output`` is what the layer's only call made, and
``get_output_at(i)`` picks one call of a layer called several times.

>>> import nn
>>> nn.clear_session()
>>> dense = nn.layers.Dense(2)
>>> y = dense(nn.Input(shape=(4,)))
>>> dense.output is y, dense.input_shape, dense.output_shape
(True, (None, 4), (None, 2))
"""

from __future__ import annotations

from typing import Any

from nn.layers.symbolic import Node


class SymbolicViews:
    """Mixin of ``Layer``: the graph views. Expects ``self._inbound_nodes``."""

    def _only_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name} has no inbound nodes. `layer.{what}` exists once the layer "
                "has been called on a symbolic input: start a Sequential with "
                "keras.Input(shape=...), give the first layer input_shape=..., call "
                "model.build(input_shape), or call the model on data once."
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer {self.name} has been called {len(self._inbound_nodes)} times, so "
                f"`layer.{what}` is ambiguous. Use layer.get_{what}_at(node_index) instead."
            )
        return self._inbound_nodes[0]

    @property
    def input(self) -> Any:
        """The symbolic tensor(s) this layer was called on (when called once)."""
        return self._only_node("input").call_args

    @property
    def output(self) -> Any:
        """The symbolic tensor(s) this layer produced (when called once)."""
        return self._only_node("output").outputs

    def get_input_at(self, node_index: int) -> Any:
        return self._inbound_nodes[node_index].call_args

    def get_output_at(self, node_index: int) -> Any:
        return self._inbound_nodes[node_index].outputs

    @property
    def input_shape(self) -> Any:
        return self._shared_shape([n.input_shapes for n in self._inbound_nodes], "input")

    @property
    def output_shape(self) -> Any:
        return self._shared_shape([n.output_shapes for n in self._inbound_nodes], "output")

    def _shared_shape(self, shapes: list, what: str) -> Any:
        if not shapes:
            raise AttributeError(
                f"The layer '{self.name}' has never been called on a symbolic input, so it "
                f"has no defined {what} shape."
            )
        if any(s != shapes[0] for s in shapes):
            raise AttributeError(
                f"The layer '{self.name}' has been called on inputs of different shapes, so "
                f"its {what} shape is ambiguous. Use layer.get_{what}_at(node_index).shape "
                "instead."
            )
        return shapes[0]
