"""``Sequential``: a plain stack of layers, each feeding the next.

As soon as the model knows its input shape - from ``nn.Input`` added first,
``input_shape=`` on the first layer, ``build(input_shape)``, or the first call on
data - it calls each layer on symbolic tensors. That creates the weights and
gives every layer an ``.input`` and ``.output``, so ``summary()`` shows output
shapes and a functional model can be cut out of the stack (feature extraction).
Running the model on data simply calls the layers one after the other.
"""

from __future__ import annotations

from typing import Any

from nn.layers.base import Layer
from nn.layers.input_layer import InputLayer
from nn.layers.symbolic import KerasTensor, Node, normalize_output_shape
from nn.models.model import Model
from nn.saving.registry import register
from nn.saving.serialization import deserialize, serialize


class Sequential(Model):
    """A linear stack of layers.

    Parameters
    ----------
    layers : list, optional
        Layers (and optionally an ``nn.Input`` first) to ``add`` in order.
    name : str, optional
        ``sequential``, ``sequential_1``, ... by default.

    Examples
    --------
    >>> import nn
    >>> nn.clear_session()
    >>> model = nn.Sequential([nn.Input(shape=(4,)), nn.layers.Dense(2, activation="relu")])
    >>> model.summary(print_fn=lambda line: print(line.rstrip()))
    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     dense (Dense)               (None, 2)                 10
    <BLANKLINE>
    =================================================================
    Total params: 10
    Trainable params: 10
    Non-trainable params: 0
    _________________________________________________________________
    """

    _weights_need_build = True

    def __init__(self, layers: list | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self._stack: list[Layer] = []
        # The names in _stack, so that add() checks a new name in constant time (a
        # list of all names per add made loading a 16,000-layer file quadratic).
        self._stack_names: set[str] = set()
        self._input_layer: InputLayer | None = None
        # Whether the input came from the user (nn.Input / InputLayer) rather than
        # from input_shape= on the first layer, build() or the first call.
        self._explicit_input = False
        # The symbolic tensors between the layers: [input, output of layer 0, ...].
        self._graph_tensors: list[KerasTensor] = []
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ building
    def add(self, layer: Any) -> None:
        """Add a layer on top of the stack (or, first, an ``nn.Input``).

        If the model's input shape is known, the layer is called at once, so its
        weights and output shape exist right away and ``summary()`` shows them.
        """
        if isinstance(layer, KerasTensor):
            origin = layer.node.layer if layer.node is not None else None
            if not isinstance(origin, InputLayer):
                raise TypeError(
                    f"Sequential.add() takes layers, or an nn.Input(...) tensor first; got "
                    f"{layer!r}, the output of layer '{layer.name}'. For a graph of layer "
                    "calls, build a functional model with nn.Model(inputs, outputs)."
                )
            layer = origin
        if not isinstance(layer, Layer):
            raise TypeError(_not_a_layer_message(layer))
        if isinstance(layer, InputLayer):
            self._add_input(layer)
            return
        input_name = self._input_layer.name if self._input_layer is not None else None
        if layer.name in self._stack_names or layer.name == input_name:
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f'"{layer.name}" is already the name of a layer in this model. Update the '
                "`name` argument to pass a unique name."
            )
        self._stack.append(layer)
        self._stack_names.add(layer.name)
        if self._input_layer is None and len(self._stack) == 1:
            shape = _declared_input_shape(layer)
            if shape is not None:
                self._input_layer = InputLayer(batch_input_shape=shape, name=f"{layer.name}_input",
                                               dtype=layer.dtype)
                self._graph_tensors = [self._input_layer.output]
        if self._graph_tensors:
            try:
                self._graph_tensors.append(_call_single_output(layer, self._graph_tensors[-1]))
            except Exception:
                self._stack.pop()
                self._stack_names.discard(layer.name)
                if not self._stack and not self._explicit_input:
                    self._forget_input()
                raise
            self.built = True

    def _add_input(self, input_layer: InputLayer) -> None:
        if self._input_layer is not None or self._stack:
            raise ValueError(
                f"An input can only be added to Sequential model '{self.name}' first, before "
                "any layer (and only once)."
            )
        self._input_layer = input_layer
        self._explicit_input = True
        self._graph_tensors = [input_layer.output]
        self.built = True

    def pop(self) -> Layer:
        """Remove the top layer and return it."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._stack_names.discard(layer.name)
        if len(self._graph_tensors) > len(self._stack) + 1:
            node = self._graph_tensors.pop().node
            layer._inbound_nodes = [n for n in layer._inbound_nodes if n is not node]
        if not self._stack and not self._explicit_input:
            self._forget_input()
        return layer

    def _forget_input(self) -> None:
        self._input_layer = None
        self._graph_tensors = []
        self.built = False

    def build(self, input_shape: Any = None) -> None:
        """Build the model for inputs of ``input_shape`` (batch axis included, e.g.
        ``(None, 4)``): creates every layer's weights without computing anything."""
        if self._graph_tensors:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if not self._stack:
            raise ValueError(
                f"Sequential model '{self.name}' has no layers to build. Add layers first.")
        first = self._stack[0]
        self._input_layer = InputLayer(batch_input_shape=input_shape, name=f"{first.name}_input",
                                       dtype=first.dtype)
        tensors = [self._input_layer.output]
        try:
            for layer in self._stack:
                tensors.append(_call_single_output(layer, tensors[-1]))
        except Exception:
            # Undo the calls that worked, so the model stays as it was.
            for layer, tensor in zip(self._stack, tensors[1:], strict=False):
                layer._inbound_nodes = [n for n in layer._inbound_nodes if n is not tensor.node]
            self._input_layer = None
            raise
        self._graph_tensors = tensors
        self.built = True

    def _all_layers(self) -> list[Layer]:
        return ([self._input_layer] if self._input_layer is not None else []) + self._stack

    # ------------------------------------------------------------------ views
    @property
    def layers(self) -> list[Layer]:
        """The layers, without the input (which is not a layer you added)."""
        return list(self._stack)

    @property
    def inputs(self) -> list[KerasTensor] | None:
        return self._graph_tensors[:1] or None

    @property
    def outputs(self) -> list[KerasTensor] | None:
        return self._graph_tensors[-1:] or None

    @property
    def input(self) -> KerasTensor:
        if not self._graph_tensors:
            raise AttributeError(
                f"Sequential model '{self.name}' has no input yet: it is defined once the "
                "model knows its input shape.")
        return self._graph_tensors[0]

    @property
    def output(self) -> KerasTensor:
        if not self._graph_tensors:
            raise AttributeError(
                f"Sequential model '{self.name}' has no output yet: it is defined once the "
                "model knows its input shape.")
        return self._graph_tensors[-1]

    @property
    def _batch_input_shape(self) -> tuple | None:
        return self._graph_tensors[0].shape if self._graph_tensors else None

    @_batch_input_shape.setter
    def _batch_input_shape(self, value: Any) -> None:
        pass  # Layer.__init__ sets it; a Sequential's input shape is its input layer's.

    def _graph_nodes(self) -> list[Node]:
        return [t.node for t in self._graph_tensors]

    # ------------------------------------------------------------------ running
    def call(self, inputs: Any) -> Any:
        # Each layer inherits `training` from this call (nn/layers/call_context.py).
        outputs = inputs
        for layer in self._stack:
            outputs = layer(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = input_shape
        for layer in self._stack:
            shape = normalize_output_shape(layer.compute_output_shape(shape))
        return shape

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """``{"name", "trainable", "layers": [{"class_name", "config"}, ...]}``, the
        input layer first when the model has one."""
        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize(layer) for layer in self._all_layers()]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        """A new model with the same layers (new weights) from ``get_config()``."""
        model = cls(name=config.get("name"))
        for layer_data in config.get("layers", []):
            model.add(deserialize(layer_data, custom_objects))
        model._trainable = config.get("trainable", True)
        return model


