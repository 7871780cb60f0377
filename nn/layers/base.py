"""``Layer``: the base class of every layer and model.

A layer turns inputs into outputs with ``call`` and owns weights it creates in
``build``. The base class does the bookkeeping around those two methods; each
job has its own file:

- here, the call protocol: ``__call__`` converts data to float32 Tensors, checks
  the inputs against ``input_spec`` (``input_spec.py``) and ``check_input_shape``,
  runs ``build(input_shape)`` the first time (so weights fit
  the first input's shape), then runs ``call`` in the call context
  (``call_context.py``: the ``training`` flag and ``add_loss`` values shared by
  nested calls). On a symbolic ``KerasTensor`` (from ``nn.Input``) it computes
  nothing: it records a graph node and returns symbolic outputs. Also
  ``add_weight``, ``get_weights``/``set_weights``, ``losses``/``add_loss``;
- ``tracking.py``: attributes holding layers or weights are tracked, so a layer
  built from other layers (your own subclass) reports all their weights;
- ``symbolic_views.py``: ``input``/``output`` and their shapes;
- ``config.py``: ``get_config``/``from_config`` and the base arguments.

Writing a layer::

    class Scale(nn.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, inputs):
            return inputs * self.w
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn import initializers as initializers_module
from nn import regularizers as regularizers_module
from nn.layers import loading
from nn.layers.call_context import call_takes_training, current_call_context, layer_call
from nn.layers.config import (
    LayerConfig,
    batch_input_shape_from,
    check_base_arguments,
    layer_dtype,
)
from nn.layers.input_spec import InputSpec, check_input_spec
from nn.layers.masks import get_mask, set_mask
from nn.layers.naming import snake_case, unique_name
from nn.layers.symbolic import (
    KerasTensor,
    Node,
    as_shape,
    flatten,
    is_shape,
    is_symbolic,
    map_shapes,
    map_structure,
    map_tensors,
    normalize_output_shape,
    shape_list,
)
from nn.layers.symbolic_views import SymbolicViews
from nn.layers.tracking import AttributeTracking
from nn.layers.variable import Variable


class Layer(AttributeTracking, SymbolicViews, LayerConfig):
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

    Other Parameters
    ----------------
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

    # What the inputs must look like (rank, sizes, dtype), checked before every call;
    # a layer sets its own in __init__ and narrows it in build (input_spec.py).
    input_spec: InputSpec | list[InputSpec | None] | None = None
    # The kinds of NumPy data (dtype.kind) a layer takes as input: numbers, so that
    # None or strings get an error naming the layer; text layers add strings ("USO").
    input_kinds = "biuf"
    # Keras's rule for masks (masking.py): True if this layer passes its input's mask on.
    supports_masking = False

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        check_base_arguments(type(self), kwargs)
        # (setdefault: a subclass may have assigned layers before calling super().__init__)
        self.__dict__.setdefault("_tracked_attributes", [])
        self._name = name if name is not None else unique_name(self._default_name_prefix())
        self._trainable = bool(trainable)
        self.dtype = layer_dtype(f"Layer '{self._name}' ({type(self).__name__})", dtype)
        self.built = False
        self._own_weights: list[Variable] = []
        self._inbound_nodes: list[Node] = []
        self._build_input_shape: Any = None
        # add_loss values of the last call, and which call they belong to (call_context.py)
        self._call_losses: list[Tensor] = []
        self._losses_serial = 0
        # The layers that added losses during this layer's last top-level call.
        self._loss_layers: list[Layer] = []
        self.activity_regularizer = regularizers_module.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape = batch_input_shape_from(kwargs)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails. Without Layer.__init__ every
        # bookkeeping attribute is missing: say what to do instead of naming one.
        if "_own_weights" not in self.__dict__ and not name.startswith("__"):
            raise AttributeError(
                f"{type(self).__name__} has no attribute '{name}' because Layer.__init__ "
                f"never ran: call `super().__init__(**kwargs)` first in `__init__` of "
                f"{type(self).__name__}, before anything else."
            )
        # Otherwise raise the original error again (a property's own message included).
        return object.__getattribute__(self, name)

    def _default_name_prefix(self) -> str:
        return snake_case(type(self).__name__)

    @property
    def name(self) -> str:
        return self._name

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
        shape = () if shape is None else as_shape(shape)
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer '{self.name}': cannot create the weight '{name}' with shape {shape}: "
                "every size must be known. A None usually means build() used the batch axis "
                "or an input dimension that is not known yet."
            )
        dtype = np.dtype(dtype or self.dtype)
        init = initializers_module.get(initializer or "glorot_uniform")
        source = loading.current_source()  # set while nn.saving loads a file
        if source is not None:  # the file's values: checked against it, no initializer run
            values = source(self, name or "variable", shape, dtype)
        else:
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
        arrays = [autograd.as_array(value) for value in weights]
        for weight, array in zip(own, arrays, strict=True):
            if array.shape != weight.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{weight.name}' has shape {weight.shape}, "
                    f"but the array given for it has shape {array.shape}. Arrays must come in "
                    f"the order of get_weights(): {expected}."
                )
        with autograd.no_grad():
            for weight, array in zip(own, arrays, strict=True):
                weight.copy_(array.astype(weight.dtype, copy=False))

    def count_params(self) -> int:
        """The number of numbers in all weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name}, but the layer isn't "
                f"built. You can build it manually via: `{self.name}.build(batch_input_shape)`."
            )
        return int(sum(w.size for w in self.weights))

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
            for function in layer.__dict__.get("_callable_losses", ()):
                value = function()
                found.append(value if isinstance(value, Tensor) else autograd.tensor(value))
        return found

    def _add_symbolic_loss(self, value: Any) -> None:
        # Functional models override this: only they can compute a symbolic tensor.
        raise TypeError(
            f"Layer '{self.name}' ({type(self).__name__}): add_loss() got a symbolic tensor "
            f"({value!r}). Only a functional model can compute one, on every call: "
            "model = nn.Model(inputs, outputs); model.add_loss(tensor). Inside call(), "
            "add_loss takes the Tensor computed there.")

    def add_loss(self, value: Any) -> None:
        """Add a scalar to ``losses`` for this call (cleared at the next top-level call).

        Also, as in tf.keras: a function of no arguments (``lambda:
        tf.reduce_mean(layer.kernel)``), called each time ``losses`` is read; and, on
        a functional model, a symbolic tensor computed by its layers
        (``model.add_loss(penalty_tensor)``), computed on every call of the model.
        """
        if callable(value) and not isinstance(value, Tensor):
            self.__dict__.setdefault("_callable_losses", []).append(value)
            return
        if is_symbolic(value):
            self._add_symbolic_loss(value)
            return
        value = value if isinstance(value, Tensor) else autograd.tensor(value)
        context = current_call_context()
        if context is not None and self._losses_serial != context.serial:
            # This layer's first add_loss in this call: the previous call's values go.
            self._call_losses = []
            self._losses_serial = context.serial
            context.loss_layers.append(self)
        self._call_losses.append(value)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """The metrics this layer and the layers inside it keep: ``Metric`` objects
        held as attributes (Keras 3's endpoint layer updates
        ``self.accuracy_metric`` in ``call``) and those made by ``add_metric``.
        A model's ``fit`` logs them beside its compiled metrics."""
        from nn.metrics import Metric

        found: list = []
        for layer in self._flatten_layers():
            values = [*vars(layer).values(), *layer.__dict__.get("_added_metrics", {}).values()]
            for value in values:
                if isinstance(value, Metric) and all(value is not m for m in found):
                    found.append(value)
        return found

    def add_metric(self, value: Any, name: str | None = None, aggregation: str = "mean") -> None:
        """tf.keras's ``add_metric``: log the running mean of ``value`` (a scalar or
        a Tensor, averaged over its items) under ``name`` in ``fit``'s logs.
        Keras 3 dropped it; there, keep a ``Metric`` as an attribute and call its
        ``update_state`` in ``call``.

        >>> import nn
        >>> layer = nn.layers.Layer()
        >>> layer.add_metric(2.0, name="two"); layer.add_metric(4.0, name="two")
        >>> float(layer.metrics[0].result())
        3.0
        """
        from nn.metrics import Mean

        if aggregation != "mean":
            raise ValueError(f"Layer '{self.name}': add_metric(aggregation={aggregation!r}) is "
                             "not supported; gradstack averages (aggregation='mean').")
        name = name or getattr(value, "name", None) or "metric"
        metrics = self.__dict__.setdefault("_added_metrics", {})
        if name not in metrics:
            metrics[name] = Mean(name=name)
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        metrics[name].update_state(np.asarray(array, dtype=np.float64))

    # ------------------------------------------------------------------ build/call
    def build(self, input_shape: Any) -> None:
        """Create the weights, knowing the input shape (batch axis first, maybe None).
        Subclasses override this; the base version only marks the layer built."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from input Tensors. Subclasses override this."""
        return inputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs, from the inputs and their mask (None: no mask).

        By default the input's mask passes on unchanged; layers that change the
        steps or end the sequence override this. Only asked when
        ``supports_masking`` is True (or the layer overrides it).
        """
        return mask

    def check_input_shape(self, input_shape: Any) -> None:
        """Raise a clear error if this layer cannot take inputs of this shape.

        Called before every call (also before ``build``), after the ``input_spec``
        check. Rank and sizes belong in ``input_spec``; override this only for what
        a spec cannot say: how several inputs relate, or a window that must fit.
        """

    def compute_output_shape(self, input_shape: Any, *more_shapes: Any) -> Any:
        """The output shape for an input shape, with None for unknown sizes.

        Built-in layers compute it. For a layer that does not say, the base class
        runs ``call`` once on zeros of that shape (batch of 1) and reads the shape.
        A layer called on several tensors positionally (``layer(targets, logits)``)
        gets one shape per argument, in order, as in Keras 3.
        """
        def zeros(shape: tuple) -> Tensor:
            return autograd.zeros(tuple(1 if d is None else d for d in shape), dtype=self.dtype)

        with autograd.no_grad():
            outputs = self._run_call(map_shapes(zeros, input_shape), {}, False,
                                     *(_zeros_for(zeros, shapes) for shapes in more_shapes))
        batch = shape_list(input_shape)[0][0] if shape_list(input_shape)[0] else None
        output_shapes = [(batch,) + tuple(t.shape[1:]) if t.ndim else () for t in flatten(outputs)]
        return output_shapes if isinstance(outputs, (list, tuple)) else output_shapes[0]

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the layer on data (NumPy arrays or Tensors) or on symbolic tensors.

        ``training=True`` turns on training behaviour (Dropout, BatchNormalization
        batch statistics); by default a layer inherits it from the model calling it.
        Further positional arguments (``layer(targets, logits)``) reach ``call`` after
        the first, converted to Tensors when they are arrays.
        """
        if is_symbolic(inputs) or any(is_symbolic(arg) for arg in args):
            return self._call_symbolic(inputs, kwargs, args)
        previous_mask = _masks_of(inputs)
        inputs = _to_tensors(inputs, self.dtype, self)
        if previous_mask is not None and not isinstance(inputs, list):
            set_mask(inputs, previous_mask)  # a cast input is a new tensor: keep its mask
        args = tuple(_to_tensors(arg, self.dtype, self) if _is_data(arg) else arg for arg in args)
        input_shape = map_structure(lambda t: tuple(t.shape), inputs)
        check_input_spec(self, input_shape, map_structure(lambda t: t.dtype, inputs))
        self.check_input_shape(input_shape)
        self._maybe_build(input_shape, tuple(_shapes_of(arg) for arg in args))
        training = kwargs.pop("training", None)
        with layer_call(self, training) as training:
            outputs = self._call_with_training(inputs, args, kwargs, training)
            if self.activity_regularizer is not None:
                for output in flatten(outputs):
                    batch = output.shape[0] if output.ndim else 1
                    self.add_loss(self.activity_regularizer(output) / batch)
        self._pass_mask_on(inputs, outputs, previous_mask, kwargs.get("mask"))
        return outputs

    def _pass_mask_on(self, inputs: Any, outputs: Any, previous_mask: Any,
                      given_mask: Any) -> None:
        """Keras's mask rule: a layer that supports masking gives its outputs the mask
        ``compute_mask`` returns (unless ``call`` set one); any other layer drops an
        incoming mask, with a warning."""
        mask = given_mask if given_mask is not None else previous_mask
        overrides = type(self).compute_mask is not Layer.compute_mask
        if not (self.supports_masking or overrides):
            if mask is not None:
                warnings.warn(
                    f"Layer '{self.name}' ({type(self).__name__}) got an input with a mask, "
                    "but it does not support masking: the layers after it will not see "
                    "which steps are padding.", UserWarning, stacklevel=3)
            return
        if mask is None and not overrides:
            return
        output_masks = self.compute_mask(inputs, mask)
        if output_masks is None:
            return
        output_list = flatten(outputs)
        mask_list = output_masks if isinstance(output_masks, (list, tuple)) \
            else [output_masks] * len(output_list)
        for output, output_mask in zip(output_list, mask_list, strict=False):
            if output_mask is not None and isinstance(output, Tensor) \
                    and get_mask(output) is None:
                set_mask(output, output_mask)

    def _run_call(self, inputs: Any, kwargs: dict, training: Any, *args: Any) -> Any:
        """``call`` in the call context, without the checks of ``__call__`` (for
        building and for output shapes, on zeros)."""
        with layer_call(self, training) as training:
            return self._call_with_training(inputs, args, kwargs, training)

    def _call_with_training(self, inputs: Any, args: tuple, kwargs: dict, training: Any) -> Any:
        if call_takes_training(type(self)):
            kwargs = {**kwargs, "training": training}
        return self.call(inputs, *args, **kwargs)

    def _maybe_build(self, input_shape: Any, more_shapes: tuple = ()) -> None:
        if not self.built:
            if more_shapes and _takes_positional(type(self).build, 1 + len(more_shapes)):
                self.build(input_shape, *more_shapes)  # build(self, targets_shape, logits_shape)
            else:
                self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    def _call_symbolic(self, inputs: Any, kwargs: dict, args: tuple = ()) -> Any:
        """Record the call as a graph node; compute shapes, not values."""
        extra = tuple(list(arg) if isinstance(arg, tuple) else arg for arg in args)
        if not all(isinstance(t, KerasTensor) for t in flatten(inputs)) or not all(
                isinstance(t, KerasTensor) or _is_plain(t) for a in extra for t in flatten(a)):
            raise TypeError(
                f"Layer '{self.name}' was called on a mix of symbolic tensors (from nn.Input) "
                "and data. Call it either on symbolic tensors, to build a model, or on data."
            )
        input_shape = map_structure(lambda t: t.shape, inputs)
        more_shapes = tuple(map_tensors(lambda t: t.shape, arg) for arg in extra)
        check_input_spec(self, input_shape, map_structure(lambda t: t.dtype, inputs))
        self.check_input_shape(input_shape)
        self._maybe_build(input_shape, more_shapes)
        output_shape = normalize_output_shape(self.compute_output_shape(input_shape, *more_shapes))
        node = Node(self, list(inputs) if isinstance(inputs, tuple) else inputs, kwargs,
                    output_shape, self.dtype, extra)
        self._inbound_nodes.append(node)
        return node.outputs

    def __repr__(self) -> str:
        # Stable across runs (no memory address), as Keras 3 prints layers.
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# ------------------------------------------------------------------ input conversion


