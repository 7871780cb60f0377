"""The Keras losses and metrics beyond the basic ones (issue 15 section 4).

Values come from Keras's documentation examples or are worked out by hand in the
test; every new loss is gradchecked in float64; the live comparison with Keras 3 is
in test_losses_and_metrics_keras_live.py (marker ``reference``).
"""

import math

import numpy as np
import pytest

import autograd
import nn

RNG = np.random.default_rng(7)


# ---------------------------------------------------------------- losses: values by hand

def loss_value(loss, y_true, y_pred, **kwargs):
    return loss(**kwargs)(np.asarray(y_true, dtype=np.float64),
                          autograd.tensor(np.asarray(y_pred, dtype=np.float64))).item()


def test_mape_msle_logcosh_by_hand():
    # |2-1|/2 = 50%, |4-5|/4 = 25%: mean 37.5
    assert loss_value(nn.losses.MeanAbsolutePercentageError, [[2, 4]], [[1, 5]]) == \
        pytest.approx(37.5)
    # a zero target is divided by 1e-7, not by zero
    assert loss_value(nn.losses.MeanAbsolutePercentageError, [[0.0]], [[1e-7]]) == \
        pytest.approx(100.0)
    # (log 3 - log 2)^2
    assert loss_value(nn.losses.MeanSquaredLogarithmicError, [[1.0]], [[2.0]]) == \
        pytest.approx((math.log(3) - math.log(2)) ** 2)
    # log(cosh(e)) for a small and a huge error: the huge one is |e| - log 2, finite
    assert loss_value(nn.losses.LogCosh, [[0.0, 0.0]], [[0.5, 800.0]]) == \
        pytest.approx((math.log(math.cosh(0.5)) + 800.0 - math.log(2)) / 2)


def test_kld_poisson_cosine_by_hand():
    p, q = [0.2, 0.8], [0.5, 0.5]
    expected = sum(a * math.log(a / b) for a, b in zip(p, q))
    assert loss_value(nn.losses.KLDivergence, [p], [q]) == pytest.approx(expected)
    # poisson: mean(y_pred - y_true * log(y_pred))
    assert loss_value(nn.losses.Poisson, [[3.0, 0.0]], [[2.0, 1.0]]) == \
        pytest.approx((2 - 3 * math.log(2) + 1) / 2, rel=1e-6)
    # cosine: 45 degrees apart -> -cos(45°)
    assert loss_value(nn.losses.CosineSimilarity, [[1.0, 0.0]], [[1.0, 1.0]]) == \
        pytest.approx(-math.sqrt(0.5))
    assert loss_value(nn.losses.CosineSimilarity, [[1.0, 0.0], [0.0, 3.0]],
                      [[0.0, 2.0], [0.0, 1.0]]) == pytest.approx(-0.5)  # 0 and -1


def test_hinge_family_by_hand():
    # Keras docs example for hinge: targets 0/1 become -1/1
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
    # rows: max(0, 1+0.6)=1.6, max(0,1-0.4)=0.6 -> 1.1 ; 1.4, 1.6 -> 1.5 ; mean 1.3
    assert loss_value(nn.losses.Hinge, y_true, y_pred) == pytest.approx(1.3)
    assert loss_value(nn.losses.SquaredHinge, y_true, y_pred) == \
        pytest.approx(((1.6 ** 2 + 0.6 ** 2) / 2 + (1.4 ** 2 + 1.6 ** 2) / 2) / 2)
    # categorical hinge: max(0, best wrong - right + 1)
    assert loss_value(nn.losses.CategoricalHinge, [[0, 1, 0]], [[0.2, 0.5, 0.9]]) == \
        pytest.approx(1.4)
    assert loss_value(nn.losses.CategoricalHinge, [[0, 1, 0]], [[0.0, 3.0, 0.5]]) == 0.0


