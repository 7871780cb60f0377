"""Losses: values derived by hand, gradients by finite differences, stability at
extreme logits, names, sample weights, and the shape errors a learner meets."""

import math

import numpy as np
import pytest

import autograd
from nn import losses

pytestmark = pytest.mark.training


def t(x, grad=False):
    return autograd.tensor(np.asarray(x, dtype=np.float32), requires_grad=grad)


def test_mse_mae_by_hand():
    y_true = [[1.0, 2.0], [3.0, 5.0]]
    y_pred = t([[1.0, 4.0], [2.0, 5.0]])
    # per sample: mse (0 + 4)/2 = 2, (1 + 0)/2 = 0.5 -> mean 1.25
    assert losses.MeanSquaredError()(y_true, y_pred).item() == pytest.approx(1.25)
    # mae: (0 + 2)/2 = 1, (1 + 0)/2 = 0.5 -> 0.75
    assert losses.MeanAbsoluteError()(y_true, y_pred).item() == pytest.approx(0.75)
    np.testing.assert_allclose(losses.mean_squared_error(y_true, y_pred).numpy(), [2.0, 0.5])


def test_huber_by_hand():
    # errors 0.5 (quadratic: 0.125) and 3 (linear: 3 - 0.5 = 2.5)
    loss = losses.Huber(delta=1.0)([[0.0, 0.0]], t([[0.5, -3.0]]))
    assert loss.item() == pytest.approx((0.125 + 2.5) / 2)


def test_binary_crossentropy_probabilities_and_logits_agree():
    y = [[1.0], [0.0], [1.0]]
    logits = np.array([[0.3], [-1.2], [2.0]])
    probs = 1 / (1 + np.exp(-logits))
    by_hand = -np.mean([math.log(probs[0, 0]), math.log(1 - probs[1, 0]), math.log(probs[2, 0])])
    assert losses.BinaryCrossentropy()(y, t(probs)).item() == pytest.approx(by_hand, rel=1e-5)
    got = losses.BinaryCrossentropy(from_logits=True)(y, t(logits)).item()
    assert got == pytest.approx(by_hand, rel=1e-5)


def test_categorical_crossentropy_by_hand():
    y = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    p = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    by_hand = -(math.log(0.7) + math.log(0.5)) / 2
    assert losses.CategoricalCrossentropy()(y, t(p)).item() == pytest.approx(by_hand, rel=1e-6)
    assert losses.SparseCategoricalCrossentropy()([1, 0], t(p)).item() == pytest.approx(
        by_hand, rel=1e-6
    )


def test_label_smoothing():
    # 3 classes, smoothing 0.3: targets 0.1 / 0.8 / 0.1
    p = np.array([[0.2, 0.7, 0.1]])
    by_hand = -(0.1 * math.log(0.2) + 0.8 * math.log(0.7) + 0.1 * math.log(0.1))
    got = losses.CategoricalCrossentropy(label_smoothing=0.3)([[0, 1, 0]], t(p)).item()
    assert got == pytest.approx(by_hand, rel=1e-6)
    # binary: target 1 -> 0.9 with smoothing 0.2
    by_hand = -(0.9 * math.log(0.6) + 0.1 * math.log(0.4))
    got = losses.BinaryCrossentropy(label_smoothing=0.2)([[1.0]], t([[0.6]])).item()
    assert got == pytest.approx(by_hand, rel=1e-6)


def test_probabilities_are_clipped_like_keras():
    # p = 0 for the true class: clipped to 1e-7, so the loss is -log(1e-7), finite
    got = losses.CategoricalCrossentropy()([[1.0, 0.0]], t([[0.0, 1.0]])).item()
    assert got == pytest.approx(-math.log(1e-7), rel=1e-3)


@pytest.mark.parametrize(
    "loss, y",
    [
        (losses.SparseCategoricalCrossentropy(from_logits=True), [0, 1]),
        (losses.CategoricalCrossentropy(from_logits=True), [[1.0, 0.0], [0.0, 1.0]]),
        (losses.BinaryCrossentropy(from_logits=True), [[1.0, 0.0], [0.0, 1.0]]),
    ],
)
def test_extreme_logits_give_finite_loss_and_gradient(loss, y):
    logits = t([[-1000.0, 1000.0], [1000.0, -1000.0]], grad=True)
    value = loss(y, logits)
    value.backward()
    assert np.isfinite(value.item()) and value.item() > 100
    assert np.all(np.isfinite(logits.grad.numpy()))


def _numeric_grad(f, x, eps=1e-3):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2 * eps)
    return g


