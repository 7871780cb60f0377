"""The ``.keras`` zip: writing it atomically, and reading it without trusting it.

A Keras 3 ``.keras`` file is a zip archive holding (Keras's member names)::

    metadata.json       {"keras_version": ..., "date_saved": ...}
    config.json         the architecture and compile settings (JSON)
    model.weights.h5    the weights, in the HDF5 layout of ``h5_weights.py``

Reading checks, before anything is inflated: that the file is a complete zip
(a truncated one has no central directory), that no member name is absolute or
climbs out with ``..`` (nothing is ever extracted to disk, but such a name marks
a hostile file), that there are few members, and that each member's declared
size is small next to its compressed size (a zip bomb declares gigabytes from
kilobytes). While inflating, a member is never allowed past its declared size,
and its CRC is checked. So memory stays bounded by the file's own size.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import datetime, timezone

from nn.saving.container import atomic_write, check_json_shape, header_text
from nn.saving.errors import SavedFileError

CONFIG_NAME = "config.json"
METADATA_NAME = "metadata.json"
WEIGHTS_NAME = "model.weights.h5"

MAX_MEMBERS = 256
# Deflate compresses at most ~1000:1, real weights and JSON far less. Keras stores its
# members uncompressed (1:1). A member that claims more than this ratio is a bomb.
MAX_COMPRESSION_RATIO = 100
MAX_CONFIG_BYTES = 64 * 1024 * 1024
# All members together may inflate to at most the file's size plus this: Keras's own
# files (stored) inflate to less than their size, and a deflated one gains little on
# weights, so the members cannot make a load hold far more than the file.
MAX_INFLATED_EXTRA = 32 * 1024 * 1024


def write_archive(path: str | os.PathLike, config: dict, weights_h5: bytes,
                  keras_version: str) -> None:
    """Write the three members to ``path`` atomically (stored, like Keras)."""
    metadata = {"keras_version": keras_version,
                "date_saved": datetime.now(timezone.utc).strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(METADATA_NAME, json.dumps(metadata))
        zf.writestr(CONFIG_NAME, json.dumps(config))
        zf.writestr(WEIGHTS_NAME, weights_h5)
    atomic_write(path, [buffer.getvalue()])


def read_archive(path: str | os.PathLike) -> tuple[dict, bytes]:
    """``(config, weights_h5_bytes)`` of a ``.keras`` file, or ``SavedFileError``."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path!r}")

    def fail(problem: str):
        raise SavedFileError(path, problem)

    with open(path, "rb") as f:
        blob = f.read()
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        fail(f"it is not a complete .keras (zip) file ({err}); it may be truncated.")
    with zf:
        members = _checked_members(zf, len(blob), fail)
        if WEIGHTS_NAME not in members and "model.weights.npz" in members:
            fail("its weights are in NumPy's .npz form (model.weights.npz), which gradstack "
                 "does not read. Re-save it from Keras with the default HDF5 weights.")
        for required in (CONFIG_NAME, WEIGHTS_NAME):
            if required not in members:
                fail(f"it has no {required!r} member, so it is not a Keras 3 .keras file "
                     f"(members: {sorted(members)[:10]}).")
        raw_config = _inflate(zf, members[CONFIG_NAME], fail)
        weights = _inflate(zf, members[WEIGHTS_NAME], fail)
    del zf, blob  # the members are copies: let the file's bytes go before decoding
    # Counted before decoding, with the limits of gradstack's own headers: decoded JSON
    # costs several times its text.
    text = header_text(raw_config, lambda problem: fail(problem.replace(
        "its header", f"its {CONFIG_NAME}")))
    del raw_config
    try:
        config = json.loads(text)
    except (ValueError, RecursionError) as err:
        fail(f"its {CONFIG_NAME} is not valid JSON ({type(err).__name__}: {str(err)[:100]}).")
    if not isinstance(config, dict):
        fail(f"its {CONFIG_NAME} is not a JSON object.")
    check_json_shape(config, fail)
    return config, weights


def is_zip(path: str | os.PathLike) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _checked_members(zf: zipfile.ZipFile, file_size: int, fail) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        fail(f"it has {len(infos)} members; a .keras file has a handful.")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
            fail(f"it has a member named {name[:100]!r}, an absolute path or one that climbs "
                 "out of the archive with '..': a hostile file. Nothing was extracted.")
        if name in members:
            fail(f"it has two members named {name[:100]!r}.")
        bound = MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        if info.file_size > bound or info.compress_size > file_size:
            fail(f"its member {name[:100]!r} declares {info.file_size} bytes from "
                 f"{info.compress_size} compressed bytes (more than {MAX_COMPRESSION_RATIO}:1), "
                 "the mark of a zip bomb. Nothing was inflated.")
        members[name] = info
    inflated = sum(info.file_size for info in infos)
    if inflated > file_size + MAX_INFLATED_EXTRA:
        fail(f"its members inflate to {inflated} bytes from a file of {file_size}; Keras stores "
             "them uncompressed, and more than the file's size plus "
             f"{MAX_INFLATED_EXTRA >> 20} MiB is refused (re-save it from Keras). Nothing was "
             "inflated.")
    return members


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, fail) -> bytes:
    """The member's bytes, never more than it declares (and its CRC checked)."""
    if info.filename == CONFIG_NAME and info.file_size > MAX_CONFIG_BYTES:
        fail(f"its {CONFIG_NAME} declares {info.file_size} bytes; an architecture is far smaller.")
    try:
        with zf.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        fail(f"its member {info.filename!r} is damaged or truncated ({err}).")
    if len(data) != info.file_size:
        fail(f"its member {info.filename!r} holds {len(data)} bytes but declares "
             f"{info.file_size}: the file is damaged or hostile.")
    return data

