"""Keras 3 files without Keras: the committed files in keras_files/ were written by
real Keras 3 (make_keras_files.py); gradstack must read them, write the same layout,
and refuse hostile ones with one SavedFileError."""

from __future__ import annotations

import json
import marshal
import sys
import tracemalloc
import zipfile
from base64 import b64encode
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.layers.naming import snake_case
from nn.saving import SavedFileError
from nn.saving.keras_format.h5_weights import weights_file_layers
from nn.saving.keras_format.model_configs import keras_layer_order

pytest.importorskip("h5py")  # in the test extra; the message test below runs without it

pytestmark = pytest.mark.training

FILES = Path(__file__).parent / "keras_files"
EXPECTED = np.load(FILES / "expected.npz")


def inputs_of(name: str):
    if f"x_{name}" in EXPECTED:
        return EXPECTED[f"x_{name}"]
    return [EXPECTED[f"x_{name}_0"], EXPECTED[f"x_{name}_1"]]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path: Path, files: dict[str, bytes], compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def edited(tmp_path: Path, source: str, edit) -> Path:
    """A copy of keras_files/<source>.keras with its config.json changed by edit(config)."""
    files = members(FILES / f"{source}.keras")
    config = json.loads(files["config.json"])
    edit(config)
    files["config.json"] = json.dumps(config).encode()
    return write_zip(tmp_path / "edited.keras", files)


# ---------------------------------------------------------------------- reading Keras's files


@pytest.mark.parametrize("name", ["mlp", "convnet", "two_inputs", "sequences", "masked"])
def test_reads_keras_files_and_predicts_what_keras_predicted(name):
    model = nn.models.load_model(FILES / f"{name}.keras")
    np.testing.assert_allclose(model.predict(inputs_of(name), verbose=0), EXPECTED[f"y_{name}"],
                               rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in model.layers] == list(EXPECTED[f"layers_{name}"])


def test_keras_layer_order_is_keras_order_for_a_nested_two_input_model():
    model = nn.models.load_model(FILES / "two_inputs.keras")
    assert [layer.name for layer in keras_layer_order(model)] == list(
        EXPECTED["layers_two_inputs"])


def test_reads_compile_settings_and_optimizer_state():
    model = nn.models.load_model(FILES / "mlp.keras")
    assert model.compiled
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    assert model.optimizer.iterations == 4  # 32 samples, batch 8, one epoch
    moments = [state["momentum"] for state in model.optimizer.state]
    assert all(np.abs(m).sum() > 0 for m in moments)  # trained state, not fresh zeros
    assert [m.shape for m in moments] == [w.shape for w in model.trainable_weights]


def test_compile_false_leaves_model_uncompiled():
    assert not nn.models.load_model(FILES / "mlp.keras", compile=False).compiled


def test_reads_keras_weights_file_into_same_architecture():
    model = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(3, activation="softmax")])
    model.load_weights(FILES / "mlp.weights.h5")
    np.testing.assert_allclose(model.predict(inputs_of("mlp"), verbose=0), EXPECTED["y_mlp"],
                               rtol=1e-5, atol=1e-6)


def test_load_weights_also_takes_a_keras_archive():
    model = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(3, activation="softmax")])
    model.load_weights(FILES / "mlp.keras")
    np.testing.assert_allclose(model.predict(inputs_of("mlp"), verbose=0), EXPECTED["y_mlp"],
                               rtol=1e-5, atol=1e-6)


def test_weights_file_for_another_architecture_is_refused_and_changes_nothing():
    model = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(9, activation="relu"),
                           nn.layers.Dense(3)])
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(SavedFileError, match=r"shape \(6, 8\) in the file but \(6, 9\)"):
        model.load_weights(FILES / "mlp.weights.h5")
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    shorter = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(8)])
    with pytest.raises(SavedFileError, match="holds weights the model has no place for"):
        shorter.load_weights(FILES / "mlp.weights.h5")


# ---------------------------------------------------------------------- writing Keras's layout


def test_writes_the_same_h5_layout_keras_wrote(tmp_path):
    for name in ("mlp", "convnet", "two_inputs", "sequences", "masked"):
        model = nn.models.load_model(FILES / f"{name}.keras")
        model.save(tmp_path / f"{name}.keras")
        theirs = weights_file_layers(members(FILES / f"{name}.keras")["model.weights.h5"])
        ours = weights_file_layers(members(tmp_path / f"{name}.keras")["model.weights.h5"])
        assert ours == theirs, name


