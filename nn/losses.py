"""Losses: how far the predictions are from the targets, as one differentiable number.

Each loss exists three ways, as in Keras:

- a class (``MeanSquaredError()``), which reduces to one number and accepts
  ``sample_weight``; ``model.compile(loss=...)`` uses these;
- a function (``mean_squared_error(y_true, y_pred)``) that returns one value per
  sample (the last axis is reduced);
- a name (``"mse"``, ``"mean_squared_error"``), resolved by ``get``.

Any callable ``(y_true, y_pred) -> Tensor`` works as a custom loss.

``y_pred`` is an autograd Tensor (the model's output); ``y_true`` may be a
NumPy array, a list or a Tensor. Cross-entropies are computed stably: from
logits with the fused autograd ops (finite for logits of +-1000), from
probabilities by clipping to ``[1e-7, 1 - 1e-7]`` as Keras does.

>>> import numpy as np, autograd, nn
>>> loss = nn.losses.MeanSquaredError()
>>> loss(np.array([[0.0], [1.0]]), autograd.tensor([[1.0], [1.0]])).item()
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.naming import snake_case
from nn.saving.registry import register

__all__ = [
    "reduce_weighted",
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "log_cosh",
    "kl_divergence",
    "poisson",
    "cosine_similarity",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "Loss",
    "LossFunctionWrapper",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "LogCosh",
    "KLDivergence",
    "Poisson",
    "CosineSimilarity",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "Reduction",
    "mse",
    "mae",
    "mape",
    "msle",
    "kld",
    "get",
    "BUILTIN_LOSSES",
]

EPSILON = 1e-7  # Keras's backend.epsilon(): the clip for probabilities

# Keras 3's reductions; "auto" is tf.keras's name for the default.
REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight",
              "auto")


class Reduction:
    """tf.keras's names for the reductions (``reduction=nn.losses.Reduction.SUM``);
    Keras 3 spells them as strings, which work too."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    MEAN = "mean"
    MEAN_WITH_SAMPLE_WEIGHT = "mean_with_sample_weight"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE, cls.MEAN,
                cls.MEAN_WITH_SAMPLE_WEIGHT)


# ---------------------------------------------------------------- helpers


def _as_pred(y_pred: Any) -> Tensor:
    return y_pred if isinstance(y_pred, Tensor) else autograd.tensor(np.asarray(y_pred))


def _as_true(y_true: Any) -> np.ndarray:
    return y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)


def _float_targets(y_true: Any, y_pred: Tensor, loss_name: str) -> np.ndarray:
    """Targets as floats of y_pred's dtype and y_pred's shape: a missing or extra
    trailing axis of size 1 is fixed, as Keras does; anything else is an error."""
    t = _as_true(y_true)
    if t.dtype.kind not in "fiub":
        raise TypeError(f"{loss_name}: targets must be numbers, but got dtype {t.dtype}.")
    t = t.astype(y_pred.dtype, copy=False)
    if t.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        t = t[..., None]
    elif t.ndim == y_pred.ndim + 1 and t.shape[-1] == 1:
        t = t[..., 0]
    if t.shape != y_pred.shape:
        raise ValueError(_shape_message(loss_name, t.shape, y_pred.shape))
    return t


def _shape_message(loss_name: str, true_shape: tuple, pred_shape: tuple) -> str:
    msg = (
        f"{loss_name}: the targets have shape {true_shape} but the predictions have shape "
        f"{pred_shape}; they must match."
    )
    if "categorical" in loss_name and len(true_shape) in (1, 2) and (
        len(true_shape) == 1 or true_shape[-1] == 1
    ):
        msg += (
            " These look like integer class labels: use "
            "loss='sparse_categorical_crossentropy', or one-hot encode them with "
            f"nn.utils.to_categorical(y, num_classes={pred_shape[-1]})."
        )
    return msg


