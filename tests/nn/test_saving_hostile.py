"""Loading is bounded by the file, and any bad file raises SavedFileError.

Each hostile file here is crafted with ``write_container`` (a valid container
whose header asks for something it should not), so the checksum passes and the
loader's own checks are what is tested.
"""

from __future__ import annotations

import json
import struct
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nn
import optim
from nn.saving import SavedFileError, load_model
from nn.saving.container import MAGIC, MAX_HEADER_BYTES, read_container, write_container
from nn.saving.validation import MAX_LAYERS

pytestmark = pytest.mark.training


def dense_model(units_in=4, units_out=3, compiled=True):
    model = nn.Sequential([nn.Input((units_in,)), nn.layers.Dense(units_out, name="out")])
    if compiled:
        model.compile(optim.Adam(0.01), "mse", ["mae"])
    return model


def saved(tmp_path, model, name="m.gradstack"):
    path = tmp_path / name
    model.save(path)
    return path


def rewrite(path, change_header=None, arrays=None):
    """Rewrite ``path`` with ``change_header(header)`` applied (a valid container)."""
    header, stored = read_container(path)
    header = json.loads(json.dumps(header))
    header.pop("arrays")
    if change_header is not None:
        change_header(header)
    write_container(path, header, dict(stored) if arrays is None else arrays)
    return path


def layer_config(header, index):
    return header["model"]["config"]["layers"][index]["config"]


def refused(path, *match, **kwargs):
    with pytest.raises(SavedFileError) as info:
        load_model(path, **kwargs)
    for text in match:
        assert text in str(info.value), str(info.value)
    return info.value


# ---------------------------------------------------------------- memory: item 1


def test_a_dense_layer_the_file_holds_no_weights_for_is_refused_before_allocating(tmp_path):
    path = saved(tmp_path, dense_model(4096, 3, compiled=False))

    def bomb(header):  # Input((4096,)) -> Dense(65536): a 1 GiB kernel, and no weights
        layer_config(header, 1)["units"] = 65536
        header["weights"] = []

    rewrite(path, bomb, arrays={})
    start = time.perf_counter()
    error = refused(path, "(4096, 65536)", "Nothing was allocated")
    assert time.perf_counter() - start < 2.0
    assert "layer 'out'" in str(error)


def test_weights_of_the_wrong_shape_are_refused_when_the_layer_asks_for_them(tmp_path):
    path = saved(tmp_path, dense_model(4, 3, compiled=False))
    rewrite(path, lambda h: layer_config(h, 1).update(units=5))
    refused(path, "'kernel' of shape (4, 5)", "holds no weights of that shape")


def test_loading_runs_no_initializer(tmp_path, monkeypatch):
    model = dense_model()
    path = saved(tmp_path, model)

    def must_not_run(self, *args, **kwargs):
        raise AssertionError("an initializer ran during loading")

    monkeypatch.setattr(nn.initializers.GlorotUniform, "__call__", must_not_run)
    monkeypatch.setattr(nn.initializers.Zeros, "__call__", must_not_run)
    again = load_model(path)
    for mine, theirs in zip(model.weights, again.weights):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    with pytest.raises(AssertionError, match="initializer ran"):
        dense_model(compiled=False)  # outside a load they still run


def test_load_weights_builds_an_unbuilt_model_from_the_files_values(tmp_path, monkeypatch):
    model = dense_model(compiled=False)
    path = tmp_path / "w.weights.gradstack"
    model.save_weights(path)
    monkeypatch.setattr(nn.initializers.GlorotUniform, "__call__",
                        lambda *a, **k: pytest.fail("initializer ran"))
    target = nn.Sequential([nn.layers.Dense(3, name="out")])
    target.load_weights(path)
    np.testing.assert_array_equal(target.weights[0].numpy(), model.weights[0].numpy())

    other = nn.Sequential([nn.layers.Dense(7)])
    with pytest.raises(SavedFileError, match="holds no weights of that shape"):
        other.load_weights(path)


def test_a_huge_build_input_shape_is_refused(tmp_path):
    path = saved(tmp_path, dense_model(compiled=False))
    rewrite(path, lambda h: h.update(build_input_shape=[None, 1 << 20, 1 << 20]))
    refused(path, "values per sample")


# ---------------------------------------------------------------- time: item 2


def activation_chain(path, n, kind, reverse=False):
    """A model of ``n`` weightless layers in a chain, saved to ``path``; with
    ``reverse`` the functional config lists its layers outputs first."""
    nn.clear_session()
    if kind == "sequential":
        model = nn.Sequential([nn.Input((1,))] + [nn.layers.Activation("relu")
                                                  for _ in range(n)])
    else:
        x = inputs = nn.Input((1,))
        for _ in range(n):
            x = nn.layers.Activation("relu")(x)
        model = nn.Model(inputs, x)
    model.save(path)
    if reverse:
        rewrite(path, lambda h: h["model"]["config"]["layers"].reverse())
    return path


