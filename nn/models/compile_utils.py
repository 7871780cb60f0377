"""What ``compile`` sets up for a model with several outputs: one loss, weight and
list of metrics per output, matched to the outputs as Keras matches them.

- ``loss``: one loss for every output, a list (one per output, in order) or a dict
  keyed by output-layer name (an output left out is not trained);
- ``loss_weights``: a list or dict of numbers; the loss minimised is
  ``sum(weight_i * loss_i)``;
- ``metrics``: for one output a list; for several, a list of lists or a dict
  ``{name: metric or [metrics]}``.
- targets (``y``) and sample weights: one per output, as a list in output order or
  a dict keyed by output name.

Logs are named as Keras names them: ``loss`` (the weighted total), and with several
outputs ``<output>_loss`` (each output's own loss, unweighted) and
``<output>_<metric>``.

>>> import nn
>>> losses = CompiledLoss({"price": "mse", "kind": "sparse_categorical_crossentropy"},
...                       {"price": 1.0, "kind": 0.5}, ["price", "kind"])
>>> [type(loss).__name__ for loss in losses.losses], losses.weights
(['MeanSquaredError', 'SparseCategoricalCrossentropy'], [1.0, 0.5])
"""

from __future__ import annotations

from typing import Any

from nn import losses as losses_module
from nn import metrics as metrics_module


def per_output(value: Any, names: list[str], what: str, allow_single: bool = True) -> list:
    """``value`` as a list with one entry per output: a dict by name, a list or tuple
    in order, or (``allow_single``) one value used for every output."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"{what} names outputs {unknown}, but the model's outputs are "
                             f"{names}. Use the names of the output layers.")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"{what} has {len(value)} entries but the model has {len(names)} "
                             f"outputs {names}; give one per output, or a dict by name.")
        return list(value)
    if not allow_single and len(names) > 1:
        raise ValueError(f"{what} must be a list or dict with one entry per output {names}.")
    return [value] * len(names) if len(names) > 1 else [value]


class CompiledLoss:
    """The loss of each output and its weight."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.output_names = list(output_names)
        given = per_output(loss, self.output_names, "compile(loss=...)")
        self.losses = [None if item is None else losses_module.get(item) for item in given]
        if loss_weights is None:
            weights = [1.0] * len(self.output_names)
        else:
            weights = per_output(loss_weights, self.output_names, "compile(loss_weights=...)",
                                 allow_single=len(self.output_names) == 1)
        self.weights = []
        for name, weight in zip(self.output_names, weights, strict=True):
            weight = 1.0 if weight is None else weight
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
                raise ValueError(f"compile(loss_weights=...): the weight of output '{name}' "
                                 f"must be a number >= 0, got {weight!r}.")
            self.weights.append(float(weight))

    @property
    def active(self) -> bool:
        return any(loss is not None for loss in self.losses)

    def first(self) -> Any:
        """The loss of the first output that has one (``model.loss`` for one output)."""
        return next((loss for loss in self.losses if loss is not None), None)

    def __call__(self, y_true: list, y_pred: list, sample_weight: list) -> tuple[Any, list]:
        """The weighted total and each output's own loss (None where it has none)."""
        total, parts = None, []
        for loss, weight, name, t, p, w in zip(self.losses, self.weights, self.output_names,
                                               y_true, y_pred, sample_weight, strict=True):
            if loss is None:
                parts.append(None)
                continue
            if t is None:
                raise ValueError(f"fit/evaluate got no targets for output '{name}', which has a "
                                 f"loss ({loss.name}). Pass y for every output with a loss, as "
                                 "a list in output order or a dict by output name.")
            value = loss(t, p, w)
            parts.append(value)
            term = value if weight == 1.0 else value * weight
            total = term if total is None else total + term
        return total, parts


def metric_identifiers(metrics: Any, output_names: list[str]) -> list[list]:
    """The metric identifiers of each output."""
    if metrics is None or (isinstance(metrics, (list, tuple, dict)) and not metrics):
        return [[] for _ in output_names]  # [] and {} also mean: no metrics
    if len(output_names) == 1:
        if isinstance(metrics, dict):
            return [_as_list(per_output(metrics, output_names, "compile(metrics=...)")[0])]
        return [list(metrics)]
    if isinstance(metrics, dict):
        return [_as_list(m) for m in per_output(metrics, output_names, "compile(metrics=...)")]
    if isinstance(metrics, (list, tuple)) and all(isinstance(m, (list, tuple)) or m is None
                                                  for m in metrics):
        return [_as_list(m) for m in per_output(metrics, output_names, "compile(metrics=...)")]
    raise ValueError(
        f"This model has {len(output_names)} outputs {output_names}: give compile(metrics=...) "
        "as a dict by output name, e.g. {" + f"'{output_names[0]}': ['mae']" + "}, or a list "
        "with one list per output, e.g. [['mae'], ['accuracy']] (as Keras 3 requires).")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def build_metrics(identifiers: list[list], losses: list, output_names: list[str],
                  true_shapes: list, pred_shapes: list,
                  weighted_identifiers: list[list] | None = None) -> tuple[list, list]:
    """Metric objects per output, named ``<output>_<metric>`` when there are several
    outputs; "accuracy" is resolved per output from its loss and shapes. Returns the
    unweighted metrics and the weighted ones (``weighted_metrics=``); a weighted
    metric whose name is taken becomes ``weighted_<name>``, as in Keras 3."""
    several = len(output_names) > 1
    weighted_identifiers = weighted_identifiers or [[] for _ in output_names]

    def make(all_ids: list[list], prefix_if_taken: set | None) -> list[list]:
        built = []
        for ids, loss, name, true_shape, pred_shape in zip(
                all_ids, losses, output_names, true_shapes, pred_shapes, strict=True):
            metrics = [metrics_module.get(i, loss, true_shape, pred_shape) for i in ids]
            for metric in metrics:
                if prefix_if_taken is not None and (
                        (f"{name}_{metric.name}" if several else metric.name) in prefix_if_taken):
                    metric.name = f"weighted_{metric.name}"
                if several:
                    metric.name = f"{name}_{metric.name}"
            built.append(metrics)
        return built

    unweighted = make(identifiers, None)
    taken = {m.name for ms in unweighted for m in ms}
    weighted = make(weighted_identifiers, taken)
    names = [m.name for ms in unweighted + weighted for m in ms]
    reserved = {"loss"} | {f"{n}_loss" for n in output_names} if several else {"loss"}
    clashes = sorted({n for n in names if names.count(n) > 1 or n in reserved})
    if clashes:
        raise ValueError(
            f"Two metrics would be logged under the same name {clashes}; give them different "
            "names, e.g. nn.metrics.MeanSquaredError(name='mse_2').")
    return unweighted, weighted
