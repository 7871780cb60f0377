"""MNIST (70,000 28x28 digits), read from the standard ``mnist.npz``.

gradstack does not ship MNIST (11 MB). ``load_data`` reads ``mnist.npz``
(arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``, as Keras's copy has)
from the path you give, or from the cache folder ``~/.gradstack/datasets``
(or ``$GRADSTACK_DATASETS``). When it is not there it downloads Keras's copy
(checking its SHA-256) if ``download=True`` and the network allows; otherwise
it says where to put the file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from typing import Any

import numpy as np

URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KEYS = ("x_train", "y_train", "x_test", "y_test")


def cache_dir() -> str:
    """Where datasets are looked for: ``$GRADSTACK_DATASETS`` or ``~/.gradstack/datasets``."""
    return os.environ.get("GRADSTACK_DATASETS") or os.path.join(
        os.path.expanduser("~"), ".gradstack", "datasets"
    )


def load_data(path: str | os.PathLike | None = None, download: bool = True) -> Any:
    """``(x_train, y_train), (x_test, y_test)`` of MNIST, uint8 images (n, 28, 28).

    Parameters
    ----------
    path : str, optional
        An ``mnist.npz`` file. A relative path that does not exist as given is
        looked up in ``cache_dir()``. Default: ``cache_dir()/mnist.npz``.
    download : bool
        Fetch Keras's copy into the cache when the file is missing.

    >>> (x_train, y_train), (x_test, y_test) = nn.datasets.mnist.load_data()  # doctest: +SKIP
    """
    path = _resolve(path)
    if not os.path.exists(path):
        if not download:
            raise FileNotFoundError(_missing_message(path))
        _download(path)
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in KEYS if k not in f.files]
        if missing:
            raise ValueError(
                f"{path} is not an MNIST file: it lacks {missing} (it has {sorted(f.files)}). "
                "Expected the arrays x_train, y_train, x_test, y_test, as in Keras's mnist.npz."
            )
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _resolve(path: str | os.PathLike | None) -> str:
    if path is None:
        return os.path.join(cache_dir(), "mnist.npz")
    path = os.fspath(path)
    if os.path.isabs(path) or os.path.exists(path):
        return path
    return os.path.join(cache_dir(), path)


def _missing_message(path: str) -> str:
    return (
        f"MNIST is not at {path}. Download mnist.npz (e.g. from {URL}) and put it there, "
        "or pass its location: nn.datasets.mnist.load_data(path='/some/where/mnist.npz'). "
        "The folder can be changed with the GRADSTACK_DATASETS environment variable."
    )


def _download(path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(URL, timeout=30) as response:
            shutil.copyfileobj(response, out)
        with open(tmp, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != SHA256:
            raise ValueError(f"the downloaded file has SHA-256 {digest}, expected {SHA256}")
        os.replace(tmp, path)
    except (OSError, ValueError) as err:
        raise FileNotFoundError(
            f"Could not download MNIST ({err}). " + _missing_message(path)
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
