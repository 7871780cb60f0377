"""Whole models between gradstack and Keras 3's ``config.json``.

- ``to_keras(layer)``: the Keras 3 config of a layer or model (Sequential,
  functional, nested); a functional model's layers list their calls as Keras 3
  ``inbound_nodes`` (``{"args": [...], "kwargs": {...}}`` with
  ``__keras_tensor__`` entries naming ``[layer, node index, tensor index]``).
- ``from_keras(spec)``: gradstack's ``{"class_name", "config"}`` for a Keras 3
  config, which ``nn.saving.serialization.deserialize`` then builds through the
  registry.
- ``keras_layer_order(model)``: the order in which Keras 3 lists a model's
  layers. The weights file names each layer by its class and its position among
  layers of that class in this order (``dense``, ``dense_1``), so both sides must
  agree on it. For a functional model Keras sorts layers by depth (the longest
  path to an output, deepest first) and breaks ties by the order a depth-first
  walk from the outputs first meets them.
"""

from __future__ import annotations

from typing import Any

from nn.layers import InputLayer, MultiHeadAttention
from nn.layers.symbolic import map_tensors
from nn.models.functional import Functional
from nn.models.sequential import Sequential
from nn.saving.keras_format.layer_configs import (
    SUPPORTED_LAYERS,
    WRAPPED_LAYER_KEYS,
    KerasConfigError,
    dtype_policy,
    from_keras_layer_config,
    input_layer_to_keras,
    resolve_class,
    to_keras_layer,
)
from nn.saving.registry import _USER_CLASSES, builtin_classes

FUNCTIONAL_MODULE = "keras.src.models.functional"


# ---------------------------------------------------------------------- layer order


def keras_layer_order(model: Any) -> list:
    """The layers of ``model`` in Keras 3's order (``model.layers`` in Keras)."""
    if isinstance(model, Sequential):
        return model.layers
    if not isinstance(model, Functional):
        raise TypeError(f"{type(model).__name__} has no layer graph.")
    index: dict[int, int] = {}       # layer id -> first time the walk met it
    ordered_nodes: list = []         # every node after the nodes it needs
    finished: set[int] = set()
    stack = [(t.node, False) for t in reversed(model.outputs)]
    while stack:  # a depth-first walk from the outputs, as Keras's recursive one
        node, children_done = stack.pop()
        if children_done:
            finished.add(id(node))
            ordered_nodes.append(node)
            continue
        if id(node) in finished:
            continue
        index.setdefault(id(node.layer), len(index))
        stack.append((node, True))
        if not isinstance(node.layer, InputLayer):
            stack.extend((t.node, False) for t in reversed(node.input_tensors))
    in_graph = {id(n) for n in ordered_nodes}
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Any] = {}
    for node in reversed(ordered_nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for tensor in node.input_tensors:
            if id(tensor.node) in in_graph:
                node_depth[id(tensor.node)] = max(node_depth.get(id(tensor.node), 0), depth + 1)
    for tensor in model.inputs:  # inputs that no output uses: depth 0, first
        layer = tensor.node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], index[id(layer)], layers[id(layer)] = 0, -1, layer
    return sorted(layers.values(),
                  key=lambda layer: (-layer_depth[id(layer)], index[id(layer)]))


# ---------------------------------------------------------------------- writing


