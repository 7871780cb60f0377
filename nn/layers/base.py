"""``Layer``: the base class of every layer and model.

A layer turns inputs into outputs with ``call`` and owns weights it creates in
``build``. The base class does the bookkeeping around those two methods:

- ``__call__`` converts data to float32 Tensors, runs ``build(input_shape)`` the
  first time (so weights fit the first input's shape), checks the input shape,
  then runs ``call``. On a symbolic ``KerasTensor`` (from ``nn.Input``) it
  computes nothing: it records a graph node and returns symbolic outputs.
- ``add_weight`` creates a named weight (a ``Variable``: an autograd Tensor).
- Attributes holding layers or weights are tracked through ``__setattr__``, so a
  layer built from other layers (your own subclass) reports all their weights.
- ``weights``, ``trainable_weights``, ``get_weights``/``set_weights``,
  ``count_params``, ``losses``, ``get_config``/``from_config``, ``input``/``output``.

Writing a layer::

    class Scale(nn.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, inputs):
            return inputs * self.w
"""

from __future__ import annotations

import difflib
import inspect
import weakref
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn import initializers as initializers_module
from nn import regularizers as regularizers_module
from nn.layers.naming import snake_case, unique_name
from nn.layers.symbolic import (
    KerasTensor,
    Node,
    flatten,
    is_symbolic,
    map_shapes,
    map_structure,
    shape_list,
)
from nn.layers.variable import Variable

# Keyword arguments every layer accepts, besides name, trainable and dtype.
BASE_LAYER_ARGUMENTS = (
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "input_dim",
    "activity_regularizer",
)

# Attributes of the base class itself: bookkeeping, never layers or weights to track.
_NOT_TRACKED = frozenset({"_tracked_attributes", "_own_weights", "_inbound_nodes",
                          "_call_losses"})

# The `training` value of the calls in progress, outermost first. A layer called
# without `training=` inherits it from the layer (or model) that called it, so a
# Dropout inside your own model knows whether fit() is running.
_training_stack: list[Any] = []

# Layers holding add_loss values, so that a new top-level call clears only those
# (walking every layer of a model on every call would cost more than the call).
_layers_with_call_losses: weakref.WeakSet = weakref.WeakSet()

# Whether a class's `call` takes a `training` argument, looked up once per class.
_accepts_training: dict[type, bool] = {}


