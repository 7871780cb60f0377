"""``keras.ops`` (Keras 3): NumPy-like functions on tensors, with gradients.

Keras 3 code writes custom layers and losses with ``keras.ops`` instead of
TensorFlow functions; with ``import nn as keras`` the same code runs here. Each
function below is Keras's signature in front of an autograd op (grep the
autograd name to find its backward) or a short composition of them.

>>> import nn as keras
>>> from nn import ops
>>> x = ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
>>> ops.sum(x, axis=0)
Tensor([4., 6.], shape=(2,), dtype=float32)
>>> ops.shape(x)
(2, 2)
>>> ops.softmax(ops.zeros((1, 2)))
Tensor([[0.5, 0.5]], shape=(1, 2), dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd import tensorflow_names as tfn

__all__ = [
    # making and converting
    "convert_to_tensor", "convert_to_numpy", "cast", "zeros", "ones", "full", "zeros_like",
    "ones_like", "full_like", "arange", "linspace", "eye", "identity", "stop_gradient",
    "shape", "size", "ndim", "dtype", "one_hot",
    # arithmetic and math
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "abs",
    "absolute", "square", "sqrt", "exp", "log", "log1p", "sin", "cos", "tanh", "sign",
    "floor", "ceil", "round", "clip", "maximum", "minimum", "where",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "isnan", "isfinite",
    # reductions
    "sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any", "all",
    "logsumexp", "cumsum", "norm", "argsort", "sort", "top_k", "in_top_k",
    # shapes
    "reshape", "transpose", "expand_dims", "squeeze", "concatenate", "stack", "split",
    "tile", "repeat", "flip", "take", "take_along_axis", "broadcast_to", "pad", "ravel",
    "matmul", "dot", "tril", "triu",
    # neural-network functions
    "relu", "relu6", "sigmoid", "softmax", "log_softmax", "softplus", "silu", "swish",
    "gelu", "elu", "leaky_relu", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "moments", "normalize",
]


def _t(x: Any) -> Tensor:
    return tfn.convert_to_tensor(x) if not isinstance(x, Tensor) else x


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


# ---------------------------------------------------------------- making and converting


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None) -> Tensor:
    """A Tensor (returned as is, or cast when ``dtype`` differs)."""
    if isinstance(x, Tensor):
        return x if dtype is None else autograd.astype(x, dtype)
    array = np.asarray(x)
    if dtype is None and array.dtype == np.float64 and not isinstance(x, np.ndarray):
        dtype = "float32"  # Python floats -> float32, as Keras's floatx
    return Tensor(array if dtype is None else array.astype(dtype))


def convert_to_numpy(x: Any) -> np.ndarray:
    """The values as a NumPy array."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def cast(x: Any, dtype: Any) -> Tensor:
    """Convert the dtype; float to float keeps the gradient."""
    return autograd.astype(_t(x), dtype)


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return autograd.zeros(shape=shape, dtype=dtype or "float32")


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return autograd.ones(shape=shape, dtype=dtype or "float32")


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.full(tuple(shape) if not isinstance(shape, int) else (shape,), fill_value,
                          dtype=dtype or "float32"))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    return autograd.zeros_like(_t(x), dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    return autograd.ones_like(_t(x), dtype=dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.full_like(_t(x).data, fill_value, dtype=dtype))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    return autograd.arange(start, stop, step, dtype=dtype)


def linspace(start: float, stop: float, num: int = 50, endpoint: bool = True,
             dtype: Any = None) -> Tensor:
    return Tensor(np.linspace(start, stop, num, endpoint=endpoint).astype(dtype or "float32"))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    return Tensor(np.eye(N, M, k, dtype=dtype or "float32"))


def identity(n: int, dtype: Any = None) -> Tensor:
    return eye(n, dtype=dtype)


def stop_gradient(variable: Any) -> Tensor:
    """The same values, outside the graph."""
    return _t(variable).detach()


def shape(x: Any) -> tuple[int, ...]:
    """The shape as a tuple of ints (Keras 3 returns a tuple, not a tensor)."""
    return tuple(_t(x).shape)


def size(x: Any) -> int:
    return _t(x).size


def ndim(x: Any) -> int:
    return _t(x).ndim


def dtype(x: Any) -> str:
    """The dtype's name, e.g. ``"float32"``."""
    return _t(x).dtype.name


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """Class indices to one-hot rows."""
    return tfn.one_hot(x, num_classes, axis=axis, dtype=dtype or "float32")


# ---------------------------------------------------------------- arithmetic and math


def add(x1: Any, x2: Any) -> Tensor:
    return autograd.add(_t(x1), x2)


def subtract(x1: Any, x2: Any) -> Tensor:
    return autograd.sub(_t(x1), x2)


def multiply(x1: Any, x2: Any) -> Tensor:
    return autograd.mul(_t(x1), x2)


def divide(x1: Any, x2: Any) -> Tensor:
    return autograd.div(_t(x1), x2)


true_divide = divide


def negative(x: Any) -> Tensor:
    return autograd.neg(_t(x))


def power(x1: Any, x2: Any) -> Tensor:
    return autograd.pow(_t(x1), x2)


def abs(x: Any) -> Tensor:  # noqa: A001 - Keras's name
    return autograd.abs(_t(x))


absolute = abs


def square(x: Any) -> Tensor:
    return autograd.square(_t(x))


def sqrt(x: Any) -> Tensor:
    return autograd.sqrt(_t(x))


def exp(x: Any) -> Tensor:
    return autograd.exp(_t(x))


def log(x: Any) -> Tensor:
    return autograd.log(_t(x))


def log1p(x: Any) -> Tensor:
    return tfn.log1p(x)


def sin(x: Any) -> Tensor:
    return autograd.sin(_t(x))


def cos(x: Any) -> Tensor:
    return autograd.cos(_t(x))


def tanh(x: Any) -> Tensor:
    return autograd.tanh(_t(x))


def sign(x: Any) -> Tensor:
    return tfn.sign(x)


def floor(x: Any) -> Tensor:
    return tfn.floor(x)


def ceil(x: Any) -> Tensor:
    return tfn.ceil(x)


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    return Tensor(np.round(_t(x).data, decimals))


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    return autograd.clip(_t(x), x_min, x_max)


def maximum(x1: Any, x2: Any) -> Tensor:
    return autograd.maximum(_t(x1), x2)


def minimum(x1: Any, x2: Any) -> Tensor:
    return autograd.minimum(_t(x1), x2)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; with one argument, the indices
    where it holds (a tuple of index tensors, as NumPy)."""
    if x1 is None and x2 is None:
        return tuple(Tensor(i) for i in np.nonzero(_t(condition).data))
    return autograd.where(condition, x1, x2)


def equal(x1: Any, x2: Any) -> Tensor:
    return autograd.equal(_t(x1), x2)


def not_equal(x1: Any, x2: Any) -> Tensor:
    return autograd.not_equal(_t(x1), x2)


def less(x1: Any, x2: Any) -> Tensor:
    return autograd.less(_t(x1), x2)


def less_equal(x1: Any, x2: Any) -> Tensor:
    return autograd.less_equal(_t(x1), x2)


def greater(x1: Any, x2: Any) -> Tensor:
    return autograd.greater(_t(x1), x2)


def greater_equal(x1: Any, x2: Any) -> Tensor:
    return autograd.greater_equal(_t(x1), x2)


logical_and = tfn.logical_and
logical_or = tfn.logical_or
logical_not = tfn.logical_not
isnan = tfn.is_nan
isfinite = tfn.is_finite


# ---------------------------------------------------------------- reductions


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return autograd.sum(_t(x), _axis(axis), keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return autograd.mean(_t(x), _axis(axis), keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    return autograd.max(_t(x), _axis(axis), keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    return autograd.min(_t(x), _axis(axis), keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    return autograd.prod(_t(x), _axis(axis), keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return autograd.std(_t(x), _axis(axis), keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return autograd.var(_t(x), _axis(axis), keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return autograd.argmax(_t(x), axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return autograd.argmin(_t(x), axis, keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return tfn.reduce_any(x, axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return tfn.reduce_all(x, axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return autograd.logsumexp(_t(x), _axis(axis), keepdims)


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Running sums along ``axis`` (of the flattened tensor when None), as a matmul
    with a triangle of ones, so the gradient needs no op of its own."""
    x = _t(x)
    if axis is None:
        x, axis = autograd.reshape(x, -1), 0
    moved = _move_axis_last(x, axis)
    n = moved.shape[-1]
    out = autograd.matmul(moved, np.triu(np.ones((n, n), dtype=x.dtype)))
    return _move_last_axis_back(out, axis, x.ndim)


def _move_axis_last(x: Tensor, axis: int) -> Tensor:
    axis %= x.ndim
    order = [i for i in range(x.ndim) if i != axis] + [axis]
    return autograd.transpose(x, order) if axis != x.ndim - 1 else x


def _move_last_axis_back(x: Tensor, axis: int, ndim: int) -> Tensor:
    axis %= ndim
    if axis == ndim - 1:
        return x
    order = list(range(ndim - 1))
    order.insert(axis, ndim - 1)
    return autograd.transpose(x, order)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """The L2 norm (``ord=None`` or 2) or L1 norm (``ord=1``) over ``axis``."""
    x = _t(x)
    if ord in (None, 2, "fro", "euclidean"):
        return autograd.sqrt(autograd.sum(autograd.square(x), _axis(axis), keepdims))
    if ord == 1:
        return autograd.sum(autograd.abs(x), _axis(axis), keepdims)
    raise ValueError(f"ops.norm supports ord=None, 2 or 1, not {ord!r}.")


def argsort(x: Any, axis: int = -1) -> Tensor:
    return Tensor(np.argsort(_t(x).data, axis=axis, kind="stable"))


def sort(x: Any, axis: int = -1) -> Tensor:
    """Sorted values; the gradient flows back to where each value came from."""
    return take_along_axis(x, argsort(x, axis), axis)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest entries of the last axis."""
    result = tfn.top_k(x, k)
    return result.values, result.indices


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    return tfn.in_top_k(targets, predictions, k)


# ---------------------------------------------------------------- shapes


def reshape(x: Any, newshape: Any) -> Tensor:
    return tfn.reshape(x, shape=newshape)


def transpose(x: Any, axes: Any = None) -> Tensor:
    return tfn.transpose(x, perm=axes)


def expand_dims(x: Any, axis: int) -> Tensor:
    return autograd.expand_dims(_t(x), axis)


def squeeze(x: Any, axis: Any = None) -> Tensor:
    return autograd.squeeze(_t(x), _axis(axis))


def concatenate(xs: Any, axis: int = 0) -> Tensor:
    return autograd.concatenate([_t(x) for x in xs], axis=axis)


def stack(x: Any, axis: int = 0) -> Tensor:
    return autograd.stack([_t(v) for v in x], axis=axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """NumPy's split: N equal parts, or cut at the given indices."""
    return autograd.split(_t(x), indices_or_sections, axis)


def tile(x: Any, repeats: Any) -> Tensor:
    x = _t(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    repeats = [1] * (x.ndim - len(repeats)) + repeats
    return tfn.tile(x, repeats)


def repeat(x: Any, repeats: int, axis: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = _t(x)
    if axis is None:
        x, axis = autograd.reshape(x, -1), 0
    axis %= x.ndim
    expanded = autograd.expand_dims(x, axis + 1)
    target = x.shape[: axis + 1] + (int(repeats),) + x.shape[axis + 1:]
    out_shape = x.shape[:axis] + (x.shape[axis] * int(repeats),) + x.shape[axis + 1:]
    return autograd.reshape(autograd.broadcast_to(expanded, target), out_shape)


def flip(x: Any, axis: Any = None) -> Tensor:
    x = _t(x)
    axes = range(x.ndim) if axis is None else ([axis] if isinstance(axis, int) else axis)
    index = [slice(None)] * x.ndim
    for a in axes:
        index[a % x.ndim] = slice(None, None, -1)
    return x[tuple(index)]


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = autograd.reshape(x, -1), 0
    return tfn.gather(x, indices, axis=axis)


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Pick along ``axis`` with an index array of the same rank (``np.take_along_axis``)."""
    x = _t(x)
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    axis = axis % x.ndim
    grids = list(np.indices(idx.shape, sparse=True))
    grids[axis] = idx
    return x[tuple(grids)]


def broadcast_to(x: Any, shape: Any) -> Tensor:
    return autograd.broadcast_to(_t(x), tuple(shape))


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    if mode != "constant":
        raise ValueError(f"ops.pad supports mode='constant' only, not {mode!r}.")
    return autograd.pad(_t(x), pad_width, 0.0 if constant_values is None else constant_values)


def ravel(x: Any) -> Tensor:
    return autograd.reshape(_t(x), -1)


def matmul(x1: Any, x2: Any) -> Tensor:
    return autograd.matmul(_t(x1), _t(x2))


def dot(x1: Any, x2: Any) -> Tensor:
    """``np.dot`` for vectors and matrices (a matmul)."""
    return autograd.matmul(_t(x1), _t(x2))


def tril(x: Any, k: int = 0) -> Tensor:
    x = _t(x)
    return x * np.tril(np.ones(x.shape[-2:], dtype=x.dtype), k)


def triu(x: Any, k: int = 0) -> Tensor:
    x = _t(x)
    return x * np.triu(np.ones(x.shape[-2:], dtype=x.dtype), k)


# ---------------------------------------------------------------- neural-network functions


def relu(x: Any) -> Tensor:
    return autograd.relu(_t(x))


def relu6(x: Any) -> Tensor:
    return tfn.relu6(x)


def sigmoid(x: Any) -> Tensor:
    return autograd.sigmoid(_t(x))


def softmax(x: Any, axis: int = -1) -> Tensor:
    return autograd.softmax(_t(x), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return autograd.log_softmax(_t(x), axis=axis)


def softplus(x: Any) -> Tensor:
    return autograd.softplus(_t(x))


def silu(x: Any) -> Tensor:
    return tfn.silu(x)


swish = silu


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """Keras 3's default is the tanh approximation (``approximate=True``)."""
    return autograd.gelu(_t(x), approximate=approximate)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return autograd.elu(_t(x), alpha)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return autograd.leaky_relu(_t(x), negative_slope)


_EPSILON = 1e-7


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise binary cross-entropy (no reduction)."""
    output = _t(output)
    t = convert_to_numpy(target).astype(output.dtype)
    if from_logits:
        return autograd.sigmoid_cross_entropy(output, t)
    p = autograd.clip(output, _EPSILON, 1.0 - _EPSILON)
    return -(t * autograd.log(p) + (1.0 - t) * autograd.log(1.0 - p))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """Cross-entropy against one-hot targets, reduced over ``axis``."""
    from nn.losses import categorical_crossentropy as loss

    return loss(target, _t(output), from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    """Cross-entropy against integer labels, one value per sample."""
    from nn.losses import sparse_categorical_crossentropy as loss

    return loss(target, _t(output), from_logits=from_logits)


def moments(x: Any, axes: Any, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """``(mean, variance)`` over ``axes``."""
    return tfn.moments(x, axes, keepdims)


def normalize(x: Any, axis: int = -1, order: int = 2) -> Tensor:
    """``x`` divided by its L2 norm along ``axis``."""
    if order != 2:
        raise ValueError("ops.normalize supports order=2 only.")
    return tfn.l2_normalize(x, axis=axis)