def _call_single_output(layer: Layer, tensor: KerasTensor) -> KerasTensor:
    output = layer(tensor)
    if not isinstance(output, KerasTensor):
        raise ValueError(
            f"All layers in a Sequential model should have a single output tensor, but layer "
            f"'{layer.name}' has {len(output)}. For multi-output layers, use the functional "
            "API: nn.Model(inputs, outputs)."
        )
    return output


def _declared_input_shape(layer: Layer) -> tuple | None:
    """The batch input shape a layer was told (``input_shape=...``) or, for a model,
    the shape of its single input."""
    return getattr(layer, "_batch_input_shape", None)


def _not_a_layer_message(value: Any) -> str:
    what = f"{value!r} (of type {type(value).__name__})"
    hint = ""
    if isinstance(value, type) and issubclass(value, Layer):
        hint = (f" It looks like the class itself: create a layer from it, e.g. "
                f"layers.{value.__name__}(...) with its arguments.")
    elif isinstance(value, (list, tuple)):
        hint = (" To add several layers, call add() once per layer, or pass the list to "
                "Sequential().")
    elif callable(value):
        hint = (" A plain function is not a layer: for an activation use "
                "layers.Activation(fn), or write a Layer subclass with a call() method.")
    return (
        f"The added layer must be an instance of class Layer, but got {what}. Sequential.add() "
        f"takes layers such as layers.Dense(4), or keras.Input(shape=...) first.{hint}"
    )


# The classes a saved file may name (nn/saving/registry.py).
register(Sequential)
