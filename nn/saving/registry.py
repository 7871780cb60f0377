"""Which classes a saved file may name.

A file names classes by string (``"Dense"``). The only classes that name can
resolve to are gradstack's built-ins and classes you register yourself with
``register_serializable``: a file can never point at a module, a function, a
path or a URL, so loading a file never runs code it brings.

>>> import nn
>>> @nn.saving.register_serializable()
... class Scale(nn.layers.Layer):
...     def call(self, x):
...         return x * 2
>>> nn.saving.get_registered_class("Scale") is Scale
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_USER_CLASSES: dict[str, type] = {}


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Class decorator: allow saved files to name this class (as ``name``, default
    the class name). ``package`` is accepted for Keras compatibility."""

    def decorate(cls: type) -> type:
        key = name or cls.__name__
        _USER_CLASSES[key] = cls
        return cls

    return decorate


def _builtin_classes() -> dict[str, type]:
    # Each package lists its own public classes explicitly; nothing is discovered.
    import optim
    from nn import layers, losses, metrics

    classes: dict[str, type] = {}
    for group in (layers.BUILTIN_LAYERS, losses.BUILTIN_LOSSES, metrics.BUILTIN_METRICS,
                  optim.BUILTIN_OPTIMIZERS):
        for cls in group:
            classes[cls.__name__] = cls
    return classes


def get_registered_class(name: str, custom_objects: dict[str, Any] | None = None) -> type:
    """Resolve a class name from a file: custom_objects, then user registrations,
    then built-ins. Raises ``KeyError`` with the known names when it is unknown."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _USER_CLASSES:
        return _USER_CLASSES[name]
    builtins = _builtin_classes()
    if name in builtins:
        return builtins[name]
    raise KeyError(
        f"Unknown class {name!r}. Saved files may only name gradstack's built-in classes "
        "and classes registered with @nn.saving.register_serializable() (or passed in "
        "custom_objects={...}). Register your class before loading."
    )
