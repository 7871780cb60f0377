"""Bad arguments to fit / evaluate / predict get a clear error, never a silent
wrong result (issue 11, item 12). Each message names the method, the argument,
what was given and what is allowed."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn

pytestmark = pytest.mark.training

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 4)).astype(np.float32)
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def classifier():
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Input((4,)), nn.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("class_weight, message", [
    ({-1: 5.0}, "class_weight keys must be class indices in [0, 3), but got the key -1 in "
                "class_weight={-1: 5.0}"),
    ({1.5: 5.0}, "but got the key 1.5"),
    ({3: 5.0}, "class indices in [0, 3), but got the key 3"),
    ({"1": 5.0}, "but got the key '1'"),
    ({True: 5.0}, "but got the key True"),
    ({}, "class_weight is empty (class_weight={}). Pass a dict {class index: weight} with at "
         "least one class, or class_weight=None"),
    ({0: -1.0}, "class_weight values must be finite numbers >= 0, but class 0 has weight -1.0"),
    ({0: float("nan")}, "but class 0 has weight nan"),
    ({0: "heavy"}, "but class 0 has weight 'heavy'"),
])
@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_bad_class_weights_are_refused_by_fit_and_train_on_batch(class_weight, message,
                                                                  targets):
    model = classifier()
    y = LABELS
    if targets == "one-hot":
        model.compile("sgd", "categorical_crossentropy")
        y = ONE_HOT
    before = [w.numpy().copy() for w in model.weights]
    with pytest.raises(ValueError) as info:
        model.fit(X, y, class_weight=class_weight, epochs=1, verbose=0)
    assert str(info.value).startswith("fit: ")
    assert message in str(info.value)
    with pytest.raises(ValueError, match="train_on_batch: class_weight"):
        model.train_on_batch(X, y, class_weight=class_weight)
    for w, value in zip(model.weights, before, strict=True):  # nothing was trained
        np.testing.assert_array_equal(w.numpy(), value)


def test_class_weight_that_is_not_a_dict():
    with pytest.raises(TypeError, match=r"fit: class_weight must be a dict \{class index: "
                                        r"weight\}, but got list: class_weight=\[1.0, 2.0\]"):
        classifier().fit(X, LABELS, class_weight=[1.0, 2.0], verbose=0)


def test_a_good_class_weight_still_weighs_its_class():
    # Weighing class 2 by 3 equals repeating its samples three times (plain SGD, one
    # batch: the loss is a weighted mean, so compare with sample_weight instead).
    a, b = classifier(), classifier()
    a.fit(X, LABELS, class_weight={2: 3.0}, batch_size=8, epochs=1, shuffle=False, verbose=0)
    b.fit(X, LABELS, sample_weight=np.where(LABELS == 2, 3.0, 1.0), batch_size=8, epochs=1,
          shuffle=False, verbose=0)
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_allclose(wa.numpy(), wb.numpy(), rtol=1e-6)


def test_predict_of_none_says_what_to_pass():
    with pytest.raises(ValueError, match=r"predict: x is None; pass the input data, e.g. "
                                         r"model.predict\(x_test\)"):
        classifier().predict(None)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict", "train_on_batch",
                                    "test_on_batch", "predict_on_batch"])
def test_no_samples_is_refused(method):
    model = classifier()
    args = (X[:0],) if "predict" in method else (X[:0], LABELS[:0])
    kwargs = {"verbose": 0} if method in ("fit", "evaluate", "predict") else {}
    with pytest.raises(ValueError) as info:
        getattr(model, method)(*args, **kwargs)
    assert str(info.value) == (
        f"{method}: expected input data to be non-empty, but x has 0 samples (shape (0, 4)). "
        "Pass at least one sample: one row per sample on the first axis.")


@pytest.mark.parametrize("weights, message", [
    (np.ones((8, 3)), r"sample_weight must have one weight per sample, shape \(8,\), but got "
                      r"shape \(8, 3\)"),
    (np.ones((8, 2, 1)), r"but got shape \(8, 2, 1\)"),
    (np.array([1, 1, 1, 1, 1, 1, 1, -1.0]), r"finite and >= 0, but sample 7 has weight -1.0"),
    (np.array([1, 1, np.inf, 1, 1, 1, 1, 1]), "sample 2 has weight inf"),
])
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_bad_sample_weights_are_refused(weights, message, method):
    model = classifier()
    kwargs = {"verbose": 0} if method in ("fit", "evaluate") else {}
    with pytest.raises(ValueError, match=f"{method}: sample_weight must") as info:
        getattr(model, method)(X, LABELS, sample_weight=weights, **kwargs)
    assert re.search(message, str(info.value)), str(info.value)


def test_sample_weight_of_shape_n_by_1_is_one_weight_per_sample():
    model = classifier()
    flat = model.evaluate(X, LABELS, sample_weight=np.arange(8.0), verbose=0)
    column = model.evaluate(X, LABELS, sample_weight=np.arange(8.0)[:, None], verbose=0)
    assert flat == column


def test_validation_data_with_a_bad_sample_weight_is_refused():
    with pytest.raises(ValueError, match=r"fit: sample_weight must have one weight per sample"):
        classifier().fit(X, LABELS, validation_data=(X, LABELS, np.ones((8, 2))), verbose=0)
