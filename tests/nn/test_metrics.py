"""Metrics: stateful protocol, values by hand, and Keras's 'accuracy' resolution."""

import numpy as np
import pytest

from nn import metrics

pytestmark = pytest.mark.training


def test_state_accumulates_over_batches_and_resets():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]])  # 1 of 2
    m.update_state([1, 1, 0], [[0.1, 0.9], [0.3, 0.7], [0.6, 0.4]])  # 3 of 3
    assert m.result() == pytest.approx(4 / 5)
    m.reset_state()
    assert m.result() == 0.0
    m.update_state([[1]], [[0.4, 0.6]])  # labels with a trailing axis of 1
    assert m.result() == 1.0


def test_binary_accuracy_threshold():
    m = metrics.BinaryAccuracy(threshold=0.7)
    assert m([[1], [1], [0]], [[0.8], [0.6], [0.1]]) == pytest.approx(2 / 3)


def test_categorical_accuracy():
    m = metrics.CategoricalAccuracy()
    assert m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]) == pytest.approx(0.5)


def test_mean_with_weights():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 3.0])
    assert m.result() == pytest.approx((1 + 9) / 4)


def test_regression_metrics():
    assert metrics.MeanSquaredError()([[1.0, 1.0]], [[2.0, 4.0]]) == pytest.approx(5.0)
    assert metrics.MeanAbsoluteError()([[1.0, 1.0]], [[2.0, 4.0]]) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "loss, true_shape, pred_shape, expected",
    [
        # From the reference: the loss decides when it is a cross-entropy ...
        ("sparse_categorical_crossentropy", (8,), (8, 3), metrics.SparseCategoricalAccuracy),
        ("categorical_crossentropy", (8, 3), (8, 3), metrics.CategoricalAccuracy),
        ("binary_crossentropy", (8, 1), (8, 1), metrics.BinaryAccuracy),
        # ... and the shapes otherwise (mse with one output -> binary).
        ("mse", (8, 1), (8, 1), metrics.BinaryAccuracy),
        ("mse", (8,), (8, 3), metrics.SparseCategoricalAccuracy),
        ("mse", (8, 1), (8, 3), metrics.SparseCategoricalAccuracy),
        ("mse", (8, 3), (8, 3), metrics.CategoricalAccuracy),
    ],
)
def test_accuracy_resolution(loss, true_shape, pred_shape, expected):
    for alias in ("accuracy", "acc"):
        m = metrics.get(alias, loss, true_shape, pred_shape)
        assert type(m) is expected
        assert m.name == alias


def test_multi_label_binary_crossentropy_gets_binary_accuracy():
    # Keras 3 decides from shapes alone and would pick categorical accuracy here;
    # the loss says each output is a separate yes/no question.
    m = metrics.get("Accuracy", "binary_crossentropy", (8, 3), (8, 3))
    assert type(m) is metrics.BinaryAccuracy and m.name == "Accuracy"


def test_names_keep_what_the_user_wrote():
    assert metrics.get("mse").name == "mse"
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    assert metrics.get(metrics.MeanAbsoluteError()).name == "mean_absolute_error"


def test_unknown_metric_name():
    with pytest.raises(ValueError, match="Could not interpret metric identifier: crossentropy"):
        metrics.get("crossentropy")


def test_custom_metric_function():
    def exact(y_true, y_pred):
        return np.all(np.asarray(y_true) == np.asarray(y_pred), axis=-1)

    m = metrics.get(exact)
    assert m.name == "exact"
    assert m([[1, 2], [3, 4]], [[1, 2], [3, 5]]) == 0.5
