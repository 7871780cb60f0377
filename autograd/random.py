"""The one random number generator behind every draw in gradstack, and the
TensorFlow-style draws ``tf.random.*`` on top of it.

``manual_seed(n)`` makes random tensors, weight initializers, dropout masks and
shuffling in ``fit`` repeat exactly::

    >>> import autograd
    >>> autograd.manual_seed(0); a = autograd.rand(2)
    >>> autograd.manual_seed(0); b = autograd.rand(2)
    >>> bool((a == b).numpy().all())
    True

The module is also what ``tf.random`` is when you write ``import autograd as tf``:
``normal``, ``uniform``, ``truncated_normal``, ``shuffle`` and ``set_seed`` take
TensorFlow's arguments. A ``seed=`` given to one draw works as TensorFlow's
operation seed: together with the global seed (``set_seed``) it fixes the sequence
of values that draw produces, so the program repeats, while two calls of the
same line still give different values, as in TensorFlow::

    >>> import autograd as tf
    >>> tf.random.set_seed(1); a = tf.random.normal((2,), seed=7)
    >>> tf.random.set_seed(1); b = tf.random.normal((2,), seed=7)
    >>> bool((a == b).numpy().all())
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import DEFAULT_FLOAT, Tensor


class _RNG:
    generator = np.random.default_rng()
    # The global seed last given (None: never seeded), and one generator per
    # operation seed, derived from both (TensorFlow's op-seed semantics).
    global_seed: int | None = None
    per_seed: dict[int, np.random.Generator] = {}


def manual_seed(seed: int) -> None:
    """Reseed the library's generator (``get_generator()`` returns it)."""
    _RNG.generator = np.random.default_rng(seed)
    _RNG.global_seed = int(seed)
    _RNG.per_seed = {}


def get_generator() -> np.random.Generator:
    """The generator that every random draw in gradstack uses."""
    return _RNG.generator


def dropout_mask(rng: np.random.Generator, shape: tuple, rate: float,
                 dtype: Any) -> np.ndarray:
    """The mask of inverted dropout: each entry 0 with probability ``rate``, else
    ``1 / (1 - rate)``, so that ``x * mask`` keeps the expected value of ``x``.

    Every dropout in gradstack multiplies by this (the Dropout layer, the recurrent
    and attention dropouts, ``keras.random.dropout``, ``tf.nn.dropout``).

    >>> m = dropout_mask(np.random.default_rng(0), (1000,), 0.25, np.float32)
    >>> sorted(set(m.tolist())), m.dtype
    ([0.0, 1.3333333730697632], dtype('float32'))
    """
    # BEGIN SOLUTION hw2.dropout
    # float32 draws: half the random bits and memory of float64 ones, and resolution
    # enough for a keep/drop decision (2**-24). The scaled mask is made in one pass,
    # from the booleans straight to the wanted dtype.
    keep = rng.random(shape, dtype=np.float32) >= rate
    return np.divide(keep, 1.0 - rate, dtype=dtype)
    # END SOLUTION


# ---------------------------------------------------------------- tf.random


def set_seed(seed: int) -> None:
    """``tf.random.set_seed``: the global seed (the same as ``manual_seed``)."""
    manual_seed(seed)


def _generator_for(seed: Any) -> np.random.Generator:
    """The global generator, or the one belonging to an operation seed."""
    if seed is None:
        return _RNG.generator
    seed = int(seed)
    if seed not in _RNG.per_seed:
        base = 0 if _RNG.global_seed is None else _RNG.global_seed
        _RNG.per_seed[seed] = np.random.default_rng([base, seed])
    return _RNG.per_seed[seed]


def _shape_of(shape: Any) -> tuple[int, ...]:
    """``(2, 3)``, ``[2, 3]``, ``5`` or a shape Tensor -> a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = shape.data
    return tuple(int(s) for s in np.atleast_1d(np.asarray(shape, dtype=np.int64)))


def normal(
    shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = DEFAULT_FLOAT,
    seed: int | None = None,
) -> Tensor:
    """``tf.random.normal``: values from a normal distribution.

    >>> import autograd as tf
    >>> tf.random.normal(shape=(2, 3), stddev=0.1).shape
    (2, 3)
    """
    values = _generator_for(seed).normal(mean, stddev, size=_shape_of(shape))
    return Tensor(values.astype(dtype))


def uniform(
    shape: Any, minval: float = 0.0, maxval: float | None = None, dtype: Any = DEFAULT_FLOAT,
    seed: int | None = None,
) -> Tensor:
    """``tf.random.uniform``: values in ``[minval, maxval)`` (``maxval`` defaults to 1
    for floats; integer dtypes need it and draw integers).

    >>> import autograd as tf
    >>> x = tf.random.uniform((100,), minval=-1.0, maxval=1.0)
    >>> bool((x >= -1).numpy().all() and (x < 1).numpy().all())
    True
    """
    dtype = np.dtype(dtype)
    shape = _shape_of(shape)
    generator = _generator_for(seed)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError(
                "tf.random.uniform: an integer dtype needs maxval, e.g. "
                "tf.random.uniform((3,), minval=0, maxval=10, dtype='int32')."
            )
        return Tensor(generator.integers(int(minval), int(maxval), size=shape).astype(dtype))
    high = 1.0 if maxval is None else float(maxval)
    return Tensor(generator.uniform(float(minval), high, size=shape).astype(dtype))


def truncated_normal(
    shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = DEFAULT_FLOAT,
    seed: int | None = None,
) -> Tensor:
    """``tf.random.truncated_normal``: normal values, redrawn while more than two
    standard deviations from the mean."""
    generator = _generator_for(seed)
    values = generator.normal(0.0, 1.0, size=_shape_of(shape))
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.normal(0.0, 1.0, size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return Tensor((mean + stddev * values).astype(dtype))


def shuffle(value: Any, seed: int | None = None) -> Tensor:
    """``tf.random.shuffle``: the rows (first axis) in a random order."""
    array = value.data if isinstance(value, Tensor) else np.asarray(value)
    return Tensor(array[_generator_for(seed).permutation(len(array))])


def categorical(logits: Any, num_samples: int, dtype: Any = np.int64,
                seed: int | None = None) -> Tensor:
    """``tf.random.categorical``: ``num_samples`` class indices per row of ``logits``
    (unnormalised log-probabilities, shape ``(batch, classes)``)."""
    z = np.asarray(logits.data if isinstance(logits, Tensor) else logits, dtype=np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    generator = _generator_for(seed)
    rows = [generator.choice(p.shape[-1], size=int(num_samples), p=row) for row in p]
    return Tensor(np.array(rows, dtype=dtype))