def to_keras(layer: Any) -> dict:
    """Keras 3's ``{"module", "class_name", "config", "registered_name", ...}``."""
    if isinstance(layer, InputLayer):
        return input_layer_to_keras(layer)
    if isinstance(layer, Sequential):
        return _sequential_to_keras(layer)
    if isinstance(layer, Functional):
        return _functional_to_keras(layer)
    cls = type(layer)
    if cls in builtin_classes("layer") and cls.__name__ not in SUPPORTED_LAYERS:
        raise TypeError(
            f"Cannot write layer '{layer.name}' ({cls.__name__}) to a .keras file yet: "
            f"gradstack writes Keras 3's form of {', '.join(SUPPORTED_LAYERS[:-3])}. Save "
            "this model as .gradstack instead (model.save('model.gradstack')).")
    if cls in builtin_classes("layer"):
        spec = to_keras_layer(cls.__name__, layer.get_config())
        for key in WRAPPED_LAYER_KEYS.get(cls.__name__, ()):
            spec["config"][key] = to_keras(_wrapped(layer, key))
    elif _USER_CLASSES.get(cls.__name__) is cls and not layer._sublayers():
        # Keras finds it if the same class is registered there ("Custom>Name").
        spec = to_keras_layer(cls.__name__, layer.get_config())
        spec.update(module=None, registered_name=f"Custom>{cls.__name__}")
    elif not layer._sublayers():
        # Not registered: written as Keras 3 writes such a class (its module and
        # name), to be loaded with custom_objects={"Name": Name} on either side.
        spec = to_keras_layer(cls.__name__, layer.get_config())
        spec.update(module=cls.__module__, registered_name=cls.__name__)
    else:
        raise TypeError(
            f"Cannot write layer '{layer.name}' ({cls.__name__}) to a .keras file: Keras knows "
            "gradstack's built-in layers, Sequential and functional models, and your own "
            "layers that hold no sublayers. Save it as .gradstack instead "
            "(model.save('model.gradstack')).")
    shape = _first_input_shape(layer)
    if shape is not None and isinstance(layer, MultiHeadAttention):
        # Keras builds it from build(query_shape, value_shape, key_shape=None)
        names = ("query_shape", "value_shape", "key_shape")
        spec["build_config"] = {"shapes_dict": dict(zip(names, shape))}
    elif shape is not None:
        spec["build_config"] = {"input_shape": shape}
    return spec


def _wrapped(layer: Any, key: str) -> Any:
    """The layer object behind a wrapper's config key (Bidirectional's "layer" is
    its forward layer)."""
    if key == "layer" and hasattr(layer, "forward_layer"):
        return layer.forward_layer
    return getattr(layer, key)


def _sequential_to_keras(model: Sequential) -> dict:
    if not model.built or model._input_layer is None:
        raise ValueError(
            f"Sequential model '{model.name}' is not built, so its input shape is unknown and "
            "Keras could not build it. Call it on data, or model.build(input_shape), first.")
    shape = list(model._input_layer._batch_input_shape)
    layers = [input_layer_to_keras(model._input_layer)] + [to_keras(x) for x in model.layers]
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": model.name, "trainable": model.trainable,
                       "dtype": dtype_policy(model.dtype), "layers": layers,
                       "build_input_shape": shape},
            "registered_name": None, "build_config": {"input_shape": shape}}


def _functional_to_keras(model: Functional) -> dict:
    node_ids = {id(n) for n in model._graph_nodes()}

    def node_index(node: Any) -> int:
        relevant = [n for n in node.layer._inbound_nodes if id(n) in node_ids]
        return next(i for i, n in enumerate(relevant) if n is node)

    def history(tensor: Any) -> list:
        return [tensor.node.layer.name, node_index(tensor.node), tensor.index]

    def keras_tensor(tensor: Any) -> dict:
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                           "keras_history": history(tensor)}}

    layers = []
    for layer in keras_layer_order(model):
        nodes = [n for n in layer._inbound_nodes if id(n) in node_ids]
        inbound = []
        if not isinstance(layer, InputLayer):
            for node in nodes:
                if isinstance(layer, MultiHeadAttention):  # Keras: mha(query, value, key)
                    args = [keras_tensor(t) for t in node.call_args]
                else:  # the first argument, then any further positional ones
                    args = [map_tensors(keras_tensor, arg)
                            for arg in [node.call_args, *node.extra_args]]
                inbound.append({"args": args, "kwargs": dict(node.call_kwargs)})
        layers.append({**to_keras(layer), "name": layer.name, "inbound_nodes": inbound})

    def refs(tensors: Any) -> Any:
        return [history(t) for t in tensors] if isinstance(tensors, list) else history(tensors)

    return {"module": FUNCTIONAL_MODULE, "class_name": "Functional",
            "config": {"name": model.name, "trainable": model.trainable, "layers": layers,
                       "input_layers": refs(model.input), "output_layers": refs(model.output)},
            "registered_name": "Functional", "build_config": {"input_shape": None}}


