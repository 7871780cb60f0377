"""Damaged, foreign and hostile files: every one raises SavedFileError naming the
file, quickly, without allocating what the file claims and without running anything."""

import hashlib
import json
import pickle
import struct
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from training_helpers import TinyMLP, blobs

import nn.utils
import optim
from nn.saving import SavedFileError, load_model
from nn.saving.container import MAGIC

pytestmark = pytest.mark.training

CUSTOM = {"TinyMLP": TinyMLP}


@pytest.fixture(scope="module")
def good_file(tmp_path_factory):
    nn.utils.set_random_seed(0)
    x, y = blobs(n=32)
    model = TinyMLP((8, 3), output_activation="softmax")
    model.compile(optim.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("good") / "model.gradstack"
    model.save(path)
    return path.read_bytes()


def load_bytes(tmp_path, blob, name="bad.gradstack"):
    path = tmp_path / name
    path.write_bytes(blob)
    return load_model(path, custom_objects=CUSTOM)


def expect_error(tmp_path, blob, match=None):
    with pytest.raises(SavedFileError) as err:
        load_bytes(tmp_path, blob)
    assert "bad.gradstack" in str(err.value)
    if match:
        assert match in str(err.value), str(err.value)
    return err.value


def forge(header, data=b"", version=1):
    """A file with a valid signature and checksum around any header: what a
    hostile author could write."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    body = struct.pack("<8sIQ", MAGIC, version, len(text)) + text + data
    return body + hashlib.sha256(body).digest()


def good_header(good_file):
    (length,) = struct.unpack_from("<Q", good_file, 12)
    header = json.loads(good_file[20:20 + length])
    data = good_file[20 + length:-32]
    return header, data


def test_the_good_file_loads(tmp_path, good_file):
    assert isinstance(load_bytes(tmp_path, good_file), TinyMLP)
    header, data = good_header(good_file)
    assert isinstance(load_bytes(tmp_path, forge(header, data)), TinyMLP)  # forge is faithful


def test_truncations_at_many_offsets(tmp_path, good_file):
    offsets = sorted(set(np.linspace(0, len(good_file) - 1, 150).astype(int)) | {0, 1, 19, 20})
    start = time.perf_counter()
    for offset in offsets:
        expect_error(tmp_path, good_file[:offset])
    assert time.perf_counter() - start < 10  # generous; each load is ~1 ms


def test_bit_flips_everywhere(tmp_path, good_file):
    rng = np.random.default_rng(0)
    positions = rng.choice(len(good_file) * 8, size=250, replace=False)
    for bit in positions:
        blob = bytearray(good_file)
        blob[bit // 8] ^= 1 << (bit % 8)
        expect_error(tmp_path, bytes(blob))


def test_foreign_files(tmp_path):
    expect_error(tmp_path, b"", "bytes long")
    expect_error(tmp_path, pickle.dumps({"weights": [1, 2, 3]}) * 3, "not a gradstack file")
    zpath = tmp_path / "z.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("config.json", "{}")
    # a zip is read as a .keras archive
    expect_error(tmp_path, zpath.read_bytes(), "not a Keras 3 .keras file")
    expect_error(tmp_path, np.random.default_rng(0).bytes(4096), "not a gradstack file")


def test_newer_format_version(tmp_path, good_file):
    header, data = good_header(good_file)
    expect_error(tmp_path, forge(header, data, version=2), "format version 2")


@pytest.mark.parametrize("raw", [
    b"\xff\xfe not utf-8",
    b"{not json",
    b"[1, 2, 3]",
    b"[" * 100_000 + b"]" * 100_000,       # a depth bomb for the parser
    json.dumps(json.loads("[" * 200 + "]" * 200)).encode(),  # parses, but too deep
    b'{"format": "gradstack", "kind": "model", "arrays": "x"}',
])
def test_broken_headers(tmp_path, raw):
    expect_error(tmp_path, forge(raw))


def _with_array(good_file, **changes):
    header, data = good_header(good_file)
    header["arrays"][0].update(changes)
    return forge(header, data)


@pytest.mark.parametrize("changes, message", [
    ({"shape": [10**12, 10**12], "nbytes": 4 * 10**24}, "invalid offset or size"),
    ({"shape": [2**40, 2**20], "nbytes": 2**62 - 8}, "declares shape"),
    ({"shape": [10**9], "nbytes": 4 * 10**9}, "the file is truncated or hostile"),
    ({"shape": [-1, 8]}, "invalid shape"),
    ({"shape": [4.0, 8]}, "invalid shape"),
    ({"shape": [True, 8]}, "invalid shape"),
    ({"shape": [1] * 40}, "invalid shape"),
    ({"offset": -64}, "invalid offset"),
    ({"offset": 10**15}, "hostile"),
    ({"dtype": "|O"}, "not allowed"),
    ({"dtype": "<U8"}, "not allowed"),
    ({"dtype": ">f4"}, "not allowed"),
    ({"name": None}, "name"),
])
def test_hostile_array_entries(tmp_path, good_file, changes, message):
    tracemalloc.start()
    try:
        expect_error(tmp_path, _with_array(good_file, **changes), message)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # nothing near what the file claims was allocated


def test_overlapping_arrays(tmp_path, good_file):
    header, data = good_header(good_file)
    header["arrays"][1]["offset"] = header["arrays"][0]["offset"]
    expect_error(tmp_path, forge(header, data), "overlap")


@pytest.mark.parametrize("class_name", [
    "os.system", "builtins.eval", "__import__('os')", "../../etc/passwd",
    "https://example.invalid/x", "EvilModel", "", "Adam",
])
def test_model_class_must_be_registered(tmp_path, good_file, class_name):
    header, data = good_header(good_file)
    header["model"]["class_name"] = class_name
    err = expect_error(tmp_path, forge(header, data))
    assert "class" in str(err) or "model" in str(err)


def test_huge_numbers_in_the_architecture_are_refused(tmp_path, good_file):
    header, data = good_header(good_file)
    header["model"]["config"]["units"] = [10**9, 3]
    tracemalloc.start()
    try:
        expect_error(tmp_path, forge(header, data), "refusing to build it")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_other_architecture_in_the_header(tmp_path, good_file):
    header, data = good_header(good_file)
    header["model"]["config"]["units"] = [9, 3]
    expect_error(tmp_path, forge(header, data), "another architecture")


def test_bad_compile_settings(tmp_path, good_file):
    header, data = good_header(good_file)
    header["compile"]["optimizer"]["config"]["evil"] = 1
    expect_error(tmp_path, forge(header, data), "compile settings are invalid")
    header, data = good_header(good_file)
    header["compile"]["optimizer"]["class_name"] = "subprocess.Popen"
    expect_error(tmp_path, forge(header, data), "compile settings are invalid")
    header, data = good_header(good_file)
    header["compile"]["loss"] = {"class_name": "Adam", "config": {}}
    expect_error(tmp_path, forge(header, data), "not a loss class")


def test_a_function_name_in_the_file_is_never_resolved(tmp_path, good_file):
    header, data = good_header(good_file)
    header["compile"]["loss"] = {"function": "system"}
    with pytest.warns(UserWarning, match="custom loss 'system'"):
        model = load_bytes(tmp_path, forge(header, data))
    assert not model.compiled


def test_optimizer_state_that_does_not_fit(tmp_path, good_file):
    header, data = good_header(good_file)
    header["compile"]["optimizer"]["class_name"] = "SGD"
    header["compile"]["optimizer"]["config"] = {"learning_rate": 0.1}
    expect_error(tmp_path, forge(header, data), "optimizer state does not fit")