def test_reductions_keras_3_and_tf_keras_names():
    y_true = np.array([[1.0], [2.0], [3.0]])
    y_pred = autograd.tensor(np.zeros((3, 1)))
    w = np.array([1.0, 0.0, 2.0])
    # squared errors 1, 4, 9; weighted 1, 0, 18
    assert nn.losses.MeanSquaredError(reduction="sum")(y_true, y_pred, w).item() == 19
    assert nn.losses.MeanSquaredError(reduction="mean")(y_true, y_pred, w).item() == \
        pytest.approx(19 / 3)
    assert nn.losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        y_true, y_pred, w).item() == pytest.approx(19 / 3)  # total weight is 3 too
    w2 = np.array([2.0, 0.0, 2.0])
    assert nn.losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        y_true, y_pred, w2).item() == pytest.approx((2 + 18) / 4)
    R = nn.losses.Reduction
    assert nn.losses.MeanSquaredError(reduction=R.SUM)(y_true, y_pred).item() == 14
    assert nn.losses.MeanSquaredError(reduction=R.AUTO)(y_true, y_pred).item() == \
        pytest.approx(14 / 3)
    assert nn.losses.MeanSquaredError(reduction=R.NONE)(y_true, y_pred).shape == (3,)
    with pytest.raises(ValueError, match="reduction"):
        nn.losses.MeanSquaredError(reduction="average")


LOSS_NAMES = {"mape": "MeanAbsolutePercentageError", "msle": "MeanSquaredLogarithmicError",
              "log_cosh": "LogCosh", "kld": "KLDivergence", "kl_divergence": "KLDivergence",
              "kullback_leibler_divergence": "KLDivergence", "poisson": "Poisson",
              "cosine_similarity": "CosineSimilarity", "hinge": "Hinge",
              "squared_hinge": "SquaredHinge", "categorical_hinge": "CategoricalHinge"}


@pytest.mark.parametrize("name", sorted(LOSS_NAMES))
def test_loss_names_resolve(name):
    assert type(nn.losses.get(name)).__name__ == LOSS_NAMES[name]


# ---------------------------------------------------------------- losses: gradients

POSITIVE = RNG.uniform(0.2, 0.9, size=(3, 4))
TARGETS = RNG.uniform(0.1, 0.9, size=(3, 4))
SIGNS = np.where(RNG.random((3, 4)) > 0.5, 1.0, 0.0)
ONE_HOT = np.eye(4)[[0, 2, 3]]


