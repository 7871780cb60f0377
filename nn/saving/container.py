"""The file format: one JSON header and raw arrays, checked before anything is used.

Layout (all integers little-endian)::

    8 bytes   magic  b"GRADSTK\\n"
    4 bytes   format version (uint32, currently 1)
    8 bytes   header length H (uint64)
    H bytes   header: UTF-8 JSON (see nn/saving/saving.py for its keys); its
              "arrays" list gives each array's name, dtype, shape, offset, nbytes
    ...       the arrays' raw bytes, C order, each at its offset from here
    32 bytes  SHA-256 of everything above

Reading validates, in this order and before allocating anything big: the
magic, the version, the checksum (catches truncation and bit flips), the JSON
(size, nesting depth), and every array entry (known dtype, sane shape, its
bytes inside the file, no overlaps). Nothing in the file is executed or
unpickled. Writes are atomic (``atomic.py``): a new file in the same folder,
flushed and fsynced, then renamed over the target; a crash, Ctrl-C or SIGKILL
keeps the old file and leaves no temporary file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterator
from typing import Any

import numpy as np

from .atomic import atomic_write
from .errors import SavedFileError

MAGIC = b"GRADSTK\n"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sIQ")  # magic, version, header length
_DIGEST_SIZE = 32
_ALIGN = 64  # each array starts at a multiple of 64 bytes

# The only dtypes a file may declare (little-endian, no objects, no strings).
ALLOWED_DTYPES = {"<f2", "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
                  "|b1"}
MAX_JSON_DEPTH = 64
# Counted on the raw bytes, before the JSON is decoded. What a load holds beyond
# the file's bytes grows with the header's parts, not its length: a decoded short
# string costs ~70 bytes, a small dict ~180, and the layers built from a config
# 45-95 bytes per part of it (measured for Dense, Conv2D, BatchNormalization,
# Bidirectional LSTM, MultiHeadAttention). These caps keep that under ~60 MiB, so
# that a load stays within 2 x the file's size + 64 MiB (tests/nn/test_saving_memory.py).
# A model with Dense layers has ~18 objects/lists and ~67 parts per layer here: the
# caps allow ~11,000 such layers.
MAX_HEADER_BYTES = 32 << 20
MAX_JSON_NODES = 750_000  # "," plus ":" in the raw text (upper bound of its values)
MAX_JSON_CONTAINERS = 250_000  # "{" plus "[" in the raw text
MAX_NDIM = 32
MAX_ARRAY_BYTES = 1 << 62  # also for zero-size arrays, whose other sizes NumPy multiplies


# ---------------------------------------------------------------------- writing


def write_container(path: str | os.PathLike, header: dict[str, Any],
                    arrays: dict[str, np.ndarray]) -> None:
    """Write ``header`` (JSON-serializable) and named ``arrays`` to ``path`` atomically."""
    entries, blobs, offset = [], [], 0
    for name, array in arrays.items():
        array = np.asarray(array)
        if not array.flags.c_contiguous:  # (np.ascontiguousarray would turn 0-d into 1-d)
            array = array.copy(order="C")
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        dtype = array.dtype.str
        if dtype not in ALLOWED_DTYPES:
            raise TypeError(
                f"Cannot save array {name!r} of dtype {array.dtype}: not a number type."
            )
        pad = (-offset) % _ALIGN
        if pad:
            blobs.append(b"\0" * pad)
            offset += pad
        entries.append({"name": name, "dtype": dtype, "shape": list(array.shape),
                        "offset": offset, "nbytes": array.nbytes})
        blobs.append(array.tobytes())
        offset += array.nbytes
    try:
        text = json.dumps({**header, "arrays": entries}, allow_nan=True).encode("utf-8")
    except TypeError as err:
        raise TypeError(
            f"Cannot save: part of the model's configuration is not JSON-serializable ({err}). "
            "get_config() must return only numbers, strings, lists, dicts, True/False/None."
        ) from None
    _check_loadable_header(text, path)
    digest = hashlib.sha256()
    chunks = [_PREFIX.pack(MAGIC, FORMAT_VERSION, len(text)), text, *blobs]
    for chunk in chunks:
        digest.update(chunk)
    chunks.append(digest.digest())
    atomic_write(path, chunks)


def _check_loadable_header(text: bytes, path: str | os.PathLike) -> None:
    """Refuse to write a header that read_container would refuse (a model of tens of
    thousands of layers): better a clear error now than a file that cannot be loaded."""
    containers, separators = _count_structure(memoryview(text))
    for count, limit, what in [(len(text), MAX_HEADER_BYTES, "bytes"),
                               (containers, MAX_JSON_CONTAINERS, "objects and lists"),
                               (separators, MAX_JSON_NODES, "parts")]:
        if count > limit:
            raise ValueError(
                f"Cannot save {os.fspath(path)!r}: its header would have {count} {what}, more "
                f"than the {limit} a gradstack file may have to be loaded again. Save a "
                "smaller model, or its weights only (save_weights).")


# ---------------------------------------------------------------------- reading


def read_container(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and validate a file; returns ``(header, arrays)`` or raises
    ``SavedFileError``. Arrays are read-only views of the file's bytes."""
    path = os.fspath(path)
    fail = _failer(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            prefix = f.read(_PREFIX.size)
            # The prefix is checked before the rest is read: a foreign or hostile file is
            # refused without reading (or holding) its bytes.
            if len(prefix) < _PREFIX.size or size < _PREFIX.size + _DIGEST_SIZE:
                fail(f"it is only {size} bytes long: not a gradstack file, or truncated.")
            _check_prefix(prefix, size, fail)
            _, _, header_len = _PREFIX.unpack(prefix)
            # Header and data in two buffers, so that the header's bytes can be let go
            # once decoded: a file is held in memory about once (see header_text).
            raw_header = f.read(header_len)
            data = f.read()  # the arrays' bytes, then the digest; arrays are views of it
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file: {path!r}") from None
    if len(raw_header) < header_len or len(data) < _DIGEST_SIZE:
        fail(f"it is only {_PREFIX.size + len(raw_header) + len(data)} bytes long: not a "
             "gradstack file, or truncated.")
    data, digest = memoryview(data)[:-_DIGEST_SIZE], data[-_DIGEST_SIZE:]
    checksum = hashlib.sha256(prefix)
    checksum.update(raw_header)
    checksum.update(data)
    if checksum.digest() != digest:
        fail("it is damaged (its checksum does not match its contents): it was truncated or "
             "changed after it was saved.")
    text = header_text(raw_header, fail)
    del raw_header  # JSON objects cost more than their text: the bytes go first
    header = _parse_header(text, fail)
    arrays = _read_arrays(header.get("arrays"), data, fail)
    return header, arrays


def _check_prefix(prefix: bytes, size: int, fail) -> None:
    magic, version, header_len = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        fail("it is not a gradstack file (its first bytes are not the gradstack signature). "
             "Files written by Keras (.keras, .h5) cannot be read.")
    if version != FORMAT_VERSION:
        fail(f"it uses format version {version}, but this gradstack reads version "
             f"{FORMAT_VERSION}. Update gradstack or re-save the model.")
    if header_len > MAX_HEADER_BYTES:
        fail(f"its header claims {header_len} bytes, more than the {MAX_HEADER_BYTES} a "
             "gradstack header may have; refusing to read it.")
    if _PREFIX.size + header_len + _DIGEST_SIZE > size:
        fail(f"its header claims {header_len} bytes but the file holds only "
             f"{max(size - _PREFIX.size - _DIGEST_SIZE, 0)} after the prefix: it is truncated.")


def _failer(path: str):
    def fail(problem: str):
        raise SavedFileError(path, problem)

    return fail


def header_text(raw: bytes, fail) -> str:
    """The header as text, once its size in objects and parts is known to be capped.

    Decoding costs memory beyond the text (a short string ~70 bytes, a small dict
    ~180), so both are counted on the raw bytes first; with these caps, decoding
    adds at most about 70 MiB to the file's own size (the caller lets the bytes go
    before decoding, so the file is held about once)."""
    containers, separators = _count_structure(memoryview(raw))
    if containers > MAX_JSON_CONTAINERS:
        fail(f"its header has more than {MAX_JSON_CONTAINERS} objects and lists.")
    if separators > MAX_JSON_NODES:
        fail(f"its header has more than {MAX_JSON_NODES} parts.")
    try:
        return str(raw, "utf-8")
    except UnicodeDecodeError as err:
        fail(f"its header is not valid JSON ({type(err).__name__}: {str(err)[:100]}).")


def _parse_header(text: str, fail) -> dict[str, Any]:
    try:
        header = json.loads(text)
    except (ValueError, RecursionError) as err:
        fail(f"its header is not valid JSON ({type(err).__name__}: {str(err)[:100]}).")
    if not isinstance(header, dict):
        fail("its header is not a JSON object.")
    check_json_shape(header, fail)
    return header


def _count_structure(raw: memoryview) -> tuple[int, int]:
    """How many "{"/"[" and ","/":" the text holds (upper bounds of its objects and
    values), counted in 1 MiB pieces without copying the whole text."""
    containers = separators = 0
    for start in range(0, len(raw), 1 << 20):
        piece = raw[start:start + (1 << 20)].tobytes()
        containers += piece.count(b"{") + piece.count(b"[")
        separators += piece.count(b",") + piece.count(b":")
    return containers, separators


def check_json_shape(value: Any, fail) -> None:
    """Reject documents nested deeper than MAX_JSON_DEPTH or with too many parts.

    An iterative walk (a depth bomb cannot overflow the stack here) that keeps one
    iterator per open level, not one entry per value: a header of a million parts
    is checked in constant extra memory."""
    nodes = 1
    open_levels = [_children(value)] if isinstance(value, (dict, list)) else []
    while open_levels:
        for item in open_levels[-1]:
            nodes += 1
            if nodes > MAX_JSON_NODES:
                fail(f"its header has more than {MAX_JSON_NODES} parts.")
            if len(open_levels) + 1 > MAX_JSON_DEPTH:  # the item's depth (the root is 1)
                fail(f"its header is nested more than {MAX_JSON_DEPTH} levels deep.")
            if isinstance(item, (dict, list)):
                open_levels.append(_children(item))
                break
        else:
            open_levels.pop()


def _children(container: dict | list) -> Iterator[Any]:
    return iter(container.values() if isinstance(container, dict) else container)


def _read_arrays(entries: Any, data: memoryview, fail) -> dict[str, np.ndarray]:
    if not isinstance(entries, list):
        fail("its header has no list of arrays.")
    arrays: dict[str, np.ndarray] = {}
    spans = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            fail(f"array entry {i} is not an object.")
        name, dtype, shape = entry.get("name"), entry.get("dtype"), entry.get("shape")
        offset, nbytes = entry.get("offset"), entry.get("nbytes")
        if not isinstance(name, str) or name in arrays:
            fail(f"array entry {i} has a missing or repeated name.")
        if not isinstance(dtype, str) or dtype not in ALLOWED_DTYPES:
            fail(f"array {name!r} declares dtype {str(dtype)[:20]!r}, which is not allowed.")
        if (not isinstance(shape, list) or len(shape) > MAX_NDIM
                or not all(_is_count(d) for d in shape)):
            fail(f"array {name!r} declares an invalid shape {str(shape)[:80]}.")
        if not _is_count(offset) or not _is_count(nbytes):
            fail(f"array {name!r} declares an invalid offset or size.")
        count, nonzero = 1, 1
        for d in shape:  # Python ints: no overflow, whatever the file claims
            count *= d
            nonzero *= max(d, 1)
        itemsize = np.dtype(dtype).itemsize
        if nonzero * itemsize > MAX_ARRAY_BYTES:
            fail(f"array {name!r} declares shape {shape[:8]}, too large for any array.")
        if count * itemsize != nbytes:
            fail(f"array {name!r} declares shape {shape[:8]} ({count} values of {itemsize} "
                 f"bytes) but a size of {nbytes} bytes.")
        if offset + nbytes > len(data):
            fail(f"array {name!r} claims bytes {offset}..{offset + nbytes} but the file has "
                 f"only {len(data)} bytes of data: the file is truncated or hostile.")
        spans.append((offset, offset + nbytes, name))
        if count == 0:
            arrays[name] = np.zeros(tuple(shape), dtype=dtype)
        else:
            array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
            arrays[name] = array.reshape(tuple(shape))
    spans.sort()
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            fail(f"arrays {first!r} and {second!r} overlap.")
    return arrays


def _is_count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**62
