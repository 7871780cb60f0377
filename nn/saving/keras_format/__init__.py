"""Keras 3's own file formats, both ways (needs ``h5py``: the ``interop`` extra).

- ``save_keras(model, "x.keras")`` / ``load_keras("x.keras")``: Keras 3's
  native zip of ``config.json``, ``metadata.json`` and ``model.weights.h5``;
  ``keras.saving.load_model`` opens what gradstack writes, and gradstack opens
  what Keras writes, for gradstack's built-in layers (the sequence and attention
  layers too, except a generic ``RNN(cell)`` and the text layers) and Sequential,
  functional and nested models.
- ``save_keras_weights`` / ``load_keras_weights``: ``x.weights.h5`` files.

``nn.saving.save_model`` and friends come here by the file's suffix, so
``model.save("x.keras")`` is all a user writes. Files: ``archive.py`` (the zip,
read defensively), ``layer_configs.py`` and ``model_configs.py`` (the JSON),
``h5_weights.py`` (the HDF5 layout), ``files.py`` (the four entry points).
"""

from nn.saving.keras_format.files import (
    load_keras,
    load_keras_weights,
    save_keras,
    save_keras_weights,
)

__all__ = ["save_keras", "load_keras", "save_keras_weights", "load_keras_weights"]