@pytest.mark.parametrize("loss,y_true,x", [
    (nn.losses.mean_absolute_percentage_error, TARGETS, POSITIVE),
    (nn.losses.mean_squared_logarithmic_error, TARGETS, POSITIVE),
    (nn.losses.log_cosh, TARGETS, RNG.normal(size=(3, 4))),
    (nn.losses.kl_divergence, TARGETS / TARGETS.sum(1, keepdims=True), POSITIVE),
    (nn.losses.poisson, TARGETS * 3, POSITIVE),
    (nn.losses.cosine_similarity, TARGETS - 0.5, RNG.normal(size=(3, 4))),
    (nn.losses.hinge, SIGNS, RNG.uniform(-0.8, 0.8, size=(3, 4))),
    (nn.losses.squared_hinge, SIGNS, RNG.uniform(-0.8, 0.8, size=(3, 4))),
    (nn.losses.categorical_hinge, ONE_HOT, RNG.normal(size=(3, 4))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_new_losses_gradcheck(loss, y_true, x):
    # away from the kinks (|e| = 0 for MAPE, the hinge at 1): the random draws above avoid them
    assert autograd.gradcheck(lambda p: loss(y_true, p).sum(),
                              [autograd.tensor(x, requires_grad=True, dtype="float64")])


def test_a_model_trains_on_a_new_loss():
    nn.utils.set_random_seed(0)
    x = RNG.normal(size=(64, 3)).astype("float32")
    y = (np.abs(x @ np.array([1.0, -2.0, 0.5])) + 0.5)[:, None].astype("float32")
    model = nn.Sequential([nn.Input((3,)), nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(1, activation="softplus")])
    model.compile(optimizer="adam", loss="poisson")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------- metrics: Keras docs values

def result(metric, *args, **kwargs):
    metric.update_state(*args, **kwargs)
    return metric.result()


def test_precision_and_recall_docs_examples():
    # keras.io: Precision / Recall examples
    assert result(nn.metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1]) == pytest.approx(2 / 3)
    assert result(nn.metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1],
                  sample_weight=[0, 0, 1, 0]) == 1.0
    assert result(nn.metrics.Precision(top_k=2), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.0
    assert result(nn.metrics.Precision(top_k=4), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.5
    assert result(nn.metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1]) == pytest.approx(2 / 3)
    assert result(nn.metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1],
                  sample_weight=[0, 0, 1, 0]) == 1.0


def test_precision_recall_thresholds_class_id_and_state():
    m = nn.metrics.Precision(thresholds=[0.3, 0.6])
    values = result(m, [1, 0, 1, 0], [0.4, 0.5, 0.7, 0.1])
    # > 0.3: 0.4(T) 0.5(F) 0.7(T) -> 2/3 ; > 0.6: 0.7(T) -> 1
    assert np.allclose(values, [2 / 3, 1.0])
    m = nn.metrics.Recall(class_id=1)
    # column 1: targets [1, 0, 1], predictions [0.9, 0.8, 0.2] -> 1 of 2 found
    assert result(m, [[0, 1], [1, 0], [0, 1]], [[0.1, 0.9], [0.2, 0.8], [0.8, 0.2]]) == 0.5
    m.reset_state()
    assert m.result() == 0.0  # nothing seen: 0, not NaN
    counts = [nn.metrics.TruePositives(), nn.metrics.FalsePositives(),
              nn.metrics.TrueNegatives(), nn.metrics.FalseNegatives()]
    assert [result(c, [0, 1, 1, 0], [0.9, 0.8, 0.1, 0.2]) for c in counts] == [1, 1, 1, 1]


def test_auc_docs_example_and_hand_computed_roc():
    # keras.io: AUC(num_thresholds=3) on [0, 0, 1, 1] / [0, 0.5, 0.3, 0.9] -> 0.75
    assert result(nn.metrics.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) == 0.75
    # perfectly separated scores: the ROC area is 1 and the PR area is 1
    y, p = [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]
    assert result(nn.metrics.AUC(), y, p) == pytest.approx(1.0, abs=1e-6)
    assert result(nn.metrics.AUC(curve="PR"), y, p) == pytest.approx(1.0, abs=1e-6)
    # reversed scores: 0
    assert result(nn.metrics.AUC(), y, p[::-1]) == pytest.approx(0.0, abs=1e-6)
    # with many thresholds the ROC area approaches the exact pairwise AUC
    y = RNG.integers(0, 2, 400)
    p = np.clip(0.3 * y + RNG.normal(0.35, 0.2, 400), 0, 1)
    pos, neg = p[y == 1], p[y == 0]
    exact = ((pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean())
    assert result(nn.metrics.AUC(num_thresholds=2000), y, p) == pytest.approx(exact, abs=2e-3)
    lower = result(nn.metrics.AUC(summation_method="minoring"), y, p)
    upper = result(nn.metrics.AUC(summation_method="majoring"), y, p)
    assert lower <= result(nn.metrics.AUC(), y, p) <= upper


def test_auc_multi_label_averages_each_column_and_from_logits():
    y = np.array([[0, 1], [0, 0], [1, 1], [1, 0]])
    p = np.array([[0.1, 0.9], [0.2, 0.6], [0.8, 0.7], [0.9, 0.1]])
    # column 0 is separated (AUC 1); column 1: positives 0.9, 0.7 vs negatives 0.6, 0.1 -> 1
    # flip one column to make it 0 and check the mean
    p2 = p.copy()
    p2[:, 1] = 1 - p2[:, 1]
    assert result(nn.metrics.AUC(multi_label=True), y, p2) == pytest.approx(0.5, abs=1e-6)
    logits = np.log(p / (1 - p))
    assert result(nn.metrics.AUC(from_logits=True), y, logits) == \
        pytest.approx(result(nn.metrics.AUC(), y, p))


def test_top_k_docs_examples():
    y_true, y_pred = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert result(nn.metrics.TopKCategoricalAccuracy(k=1), y_true, y_pred) == 0.5
    assert result(nn.metrics.TopKCategoricalAccuracy(k=2), y_true, y_pred) == 1.0
    assert result(nn.metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1], y_pred) == 0.5
    assert result(nn.metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1], y_pred,
                  sample_weight=[0.7, 0.3]) == pytest.approx(0.3)


