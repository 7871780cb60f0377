"""Import an optional dependency, or say which extra installs it.

gradstack's runtime needs only NumPy and Numba. Reading and writing Keras files
needs ``h5py``, ONNX export needs ``onnx``; both come with the ``interop`` extra.

>>> from nn.utils.optional import require
>>> require("json", "interop", "reading Keras files").__name__
'json'
"""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """``import module``, or an ImportError that names the extra to install.

    >>> require("no_such_module_xyz", "interop", "ONNX export")
    Traceback (most recent call last):
    ...
    ImportError: ONNX export needs the 'no_such_module_xyz' package, which is not installed. \
Install gradstack's 'interop' extra: pip install "gradstack[interop]" (or pip install \
no_such_module_xyz).
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"{purpose} needs the {module!r} package, which is not installed. Install "
            f"gradstack's {extra!r} extra: pip install \"gradstack[{extra}]\" (or pip install "
            f"{module})."
        ) from None
