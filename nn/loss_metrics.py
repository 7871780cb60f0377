"""The losses, watched as metrics: averaged over an epoch, never differentiated.

Each is ``MeanMetricWrapper`` around the loss function of the same name in
``nn.losses`` (run outside the graph), so a metric and its loss always agree.
Two differ from their loss, as in Keras: ``RootMeanSquaredError`` is the square
root of the epoch's mean squared error (not a mean of per-batch roots), and
``CosineSimilarity`` is the cosine itself (the loss is its negative).

>>> import nn
>>> m = nn.metrics.RootMeanSquaredError()
>>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
>>> m.result()
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from nn import losses
from nn.metrics import Mean, MeanMetricWrapper, _array, _check_shapes, mean_squared_error

__all__ = [
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
]


def _outside_the_graph(loss_function: Callable) -> Callable:
    """``loss_function`` on arrays, returning per-sample values as a NumPy array."""

    def per_sample(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        with autograd.no_grad():
            # float32, as Keras's metrics compute: the clip at 1 - 1e-7 depends on it.
            pred = autograd.tensor(np.asarray(_array(y_pred), dtype=np.float32))
            return loss_function(y_true, pred, **kwargs).numpy()

    per_sample.__name__ = loss_function.__name__
    return per_sample


class _LossMetric(MeanMetricWrapper):
    """The mean of a loss function's per-sample values; ``options`` are its keywords."""

    loss_function: Callable = staticmethod(losses.mean_squared_error)
    default_name = "loss"

    def __init__(self, name: str | None = None, dtype: Any = None, **options: Any) -> None:
        self.options = options
        super().__init__(_outside_the_graph(type(self).loss_function),
                         name or self.default_name, **options)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.options}


class MeanAbsolutePercentageError(_LossMetric):
    """Mean absolute error in percent of the target. ``metrics=["mape"]``."""

    loss_function = staticmethod(losses.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_LossMetric):
    """Squared error of ``log(1 + y)``. ``metrics=["msle"]``."""

    loss_function = staticmethod(losses.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class BinaryCrossentropy(_LossMetric):
    """Binary cross-entropy as a metric (``from_logits``, ``label_smoothing``)."""

    loss_function = staticmethod(losses.binary_crossentropy)
    default_name = "binary_crossentropy"

    def __init__(self, name: str | None = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LossMetric):
    """Categorical cross-entropy as a metric (``from_logits``, ``label_smoothing``)."""

    loss_function = staticmethod(losses.categorical_crossentropy)
    default_name = "categorical_crossentropy"

    def __init__(self, name: str | None = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(_LossMetric):
    """Sparse categorical cross-entropy as a metric (``from_logits``)."""

    loss_function = staticmethod(losses.sparse_categorical_crossentropy)
    default_name = "sparse_categorical_crossentropy"

    def __init__(self, name: str | None = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False) -> None:
        super().__init__(name, dtype, from_logits=from_logits)


class Hinge(_LossMetric):
    """The hinge loss as a metric."""

    loss_function = staticmethod(losses.hinge)
    default_name = "hinge"


class SquaredHinge(_LossMetric):
    """The squared hinge loss as a metric."""

    loss_function = staticmethod(losses.squared_hinge)
    default_name = "squared_hinge"


class CategoricalHinge(_LossMetric):
    """The categorical hinge loss as a metric."""

    loss_function = staticmethod(losses.categorical_hinge)
    default_name = "categorical_hinge"


class KLDivergence(_LossMetric):
    """Kullback-Leibler divergence as a metric."""

    loss_function = staticmethod(losses.kl_divergence)
    default_name = "kl_divergence"


class Poisson(_LossMetric):
    """The Poisson loss as a metric."""

    loss_function = staticmethod(losses.poisson)
    default_name = "poisson"


class LogCoshError(_LossMetric):
    """``log(cosh(error))`` as a metric (Keras names it ``logcosh``)."""

    loss_function = staticmethod(losses.log_cosh)
    default_name = "logcosh"


def _cosine(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    return -_outside_the_graph(losses.cosine_similarity)(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine of the angle between target and prediction (1 = same way).

    >>> import nn
    >>> nn.metrics.CosineSimilarity()([[0.0, 1.0]], [[0.0, 5.0]])
    1.0
    """

    def __init__(self, name: str | None = "cosine_similarity", dtype: Any = None,
                 axis: int = -1) -> None:
        self.axis = axis
        super().__init__(_cosine, name, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "axis": self.axis}


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over everything seen so far.

    >>> import nn
    >>> nn.metrics.RootMeanSquaredError()([[0.0, 0.0]], [[3.0, 4.0]])  # sqrt(12.5)
    3.5355339059327378
    """

    def __init__(self, name: str | None = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        p = np.asarray(_array(y_pred), dtype=np.float64)
        t = np.asarray(_array(y_true), dtype=np.float64)
        if t.shape != p.shape and t.size == p.size:
            t = t.reshape(p.shape)
        _check_shapes(self.name, mean_squared_error, t, p)  # the same shapes as MSE takes
        super().update_state((p - t) ** 2, sample_weight)

    def result(self) -> float:
        return float(np.sqrt(super().result()))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}