@pytest.mark.parametrize(
    "make, y",
    [
        (lambda: losses.MeanSquaredError(), [[0.1, 0.9, 0.3], [0.5, 0.2, 0.7]]),
        (lambda: losses.Huber(delta=0.3), [[0.1, 0.9, 0.3], [0.5, 0.2, 0.7]]),
        (lambda: losses.CategoricalCrossentropy(from_logits=True), [[0, 1, 0], [1, 0, 0]]),
        (lambda: losses.SparseCategoricalCrossentropy(), [2, 0]),
        (lambda: losses.BinaryCrossentropy(), [[0, 1, 1], [1, 0, 0]]),
    ],
)
def test_gradients_match_finite_differences(make, y):
    x0 = np.array([[0.2, 0.5, 0.3], [0.6, 0.15, 0.25]])
    loss = make()
    x = autograd.tensor(x0, requires_grad=True)  # float64
    loss(y, x).backward()
    numeric = _numeric_grad(lambda v: loss(y, autograd.tensor(v)).item(), x0, eps=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-4, atol=1e-7)


def test_sample_weight_and_reductions():
    y_true = [[0.0], [0.0], [0.0]]
    y_pred = t([[1.0], [2.0], [3.0]])  # per-sample mse 1, 4, 9
    w = [1.0, 0.0, 2.0]
    # sum_over_batch_size: (1 + 0 + 18) / 3
    assert losses.MeanSquaredError()(y_true, y_pred, sample_weight=w).item() == pytest.approx(
        19 / 3
    )
    assert losses.MeanSquaredError(reduction="sum")(y_true, y_pred).item() == pytest.approx(14)
    none = losses.MeanSquaredError(reduction="none")(y_true, y_pred)
    np.testing.assert_allclose(none.numpy(), [1.0, 4.0, 9.0])
    with pytest.raises(ValueError, match="Invalid reduction"):
        losses.MeanSquaredError(reduction="avg")


def test_names_resolve():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("mae"), losses.MeanAbsoluteError)
    assert isinstance(losses.get("binary_crossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("categorical_crossentropy"), losses.CategoricalCrossentropy)
    sparse = losses.get("sparse_categorical_crossentropy")
    assert isinstance(sparse, losses.SparseCategoricalCrossentropy)
    assert sparse.name == "sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'msee'"):
        losses.get("msee")


def test_custom_loss_is_any_callable():
    def double_mse(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(axis=-1) * 2

    loss = losses.get(double_mse)
    assert loss.name == "double_mse"
    assert loss([[0.0]], t([[3.0]])).item() == pytest.approx(18.0)


def test_one_hot_labels_with_sparse_loss_explain_the_fix():
    with pytest.raises(ValueError) as err:
        losses.SparseCategoricalCrossentropy()(np.eye(3)[[0, 1]], t(np.full((2, 3), 1 / 3)))
    msg = str(err.value)
    assert "(2, 3)" in msg and "(2,)" in msg and "categorical_crossentropy" in msg
    assert "one-hot" in msg


def test_integer_labels_with_categorical_loss_explain_the_fix():
    with pytest.raises(ValueError) as err:
        losses.CategoricalCrossentropy()(np.array([0, 2]), t(np.full((2, 3), 1 / 3)))
    msg = str(err.value)
    assert "(2,)" in msg and "(2, 3)" in msg
    assert "sparse_categorical_crossentropy" in msg and "to_categorical" in msg


def test_labels_out_of_range_name_the_last_layer():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        losses.SparseCategoricalCrossentropy()([3, 0], t(np.full((2, 3), 1 / 3)))


def test_config_round_trip():
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    again = losses.CategoricalCrossentropy.from_config(loss.get_config())
    assert again.get_config() == loss.get_config()


def test_sparse_crossentropy_from_probabilities_matches_the_composite_formula():
    # Keras's recipe written out with NumPy: renormalise, clip, log, pick the label.
    rng = np.random.default_rng(0)
    probs = rng.random((2, 3, 4)) + 0.01
    labels = rng.integers(0, 4, (2, 3))
    p = probs / probs.sum(-1, keepdims=True)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    expected = -np.log(np.take_along_axis(p, labels[..., None], -1)[..., 0])
    x = autograd.tensor(probs, requires_grad=True)
    got = losses.sparse_categorical_crossentropy(labels, x)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    got.sum().backward()
    numeric = _numeric_grad(
        lambda v: losses.sparse_categorical_crossentropy(labels, autograd.tensor(v)).sum().item(),
        probs, eps=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-5, atol=1e-8)


def test_a_clipped_probability_passes_no_gradient():
    x = t([[0.0, 1.0], [0.4, 0.6]], grad=True)
    loss = losses.SparseCategoricalCrossentropy(reduction="sum")([0, 1], x)
    loss.backward()
    assert loss.item() == pytest.approx(-math.log(1e-7) - math.log(0.6), rel=1e-5)
    np.testing.assert_array_equal(x.grad.numpy()[0], [0.0, 0.0])
    np.testing.assert_allclose(x.grad.numpy()[1], [1.0, 1.0 - 1 / 0.6], rtol=1e-5)