def lines_run_by_nn(fn):
    """How many lines of gradstack's own code ``fn()`` runs: an operation count that,
    unlike a timing, is the same on every machine and every run."""
    root = str(Path(nn.__file__).parent.parent)
    count = 0

    def in_frame(frame, event, arg):
        nonlocal count
        count += event == "line"
        return in_frame

    def on_call(frame, event, arg):
        return in_frame if frame.f_code.co_filename.startswith(root) else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize("kind, reverse", [("sequential", False), ("functional", False),
                                           ("functional", True)])
def test_loading_is_linear_in_the_layer_count(tmp_path, kind, reverse):
    # 4x the layers must cost about 4x the work. Before the fix the ratio was 12
    # (Sequential.add listed every name per add) and 14 (a reversed functional config
    # was rescanned once per replayed call).
    small = activation_chain(tmp_path / "small.gradstack", 1000, kind, reverse)
    large = activation_chain(tmp_path / "large.gradstack", 4000, kind, reverse)
    ratio = lines_run_by_nn(lambda: load_model(large)) / lines_run_by_nn(
        lambda: load_model(small))
    assert ratio < 4.5, ratio


@pytest.mark.slow
def test_a_16000_layer_model_listed_backwards_loads_in_linear_time(tmp_path):
    path = activation_chain(tmp_path / "deep.gradstack", 16_000, "functional", reverse=True)
    start = time.process_time()
    model = load_model(path)
    elapsed = time.process_time() - start
    assert len(model.layers) == 16_001  # the input too
    x = np.array([[-1.0], [2.0]], np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[0.0], [2.0]])
    assert elapsed < 20, elapsed  # was ~60 s quadratic; ~1-2 s now


def test_the_layer_count_is_capped_before_anything_is_built(tmp_path, monkeypatch):
    path = activation_chain(tmp_path / "m.gradstack", 1, "sequential")

    def more_layers(header):
        layers = header["model"]["config"]["layers"]
        layers.extend(json.loads(json.dumps(layers[1])) for _ in range(MAX_LAYERS))

    rewrite(path, more_layers)
    monkeypatch.setattr(nn.layers.Activation, "__init__",
                        lambda *a, **k: pytest.fail("a layer was built"))
    refused(path, f"more than {MAX_LAYERS} layers")


def test_a_model_too_large_to_load_back_is_refused_at_save_time(tmp_path, monkeypatch):
    from nn.saving import validation

    monkeypatch.setattr(validation, "MAX_LAYERS", 10)
    model = nn.Sequential([nn.Input((1,))] + [nn.layers.Activation("relu") for _ in range(11)])
    path = tmp_path / "m.gradstack"
    with pytest.raises(ValueError, match="could not be loaded back, because its architecture "
                                         "lists more than 10 layers"):
        model.save(path)
    assert not path.exists()


def test_a_header_too_large_to_load_back_is_refused_at_save_time(tmp_path, monkeypatch):
    from nn.saving import container

    monkeypatch.setattr(container, "MAX_JSON_CONTAINERS", 20)
    model = nn.Sequential([nn.Input((1,))] + [nn.layers.Dense(1) for _ in range(3)])
    with pytest.raises(ValueError, match=r"objects and lists, more than the 20 .*save_weights"):
        model.save(tmp_path / "m.gradstack")
    assert not (tmp_path / "m.gradstack").exists()


# ---------------------------------------------------------------- header: item 3


def test_a_header_longer_than_the_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big-header.gradstack"
    claimed = MAX_HEADER_BYTES + 1
    with open(path, "wb") as f:
        f.write(struct.pack("<8sIQ", MAGIC, 1, claimed))
        f.truncate(20 + claimed + 32)  # sparse: the bytes are never written or read
    start = time.perf_counter()
    refused(path, f"claims {claimed} bytes", "more than the")
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("text, message", [
    ("[" + "[]," * 300_000 + "[]]", "objects and lists"),
    ("[" + "1," * 1_100_000 + "1]", "parts"),
])
def test_headers_with_too_many_parts_are_refused_before_decoding(tmp_path, text, message):
    path = saved(tmp_path, dense_model(compiled=False))
    header, _ = read_container(path)
    raw = json.dumps({"format": "gradstack", "kind": "model", "arrays": [],
                      "junk": 0}).encode()
    raw = raw[:-2] + text.encode() + b"}"  # "junk": <text>
    from nn.saving import container  # the raw layout, to put our text in place
    blob = container._PREFIX.pack(MAGIC, 1, len(raw)) + raw
    import hashlib
    path.write_bytes(blob + hashlib.sha256(blob).digest())
    refused(path, message)


# ---------------------------------------------------------------- one error type: item 4


def change(path, fn):
    return rewrite(path, fn)


