"""Functional models: ``nn.Model(inputs, outputs)`` over a graph of layer calls.

Calling layers on ``nn.Input`` tensors records nodes (see
``nn/layers/symbolic.py``). ``Functional`` follows those nodes back from the
outputs to the inputs, keeps the layers and calls it found in an order where
every node comes after the nodes it needs, and replays them on data::

    inputs = nn.Input(shape=(16,))
    x = nn.layers.Dense(16, activation="relu")(inputs)
    outputs = nn.layers.Add()([inputs, x])          # a residual connection
    model = nn.Model(inputs, outputs)

The layers are shared, not copied: a model cut out of another one
(``nn.Model(m.inputs, m.get_layer("conv").output)``) uses the same weights.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from nn.layers.base import Layer
from nn.layers.input_layer import InputLayer
from nn.layers.symbolic import (
    KerasTensor,
    Node,
    flatten,
    map_structure,
    map_tensors,
    normalize_output_shape,
    shape_list,
)
from nn.models.model import Model
from nn.saving.registry import register
from nn.saving.serialization import deserialize, serialize


class Functional(Model):
    """A model defined by symbolic inputs and outputs; made by ``nn.Model(inputs, outputs)``.

    Parameters
    ----------
    inputs : KerasTensor or list of KerasTensor
        Tensors made by ``nn.Input``.
    outputs : KerasTensor or list of KerasTensor
        Tensors computed from ``inputs`` by calling layers. Calling the model
        returns one Tensor or a list, as ``outputs`` was given.
    name : str, optional
        ``model``, ``model_1``, ... by default.

    Examples
    --------
    >>> import nn, numpy as np
    >>> a, b = nn.Input(shape=(4,)), nn.Input(shape=(3,))
    >>> joined = nn.layers.Concatenate()([a, b])
    >>> model = nn.Model(inputs=[a, b], outputs=nn.layers.Dense(2)(joined))
    >>> model([np.ones((5, 4)), np.ones((5, 3))]).shape
    (5, 2)
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._nested_inputs = list(inputs) if isinstance(inputs, tuple) else inputs
        self._nested_outputs = list(outputs) if isinstance(outputs, tuple) else outputs
        self._graph_inputs = flatten(inputs)
        self._graph_outputs = flatten(outputs)
        _check_symbolic(self._graph_inputs, "inputs")
        _check_symbolic(self._graph_outputs, "outputs")
        for tensor in self._graph_inputs:
            if not isinstance(tensor.node.layer, InputLayer):
                raise ValueError(
                    f"Model inputs must come from nn.Input(...), but {tensor!r} is the output "
                    f"of layer '{tensor.node.layer.name}'. To start a model in the middle of "
                    "another one, make a new nn.Input of that shape and call the remaining "
                    "layers on it."
                )
        self._nodes, self._nodes_by_depth = _graph_nodes(self._graph_inputs, self._graph_outputs)
        self._graph_layers = _unique_layers(self._nodes)
        # model.add_loss(symbolic tensor): the tensors, and the nodes they need that
        # the outputs do not (computed after the outputs, on every call).
        self._loss_tensors: list[KerasTensor] = []
        self._loss_nodes: list[Node] = []
        _check_unique_names(self._graph_layers)
        if len(self._graph_inputs) == 1:
            self._batch_input_shape = self._graph_inputs[0].shape
        self.built = True

    def _default_name_prefix(self) -> str:
        return "model"  # Keras 2 names functional models model, model_1, ...

    # ------------------------------------------------------------------ views
    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph, input layers first, in the order data flows."""
        return list(self._graph_layers)

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._graph_inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._graph_outputs)

    @property
    def input(self) -> Any:
        return self._nested_inputs

    @property
    def output(self) -> Any:
        return self._nested_outputs

    def _graph_nodes(self) -> list[Node]:
        return list(self._nodes)

    # ------------------------------------------------------------------ running
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # Inputs may come as a dict keyed by the nn.Input names, as in Keras.
        if isinstance(inputs, dict) and not isinstance(self._nested_inputs, dict):
            inputs = self._inputs_from_dict(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def _inputs_from_dict(self, inputs: dict) -> list:
        names = [t.node.layer.name for t in self._graph_inputs]
        unknown = sorted(set(inputs) - set(names))
        missing = [n for n in names if n not in inputs]
        if unknown or missing:
            raise ValueError(
                f"Model '{self.name}' was given inputs by name {sorted(inputs)}, but its inputs "
                f"are named {names}" + (f"; missing {missing}" if missing else "")
                + (f"; unknown {unknown}" if unknown else "")
                + ". Name each nn.Input (nn.Input(shape, name='...')) and use those names.")
        ordered = [inputs[n] for n in names]
        return ordered if len(ordered) > 1 else ordered[0]

    def check_input_shape(self, input_shape: Any) -> None:
        given = shape_list(input_shape)
        if len(given) != len(self._graph_inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self._graph_inputs)} input(s) "
                f"({', '.join(t.name for t in self._graph_inputs)}), but was called on "
                f"{len(given)}. Pass a list with one array per input, in the order of "
                "model.inputs."
            )
        for tensor, shape in zip(self._graph_inputs, given, strict=True):
            expected = tensor.shape
            compatible = len(shape) == len(expected) and all(
                e is None or s is None or e == s
                for e, s in zip(expected[1:], shape[1:], strict=True)
            )
            if not compatible:
                raise ValueError(
                    f"Input '{tensor.name}' of model '{self.name}' expects shape {expected} "
                    f"(None: any size, the first axis is the batch), but got shape {shape}."
                    + (" Add the batch axis: x[None]." if len(shape) + 1 == len(expected)
                       else "")
                )

    def call(self, inputs: Any, training: Any = None) -> Any:
        # Values of the symbolic tensors, filled in node by node.
        values: dict[int, Any] = {}
        for tensor, value in zip(self._graph_inputs, flatten(inputs), strict=True):
            values[id(tensor)] = value
        for node in [*self._nodes, *self._loss_nodes]:
            if isinstance(node.layer, InputLayer):
                continue
            args = map_structure(lambda t: values[id(t)], node.call_args)
            extra = [map_tensors(lambda t: values[id(t)], arg) for arg in node.extra_args]
            outputs = node.layer(args, *extra, **node.call_kwargs)
            for tensor, value in zip(node.output_tensors, flatten(outputs), strict=True):
                values[id(tensor)] = value
        for tensor in self._loss_tensors:
            self.add_loss(values[id(tensor)])
        return map_structure(lambda t: values[id(t)], self._nested_outputs)

    def _add_symbolic_loss(self, value: Any) -> None:
        """``model.add_loss(tensor)``: remember the symbolic tensor (it must be
        computed from this model's inputs) and the calls that compute it."""
        tensors = flatten(value)
        nodes, _ = _graph_nodes(self._graph_inputs, tensors)  # or: graph disconnected
        known = {id(node) for node in [*self._nodes, *self._loss_nodes]}
        self._loss_nodes.extend(node for node in nodes if id(node) not in known)
        self._loss_tensors.extend(tensors)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes: dict[int, tuple] = {}
        for tensor, shape in zip(self._graph_inputs, shape_list(input_shape), strict=True):
            shapes[id(tensor)] = shape
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            in_shapes = map_structure(lambda t: shapes[id(t)], node.call_args)
            more = [map_tensors(lambda t: shapes[id(t)], arg) for arg in node.extra_args]
            out = normalize_output_shape(node.layer.compute_output_shape(in_shapes, *more))
            for tensor, shape in zip(node.output_tensors, shape_list(out), strict=True):
                shapes[id(tensor)] = shape
        return map_structure(lambda t: shapes[id(t)], self._nested_outputs)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """Layers and how they connect, in Keras's format: each layer lists its
        ``inbound_nodes`` as ``[layer name, node index, tensor index, call kwargs]``.
        A call with several positional arguments (``layer(targets, logits)``) is
        ``{"args": [...], "kwargs": {...}}`` instead, each tensor in ``args`` written
        ``{"tensor": [layer name, node index, tensor index]}``."""
        node_ids = {id(node) for node in self._nodes}

        def node_index(node: Node) -> int:
            relevant = [n for n in node.layer._inbound_nodes if id(n) in node_ids]
            return next(i for i, n in enumerate(relevant) if n is node)

        def tensor_ref(t: KerasTensor) -> list:
            return [t.node.layer.name, node_index(t.node), t.index]

        layer_configs = []
        for layer in self._graph_layers:
            inbound = []
            for node in layer._inbound_nodes:
                if id(node) not in node_ids or isinstance(layer, InputLayer):
                    continue
                if node.extra_args:
                    args = [map_tensors(lambda t: {"tensor": tensor_ref(t)}, arg)
                            for arg in [node.call_args, *node.extra_args]]
                    inbound.append({"args": args, "kwargs": dict(node.call_kwargs)})
                else:
                    inbound.append([tensor_ref(t) + [dict(node.call_kwargs)]
                                    for t in node.input_tensors])
            layer_configs.append({**serialize(layer), "name": layer.name,
                                  "inbound_nodes": inbound})

        def refs(structure: Any) -> Any:
            return map_structure(tensor_ref, structure)

        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "input_layers": refs(self._nested_inputs),
                "output_layers": refs(self._nested_outputs)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Functional:
        """Recreate the layers and replay their calls (weights are not included)."""
        layers: dict[str, Layer] = {}
        pending: dict[str, list] = {}
        for data in config["layers"]:
            layer = deserialize(data, custom_objects)
            layers[data["name"]] = layer
            pending[data["name"]] = list(data.get("inbound_nodes", []))
        produced = _replay_calls(layers, pending)

        def tensors(refs: Any) -> Any:
            if refs and isinstance(refs[0], str):  # a single [name, node, tensor]
                return produced[(refs[0], refs[1])][refs[2]]
            return [tensors(ref) for ref in refs]

        model = cls(inputs=tensors(config["input_layers"]),
                    outputs=tensors(config["output_layers"]), name=config.get("name"))
        model._trainable = config.get("trainable", True)
        return model


# The classes a saved file may name (nn/saving/registry.py).
register(Functional)


def _replay_calls(layers: dict[str, Layer], pending: dict[str, list]) -> dict[tuple, list]:
    """Call each layer on the outputs its config's ``inbound_nodes`` name, each call
    once all the calls it takes inputs from are made; returns
    ``produced[(layer name, call index)]``, that call's outputs, flat.

    A call waits for two things: the calls whose outputs it takes, and the previous
    call of its own layer (a shared layer's n-th call is node n). Each call counts
    what it still waits for and is made when the count reaches zero, so the replay
    is linear in the number of calls (times a heap's log), whatever order the layers are listed in
    (rescanning every layer until one can run is quadratic for a reversed list).
    """
    produced: dict[tuple[str, int], list] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            produced[(name, 0)] = flatten(layer.output)
    waiting_for: dict[tuple[str, int], int] = {}
    waiters: dict[tuple[str, int], list[tuple[str, int]]] = {}
    # Of the calls that can be made, the first listed goes first (for a config listed
    # in data-flow order: the order of the list, as Keras replays it).
    position = {name: i for i, name in enumerate(layers)}
    ready: list[tuple[int, int, str]] = []
    first_call = {name: 1 if isinstance(layer, InputLayer) else 0
                  for name, layer in layers.items()}
    for name, calls in pending.items():
        for offset, entry in enumerate(calls):
            call = (name, first_call[name] + offset)
            needs = {(ref[0], ref[1]) for ref in _node_refs(entry)}
            if offset > 0:
                needs.add((name, call[1] - 1))
            needs = {key for key in needs if key not in produced}
            waiting_for[call] = len(needs)
            for key in needs:
                waiters.setdefault(key, []).append(call)
            if not needs:
                heapq.heappush(ready, (position[name], call[1], name))
    while ready:
        _, index, name = heapq.heappop(ready)
        call = (name, index)
        entry = pending[name][index - first_call[name]]
        if isinstance(entry, dict):  # several positional arguments
            def value(item: Any) -> Any:
                if isinstance(item, dict) and "tensor" in item:
                    ref = item["tensor"]
                    return produced[(ref[0], ref[1])][ref[2]]
                return item
            args = [[value(i) for i in arg] if isinstance(arg, list) else value(arg)
                    for arg in entry["args"]]
            outputs = layers[name](*args, **entry.get("kwargs", {}))
        else:
            args = [produced[(ref[0], ref[1])][ref[2]] for ref in entry]
            kwargs = entry[0][3] if entry and len(entry[0]) > 3 else {}
            outputs = layers[name](args[0] if len(args) == 1 else args, **kwargs)
        produced[call] = flatten(outputs)
        for waiter in waiters.pop(call, ()):
            waiting_for[waiter] -= 1
            if waiting_for[waiter] == 0:
                heapq.heappush(ready, (position[waiter[0]], waiter[1], waiter[0]))
    stuck = sorted({name for (name, _), count in waiting_for.items() if count})
    if stuck:
        raise ValueError(f"Could not rebuild the model graph: layers {stuck[:20]} have inputs "
                         "that no layer produces. The config is inconsistent.")
    return produced


def _node_refs(entry: Any) -> list:
    """The ``[layer name, node index, tensor index]`` of every tensor a config's call
    takes: a list of refs, or ``{"args": [...]}`` with ``{"tensor": ref}`` items."""
    if not isinstance(entry, dict):
        return list(entry)
    refs = []
    for arg in entry.get("args", []):
        for item in arg if isinstance(arg, list) else [arg]:
            if isinstance(item, dict) and "tensor" in item:
                refs.append(item["tensor"])
    return refs


# ------------------------------------------------------------------ graph walking


def _check_symbolic(tensors: list, what: str) -> None:
    for tensor in tensors:
        if not isinstance(tensor, KerasTensor):
            raise TypeError(
                f"nn.Model(inputs, outputs): {what} must be symbolic tensors - from "
                f"nn.Input(...) and layers called on them - but got {type(tensor).__name__}. "
                "To run layers on data, build the model first and then call it on the data."
            )


def _graph_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]):
    """The nodes between ``inputs`` and ``outputs``, ordered so each node comes after
    the nodes it takes inputs from, plus the nodes grouped by depth (distance from
    the outputs), as Keras orders them."""
    input_ids = {id(t) for t in inputs}
    # Depth-first, post-order: a node is listed once all its inbound nodes are.
    order: list[Node] = []
    done: set[int] = set()
    stack: list[tuple[Node, bool]] = [(t.node, False) for t in reversed(outputs)]
    while stack:
        node, inbound_listed = stack.pop()
        if id(node) in done:
            continue
        if inbound_listed:
            done.add(id(node))
            order.append(node)
            continue
        if isinstance(node.layer, InputLayer) and id(node.outputs) not in input_ids:
            raise ValueError(
                f"Graph disconnected: the outputs depend on input '{node.layer.name}', which "
                f"is not among the model's inputs {[t.name for t in inputs]}. Pass every "
                "input the outputs are computed from: nn.Model(inputs=[...], outputs=...)."
            )
        stack.append((node, True))
        for tensor in reversed(node.input_tensors):
            stack.append((tensor.node, False))
    for tensor in inputs:  # inputs the outputs do not use still belong to the model
        if id(tensor.node) not in done:
            done.add(id(tensor.node))
            order.insert(0, tensor.node)

    depth: dict[int, int] = {id(node): 0 for node in order}
    for node in reversed(order):
        for tensor in node.input_tensors:
            depth[id(tensor.node)] = max(depth[id(tensor.node)], depth[id(node)] + 1)
    position = {id(node): i for i, node in enumerate(order)}
    ordered = sorted(order, key=lambda n: (-depth[id(n)], position[id(n)]))
    by_depth: dict[int, list[Node]] = {}
    for node in ordered:
        by_depth.setdefault(depth[id(node)], []).append(node)
    return ordered, by_depth


def _unique_layers(nodes: list[Node]) -> list[Layer]:
    layers: list[Layer] = []
    seen: set[int] = set()
    for node in nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(node.layer)
    return layers


def _check_unique_names(layers: list[Layer]) -> None:
    counts = Counter(layer.name for layer in layers)  # one pass: models may have 10k+ layers
    for name, count in counts.items():
        if count > 1:
            raise ValueError(
                f'The name "{name}" is used {count} times in the model. All layer '
                "names should be unique. Pass name=... to the layers to tell them apart."
            )
