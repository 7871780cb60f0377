"""TensorFlow's names for gradstack's functions, so ``import autograd as tf`` runs
the TensorFlow calls that Keras code makes beside its layers.

Everything here is a thin, readable translation: TensorFlow's argument names
and defaults on the outside, an autograd op on the inside (each op's backward
is found by grepping the name in the right-hand column). Nothing is registered
behind your back: ``autograd/__init__.py`` imports these names one by one.

=========================================  ===========================================
TensorFlow                                 gradstack
=========================================  ===========================================
``tf.reduce_sum/mean/max/min/prod``        ``autograd.sum/mean/max/min/prod``
``tf.reduce_std/variance/logsumexp``       ``autograd.std/var/logsumexp``
``tf.reduce_any/all``                      NumPy (no gradient)
``tf.add/subtract/multiply/divide``        ``autograd.add/sub/mul/div``
``tf.square/sqrt/exp/log/abs/pow``         the same names in ``autograd``
``tf.negative/reciprocal/rsqrt/log1p``     compositions of ``neg``, ``div``, ``sqrt``, ``log``
``tf.sign/round/floor/ceil``               NumPy (no gradient)
``tf.maximum/minimum/where``               ``autograd.maximum/minimum/where``
``tf.clip_by_value(t, lo, hi)``            ``autograd.clip``
``tf.matmul(a, b, transpose_a, ...)``      ``autograd.matmul`` (+ ``transpose``)
``tf.tensordot/einsum``                    not provided
``tf.reshape(x, shape=)``                  ``autograd.reshape``
``tf.transpose(x, perm=)``                 ``autograd.transpose``
``tf.expand_dims/squeeze``                 ``autograd.expand_dims/squeeze``
``tf.concat/stack/split``                  ``autograd.concatenate/stack/split``
``tf.tile``                                ``autograd.broadcast_to`` + ``reshape``
``tf.gather(params, indices, axis)``       ``autograd.getitem``
``tf.shape/rank/size``                     an int32 Tensor / a Python int
``tf.cast(x, dtype)``                      ``autograd.astype``
``tf.one_hot(indices, depth)``             NumPy (no gradient)
``tf.constant/convert_to_tensor``          ``autograd.Tensor``
``tf.zeros/ones/fill/zeros_like/...``      ``autograd.zeros/ones/full/...``
``tf.range/linspace/eye``                  ``autograd.arange``, NumPy, ``autograd.eye``
``tf.identity/stop_gradient``              the tensor itself / ``Tensor.detach``
``tf.math.*``                              the names above, plus ``l2_normalize``,
                                           ``squared_difference``, ``softplus``,
                                           ``sigmoid``, ``tanh``, ``top_k``, ...
``tf.nn.relu/sigmoid/softmax/...``         ``autograd.relu/sigmoid/softmax/...``
``tf.nn.dropout(x, rate, seed)``           a mask from ``autograd.random``
``tf.nn.*_cross_entropy_with_logits``      ``autograd.softmax_cross_entropy`` etc.
``tf.nn.conv2d/max_pool2d/avg_pool2d``     ``autograd.conv2d/max_pool2d/avg_pool2d``
``tf.random.*`` (seeded)                   ``autograd/random.py``
``tf.data.Dataset``                        ``autograd/data.py``
``tf.*_initializer()``                     ``RandomNormal`` etc. below
``tf.Variable``                            ``autograd/variable.py``
``tf.GradientTape``                        ``autograd/gradient_tape.py``
``tf.function``                            runs the function as it is (no tracing)
``tf.keras``                               the ``nn`` package, imported on first use
=========================================  ===========================================

>>> import autograd as tf
>>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.reduce_sum(x, axis=1)
Tensor([3., 7.], shape=(2,), dtype=float32)
>>> tf.shape(x)
Tensor([2, 2], shape=(2,), dtype=int32)
>>> tf.nn.relu(tf.constant([-1.0, 2.0]))
Tensor([0., 2.], shape=(2,), dtype=float32)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import random as random_module
from .ops import (
    activations,
    arithmetic,
    comparison,
    cross_entropy,
    linalg,
    math_functions,
    reduce,
    selection,
)
from .ops import shape as shape_ops  # `shape` is TensorFlow's name for a function
from .ops import softmax as softmax_ops
from .ops.conv import conv2d as _conv2d
from .ops.pool import avg_pool2d as _avg_pool2d
from .ops.pool import max_pool2d as _max_pool2d
from .tensor import DEFAULT_FLOAT, Tensor

# The names ``autograd/__init__.py`` exposes from here (TensorFlow's spelling).
# reshape, transpose and matmul are exposed too, in place of the plain ops, because
# they accept both gradstack's and TensorFlow's call forms.
__all__ = [
    "constant", "convert_to_tensor", "is_tensor", "fill", "range", "linspace",
    "identity", "stop_gradient", "shape", "rank", "size", "cast", "concat", "unstack",
    "tile", "gather", "one_hot",
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_std",
    "reduce_variance", "reduce_logsumexp", "reduce_any", "reduce_all",
    "subtract", "multiply", "divide", "negative", "reciprocal", "rsqrt", "log1p",
    "squared_difference", "clip_by_value", "sign", "round", "floor", "ceil",
    "logical_and", "logical_or", "logical_not",
    "math", "nn", "function", "executing_eagerly",
    "random_normal_initializer", "random_uniform_initializer", "zeros_initializer",
    "ones_initializer", "constant_initializer",
]


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _axis(axis: Any) -> Any:
    """TensorFlow accepts an axis as an int, a list or a Tensor."""
    if isinstance(axis, Tensor):
        axis = axis.data.tolist()
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else constant(x)


# ---------------------------------------------------------------- making tensors


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Tensor:
    """``tf.constant``: a tensor of fixed values. As in TensorFlow, Python floats
    become float32 and Python ints int32; ``shape`` reshapes (or fills, for a scalar).

    >>> import autograd as tf
    >>> tf.constant([1, 2]).dtype
    dtype('int32')
    >>> tf.constant(0.5, shape=(2,))
    Tensor([0.5, 0.5], shape=(2,), dtype=float32)
    """
    if isinstance(value, Tensor):
        array = value.data
    else:
        array = np.asarray(value)
        if dtype is None and not isinstance(value, np.ndarray):
            if array.dtype == np.float64:
                array = array.astype(DEFAULT_FLOAT)
            elif array.dtype == np.int64:
                array = array.astype(np.int32)
    if dtype is not None:
        array = array.astype(dtype)
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        array = np.full(shape, array) if array.size == 1 else array.reshape(shape)
    return Tensor(array, name=name)


def convert_to_tensor(value: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """``tf.convert_to_tensor``: a Tensor is returned as is (cast if ``dtype``
    differs, keeping the graph); anything else becomes a constant."""
    if isinstance(value, Tensor):
        return value if dtype is None else arithmetic.astype(value, dtype)
    return constant(value, dtype=dtype, name=name)


def is_tensor(x: Any) -> bool:
    """``tf.is_tensor``."""
    return isinstance(x, Tensor)










def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """``tf.fill(dims, value)``: a tensor of one repeated value."""
    return constant(np.full(random_module._shape_of(dims), value))


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,  # noqa: A001
          name: str | None = None) -> Tensor:
    """``tf.range``: like ``np.arange``; ints give int32, as in TensorFlow."""
    if limit is None:
        start, limit = 0, start
    values = np.arange(start, limit, delta)
    if dtype is not None:
        values = values.astype(dtype)
    return constant(values if dtype is not None else values.tolist())


def linspace(start: float, stop: float, num: int, name: str | None = None) -> Tensor:
    """``tf.linspace``: ``num`` evenly spaced values from ``start`` to ``stop``."""
    return constant(np.linspace(start, stop, int(num)).astype(DEFAULT_FLOAT))




def identity(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.identity``: the same tensor (in the graph)."""
    return _as_tensor(input)