def test_writes_keras_config_structure(tmp_path):
    model = nn.models.load_model(FILES / "two_inputs.keras")
    model.save(tmp_path / "again.keras")
    files = members(tmp_path / "again.keras")
    assert set(files) == {"config.json", "metadata.json", "model.weights.h5"}
    ours, theirs = (json.loads(members(p)["config.json"])
                    for p in (tmp_path / "again.keras", FILES / "two_inputs.keras"))
    assert ours["class_name"] == theirs["class_name"] == "Functional"

    def outline(config):
        # (Keras also records call kwargs such as mask=None; gradstack writes none)
        return [(layer["class_name"], layer["name"], [n["args"] for n in layer["inbound_nodes"]])
                for layer in config["config"]["layers"]]

    assert outline(ours) == outline(theirs)
    assert ours["config"]["input_layers"] == theirs["config"]["input_layers"]
    assert ours["config"]["output_layers"] == theirs["config"]["output_layers"]
    assert json.loads(files["metadata.json"])["keras_version"].startswith("3.")


def all_layers_model():
    nn.clear_session()
    nn.utils.set_random_seed(3)
    image = nn.Input(shape=(9, 9, 2), name="image")
    x = nn.layers.Conv2D(3, 3, padding="same", activation="relu")(image)
    x = nn.layers.BatchNormalization(momentum=0.9)(x)
    x = nn.layers.Conv2D(3, 2, dilation_rate=2, padding="valid")(x)
    x = nn.layers.AveragePooling2D(2, strides=1, padding="same")(x)
    x = nn.layers.MaxPooling2D(2)(x)
    x = nn.layers.Dropout(0.5)(x)
    pooled = nn.layers.GlobalMaxPooling2D()(x)
    flat = nn.layers.Flatten()(nn.layers.Reshape((-1, 3))(x))
    y = nn.layers.Concatenate()([pooled, nn.layers.GlobalAveragePooling2D()(x)])
    y = nn.layers.Dense(12, activation="gelu", kernel_regularizer=nn.regularizers.L2(1e-3))(y)
    z = nn.layers.Dense(12, activation="tanh", use_bias=False)(flat)
    merged = [nn.layers.Add()([y, z]), nn.layers.Subtract()([y, z]),
              nn.layers.Multiply()([y, z]), nn.layers.Average()([y, z])]
    out = nn.layers.Activation("softmax")(nn.layers.Dense(4)(nn.layers.Concatenate()(merged)))
    return nn.Model(image, out)


