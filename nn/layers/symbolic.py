"""Symbolic tensors and nodes: what calling a layer on ``nn.Input`` records.

Calling a layer on a ``KerasTensor`` computes no numbers. The layer works out
the output shape (``compute_output_shape``) and records a ``Node``: "this layer
was called on these tensors and made those". Following nodes backwards from a
model's outputs to its inputs gives the model's graph; that is what gives every
layer an ``.input`` and an ``.output``, what ``nn.Model(inputs, outputs)`` cuts
out of another model, and why ``summary()`` of a 320x320 image model is instant.

>>> import nn
>>> nn.clear_session()
>>> x = nn.Input(shape=(4,))
>>> x
<KerasTensor: shape=(None, 4) dtype=float32 (created by layer 'input_1')>
>>> y = nn.layers.Dense(2)(x)
>>> y.node.layer.name, y.node.input_tensors[0] is x
('dense', True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

Shape = tuple  # a tuple of ints, with None for sizes not known yet (the batch)


class KerasTensor:
    """A placeholder for a tensor whose shape is known but whose values are not.

    Attributes
    ----------
    shape : tuple
        With ``None`` for unknown sizes, usually the batch: ``(None, 4)``.
    dtype : str
        ``"float32"`` unless the input said otherwise.
    node : Node
        The call that made this tensor; ``node.layer`` is the layer.
    index : int
        Which of that call's outputs this is (0 for single-output layers).
    """

    def __init__(self, shape: Shape, dtype: str, node: Node | None = None, index: int = 0):
        self.shape = tuple(shape)
        self.dtype = str(dtype)
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def name(self) -> str:
        return self.node.layer.name if self.node is not None else "?"

    def __repr__(self) -> str:
        return (
            f"<KerasTensor: shape={self.shape} dtype={self.dtype} "
            f"(created by layer '{self.name}')>"
        )

    # A symbolic tensor has no values. Arithmetic on it would have to become a
    # layer; say so instead of failing somewhere deep inside NumPy.
    def _no_values(self, *args: Any) -> Any:
        raise TypeError(
            f"{self!r} is symbolic: it has a shape but no values, so it cannot be used in "
            "arithmetic or converted to an array. Inside a functional model, combine "
            "symbolic tensors with layers, e.g. nn.layers.Add()([a, b]) for a + b. To get "
            "numbers, build a model (nn.Model(inputs, outputs)) and call it on data."
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_values
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = _no_values
    __array__ = __float__ = __bool__ = _no_values


class Node:
    """One call of a layer on symbolic tensors.

    Attributes
    ----------
    layer : Layer
        The layer that was called.
    call_args : KerasTensor or list of KerasTensor
        What the layer was called on, in the structure it was given (one tensor
        for most layers, a list for ``Add``/``Concatenate``).
    call_kwargs : dict
        Keyword arguments of the call (e.g. ``training=False``), repeated when
        the model runs on data.
    extra_args : tuple
        The positional arguments after the first, for a layer called on several
        tensors positionally (``LogisticEndpoint()(targets, logits)``): each one a
        tensor, a list of tensors or a plain value such as None. Empty for most calls.
    outputs : KerasTensor or list of KerasTensor
        What the call produced, in its structure.
    """

    def __init__(self, layer: Any, call_args: Any, call_kwargs: dict, output_shapes: Any,
                 dtype: str, extra_args: tuple = ()) -> None:
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = dict(call_kwargs)
        self.extra_args = tuple(extra_args)
        if is_shape(output_shapes):
            self.outputs: Any = KerasTensor(output_shapes, dtype, self, 0)
        else:
            self.outputs = [KerasTensor(s, dtype, self, i) for i, s in enumerate(output_shapes)]

    @property
    def input_tensors(self) -> list[KerasTensor]:
        """Every symbolic tensor of the call, the extra positional ones included."""
        tensors = flatten(self.call_args)
        for arg in self.extra_args:
            tensors.extend(t for t in flatten(arg) if isinstance(t, KerasTensor))
        return tensors

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return flatten(self.outputs)

    @property
    def inbound_layers(self) -> list[Any]:
        return [t.node.layer for t in self.input_tensors]

    @property
    def output_shapes(self) -> Any:
        return map_structure(lambda t: t.shape, self.outputs)

    @property
    def input_shapes(self) -> Any:
        return map_structure(lambda t: t.shape, self.call_args)

    def __repr__(self) -> str:
        inbound = ", ".join(layer.name for layer in self.inbound_layers) or "-"
        return f"<Node {self.layer.name}({inbound})>"


# ------------------------------------------------------------------ structures
# Layer inputs are one tensor or a list/tuple of tensors (merge layers). These
# helpers walk that one level of nesting; nothing deeper is supported.


def flatten(structure: Any) -> list:
    """``x`` -> ``[x]``; ``[a, b]`` -> ``[a, b]``; ``{"a": a, "b": b}`` -> ``[a, b]``."""
    if isinstance(structure, (list, tuple)):
        return list(structure)
    if isinstance(structure, dict):
        return list(structure.values())
    return [structure]


def map_structure(fn: Any, structure: Any) -> Any:
    """Apply ``fn`` to the tensor, or to each tensor of a list/tuple (kept a list) or
    of a dict (kept a dict with the same keys)."""
    if isinstance(structure, (list, tuple)):
        return [fn(item) for item in structure]
    if isinstance(structure, dict):
        return {key: fn(item) for key, item in structure.items()}
    return fn(structure)


def shape_list(shapes: Any) -> list[tuple]:
    """One shape ``(None, 4)`` -> ``[(None, 4)]``; a list of shapes stays a list.
    (Shapes are tuples, so ``flatten`` cannot tell them from a tuple of inputs.)"""
    return [tuple(shapes)] if is_shape(tuple(shapes)) else [tuple(s) for s in shapes]


def map_shapes(fn: Any, shapes: Any) -> Any:
    """Apply ``fn`` to one shape, or to each shape of a list of shapes."""
    if is_shape(tuple(shapes)):
        return fn(tuple(shapes))
    return [fn(tuple(s)) for s in shapes]


def map_tensors(fn: Any, structure: Any) -> Any:
    """``map_structure`` for an argument that may also be a plain value: ``fn`` is
    applied to the KerasTensors only (None, numbers and strings pass unchanged)."""
    return map_structure(lambda item: fn(item) if isinstance(item, KerasTensor) else item,
                         structure)


def is_symbolic(structure: Any) -> bool:
    """True if the input (or any item of an input list) is a KerasTensor."""
    return any(isinstance(item, KerasTensor) for item in flatten(structure))


def is_shape(value: Any) -> bool:
    """True for one shape ``(None, 4)``; False for a list of shapes ``[(None, 4), (None, 2)]``."""
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)


def as_shape(shape: Any) -> tuple:
    """``784`` -> ``(784,)``; ``[None, 4]`` -> ``(None, 4)``; NumPy ints become ints.

    >>> as_shape([None, 4])
    (None, 4)
    """
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if d is None else int(d) for d in shape)


def normalize_output_shape(shape: Any) -> Any:
    """One shape (a tuple or list of sizes) -> a tuple; a list of shapes -> a list of tuples."""
    if all(d is None or isinstance(d, (int, np.integer)) for d in shape):
        return as_shape(shape)
    return [as_shape(s) for s in shape]
