"""Saving a model compiled with a loss, weight and metrics per output: the file
keeps them in the shapes compile() was given (a dict by output name, or lists), as
Keras 3's ``compile_config`` does, and loading compiles the model the same way.
"""

import json
import os
import zipfile

import numpy as np
import pytest

import nn as keras


def two_output_model():
    keras.clear_session()
    inputs = keras.Input((4,), name="x")
    price = keras.layers.Dense(1, name="price")(inputs)
    kind = keras.layers.Dense(3, activation="softmax", name="kind")(inputs)
    return keras.Model(inputs, [price, kind])


DICT_ARGS = dict(loss={"price": "mse", "kind": keras.losses.SparseCategoricalCrossentropy()},
                 loss_weights={"price": 1.0, "kind": 0.5},
                 metrics={"price": ["mae"], "kind": ["accuracy"]},
                 weighted_metrics={"kind": ["accuracy"]})
LIST_ARGS = dict(loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.2],
                 metrics=[["mae"], ["accuracy"]])


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    return x, {"price": rng.normal(size=(16, 1)).astype("float32"),
               "kind": rng.integers(0, 3, size=16)}, rng.random(16).astype("float32")


@pytest.mark.parametrize("suffix", [".gradstack", ".keras"])
@pytest.mark.parametrize("args", [DICT_ARGS, LIST_ARGS], ids=["dicts", "lists"])
def test_compile_settings_per_output_round_trip(tmp_path, data, suffix, args):
    x, y, w = data
    model = two_output_model()
    model.compile(optimizer="adam", **args)
    model.fit(x, y, epochs=1, verbose=0)
    expected = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    path = tmp_path / f"m{suffix}"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.compiled
    got = loaded.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    assert list(got) == list(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-5), name
    # The loss weights count: the total is the weighted sum of the parts.
    weights = args["loss_weights"]
    weights = weights if isinstance(weights, list) else [weights["price"], weights["kind"]]
    assert got["loss"] == pytest.approx(weights[0] * got["price_loss"]
                                        + weights[1] * got["kind_loss"], rel=1e-5)


def test_the_keras_file_writes_compile_config_as_keras_3_does(tmp_path):
    model = two_output_model()
    model.compile(optimizer="adam", **DICT_ARGS)
    model.save(tmp_path / "m.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    compiled = config["compile_config"]
    # The shapes and values Keras 3 writes for these compile() arguments.
    assert compiled["loss"]["price"] == "mse"
    assert compiled["loss"]["kind"]["class_name"] == "SparseCategoricalCrossentropy"
    assert compiled["loss_weights"] == {"price": 1.0, "kind": 0.5}
    assert compiled["metrics"] == {"price": ["mae"], "kind": ["accuracy"]}
    assert compiled["weighted_metrics"] == {"kind": ["accuracy"]}


@pytest.mark.parametrize("bad,message", [
    ({"loss": {"price": ["mse", ["mae"]]}}, "deeper than Keras"),
    ({"loss_weights": {"price": "heavy"}}, "not a number"),
    ({"metrics": {"price": [42]}}, "not a name or an object"),
    ({"loss": {"": "mse"}}, "not an output name"),
])
def test_a_malformed_compile_section_is_refused_clearly(tmp_path, data, bad, message):
    from nn.saving.validation import check_compile_section

    spec = {"optimizer": "adam", "loss": "mse", "metrics": [], **bad}

    def fail(text, *_):
        raise ValueError(text)

    with pytest.raises(ValueError, match=message):
        check_compile_section(spec, fail)


def test_an_unknown_output_name_in_the_file_gives_a_clear_error(tmp_path):
    from nn.saving.saving import _restore_compile

    keras.clear_session()
    inputs = keras.Input((4,))
    other = keras.Model(inputs, keras.layers.Dense(1, name="only")(inputs))
    spec = {"optimizer": "adam", "loss": {"price": "mse"}, "metrics": []}

    def fail(text, *_):
        raise ValueError(text)

    with pytest.raises(ValueError, match=r"names outputs \['price'\].*\['only'\]"):
        _restore_compile(other, spec, {}, None, tmp_path / "m.gradstack", fail)


@pytest.mark.reference
def test_keras_reads_our_file_and_we_read_keras_file(tmp_path, data):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras as real

    x, y, w = data
    y = [y["price"], y["kind"]]  # (Keras 3 reads a dict y of a list-output model by position)
    model = two_output_model()
    model.compile(optimizer="adam", **DICT_ARGS)
    model.save(tmp_path / "ours.keras")
    theirs = real.models.load_model(tmp_path / "ours.keras")
    expected = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    got = theirs.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        assert float(got[name]) == pytest.approx(value, rel=1e-4), name
    theirs.save(tmp_path / "theirs.keras")
    back = keras.models.load_model(tmp_path / "theirs.keras")
    again = back.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    for name, value in expected.items():
        assert again[name] == pytest.approx(value, rel=1e-4), name
