"""Layer configs: the constructor arguments as a JSON-serializable dict.

``get_config()`` returns what ``from_config`` needs to make the same layer again
(new weights, same settings); ``nn.saving`` stores it. Every layer accepts the
base arguments ``name``, ``trainable``, ``dtype`` and the ways to give an input
shape; an unknown keyword is explained, with the closest known one.

>>> import nn
>>> nn.layers.Dense(2, name="out").get_config()["name"]
'out'
>>> nn.layers.Dense(2, unit=3)
Traceback (most recent call last):
  ...
TypeError: Dense got an unexpected keyword argument 'unit'. Did you mean 'units'? ...
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any

import numpy as np

from nn import regularizers as regularizers_module
from nn.layers.symbolic import as_shape

# Keyword arguments every layer accepts, besides name, trainable and dtype.
BASE_LAYER_ARGUMENTS = (
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "input_dim",
    "activity_regularizer",
)


class LayerConfig:
    """Mixin of ``Layer``: ``get_config``/``from_config`` and the base arguments."""

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-serializable dict."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable,
                                  "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers_module.serialize(
                self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Any:
        """Create a layer from ``get_config()`` output (weights are not included)."""
        return cls(**config)


def check_rate(where: str, argument: str, value: Any) -> float:
    """A dropout fraction: a real number in [0, 1). Returns it as a float, or raises
    ValueError naming the layer (``where``), the argument and the value.

    >>> check_rate("Dropout layer 'd'", "rate", "a")
    Traceback (most recent call last):
    ...
    ValueError: Dropout layer 'd': rate must be a number in [0, 1) - ... - but got 'a'.
    """
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))
    if not is_number or not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{where}: {argument} must be a number in [0, 1) - the fraction of "
                         f"inputs to drop - but got {value!r}.")
    return float(value)


def layer_dtype(where: str, dtype: Any) -> str:
    """The name of a layer's dtype: None means "float32"; anything but a number type
    (NumPy makes a "void" dtype of [] or {}) raises ValueError naming the layer."""
    if dtype is None:
        return "float32"
    try:
        kind = np.dtype(dtype).kind if not isinstance(dtype, (list, dict, tuple)) else "V"
    except TypeError:
        kind = None
    if kind is None or kind not in "biuf":
        raise ValueError(f"{where}: dtype must be the name of a number type such as "
                         f"'float32', but got {dtype!r}.")
    return np.dtype(dtype).name


def check_base_arguments(layer_class: type, kwargs: dict) -> None:
    """Refuse keywords no layer takes, naming the closest known one."""
    for key in kwargs:
        if key not in BASE_LAYER_ARGUMENTS:
            raise TypeError(unknown_argument_message(layer_class, key))


def unknown_argument_message(layer_class: type, key: str) -> str:
    own = [
        p.name for p in inspect.signature(layer_class.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    known = list(dict.fromkeys(own + ["name", "trainable", "dtype", *BASE_LAYER_ARGUMENTS]))
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    name = layer_class.__name__
    return (
        f"{name} got an unexpected keyword argument '{key}'.{hint} "
        f"{name} accepts: {', '.join(known)}."
    )


def batch_input_shape_from(kwargs: dict) -> tuple | None:
    """The input shape a layer was given (``input_shape=``, ``batch_input_shape=``,
    ``input_dim=``), batch axis first, or None."""
    if kwargs.get("batch_input_shape") is not None:
        return as_shape(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"),) + as_shape(kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None