class Layer:
    """Base class of layers: ``build`` creates weights, ``call`` computes outputs.

    Parameters
    ----------
    trainable : bool
        Whether training may change this layer's weights.
    name : str, optional
        Defaults to ``snake_case(ClassName)`` plus a counter (``dense_3``).
    dtype : str, optional
        The dtype of weights and computations; ``"float32"`` by default. Float
        inputs of another precision are cast to it.
    input_shape : tuple, optional
        The shape of one sample (no batch axis). Given to the first layer of a
        ``Sequential``, it builds the model at once.
    batch_input_shape, batch_size, input_dim : optional
        Other ways to give the input shape (``input_dim=4`` is ``input_shape=(4,)``).
    activity_regularizer : optional
        A penalty on the layer's outputs, added to ``losses`` on each call.

    Examples
    --------
    >>> import nn
    >>> class Double(nn.layers.Layer):
    ...     def call(self, inputs):
    ...         return inputs * 2
    >>> Double()([[1.0, 2.0]])
    Tensor([[2., 4.]], shape=(1, 2), dtype=float32)
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        for key in kwargs:
            if key not in BASE_LAYER_ARGUMENTS:
                raise TypeError(self._unknown_argument_message(key))
        # (setdefault: a subclass may have assigned layers before calling super().__init__)
        self.__dict__.setdefault("_tracked_attributes", [])
        self._name = name if name is not None else unique_name(self._default_name_prefix())
        self._trainable = bool(trainable)
        self.dtype = np.dtype(dtype).name if dtype is not None else "float32"
        self.built = False
        self._own_weights: list[Variable] = []
        self._inbound_nodes: list[Node] = []
        self._call_losses: list[Tensor] = []
        self._build_input_shape: Any = None
        self.activity_regularizer = regularizers_module.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape = _batch_input_shape_from(kwargs)

    def _default_name_prefix(self) -> str:
        return snake_case(type(self).__name__)

    def _unknown_argument_message(self, key: str) -> str:
        cls = type(self)
        own = [
            p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        known = list(dict.fromkeys(own + ["name", "trainable", "dtype", *BASE_LAYER_ARGUMENTS]))
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return (
            f"{cls.__name__} got an unexpected keyword argument '{key}'.{hint} "
            f"{cls.__name__} accepts: {', '.join(known)}."
        )

    # ------------------------------------------------------------------ naming
    @property
    def name(self) -> str:
        return self._name

    # ------------------------------------------------------------------ tracking
    def __setattr__(self, name: str, value: Any) -> None:
        # Remember attributes that hold (or may later hold) layers or weights. They
        # are read when `weights` or `layers` is asked for, so a list you append
        # layers to after assigning it is seen too.
        if name not in _NOT_TRACKED and isinstance(value, (Layer, Tensor, list, tuple, dict)):
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

    def _sublayers(self) -> list[Layer]:
        """The layers this layer holds directly (not their sublayers), each once."""
        return _unique([v for v in self._tracked_values() if isinstance(v, Layer)])

    def _flatten_layers(self) -> list[Layer]:
        """This layer and every layer inside it, depth first, each once."""
        found: list[Layer] = []
        seen: set[int] = set()
        stack: list[Layer] = [self]
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
        return _unique(self._own_weights + attribute_weights)

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        regularizer: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Create a weight of this layer, named ``"<layer name>/<name>"``.

        Parameters
        ----------
        shape : tuple
            The weight's shape; ``()`` for a scalar.
        initializer : str or Initializer, optional
            ``"glorot_uniform"`` by default (``nn.initializers``).
        trainable : bool
            False for state that training must not change (e.g. moving averages).
        regularizer : str or Regularizer, optional
            A penalty on the weight that shows up in ``layer.losses``.
        name : str
            The weight's short name (``"kernel"``).

        Examples
        --------
        >>> import nn
        >>> layer = nn.layers.Layer(name="demo")
        >>> layer.add_weight(shape=(2,), initializer="ones", name="scale")
        <Variable 'demo/scale' shape=(2,) dtype=float32, numpy=array([1., 1.], dtype=float32)>
        """
        if isinstance(shape, str):  # Keras 2 style: add_weight("kernel", shape=...)
            name, shape = shape, None
        shape = () if shape is None else _as_shape(shape)
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer '{self.name}': cannot create the weight '{name}' with shape {shape}: "
                "every size must be known. A None usually means build() used the batch axis "
                "or an input dimension that is not known yet."
            )
        dtype = np.dtype(dtype or self.dtype)
        init = initializers_module.get(initializer or "glorot_uniform")
        values = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        weight = Variable(
            values,
            name=f"{self.name}/{name or 'variable'}",
            trainable=trainable,
            regularizer=regularizers_module.get(regularizer),
        )
        weight.requires_grad_(trainable and self._trainable)
        self._own_weights.append(weight)
        return weight

    @property
    def weights(self) -> list[Tensor]:
        """All weights, this layer's own first, then those of the layers inside it,
        each once (in creation order, which is the order Keras saves them in)."""
        found = list(self._direct_weights())
        for layer in self._sublayers():
            found.extend(layer.weights)
        return _unique(found)

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights training updates: empty when the layer is frozen."""
        if not self.trainable:
            return []
        found = [w for w in self._direct_weights() if _is_trainable(w)]
        for layer in self._sublayers():
            found.extend(layer.trainable_weights)
        return _unique(found)

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

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as NumPy arrays (copies), in the order of ``weights``.

        >>> import nn, numpy as np
        >>> layer = nn.layers.Dense(3)
        >>> _ = layer(np.ones((1, 6)))
        >>> [w.shape for w in layer.get_weights()]
        [(6, 3), (3,)]
        """
        return [np.array(w.data, copy=True) for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Overwrite the weights with NumPy arrays, in the order of ``get_weights()``."""
        own = self.weights
        weights = list(weights)
        expected = ", ".join(f"{w.name} {w.shape}" for w in own) or "no weights"
        if len(weights) != len(own):
            unbuilt = "" if self.built else (
                " The layer is not built yet: call it on data (or build it) first, so that "
                "its weights exist.")
            raise ValueError(
                f"Layer '{self.name}' has {len(own)} weight(s), but set_weights() was given "
                f"{len(weights)} array(s). It expects, in order: {expected}.{unbuilt}"
            )
        for weight, value in zip(own, weights, strict=True):
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
            if array.shape != weight.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{weight.name}' has shape {weight.shape}, "
                    f"but the array given for it has shape {array.shape}. Arrays must come in "
                    f"the order of get_weights(): {expected}."
                )
        with autograd.no_grad():
            for weight, value in zip(own, weights, strict=True):
                array = value.data if isinstance(value, Tensor) else np.asarray(value)
                weight.copy_(array.astype(weight.dtype, copy=False))

    def count_params(self) -> int:
        """The number of numbers in all weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name}, but the layer isn't "
                f"built. You can build it manually via: `{self.name}.build(batch_input_shape)`."
            )
        return int(sum(w.size for w in self.weights))

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
                weight.requires_grad_(bool(value) and _is_trainable(weight))

    # ------------------------------------------------------------------ losses
    @property
    def losses(self) -> list[Tensor]:
        """Scalar penalties to add to the training loss: the regularizers of all
        weights (computed now, from the current values, so they are differentiable)
        and the values passed to ``add_loss`` during the last call."""
        found: list[Tensor] = []
        for layer in self._flatten_layers():
            for weight in layer._direct_weights():
                regularizer = getattr(weight, "regularizer", None)
                if regularizer is not None:
                    found.append(regularizer(weight))
            found.extend(layer._call_losses)
        return found

    def add_loss(self, value: Any) -> None:
        """Add a scalar to ``losses`` for this call (cleared at the next top-level call)."""
        self._call_losses.append(value if isinstance(value, Tensor) else autograd.tensor(value))
        _layers_with_call_losses.add(self)

    # ------------------------------------------------------------------ build/call
    def build(self, input_shape: Any) -> None:
        """Create the weights, knowing the input shape (batch axis first, maybe None).
        Subclasses override this; the base version only marks the layer built."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from input Tensors. Subclasses override this."""
        return inputs

    def check_input_shape(self, input_shape: Any) -> None:
        """Raise a clear error if this layer cannot take inputs of this shape.
        Called before every call (also before ``build``); subclasses override it."""

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for an input shape, with None for unknown sizes.

        Built-in layers compute it. For a layer that does not say, the base class
        runs ``call`` once on zeros of that shape (batch of 1) and reads the shape.
        """
        def zeros(shape: tuple) -> Tensor:
            return autograd.zeros(tuple(1 if d is None else d for d in shape), dtype=self.dtype)

        with autograd.no_grad():
            outputs = self._run_call(map_shapes(zeros, input_shape), {}, training=False)
        batch = shape_list(input_shape)[0][0] if shape_list(input_shape)[0] else None
        output_shapes = [(batch,) + tuple(t.shape[1:]) if t.ndim else () for t in flatten(outputs)]
        return output_shapes if isinstance(outputs, (list, tuple)) else output_shapes[0]

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the layer on data (NumPy arrays or Tensors) or on symbolic tensors.

        ``training=True`` turns on training behaviour (Dropout, BatchNormalization
        batch statistics); by default a layer inherits it from the model calling it.
        """
        if is_symbolic(inputs):
            if args:
                raise TypeError(
                    f"Layer '{self.name}': extra positional arguments are not supported when "
                    "calling a layer on symbolic tensors; pass them as keyword arguments."
                )
            return self._call_symbolic(inputs, kwargs)
        inputs = _to_tensors(inputs, self.dtype)
        input_shape = map_structure(lambda t: tuple(t.shape), inputs)
        self.check_input_shape(input_shape)
        self._maybe_build(input_shape)
        training = kwargs.pop("training", None)
        if not _training_stack and _layers_with_call_losses:
            # A new top-level call: forget add_loss values of the previous one.
            for layer in self._flatten_layers():
                if layer in _layers_with_call_losses:
                    layer._call_losses = []
                    _layers_with_call_losses.discard(layer)
        outputs = self._run_call(inputs, kwargs, training, *args)
        if self.activity_regularizer is not None:
            for output in flatten(outputs):
                batch = output.shape[0] if output.ndim else 1
                self.add_loss(self.activity_regularizer(output) / batch)
        return outputs

    def _run_call(self, inputs: Any, kwargs: dict, training: Any, *args: Any) -> Any:
        if training is None and _training_stack:
            training = _training_stack[-1]
        if self._call_takes_training():
            kwargs = {**kwargs, "training": training}
        _training_stack.append(training)
        try:
            return self.call(inputs, *args, **kwargs)
        finally:
            _training_stack.pop()

    def _call_takes_training(self) -> bool:
        cls = type(self)
        if cls not in _accepts_training:
            parameters = inspect.signature(cls.call).parameters.values()
            _accepts_training[cls] = any(
                p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters
            )
        return _accepts_training[cls]

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    def _call_symbolic(self, inputs: Any, kwargs: dict) -> Any:
        """Record the call as a graph node; compute shapes, not values."""
        if not all(isinstance(t, KerasTensor) for t in flatten(inputs)):
            raise TypeError(
                f"Layer '{self.name}' was called on a mix of symbolic tensors (from nn.Input) "
                "and data. Call it either on symbolic tensors, to build a model, or on data."
            )
        input_shape = map_structure(lambda t: t.shape, inputs)
        self.check_input_shape(input_shape)
        self._maybe_build(input_shape)
        output_shape = _normalize_output_shape(self.compute_output_shape(input_shape))
        node = Node(self, list(inputs) if isinstance(inputs, tuple) else inputs, kwargs,
                    output_shape, self.dtype)
        self._inbound_nodes.append(node)
        return node.outputs

    # ------------------------------------------------------------------ graph views
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
        return _shared_shape(self, [n.input_shapes for n in self._inbound_nodes], "input")

    @property
    def output_shape(self) -> Any:
        return _shared_shape(self, [n.output_shapes for n in self._inbound_nodes], "output")

    def __repr__(self) -> str:
        # Stable across runs (no memory address), as Keras 3 prints layers.
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-serializable dict."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable,
                                  "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers_module.serialize(
                self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """Create a layer from ``get_config()`` output (weights are not included)."""
        return cls(**config)


