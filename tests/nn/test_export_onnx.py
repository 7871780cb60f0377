"""ONNX export: onnx.checker accepts the graph and onnxruntime computes what predict does.

The runtime comparisons need onnx and onnxruntime (the reference extra) and carry the
``reference`` marker; the errors a user meets before any graph exists run everywhere."""

from __future__ import annotations

import importlib
import os
import sys

import numpy as np
import pytest

import nn
from nn.activations import BY_NAME

pytestmark = pytest.mark.training


def need(module: str):
    """The module, or a skip - but in CI (GRADSTACK_REFERENCE_REQUIRED=1) a failure."""
    if os.environ.get("GRADSTACK_REFERENCE_REQUIRED") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module)


def run_onnx(path, inputs):
    ort = need("onnxruntime")
    onnx = need("onnx")
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = inputs if isinstance(inputs, list) else [inputs]
    feed = {i.name: x for i, x in zip(session.get_inputs(), inputs, strict=True)}
    return session.run(None, feed)


def assert_same_as_predict(model, x, tmp_path):
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx")
    (ours,) = run_onnx(path, x)
    np.testing.assert_allclose(ours, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------- live: onnxruntime


@pytest.mark.reference
def test_mlp_and_every_activation(tmp_path):
    nn.clear_session()
    names = [n for n in BY_NAME if n != "linear"]
    layers = [nn.Input(shape=(5,))] + [nn.layers.Dense(5, activation=n) for n in names]
    model = nn.Sequential(layers + [nn.layers.Activation("softmax")])
    x = RNG.normal(size=(7, 5)).astype(np.float32)
    assert_same_as_predict(model, x, tmp_path)


@pytest.mark.reference
@pytest.mark.parametrize("size, kernel, strides, dilation, padding", [
    (9, 3, 1, 1, "valid"), (9, 3, 2, 1, "same"), (10, 3, 2, 1, "same"), (8, 2, 1, 2, "same"),
    (11, 3, 1, 3, "valid"), (7, 4, 3, 1, "same"), (6, (1, 3), (2, 1), 1, "same"),
])
def test_conv2d_strides_dilation_and_padding(tmp_path, size, kernel, strides, dilation, padding):
    nn.utils.set_random_seed(1)
    model = nn.Sequential([nn.Input(shape=(size, size + 1, 3)),
                           nn.layers.Conv2D(4, kernel, strides=strides, dilation_rate=dilation,
                                            padding=padding, activation="relu")])
    assert_same_as_predict(model, RNG.normal(size=(2, size, size + 1, 3)).astype(np.float32),
                           tmp_path)


@pytest.mark.reference
def test_convnet_with_batch_norm_dropout_and_pools(tmp_path):
    nn.clear_session()  # layer names count from 1 again: the lookup below is by name
    nn.utils.set_random_seed(2)
    image = nn.Input(shape=(12, 12, 3))
    x = nn.layers.Conv2D(6, 3, padding="same", activation="relu")(image)
    x = nn.layers.BatchNormalization()(x)
    x = nn.layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = nn.layers.Dropout(0.5)(x)
    x = nn.layers.AveragePooling2D(2, strides=1, padding="same")(x)
    x = nn.layers.Conv2D(4, 2, strides=2)(x)
    pooled = nn.layers.Concatenate()([nn.layers.GlobalMaxPooling2D()(x),
                                      nn.layers.GlobalAveragePooling2D()(x)])
    flat = nn.layers.Flatten()(nn.layers.Reshape((-1, 2))(x))
    out = nn.layers.Dense(3, activation="softmax")(nn.layers.Concatenate()([pooled, flat]))
    model = nn.Model(image, out)
    bn = model.get_layer("batch_normalization")
    bn.set_weights([RNG.uniform(0.5, 2, 6).astype("float32"), RNG.normal(size=6).astype("float32"),
                    RNG.normal(size=6).astype("float32"), RNG.uniform(0.2, 3, 6).astype("float32")])
    assert_same_as_predict(model, RNG.normal(size=(4, 12, 12, 3)).astype(np.float32), tmp_path)


@pytest.mark.reference
def test_functional_two_inputs_merges_and_a_nested_model(tmp_path):
    nn.utils.set_random_seed(3)
    a, b = nn.Input(shape=(4,), name="left"), nn.Input(shape=(4,), name="right")
    inner = nn.Sequential([nn.Input(shape=(4,)), nn.layers.Dense(4, activation="tanh")])
    merged = [nn.layers.Add()([inner(a), b]), nn.layers.Subtract()([a, b]),
              nn.layers.Multiply()([a, b, a]), nn.layers.Average()([a, b])]
    model = nn.Model([a, b], nn.layers.Dense(2)(nn.layers.Concatenate()(merged)))
    x = [RNG.normal(size=(5, 4)).astype(np.float32), RNG.normal(size=(5, 4)).astype(np.float32)]
    path = tmp_path / "two.onnx"
    model.export(path, format="onnx")
    (ours,) = run_onnx(path, x)
    np.testing.assert_allclose(ours, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    session = need("onnxruntime").InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["left", "right"]
    assert [o.name for o in session.get_outputs()] == [model.layers[-1].name]


@pytest.mark.reference
def test_trained_model_any_batch_size(tmp_path):
    nn.utils.set_random_seed(4)
    x = RNG.normal(size=(64, 8, 8, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(np.int64)
    model = nn.Sequential([nn.Input(shape=(8, 8, 1)), nn.layers.Conv2D(4, 3, activation="relu"),
                           nn.layers.BatchNormalization(), nn.layers.MaxPooling2D(),
                           nn.layers.Dropout(0.2), nn.layers.Flatten(),
                           nn.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "trained.onnx"
    model.export(path, format="onnx")
    for batch in (1, 5, 64):
        (ours,) = run_onnx(path, x[:batch])
        np.testing.assert_allclose(ours, model.predict(x[:batch], verbose=0), rtol=1e-5,
                                   atol=1e-5)


# ---------------------------------------------------------------------- everywhere: errors


def test_layer_without_onnx_form_is_named():
    nn.clear_session()
    model = nn.Sequential([nn.Input(shape=(5, 3)), nn.layers.LSTM(4), nn.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"Cannot export layer 'lstm' \(LSTM\) to ONNX"):
        model.export("never.onnx", format="onnx")
    assert not os.path.exists("never.onnx")


def test_custom_activation_is_named():
    model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(2, activation=lambda t: t * 2,
                                                                  name="scaled")])
    with pytest.raises(ValueError, match="layer 'scaled' \\(Dense\\).*activation '<lambda>'"):
        model.export("never.onnx", format="onnx")


def test_subclassed_model_and_unknown_format_are_refused(tmp_path):
    class One(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

    model = One()
    model(np.ones((1, 2), np.float32))
    with pytest.raises(ValueError, match="subclassed model's call\\(\\) is Python code"):
        model.export(tmp_path / "m.onnx", format="onnx")
    with pytest.raises(ValueError, match="gradstack exports format='onnx'"):
        model.export(tmp_path / "m", format="tf_saved_model")
    assert list(tmp_path.iterdir()) == []


def test_missing_onnx_names_the_interop_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(1)])
    with pytest.raises(ImportError, match=r"ONNX export needs the 'onnx' package.*\[interop\]"):
        model.export(tmp_path / "m.onnx", format="onnx")