def stop_gradient(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.stop_gradient``: the same values, with no gradient flowing back."""
    return _as_tensor(input).detach()


# ---------------------------------------------------------------- shapes and types


def shape(input: Any, out_type: Any = np.int32, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.shape``: the shape as an int32 tensor (``tf.shape(x)[0]`` is the batch size)."""
    return Tensor(np.array(_data(input).shape, dtype=out_type))


def rank(input: Any, name: str | None = None) -> int:  # noqa: A002
    """``tf.rank``: the number of axes."""
    return _data(input).ndim


def size(input: Any, name: str | None = None) -> int:  # noqa: A002
    """``tf.size``: the number of elements."""
    return _data(input).size


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """``tf.cast``: float to float keeps the gradient; to an integer or bool leaves the graph."""
    return arithmetic.astype(_as_tensor(x), dtype)


def reshape(tensor: Any, *dims: Any, shape: Any = None, name: str | None = None) -> Tensor:
    """``tf.reshape(tensor, shape)``, also ``reshape(x, shape=[-1, 4])`` and
    gradstack's ``reshape(x, 2, 3)``; ``shape`` may be a shape tensor. The op is
    ``autograd.ops.shape.reshape``."""
    if shape is None:
        shape = dims[0] if len(dims) == 1 else dims
    return shape_ops.reshape(tensor, random_module._shape_of(shape))


def transpose(a: Any, *axes: Any, perm: Any = None, conjugate: bool = False,
              name: str | None = None) -> Tensor:
    """``tf.transpose(a, perm=None)`` (reverses the axes when no order is given),
    also gradstack's ``transpose(a, 1, 0)``. The op is ``autograd.ops.shape.transpose``."""
    order = perm if perm is not None else (axes[0] if len(axes) == 1 else axes)
    if order is None or (isinstance(order, tuple) and not order):
        return shape_ops.transpose(a)
    return shape_ops.transpose(a, tuple(int(ax) for ax in _data(order).reshape(-1)))


def expand_dims(input: Any, axis: int, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.expand_dims``."""
    return shape_ops.expand_dims(input, int(axis))


def squeeze(input: Any, axis: Any = None, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.squeeze``."""
    return shape_ops.squeeze(input, _axis(axis))


def concat(values: Any, axis: int, name: str | None = None) -> Tensor:
    """``tf.concat(values, axis)``."""
    return shape_ops.concatenate(values, axis=int(axis))


def stack(values: Any, axis: int = 0, name: str | None = None) -> Tensor:
    """``tf.stack``."""
    return shape_ops.stack(values, axis=int(axis))


def unstack(value: Any, axis: int = 0, name: str | None = None) -> list[Tensor]:
    """``tf.unstack``: the slices along ``axis``, each without that axis."""
    value = _as_tensor(value)
    return [squeeze(piece, axis) for piece in shape_ops.split(value, value.shape[axis], axis)]


def split(value: Any, num_or_size_splits: Any, axis: int = 0, name: str | None = None):
    """``tf.split``: into N equal parts, or parts of the given sizes."""
    if isinstance(num_or_size_splits, (int, np.integer)):
        return shape_ops.split(value, int(num_or_size_splits), axis)
    cuts = np.cumsum(list(num_or_size_splits))[:-1].tolist()
    return shape_ops.split(value, cuts, axis)


def tile(input: Any, multiples: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.tile``: repeat the whole tensor ``multiples[i]`` times along axis ``i``.
    Built as a broadcast over a new axis before each axis, then a reshape."""
    x = _as_tensor(input)
    multiples = [int(m) for m in multiples]
    expanded = shape_ops.reshape(x, tuple(d for n in x.shape for d in (1, n)))
    repeated = shape_ops.broadcast_to(
        expanded, tuple(d for m, n in zip(multiples, x.shape, strict=True) for d in (m, n))
    )
    return shape_ops.reshape(repeated, tuple(m * n for m, n in zip(multiples, x.shape,
                                                                        strict=True)))


def gather(params: Any, indices: Any, axis: int = 0, name: str | None = None) -> Tensor:
    """``tf.gather``: pick entries along ``axis`` by integer index (gradients add up
    where an index repeats)."""
    params = _as_tensor(params)
    index = (slice(None),) * (axis % params.ndim) + (_data(indices).astype(np.int64),)
    return shape_ops.getitem(params, index)


def one_hot(indices: Any, depth: int, on_value: float = 1.0, off_value: float = 0.0,
            axis: int = -1, dtype: Any = DEFAULT_FLOAT, name: str | None = None) -> Tensor:
    """``tf.one_hot``: class indices to one-hot rows (an index outside
    ``[0, depth)`` gives a row of ``off_value``, as in TensorFlow).

    >>> import autograd as tf
    >>> tf.one_hot([0, 2], depth=3)
    Tensor([[1., 0., 0.],
            [0., 0., 1.]], shape=(2, 3), dtype=float32)
    """
    idx = _data(indices).astype(np.int64)
    hot = idx[..., None] == np.arange(int(depth))
    out = np.where(hot, on_value, off_value).astype(dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return Tensor(out)


# ---------------------------------------------------------------- math


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.reduce_sum``."""
    return reduce.sum(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: str | None = None) -> Tensor:
    """``tf.reduce_mean``. As in TensorFlow, an integer tensor gives an integer mean."""
    x = _as_tensor(input_tensor)
    if x.dtype.kind in "iu":
        return Tensor(np.mean(x.data, axis=_axis(axis), keepdims=keepdims).astype(x.dtype))
    return reduce.mean(x, _axis(axis), keepdims)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.reduce_max``."""
    return reduce.max(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.reduce_min``."""
    return reduce.min(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: str | None = None) -> Tensor:
    """``tf.reduce_prod``."""
    return reduce.prod(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.math.reduce_std`` (the population standard deviation)."""
    return reduce.std(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                    name: str | None = None) -> Tensor:
    """``tf.math.reduce_variance`` (the population variance)."""
    return reduce.var(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                     name: str | None = None) -> Tensor:
    """``tf.reduce_logsumexp``."""
    return reduce.logsumexp(_as_tensor(input_tensor), _axis(axis), keepdims)


def reduce_any(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.reduce_any`` (no gradient)."""
    return Tensor(np.any(_data(input_tensor), axis=_axis(axis), keepdims=keepdims))


def reduce_all(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """``tf.reduce_all`` (no gradient)."""
    return Tensor(np.all(_data(input_tensor), axis=_axis(axis), keepdims=keepdims))


def argmax(input: Any, axis: int = 0, output_type: Any = np.int64,  # noqa: A002
           name: str | None = None) -> Tensor:
    """``tf.argmax``: TensorFlow's default axis is 0, not "all axes"."""
    return Tensor(np.argmax(_data(input), axis=int(axis)).astype(output_type))


def argmin(input: Any, axis: int = 0, output_type: Any = np.int64,  # noqa: A002
           name: str | None = None) -> Tensor:
    """``tf.argmin``: TensorFlow's default axis is 0."""
    return Tensor(np.argmin(_data(input), axis=int(axis)).astype(output_type))


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           name: str | None = None) -> Tensor:
    """``tf.matmul``; ``transpose_a``/``transpose_b`` swap the last two axes first."""
    a, b = _as_tensor(a), _as_tensor(b)
    if transpose_a:
        a = shape_ops.transpose(a, _swap_last_two(a.ndim))
    if transpose_b:
        b = shape_ops.transpose(b, _swap_last_two(b.ndim))
    return linalg.matmul(a, b)


def _swap_last_two(ndim: int) -> tuple[int, ...]:
    return tuple(builtins.range(ndim - 2)) + (ndim - 1, ndim - 2)


def subtract(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.subtract``."""
    return arithmetic.sub(_as_tensor(x), y)


def multiply(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.multiply``."""
    return arithmetic.mul(_as_tensor(x), y)


def divide(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.divide`` (true division)."""
    return arithmetic.div(_as_tensor(x), y)


def negative(x: Any, name: str | None = None) -> Tensor:
    """``tf.negative``."""
    return arithmetic.neg(_as_tensor(x))


def reciprocal(x: Any, name: str | None = None) -> Tensor:
    """``tf.math.reciprocal``: ``1 / x``."""
    return arithmetic.rdiv(_as_tensor(x), 1.0)


def rsqrt(x: Any, name: str | None = None) -> Tensor:
    """``tf.math.rsqrt``: ``1 / sqrt(x)``."""
    return arithmetic.rdiv(math_functions.sqrt(_as_tensor(x)), 1.0)


def log1p(x: Any, name: str | None = None) -> Tensor:
    """``tf.math.log1p``: ``log(1 + x)``."""
    return math_functions.log(arithmetic.radd(_as_tensor(x), 1.0))


def squared_difference(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.math.squared_difference``: ``(x - y) ** 2``."""
    return math_functions.square(arithmetic.sub(_as_tensor(x), y))


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: str | None = None) -> Tensor:
    """``tf.clip_by_value``."""
    return selection.clip(_as_tensor(t), float(_data(clip_value_min)), float(_data(clip_value_max)))


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12,
                 name: str | None = None) -> Tensor:
    """``tf.math.l2_normalize``: ``x / sqrt(max(sum(x**2, axis), epsilon))``."""
    x = _as_tensor(x)
    squared = reduce.sum(math_functions.square(x), _axis(axis), True)
    return arithmetic.div(x, math_functions.sqrt(selection.maximum(squared, epsilon)))


def _no_gradient(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Tensor]:
    def apply(x: Any, name: str | None = None) -> Tensor:
        return Tensor(fn(_data(x)))
    apply.__name__ = fn.__name__
    apply.__doc__ = f"``tf.{fn.__name__}`` on the values (no gradient, as in TensorFlow)."
    return apply


sign = _no_gradient(np.sign)
round = _no_gradient(np.round)  # noqa: A001 - TensorFlow's name
floor = _no_gradient(np.floor)
ceil = _no_gradient(np.ceil)
is_nan = _no_gradient(np.isnan)
is_finite = _no_gradient(np.isfinite)
logical_not = _no_gradient(np.logical_not)


def logical_and(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.logical_and``."""
    return Tensor(np.logical_and(_data(x), _data(y)))


def logical_or(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.logical_or``."""
    return Tensor(np.logical_or(_data(x), _data(y)))


def count_nonzero(input: Any, axis: Any = None, keepdims: bool = False,  # noqa: A002
                  dtype: Any = np.int64, name: str | None = None) -> Tensor:
    """``tf.math.count_nonzero``."""
    counts = np.count_nonzero(_data(input), axis=_axis(axis), keepdims=keepdims)
    return Tensor(np.asarray(counts, dtype=dtype))


def top_k(input: Any, k: int = 1, sorted: bool = True,  # noqa: A002
          name: str | None = None) -> SimpleNamespace:
    """``tf.math.top_k``: ``.values`` and ``.indices`` of the ``k`` largest entries of
    the last axis, largest first (the values keep the gradient)."""
    x = _as_tensor(input)
    order = np.argsort(-x.data, axis=-1, kind="stable")[..., : int(k)]
    rows = np.indices(order.shape)[:-1]
    values = shape_ops.getitem(x, tuple(rows) + (order,))
    return SimpleNamespace(values=values, indices=Tensor(order.astype(np.int32)))


def in_top_k(targets: Any, predictions: Any, k: int, name: str | None = None) -> Tensor:
    """``tf.math.in_top_k``: whether each target class is among the ``k`` largest
    predictions of its row."""
    p = _data(predictions)
    t = _data(targets).astype(np.int64).reshape(-1)
    target_scores = p[np.arange(len(t)), t]
    return Tensor((p > target_scores[:, None]).sum(axis=-1) < int(k))


def confusion_matrix(labels: Any, predictions: Any, num_classes: int | None = None,
                     dtype: Any = np.int32, name: str | None = None) -> Tensor:
    """``tf.math.confusion_matrix``: row = true class, column = predicted class."""
    t = _data(labels).astype(np.int64).reshape(-1)
    p = _data(predictions).astype(np.int64).reshape(-1)
    n = int(num_classes) if num_classes is not None else int(max(t.max(), p.max())) + 1
    out = np.zeros((n, n), dtype=dtype)
    np.add.at(out, (t, p), 1)
    return Tensor(out)


# ---------------------------------------------------------------- tf.nn


def relu6(features: Any, name: str | None = None) -> Tensor:
    """``tf.nn.relu6``: ``min(max(x, 0), 6)``."""
    return selection.clip(_as_tensor(features), 0.0, 6.0)


def tf_leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """``tf.nn.leaky_relu``: TensorFlow's default slope is 0.2."""
    return activations.leaky_relu(_as_tensor(features), alpha)


def silu(features: Any, beta: float = 1.0) -> Tensor:
    """``tf.nn.silu`` / ``tf.nn.swish``: ``x * sigmoid(beta * x)``."""
    x = _as_tensor(features)
    return arithmetic.mul(x, activations.sigmoid(arithmetic.mul(x, beta) if beta != 1.0 else x))


def tf_softmax(logits: Any, axis: int = -1, name: str | None = None) -> Tensor:
    """``tf.nn.softmax(logits, axis=-1)``."""
    return softmax_ops.softmax(_as_tensor(logits), axis=axis)


def tf_log_softmax(logits: Any, axis: int = -1, name: str | None = None) -> Tensor:
    """``tf.nn.log_softmax(logits, axis=-1)``."""
    return softmax_ops.log_softmax(_as_tensor(logits), axis=axis)


def dropout(x: Any, rate: float, noise_shape: Any = None, seed: int | None = None,
            name: str | None = None) -> Tensor:
    """``tf.nn.dropout``: zero each entry with probability ``rate`` and scale the
    rest by ``1 / (1 - rate)``, so the expected value is unchanged."""
    x = _as_tensor(x)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"tf.nn.dropout: rate must be in [0, 1), but got {rate}.")
    mask_shape = x.shape if noise_shape is None else random_module._shape_of(noise_shape)
    mask = random_module.dropout_mask(random_module._generator_for(seed), mask_shape, rate,
                                      x.dtype)
    return arithmetic.mul(x, mask)


def softmax_cross_entropy_with_logits(labels: Any, logits: Any, axis: int = -1,
                                      name: str | None = None) -> Tensor:
    """``tf.nn.softmax_cross_entropy_with_logits``: one loss per row."""
    return cross_entropy.softmax_cross_entropy(_as_tensor(logits), _data(labels), axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels: Any, logits: Any,
                                             name: str | None = None) -> Tensor:
    """``tf.nn.sparse_softmax_cross_entropy_with_logits``: one loss per row."""
    return cross_entropy.sparse_softmax_cross_entropy(_as_tensor(logits), _data(labels))


def sigmoid_cross_entropy_with_logits(labels: Any = None, logits: Any = None,
                                      name: str | None = None) -> Tensor:
    """``tf.nn.sigmoid_cross_entropy_with_logits``: elementwise."""
    logits = _as_tensor(logits)
    return cross_entropy.sigmoid_cross_entropy(logits, _data(labels).astype(logits.dtype))


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """``tf.nn.l2_loss``: ``sum(t ** 2) / 2``."""
    return arithmetic.mul(reduce.sum(math_functions.square(_as_tensor(t))), 0.5)


def moments(x: Any, axes: Any, keepdims: bool = False, name: str | None = None):
    """``tf.nn.moments``: ``(mean, variance)`` over ``axes``."""
    x = _as_tensor(x)
    return reduce.mean(x, _axis(axes), keepdims), reduce.var(x, _axis(axes), keepdims)


def bias_add(value: Any, bias: Any, name: str | None = None) -> Tensor:
    """``tf.nn.bias_add``: add a bias along the last (channels) axis."""
    return arithmetic.add(_as_tensor(value), bias)


def _padding(padding: str) -> str:
    return padding.lower()


def nn_conv2d(input: Any, filters: Any, strides: Any = 1, padding: str = "VALID",  # noqa: A002
              name: str | None = None) -> Tensor:
    """``tf.nn.conv2d`` in NHWC with filters ``(kh, kw, in, out)``."""
    return _conv2d(input, filters, strides=_pair(strides), padding=_padding(padding))


def nn_max_pool2d(input: Any, ksize: Any, strides: Any, padding: str = "VALID",  # noqa: A002
                  name: str | None = None) -> Tensor:
    """``tf.nn.max_pool2d`` in NHWC."""
    return _max_pool2d(input, _pair(ksize), _pair(strides), padding=_padding(padding))


def nn_avg_pool2d(input: Any, ksize: Any, strides: Any, padding: str = "VALID",  # noqa: A002
                  name: str | None = None) -> Tensor:
    """``tf.nn.avg_pool2d`` in NHWC."""
    return _avg_pool2d(input, _pair(ksize), _pair(strides), padding=_padding(padding))


def _pair(value: Any) -> tuple[int, int]:
    """TensorFlow's 1, [2, 2] or [1, 2, 2, 1] (NHWC) -> (2, 2)."""
    values = [int(v) for v in np.atleast_1d(value)]
    if len(values) == 4:
        values = values[1:3]
    return (values[0], values[0]) if len(values) == 1 else (values[0], values[1])


# ---------------------------------------------------------------- initializers
# tf.random_normal_initializer() etc.: objects called with a shape and a dtype.


class RandomNormal:
    """``tf.random_normal_initializer(mean=0.0, stddev=0.05, seed=None)``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = DEFAULT_FLOAT) -> Tensor:
        return random_module.normal(shape, self.mean, self.stddev, dtype=dtype, seed=self.seed)


class RandomUniform:
    """``tf.random_uniform_initializer(minval=-0.05, maxval=0.05, seed=None)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Any, dtype: Any = DEFAULT_FLOAT) -> Tensor:
        return random_module.uniform(shape, self.minval, self.maxval, dtype=dtype,
                                     seed=self.seed)


class Constant:
    """``tf.constant_initializer(value=0)``; ``tf.zeros_initializer()`` and
    ``tf.ones_initializer()`` are this with 0 and 1."""

    def __init__(self, value: Any = 0.0):
        self.value = value

    def __call__(self, shape: Any, dtype: Any = DEFAULT_FLOAT) -> Tensor:
        shape = random_module._shape_of(shape) if np.size(shape) else ()
        return Tensor(np.broadcast_to(np.asarray(self.value, dtype=dtype), shape).copy())


random_normal_initializer = RandomNormal
random_uniform_initializer = RandomUniform
constant_initializer = Constant


def zeros_initializer() -> Constant:
    """``tf.zeros_initializer()``."""
    return Constant(0.0)


def ones_initializer() -> Constant:
    """``tf.ones_initializer()``."""
    return Constant(1.0)


# ---------------------------------------------------------------- tf.function and friends


def function(func: Callable | None = None, **options: Any) -> Any:
    """``@tf.function``: gradstack runs Python eagerly, so the function is returned
    as it is (``jit_compile=``, ``input_signature=`` ... are accepted and ignored)."""
    if func is None:
        return lambda f: f
    return func


def executing_eagerly() -> bool:
    """``tf.executing_eagerly()``: always True."""
    return True


def tf_print(*values: Any, **kwargs: Any) -> None:
    """``tf.print``: print the values (tensors as their NumPy values)."""
    kwargs.pop("output_stream", None)
    kwargs.pop("summarize", None)
    builtins.print(*(v.numpy() if isinstance(v, Tensor) else v for v in values), **kwargs)


print = tf_print  # noqa: A001 - tf.print


# ---------------------------------------------------------------- namespaces
# tf.math and tf.nn: plain objects listing their functions one per line.

math = SimpleNamespace(
    abs=arithmetic.abs,
    add=arithmetic.add,
    subtract=subtract,
    multiply=multiply,
    divide=divide,
    negative=negative,
    reciprocal=reciprocal,
    square=math_functions.square,
    sqrt=math_functions.sqrt,
    rsqrt=rsqrt,
    exp=math_functions.exp,
    log=math_functions.log,
    log1p=log1p,
    pow=arithmetic.pow,
    sin=math_functions.sin,
    cos=math_functions.cos,
    tanh=activations.tanh,
    sigmoid=activations.sigmoid,
    softplus=activations.softplus,
    maximum=selection.maximum,
    minimum=selection.minimum,
    squared_difference=squared_difference,
    sign=sign,
    round=round,
    floor=floor,
    ceil=ceil,
    is_nan=is_nan,
    is_finite=is_finite,
    reduce_sum=reduce_sum,
    reduce_mean=reduce_mean,
    reduce_max=reduce_max,
    reduce_min=reduce_min,
    reduce_prod=reduce_prod,
    reduce_std=reduce_std,
    reduce_variance=reduce_variance,
    reduce_logsumexp=reduce_logsumexp,
    reduce_any=reduce_any,
    reduce_all=reduce_all,
    argmax=argmax,
    argmin=argmin,
    l2_normalize=l2_normalize,
    count_nonzero=count_nonzero,
    top_k=top_k,
    in_top_k=in_top_k,
    confusion_matrix=confusion_matrix,
    equal=comparison.equal,
    not_equal=comparison.not_equal,
    less=comparison.less,
    less_equal=comparison.less_equal,
    greater=comparison.greater,
    greater_equal=comparison.greater_equal,
    logical_and=logical_and,
    logical_or=logical_or,
    logical_not=logical_not,
    softmax=tf_softmax,
    log_softmax=tf_log_softmax,
)

nn = SimpleNamespace(
    relu=activations.relu,
    relu6=relu6,
    sigmoid=activations.sigmoid,
    tanh=activations.tanh,
    elu=activations.elu,
    leaky_relu=tf_leaky_relu,
    gelu=activations.gelu,
    softplus=activations.softplus,
    silu=silu,
    swish=silu,
    softmax=tf_softmax,
    log_softmax=tf_log_softmax,
    dropout=dropout,
    softmax_cross_entropy_with_logits=softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits=sparse_softmax_cross_entropy_with_logits,
    sigmoid_cross_entropy_with_logits=sigmoid_cross_entropy_with_logits,
    l2_loss=l2_loss,
    moments=moments,
    bias_add=bias_add,
    l2_normalize=l2_normalize,
    conv2d=nn_conv2d,
    max_pool2d=nn_max_pool2d,
    avg_pool2d=nn_avg_pool2d,
    top_k=top_k,
)
