"""``compile(weighted_metrics=...)``: metrics that weigh each sample by
``sample_weight`` / ``class_weight`` as the loss does, beside the unweighted
``metrics=``; a name already taken is logged as ``weighted_<name>`` (Keras 3).
Expected values are computed by hand from fixed weights.
"""

import numpy as np
import pytest

import nn as keras

X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]], "float32")
Y = np.array([[1.0], [0.0], [3.0], [0.0]], "float32")
W = np.array([1.0, 3.0, 0.0, 2.0], "float32")


def linear_model(**compile_args):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5], "float32")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", **compile_args)
    return model


def predictions():
    return X @ np.array([[1.0], [2.0]]) + 0.5  # [1.5, 2.5, 3.5, 0.5]


def test_weighted_and_unweighted_mae_side_by_side():
    model = linear_model(metrics=["mae"], weighted_metrics=["mae"])
    logs = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    error = np.abs(predictions() - Y)[:, 0]  # [0.5, 2.5, 0.5, 0.5]
    assert logs["mae"] == pytest.approx(error.mean())  # 1.0
    assert logs["weighted_mae"] == pytest.approx((W * error).sum() / W.sum())  # 9/6
    assert list(logs) == ["loss", "mae", "weighted_mae"]


def test_a_weighted_metric_alone_keeps_its_name():
    model = linear_model(weighted_metrics=["mse"])
    logs = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    squared = ((predictions() - Y) ** 2)[:, 0]
    assert logs["mse"] == pytest.approx((W * squared).sum() / W.sum())
    # Without weights every sample counts once.
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert logs["mse"] == pytest.approx(squared.mean())


def test_class_weight_weighs_the_weighted_metrics_in_fit():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[1.0], [-1.0]], "float32"), np.array([0.0], "float32")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])
    labels = np.array([1, 1, 0, 0], "float32")
    # logits x0 - x1: [1, -1, 0, 3] -> predicted classes [1, 0, 0(0.5 is not > 0.5), 1]
    right = np.array([1, 0, 1, 0], float)
    history = model.fit(X, labels, class_weight={0: 1.0, 1: 3.0}, batch_size=4, verbose=0)
    weights = np.array([3.0, 3.0, 1.0, 1.0])
    assert history.history["accuracy"][0] == pytest.approx(right.mean())
    assert history.history["weighted_accuracy"][0] == pytest.approx(
        (weights * right).sum() / weights.sum())  # 4/8


def test_per_output_weighted_metrics():
    inputs = keras.Input(shape=(2,))
    a = keras.layers.Dense(1, name="a")(inputs)
    b = keras.layers.Dense(1, name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    for layer in (model.get_layer("a"), model.get_layer("b")):
        layer.set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5], "float32")])
    model.compile(optimizer="sgd", loss="mse", metrics={"a": ["mae"]},
                  weighted_metrics={"a": ["mae"], "b": ["mae"]})
    logs = model.evaluate(X, [Y, Y], sample_weight=W, verbose=0, return_dict=True)
    error = np.abs(predictions() - Y)[:, 0]
    weighted = (W * error).sum() / W.sum()
    assert logs["a_mae"] == pytest.approx(error.mean())
    assert logs["a_weighted_mae"] == pytest.approx(weighted)
    assert logs["b_mae"] == pytest.approx(weighted)


def test_weighted_metrics_must_be_a_list():
    with pytest.raises(TypeError, match="weighted_metrics must be a list"):
        linear_model(weighted_metrics="mae")


@pytest.mark.reference
def test_weighted_metrics_match_keras():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras as real

    model = real.Sequential([real.Input(shape=(2,)), real.layers.Dense(1)])
    model.set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5], "float32")])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae", "mse"])
    expected = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    ours = linear_model(metrics=["mae"], weighted_metrics=["mae", "mse"])
    got = ours.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(float(value), rel=1e-5), name
