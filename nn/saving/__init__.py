"""Saving and loading models and weights, safely.

- ``model.save(path)`` / ``nn.models.load_model(path)``: architecture (JSON),
  weights, compile settings and optimizer state. Suggested suffix ``.gradstack``.
- ``model.save_weights(path)`` / ``model.load_weights(path)``: the weights only.
  Suggested suffix ``.weights.gradstack``.
- By suffix, Keras 3's own formats instead (``keras_format/``; the ``interop`` extra):
  ``.keras`` for whole models, ``.weights.h5`` for weights, both ways. A plain
  ``.h5`` is refused, never written in another format. Loading recognizes a Keras
  file by its first bytes, whatever its name.

Exactly the path you give is written, atomically (a crash mid-save keeps the
old file). Files hold JSON and raw arrays, nothing else: no pickle, no code.
Classes are found only among gradstack's built-ins and the classes you
register with ``@nn.saving.register_serializable()``. Any damaged, foreign or
hostile file raises ``SavedFileError`` (a ValueError) naming the file and
what is wrong. The format is described in ``container.py``.

>>> model.save("model.gradstack")                        # doctest: +SKIP
>>> model = nn.models.load_model("model.gradstack")      # doctest: +SKIP
"""

# registry.py first: it is a leaf (it imports nothing from nn), and the modules that
# define layers, losses and metrics import it to register their classes.
from .registry import (  # noqa: I001
    CustomObjectScope,
    custom_object_scope,
    get_registered_class,
    register_serializable,
)
from .errors import SavedFileError
from .serialization import deserialize, serialize
from .saving import load_model, load_weights, save_model, save_weights

# Keras 3's name for the same decorator, so that Keras code runs unchanged.
register_keras_serializable = register_serializable

__all__ = [
    "save_model", "load_model", "save_weights", "load_weights", "SavedFileError",
    "register_serializable", "register_keras_serializable", "get_registered_class",
    "serialize", "deserialize", "custom_object_scope", "CustomObjectScope",
]
