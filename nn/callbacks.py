"""Callbacks: code that ``fit`` runs at fixed points of training.

``fit`` calls, in order::

    on_train_begin
      on_epoch_begin(epoch)
        on_train_batch_begin(batch) ... on_train_batch_end(batch, logs)   # per batch
        on_test_begin ... on_test_end(logs)       # validation, if any
      on_epoch_end(epoch, logs)          # logs: loss, metrics, val_loss, val_metrics
    on_train_end(logs)

``evaluate`` and ``predict`` call ``on_test_*`` and ``on_predict_*`` likewise
(``on_predict_batch_end`` gets ``{"outputs": ...}``). Every hook gets a
``logs`` dict, empty when there is nothing to report yet. Each callback sees
the model as ``self.model`` and the run's settings (``verbose``, ``epochs``,
``steps``) as ``self.params``. Setting ``self.model.stop_training = True`` ends
training after the current batch.

Built in: ``History`` (always added; ``fit`` returns it), ``ProgbarLogger``
(added when verbose), ``WarnOnNaN`` (added unless you pass ``TerminateOnNaN``),
``EarlyStopping``, ``ModelCheckpoint``, ``LearningRateScheduler``,
``ReduceLROnPlateau``, ``CSVLogger``, ``TerminateOnNaN``, ``LambdaCallback``.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from nn.utils.progbar import Progbar

Logs = dict[str, float]


class Callback:
    """Base class: override the hooks you need; each does nothing by default.

    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.3f}")
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_begin(self, logs: Logs | None = None) -> None: ...
    def on_test_end(self, logs: Logs | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_begin(self, logs: Logs | None = None) -> None: ...
    def on_predict_end(self, logs: Logs | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...


class CallbackList:
    """The callbacks of one ``fit``, ``evaluate`` or ``predict``, called hook by hook.

    ``fit`` talks to this object the way Keras's does::

        callbacks.on_train_batch_begin(step)
        logs = self.train_step(batch)
        callbacks.on_train_batch_end(step, logs)

    Each hook calls the same hook of every callback, in order, with a ``logs``
    dict (an empty one when the run has nothing to report yet, as in Keras, so
    ``list(logs.keys())`` always works). The defaults that Keras adds are added
    here too, after your callbacks: a ``ProgbarLogger`` when ``add_progbar``,
    a ``History`` when ``add_history``, and with ``warn_on_nan`` a
    ``WarnOnNaN`` unless you passed ``TerminateOnNaN``. ``params`` (``verbose``,
    ``epochs``, ``steps``) become every callback's ``self.params``.

    >>> class Keys(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         print(list(logs.keys()))
    >>> CallbackList([Keys()], model=None).on_train_begin()
    []
    """

    def __init__(self, callbacks: list[Callback] | None = None, add_history: bool = False,
                 add_progbar: bool = False, warn_on_nan: bool = False, model: Any = None,
                 **params: Any) -> None:
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be Callback objects, but got {type(cb).__name__}. Use "
                    "nn.callbacks.LambdaCallback(on_epoch_end=...) to wrap a function."
                )
        if warn_on_nan and not any(isinstance(cb, TerminateOnNaN) for cb in self.callbacks):
            self.callbacks.append(WarnOnNaN())
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger(params.get("verbose", 1)))
        self.history: History | None = None
        if add_history:
            self.history = History()
            self.callbacks.append(self.history)
        for cb in self.callbacks:
            if model is not None:  # (a list built before its model, as Keras allows)
                cb.set_model(model)
            cb.set_params(params)

    # fit
    def on_train_begin(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs)

    # evaluate (and fit's validation)
    def on_test_begin(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs)

    # predict
    def on_predict_begin(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = dict(logs or {})
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs)


# ---------------------------------------------------------------- history and progress