def _sparse_labels(y_true: Any, y_pred: Tensor, loss_name: str) -> np.ndarray:
    """Integer labels of shape y_pred.shape[:-1] (a trailing axis of 1 is dropped)."""
    t = _as_true(y_true)
    expected = y_pred.shape[:-1]
    if t.shape == expected + (1,):
        t = t[..., 0]
    if t.shape != expected:
        hint = ""
        if t.shape == y_pred.shape:
            hint = (
                " These look like one-hot labels: use loss='categorical_crossentropy', or "
                "turn them into class numbers with y.argmax(axis=-1)."
            )
        raise ValueError(
            f"{loss_name}: expected integer class labels of shape {expected} (or "
            f"{expected + (1,)}) for predictions of shape {y_pred.shape}, but the labels "
            f"have shape {t.shape}.{hint}"
        )
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError(
                f"{loss_name}: labels must be whole class numbers, but got fractional values "
                "(probabilities or one-hot rows need loss='categorical_crossentropy')."
            )
        t = t.astype(np.int64)
    elif t.dtype.kind not in "iu":
        raise TypeError(f"{loss_name}: labels must be integers, but got dtype {t.dtype}.")
    n_classes = y_pred.shape[-1]
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(
            f"{loss_name}: labels must be in [0, {n_classes - 1}] for a model with "
            f"{n_classes} outputs, but they range over [{t.min()}, {t.max()}]. Check the "
            "number of units of the last layer."
        )
    return t


def reduce_weighted(values: Tensor, sample_weight: Any, reduction: str | None) -> Tensor:
    """Weight per-sample losses and reduce them as Keras does:
    ``sum_over_batch_size`` (also ``mean``) = sum(values * weights) / number of
    values; ``mean_with_sample_weight`` divides by the sum of the weights instead;
    ``sum``; ``none`` keeps one value per sample."""
    w = None
    if sample_weight is not None:
        w = np.asarray(_as_true(sample_weight), dtype=values.dtype)
        while w.ndim > values.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        while w.ndim < values.ndim:
            w = w[..., None]
        values = values * w
    if reduction in ("sum_over_batch_size", "mean", "auto"):
        return values.mean()
    if reduction == "mean_with_sample_weight":
        # Divided by the total weight instead of the count (0 when nothing weighs).
        total = float(np.broadcast_to(w, values.shape).sum()) if w is not None else values.size
        return values.sum() / total if total else values.sum() * 0.0
    if reduction == "sum":
        return values.sum()
    return values  # "none" / None: one value per sample


