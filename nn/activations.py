"""Activation functions, by name or as functions, built from autograd ops.

>>> import autograd, nn
>>> nn.activations.get("relu")(autograd.tensor([-1.0, 2.0]))
Tensor([0., 2.], shape=(2,), dtype=float32)

Definitions and defaults follow Keras (``keras.activations``):

- ``relu(x, negative_slope=0.0, max_value=None, threshold=0.0)``
- ``leaky_relu(x, negative_slope=0.2)``
- ``elu(x, alpha=1.0)``; ``selu(x) = 1.05070098 * elu(x, 1.67326324)``
- ``gelu(x, approximate=False)``: ``x * Phi(x)`` (the tanh formula when approximate)
- ``silu(x) = x * sigmoid(x)`` (also called ``swish``)
- ``hard_sigmoid(x) = relu6(x + 3) / 6``, i.e. ``clip(x / 6 + 0.5, 0, 1)`` (Keras 3;
  Keras 2 used ``clip(0.2 * x + 0.5, 0, 1)``)
- ``relu6(x) = clip(x, 0, 6)``; ``softsign(x) = x / (|x| + 1)``; ``exponential = exp``
- ``softmax`` and ``log_softmax`` along ``axis=-1``; ``linear`` returns ``x``
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Tensor

__all__ = [
    "linear",
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "sigmoid",
    "hard_sigmoid",
    "silu",
    "swish",
    "tanh",
    "softplus",
    "softsign",
    "exponential",
    "softmax",
    "log_softmax",
    "get",
    "serialize",
]

# The SELU constants (Klambauer et al., 2017), as Keras uses them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else autograd.tensor(x)


def linear(x: Any) -> Tensor:
    """``x`` unchanged (the activation of a layer given ``activation=None``)."""
    return _tensor(x)


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """``max(x, 0)``; with the options, ``negative_slope * (x - threshold)`` below
    ``threshold`` and at most ``max_value``."""
    x = _tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return autograd.relu(x)
    below = negative_slope * (x - threshold) if negative_slope != 0.0 else 0.0
    y = autograd.where(x >= threshold, x, below)
    if max_value is not None:
        y = autograd.clip(y, max=max_value)
    return y


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return autograd.leaky_relu(_tensor(x), negative_slope=negative_slope)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return autograd.clip(_tensor(x), 0.0, 6.0)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return autograd.elu(_tensor(x), alpha=alpha)


def selu(x: Any) -> Tensor:
    """``scale * elu(x, alpha)`` with the fixed SELU constants."""
    return SELU_SCALE * autograd.elu(_tensor(x), alpha=SELU_ALPHA)


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF; ``approximate=True`` uses tanh."""
    return autograd.gelu(_tensor(x), approximate=approximate)


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return autograd.sigmoid(_tensor(x))


def hard_sigmoid(x: Any) -> Tensor:
    """A piecewise linear sigmoid: 0 below -3, 1 above 3, ``x / 6 + 0.5`` between."""
    return autograd.clip(_tensor(x) / 6.0 + 0.5, 0.0, 1.0)


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)`` (Swish)."""
    x = _tensor(x)
    return x * autograd.sigmoid(x)


swish = silu


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent."""
    return autograd.tanh(_tensor(x))


def softplus(x: Any) -> Tensor:
    """``log(1 + exp(x))``."""
    return autograd.softplus(_tensor(x))


def softsign(x: Any) -> Tensor:
    """``x / (|x| + 1)``."""
    x = _tensor(x)
    return x / (x.abs() + 1.0)


def exponential(x: Any) -> Tensor:
    """``exp(x)``."""
    return autograd.exp(_tensor(x))


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return autograd.softmax(_tensor(x), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``axis``, computed stably."""
    return autograd.log_softmax(_tensor(x), axis=axis)


# Every activation by the name a layer's `activation=` argument accepts.
BY_NAME: dict[str, Callable[..., Tensor]] = {
    "linear": linear,
    "relu": relu,
    "relu6": relu6,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "gelu": gelu,
    "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid,
    "silu": silu,
    "swish": swish,
    "tanh": tanh,
    "softplus": softplus,
    "softsign": softsign,
    "exponential": exponential,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def get(identifier: Any) -> Callable[..., Tensor]:
    """The activation function for a name, a function, or None (``linear``).

    >>> get(None) is linear, get("swish") is silu
    (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in BY_NAME:
            close = difflib.get_close_matches(identifier, list(BY_NAME), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"Unknown activation {identifier!r}.{hint} Known activations: "
                f"{', '.join(sorted(BY_NAME))}. You can also pass any function that "
                "maps a Tensor to a Tensor."
            )
        return BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation {identifier!r}: give a name such as 'relu', or a "
        "function that maps a Tensor to a Tensor."
    )


def serialize(activation: Callable[..., Tensor]) -> str:
    """The name a config stores for an activation (its function name)."""
    for name, fn in BY_NAME.items():
        if fn is activation:
            return name
    return getattr(activation, "__name__", repr(activation))