def _masks_of(inputs: Any) -> Any:
    """The mask on an input, or the list of masks on a list of inputs (None if none)."""
    if _is_list_of_inputs(inputs):
        masks = [get_mask(value) for value in inputs]
        return masks if any(m is not None for m in masks) else None
    return get_mask(inputs)


def _is_list_of_inputs(value: Any) -> bool:
    """A list/tuple of arrays or Tensors is several inputs (for Add, Concatenate,
    multi-input models); a nested list of numbers is one input."""
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(v, (Tensor, np.ndarray, KerasTensor)) for v in value)
    )


def _is_data(value: Any) -> bool:
    """An extra positional argument that is data to convert (an array, a Tensor or a
    list of them); anything else (None, a number, a flag) reaches ``call`` as given."""
    return isinstance(value, (np.ndarray, Tensor)) or _is_list_of_inputs(value)


def _is_plain(value: Any) -> bool:
    """A value a symbolic call may take beside tensors (``sample_weights=None``)."""
    return value is None or isinstance(value, (bool, int, float, str))


def _shapes_of(value: Any) -> Any:
    """The shape of a Tensor argument, the shapes of a list of them, or the value."""
    return map_structure(lambda v: tuple(v.shape) if isinstance(v, Tensor) else v, value)


def _zeros_for(zeros: Any, shapes: Any) -> Any:
    """Zeros for an extra argument's shape (or list of shapes); plain values stay."""
    if isinstance(shapes, tuple) and is_shape(shapes):
        return zeros(shapes)
    if isinstance(shapes, list):
        return [zeros(s) if isinstance(s, tuple) and is_shape(s) else s for s in shapes]
    return shapes


