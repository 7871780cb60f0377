"""``Model``: a layer made of layers, that can also be trained.

``Model`` adds to ``Layer`` what a whole network needs: ``layers``,
``get_layer``, ``summary()``, and - from the ``Trainer`` mixin in
``training.py`` - ``compile``/``fit``/``evaluate``/``predict``. There are three
ways to make one, as in Keras:

- ``nn.Sequential([...])``: a stack of layers (``sequential.py``);
- ``nn.Model(inputs, outputs)``: a graph of layer calls on ``nn.Input`` tensors
  (``functional.py``);
- a subclass of ``nn.Model`` with ``__init__`` creating layers and ``call`` using
  them; layers assigned to attributes are tracked, so ``weights`` finds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
from nn.layers.base import Layer
from nn.layers.symbolic import map_shapes
from nn.models.training import Trainer
from nn.saving.registry import register

_NOT_BUILT_SUMMARY = (
    "This model has not yet been built. Build the model first by calling `build()` or by "
    "calling the model on a batch of data."
)


class Model(Trainer, Layer):
    """A network of layers. Subclass it, or call ``nn.Model(inputs, outputs)``.

    Examples
    --------
    Subclassing:

    >>> import nn, numpy as np
    >>> class TwoLayers(nn.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.layers.Dense(8, activation="relu")
    ...         self.out = nn.layers.Dense(1)
    ...     def call(self, inputs):
    ...         return self.out(self.hidden(inputs))
    >>> model = TwoLayers()
    >>> model(np.ones((2, 3))).shape
    (2, 1)
    >>> len(model.trainable_weights)
    4

    Functional:

    >>> inputs = nn.Input(shape=(3,))
    >>> outputs = nn.layers.Dense(1)(nn.layers.Dense(8)(inputs))
    >>> nn.Model(inputs, outputs).count_params()
    41
    """

    # Whether `weights` must raise before the model is built (Sequential: a stack of
    # layers without an input shape has no weights yet, and Keras says so).
    _weights_need_build = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        # nn.Model(inputs, outputs) makes a functional model, as in Keras: the graph
        # lives in the Functional subclass. Subclasses of Model are made as they are.
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from nn.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got inputs/outputs. A functional model is "
                "made with nn.Model(inputs, outputs) itself; a subclass of nn.Model creates "
                "its layers in __init__ and uses them in call()."
            )
        super().__init__(**kwargs)
        self.stop_training = False

    # ------------------------------------------------------------------ layers
    @property
    def layers(self) -> list[Layer]:
        """The layers of the model, in order."""
        return self._sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers``.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(2, name="first")])
        >>> model.get_layer("first").name
        'first'
        """
        if name is not None and index is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index, not both. Received: "
                f"index={index}, name={name!r}."
            )
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ------------------------------------------------------------------ weights
    def _check_weights_created(self) -> None:
        if self._weights_need_build and not self.built:
            raise ValueError(
                f"Weights for model '{self.name}' have not yet been created. Weights are "
                "created when the model is first called on inputs or `build()` is called with "
                "an `input_shape`."
            )

    @property
    def weights(self) -> list:
        self._check_weights_created()
        return super().weights

    @property
    def trainable_weights(self) -> list:
        self._check_weights_created()
        return super().trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        self._check_weights_created()
        return super().non_trainable_weights

    # ------------------------------------------------------------------ build/call
    def build(self, input_shape: Any) -> None:
        """Create the weights of a subclassed model by running ``call`` once on zeros
        of ``input_shape`` (None sizes become 1), outside the graph."""
        def zeros(shape: tuple) -> Any:
            return autograd.zeros(tuple(1 if d is None else d for d in shape), dtype=self.dtype)

        self.built = True
        with autograd.no_grad():
            self._run_call(map_shapes(zeros, input_shape), {}, training=False)

    def _maybe_build(self, input_shape: Any, more_shapes: tuple = ()) -> None:
        # A subclassed model without its own build() is built by its first call: its
        # layers create their weights as call() reaches them.
        if not self.built and type(self).build is Model.build:
            self.built = True
            self._build_input_shape = input_shape
            return
        super()._maybe_build(input_shape, more_shapes)

    def call(self, inputs: Any, training: Any = None) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no call() method. A subclass of nn.Model must define "
            "call(self, inputs) using the layers it created in __init__."
        )

    # ------------------------------------------------------------------ inspection
    @property
    def input_shape(self) -> Any:
        """The shape of the model's input, e.g. ``(None, 4)`` (a list for several
        inputs), once the model knows it."""
        return self._graph_shape(getattr(self, "inputs", None), "input")

    @property
    def output_shape(self) -> Any:
        """The shape of the model's output, e.g. ``(None, 2)`` (a list for several)."""
        return self._graph_shape(getattr(self, "outputs", None), "output")

    def _graph_shape(self, tensors: Any, what: str) -> Any:
        if tensors:
            shapes = [tuple(t.shape) for t in tensors]
            return shapes[0] if len(shapes) == 1 else shapes
        if self._inbound_nodes:  # e.g. a subclassed model called on a symbolic input
            return getattr(super(), f"{what}_shape")
        raise AttributeError(
            f"Model '{self.name}' has no {what} shape yet: it is known once the model knows "
            "its input shape - start it with keras.Input(shape=...), give the first layer "
            "input_shape=..., or call it on a symbolic input."
        )

    def _graph_nodes(self) -> list | None:
        """The nodes of the model's graph (None for a subclassed model, which has no
        graph): used by summary() for output shapes and connections."""
        return None

    def summary(
        self,
        line_length: int | None = None,
        positions: list[float] | None = None,
        print_fn: Callable[[str], Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
    ) -> None:
        """Print a table of the layers: name (type), output shape, parameter count.

        Parameters
        ----------
        line_length : int, optional
            Width of the table (65 for a stack of layers, 98 for a graph).
        positions : list of float, optional
            Right edge of each column, as fractions of the width or absolute.
        print_fn : callable, optional
            Called with each line (``print`` by default).
        expand_nested : bool
            Also list the layers of models nested in this one.
        show_trainable : bool
            Add a column saying whether each layer is trainable.
        """
        from nn.models.summary import print_summary

        if not self.built:
            raise ValueError(_NOT_BUILT_SUMMARY)
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    # ------------------------------------------------------------------ config
    def to_json(self, **kwargs: Any) -> str:
        """The architecture as JSON (no weights): ``{"class_name", "config"}``, which
        ``nn.models.model_from_json`` turns back into a model. ``kwargs`` go to
        ``json.dumps`` (e.g. ``indent=2``)."""
        import json

        from nn.saving.serialization import serialize

        return json.dumps(serialize(self), **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        """Rebuild a model from ``get_config()``; a functional model's config (one with
        ``"input_layers"``) is rebuilt as a graph."""
        if "input_layers" in config:
            from nn.models.functional import Functional

            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)


# The classes a saved file may name (nn/saving/registry.py).
register(Model)
