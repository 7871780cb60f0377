"""Ops that move values around without changing them: reshape, transpose,
expand_dims, squeeze, broadcast_to, flatten, indexing, concatenate, stack,
split, pad.

Their backward passes move the gradient back to where each value came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, _index_arrays, as_array


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.input_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.reshape_transpose_backward
        return grad.reshape(ctx.input_shape)
        # END SOLUTION


def reshape(a: Any, *shape: Any) -> Tensor:
    """Same values, new shape; one dimension may be -1.

    >>> import autograd
    >>> autograd.arange(6.0).reshape(2, 3).shape
    (2, 3)
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return Reshape.apply(a, shape=shape)
    except ValueError:
        data = as_array(a)
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {data.shape} ({data.size} elements) "
            f"into shape {shape}. The new shape must hold the same number of elements; use "
            "-1 for one dimension to have it computed."
        ) from None


def expand_dims(a: Any, axis: int) -> Tensor:
    """Insert a size-1 axis at ``axis``."""
    return Reshape.apply(a, shape=np.expand_dims(as_array(a), axis).shape)


def squeeze(a: Any, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """Remove size-1 axes (all of them, or those named by ``axis``)."""
    return Reshape.apply(a, shape=np.squeeze(as_array(a), axis).shape)


def flatten(a: Any, start_axis: int = 0) -> Tensor:
    """Collapse the axes from ``start_axis`` on into one (all axes by default).

    >>> import autograd
    >>> autograd.flatten(autograd.zeros(4, 2, 3), start_axis=1).shape
    (4, 6)
    """
    shape = as_array(a).shape
    start_axis = start_axis % max(len(shape), 1)
    return Reshape.apply(a, shape=shape[:start_axis] + (-1,))


class Transpose(Function):
    @staticmethod
    def forward(ctx, a, *, axes):
        ctx.axes = axes
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.reshape_transpose_backward
        # Undo the permutation: transpose by its inverse.
        inverse = None if ctx.axes is None else tuple(np.argsort(ctx.axes))
        return np.transpose(grad, inverse)
        # END SOLUTION


def transpose(a: Any, *axes: Any) -> Tensor:
    """Permute axes like NumPy: ``t.transpose()`` (or ``t.T``) reverses them;
    ``t.transpose(1, 0, 2)`` or ``t.transpose((1, 0, 2))`` gives the new order.

    >>> import autograd
    >>> autograd.zeros(2, 3, 4).transpose(2, 0, 1).shape
    (4, 2, 3)
    """
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        axes = axes[0]
    if not axes:
        return Transpose.apply(a, axes=None)
    ndim = as_array(a).ndim
    order = tuple(int(ax) % ndim for ax in axes) if ndim else ()
    if sorted(order) != list(range(ndim)):
        raise ValueError(
            f"transpose: axes {tuple(axes)} are not a permutation of the {ndim} axes of a "
            f"tensor of shape {as_array(a).shape}; name every axis exactly once."
        )
    return Transpose.apply(a, axes=order)


class BroadcastTo(Function):
    @staticmethod
    def forward(ctx, a, *, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        # The engine sums the gradient back to the input's shape, as for every op.
        return grad


def broadcast_to(a: Any, shape: tuple[int, ...]) -> Tensor:
    """Repeat values along size-1 (or new leading) axes to reach ``shape``."""
    return BroadcastTo.apply(a, shape=tuple(shape))


class GetItem(Function):
    @staticmethod
    def forward(ctx, a, *, index):
        ctx.input_shape, ctx.dtype, ctx.index = a.shape, a.dtype, index
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION hw1.getitem_backward
        out = np.zeros(ctx.input_shape, dtype=grad.dtype)
        # np.add.at adds once per occurrence, so an element picked twice (x[[0, 0]])
        # gets both gradients; plain `out[index] += grad` would keep only one.
        np.add.at(out, ctx.index, grad)
        return out
        # END SOLUTION


def getitem(a: Any, index: Any) -> Tensor:
    """``a[index]``: slices, integers, integer arrays and boolean masks.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x[[0, 0, 2]].sum().backward()   # element 0 was picked twice
    >>> x.grad
    Tensor([2., 0., 1.], shape=(3,), dtype=float32)
    """
    return GetItem.apply(a, index=_index_arrays(index))


class Concatenate(Function):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        cuts = np.cumsum(ctx.sizes)[:-1]
        return tuple(np.split(grad, cuts, axis=ctx.axis))


def concatenate(tensors: Any, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    return Concatenate.apply(*tensors, axis=axis)


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        n = grad.shape[ctx.axis]
        return tuple(np.take(grad, i, axis=ctx.axis) for i in range(n))


def stack(tensors: Any, axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = [as_array(t).shape for t in tensors]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(
            f"stack: every tensor must have the same shape, but got shapes {shapes}. "
            "stack adds a new axis; to join along an existing axis (where sizes may "
            "differ) use concatenate."
        )
    return Stack.apply(*tensors, axis=axis)


def split(a: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` like ``np.split``: into N equal parts, or at the given
    indices. Each piece is a slice of ``a``, so gradients flow back into it."""
    size = as_array(a).shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} has size {size}, which does not divide into "
                f"{indices_or_sections} equal parts. Pass a list of split points instead."
            )
        step = size // indices_or_sections
        cuts = list(range(step, size, step))
    else:
        cuts = [int(i) for i in indices_or_sections]
    bounds = zip([0] + cuts, cuts + [size])
    axis = axis % as_array(a).ndim
    prefix = (slice(None),) * axis
    return [getitem(a, prefix + (slice(lo, hi),)) for lo, hi in bounds]


class Pad(Function):
    @staticmethod
    def forward(ctx, a, *, pad_width, constant_value):
        ctx.interior = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape))
        return np.pad(a, pad_width, mode="constant", constant_values=constant_value)

    @staticmethod
    def backward(ctx, grad):
        # Padding cells are constants; only the original region gets a gradient.
        # (pad_width and constant_value are keyword attributes, not inputs, so the
        # only gradient is the one for ``a``.)
        return grad[ctx.interior]


def pad(a: Any, pad_width: Any, constant_value: float = 0.0) -> Tensor:
    """Pad with a constant; ``pad_width`` is as in ``np.pad`` (e.g. ``((1, 1), (2, 0))``)."""
    ndim = as_array(a).ndim
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    return Pad.apply(a, pad_width=widths, constant_value=constant_value)
