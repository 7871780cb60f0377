"""Metrics: numbers to watch during training, averaged over an epoch.

A metric is stateful, as in Keras: ``update_state(y_true, y_pred)`` adds a
batch, ``result()`` gives the value so far, ``reset_state()`` starts over.
Metrics work on NumPy values and are never part of the graph.

Names: ``"accuracy"`` (or ``"acc"``) becomes binary, categorical or sparse
categorical accuracy depending on the shapes of the targets and predictions
and on the loss, as Keras resolves it; ``"mse"``, ``"mae"``,
``"binary_accuracy"``, ``"categorical_accuracy"``,
``"sparse_categorical_accuracy"`` and the long names also work, and so do
Keras's names of the others: ``"auc"``, ``"precision"``, ``"recall"``,
``"top_k_categorical_accuracy"``, ``"root_mean_squared_error"``, ``"mape"``, ...

Beyond the accuracies and mean errors here: the confusion-matrix metrics
(``Precision``, ``Recall``, ``AUC``, ``TruePositives``, ...) are in
``nn/confusion_metrics.py``, and the losses as metrics (``RootMeanSquaredError``,
``BinaryCrossentropy``, ``KLDivergence``, ...) in ``nn/loss_metrics.py``; all are
reached as ``nn.metrics.<Name>``.

>>> import numpy as np, nn
>>> m = nn.metrics.SparseCategoricalAccuracy()
>>> m.update_state([1, 0], np.array([[0.2, 0.8], [0.3, 0.7]]))
>>> m.result()
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor
from nn.layers.naming import snake_case
from nn.saving.registry import register

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "mean_squared_error",
    "mean_absolute_error",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "Metric",
    "Mean",
    "MeanMetricWrapper",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "AUC",
    "Precision",
    "Recall",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "RootMeanSquaredError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "LogCoshError",
    "CosineSimilarity",
    "resolve_accuracy",
    "get",
    "BUILTIN_METRICS",
]


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------- per-sample functions


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Per sample: the fraction of outputs on the right side of ``threshold``."""
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim - 1:
        t = t[..., None]
    return np.mean(t == (p > threshold), axis=-1)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample: 1 where the largest prediction is the one-hot target's class."""
    t, p = _array(y_true), _array(y_pred)
    return (np.argmax(t, axis=-1) == np.argmax(p, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per sample: 1 where the largest prediction is at the integer label."""
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    return (np.argmax(p, axis=-1) == t).astype(np.float64)


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim - 1:
        t = t[..., None]
    return np.mean(np.square(p - t), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim - 1:
        t = t[..., None]
    return np.mean(np.abs(p - t), axis=-1)


# ---------------------------------------------------------------- stateful metrics


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the one-hot target's class is among the ``k`` highest predictions
    (a class tied with the k-th counts as in, as in Keras), else 0."""
    return sparse_top_k_categorical_accuracy(np.argmax(_array(y_true), axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the integer label is among the ``k`` highest predictions, else 0."""
    p = np.asarray(_array(y_pred))
    labels = np.asarray(_array(y_true)).astype(np.int64).reshape(p.shape[:-1])
    k = min(k, p.shape[-1])
    kth = np.partition(p, -k, axis=-1)[..., -k]
    target = np.take_along_axis(p, labels[..., None], axis=-1)[..., 0]
    return (target >= kth).astype(np.float32)


class Metric:
    """Base class of every metric: ``update_state``, ``result``, ``reset_state``.

    Calling a metric, ``m(y_true, y_pred)``, updates it and returns the result.

    A metric of your own keeps its state in variables made in ``__init__`` with
    ``self.add_weight`` (tf.keras) or ``self.add_variable`` (Keras 3), changes
    them with ``assign``/``assign_add``, and gets a ``reset_state`` that sets
    every such variable back to zero unless it defines its own:

    >>> import numpy as np, nn
    >>> class Count(nn.metrics.Metric):
    ...     def __init__(self, name="count", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.seen = self.add_weight(name="seen", initializer="zeros")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.seen.assign_add(float(np.shape(y_true)[0]))
    ...     def result(self):
    ...         return self.seen
    >>> m = Count()
    >>> m.update_state([1, 0, 1], [1, 1, 1])
    >>> float(m.result())
    3.0
    >>> m.reset_state(); float(m.result())
    0.0
    """

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        # No reset_state() here: a subclass creates its state after this returns.
        self.name = name or snake_case(type(self).__name__)
        self.dtype = np.dtype(dtype or "float32").name
        self._metric_variables: list[Any] = []

    def add_weight(self, name: str | None = None, shape: Any = (), initializer: Any = "zeros",
                   dtype: Any = None, aggregation: str = "sum", **kwargs: Any) -> Any:
        """A state variable of this metric (not trainable), e.g.
        ``self.true_positives = self.add_weight(name="tp", initializer="zeros")``."""
        if isinstance(name, (tuple, list)) and not shape:  # Keras 3 order: shape first
            name, shape = None, name
        from nn.layers.variable import Variable  # a metric's state is a weight like a layer's

        variable = Variable(initializer, name=f"{self.name}/{name or 'variable'}",
                            trainable=False, dtype=dtype or self.dtype, shape=shape)
        self._metric_variables.append(variable)
        return variable

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:
        """Keras 3's name for ``add_weight``."""
        return self.add_weight(name=name, shape=shape, initializer=initializer, dtype=dtype)

    @property
    def variables(self) -> list[Any]:
        """The state variables made with ``add_weight``/``add_variable``."""
        return list(self._metric_variables)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_state()")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def reset_state(self) -> None:
        """Set every state variable back to zero (as Keras's base Metric does)."""
        for variable in self._metric_variables:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))

    def reset_states(self) -> None:
        """tf.keras's older name for ``reset_state``."""
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of every value given to ``update_state``.

    >>> m = Mean()
    >>> m.update_state([1.0, 3.0]); m.update_state(5.0)
    >>> m.result()
    3.0
    """

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name, dtype, **kwargs)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if isinstance(values, float) and isinstance(sample_weight, (int, float, type(None))):
            # One number (fit's running loss, once per batch): skip NumPy.
            weight = 1.0 if sample_weight is None else float(sample_weight)
            self.total += values * weight
            self.count += weight
            return
        values = np.asarray(_array(values), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        w = np.asarray(_array(sample_weight), dtype=np.float64)
        while w.ndim > values.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        while w.ndim < values.ndim:
            w = w[..., None]
        w = np.broadcast_to(w, values.shape)
        self.total += float((values * w).sum())
        self.count += float(w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The mean over samples of a per-sample function ``fn(y_true, y_pred)``; how
    custom metric functions are used."""

    def __init__(self, fn: Callable, name: str | None = None, **kwargs: Any) -> None:
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = _array(y_true), _array(y_pred)
        _check_shapes(self.name, self.fn, t, p)
        try:
            values = _array(self.fn(y_true, y_pred, **self.fn_kwargs))
        except (ValueError, IndexError) as err:  # NumPy's words, said with the metric's
            raise ValueError(
                f"Metric '{self.name}' could not compare y_true of shape {t.shape} with y_pred "
                f"of shape {p.shape}: {err}") from err
        super().update_state(values, sample_weight)


def _check_shapes(name: str, fn: Callable, t: np.ndarray, p: np.ndarray) -> None:
    """Targets and predictions that do not belong together are refused before a
    built-in metric function would broadcast them into a wrong number (or argmax two
    different widths into a plausible accuracy)."""
    if t.ndim and p.ndim and t.shape[0] != p.shape[0]:
        raise ValueError(
            f"Metric '{name}' got y_true with {t.shape[0]} samples (shape {t.shape}) but y_pred "
            f"with {p.shape[0]} (shape {p.shape}): pass the targets of the same samples.")
    if fn in _LABEL_TARGETS:
        expected = [p.shape[:-1], p.shape[:-1] + (1,)]
        what = f"integer labels of shape {p.shape[:-1]} (or {p.shape[:-1] + (1,)})"
    elif fn in _ONE_HOT_TARGETS:
        expected = [p.shape]
        what = "one-hot targets of the same shape"
    elif fn in _ELEMENTWISE:
        ranked = t[..., None] if t.ndim == p.ndim - 1 else t
        try:
            np.broadcast_shapes(ranked.shape, p.shape)
            return
        except ValueError:
            expected = []
            what = "targets of the same shape (or one that broadcasts to it)"
    else:
        return  # a function of your own: its own errors name the shapes
    if t.shape not in expected:
        raise ValueError(
            f"Metric '{name}' got y_true of shape {t.shape} for y_pred of shape {p.shape}; it "
            f"expects {what}.")


# The built-in per-sample functions by the targets they compare (for _check_shapes).
_LABEL_TARGETS = (sparse_categorical_accuracy, sparse_top_k_categorical_accuracy)
_ONE_HOT_TARGETS = (categorical_accuracy, top_k_categorical_accuracy)
_ELEMENTWISE = (binary_accuracy, mean_squared_error, mean_absolute_error)


class BinaryAccuracy(MeanMetricWrapper):
    """How often a yes/no prediction (``> threshold``) matches the 0/1 target.

    >>> m = BinaryAccuracy()
    >>> m([[1], [0]], [[0.9], [0.8]])
    0.5
    """

    def __init__(self, name: str | None = "binary_accuracy", threshold: float = 0.5) -> None:
        self.threshold = threshold
        super().__init__(binary_accuracy, name, threshold=threshold)

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction matches the argmax of a one-hot target.

    >>> CategoricalAccuracy()([[0, 1]], [[0.3, 0.7]])
    1.0
    """

    def __init__(self, name: str | None = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name)

    def get_config(self):
        return {"name": self.name}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the prediction equals the integer label.

    >>> SparseCategoricalAccuracy()([1], [[0.3, 0.7]])
    1.0
    """

    def __init__(self, name: str | None = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name)

    def get_config(self):
        return {"name": self.name}


class MeanSquaredError(MeanMetricWrapper):
    """Mean squared error as a metric.

    >>> MeanSquaredError()([[0.0, 0.0]], [[1.0, 3.0]])
    5.0
    """

    def __init__(self, name: str | None = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, name)

    def get_config(self):
        return {"name": self.name}


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean absolute error as a metric.

    >>> MeanAbsoluteError()([[0.0, 0.0]], [[1.0, -3.0]])
    2.0
    """

    def __init__(self, name: str | None = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, name)

    def get_config(self):
        return {"name": self.name}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target's class is among the ``k`` highest predictions.

    >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """

    def __init__(self, k: int = 5, name: str | None = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        self.k = k
        super().__init__(top_k_categorical_accuracy, name, k=k)

    def get_config(self):
        return {"name": self.name, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions.

    >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """

    def __init__(self, k: int = 5, name: str | None = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        self.k = k
        super().__init__(sparse_top_k_categorical_accuracy, name, k=k)

    def get_config(self):
        return {"name": self.name, "k": self.k}


# The confusion-matrix metrics and the losses as metrics live in their own files;
# they build on the classes above, so they are imported here, after them.
from nn.confusion_metrics import (  # noqa: E402
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from nn.loss_metrics import (  # noqa: E402
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)

# The metric classes a saved file may name (nn/saving/registry.py).
BUILTIN_METRICS = (
    Mean,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    MeanSquaredError,
    MeanAbsoluteError,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    AUC,
    Precision,
    Recall,
    TruePositives,
    FalsePositives,
    TrueNegatives,
    FalseNegatives,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    LogCoshError,
    CosineSimilarity,
)

register(Mean, kind="metric")
register(BinaryAccuracy, kind="metric")
register(CategoricalAccuracy, kind="metric")
register(SparseCategoricalAccuracy, kind="metric")
register(MeanSquaredError, kind="metric")
register(MeanAbsoluteError, kind="metric")
register(TopKCategoricalAccuracy, kind="metric")
register(SparseTopKCategoricalAccuracy, kind="metric")
register(AUC, kind="metric")
register(Precision, kind="metric")
register(Recall, kind="metric")
register(TruePositives, kind="metric")
register(FalsePositives, kind="metric")
register(TrueNegatives, kind="metric")
register(FalseNegatives, kind="metric")
register(MeanAbsolutePercentageError, kind="metric")
register(MeanSquaredLogarithmicError, kind="metric")
register(RootMeanSquaredError, kind="metric")
register(BinaryCrossentropy, kind="metric")
register(CategoricalCrossentropy, kind="metric")
register(SparseCategoricalCrossentropy, kind="metric")
register(Hinge, kind="metric")
register(SquaredHinge, kind="metric")
register(CategoricalHinge, kind="metric")
register(KLDivergence, kind="metric")
register(Poisson, kind="metric")
register(LogCoshError, kind="metric")
register(CosineSimilarity, kind="metric")

_NAMES: dict[str, type] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "auc": AUC,
    "precision": Precision,
    "recall": Recall,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "root_mean_squared_error": RootMeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "poisson": Poisson,
    "logcosh": LogCoshError,
    "cosine_similarity": CosineSimilarity,
}


def resolve_accuracy(
    loss: Any, true_shape: tuple[int, ...], pred_shape: tuple[int, ...]
) -> type:
    """Which accuracy ``"accuracy"`` means, as Keras decides: from the loss when
    it says (sparse / categorical / binary cross-entropy), else from the shapes:
    one output -> binary; labels with one axis fewer, or a last axis of 1 against
    several outputs -> sparse categorical; otherwise categorical."""
    loss_name = getattr(loss, "name", loss if isinstance(loss, str) else "")
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy
    if loss_name == "binary_crossentropy":
        return BinaryAccuracy
    if pred_shape[-1:] == (1,):
        return BinaryAccuracy
    if len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1] > 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def get(
    identifier: Any,
    loss: Any = None,
    true_shape: tuple[int, ...] | None = None,
    pred_shape: tuple[int, ...] | None = None,
) -> Metric:
    """A Metric from a name, a Metric (returned as is), a Metric class or a
    function ``(y_true, y_pred) -> per-sample values``. ``"accuracy"``/``"acc"``
    need the loss and the shapes (see ``resolve_accuracy``); the metric keeps
    the name you wrote.

    >>> import nn
    >>> nn.metrics.get("accuracy", "sparse_categorical_crossentropy", (4,), (4, 10))
    <SparseCategoricalAccuracy name=accuracy>
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):  # any case, as in Keras
            if pred_shape is None:
                raise ValueError(
                    "'accuracy' is resolved from the shapes of the targets and predictions; "
                    "pass true_shape and pred_shape, or use a specific metric such as "
                    "nn.metrics.SparseCategoricalAccuracy()."
                )
            return resolve_accuracy(loss, true_shape or (), pred_shape)(name=identifier)
        cls = _NAMES.get(identifier)
        if cls is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier}. Known names: "
                f"{sorted(list(_NAMES) + ['accuracy', 'acc'])}; or pass a Metric object or a "
                "function (y_true, y_pred) -> per-sample values."
            )
        return cls(name=identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}.")
