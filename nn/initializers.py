"""Weight initializers, with Keras's names, defaults and formulas.

An initializer is called with a shape and returns a NumPy array::

    >>> import nn
    >>> nn.initializers.Ones()((2,))
    array([1., 1.], dtype=float32)

Random initializers draw from ``autograd.get_generator()``, so
``autograd.manual_seed(n)`` makes model creation repeat exactly. Given
``seed=``, an initializer uses its own generator, made fresh from that seed on
every call: it returns the same values each time, on its own.

Variance scaling (Glorot, He, LeCun) uses the fans of the weight: for a Dense
kernel ``(in, out)``, ``fan_in = in`` and ``fan_out = out``; for a Conv2D kernel
``(kh, kw, in, out)`` both are multiplied by the receptive field ``kh * kw``.

- uniform: values in ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``
- truncated normal: a normal cut at two standard deviations, with the standard
  deviation ``sqrt(scale / n) / 0.87962566103423978`` so that the variance after
  cutting is ``scale / n``

where ``n`` is ``fan_in``, ``fan_out`` or their mean, per ``mode``.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np

import autograd

__all__ = [
    "Initializer",
    "Zeros",
    "Ones",
    "Constant",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "Orthogonal",
    "compute_fans",
    "get",
    "serialize",
]

# The standard deviation of a standard normal truncated to [-2, 2].
_TRUNCATED_NORMAL_STDDEV = 0.87962566103423978


class Initializer:
    """Base class: ``initializer(shape, dtype="float32") -> np.ndarray``."""

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _RandomInitializer(Initializer):
    """Shared by the random initializers: where the random numbers come from."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def _generator(self) -> np.random.Generator:
        if self.seed is None:
            return autograd.get_generator()
        return np.random.default_rng(self.seed)


class Zeros(Initializer):
    """All zeros; the default for biases.

    >>> Zeros()((2,))
    array([0., 0.], dtype=float32)
    """

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        return np.zeros(_shape(shape), dtype=dtype)


class Ones(Initializer):
    """All ones (e.g. BatchNormalization's gamma)."""

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        return np.ones(_shape(shape), dtype=dtype)


class Constant(Initializer):
    """Every value equal to ``value``.

    >>> Constant(3.0)((2,))
    array([3., 3.], dtype=float32)
    """

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        return np.full(_shape(shape), self.value, dtype=dtype)

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(_RandomInitializer):
    """Normal values with ``mean`` and ``stddev`` (Keras defaults 0.0 and 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        values = self._generator().normal(self.mean, self.stddev, size=_shape(shape))
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_RandomInitializer):
    """Uniform values in ``[minval, maxval)`` (Keras defaults -0.05 and 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        values = self._generator().uniform(self.minval, self.maxval, size=_shape(shape))
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_RandomInitializer):
    """Normal values with ``mean`` and ``stddev``, redrawn where they fall more
    than two standard deviations from the mean (Keras defaults 0.0 and 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        values = _truncated_standard_normal(self._generator(), _shape(shape))
        return (self.mean + self.stddev * values).astype(dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_RandomInitializer):
    """Values whose variance is ``scale / n``, ``n`` set by the weight's fans.

    Parameters
    ----------
    scale : float
    mode : ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``
    distribution : ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``
    seed : int, optional
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}.")
        if distribution == "normal":  # Keras's older name for the truncated normal
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "VarianceScaling: distribution must be 'truncated_normal', "
                f"'untruncated_normal' or 'uniform', got {distribution!r}.")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape)
        # BEGIN SOLUTION hw2.glorot
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        # END SOLUTION
        rng = self._generator()
        if self.distribution == "uniform":
            # BEGIN SOLUTION hw2.glorot
            limit = math.sqrt(3.0 * variance)  # U(-l, l) has variance l**2 / 3
            # END SOLUTION
            values = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:
            stddev = math.sqrt(variance) / _TRUNCATED_NORMAL_STDDEV
            values = stddev * _truncated_standard_normal(rng, shape)
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class _NamedVarianceScaling(VarianceScaling):
    """Glorot/He/LeCun: VarianceScaling with fixed settings; only ``seed`` is an argument."""

    _settings: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None) -> None:
        scale, mode, distribution = self._settings
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_NamedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``; the
    default for kernels."""

    _settings = (1.0, "fan_avg", "uniform")


class GlorotNormal(_NamedVarianceScaling):
    """Truncated normal with variance ``2 / (fan_in + fan_out)``."""

    _settings = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_NamedVarianceScaling):
    """Truncated normal with variance ``2 / fan_in`` (for ReLU networks)."""

    _settings = (2.0, "fan_in", "truncated_normal")


class HeUniform(_NamedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    _settings = (2.0, "fan_in", "uniform")


class LecunNormal(_NamedVarianceScaling):
    """Truncated normal with variance ``1 / fan_in`` (for SELU networks)."""

    _settings = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_NamedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    _settings = (1.0, "fan_in", "uniform")


class Orthogonal(_RandomInitializer):
    """A random orthogonal matrix times ``gain``; Keras's default for recurrent kernels.

    The weight is seen as a matrix (all axes but the last, by the last); its rows
    (or columns, whichever are fewer) are orthonormal, so repeated multiplication by
    it neither grows nor shrinks a vector on average.

    >>> w = Orthogonal(seed=0)((4, 4))
    >>> bool(np.allclose(w @ w.T, np.eye(4), atol=1e-5))
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape: Any, dtype: Any = "float32") -> np.ndarray:
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal: the weight must have at least 2 axes, got shape {shape}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = self._generator().normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))  # make the result unique (uniformly distributed)
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


# Names accepted by get(); the class names themselves are accepted too.
BY_NAME: dict[str, type] = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal,
}
_BY_CLASS_NAME = {cls.__name__: cls for cls in BY_NAME.values()}


def compute_fans(shape: tuple) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a weight shape; conv kernels count the receptive field.

    >>> compute_fans((3, 3, 16, 32))   # 3x3 conv from 16 to 32 channels
    (144, 288)
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    # BEGIN SOLUTION hw2.glorot
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field
    # END SOLUTION


def get(identifier: Any) -> Initializer:
    """An initializer from a name (``"he_normal"``), a config dict, or an instance.

    >>> get("he_normal")
    HeNormal(seed=None)
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = BY_NAME.get(identifier) or _BY_CLASS_NAME.get(identifier)
        if cls is None:
            raise ValueError(_unknown(identifier))
        return cls()
    if isinstance(identifier, dict):
        cls = _BY_CLASS_NAME.get(identifier.get("class_name")) or BY_NAME.get(
            identifier.get("class_name"))
        if cls is None:
            raise ValueError(_unknown(identifier.get("class_name")))
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier  # a function (shape, dtype) -> array works like an initializer
    raise TypeError(
        f"Could not interpret initializer {identifier!r}: give a name such as "
        "'glorot_uniform', an nn.initializers instance, or a function (shape, dtype) -> array."
    )


def serialize(initializer: Any) -> Any:
    """``{"class_name": ..., "config": ...}`` for a built-in initializer."""
    if isinstance(initializer, Initializer):
        return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
    return getattr(initializer, "__name__", repr(initializer))


def _unknown(name: Any) -> str:
    close = difflib.get_close_matches(str(name), list(BY_NAME), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown initializer {name!r}.{hint} Known initializers: {', '.join(BY_NAME)}."


def _shape(shape: Any) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _truncated_standard_normal(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Standard normal values; those outside [-2, 2] are drawn again until inside."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2
    return values
