"""Metrics counted from a confusion matrix: Precision, Recall, AUC and the four counts.

Each keeps, for one or more thresholds, the weighted number of true positives,
false positives, true negatives and false negatives seen so far. A prediction
counts as positive when it is *strictly greater* than the threshold, as in
Keras. Predictions are probabilities in ``[0, 1]`` (``AUC(from_logits=True)``
takes logits).

>>> import nn
>>> m = nn.metrics.Precision()
>>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
>>> round(m.result(), 4)
0.6667
>>> m = nn.metrics.AUC(num_thresholds=3)
>>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
>>> m.result()
0.75
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nn.metrics import Metric, _array

EPSILON = 1e-7  # Keras's backend.epsilon(): AUC's outer thresholds sit this far outside [0, 1]

__all__ = [
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "Precision",
    "Recall",
    "AUC",
]


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, and 0 where b is 0 (a metric of nothing seen yet is 0, not NaN)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


def _thresholds(thresholds: Any, default: float = 0.5) -> np.ndarray:
    values = np.atleast_1d(np.asarray(default if thresholds is None else thresholds,
                                      dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"thresholds must be a number or a list of numbers, got {thresholds!r}.")
    if np.any((values < 0) | (values > 1)):
        raise ValueError(f"thresholds must lie in [0, 1] (predictions are probabilities), got "
                         f"{values.tolist()}.")
    return values


def _ranked_thresholds(thresholds: Any, top_k: int | None) -> np.ndarray:
    """Precision's and Recall's thresholds: 0.5 by default; with ``top_k`` and no
    thresholds, anything in the top k counts (Keras: a threshold of -inf)."""
    if thresholds is None and top_k is not None:
        return np.array([-np.inf])
    return _thresholds(thresholds)


class _ConfusionCounts(Metric):
    """Weighted tp/fp/tn/fn per threshold (and per label with ``per_label``)."""

    def __init__(self, thresholds: np.ndarray, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None,
                 per_label: bool = False) -> None:
        super().__init__(name=name, dtype=dtype)
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"{type(self).__name__}: top_k must be a positive integer or None, "
                             f"got {top_k!r}.")
        self.threshold_values = thresholds
        self.given_thresholds: Any = None  # what the user passed (for get_config)
        self.top_k = top_k
        self.class_id = class_id
        self.per_label = per_label
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = None  # shaped on the first batch (labels known then)
        self.false_positives = None
        self.true_negatives = None
        self.false_negatives = None

    def _prepare(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(_array(y_true), dtype=np.float64)
        p = np.asarray(_array(y_pred), dtype=np.float64)
        if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
            t = t[..., 0]
        elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
            p = p[..., 0]
        if t.shape != p.shape:
            raise ValueError(f"{self.name}: the targets have shape {t.shape} but the predictions "
                             f"have shape {p.shape}; they must match.")
        if self.top_k is not None:  # only each row's k best predictions can be positive
            # Ties go to the lower index, as Keras's top_k picks them.
            best = np.argsort(-p, axis=-1, kind="stable")[..., :self.top_k]
            kept = np.full_like(p, -np.inf)
            np.put_along_axis(kept, best, np.take_along_axis(p, best, axis=-1), axis=-1)
            p = kept
        if self.class_id is not None:
            t, p = t[..., self.class_id], p[..., self.class_id]
        return t, p

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = self._prepare(y_true, y_pred)
        w = np.ones_like(p)
        if sample_weight is not None:
            w = np.asarray(_array(sample_weight), dtype=np.float64)
            while w.ndim > p.ndim and w.shape[-1] == 1:
                w = w[..., 0]
            while w.ndim < p.ndim:
                w = w[..., None]
            w = np.broadcast_to(w, p.shape)
        if self.per_label and p.ndim >= 2:  # (samples, labels): count each label apart
            t, p, w = (a.reshape(-1, a.shape[-1]) for a in (t, p, w))
        else:
            t, p, w = t.reshape(-1, 1), p.reshape(-1, 1), w.reshape(-1, 1)
        positive = t > 0.5
        # above[i, n, l]: sample n of label l is predicted positive at threshold i
        above = p[None] > self.threshold_values[:, None, None]
        counts = {
            "true_positives": (w * (above & positive)).sum(axis=1),
            "false_positives": (w * (above & ~positive)).sum(axis=1),
            "true_negatives": (w * (~above & ~positive)).sum(axis=1),
            "false_negatives": (w * (~above & positive)).sum(axis=1),
        }
        for key, value in counts.items():
            old = getattr(self, key)
            setattr(self, key, value if old is None else old + value)

    def _counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.true_positives is None:
            zero = np.zeros((self.threshold_values.size, 1))
            return zero, zero, zero, zero
        return self.true_positives, self.false_positives, self.true_negatives, \
            self.false_negatives

    @staticmethod
    def _one_or_many(values: np.ndarray) -> Any:
        values = values[:, 0]
        return float(values[0]) if values.size == 1 else values

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "thresholds": self.given_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class _Count(_ConfusionCounts):
    count = "true_positives"

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(_thresholds(thresholds), name=name, dtype=dtype)
        self.given_thresholds = thresholds

    def result(self) -> Any:
        tp, fp, tn, fn = self._counts()
        return self._one_or_many({"true_positives": tp, "false_positives": fp,
                                  "true_negatives": tn, "false_negatives": fn}[self.count])

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "thresholds": self.given_thresholds}


class TruePositives(_Count):
    """The weighted number of positives predicted positive (``> thresholds``, 0.5)."""

    count = "true_positives"


class FalsePositives(_Count):
    """The weighted number of negatives predicted positive."""

    count = "false_positives"


class TrueNegatives(_Count):
    """The weighted number of negatives predicted negative."""

    count = "true_negatives"


class FalseNegatives(_Count):
    """The weighted number of positives predicted negative."""

    count = "false_negatives"


class Precision(_ConfusionCounts):
    """Of the predictions called positive, the fraction that are: ``tp / (tp + fp)``.

    ``thresholds`` (default 0.5) may be a list: the result is then one value per
    threshold. ``top_k`` counts only each row's k highest predictions; ``class_id``
    looks at one column of a multi-label output.

    >>> import nn
    >>> m = nn.metrics.Precision(top_k=2)
    >>> m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    >>> m.result()
    0.0
    """

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = "precision",
                 dtype: Any = None) -> None:
        super().__init__(_ranked_thresholds(thresholds, top_k), top_k, class_id, name, dtype)
        self.given_thresholds = thresholds

    def result(self) -> Any:
        tp, fp, _, _ = self._counts()
        return self._one_or_many(_divide_no_nan(tp, tp + fp))


class Recall(_ConfusionCounts):
    """Of the true positives, the fraction predicted positive: ``tp / (tp + fn)``.

    Same arguments as ``Precision``.

    >>> import nn
    >>> m = nn.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(m.result(), 4)
    0.6667
    """

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = "recall",
                 dtype: Any = None) -> None:
        super().__init__(_ranked_thresholds(thresholds, top_k), top_k, class_id, name, dtype)
        self.given_thresholds = thresholds

    def result(self) -> Any:
        tp, _, _, fn = self._counts()
        return self._one_or_many(_divide_no_nan(tp, tp + fn))


class AUC(_ConfusionCounts):
    """The area under the ROC curve (or, ``curve="PR"``, the precision-recall curve),
    approximated over ``num_thresholds`` thresholds evenly spaced in [0, 1], as
    Keras computes it.

    ``summation_method``: ``"interpolation"`` (the trapezoid for ROC; for PR the
    interpolation of Davis & Goadrich 2006, as Keras), ``"minoring"`` (lower bound)
    or ``"majoring"`` (upper bound). ``multi_label=True`` computes one AUC per
    column of a multi-label output and averages them; otherwise every column is
    pooled. ``from_logits=True`` applies the sigmoid first.

    >>> import nn
    >>> m = nn.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()  # thresholds -1e-7, 0.5, 1+1e-7: tpr 1, 0.5, 0; fpr 1, 0, 0
    0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = "auc",
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}.")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError("AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', got {summation_method!r}.")
        if label_weights is not None:
            raise NotImplementedError("AUC(label_weights=...) is not supported; with "
                                      "multi_label=True every label counts equally.")
        if thresholds is not None:
            inner = _thresholds(thresholds)
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got "
                                 f"{num_thresholds!r}.")
            inner = np.array([(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)])
        # The outer thresholds catch predictions of exactly 0 and 1.
        values = np.concatenate([[0.0 - EPSILON], inner, [1.0 + EPSILON]])
        self.num_thresholds = values.size
        self.curve = curve.upper()
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.from_logits = from_logits
        self._given_thresholds = None if thresholds is None else inner.tolist()
        super().__init__(values, name=name, dtype=dtype, per_label=multi_label)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-np.asarray(_array(y_pred), dtype=np.float64)))
        super().update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        tp, fp, tn, fn = self._counts()  # each (thresholds, labels)
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = self._interpolated_pr_auc(tp, fp, fn)
        else:
            if self.curve == "ROC":
                x, y = _divide_no_nan(fp, fp + tn), _divide_no_nan(tp, tp + fn)
            else:
                x, y = _divide_no_nan(tp, tp + fn), _divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2.0
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            # Thresholds rise, so x falls: each slice's width is x[i] - x[i + 1].
            areas = ((x[:-1] - x[1:]) * heights).sum(axis=0)
        return float(areas.mean())

    @staticmethod
    def _interpolated_pr_auc(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
        """The PR area with precision interpolated between thresholds as the
        positives grow linearly (Davis & Goadrich), not the ratio itself."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        safe_ratio = np.where(ratio > 0, ratio, 1.0)
        steps = _divide_no_nan(slope * (dtp + intercept * np.log(safe_ratio)),
                               np.maximum(tp[1:] + fn[1:], 0))
        return steps.sum(axis=0)

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "curve": self.curve,
                  "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "from_logits": self.from_logits}
        if self._given_thresholds is None:
            config["num_thresholds"] = self.num_thresholds
        else:
            config["thresholds"] = self._given_thresholds
        return config
