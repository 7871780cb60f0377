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

Safety, what loading guarantees (and the tests that show it):

- no code runs: JSON and arrays only, classes from the registry
  (``tests/nn/test_saving_corrupt.py``, ``test_saving_keras.py``);
- bounded memory: loading a gradstack file needs at most 2 x its size + 64 MiB - the
  architecture is checked against the stored arrays before building
  (``validation.py``), weights take the file's values without an initializer
  (``nn/layers/loading.py``), the header is capped before it is decoded at
  32 MiB, 250,000 objects and lists and 750,000 parts (``container.py``); shown
  by loading hostile files under an address-space limit
  (``tests/nn/test_saving_memory.py``). A Keras file's weights start as zeros
  within the bytes of its HDF5 member (``validation.WeightBudget``); reading a
  large Keras file holds a few copies of its weights on the way;
- bounded time: loading is linear in the layer count, at most
  ``validation.MAX_LAYERS`` = 32,768 layers (``tests/nn/test_saving_hostile.py``);
  a model too large for these limits is refused when saved, not when loaded;
- one error type, ``SavedFileError``, its cause chained
  (``tests/nn/test_saving_hostile.py``);
- atomic saves that replace only regular files, keep their mode and leave no
  temporary behind (``atomic.py``, ``tests/nn/test_saving_files.py``).

What it does not guarantee: authenticity. The SHA-256 digest in a file catches
damage, not tampering; anyone can write a valid file, and a valid model can
predict anything. Classes you register run their own code on a file's settings.

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
