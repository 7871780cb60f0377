"""Which format a path means: gradstack's own, or Keras 3's.

Saving goes by the suffix, as in Keras: ``.keras`` is Keras 3's model archive,
``.weights.h5`` its weights file; anything else is gradstack's own format
(suggested ``.gradstack`` / ``.weights.gradstack``). A plain ``.h5`` would be
Keras 2's legacy HDF5 format, which gradstack does not write: it is refused
with a pointer to the three that work, so no file ever lies about its format.

Loading goes by the file's first bytes (a zip is a ``.keras`` archive, HDF5 is a
Keras weights file), so a renamed file still loads, or fails with a clear error.

>>> save_format("model.keras", "model"), save_format("w.weights.h5", "weights")
('keras', 'keras')
>>> save_format("model.gradstack", "model")
'gradstack'
"""

from __future__ import annotations

import os

from nn.saving.errors import SavedFileError

ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

_H5_HELP = (
    "gradstack does not write Keras 2's legacy HDF5 model format. Use 'model.keras' "
    "(Keras 3's format: model.save('model.keras')), 'model.weights.h5' for weights only "
    "(model.save_weights('model.weights.h5')), or 'model.gradstack' for gradstack's own."
)


def save_format(filepath: str | os.PathLike, what: str) -> str:
    """``"keras"`` or ``"gradstack"`` for saving a ``what`` ("model" or "weights")."""
    name = os.fspath(filepath).lower()
    if what == "model" and name.endswith(".keras"):
        return "keras"
    if what == "weights" and name.endswith(".weights.h5"):
        return "keras"
    if name.endswith((".h5", ".hdf5", ".keras")):
        if what == "model" and name.endswith(".weights.h5"):
            raise ValueError(f"Cannot save a whole model to {os.fspath(filepath)!r}: "
                             "'.weights.h5' files hold weights only. Use "
                             "model.save_weights(...) for it, or model.save('model.keras').")
        if what == "weights" and name.endswith(".keras"):
            raise ValueError(f"Cannot save weights only to {os.fspath(filepath)!r}: a '.keras' "
                             "file is a whole model. Use model.save(...) for it, or "
                             "model.save_weights('model.weights.h5').")
        raise ValueError(f"Cannot save to {os.fspath(filepath)!r}: {_H5_HELP}")
    return "gradstack"


def load_format(filepath: str | os.PathLike, what: str) -> str:
    """``"keras"`` (a zip archive), ``"keras_weights"`` (HDF5) or ``"gradstack"``,
    from the file's first bytes; the gradstack reader reports anything else."""
    path = os.fspath(filepath)
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file: {path!r}") from None
    except IsADirectoryError:
        raise SavedFileError(path, "it is a folder, not a file.") from None
    if head.startswith(ZIP_MAGIC):
        return "keras"
    if head == HDF5_MAGIC:
        if what == "model":
            raise SavedFileError(path, "it is an HDF5 file: Keras weights (.weights.h5; load "
                                 "them with model.load_weights) or Keras 2's legacy .h5 model "
                                 "format, which gradstack does not read. In Keras, load it and "
                                 "save it again with model.save('model.keras').")
        return "keras_weights"
    return "gradstack"