# ------------------------------------------------------------------ helpers


def _unique(items: list) -> list:
    """Keep the first occurrence of each object (by identity: Tensors compare
    elementwise with ==, so `in` and set() of values cannot be used)."""
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _is_trainable(weight: Tensor) -> bool:
    return getattr(weight, "trainable", True)


def _as_shape(shape: Any) -> tuple:
    """``784`` -> ``(784,)``; ``[None, 4]`` -> ``(None, 4)``; NumPy ints become ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if d is None else int(d) for d in shape)


def _batch_input_shape_from(kwargs: dict) -> tuple | None:
    if kwargs.get("batch_input_shape") is not None:
        return _as_shape(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"),) + _as_shape(kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None


def _normalize_output_shape(shape: Any) -> Any:
    """One shape (a tuple or list of sizes) -> a tuple; a list of shapes -> a list of tuples."""
    if all(d is None or isinstance(d, (int, np.integer)) for d in shape):
        return _as_shape(shape)
    return [_as_shape(s) for s in shape]


def _shared_shape(layer: Layer, shapes: list, what: str) -> Any:
    if not shapes:
        raise AttributeError(
            f"The layer '{layer.name}' has never been called on a symbolic input, so it has "
            f"no defined {what} shape."
        )
    if any(s != shapes[0] for s in shapes):
        raise AttributeError(
            f"The layer '{layer.name}' has been called on inputs of different shapes, so its "
            f"{what} shape is ambiguous. Use layer.get_{what}_at(node_index).shape instead."
        )
    return shapes[0]


def _is_list_of_inputs(value: Any) -> bool:
    """A list/tuple of arrays or Tensors is several inputs (for Add, Concatenate,
    multi-input models); a nested list of numbers is one input."""
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(v, (Tensor, np.ndarray, KerasTensor)) for v in value)
    )


def _to_tensor(value: Any, dtype: str) -> Tensor:
    """Data -> Tensor; float data of another precision is cast to the layer's dtype
    (float64 NumPy arrays become float32, as in Keras). Casting a Tensor keeps the graph."""
    if isinstance(value, Tensor):
        if value.dtype.kind == "f" and value.dtype != dtype:
            return value.astype(dtype)
        return value
    array = np.asarray(value)
    if array.dtype.kind == "f" and array.dtype != dtype:
        array = array.astype(dtype)
    return Tensor(array)


def _to_tensors(inputs: Any, dtype: str) -> Any:
    if _is_list_of_inputs(inputs):
        return [_to_tensor(v, dtype) for v in inputs]
    return _to_tensor(inputs, dtype)