def _first_input_shape(layer: Any) -> Any:
    if not layer.built or not layer._inbound_nodes:
        return None
    args = layer._inbound_nodes[0].call_args
    if isinstance(args, list):
        return [list(t.shape) for t in args]
    return list(args.shape)


# ---------------------------------------------------------------------- reading


def from_keras(spec: Any, custom_objects: dict | None = None, where: str = "the model") -> dict:
    """gradstack's ``{"class_name", "config"}`` for a Keras 3 layer or model spec."""
    if not isinstance(spec, dict):
        raise KerasConfigError(f"{where} is not an object.")
    cls = resolve_class(spec, custom_objects, where)
    config = spec.get("config")
    if not isinstance(config, dict):
        raise KerasConfigError(f"{where} has no config object.")
    name = _registered_key(cls, spec, custom_objects)
    where = f"layer {str(config.get('name', '?'))[:80]!r}" if where != "the model" else where
    if issubclass(cls, Sequential):
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise KerasConfigError(f"{where} (Sequential) has no list of layers.")
        out = {"name": config.get("name"), "trainable": config.get("trainable", True),
               "layers": [from_keras(x, custom_objects, f"layer {i} of {where}")
                          for i, x in enumerate(layers)]}
        return {"class_name": name, "config": out,
                "build_input_shape": config.get("build_input_shape")}
    if issubclass(cls, Functional) or "input_layers" in config:
        return {"class_name": "Functional", "config": _functional_from_keras(
            config, custom_objects, where)}
    config = dict(config)
    wrapped = {key: from_keras(config.pop(key), custom_objects, f"{where}'s {key}")
               for key in WRAPPED_LAYER_KEYS.get(cls.__name__, ()) if key in config}
    return {"class_name": name,
            "config": {**from_keras_layer_config(cls.__name__, config, where), **wrapped}}


def _registered_key(cls: type, spec: dict, custom_objects: dict | None) -> str:
    """The name the registry knows ``cls`` by (a user's class may be registered under
    a name other than its Keras class name)."""
    for key, value in (custom_objects or {}).items():
        if value is cls:
            return key
    for key, value in _USER_CLASSES.items():
        if value is cls:
            return key
    return cls.__name__


def _functional_from_keras(config: dict, custom_objects: dict | None, where: str) -> dict:
    layers = config.get("layers")
    if not isinstance(layers, list):
        raise KerasConfigError(f"{where} (Functional) has no list of layers.")
    if not all(isinstance(entry, dict) for entry in layers):
        raise KerasConfigError(f"a layer of {where} is not an object.")
    layers = _without_mask_ops(layers)
    out_layers = []
    for i, entry in enumerate(layers):
        layer = from_keras(entry, custom_objects, f"layer {i} of {where}")
        name = entry.get("name", (entry.get("config") or {}).get("name"))
        attention = layer["class_name"] == "MultiHeadAttention"
        nodes = [_node_from_keras(node, f"layer {str(name)[:80]!r}", attention)
                 for node in entry.get("inbound_nodes") or []]
        out_layers.append({**layer, "name": name, "inbound_nodes": nodes})
    return {"name": config.get("name"), "trainable": config.get("trainable", True),
            "layers": out_layers, "input_layers": config.get("input_layers"),
            "output_layers": config.get("output_layers")}