HOSTILE_HEADERS = {
    "built-in Model with a build shape": lambda h: (
        h["model"].update(class_name="Model", config={"name": "m"}),
        h.update(build_input_shape=[None, 4])),
    "Infinity in an initializer config": lambda h: layer_config(h, 1)[
        "kernel_initializer"]["config"].update(seed=None, scale=float("inf")),
    "Infinity as a layer size": lambda h: layer_config(h, 1).update(units=float("inf")),
    "NaN as a layer size": lambda h: layer_config(h, 1).update(units=float("nan")),
    "a list as a layer size": lambda h: layer_config(h, 1).update(units=[3]),
    "a list in batch_input_shape": lambda h: layer_config(h, 0).update(
        batch_input_shape=[None, [4]]),
    "Infinity in batch_input_shape": lambda h: layer_config(h, 0).update(
        batch_input_shape=[None, float("inf")]),
    "a layer dtype of []": lambda h: layer_config(h, 1).update(dtype=[]),
    "a layer dtype of {}": lambda h: layer_config(h, 1).update(dtype={}),
    "a layer dtype of 'object'": lambda h: layer_config(h, 1).update(dtype="object"),
    "an unknown loss name": lambda h: h["compile"].update(loss="no_such_loss"),
    "an unknown optimizer name": lambda h: h["compile"].update(optimizer="no_such_optimizer"),
    "an unknown metric name": lambda h: h["compile"].update(metrics=["no_such_metric"]),
    "metrics as a string": lambda h: h["compile"].update(metrics="accuracy"),
    "a metric that is a number": lambda h: h["compile"].update(metrics=[3]),
    "compile settings that are a list": lambda h: h.update(compile=[1]),
    "a model config that is not a model": lambda h: h["model"].update(class_name="Dense"),
    "a layer list that is a dict": lambda h: h["model"]["config"].update(layers={"a": 1}),
    "a layer entry without class": lambda h: h["model"]["config"]["layers"].append({"x": 1}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_HEADERS))
def test_every_hostile_header_raises_saved_file_error(tmp_path, case):
    path = rewrite(saved(tmp_path, dense_model()), HOSTILE_HEADERS[case])
    error = refused(path, repr(str(path)))
    # The cause is kept for whoever debugs it, when there was one.
    assert error.__cause__ is None or isinstance(error.__cause__, Exception)


def test_a_wrapped_error_keeps_its_cause(tmp_path):
    path = rewrite(saved(tmp_path, dense_model()), HOSTILE_HEADERS[
        "built-in Model with a build shape"])
    error = refused(path, "NotImplementedError")
    assert isinstance(error.__cause__, NotImplementedError)


@pytest.mark.parametrize("entry_change, message", [
    (lambda e: e.update(dtype=["<f4"]), "declares dtype"),
    (lambda e: e.update(shape=[0, 1 << 61], nbytes=0), "too large for any array"),
])
def test_hostile_array_entries_raise_saved_file_error(tmp_path, entry_change, message):
    path = saved(tmp_path, dense_model())
    from nn.saving import container

    blob = path.read_bytes()
    _, _, header_len = container._PREFIX.unpack_from(blob)
    header = json.loads(blob[20:20 + header_len])
    entry_change(header["arrays"][0])
    raw = json.dumps(header).encode()
    import hashlib
    body = container._PREFIX.pack(MAGIC, 1, len(raw)) + raw + blob[20 + header_len:-32]
    path.write_bytes(body + hashlib.sha256(body).digest())
    refused(path, message)


def test_a_file_that_loads_also_trains(tmp_path):
    # The compile section is checked at load time, so nothing fails at the first fit.
    model = dense_model()
    model.compile(optim.SGD(0.1), "mse", ["mae", "mse"])
    again = load_model(saved(tmp_path, model))
    x = np.ones((4, 4), np.float32)
    history = again.fit(x, np.zeros((4, 3), np.float32), epochs=1, verbose=0)
    assert set(history.history) == {"loss", "mae", "mse"}


# ---------------------------------------------------------------- round trips: item 5


def test_an_unbuilt_compiled_model_round_trips_as_in_keras_3(tmp_path):
    model = nn.Sequential([nn.layers.Dense(3, name="out")])
    model.compile(optim.Adam(0.01), "mse", ["mae"])
    again = load_model(saved(tmp_path, model))
    assert not again.built
    assert again.optimizer.get_config() == model.optimizer.get_config()
    x = np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32)
    again.fit(x, np.zeros((8, 3), np.float32), epochs=1, verbose=0)
    assert again.built and again.weights[0].shape == (5, 3)


def test_an_unbuilt_model_file_that_claims_weights_is_refused(tmp_path):
    path = saved(tmp_path, nn.Sequential([nn.layers.Dense(3)]))
    rewrite(path, lambda h: h.update(weights=[{"name": "w", "shape": [2]}]),
            arrays={"weights/0": np.zeros(2, np.float32)})
    refused(path, "not built")