# ---------------------------------------------------------------- functions
# Each returns one loss per sample: the last axis is reduced.


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean((y_true - y_pred)**2, axis=-1)``."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "mean_squared_error")
    return ((y_pred - t) ** 2).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(|y_true - y_pred|, axis=-1)``."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "mean_absolute_error")
    return (y_pred - t).abs().mean(axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """``0.5 * e**2`` where ``|e| <= delta``, else ``delta * |e| - 0.5 * delta**2``;
    averaged over the last axis (``e = y_pred - y_true``)."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "huber")
    error = y_pred - t
    abs_error = error.abs()
    quadratic = 0.5 * error * error
    linear = delta * abs_error - 0.5 * delta * delta
    return autograd.where(abs_error.data <= delta, quadratic, linear).mean(axis=-1)


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0
) -> Tensor:
    """Cross-entropy of independent yes/no outputs, averaged over the last axis."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return autograd.sigmoid_cross_entropy(y_pred, t).mean(axis=-1)
    p = autograd.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return -(t * p.log() + (1.0 - t) * (1.0 - p).log()).mean(axis=-1)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Cross-entropy against one-hot (or probability) targets."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    if from_logits:
        return autograd.softmax_cross_entropy(y_pred, t, axis=axis)
    # Probabilities: renormalise, clip away from 0 and 1, then -sum(t * log p).
    p = y_pred / y_pred.sum(axis=axis, keepdims=True)
    p = autograd.clip(p, EPSILON, 1.0 - EPSILON)
    return -(t * p.log()).sum(axis=axis)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False
) -> Tensor:
    """Cross-entropy against integer class labels (one per sample)."""
    y_pred = _as_pred(y_pred)
    labels = _sparse_labels(y_true, y_pred, "sparse_categorical_crossentropy")
    if from_logits:
        return autograd.sparse_softmax_cross_entropy(y_pred, labels)
    return autograd.sparse_crossentropy_from_probabilities(y_pred, labels, epsilon=EPSILON)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)``."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(t), EPSILON)  # a constant: no gradient flows into y_true
    return 100.0 * ((t - y_pred).abs() / scale).mean(axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean((log(1 + max(y_pred, 1e-7)) - log(1 + max(y_true, 1e-7)))**2, axis=-1)``."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "mean_squared_logarithmic_error")
    first = (autograd.maximum(y_pred, EPSILON) + 1.0).log()
    second = np.log(np.maximum(t, EPSILON) + 1.0)
    return ((first - second) ** 2).mean(axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as
    ``e + softplus(-2e) - log 2`` so that large errors do not overflow ``cosh``."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "log_cosh")
    error = y_pred - t
    return (error + autograd.softplus(-2.0 * error) - np.log(2.0)).mean(axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[1e-7, 1]``."""
    y_pred = _as_pred(y_pred)
    t = np.clip(_float_targets(y_true, y_pred, "kl_divergence"), EPSILON, 1.0)
    p = autograd.clip(y_pred, EPSILON, 1.0)
    return (t * (np.log(t) - p.log())).sum(axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``: for count targets."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "poisson")
    return (y_pred - t * (y_pred + EPSILON).log()).mean(axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 when the
    vectors point the same way (a loss to minimise), 0 when orthogonal."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "cosine_similarity")
    t = t / np.sqrt(np.maximum((t * t).sum(axis=axis, keepdims=True), 1e-12))
    norm = autograd.sqrt(autograd.maximum((y_pred * y_pred).sum(axis=axis, keepdims=True),
                                          1e-12))
    return -((y_pred / norm) * t).sum(axis=axis)


def _signed_targets(y_true: Any, y_pred: Tensor, loss_name: str) -> np.ndarray:
    """Hinge targets are -1 or 1; 0/1 targets are mapped to -1/1, as Keras does."""
    t = _float_targets(y_true, y_pred, loss_name)
    if np.all((t == 0) | (t == 1)):
        t = 2.0 * t - 1.0
    return t


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``, targets -1/1 (or 0/1)."""
    y_pred = _as_pred(y_pred)
    t = _signed_targets(y_true, y_pred, "hinge")
    return autograd.relu(1.0 - t * y_pred).mean(axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``, targets -1/1 (or 0/1)."""
    y_pred = _as_pred(y_pred)
    t = _signed_targets(y_true, y_pred, "squared_hinge")
    return (autograd.relu(1.0 - t * y_pred) ** 2).mean(axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` for one-hot
    targets: the best wrong score must stay 1 below the right one."""
    y_pred = _as_pred(y_pred)
    t = _float_targets(y_true, y_pred, "categorical_hinge")
    positive = (t * y_pred).sum(axis=-1)
    negative = ((1.0 - t) * y_pred).max(axis=-1)
    return autograd.relu(negative - positive + 1.0)


# ---------------------------------------------------------------- classes


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``.

    Subclasses define ``call(y_true, y_pred)`` returning one loss per sample;
    ``__call__`` applies the sample weights and the ``reduction``
    (``"sum_over_batch_size"``, the default, ``"sum"`` or ``"none"``).
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size"):
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"Invalid reduction {reduction!r}; expected one of {list(REDUCTIONS)}."
            )
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        return reduce_weighted(self.call(y_true, _as_pred(y_pred)), sample_weight, self.reduction)

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """Turn a per-sample function ``fn(y_true, y_pred)`` into a Loss (custom losses)."""

    def __init__(self, fn: Callable, name: str | None = None, reduction: str | None =
                 "sum_over_batch_size", **kwargs: Any) -> None:
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction)
        self.fn = fn
        self.fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        out = self.fn(y_true, y_pred, **self.fn_kwargs)
        return out if isinstance(out, Tensor) else autograd.tensor(np.asarray(out))


class MeanSquaredError(Loss):
    """Mean of squared differences. ``loss="mse"``.

    >>> import autograd, nn
    >>> nn.losses.MeanSquaredError()([[1.0, 2.0]], autograd.tensor([[1.0, 4.0]])).item()
    2.0
    """

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """Mean of absolute differences. ``loss="mae"``.

    >>> import autograd, nn
    >>> nn.losses.MeanAbsoluteError()([[1.0, 2.0]], autograd.tensor([[1.0, 4.0]])).item()
    1.0
    """

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    """Squared error for small errors, absolute error beyond ``delta``.

    >>> import autograd, nn
    >>> nn.losses.Huber(delta=1.0)([[0.0]], autograd.tensor([[3.0]])).item()
    2.5
    """

    def __init__(self, delta: float = 1.0, name: str | None = "huber_loss",
                 reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(name, reduction)
        self.delta = delta

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy for sigmoid outputs (or logits, ``from_logits=True``).

    >>> import autograd, nn
    >>> loss = nn.losses.BinaryCrossentropy(from_logits=True)
    >>> round(loss([[1.0]], autograd.tensor([[0.0]])).item(), 4)  # log 2
    0.6931
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 name: str | None = None, reduction: str | None = "sum_over_batch_size"):
        super().__init__(name, reduction)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(Loss):
    """Cross-entropy against one-hot targets, for softmax outputs (or logits).

    >>> import autograd, nn
    >>> loss = nn.losses.CategoricalCrossentropy()
    >>> round(loss([[0.0, 1.0]], autograd.tensor([[0.5, 0.5]])).item(), 4)
    0.6931
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(name, reduction)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def call(self, y_true, y_pred):
        return categorical_crossentropy(
            y_true, y_pred, self.from_logits, self.label_smoothing, self.axis
        )

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy against integer class labels, for softmax outputs (or logits).

    >>> import autograd, nn
    >>> loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> round(loss([1], autograd.tensor([[0.0, 0.0]])).item(), 4)
    0.6931
    """

    def __init__(self, from_logits: bool = False, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(name, reduction)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


class _PerSampleLoss(Loss):
    """A Loss that applies one of the per-sample functions above (``function``)."""

    function: Callable = staticmethod(mean_squared_error)

    def call(self, y_true, y_pred):
        return type(self).function(y_true, y_pred)


class MeanAbsolutePercentageError(_PerSampleLoss):
    """Mean absolute error in percent of the target. ``loss="mape"``.

    >>> import autograd, nn
    >>> nn.losses.MeanAbsolutePercentageError()([[2.0, 4.0]], autograd.tensor([[1.0, 5.0]])).item()
    37.5
    """

    function = staticmethod(mean_absolute_percentage_error)


class MeanSquaredLogarithmicError(_PerSampleLoss):
    """Squared error of ``log(1 + y)``: relative errors count, not sizes. ``loss="msle"``.

    >>> import numpy as np, autograd, nn
    >>> e = np.e - 1.0
    >>> round(nn.losses.MeanSquaredLogarithmicError()([[0.0]], autograd.tensor([[e]])).item(), 4)
    1.0
    """

    function = staticmethod(mean_squared_logarithmic_error)


class LogCosh(_PerSampleLoss):
    """``log(cosh(error))``: like squared error for small errors, like absolute error
    for large ones, smooth everywhere. ``loss="log_cosh"``.

    >>> import autograd, nn
    >>> round(nn.losses.LogCosh()([[0.0]], autograd.tensor([[1.0]])).item(), 6)
    0.433781
    """

    function = staticmethod(log_cosh)


class KLDivergence(_PerSampleLoss):
    """Kullback-Leibler divergence of the predicted distribution from the target's.
    ``loss="kld"``.

    >>> import autograd, nn
    >>> round(nn.losses.KLDivergence()([[0.5, 0.5]], autograd.tensor([[0.25, 0.75]])).item(), 6)
    0.143841
    """

    function = staticmethod(kl_divergence)


class Poisson(_PerSampleLoss):
    """The Poisson negative log-likelihood (without its constant), for counts.

    >>> import autograd, nn
    >>> round(nn.losses.Poisson()([[2.0]], autograd.tensor([[1.0]])).item(), 6)
    1.0
    """

    function = staticmethod(poisson)


class CosineSimilarity(Loss):
    """Minus the cosine of the angle between target and prediction along ``axis``.

    >>> import autograd, nn
    >>> nn.losses.CosineSimilarity()([[0.0, 2.0]], autograd.tensor([[0.0, 3.0]])).item()
    -1.0
    """

    def __init__(self, axis: int = -1, name: str | None = "cosine_similarity",
                 reduction: str | None = "sum_over_batch_size") -> None:
        super().__init__(name, reduction)
        self.axis = axis

    def call(self, y_true, y_pred):
        return cosine_similarity(y_true, y_pred, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Hinge(_PerSampleLoss):
    """The SVM's hinge loss, targets -1/1 (0/1 are mapped). ``loss="hinge"``.

    >>> import autograd, nn
    >>> nn.losses.Hinge()([[1.0, 0.0]], autograd.tensor([[0.5, 0.5]])).item()
    1.0
    """

    function = staticmethod(hinge)


class SquaredHinge(_PerSampleLoss):
    """The hinge loss squared. ``loss="squared_hinge"``.

    >>> import autograd, nn
    >>> nn.losses.SquaredHinge()([[1.0, 0.0]], autograd.tensor([[0.5, 0.5]])).item()
    1.25
    """

    function = staticmethod(squared_hinge)


class CategoricalHinge(_PerSampleLoss):
    """The multi-class hinge loss on one-hot targets. ``loss="categorical_hinge"``.

    >>> import autograd, nn
    >>> nn.losses.CategoricalHinge()([[0.0, 1.0]], autograd.tensor([[0.8, 0.3]])).item()
    1.5
    """

    function = staticmethod(categorical_hinge)


# The loss classes a saved file may name (nn/saving/registry.py).
BUILTIN_LOSSES = (
    MeanSquaredError,
    MeanAbsoluteError,
    Huber,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    LogCosh,
    KLDivergence,
    Poisson,
    CosineSimilarity,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
)

register(MeanSquaredError, kind="loss")
register(MeanAbsoluteError, kind="loss")
register(Huber, kind="loss")
register(BinaryCrossentropy, kind="loss")
register(CategoricalCrossentropy, kind="loss")
register(SparseCategoricalCrossentropy, kind="loss")
register(MeanAbsolutePercentageError, kind="loss")
register(MeanSquaredLogarithmicError, kind="loss")
register(LogCosh, kind="loss")
register(KLDivergence, kind="loss")
register(Poisson, kind="loss")
register(CosineSimilarity, kind="loss")
register(Hinge, kind="loss")
register(SquaredHinge, kind="loss")
register(CategoricalHinge, kind="loss")

# Keras's names and aliases.
_NAMES: dict[str, type] = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "log_cosh": LogCosh,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "kullback_leibler_divergence": KLDivergence,
    "poisson": Poisson,
    "cosine_similarity": CosineSimilarity,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
}

# Short names for the functions, as in Keras (nn.losses.mse(y_true, y_pred)).
mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
kld = kl_divergence


def get(identifier: Any) -> Loss:
    """A Loss from a name (``"mse"``), a Loss (returned as is), a Loss class, or
    any callable ``(y_true, y_pred)`` (wrapped so that it is averaged).

    >>> import nn
    >>> nn.losses.get("sparse_categorical_crossentropy")
    <SparseCategoricalCrossentropy name=sparse_categorical_crossentropy>
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier)
        if cls is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. Known names: "
                f"{sorted(_NAMES)}; or pass a Loss object or a function (y_true, y_pred)."
            )
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Pass a name such as 'mse', "
        "a Loss object, or a function (y_true, y_pred) -> per-sample losses."
    )
