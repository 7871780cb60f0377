"""Loading is bounded by the file's size, measured (issue 11, item 1).

Each file is loaded in a child process that, after its imports and one warm-up
load, measures two things around every load:

- an address-space limit (``RLIMIT_AS``) of what the process has mapped right
  then plus the budget, 2 x the file's size + 64 MiB. The limit is relative
  because Numba and LLVM map hundreds of MiB at import, which differs between
  machines; a fixed limit would test the machine, not the loader. Under the limit
  an allocation past the budget fails with ``MemoryError`` - which the loader
  would also turn into ``SavedFileError``, so the child reports whether a
  ``MemoryError`` is anywhere in the error's chain: a hostile file must be
  refused by a check, never by running out of memory;
- the peak resident memory during the load (``VmHWM`` in ``/proc/self/status``,
  reset before each load by writing 5 to ``/proc/self/clear_refs``), so the test
  also sees the memory really touched, not only the address space asked for.

Both need Linux; elsewhere the test is skipped with that reason.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.saving.container import MAX_JSON_NODES, read_container, write_container

pytestmark = [pytest.mark.training, pytest.mark.slow]

MIB = 1 << 20

CHILD = textwrap.dedent(r"""
    import ctypes, gc, json, re, resource, sys
    import nn
    from nn.saving import load_model

    def status(key):
        with open("/proc/self/status") as f:
            return int(re.search(key + r":\s+(\d+) kB", f.read()).group(1)) * 1024

    warm_up, cases = sys.argv[1], json.loads(sys.argv[2])
    load_model(warm_up)  # lazy imports and first-call costs happen here, not in a case
    results = {}
    libc = ctypes.CDLL(None)
    for name, path, api, size in cases:
        # What the previous case freed goes back to the system, so that this case's
        # peak is not hidden in memory the process already holds.
        gc.collect()
        libc.malloc_trim(0)
        budget = 2 * size + 64 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (status("VmSize") + budget, resource.RLIM_INFINITY))
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM, the peak resident size, to the current size
        before = status("VmRSS")
        outcome = {"error": None, "message": "", "memory_error": False}
        try:
            if api == "load_model":
                load_model(path)
            else:
                nn.Sequential([nn.layers.Dense(64)]).load_weights(path)
        except BaseException as err:
            outcome["error"] = type(err).__name__
            outcome["message"] = str(err)[:300]
            seen = err
            while seen is not None:
                outcome["memory_error"] |= isinstance(seen, MemoryError)
                seen = seen.__cause__ or seen.__context__
        outcome["peak_growth"] = status("VmHWM") - before
        outcome["budget"] = budget
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        results[name] = outcome
    print(json.dumps(results))
