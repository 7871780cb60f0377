"""Training: ``compile``, ``fit``, ``evaluate``, ``predict`` for every Model.

``Trainer`` is a mixin that ``nn.Model`` (and so ``nn.Sequential``) inherits.
Everything a learner wants to read is here, in plain loops:

- ``train_step``: forward, loss, backward, optimizer step, metrics - one batch;
- ``fit``: batches -> ``train_step`` -> callbacks -> progress bar, per epoch;
- ``test_step`` / ``evaluate`` and ``predict_step`` / ``predict``.

Override ``train_step`` to change what one step does; ``fit`` keeps working.
Helpers live elsewhere: batching in ``nn/utils/data.py``, the progress bar in
``nn/utils/progbar.py``, callbacks in ``nn/callbacks.py``, files in ``nn/saving``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import autograd
import optim
from autograd import Tensor
from nn import callbacks as callbacks_module
from nn import metrics as metrics_module
from nn.models import arguments
from nn.utils import data as data_utils


class Trainer:
    """compile / fit / evaluate / predict, mixed into ``nn.Model``.

    Examples
    --------
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
    ...               metrics=["accuracy"])                      # doctest: +SKIP
    >>> history = model.fit(x, y, epochs=5, validation_split=0.2)  # doctest: +SKIP
    >>> loss, acc = model.evaluate(x_test, y_test)               # doctest: +SKIP
    """

    # Set by compile(); class-level defaults so that the mixin needs no __init__.
    optimizer: Any = None
    loss: Any = None
    compiled: bool = False
    stop_training: bool = False

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, weighted_metrics: Any = None,
                run_eagerly: Any = None, steps_per_execution: Any = None,
                jit_compile: Any = None) -> None:
        """Choose the optimizer, the loss and the metrics to train with.

        Parameters
        ----------
        optimizer : str or optim.Optimizer, default "rmsprop"
            A name ("adam", "sgd", ...) or an optimizer object (``optim.Adam(1e-3)``).
        loss : str, nn.losses.Loss or callable; or a list or dict of them
            A name ("mse", "sparse_categorical_crossentropy", ...), a Loss, or
            any function ``(y_true, y_pred) -> per-sample losses``. For a model
            with several outputs: one per output, as a list in output order or a
            dict keyed by output-layer name (``compile_utils.py``).
        metrics : list, optional
            Names ("accuracy", "mae", ...), Metric objects or functions; with several
            outputs, a list of lists or a dict by output name.
        loss_weights : list or dict, optional
            How much each output's loss counts in the total (1 each by default).
        weighted_metrics : list, optional
            Metrics (in the forms ``metrics`` takes) that weigh each sample by
            ``sample_weight`` / ``class_weight``, as the loss does; ``metrics`` are
            unweighted. A weighted metric whose name is taken is logged as
            ``weighted_<name>``, as Keras 3 does.
        run_eagerly, steps_per_execution, jit_compile
            Accepted so that Keras code runs; gradstack always runs eagerly, one
            step at a time, so they change nothing.
        """
        from nn.models.compile_utils import CompiledLoss, metric_identifiers

        self.optimizer = optim.get(optimizer)
        for argument, given in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if given is not None and not isinstance(given, (list, tuple, dict)):
                raise TypeError(
                    f"{argument} must be a list, e.g. {argument}=['accuracy'], but got "
                    f"{given!r}.")
        names = self._output_names()
        self._compiled_loss = CompiledLoss(loss, loss_weights, names)
        # One output: model.loss is its Loss, as before; several: the list per output.
        self.loss = self._compiled_loss.losses[0] if len(names) == 1 else (
            self._compiled_loss.losses if self._compiled_loss.active else None)
        # Kept as given: "accuracy" can only be resolved once shapes are known.
        self._metric_identifiers = list(metrics or []) if not isinstance(metrics, dict) \
            else metrics
        self._output_metric_identifiers = metric_identifiers(metrics, names)
        self._output_weighted_metric_identifiers = metric_identifiers(weighted_metrics, names)
        # As given (per output: a list or a dict by name), for saving (nn/saving).
        self._compile_arguments = {"loss": loss, "loss_weights": loss_weights,
                                   "metrics": metrics, "weighted_metrics": weighted_metrics}
        self._compiled_metrics: list[metrics_module.Metric] | None = None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = [metrics_module.Mean(name=f"{name}_loss")
                                      for name in names] if len(names) > 1 else []
        self.compiled = True

    def _output_names(self) -> list[str]:
        """The names of the model's outputs: its output layers' names (one output,
        or a model without a graph, counts as one)."""
        outputs = getattr(self, "_graph_outputs", None)
        nested = getattr(self, "_nested_outputs", None)
        if isinstance(nested, dict) and len(nested) > 1:  # outputs={"name": tensor, ...}
            return list(nested)
        if not outputs or len(outputs) == 1:
            return [getattr(self, "name", "output")] if not outputs else \
                [outputs[0].node.layer.name]
        return [t.node.layer.name for t in outputs]

    def _assert_compiled(self) -> None:
        if not self.compiled:
            raise ValueError(
                "You must call `compile()` before using the model. For example: "
                "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                "metrics=['accuracy'])."
            )

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        """The loss tracker, the compiled metrics (once the first batch ran) and the
        metrics the model's layers keep (``Layer.metrics``)."""
        if not self.compiled:
            return []
        compiled = [self._loss_tracker, *getattr(self, "_output_loss_trackers", []),
                    *(self._compiled_metrics or [])]
        # Then the metrics the layers keep (Layer.metrics), as Keras 3 logs them
        # (a bare Trainer, without Layer, has none).
        kept = getattr(super(), "metrics", [])
        return compiled + [m for m in kept if all(m is not c for c in compiled)]

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # ------------------------------------------------------------------ one step
    def train_step(self, data: tuple) -> dict[str, float]:
        """Train on one batch ``(x, y, sample_weight)``; return the logs so far.

        Five steps: the forward pass with ``training=True`` (dropout on, batch
        statistics updated); the loss, compiled loss plus the layers' penalties
        (``compute_loss``); forget the old gradients and run the backward pass;
        the optimizer's step; the running loss and metrics (``compute_metrics``).
        """
        x, y, sample_weight = data
        # BEGIN SOLUTION hw4.train_step
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return self.compute_metrics(x, y, y_pred, sample_weight, loss)
        # END SOLUTION

    def test_step(self, data: tuple) -> dict[str, float]:
        """Evaluate one batch (``evaluate`` runs this under ``no_grad``)."""
        x, y, sample_weight = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight, loss)

    def predict_step(self, data: tuple) -> Any:
        """The model's output for one batch (``predict`` runs this under ``no_grad``)."""
        x = data[0]
        return self(x, training=False)

    def compute_loss(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The compiled loss plus ``sum(model.losses)`` (regularization). With several
        outputs, the compiled loss is ``sum(loss_weight_i * loss_i)`` over them."""
        total = None
        compiled = getattr(self, "_compiled_loss", None)
        self._last_output_losses = []
        if compiled is not None and compiled.active:
            if y is None:
                raise ValueError(
                    "fit/evaluate got no targets (y=None) but the model was compiled with a "
                    f"loss ({compiled.first().name}). Pass y, e.g. model.fit(x, y)."
                )
            names = compiled.output_names
            preds = _per_output_predictions(y_pred, names)
            if len(names) == 1 and isinstance(y_pred, (list, tuple)):
                raise ValueError(
                    f"The model returned {len(y_pred)} outputs, but compile() saw one output. "
                    "Build the model with nn.Model(inputs, [out_1, out_2, ...]) so that its "
                    "outputs are known, or override train_step.")
            from nn.models.compile_utils import per_output

            targets = per_output(y, names, "y", allow_single=False) if len(names) > 1 else [y]
            weights = per_output(sample_weight, names, "sample_weight") if len(names) > 1 \
                else [sample_weight]
            total, self._last_output_losses = compiled(targets, preds, weights)
        for penalty in self.losses:
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError(
                "The model has no loss to minimise: compile(loss=...) was not given a loss and "
                "no layer adds one. Pass a loss, e.g. model.compile(loss='mse')."
            )
        return total

    def compute_metrics(
        self, x: Any, y: Any, y_pred: Tensor, sample_weight: Any, loss: Tensor
    ) -> dict[str, float]:
        """Add this batch to the running loss and metrics; return their values."""
        names = self._compiled_loss.output_names if hasattr(self, "_compiled_loss") \
            else self._output_names()
        preds = _per_output_predictions(y_pred, names)
        batch_size = preds[0].shape[0] if preds[0].ndim else 1
        self._loss_tracker.update_state(loss.item(), sample_weight=batch_size)
        for tracker, part in zip(getattr(self, "_output_loss_trackers", []),
                                 getattr(self, "_last_output_losses", []), strict=False):
            if part is not None:
                tracker.update_state(part.item(), sample_weight=batch_size)
        if len(names) > 1:
            from nn.models.compile_utils import per_output

            targets = per_output(y, names, "y", allow_single=False) if y is not None \
                else [None] * len(names)
        else:
            targets = [y]
        if self._compiled_metrics is None:
            self._compiled_metrics = self._build_metrics(targets, preds)
        weights = None
        for metric, output, weighted in self._metric_outputs:
            # `metrics=` are unweighted, as in Keras (sample and class weights shape the
            # loss); `weighted_metrics=` weigh each sample as the loss does.
            if not weighted:
                metric.update_state(targets[output], preds[output].data)
                continue
            if weights is None:
                from nn.models.compile_utils import per_output

                weights = per_output(sample_weight, names, "sample_weight") \
                    if len(names) > 1 else [sample_weight]
            metric.update_state(targets[output], preds[output].data, weights[output])
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, float]:
        return {m.name: m.result() for m in self.metrics}

    def _build_metrics(self, targets: list, preds: list) -> list[metrics_module.Metric]:
        from nn.models.compile_utils import build_metrics

        compiled = getattr(self, "_compiled_loss", None)
        names = compiled.output_names if compiled is not None else self._output_names()
        identifiers = getattr(self, "_output_metric_identifiers",
                              [list(self._metric_identifiers)])
        weighted_ids = getattr(self, "_output_weighted_metric_identifiers",
                               [[] for _ in names])
        losses = compiled.losses if compiled is not None else [self.loss]
        per, weighted = build_metrics(identifiers, losses, names,
                                      [np.shape(t) if t is not None else () for t in targets],
                                      [p.shape for p in preds], weighted_ids)
        # Which output each metric watches and whether it is weighted, in log order.
        self._metric_outputs = [(m, i, False) for i, ms in enumerate(per) for m in ms] + \
            [(m, i, True) for i, ms in enumerate(weighted) for m in ms]
        return [m for m, _, _ in self._metric_outputs]

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: list | None = None,
        validation_split: float = 0.0,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        validation_batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_freq: int | list[int] = 1,
    ) -> callbacks_module.History:
        """Train for ``epochs`` passes over ``(x, y)``; returns a ``History``.

        Each epoch: shuffle (with ``autograd.get_generator()``), then for every
        batch run ``train_step`` and the callbacks, then evaluate on the
        validation data, then call ``on_epoch_end`` (where ``EarlyStopping``,
        ``ModelCheckpoint`` ... act).

        Parameters
        ----------
        x : array, or list / dict of arrays (one per model input)
        y : array of targets (one row per sample)
        batch_size : int, default 32
        epochs : int
            Train until this epoch number (counting from ``initial_epoch``).
        verbose : "auto", 0, 1 or 2
            "auto"/1: a progress bar (one clean line per epoch when the output is
            a file or a pipe); 2: one line per epoch; 0: silent.
        callbacks : list of nn.callbacks.Callback
        validation_split : float
            Hold out this fraction of the samples (the last ones, before shuffling).
        validation_data : (x_val, y_val) or (x_val, y_val, sample_weight_val)
            Evaluated at the end of each epoch; overrides ``validation_split``.
        shuffle : bool
        class_weight : dict {class: weight}, optional
            Weighs each sample's loss by the weight of its class (metrics stay
            unweighted, as in Keras).
        sample_weight : array of one weight per sample, optional
        initial_epoch : int
            The epoch to start from, to resume an earlier ``fit``.
        validation_batch_size : int, optional
            Batch size for validation (default: ``batch_size``).
        steps_per_epoch : int, optional
            Batches per epoch (all of them by default). Needed when ``x`` is a
            generator, which cannot say how long it is.
        validation_steps : int, optional
            Batches of the validation data to evaluate (all by default).
        validation_freq : int or list of int
            Validate every ``n`` epochs, or after the epochs listed (counting from 1).

        ``x`` may also yield whole batches, as in Keras: a generator, an
        ``autograd.data.Dataset`` (``tf.data``) or a ``keras.utils.PyDataset`` /
        ``Sequence``-style object, each batch ``x``, ``(x, y)`` or ``(x, y,
        sample_weight)``; ``y`` is then not given.
        """
        self._assert_compiled()
        verbose = _resolve_verbose(verbose)
        split_off = None
        if data_utils.is_batch_source(x):
            if y is not None or sample_weight is not None or validation_split or class_weight:
                raise ValueError(
                    "x yields whole batches (a generator, dataset or PyDataset), so y, "
                    "sample_weight, class_weight and validation_split cannot be given: the "
                    "batches carry their targets and weights. Pass validation_data instead.")
            batches: Any = data_utils.YieldedBatches(x, steps_per_epoch, "x")
            first_x = _cast_floats(batches.first()[0])
        else:
            x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, "fit")
            if validation_data is None and validation_split:
                (x, y, sample_weight), split_off = data_utils.split_validation(
                    (x, y, sample_weight), validation_split
                )
            sample_weight = self._with_class_weight("fit", y, sample_weight, class_weight)
            batches = data_utils.Batches((x, y, sample_weight), batch_size or 32, shuffle)
            if steps_per_epoch is not None:
                batches = data_utils.FirstBatches(batches, steps_per_epoch)
            first_x = x
        val: Any = None
        if validation_data is not None and data_utils.is_batch_source(validation_data):
            val = data_utils.YieldedBatches(validation_data, validation_steps, "validation_data")
        else:
            if validation_data is not None:
                arrays = self._prepare_arrays(*data_utils.unpack_validation_data(validation_data),
                                              "fit")
            else:
                arrays = split_off if validation_split else None
            if arrays is not None:
                val = data_utils.Batches(arrays, validation_batch_size or batch_size or 32, False)
                if validation_steps is not None:
                    val = data_utils.FirstBatches(val, validation_steps)
        validate_after = _validation_epochs(validation_freq, epochs)
        self._make_train_ready(first_x)
        callbacks = self._callback_list(callbacks, verbose, epochs=epochs, steps=len(batches),
                                        training=True)

        self.stop_training = False
        callbacks.on_train_begin()
        # BackupAndRestore may have restored a later epoch to continue from.
        initial_epoch = max(initial_epoch, self.__dict__.pop("_resume_from_epoch", 0))
        epoch_logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs: dict[str, float] = {}
            # A model with nothing to train still runs its batches and reports its losses.
            step_fn = self.train_step if self.trainable_weights else self._untrainable_step
            for step, batch in enumerate(batches):
                callbacks.on_train_batch_begin(step)
                logs = step_fn(_cast_batch(batch))
                callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and epoch + 1 in validate_after:
                # The validation runs the test hooks, as in Keras.
                val_logs = self._evaluate_batches(val, callbacks)
                epoch_logs.update({"val_" + name: value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks.on_train_end(epoch_logs)
        return callbacks.history

    def _batches_to_run(self, x: Any, y: Any, sample_weight: Any, batch_size: Any,
                        steps: int | None, what: str) -> Any:
        """evaluate's batches: yielded by ``x`` itself, or cut from the arrays."""
        if data_utils.is_batch_source(x):
            if y is not None or sample_weight is not None:
                raise ValueError(f"x yields whole batches, so {what}() takes no y or "
                                 "sample_weight: the batches carry them.")
            return data_utils.YieldedBatches(x, steps, "x")
        x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, what)
        batches = data_utils.Batches((x, y, sample_weight), batch_size or 32, False)
        return batches if steps is None else data_utils.FirstBatches(batches, steps)

    def _untrainable_step(self, data: tuple) -> dict[str, float]:
        """fit's step for a model without trainable weights: Keras runs the batch and
        logs its loss; with nothing to update, that is ``test_step``'s work."""
        with autograd.no_grad():
            return self.test_step(data)

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        callbacks: list | None = None,
        return_dict: bool = False,
        steps: int | None = None,
    ) -> float | list[float] | dict[str, float]:
        """The loss and metrics on ``(x, y)``: a float when there are no metrics,
        else ``[loss, *metrics]``, or a dict with ``return_dict=True``. ``x`` may
        yield batches (a generator, dataset or PyDataset, as in ``fit``); ``steps``
        limits how many batches are evaluated."""
        self._assert_compiled()
        verbose = _resolve_verbose(verbose)
        batches = self._batches_to_run(x, y, sample_weight, batch_size, steps, "evaluate")
        logs = self._evaluate_batches(batches,
                                      self._callback_list(callbacks, verbose, steps=len(batches)))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_batches(self, batches: data_utils.Batches,
                          callbacks: callbacks_module.CallbackList) -> dict:
        """Run ``test_step`` on every batch under no_grad; the final logs."""
        self.reset_metrics()
        logs: dict[str, float] = {}
        callbacks.on_test_begin()
        with autograd.no_grad():
            for step, batch in enumerate(batches):
                callbacks.on_test_batch_begin(step)
                logs = self.test_step(_cast_batch(batch))
                callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def predict(
        self, x: Any, batch_size: int | None = 32, verbose: int | str = "auto",
        callbacks: list | None = None, steps: int | None = None,
    ) -> np.ndarray | list[np.ndarray]:
        """The model's outputs for ``x`` as a NumPy array (computed in batches,
        without recording a graph). Needs no ``compile``. ``x`` may yield batches
        (a generator, dataset or PyDataset; only their inputs are used)."""
        verbose = _resolve_verbose(verbose)
        arguments.check_x_given("predict", x)
        if data_utils.is_batch_source(x):
            batches: Any = data_utils.YieldedBatches(x, steps, "x")
        else:
            x = _cast_floats(data_utils.to_arrays(x, "x"))
            arguments.check_has_samples("predict", data_utils.num_samples(x), x)
            batches = data_utils.Batches((x,), batch_size or 32, False)
            if steps is not None:
                batches = data_utils.FirstBatches(batches, steps)
        callbacks = self._callback_list(callbacks, verbose, steps=len(batches))
        outputs = []
        callbacks.on_predict_begin()
        with autograd.no_grad():
            for step, batch in enumerate(batches):
                callbacks.on_predict_batch_begin(step)
                outputs.append(_to_numpy(self.predict_step(_cast_batch(batch))))
                callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        if outputs and isinstance(outputs[0], list):
            return [np.concatenate(parts) for parts in zip(*outputs, strict=False)]
        if outputs and isinstance(outputs[0], dict):  # outputs={"name": ...}: a dict back
            return {key: np.concatenate([part[key] for part in outputs]) for key in outputs[0]}
        return np.concatenate(outputs) if outputs else np.empty((0,))

    # ------------------------------------------------------------------ single batches
    def train_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
        return_dict: bool = False, reset_metrics: bool = True,
    ) -> float | list[float] | dict[str, float]:
        """One training step on exactly this batch; returns its loss and metrics."""
        self._assert_compiled()
        x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, "train_on_batch")
        sample_weight = self._with_class_weight("train_on_batch", y, sample_weight, class_weight)
        self._make_train_ready(x)
        if reset_metrics:
            self.reset_metrics()
        logs = self.train_step((x, y, sample_weight))
        return _format_logs(logs, return_dict)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False,
        reset_metrics: bool = True,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on exactly this batch."""
        self._assert_compiled()
        x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, "test_on_batch")
        if reset_metrics:
            self.reset_metrics()
        with autograd.no_grad():
            logs = self.test_step((x, y, sample_weight))
        return _format_logs(logs, return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray | list[np.ndarray]:
        """The model's outputs for exactly this batch, as NumPy."""
        arguments.check_x_given("predict_on_batch", x)
        x = _cast_floats(data_utils.to_arrays(x, "x"))
        arguments.check_has_samples("predict_on_batch", data_utils.num_samples(x), x)
        with autograd.no_grad():
            return _to_numpy(self.predict_step((x,)))

    # ------------------------------------------------------------------ saving
    def save(self, filepath: str | os.PathLike) -> None:
        """Save architecture, weights, compile settings and optimizer state to
        ``filepath`` (exactly that path; suggested suffix ``.gradstack``; a path
        ending in ``.keras`` gets Keras 3's own format, for Keras 3 to open).
        Load it back with ``nn.models.load_model``."""
        from nn.saving import save_model

        save_model(self, filepath)

    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Save only the weights (suggested suffix ``.weights.gradstack``;
        ``.weights.h5`` gets Keras 3's weights layout)."""
        from nn.saving import save_weights

        save_weights(self, filepath)

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Load weights saved by ``save_weights`` (or ``save``) into this model,
        which must have the same architecture."""
        from nn.saving import load_weights

        load_weights(self, filepath)

    def export(self, filepath: str | os.PathLike, format: str = "onnx") -> None:
        """Write the model for inference in another runtime. ``format="onnx"`` (the
        only one; Keras 3's spelling) writes an ONNX graph for ONNX Runtime
        (``nn/export/onnx_export.py``; needs the ``interop`` extra)."""
        if format != "onnx":
            raise ValueError(
                f"Unknown export format {format!r}: gradstack exports format='onnx'. For "
                "TensorFlow's SavedModel, save as 'model.keras', load it in Keras 3 and "
                "export from there.")
        from nn.export import export_onnx

        export_onnx(self, filepath)

    # ------------------------------------------------------------------ helpers
    def _callback_list(self, callbacks: list | None, verbose: int, training: bool = False,
                       **params: Any) -> callbacks_module.CallbackList:
        """The callbacks of one fit/evaluate/predict: yours, then the defaults Keras
        adds (a progress bar when verbose; for fit a NaN watch and the History)."""
        return callbacks_module.CallbackList(
            callbacks, add_history=training, add_progbar=verbose != 0, warn_on_nan=training,
            model=self, verbose=verbose, **params)

    def _prepare_arrays(self, x: Any, y: Any, sample_weight: Any, method: str) -> tuple:
        """Arrays from the user's data, checked (nn/models/arguments.py)."""
        if x is None:
            raise ValueError("x is None: pass the input data, e.g. model.fit(x_train, y_train).")
        x = _cast_floats(data_utils.to_arrays(x, "x"))
        y = data_utils.to_arrays(y, "y")
        sample_weight = data_utils.to_arrays(sample_weight, "sample_weight")
        names = self._output_names()
        if isinstance(y, (list, dict)) and len(names) == 1:
            raise ValueError(
                f"y is a {type(y).__name__} of arrays, but this model has one output "
                f"({names[0]}). Pass one array of targets.")
        if len(names) > 1 and y is not None:
            from nn.models.compile_utils import per_output

            per_output(y, names, "y", allow_single=False)  # one target per output, or say so
        n = data_utils.num_samples(x, y, sample_weight)
        arguments.check_has_samples(method, n, x)
        if isinstance(sample_weight, (list, dict)):  # one per output (compile_utils checks)
            return x, y, sample_weight
        return x, y, arguments.check_sample_weight(method, sample_weight, n)

    def _with_class_weight(self, method: str, y: Any, sample_weight: Any,
                           class_weight: Any) -> Any:
        """``sample_weight`` times each sample's class weight (checked first)."""
        if class_weight is None:
            return sample_weight
        try:
            output_shape = self.output_shape if self.built else None
        except (AttributeError, ValueError):
            output_shape = None
        classes = None if not isinstance(y, np.ndarray) else \
            arguments.number_of_classes(y, output_shape)
        arguments.check_class_weight(method, class_weight, y, classes)
        weights = data_utils.class_weights_to_sample_weights(y, class_weight)
        return weights if sample_weight is None else sample_weight * weights

    def _make_train_ready(self, x: Any) -> None:
        """Build the model (from the input shape) and give the optimizer its weights."""
        if not self.built:
            first = data_utils.leaves(x)
            shapes = [(None,) + a.shape[1:] for a in first]
            self.build(shapes[0] if len(shapes) == 1 else shapes)
        weights = self.trainable_weights
        if [id(w) for w in self.optimizer.params] != [id(w) for w in weights]:
            self.optimizer.build(weights)


def _per_output_predictions(y_pred: Any, names: list[str]) -> list:
    """The model's outputs as a list in the order of ``names`` (a dict of outputs is
    read by name)."""
    if isinstance(y_pred, dict):
        return [y_pred[name] for name in names]
    if isinstance(y_pred, (list, tuple)) and len(names) > 1:
        return list(y_pred)
    return [y_pred]


def _validation_epochs(validation_freq: Any, epochs: int) -> set[int]:
    """The epochs (counting from 1) after which fit validates."""
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"validation_freq must be a positive integer or a list of epochs, "
                             f"but got {validation_freq!r}.")
        return set(range(validation_freq, epochs + 1, validation_freq))
    if isinstance(validation_freq, (list, tuple, set)) and all(
            isinstance(e, int) for e in validation_freq):
        return set(validation_freq)
    raise ValueError(f"validation_freq must be a positive integer or a list of epochs, but got "
                     f"{validation_freq!r}.")


def _cast_batch(batch: tuple) -> tuple:
    """A batch with its inputs cast as fit casts arrays (float64 -> float32)."""
    return (_cast_floats(batch[0]), *batch[1:])


def _resolve_verbose(verbose: int | str) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', but got {verbose!r}.")
    return int(verbose)


def _cast_floats(x: Any) -> Any:
    """float64 inputs become float32 once, up front (the model would cast every batch)."""
    if isinstance(x, np.ndarray):
        return x.astype(np.float32) if x.dtype == np.float64 else x
    if isinstance(x, list):
        return [_cast_floats(a) for a in x]
    if isinstance(x, dict):
        return {k: _cast_floats(a) for k, a in x.items()}
    return x


def _to_numpy(out: Any) -> Any:
    if isinstance(out, (list, tuple)):
        return [_to_numpy(o) for o in out]
    if isinstance(out, dict):
        return {key: _to_numpy(o) for key, o in out.items()}
    return out.data if isinstance(out, Tensor) else np.asarray(out)


def _format_logs(logs: dict, return_dict: bool) -> Any:
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