def test_round_trip_of_every_built_in_layer(tmp_path):
    model = all_layers_model()
    x = np.random.default_rng(0).random((3, 9, 9, 2), dtype=np.float32)
    model.get_layer("batch_normalization").moving_variance.assign(np.full(3, 2.0, np.float32))
    model.save(tmp_path / "all.keras")
    again = nn.models.load_model(tmp_path / "all.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert again.get_layer("dense").kernel_regularizer.l2 == pytest.approx(1e-3)
    assert again.get_layer("batch_normalization").momentum == pytest.approx(0.9)


def test_attention_layers_round_trip_in_keras_own_weight_layout(tmp_path):
    nn.clear_session()
    steps = nn.Input(shape=(6, 4))
    padded = nn.layers.ZeroPadding1D((1, 1))(steps)
    attended = nn.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)(padded, padded)
    attended = nn.layers.MultiHeadAttention(1, 2, use_bias=False)(
        attended, padded, attended, use_causal_mask=True)
    dot = nn.layers.Attention(use_scale=True)([attended, padded])
    additive = nn.layers.AdditiveAttention()([padded, dot])
    model = nn.Model(steps, nn.layers.GlobalAveragePooling1D()(additive))
    rng = np.random.default_rng(1)
    for layer in model.layers:
        layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    model.save(tmp_path / "attention.keras")
    again = nn.models.load_model(tmp_path / "attention.keras")
    x = rng.normal(size=(2, 6, 4)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    # Keras 3 keeps MultiHeadAttention's weights in four EinsumDense sublayers
    # (read off a file Keras wrote): a kernel (d, heads, dim) and a bias (heads, dim).
    layout = weights_file_layers(members(tmp_path / "attention.keras")["model.weights.h5"])
    assert layout["layers/multi_head_attention/query_dense/vars"] == [(4, 2, 3), (2, 3)]
    assert layout["layers/multi_head_attention/value_dense/vars"] == [(4, 2, 2), (2, 2)]
    assert layout["layers/multi_head_attention/output_dense/vars"] == [(2, 2, 4), (4,)]
    assert layout["layers/multi_head_attention_1/key_dense/vars"] == [(4, 1, 2)]
    assert layout["layers/attention/vars"] == [()]
    assert layout["layers/additive_attention/vars"] == [(4,)]
    config = json.loads(members(tmp_path / "attention.keras")["config.json"])
    causal = [entry for entry in config["config"]["layers"]
              if entry["name"] == "multi_head_attention_1"][0]
    assert len(causal["inbound_nodes"][0]["args"]) == 3  # query, value, key
    assert causal["inbound_nodes"][0]["kwargs"] == {"use_causal_mask": True}


def test_resumed_training_from_keras_file_equals_training_straight_through(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((24, 5), dtype=np.float32), rng.integers(0, 3, 24)

    def fresh():
        nn.utils.set_random_seed(1)
        model = nn.Sequential([nn.Input(shape=(5,)), nn.layers.Dense(7, activation="relu"),
                               nn.layers.BatchNormalization(), nn.layers.Dense(3)])
        loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=nn.optimizers.Adam(0.01), loss=loss, metrics=["accuracy"])
        return model

    straight = fresh()
    straight.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first = fresh()
    first.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = nn.models.load_model(tmp_path / "half.keras")
    assert resumed.optimizer.iterations == 3
    resumed.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_weights_h5_round_trip(tmp_path):
    model = all_layers_model()
    model.save_weights(tmp_path / "w.weights.h5")
    other = all_layers_model()
    other.set_weights([np.zeros(w.shape, np.float32) for w in other.weights])
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_subclassed_model_cannot_be_written_as_keras(tmp_path):
    class Two(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Two()
    model(np.ones((1, 3), np.float32))
    with pytest.raises(TypeError, match="subclassed model .* save it as .gradstack"):
        model.save(tmp_path / "two.keras")
    assert not (tmp_path / "two.keras").exists()


def test_h5_is_never_gradstack_bytes(tmp_path):
    model = nn.models.load_model(FILES / "mlp.keras")
    for name in ("m.h5", "m.hdf5"):
        with pytest.raises(ValueError, match="'model.keras'.*'model.weights.h5'.*'model.grad"):
            model.save(tmp_path / name)
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.h5")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SavedFileError, match="load them with model.load_weights"):
        nn.models.load_model(FILES / "mlp.weights.h5")


def test_snake_case_matches_keras_for_built_in_class_names():
    assert [snake_case(n) for n in ("InputLayer", "GlobalAveragePooling2D", "Conv2D",
                                     "BatchNormalization", "Functional")] == [
        "input_layer", "global_average_pooling2d", "conv2d", "batch_normalization", "functional"]


def test_missing_h5py_names_the_interop_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(1)])
    with pytest.raises(ImportError, match=r"'interop' extra: pip install \"gradstack\[interop\]\""):
        model.save(tmp_path / "m.keras")


# ---------------------------------------------------------------------- hostile files


def test_lambda_whose_code_would_create_a_file_is_refused(tmp_path):
    target = tmp_path / "pwned"
    code = compile(f"open({str(target)!r}, 'w').write('ran')", "<lambda>", "exec")

    def add_lambda(config):
        config["config"]["layers"].insert(1, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "evil", "function": {
                "class_name": "__lambda__",
                "config": {"code": b64encode(marshal.dumps(code)).decode(), "defaults": None,
                           "closure": None}}}})

    with pytest.raises(SavedFileError, match="Lambda layer.*never runs code") as info:
        nn.models.load_model(edited(tmp_path, "mlp", add_lambda))
    assert info.value.__cause__ is None or not isinstance(info.value.__cause__, SavedFileError)
    assert not target.exists()


@pytest.mark.parametrize("entry, message", [
    ({"module": "keras.layers", "class_name": "SpectralNormalization"},
     "Keras class 'SpectralNormalization', which gradstack does not have"),
    ({"module": "evil.module", "class_name": "Dense", "registered_name": "evil>Dense"},
     "from the module 'evil.module'. gradstack never imports modules"),
    ({"module": "keras.layers", "class_name": "os.system"}, "no valid class name"),
])
def test_unknown_classes_and_module_paths_are_refused(tmp_path, entry, message):
    def replace_first_dense(config):
        layer = config["config"]["layers"][1]
        layer.update(entry)

    with pytest.raises(SavedFileError, match=message):
        nn.models.load_model(edited(tmp_path, "mlp", replace_first_dense))


def test_initializer_from_a_module_is_refused(tmp_path):
    def evil_initializer(config):
        config["config"]["layers"][1]["config"]["kernel_initializer"]["module"] = "evil"

    with pytest.raises(SavedFileError, match="never imports modules"):
        nn.models.load_model(edited(tmp_path, "mlp", evil_initializer))