""")


def rewrite(path: Path, change, arrays=None) -> Path:
    header, stored = read_container(path)
    header = json.loads(json.dumps(header))
    header.pop("arrays")
    change(header)
    write_container(path, header, dict(stored) if arrays is None else arrays)
    return path


def first_layer_config(header):
    return header["model"]["config"]["layers"][1]["config"]


def saved_model(path: Path, *layers, compiled=False) -> Path:
    model = nn.Sequential(list(layers))
    if compiled:
        model.compile("adam", "mse")
    model.save(path)
    return path


def raw_header_file(path: Path, header_text: bytes) -> Path:
    """A valid container (checksum and all) whose JSON header is ``header_text``."""
    import hashlib

    from nn.saving import container

    blob = container._PREFIX.pack(container.MAGIC, 1, len(header_text)) + header_text
    path.write_bytes(blob + hashlib.sha256(blob).digest())
    return path


def keras_file_with(path: Path, change) -> Path:
    """A .keras archive written by gradstack, its config.json changed by ``change``."""
    saved_model(path, nn.Input((4,)), nn.layers.Dense(3, name="out"))
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    change(config)
    members["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def keras_dense_bomb(config):
    layers = config["config"]["layers"]
    layers[0]["config"]["batch_shape"] = [None, 4096]
    layers[1]["config"]["units"] = 65536


def hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, "load_model" or "load_weights"); each would allocate >= 1 GiB
    if the loader did what the file asks."""
    nn.clear_session()
    files = {}

    def bomb(name, first, layer, change, arrays=None):
        path = saved_model(folder / f"{name}.gradstack", first, layer)
        files[name] = (rewrite(path, change, arrays), "load_model")

    def no_weights(units_key, value, **more):
        def change(header):
            first_layer_config(header)[units_key] = value
            first_layer_config(header).update(more)
            header["weights"] = []
        return change

    # Input((4096,)) -> Dense(65536): a 1 GiB kernel, and the file stores nothing.
    bomb("dense_without_weights", nn.Input((4096,)), nn.layers.Dense(3),
         no_weights("units", 65536), arrays={})
    # The same, with small arrays that the layer's weights do not fit.
    bomb("dense_with_small_weights", nn.Input((4096,)), nn.layers.Dense(3),
         lambda h: first_layer_config(h).update(units=65536))
    # 64x64 kernels, 3 channels, 65536 filters: a 3 GiB kernel.
    bomb("conv2d_without_weights", nn.Input((64, 64, 3)), nn.layers.Conv2D(2, 3),
         no_weights("filters", 65536, kernel_size=[64, 64]), arrays={})
    # A 65536 x 65536 embedding table: 16 GiB.
    bomb("embedding_without_weights", nn.Input((4,), dtype="int32"), nn.layers.Embedding(5, 2),
         no_weights("input_dim", 65536, output_dim=65536), arrays={})
    # An unbuilt model told to build on 2**24 features: a (2**24, 64) kernel, 4 GiB.
    path = saved_model(folder / "build_shape.gradstack", nn.layers.Dense(64))
    files["huge_build_input_shape"] = (
        rewrite(path, lambda h: h.update(build_input_shape=[None, 1 << 24])), "load_model")
    # The same through load_weights of an unbuilt model.
    weights = folder / "build_shape.weights.gradstack"
    built = nn.Sequential([nn.Input((4,)), nn.layers.Dense(64)])
    built.save_weights(weights)
    files["load_weights_huge_build_shape"] = (
        rewrite(weights, lambda h: h.update(build_input_shape=[None, 1 << 24])), "load_weights")
    # Headers as large and as dense as the caps allow: a million short strings (the
    # most decoded objects per byte), and a quarter million nested lists.
    strings = b'{"format": "gradstack", "kind": "model", "arrays": [], "junk": [' + \
        b",".join(b'"%020d"' % i for i in range(MAX_JSON_NODES - 10)) + b"]}"
    files["header_of_short_strings"] = (
        raw_header_file(folder / "strings.gradstack", strings), "load_model")
    lists = b'{"format": "gradstack", "kind": "model", "arrays": [], "junk": [' + \
        b",".join([b"[[0]]"] * 124_000) + b"]}"
    files["header_of_nested_lists"] = (
        raw_header_file(folder / "lists.gradstack", lists), "load_model")
    # Zero-size arrays whose other dimensions are huge (NumPy would multiply them).
    path = saved_model(folder / "zero_size.gradstack", nn.Input((4,)), nn.layers.Dense(3))
    header, _ = read_container(path)
    header = json.loads(json.dumps(header))
    header.pop("arrays")
    files["zero_size_arrays"] = (path, "load_model")
    write_container(path, header, {"weights/0": np.zeros((0, 1 << 40), np.float32),
                                   "weights/1": np.zeros((0, 1 << 40), np.float32)})
    # A Keras 3 file asking for the Dense bomb (its weights: a 4x3 kernel).
    files["keras_dense_bomb"] = (
        keras_file_with(folder / "bomb.keras", keras_dense_bomb), "load_model")
    # A Keras config.json as dense as the caps allow (stored, as Keras stores it).
    files["keras_config_of_short_strings"] = (keras_file_with(
        folder / "strings.keras",
        lambda c: c.update(junk=[f"{i:020d}" for i in range(MAX_JSON_NODES - 100)])),
        "load_model")
    # A deflated config.json of 60 MiB in a file of a few hundred kB.
    path = keras_file_with(folder / "deflated.keras", lambda c: c.update(junk="x" * (60 << 20)))
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    files["keras_deflated_config"] = (path, "load_model")
    return files


def run_child(warm_up: Path, cases: dict[str, tuple[Path, str]]) -> dict:
    spec = [[name, str(path), api, os.path.getsize(path)] for name, (path, api) in cases.items()]
    done = subprocess.run([sys.executable, "-c", CHILD, str(warm_up), json.dumps(spec)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


needs_linux = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and os.path.exists("/proc/self/clear_refs")),
    reason="measures memory with Linux's /proc/self/status and RLIMIT_AS")


@needs_linux
def test_hostile_files_are_refused_within_twice_their_size_plus_64_mib(tmp_path):
    warm_up = saved_model(tmp_path / "small.gradstack", nn.Input((4,)), nn.layers.Dense(3))
    results = run_child(warm_up, hostile_files(tmp_path))
    problems = []
    for name, outcome in results.items():
        if outcome["error"] != "SavedFileError" or outcome["memory_error"]:
            problems.append(f"{name}: {outcome['error']} (MemoryError in the chain: "
                            f"{outcome['memory_error']}): {outcome['message']}")
        elif outcome["peak_growth"] > outcome["budget"]:
            problems.append(f"{name}: peak memory grew by {outcome['peak_growth'] / MIB:.0f} "
                            f"MiB, more than the budget of {outcome['budget'] / MIB:.0f} MiB")
    assert not problems, "\n".join(problems)


@needs_linux
def test_a_real_model_loads_within_the_same_budget(tmp_path):
    # The budget is not so tight that honest files fail: 4M weights (16 MiB), compiled,
    # with Adam's state (another 32 MiB) in the file.
    nn.clear_session()
    model = nn.Sequential([nn.Input((1024,)), nn.layers.Dense(2048), nn.layers.Dense(1024)])
    model.compile("adam", "mse")
    x = np.zeros((2, 1024), np.float32)
    model.fit(x, x, epochs=1, verbose=0)
    path = tmp_path / "big.gradstack"
    model.save(path)
    warm_up = saved_model(tmp_path / "small.gradstack", nn.Input((4,)), nn.layers.Dense(3))
    outcome = run_child(warm_up, {"real": (path, "load_model")})["real"]
    assert outcome["error"] is None, outcome
    assert outcome["peak_growth"] <= outcome["budget"], outcome
    assert outcome["peak_growth"] >= os.path.getsize(path), outcome  # it did read the file