def test_regression_and_probabilistic_metrics_by_hand():
    assert result(nn.metrics.RootMeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]]) == 0.5
    m = nn.metrics.RootMeanSquaredError()
    m.update_state([[0.0]], [[3.0]])
    m.update_state([[0.0]], [[4.0]])
    assert m.result() == pytest.approx(math.sqrt(12.5))  # root of the mean, not mean of roots
    assert result(nn.metrics.MeanAbsolutePercentageError(), [[2, 4]], [[1, 5]]) == \
        pytest.approx(37.5)
    assert result(nn.metrics.CosineSimilarity(), [[1.0, 0.0]], [[1.0, 1.0]]) == \
        pytest.approx(math.sqrt(0.5))
    assert result(nn.metrics.BinaryCrossentropy(), [[1.0]], [[0.5]]) == \
        pytest.approx(math.log(2), rel=1e-6)
    assert result(nn.metrics.CategoricalCrossentropy(), [[0, 1]], [[0.25, 0.75]]) == \
        pytest.approx(-math.log(0.75), rel=1e-6)
    assert result(nn.metrics.SparseCategoricalCrossentropy(), [1], [[0.25, 0.75]]) == \
        pytest.approx(-math.log(0.75), rel=1e-6)
    assert result(nn.metrics.Hinge(), [[0.0, 1.0]], [[0.6, 0.4]]) == pytest.approx(1.1)
    assert result(nn.metrics.LogCoshError(), [[0.0]], [[1.0]]) == \
        pytest.approx(math.log(math.cosh(1.0)), rel=1e-6)


NAMES = {"auc": "AUC", "precision": "Precision", "recall": "Recall",
         "top_k_categorical_accuracy": "TopKCategoricalAccuracy",
         "sparse_top_k_categorical_accuracy": "SparseTopKCategoricalAccuracy",
         "mape": "MeanAbsolutePercentageError", "msle": "MeanSquaredLogarithmicError",
         "root_mean_squared_error": "RootMeanSquaredError",
         "binary_crossentropy": "BinaryCrossentropy",
         "categorical_crossentropy": "CategoricalCrossentropy", "hinge": "Hinge",
         "kl_divergence": "KLDivergence", "poisson": "Poisson", "logcosh": "LogCoshError",
         "cosine_similarity": "CosineSimilarity"}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_metric_names_resolve_like_keras(name):
    metric = nn.metrics.get(name)
    assert type(metric).__name__ == NAMES[name] and metric.name == name


def test_fit_logs_the_new_metrics_under_keras_names():
    nn.utils.set_random_seed(1)
    x = RNG.normal(size=(80, 4)).astype("float32")
    y = (x[:, :1] + 0.3 * x[:, 1:2] > 0).astype("float32")
    model = nn.Sequential([nn.Input((4,)), nn.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["auc", nn.metrics.Precision(name="p"), nn.metrics.Recall(),
                           nn.metrics.AUC(curve="PR", name="pr_auc")])
    history = model.fit(x, y, epochs=3, batch_size=20, verbose=0, validation_split=0.25)
    logs = history.history
    for key in ("auc", "p", "recall", "pr_auc", "val_auc", "val_p", "val_recall"):
        assert key in logs, sorted(logs)
        assert all(0.0 <= v <= 1.0 for v in logs[key])
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    auc = nn.metrics.AUC()
    auc.update_state(y, model.predict(x, verbose=0))
    assert scores["auc"] == pytest.approx(auc.result(), abs=1e-6)


def test_metric_configs_round_trip():
    for metric in [nn.metrics.AUC(curve="PR", num_thresholds=50), nn.metrics.Precision(
            thresholds=[0.2, 0.7], name="p2"), nn.metrics.TopKCategoricalAccuracy(k=3),
            nn.metrics.CategoricalCrossentropy(label_smoothing=0.1)]:
        again = type(metric).from_config(metric.get_config())
        assert again.get_config() == metric.get_config()


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="curve must be 'ROC' or 'PR'"):
        nn.metrics.AUC(curve="roc-ish")
    with pytest.raises(ValueError, match=r"thresholds must lie in \[0, 1\]"):
        nn.metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="top_k must be a positive integer"):
        nn.metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match="the targets have shape"):
        nn.metrics.Precision().update_state([[1, 0]], [[0.2, 0.3, 0.5]])