def _without_mask_ops(layers: list[dict]) -> list[dict]:
    """Keras 3 records how it computes masks (Masking, mask_zero) as operations in
    the graph ("NotEqual", "Any" from ``keras.src.ops``) whose results only reach
    layers as their ``mask=`` argument. gradstack's layers pass masks on by
    themselves, so those entries are left out. An operation whose result is a
    layer's real input is kept (and then refused by name: it is not a layer)."""
    def is_op(entry: dict) -> bool:
        return str(entry.get("module", "")).startswith("keras.src.ops.")

    def arg_sources(entry: dict) -> set[str]:
        names: set[str] = set()
        for node in entry.get("inbound_nodes") or []:
            args = node.get("args") if isinstance(node, dict) else None
            stack = list(args) if isinstance(args, list) else []
            while stack:
                item = stack.pop()
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    history = (item.get("config") or {}).get("keras_history")
                    if isinstance(history, list) and history and isinstance(history[0], str):
                        names.add(history[0])
        return names

    ops = {entry.get("name"): entry for entry in layers if is_op(entry)}
    needed: set[str] = set()
    frontier = [e for e in layers if not is_op(e)]
    while frontier:  # the operations some layer's real input depends on
        sources = set().union(*(arg_sources(e) for e in frontier)) & set(ops) - needed
        needed |= sources
        frontier = [ops[name] for name in sources]
    return [entry for entry in layers if not is_op(entry) or entry.get("name") in needed]


def _node_from_keras(node: Any, where: str, multi_head_attention: bool = False) -> Any:
    """A Keras 3 node ``{"args": [...], "kwargs": {...}}`` as gradstack's list of
    ``[layer name, node index, tensor index, kwargs]``, or for a call with several
    positional arguments gradstack's ``{"args": [...], "kwargs": {...}}``."""
    if not isinstance(node, dict) or not isinstance(node.get("args"), list):
        raise KerasConfigError(f"{where} has an inbound node gradstack cannot read.")
    kwargs = {k: v for k, v in (node.get("kwargs") or {}).items()
              if k not in ("mask", "training")}  # the model decides training at run time
    args = node["args"]
    if not args:
        raise KerasConfigError(f"{where} is called with no arguments.")
    if multi_head_attention:  # mha(query, value, key=...): gradstack's list [q, v(, k)]
        key = kwargs.pop("key", None)
        args = [args + ([key] if key is not None else [])]
        if not 2 <= len(args[0]) <= 3:
            raise KerasConfigError(f"{where} (MultiHeadAttention) is called with "
                                   f"{len(args[0])} tensors; it takes query, value and key.")
    if len(args) > 1:  # layer(targets, logits): gradstack's {"args": [...]} form
        return {"args": [_arg_from_keras(arg, where) for arg in args], "kwargs": kwargs}
    tensors = args[0] if isinstance(args[0], list) else [args[0]]
    return [[*_tensor_history(tensor, where), kwargs] for tensor in tensors]


def _arg_from_keras(arg: Any, where: str) -> Any:
    """One positional argument of a Keras 3 call: a tensor, a list of tensors, or a
    plain value (None, a number, a string)."""
    if arg is None or isinstance(arg, (bool, int, float, str)):
        return arg
    if isinstance(arg, list):
        return [{"tensor": _tensor_history(item, where)} for item in arg]
    return {"tensor": _tensor_history(arg, where)}


def _tensor_history(tensor: Any, where: str) -> list:
    """The ``[layer name, node index, tensor index]`` of a ``__keras_tensor__`` entry."""
    history = tensor.get("config", {}).get("keras_history") if isinstance(tensor, dict) \
        else None
    if (not isinstance(history, list) or len(history) != 3
            or not isinstance(history[0], str)
            or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 1 << 20
                       for x in history[1:])):
        raise KerasConfigError(f"{where} has an input that is not a Keras tensor "
                               "reference.")
    return list(history)
