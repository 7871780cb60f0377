"""``InputSpec``: what a layer accepts, declared once and checked by ``Layer.__call__``.

A layer states the rank and sizes it needs in ``self.input_spec`` (Keras's
attribute and class), usually in ``__init__``, and narrows it in ``build`` once
it has weights. ``Layer.__call__`` checks every call against it before
``build`` and ``call``, on data and on symbolic tensors alike, so no layer
writes these checks by hand. The spec also writes the error message: the
layer's name, the shape expected (named axis by axis with ``layout``) and the
shape given, and the usual fix (``x[None]`` for a missing batch axis,
``x[..., None]`` for a missing last axis).

>>> import nn, numpy as np
>>> class Scale(nn.layers.Layer):
...     def __init__(self, **kwargs):
...         super().__init__(**kwargs)
...         self.input_spec = InputSpec(min_ndim=2, layout=("batch", "features"))
...     def build(self, input_shape):
...         self.w = self.add_weight(shape=(input_shape[-1],), name="w")
...         self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]},
...                                     layout=("batch", "features"))
...     def call(self, inputs):
...         return inputs * self.w
>>> layer = Scale(name="scale")
>>> _ = layer(np.ones((2, 3)))
>>> layer(np.ones((2, 4)))
Traceback (most recent call last):
  ...
ValueError: Scale layer 'scale' was built for inputs whose last dimension is 3, but it was \
called on an input of shape (2, 4), whose last dimension is 4. A layer creates its weights \
for the first input it sees, and later inputs must match: give it inputs with 3 features, \
or use a new Scale layer for inputs with 4 features.

A layer whose call takes several tensors gives a list of specs, one per input.
Checks that relate the inputs to each other or to the layer's arguments (merge
shapes, a kernel that fits the image) stay in ``check_input_shape``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class InputSpec:
    """The rank, sizes and dtype one input of a layer must have.

    Parameters
    ----------
    dtype : str, optional
        The input's dtype must be this one.
    shape : tuple, optional
        The whole shape; None entries match any size (sets ``ndim``).
    ndim, min_ndim, max_ndim : int, optional
        The exact, least or largest number of axes, batch axis included.
    axes : dict {axis: size}, optional
        Sizes some axes must have, e.g. ``{-1: 784}``: what the weights were built for.
    known : tuple of int, optional
        Axes whose size must be known (not None) to create the weights, e.g. ``(-1,)``.
        (gradstack's addition: Keras lets such a layer fail inside ``build``.)
    layout : tuple of str, optional
        A name for each axis, ``("batch", "height", "width", "channels")``; the
        messages describe the expected shape with it.
    about : str, optional
        A note on the layout for the messages, e.g. ``"NHWC, channels last"``.
    hints : dict {ndim: str}, optional
        Extra advice for an input of that many axes, e.g. for 2-D input to an image
        layer: reshape flat vectors to images first; under ``"list"``, for a list of
        inputs given to a layer that takes one.
    name : str, optional
        The input's name in messages when a layer takes several (``"query"``).
    """

    def __init__(self, dtype: Any = None, shape: tuple | None = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict[int, int] | None = None, known: tuple[int, ...] = (),
                 layout: tuple[str, ...] | None = None, about: str | None = None,
                 hints: dict[int | str, str] | None = None, name: str | None = None) -> None:
        self.dtype = np.dtype(dtype).name if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.known = tuple(known)
        self.layout = tuple(layout) if layout is not None else None
        self.about = about
        self.hints = dict(hints or {})
        self.name = name

    def __repr__(self) -> str:
        fields = {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                  "max_ndim": self.max_ndim, "min_ndim": self.min_ndim,
                  "axes": self.axes or None}
        shown = ", ".join(f"{k}={v!r}" for k, v in fields.items() if v is not None)
        return f"InputSpec({shown})"


def check_input_spec(layer: Any, input_shape: Any, dtypes: Any = None,
                     spec: Any = None) -> None:
    """Raise a ValueError naming ``layer`` if the inputs do not fit ``layer.input_spec``
    (or ``spec``, for a check a layer makes later, in its own order).

    ``input_shape`` is one shape or a list of shapes (None for unknown sizes);
    ``dtypes`` the inputs' dtypes in the same structure, if known.
    """
    spec = spec if spec is not None else getattr(layer, "input_spec", None)
    if spec is None:
        return
    who = f"{type(layer).__name__} layer '{layer.name}'"
    several = isinstance(input_shape, list)
    specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    shapes = list(input_shape) if several else [input_shape]
    if not isinstance(spec, (list, tuple)) and several:
        advice = spec.hints.get("list", "To combine inputs first, use a merge layer such as "
                                        "layers.Concatenate().")
        raise ValueError(
            f"{who} takes one input, but was called on a list of {len(shapes)}. {advice}")
    if len(specs) != len(shapes):
        raise ValueError(
            f"{who} expects {len(specs)} inputs "
            f"({', '.join(s.name or f'input {i}' for i, s in enumerate(specs))}), but it was "
            f"called on {len(shapes)}.")
    if dtypes is None:
        dtypes = [None] * len(shapes)
    elif not several:
        dtypes = [dtypes]
    for i, (one, shape, dtype) in enumerate(zip(specs, shapes, dtypes, strict=True)):
        if one is None:
            continue
        what = who if len(specs) == 1 else f"{who}, input {one.name or i},"
        _check_one(one, tuple(shape), dtype, what, type(layer).__name__)


def _check_one(spec: InputSpec, shape: tuple, dtype: Any, who: str, cls: str) -> None:
    rank = len(shape)
    if ((spec.ndim is not None and rank != spec.ndim)
            or (spec.min_ndim is not None and rank < spec.min_ndim)
            or (spec.max_ndim is not None and rank > spec.max_ndim)):
        raise ValueError(_rank_message(spec, shape, who))
    for axis in spec.known:
        if shape[axis] is None:
            unit = _axis_unit(spec, axis, rank)
            raise ValueError(
                f"{who} needs to know the {_axis_words(axis)} of its input"
                f"{f' (its {unit})' if unit else ''} to create its "
                f"weights, but the input shape is {shape}. Give keras.Input a full shape, with "
                "every size but the batch axis known.")
    for axis, size in spec.axes.items():
        got = shape[axis]
        if size is not None and got is not None and got != size:
            words = _axis_words(axis)
            unit = _axis_unit(spec, axis, rank) or "features"
            raise ValueError(
                f"{who} was built for inputs whose {words} is {size}, but it was called on an "
                f"input of shape {shape}, whose {words} is {got}. A layer creates its weights "
                "for the first input it sees, and later inputs must match: give it inputs with "
                f"{size} {unit}, or use a new {cls} layer for inputs with {got} {unit}.")
    if spec.shape is not None:
        for axis, (want, got) in enumerate(zip(spec.shape, shape, strict=True)):
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{who} expects inputs of shape {spec.shape}, but got shape {shape} (axis "
                    f"{axis} is {got}, not {want}).")
    if spec.dtype is not None and dtype is not None and np.dtype(dtype).name != spec.dtype:
        raise ValueError(
            f"{who} expects {spec.dtype} input, but got {np.dtype(dtype).name} (shape {shape}). "
            f"Convert it first, e.g. x.astype('{spec.dtype}').")


def _rank_message(spec: InputSpec, shape: tuple, who: str) -> str:
    rank = len(shape)
    if spec.ndim is not None:
        needed, expected = f"{spec.ndim}-D input", spec.ndim
    elif spec.min_ndim is not None and spec.max_ndim is not None:
        needed, expected = f"{spec.min_ndim}-D to {spec.max_ndim}-D input", spec.min_ndim
    elif spec.min_ndim is not None:
        needed, expected = f"at least {spec.min_ndim}-D input", spec.min_ndim
    else:
        needed, expected = f"at most {spec.max_ndim}-D input", None
    layout = f" of shape ({', '.join(spec.layout)})" if spec.layout else ""
    about = f" ({spec.about})" if spec.about else ""
    text = f"{who} expects {needed}{layout}{about}, but got shape {shape} ({rank}-D)."
    if expected == rank + 1 and spec.layout:  # one axis short: the batch axis or the last
        text += (f" If this is a single sample, add the batch axis: x[None] or "
                 f"np.expand_dims(x, 0) gives shape {(1, *shape)}.")
        if rank >= 1:
            text += (f" If it is a batch without the {spec.layout[-1]} axis, add it: "
                     f"x[..., None] gives shape {(*shape, 1)}.")
        sample = ", ".join(spec.layout[1:]) + ("," if len(spec.layout) == 2 else "")
        text += (" (In a model, input_shape= and keras.Input(shape=...) leave the batch axis "
                 f"out: shape=({sample}).)")
    if rank in spec.hints:
        text += " " + spec.hints[rank]
    return text


def _axis_words(axis: int) -> str:
    return "last dimension" if axis == -1 else f"size of axis {axis}"


def _axis_unit(spec: InputSpec, axis: int, rank: int) -> str | None:
    """What the axis counts, from the layout: "features", "channels"..."""
    if spec.layout and (len(spec.layout) == rank or -len(spec.layout) <= axis < 0):
        return spec.layout[axis]
    return None