def _takes_positional(method: Any, count: int) -> bool:
    """Whether ``method`` (unbound) takes ``count`` positional arguments after self."""
    parameters = list(inspect.signature(method).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= count


def _to_tensor(value: Any, dtype: str, layer: Layer) -> Tensor:
    """Data -> Tensor; float data of another precision is cast to the layer's dtype
    (float64 NumPy arrays become float32, as in Keras). Casting a Tensor keeps the graph.
    Data that is not numbers (None, strings, ragged lists) is refused naming the layer."""
    if isinstance(value, Tensor):
        if value.dtype.kind == "f" and value.dtype != dtype:
            return value.astype(dtype)
        return value
    where = f"Layer '{layer.name}' ({type(layer).__name__})"
    try:
        array = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{where} got input that is not one rectangular array of numbers "
                         f"({err}). Give every sample the same shape.") from None
    if array.dtype.kind not in layer.input_kinds:
        found = {"O": "objects (None, or values NumPy cannot make numbers of)",
                 "U": "strings", "S": "bytes"}.get(array.dtype.kind, "values")
        found = f"{found} (dtype {array.dtype})"
        raise TypeError(
            f"{where} takes numbers, but got an input of shape {array.shape} holding {found}. "
            "Fill in missing values and convert it, e.g. np.asarray(x, dtype='float32').")
    if array.dtype.kind == "f" and array.dtype != dtype:
        array = array.astype(dtype)
    return Tensor(array)


def _to_tensors(inputs: Any, dtype: str, layer: Layer) -> Any:
    if _is_list_of_inputs(inputs):
        return [_to_tensor(v, dtype, layer) for v in inputs]
    return _to_tensor(inputs, dtype, layer)
