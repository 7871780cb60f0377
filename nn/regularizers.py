"""Weight penalties: L1, L2 and both, with Keras's default factors.

A regularizer maps a weight to a scalar Tensor; a layer given
``kernel_regularizer=...`` reports the penalty in ``layer.losses`` (computed from
the current weights each time, so it is differentiable), and training adds
those to the loss.

>>> import autograd, nn
>>> nn.regularizers.L2(0.1)(autograd.tensor([1.0, 2.0]))
Tensor(0.5, shape=(), dtype=float32)

Names: ``"l1"`` is ``L1(0.01)``, ``"l2"`` is ``L2(0.01)``, ``"l1_l2"`` is
``L1L2(l1=0.01, l2=0.01)``.
"""

from __future__ import annotations

import difflib
from typing import Any

from autograd import Tensor

__all__ = [
    "Regularizer",
    "L1",
    "L2",
    "L1L2",
    "l1_l2",
    "l1",
    "l2",
    "get",
    "serialize",
]


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar Tensor``."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``l1 * sum(|x|)``; Keras's default factor is 0.01."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = float(l1)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l1 * x.abs().sum()

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``; Keras's default factor is 0.01."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = float(l2)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l2 * x.square().sum()

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``; both factors default to 0.0 (as in Keras)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l1 * x.abs().sum() + self.l2 * x.square().sum()

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """``L1L2`` with Keras's shortcut defaults (0.01 each)."""
    return L1L2(l1=l1, l2=l2)


# Lowercase names as Keras accepts them (the class names work too).
# Keras's lowercase spellings: keras.regularizers.l2(1e-4)
l1 = L1
l2 = L2

BY_NAME: dict[str, Any] = {"l1": L1, "l2": L2, "l1_l2": l1_l2}
_CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2)}


def get(identifier: Any) -> Any:
    """A regularizer from None, a name, a config dict, an instance or a function."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        make = BY_NAME.get(identifier) or _CLASSES.get(identifier)
        if make is None:
            close = difflib.get_close_matches(identifier, list(BY_NAME), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"Unknown regularizer {identifier!r}.{hint} Known regularizers: "
                f"{', '.join(BY_NAME)} (or L1(...), L2(...), L1L2(...) instances)."
            )
        return make()
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown regularizer {identifier.get('class_name')!r}.")
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret regularizer {identifier!r}: give 'l1', 'l2', 'l1_l2', an "
        "nn.regularizers instance, or a function weight -> scalar Tensor."
    )


def serialize(regularizer: Any) -> Any:
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return getattr(regularizer, "__name__", repr(regularizer))
