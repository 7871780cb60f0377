"""``model.summary()``: the plain-text table Keras 2 prints.

::

    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     dense (Dense)               (None, 2)                 10
    ...
    =================================================================
    Total params: 10
    Trainable params: 10
    Non-trainable params: 0
    _________________________________________________________________

A stack of layers gets three columns in 65 characters (column edges at 45% and
85% of the width); a model whose graph branches or merges gets a fourth column,
"Connected to", in 98 characters (edges at 33%, 55%, 67%). ``show_trainable``
adds an 11-character "Trainable" column. Text too long for its column continues
on the next line of the same row (cut after ``"),"`` and similar separators when
there is one), so the columns never shift.

Two details differ between Keras 2 versions; we follow the later one, which is also
what ``../shared/reference/keras2_seed_cells.txt`` shows:

- a name is cut one character before the next column (``max_pooling2d (MaxPooling2`` /
  `` D)``); Keras 2.10, which the seed guide was run with, cut one character later and
  so pushed that line's "Output Shape" one space to the right;
- the totals are printed as the guide prints them, ``Total params: 10,816``, without
  the byte sizes later versions append. (The guide's copy of the tables lost the
  ``=`` rules; Keras 2 prints them, as the reference shows.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nn.layers.input_layer import InputLayer

SEPARATORS = ("),", "},", "],", "',")  # wrap lists after an item when possible


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: list[float] | None = None,
    print_fn: Callable[[str], Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
) -> None:
    """Print ``model``'s summary table, one line per ``print_fn`` call."""
    print_fn = print_fn or print
    sequential_like = is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or [0.33, 0.55, 0.67, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        headers.append("Trainable")

    table = _Table(positions, line_length, connections=not sequential_like,
                   show_trainable=show_trainable, expand_nested=expand_nested)
    lines = [f'Model: "{model.name}"', "_" * line_length]
    lines += table.row(headers)
    lines.append("=" * line_length)
    lines += table.layer_rows(model)
    lines.append("=" * line_length)

    trainable = sum(w.size for w in model.trainable_weights)
    total = sum(w.size for w in model.weights)
    lines += [
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        "_" * line_length,
    ]
    for line in lines:
        print_fn(line)


def is_sequential_like(model: Any) -> bool:
    """True when the model is a simple chain: every step of its graph is one call
    of one layer on (at most) one tensor, and no layer is called twice."""
    nodes_by_depth = getattr(model, "_nodes_by_depth", None)
    if nodes_by_depth is None:  # Sequential, or a subclassed model
        return True
    for nodes in nodes_by_depth.values():
        if len(nodes) > 1 or len(nodes[0].inbound_layers) > 1:
            return False
    layers = [node.layer for nodes in nodes_by_depth.values() for node in nodes]
    return len({id(layer) for layer in layers}) == len(layers)


class _Table:
    """Formats rows of a summary: wrapping text inside columns, nesting."""

    def __init__(self, positions: list[int], line_length: int, connections: bool,
                 show_trainable: bool, expand_nested: bool) -> None:
        self.positions = positions
        self.line_length = line_length
        self.connections = connections
        self.show_trainable = show_trainable
        self.expand_nested = expand_nested

    def layer_rows(self, model: Any, level: int = 0) -> list[str]:
        nodes = model._graph_nodes()
        node_ids = None if nodes is None else {id(node) for node in nodes}
        lines: list[str] = []
        for layer in model.layers:
            fields = [f"{layer.name} ({type(layer).__name__})",
                      _output_shape_text(layer, node_ids),
                      _param_text(layer)]
            if self.connections:
                fields.append(_connections_text(layer, node_ids))
            if self.show_trainable:
                fields.append("Y" if layer.trainable else "N")
            lines += self.row(fields, level)
            if self.expand_nested and hasattr(layer, "_graph_nodes") and layer.built:
                inner_level = level + 1
                lines.append("|" * inner_level + "¯" * (self.line_length - 2 * inner_level)
                             + "|" * inner_level)
                lines += self.layer_rows(layer, inner_level)
                lines.append("|" * level + "¯" * (self.line_length - 2 * level) + "|" * level)
            else:
                lines += self.row([""] * len(fields), level)
        return lines

    def row(self, fields: list[str], level: int = 0) -> list[str]:
        """One table row: as many lines as the longest field needs."""
        remaining = [str(field) for field in fields]
        lines = []
        while True:
            line = "|" * level
            for col, text in enumerate(remaining):
                start = self.positions[col - 1] if col else level
                end = self.positions[col] - (level if col == len(remaining) - 1 else 0)
                gap = 2 if col < len(remaining) - 1 else 0
                width = end - start - gap - (1 if col == 0 else 0)  # col 0 starts with a space
                chunk = text[:width]
                cuts = [chunk.find(s) + len(s) for s in SEPARATORS if chunk.find(s) >= 0]
                if cuts and len(text) > width:
                    chunk = chunk[:min(cuts)]
                remaining[col] = text[len(chunk):]
                if col == 0:
                    line += " "
                line = (line + chunk).ljust(end)
            lines.append(line + "|" * level)
            if not any(remaining):
                return lines


def _output_shape_text(layer: Any, node_ids: set[int] | None) -> str:
    """The output shape of the layer's calls inside this model; "multiple" when
    they differ or when the model has no graph (a subclassed model)."""
    if node_ids is None:
        return "multiple"
    shapes = [node.output_shapes for node in layer._inbound_nodes if id(node) in node_ids]
    if not shapes or any(shape != shapes[0] for shape in shapes):
        return "multiple"
    if isinstance(layer, InputLayer):
        return str([shapes[0]])  # Keras 2 shows an input's shape as a list: [(None, 4)]
    return str(shapes[0])


def _param_text(layer: Any) -> str:
    return str(layer.count_params()) if layer.built else "0 (unused)"


def _connections_text(layer: Any, node_ids: set[int] | None) -> str:
    """``['dense[0][0]', ...]``: the layer, call and output index of each input."""
    connections = []
    for node in layer._inbound_nodes:
        if node_ids is not None and id(node) not in node_ids:
            continue
        for tensor in node.input_tensors:
            inbound = tensor.node.layer
            node_index = next(i for i, n in enumerate(inbound._inbound_nodes) if n is tensor.node)
            connections.append(f"{inbound.name}[{node_index}][{tensor.index}]")
    return str(connections)
