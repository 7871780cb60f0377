"""``keras.random`` (Keras 3): random draws with Keras's seeding rules.

- ``seed=None`` draws from the library's global generator (``keras.utils.
  set_random_seed`` / ``autograd.manual_seed`` repeat it);
- an integer seed gives the same values at every call (Keras's draws are
  stateless);
- a ``SeedGenerator`` gives new values at every call, repeatable from its seed:
  what a layer keeps to draw its dropout masks.

>>> import nn as keras
>>> a = keras.random.normal((2,), seed=42)
>>> b = keras.random.normal((2,), seed=42)
>>> bool((a == b).numpy().all())
True
>>> gen = keras.random.SeedGenerator(1337)
>>> c, d = keras.random.uniform((2,), seed=gen), keras.random.uniform((2,), seed=gen)
>>> bool((c == d).numpy().all())
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.random import dropout_mask

__all__ = [
    "SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle",
    "categorical",
]


class SeedGenerator:
    """A stateful source of random numbers, seeded once (``keras.random.SeedGenerator``)."""

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if seed is None:  # a random start, itself drawn from the global generator
            seed = int(autograd.get_generator().integers(2**31))
        self.seed = int(seed)
        self.name = name or "seed_generator"
        self.generator = np.random.default_rng(self.seed)

    def next(self, ordered: bool = True) -> np.random.Generator:
        """The generator to draw from (its state advances with every draw)."""
        return self.generator

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)


def _generator(seed: Any) -> np.random.Generator:
    if seed is None:
        return autograd.get_generator()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)):
        return np.random.default_rng(int(seed))  # stateless: the same values each call
    raise TypeError(
        f"seed must be None, an int or a keras.random.SeedGenerator, not {type(seed).__name__}."
    )


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float(dtype: Any) -> np.dtype:
    return np.dtype(dtype or "float32")


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> Tensor:
    """Values from a normal distribution."""
    values = _generator(seed).normal(mean, stddev, size=_shape(shape))
    return Tensor(values.astype(_float(dtype)))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> Tensor:
    """Values in ``[minval, maxval)``."""
    values = _generator(seed).uniform(minval, maxval, size=_shape(shape))
    return Tensor(values.astype(_float(dtype)))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Normal values, redrawn while more than two standard deviations from the mean."""
    generator = _generator(seed)
    values = generator.normal(size=_shape(shape))
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.normal(size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return Tensor((mean + stddev * values).astype(_float(dtype)))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> Tensor:
    """Integers in ``[minval, maxval)``."""
    values = _generator(seed).integers(int(minval), int(maxval), size=_shape(shape))
    return Tensor(values.astype(dtype))


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Zero each entry with probability ``rate``; scale the rest by ``1 / (1 - rate)``.

    >>> import nn as keras
    >>> y = keras.random.dropout(keras.ops.ones((1000,)), rate=0.5, seed=0)
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """
    x = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs, dtype=np.float32))
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1), but got {rate}.")
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    return x * dropout_mask(_generator(seed), shape, rate, x.dtype)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """The entries along ``axis`` in a random order."""
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    order = _generator(seed).permutation(array.shape[axis])
    return Tensor(np.take(array, order, axis=axis))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """``num_samples`` class indices per row of unnormalised log-probabilities."""
    z = np.asarray(logits.data if isinstance(logits, Tensor) else logits, dtype=np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    generator = _generator(seed)
    return Tensor(np.array([generator.choice(p.shape[-1], size=int(num_samples), p=row)
                            for row in p], dtype=dtype))