class History(Callback):
    """Records the logs of every epoch; ``fit`` returns it.

    Attributes
    ----------
    history : dict
        ``{"loss": [...], "accuracy": [...], "val_loss": [...], ...}``, one value
        per epoch.
    epoch : list of int
        The epochs that ran (0-based).
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def set_model(self, model):
        super().set_model(model)
        model.history = self

    def plot(self, metrics: list[str] | None = None, figsize: tuple | None = None):
        """Draw each metric per epoch beside its ``val_`` twin, one panel each.

        Needs matplotlib (an optional dependency). Returns ``(figure, axes)``.

        >>> fig, axes = history.plot()          # doctest: +SKIP
        """
        try:
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            raise ImportError(
                "History.plot() needs matplotlib: pip install matplotlib"
            ) from None
        names = metrics or [k for k in self.history if not k.startswith("val_")]
        if not names:
            raise ValueError("History.plot(): there is nothing to plot yet; run fit first.")
        fig, axes = plt.subplots(
            1, len(names), figsize=figsize or (4.5 * len(names), 3.5), squeeze=False
        )
        epochs = [e + 1 for e in self.epoch] or list(range(1, len(self.history[names[0]]) + 1))
        for ax, name in zip(axes[0], names, strict=False):
            ax.plot(epochs[: len(self.history[name])], self.history[name], "o-", label=name)
            if "val_" + name in self.history:
                val = self.history["val_" + name]
                ax.plot(epochs[: len(val)], val, "o--", label="val_" + name)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
            ax.set_title(name)
            ax.legend()
        fig.tight_layout()
        return fig, axes[0]


class ProgbarLogger(Callback):
    """Prints ``Epoch i/N`` and the progress bar (``verbose`` 1 or 2)."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self.bar: Progbar | None = None
        # fit's validation runs the test hooks too; its bar is the epoch's, as in Keras
        self.in_fit = False

    def on_train_begin(self, logs=None):
        self.in_fit = True

    def on_train_end(self, logs=None):
        self.in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        if epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self._start_bar()

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.current, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if not self.in_fit:
            self._start_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self.in_fit:
            self._advance(batch, logs)

    def on_test_end(self, logs=None):
        if not self.in_fit:
            self.bar.update(self.current, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._start_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._advance(batch, None)

    def on_predict_end(self, logs=None):
        self.bar.update(self.current, finalize=True)

    def _start_bar(self) -> None:
        self.bar = Progbar(self.params.get("steps"), verbose=self.verbose)
        self.current = 0

    def _advance(self, batch: int, logs: Logs | None) -> None:
        self.current = batch + 1
        self.bar.update(self.current, logs)


# ---------------------------------------------------------------- monitoring helpers


def _mode_is_max(monitor: str, mode: str) -> bool:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', but got {mode!r}.")
    if mode == "auto":
        # Keras's rule: accuracies and AUC-like metrics grow, everything else shrinks.
        name = monitor.removeprefix("val_")
        return any(key in name for key in ("acc", "auc", "precision", "recall"))
    return mode == "max"


def _missing_monitor_warning(cb: str, monitor: str, logs: Logs) -> None:
    warnings.warn(
        f"{cb} is conditioned on metric `{monitor}` which is not available. Available "
        f"metrics are: {','.join(logs)}. (Validation metrics need validation_data or "
        "validation_split.)",
        stacklevel=3,
    )


# ---------------------------------------------------------------- built-in callbacks


class EarlyStopping(Callback):
    """Stop training when a monitored metric has stopped improving.

    Parameters
    ----------
    monitor : str, default "val_loss"
    min_delta : float
        A change smaller than this is not an improvement.
    patience : int
        Epochs without improvement before stopping.
    verbose : int
    mode : "auto", "min" or "max"
        "auto" maximises accuracies and minimises everything else.
    baseline : float, optional
        Keep waiting until the metric beats this value.
    restore_best_weights : bool
        At the end of training, put back the weights of the best epoch.
    start_from_epoch : int
        Epochs to wait before monitoring starts.

    Examples
    --------
    >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.maximize = _mode_is_max(monitor, mode)

    def _improves(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.maximize:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        current = logs.get(self.monitor)
        if current is None:
            _missing_monitor_warning("Early stopping", self.monitor, logs)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after every epoch, or only when it improves.

    ``filepath`` may hold ``{epoch:02d}`` and any log value, e.g.
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.gradstack"``. Files are written with
    ``model.save`` / ``model.save_weights`` (atomic; see ``nn.saving``).

    Parameters
    ----------
    filepath : str or os.PathLike
    monitor : str, default "val_loss"
    verbose : int
    save_best_only : bool
        Save only when ``monitor`` improves on the best value so far.
    save_weights_only : bool
    mode : "auto", "min" or "max"
    save_freq : "epoch" or int
        ``"epoch"``: after every epoch; an integer ``n``: after every ``n`` batches
        (counted across epochs, as Keras counts them), with the batch's running logs;
        ``filepath`` may then also hold ``{batch}``.
    initial_value_threshold : float, optional
        The value to beat for the first save when ``save_best_only``.

    Examples
    --------
    >>> ckpt = ModelCheckpoint("best.gradstack", save_best_only=True)
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(
                f"ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches, "
                f"but got {save_freq!r}."
            )
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._epoch = 0
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.maximize = _mode_is_max(monitor, mode)
        self.best = initial_value_threshold

    def _path(self, epoch: int, logs: Logs, batch: int | None = None) -> str:
        try:
            if batch is None:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint: the filepath {self.filepath!r} names {err} which is not in "
                f"the logs of this epoch ({', '.join(['epoch', *logs])})."
            ) from None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, logs or {}, batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs or {})

    def _save(self, epoch: int, logs: Logs, batch: int | None = None) -> None:
        path = self._path(epoch, logs, batch)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                _missing_monitor_warning("Can save best model only with", self.monitor, logs)
                return
            better = self.best is None or (
                current > self.best if self.maximize else current < self.best
            )
            if not better:
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                before = "None" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {before} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}")


class BackupAndRestore(Callback):
    """Survive an interrupted ``fit``: after every epoch the model (weights and
    optimizer state) and the epoch number are saved in ``backup_dir``; a later
    ``fit`` with the same callback restores them and continues from the next epoch.
    A ``fit`` that finishes deletes the backup (``delete_checkpoint=True``).

    >>> import tempfile
    >>> backup = BackupAndRestore(tempfile.mkdtemp())
    """

    MODEL_FILE, STATE_FILE = "backup.gradstack", "training_state.json"

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str = "epoch",
                 delete_checkpoint: bool = True, double_checkpoint: bool = False) -> None:
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore saves after every epoch (save_freq='epoch'); "
                             f"got save_freq={save_freq!r}.")
        if double_checkpoint:
            raise NotImplementedError("BackupAndRestore(double_checkpoint=True) is not supported: "
                                      "each backup is written atomically, so one copy is kept.")
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = delete_checkpoint

    def _paths(self) -> tuple[str, str]:
        return (os.path.join(self.backup_dir, self.MODEL_FILE),
                os.path.join(self.backup_dir, self.STATE_FILE))

    def on_train_begin(self, logs=None):
        import json

        from nn.saving import load_model

        model_path, state_path = self._paths()
        if not (os.path.exists(model_path) and os.path.exists(state_path)):
            return
        with open(state_path, encoding="utf-8") as f:
            epoch = int(json.load(f)["epoch"])
        saved = load_model(model_path)
        self.model.set_weights(saved.get_weights())
        if saved.optimizer is not None and saved.optimizer.built:
            self.model.optimizer.set_state(saved.optimizer.get_state())
        self.model._resume_from_epoch = epoch + 1  # fit reads it once, after this hook

    def on_epoch_end(self, epoch, logs=None):
        import json

        os.makedirs(self.backup_dir, exist_ok=True)
        model_path, state_path = self._paths()
        self.model.save(model_path)  # atomic (nn/saving/atomic.py)
        partial = state_path + ".partial"
        with open(partial, "w", encoding="utf-8") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(partial, state_path)  # the epoch only after its model is saved

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and not getattr(self.model, "stop_training", False):
            for path in self._paths():
                if os.path.exists(path):
                    os.remove(path)


class TensorBoard(Callback):
    """Not available: gradstack writes no TensorBoard event files. Constructing it says
    what to use instead (``CSVLogger`` for a file of the logs, ``History.plot()`` for
    curves), rather than silently logging nothing."""

    def __init__(self, log_dir: str = "logs", **kwargs: Any) -> None:
        raise NotImplementedError(
            "keras.callbacks.TensorBoard is not available in gradstack (it writes no TensorBoard "
            "event files). Use nn.callbacks.CSVLogger('training.csv') to keep every epoch's "
            "logs in a file, and history = model.fit(...); history.plot() to draw the curves.")


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from
    ``schedule(epoch, lr) -> new lr`` (or ``schedule(epoch)``).

    >>> halve = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            lr = self.schedule(epoch, optimizer.learning_rate)
        except TypeError:  # a schedule of the epoch alone (older Keras style)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)):
            raise ValueError(
                f"The output of the schedule function should be a float, but got {lr!r}."
            )
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved
    for ``patience`` epochs (then wait ``cooldown`` epochs), never below ``min_lr``.

    >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0, got factor={factor}."
            )
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.maximize = _mode_is_max(monitor, mode)

    def on_train_begin(self, logs=None):
        self.best = -math.inf if self.maximize else math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def _improves(self, value: float) -> bool:
        if self.maximize:
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = optimizer.learning_rate
        current = logs.get(self.monitor)
        if current is None:
            _missing_monitor_warning("Learning rate reduction", self.monitor, logs)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = optimizer.learning_rate
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                              f"rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (columns: epoch, then the
    log names in sorted order, as Keras does).

    >>> logger = CSVLogger("training.csv", append=False)
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None
        self.file = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename)
        self.write_header = not (exists and os.path.getsize(self.filename) > 0)
        self.file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.writer(self.file, delimiter=self.separator)
            if self.write_header:
                self.writer.writerow(["epoch", *self.keys])
        self.writer.writerow([epoch, *(logs.get(k, "NA") for k in self.keys)])
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()
            self.file = None


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite.

    >>> guard = TerminateOnNaN()
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(
                f"Batch {batch}: Invalid loss ({loss}), terminating training. A NaN or inf "
                "loss usually means the learning rate is too high or the inputs hold NaN or "
                "very large values; try a smaller learning rate or normalise the data."
            )
            self.model.stop_training = True


class WarnOnNaN(Callback):
    """Warn once when the loss becomes NaN or infinite, and let training go on.

    ``fit`` adds it by default (as it adds ``History``), unless you pass
    ``TerminateOnNaN``, which stops instead.
    """

    def on_train_begin(self, logs=None):
        self.warned = False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = logs.get("loss")
        if self.warned or loss is None or math.isfinite(loss):
            return
        self.warned = True
        warnings.warn(
            f"The loss became {loss} at epoch {self.epoch + 1}, batch {batch + 1}; training "
            "goes on, but the weights are probably ruined. Usual causes: a learning rate that "
            "is too high, or NaN/huge values in the inputs. Pass "
            "callbacks=[nn.callbacks.TerminateOnNaN()] to stop at the first invalid loss.",
            stacklevel=4,  # WarnOnNaN <- CallbackList <- fit <- the code that called fit
        )


class LambdaCallback(Callback):
    """A callback made of plain functions, e.g.
    ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs["loss"]))``.

    Each argument is a function with the hook's arguments: ``on_epoch_begin``
    and ``on_epoch_end`` get ``(epoch, logs)``, the batch hooks ``(batch, logs)``,
    ``on_train_begin`` and ``on_train_end`` get ``(logs)``.
    """

    HOOKS = (
        "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
        "on_train_batch_begin", "on_train_batch_end",
    )

    def __init__(self, **hooks: Callable) -> None:
        super().__init__()
        unknown = sorted(set(hooks) - set(self.HOOKS))
        if unknown:
            raise TypeError(
                f"LambdaCallback got unknown hooks {unknown}; known: {list(self.HOOKS)}."
            )
        self.hooks = hooks

    def on_train_begin(self, logs=None):
        self._run("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._run("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._run("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._run("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._run("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._run("on_train_batch_end", batch, logs)

    def _run(self, hook: str, *args: Any) -> None:
        fn = self.hooks.get(hook)
        if fn is not None:
            fn(*args)


__all__ = [
    "Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
    "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger",
    "TerminateOnNaN", "WarnOnNaN", "LambdaCallback", "TensorBoard", "BackupAndRestore",
]