@pytest.mark.parametrize("bad_name", ["../evil.txt", "/etc/evil", "assets/../../x", "C:evil"])
def test_member_names_that_climb_out_are_refused(tmp_path, bad_name):
    files = members(FILES / "mlp.keras")
    files[bad_name] = b"x"
    with pytest.raises(SavedFileError, match="hostile file. Nothing was extracted"):
        nn.models.load_model(write_zip(tmp_path / "climb.keras", files))
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    files = members(FILES / "mlp.keras")
    files["model.weights.h5"] = bytes(30_000_000)  # 30 MB of zeros deflate to ~30 kB
    path = write_zip(tmp_path / "bomb.keras", files, compression=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(SavedFileError, match="zip bomb. Nothing was inflated"):
            nn.models.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_lying_declared_size_is_refused(tmp_path):
    """A member whose data inflates past what its header declares."""
    raw = (FILES / "mlp.keras").read_bytes()
    files = members(FILES / "mlp.keras")
    size = len(files["config.json"])
    # Both headers (local and central) declare the size; shrink both by one byte.
    forged = raw.replace(size.to_bytes(4, "little") * 2, (size - 1).to_bytes(4, "little") * 2)
    assert forged != raw
    (tmp_path / "lie.keras").write_bytes(forged)
    with pytest.raises(SavedFileError):
        nn.models.load_model(tmp_path / "lie.keras")


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_truncated_zip_is_refused(tmp_path, keep):
    raw = (FILES / "convnet.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(raw[:int(len(raw) * keep)])
    with pytest.raises(SavedFileError, match="truncated"):
        nn.models.load_model(tmp_path / "cut.keras")


def test_wrong_weight_shapes_are_refused(tmp_path):
    def wider(config):
        config["config"]["layers"][1]["config"]["units"] = 9

    with pytest.raises(SavedFileError, match=r"shape \(6, 8\) in the file but \(6, 9\)"):
        nn.models.load_model(edited(tmp_path, "mlp", wider))


def test_absurd_sizes_are_refused_before_building(tmp_path):
    def huge(config):
        config["config"]["layers"][1]["config"]["units"] = 10**9

    tracemalloc.start()
    try:
        with pytest.raises(SavedFileError, match="number 1000000000"):
            nn.models.load_model(edited(tmp_path, "mlp", huge))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_unsupported_keras_options_are_refused_by_name(tmp_path):
    def grouped(config):
        config["config"]["layers"][1]["config"]["groups"] = 2

    with pytest.raises(SavedFileError, match="groups=2, which gradstack's Conv2D does not support"):
        nn.models.load_model(edited(tmp_path, "convnet", grouped))

    def constrained(config):
        config["config"]["layers"][1]["config"]["kernel_constraint"] = {
            "module": "keras.constraints", "class_name": "NonNeg", "config": {}}

    with pytest.raises(SavedFileError, match="kernel_constraint"):
        nn.models.load_model(edited(tmp_path, "mlp", constrained))


def test_not_a_keras_archive(tmp_path):
    with pytest.raises(SavedFileError, match="no 'model.weights.h5' member"):
        nn.models.load_model(write_zip(tmp_path / "z.keras", {"config.json": b"{}"}))
    files = members(FILES / "mlp.keras")
    files["config.json"] = b"[" * 100_000
    with pytest.raises(SavedFileError, match="not valid JSON"):
        nn.models.load_model(write_zip(tmp_path / "j.keras", files))
    files = members(FILES / "mlp.keras")
    files["model.weights.h5"] = b"not hdf5 at all"
    with pytest.raises(SavedFileError, match="not a readable HDF5 file"):
        nn.models.load_model(write_zip(tmp_path / "h.keras", files))



def test_layers_without_a_keras_form_yet_are_refused_by_name_both_ways(tmp_path):
    nn.clear_session()
    model = nn.Sequential([nn.Input(shape=(5, 3)), nn.layers.RNN(nn.layers.LSTMCell(4))])
    with pytest.raises(TypeError, match="layer 'rnn' \\(RNN\\) to a .keras file yet"):
        model.save(tmp_path / "rnn.keras")
    assert not (tmp_path / "rnn.keras").exists()

    def rnn(config):
        config["config"]["layers"][1].update(class_name="RNN")

    with pytest.raises(SavedFileError, match="gradstack has RNN, but does not read its Keras"):
        nn.models.load_model(edited(tmp_path, "mlp", rnn))


def test_an_operation_in_the_graph_that_is_not_a_mask_is_refused(tmp_path):
    """Keras's mask operations are left out; any other operation is code gradstack lacks."""
    def feed_the_mask_op_to_dense(config):
        layers = config["config"]["layers"]
        any_op = next(x for x in layers if x["class_name"] == "Any")
        dense = next(x for x in layers if x["class_name"] == "Dense")
        dense["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = [any_op["name"], 0, 0]

    with pytest.raises(SavedFileError, match="module 'keras.src.ops"):
        nn.models.load_model(edited(tmp_path, "masked", feed_the_mask_op_to_dense))
