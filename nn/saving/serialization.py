"""Layers to and from plain dicts: ``{"class_name": "Dense", "config": {...}}``.

The class name is resolved only through ``registry.py`` (gradstack's
built-in classes, classes you registered, or ``custom_objects``), so a config
can never name arbitrary code.
"""

from __future__ import annotations

import inspect
from typing import Any

from .registry import CustomObjectScope, get_registered_class, scoped_objects


def serialize(layer: Any) -> dict:
    """``{"class_name": ..., "config": layer.get_config()}``.

    >>> import nn
    >>> serialize(nn.layers.Dense(2, name="out"))["class_name"]
    'Dense'
    """
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(data: dict, custom_objects: dict | None = None) -> Any:
    """Make a new layer (or model) from ``serialize`` output. Weights are not included.

    ``custom_objects`` maps names to your own classes - and to your own activation
    functions, which a config stores by name.
    """
    if not isinstance(data, dict) or "class_name" not in data:
        raise ValueError(
            f"A layer config must be a dict with 'class_name' and 'config', got {data!r}.")
    cls = get_registered_class(data["class_name"], custom_objects)
    config = dict(data.get("config", {}))
    objects = {**scoped_objects(), **(custom_objects or {})}
    if objects and isinstance(config.get("activation"), str):
        config["activation"] = objects.get(config["activation"], config["activation"])
    return from_config(cls, config, custom_objects)


def from_config(cls: type, config: dict, custom_objects: dict | None = None) -> Any:
    """``cls.from_config(config)``, with ``custom_objects`` passed on when the method
    takes them (the models do: they hold layers) and otherwise in scope - so a class
    of your own may keep Keras's documented ``from_config(cls, config)``."""
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    with CustomObjectScope(custom_objects):
        return cls.from_config(config)
