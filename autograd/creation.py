"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye`` and
the random ``rand``, ``randn``, ``uniform``, ``normal``.

Shapes may be given as separate ints or one tuple: ``ones(2, 3) == ones((2, 3))``.
Floating-point results are float32 unless you pass ``dtype``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .random import get_generator
from .tensor import DEFAULT_FLOAT, Tensor, as_array


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Tensor, np.ndarray)):
        shape = tuple(shape[0])  # one tuple (or a shape tensor such as tf.shape(x))
    return tuple(int(s) for s in shape)


def _make(array: np.ndarray, requires_grad: bool, name: str | None = None) -> Tensor:
    t = Tensor._from_op(array)
    t.name = name
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
    """Make a Tensor from numbers, nested lists or an array (values are copied).

    >>> import autograd
    >>> autograd.tensor([[1.0, 2.0], [3.0, 4.0]]).dtype
    dtype('float32')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*dims: Any, shape: Any = None, dtype: Any = DEFAULT_FLOAT,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``autograd.zeros(2, 3)``, ``zeros((2, 3))`` or, as
    TensorFlow writes it, ``zeros(shape=(2, 3))``."""
    return _make(np.zeros(_shape(dims if shape is None else (shape,)), dtype=dtype), requires_grad)


def ones(*dims: Any, shape: Any = None, dtype: Any = DEFAULT_FLOAT,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``autograd.ones(2, 3)``, ``ones((2, 3))`` or ``ones(shape=(2, 3))``."""
    return _make(np.ones(_shape(dims if shape is None else (shape,)), dtype=dtype), requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False):
    """A tensor filled with ``fill_value``. ``autograd.full((2, 2), 7.0)``."""
    return _make(np.full(_shape((shape,)), fill_value, dtype=dtype), requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, by default, the dtype) of ``t``."""
    data = as_array(t)
    return _make(np.zeros_like(data, dtype=dtype), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, by default, the dtype) of ``t``."""
    data = as_array(t)
    return _make(np.ones_like(data, dtype=dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in ``[start, stop)``, like ``np.arange``. Integer
    arguments give int64; any float argument gives float32.

    >>> import autograd
    >>> autograd.arange(3)
    Tensor([0, 1, 2], shape=(3,), dtype=int64)
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        dtype = np.int64 if is_int else DEFAULT_FLOAT
    return _make(np.arange(start, stop, step, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = DEFAULT_FLOAT,
        requires_grad: bool = False) -> Tensor:
    """An identity matrix of shape (n, m or n)."""
    return _make(np.eye(n, m, dtype=dtype), requires_grad)


def rand(*shape: Any, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """Uniform random values in [0, 1). Seeded by ``autograd.manual_seed``."""
    return uniform(_shape(shape), 0.0, 1.0, dtype=dtype, requires_grad=requires_grad)


def randn(*shape: Any, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    """Standard normal random values. Seeded by ``autograd.manual_seed``."""
    return normal(_shape(shape), 0.0, 1.0, dtype=dtype, requires_grad=requires_grad)


def uniform(shape: Any, low: float = 0.0, high: float = 1.0, dtype: Any = DEFAULT_FLOAT,
            requires_grad: bool = False) -> Tensor:
    """Uniform random values in [low, high)."""
    values = get_generator().uniform(low, high, size=_shape((shape,)))
    return _make(values.astype(dtype), requires_grad)


def normal(shape: Any, mean: float = 0.0, std: float = 1.0, dtype: Any = DEFAULT_FLOAT,
           requires_grad: bool = False) -> Tensor:
    """Normal random values with the given mean and standard deviation."""
    values = get_generator().normal(mean, std, size=_shape((shape,)))
    return _make(values.astype(dtype), requires_grad)
