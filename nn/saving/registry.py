"""Which classes a saved file may name.

A file names classes by string (``"Dense"``). The only classes that name can
resolve to are gradstack's built-ins and classes you register yourself with
``register_serializable``: a file can never point at a module, a function, a
path or a URL, so loading a file never runs code it brings.

Each built-in class is listed by one ``register(...)`` line in the module that
defines it (``grep -rn "register(Dense" nn`` finds it); nothing is discovered.
This module imports nothing from ``nn``, so every module can use it.

>>> import nn
>>> @nn.saving.register_serializable()
... class Scale(nn.layers.Layer):
...     def call(self, x):
...         return x * 2
>>> nn.saving.get_registered_class("Scale") is Scale
True
>>> nn.saving.get_registered_class("Dense") is nn.layers.Dense
True
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# The kinds of built-in classes, in the order a bare name is looked up. (A loss and
# a metric may share a class name, e.g. MeanSquaredError; the metric wins, as before.)
KINDS = ("layer", "optimizer", "metric", "loss")

_BUILTIN_CLASSES: dict[str, dict[str, type]] = {kind: {} for kind in KINDS}
_USER_CLASSES: dict[str, type] = {}
# Registration happens at import time, which another thread may be doing too.
_lock = threading.Lock()


def register(cls: type, kind: str = "layer") -> type:
    """List a built-in class under its class name (one line per class, beside it).

    >>> register(type("Unused", (), {}), kind="nothing")
    Traceback (most recent call last):
      ...
    ValueError: register(Unused): kind must be one of ('layer', ...), got 'nothing'.
    """
    if kind not in _BUILTIN_CLASSES:
        raise ValueError(
            f"register({cls.__name__}): kind must be one of {KINDS}, got {kind!r}.")
    with _lock:
        taken = _BUILTIN_CLASSES[kind].get(cls.__name__)
        if taken is not None and taken is not cls:
            raise ValueError(
                f"register({cls.__name__}): another built-in {kind} class is already "
                f"registered under the name {cls.__name__!r} ({taken.__module__}). Built-in "
                "class names must be unique within their kind."
            )
        _BUILTIN_CLASSES[kind][cls.__name__] = cls
    return cls


def builtin_classes(kind: str = "layer") -> tuple[type, ...]:
    """The built-in classes of one kind, in registration order."""
    return tuple(_BUILTIN_CLASSES[kind].values())


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Class decorator: allow saved files to name this class (as ``name``, default
    the class name). ``package`` is accepted for Keras compatibility."""

    def decorate(cls: type) -> type:
        key = name or cls.__name__
        with _lock:
            _USER_CLASSES[key] = cls
        return cls

    return decorate


# custom_object_scope's dicts, innermost last, per thread (another thread loading at
# the same time sees only its own scopes).
_scopes = threading.local()


class CustomObjectScope:
    """``with nn.saving.custom_object_scope({"MyLayer": MyLayer}):`` - while it is
    open, loading and deserializing also find these names (Keras's
    ``custom_object_scope`` / ``CustomObjectScope``; several dicts may be given).

    >>> import nn
    >>> class Twice(nn.layers.Layer):
    ...     def call(self, x):
    ...         return x * 2
    >>> with nn.saving.custom_object_scope({"Twice": Twice}):
    ...     nn.saving.get_registered_class("Twice") is Twice
    True
    """

    def __init__(self, *custom_objects: dict[str, Any] | None) -> None:
        self.objects: dict[str, Any] = {}
        for objects in custom_objects:
            self.objects.update(objects or {})

    def __enter__(self) -> CustomObjectScope:
        if not hasattr(_scopes, "stack"):
            _scopes.stack = []
        _scopes.stack.append(self.objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes.stack.pop()


custom_object_scope = CustomObjectScope


def scoped_objects() -> dict[str, Any]:
    """The names the open ``custom_object_scope`` blocks of this thread add."""
    merged: dict[str, Any] = {}
    for objects in getattr(_scopes, "stack", []):
        merged.update(objects)
    return merged


def get_registered_class(name: str, custom_objects: dict[str, Any] | None = None) -> type:
    """Resolve a class name from a file: custom_objects, then an open
    ``custom_object_scope``, then user registrations, then built-ins. Raises
    ``KeyError`` with the known names when it is unknown."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    scoped = scoped_objects()
    if name in scoped:
        return scoped[name]
    if name in _USER_CLASSES:
        return _USER_CLASSES[name]
    for kind in KINDS:
        if name in _BUILTIN_CLASSES[kind]:
            return _BUILTIN_CLASSES[kind][name]
    raise KeyError(
        f"Unknown class {name!r}. Saved files may only name gradstack's built-in classes "
        "and classes registered with @nn.saving.register_serializable() (or passed in "
        "custom_objects={...}). Register your class before loading."
    )
