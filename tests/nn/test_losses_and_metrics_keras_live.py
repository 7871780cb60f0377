"""The new losses and metrics against real Keras 3 (marker ``reference``).

Same inputs to both, every reduction and with and without sample weights; thresholds,
top_k, class_id, multi_label and both curves for the confusion metrics.
"""

import numpy as np
import pytest

import autograd
import nn

pytestmark = pytest.mark.reference

RNG = np.random.default_rng(1)
Y = RNG.random((4, 5)).astype("float32")
P = RNG.random((4, 5)).astype("float32") + 0.1
LOGITS = RNG.normal(size=(4, 5)).astype("float32")
BINARY = (RNG.random((4, 5)) > 0.5).astype("float32")
ONE_HOT = np.eye(5, dtype="float32")[[0, 3, 1, 4]]
W = np.array([1, 0.5, 0, 2], "float32")

LOSS_CASES = [("MeanAbsolutePercentageError", Y, P), ("MeanSquaredLogarithmicError", Y, LOGITS),
              ("LogCosh", Y, LOGITS * 5), ("KLDivergence", Y, P), ("Poisson", Y, P),
              ("CosineSimilarity", Y, LOGITS), ("Hinge", BINARY, LOGITS),
              ("SquaredHinge", BINARY, LOGITS), ("CategoricalHinge", ONE_HOT, LOGITS)]


def _numpy(value):
    return np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)


@pytest.mark.parametrize("name,y_true,y_pred", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none",
                                       "mean_with_sample_weight"])
def test_losses_match_keras(name, y_true, y_pred, reduction):
    import keras

    for weight in (None, W):
        expected = _numpy(getattr(keras.losses, name)(reduction=reduction)(
            y_true, y_pred, sample_weight=weight))
        got = getattr(nn.losses, name)(reduction=reduction)(
            y_true, autograd.tensor(y_pred), sample_weight=weight).numpy()
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6)


LABELS = RNG.integers(0, 2, (30, 3)).astype("float32")
SCORES = RNG.random((30, 3)).astype("float32")
SCORES[0, 0], SCORES[1, 1], SCORES[2, 2] = 0.0, 1.0, 0.5
CONFUSION_CASES = [
    ("Precision", {}), ("Recall", {}), ("Precision", {"thresholds": [0.2, 0.5, 0.7]}),
    ("Recall", {"top_k": 2}), ("Precision", {"top_k": 1}), ("Precision", {"class_id": 1}),
    ("Recall", {"class_id": 2, "thresholds": 0.3}), ("TruePositives", {}),
    ("FalseNegatives", {"thresholds": [0.1, 0.9]}), ("AUC", {}), ("AUC", {"curve": "PR"}),
    ("AUC", {"summation_method": "minoring"}),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}), ("AUC", {"multi_label": True}),
    ("AUC", {"multi_label": True, "curve": "PR"}), ("AUC", {"num_thresholds": 7}),
    ("AUC", {"thresholds": [0.1, 0.4, 0.8]})]


@pytest.mark.parametrize("name,options", CONFUSION_CASES,
                         ids=[f"{n}-{sorted(o.items())}" for n, o in CONFUSION_CASES])
def test_confusion_metrics_match_keras(name, options):
    import keras

    for weight in (None, RNG.random(30).astype("float32")):
        theirs, ours = getattr(keras.metrics, name)(**options), getattr(nn.metrics, name)(**options)
        for start, stop in ((0, 12), (12, 30)):  # two batches: the state accumulates
            w = None if weight is None else weight[start:stop]
            theirs.update_state(LABELS[start:stop], SCORES[start:stop], sample_weight=w)
            ours.update_state(LABELS[start:stop], SCORES[start:stop], sample_weight=w)
        np.testing.assert_allclose(np.asarray(ours.result()), _numpy(theirs.result()),
                                   rtol=1e-5, atol=1e-6)


SMALL_Y = RNG.random((10, 4)).astype("float32")
SMALL_P = RNG.random((10, 4)).astype("float32") + 0.05
SMALL_BINARY = (RNG.random((10, 4)) > 0.5).astype("float32")
SMALL_ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, 10)]
SOFTMAX = SMALL_P / SMALL_P.sum(1, keepdims=True)
SCORE_METRIC_CASES = [
    ("MeanAbsolutePercentageError", SMALL_Y, SMALL_P, {}),
    ("MeanSquaredLogarithmicError", SMALL_Y, SMALL_P, {}),
    ("RootMeanSquaredError", SMALL_Y, SMALL_P, {}),
    ("BinaryCrossentropy", SMALL_BINARY, SMALL_P.clip(0, 1), {}),
    ("BinaryCrossentropy", SMALL_BINARY, SMALL_P * 4 - 2, {"from_logits": True}),
    ("CategoricalCrossentropy", SMALL_ONE_HOT, SOFTMAX, {"label_smoothing": 0.1}),
    ("SparseCategoricalCrossentropy", SMALL_ONE_HOT.argmax(1), SOFTMAX, {}),
    ("Hinge", SMALL_BINARY, SMALL_P, {}), ("SquaredHinge", SMALL_BINARY, SMALL_P, {}),
    ("CategoricalHinge", SMALL_ONE_HOT, SMALL_P, {}), ("KLDivergence", SOFTMAX, SOFTMAX[::-1], {}),
    ("Poisson", SMALL_Y, SMALL_P, {}), ("LogCoshError", SMALL_Y, SMALL_P, {}),
    ("CosineSimilarity", SMALL_Y, SMALL_P - 0.5, {}),
    ("TopKCategoricalAccuracy", SMALL_ONE_HOT, SMALL_P, {"k": 2}),
    ("SparseTopKCategoricalAccuracy", SMALL_ONE_HOT.argmax(1), SMALL_P, {"k": 1})]


@pytest.mark.parametrize("name,y_true,y_pred,options", SCORE_METRIC_CASES,
                         ids=[c[0] for c in SCORE_METRIC_CASES])
def test_score_metrics_match_keras(name, y_true, y_pred, options):
    import keras

    for weight in (None, W[[0, 1, 2, 3, 0, 1, 2, 3, 0, 1]]):
        theirs, ours = getattr(keras.metrics, name)(**options), getattr(nn.metrics, name)(**options)
        assert ours.name == theirs.name
        theirs.update_state(y_true, y_pred, sample_weight=weight)
        ours.update_state(y_true, y_pred, sample_weight=weight)
        np.testing.assert_allclose(ours.result(), _numpy(theirs.result()), rtol=2e-5, atol=1e-6)
