"""Callbacks: Keras's rules for EarlyStopping / ReduceLROnPlateau, checkpoints,
schedulers, CSV logs, hook order and History.plot."""

import csv
import os

import numpy as np
import pytest
from training_helpers import TinyMLP, blobs

import nn.utils
import optim
from nn import callbacks

pytestmark = pytest.mark.training


class FakeModel:
    """Just enough model for a callback fed with hand-made logs."""

    def __init__(self):
        self.stop_training = False
        self.optimizer = optim.SGD(0.1)
        self.value = 0.0

    def get_weights(self):
        return [np.array(self.value)]

    def set_weights(self, weights):
        self.value = float(weights[0])


def drive(callback, values, key="val_loss", model=None):
    """Feed one log value per epoch; the model's 'weight' is the epoch number.
    Returns the epochs that ran."""
    model = model or FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        model.value = float(epoch)
        ran.append(epoch)
        callback.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    callback.on_train_end()
    return ran, model


def test_early_stopping_patience(capsys):
    stop = callbacks.EarlyStopping(patience=2, verbose=1)
    ran, _ = drive(stop, [1.0, 0.9, 0.95, 0.97, 0.5])
    # best at epoch 1; epochs 2 and 3 do not improve -> stop after epoch 3
    assert ran == [0, 1, 2, 3]
    assert "Epoch 4: early stopping" in capsys.readouterr().out


def test_early_stopping_restores_best_weights(capsys):
    stop = callbacks.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    _, model = drive(stop, [1.0, 0.8, 0.85, 0.9])
    assert model.value == 1.0  # the weights of epoch 1 (value = epoch number)
    assert "Restoring model weights from the end of the best epoch: 2." in capsys.readouterr().out


def test_early_stopping_min_delta_and_mode():
    # improvements smaller than min_delta do not count
    ran, _ = drive(callbacks.EarlyStopping(patience=1, min_delta=0.1), [1.0, 0.95, 0.93, 0.5])
    assert ran == [0, 1]
    # accuracy is maximised in auto mode
    ran, _ = drive(callbacks.EarlyStopping(monitor="val_accuracy", patience=1),
                   [0.5, 0.6, 0.7, 0.65], key="val_accuracy")
    assert ran == [0, 1, 2, 3]
    ran, _ = drive(callbacks.EarlyStopping(monitor="val_loss", mode="max", patience=0),
                   [0.5, 0.4], key="val_loss")
    assert ran == [0, 1]


def test_early_stopping_warns_when_the_metric_is_missing():
    stop = callbacks.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        drive(stop, [1.0], key="loss")


def test_early_stopping_in_fit():
    nn.utils.set_random_seed(0)
    x, _ = blobs(n=60)
    y = np.random.default_rng(1).integers(0, 3, 60)  # random labels: val_loss will not improve
    model = TinyMLP((32, 3), output_activation="softmax")
    model.compile(optim.Adam(0.3), "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=50, validation_split=0.3, verbose=0,
                        callbacks=[callbacks.EarlyStopping(patience=2)])
    assert len(history.epoch) < 50


def test_reduce_lr_on_plateau(capsys):
    reduce = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.03, verbose=1)
    model = FakeModel()
    drive(reduce, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], model=model)
    # no improvement after epoch 0: reduce at epochs 2 and 4 (0.1 -> 0.05 -> 0.03 min), 6
    assert model.optimizer.learning_rate == pytest.approx(0.03)
    out = capsys.readouterr().out
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05." in out


def test_reduce_lr_cooldown():
    reduce = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    model = FakeModel()
    drive(reduce, [1.0] * 5, model=model)
    # reduce at epoch 1, cooldown epochs 2-3, reduce again at epoch 4
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_learning_rate_scheduler_sets_and_logs_the_rate():
    nn.utils.set_random_seed(0)
    x, y = blobs(n=20)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile(optim.SGD(1.0), "sparse_categorical_crossentropy")
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[scheduler])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_model_checkpoint_formats_the_path(tmp_path):
    nn.utils.set_random_seed(0)
    x, y = blobs(n=40)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    pattern = str(tmp_path / "ck-{epoch:02d}-{val_loss:.2f}.gradstack")
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.ModelCheckpoint(pattern)])
    expected = sorted(
        f"ck-{e + 1:02d}-{v:.2f}.gradstack" for e, v in enumerate(history.history["val_loss"])
    )
    assert sorted(os.listdir(tmp_path)) == expected


def test_model_checkpoint_save_best_only(tmp_path, capsys):
    saved = []

    class Recorder(FakeModel):
        def save(self, path):
            saved.append(("model", path, self.value))

        def save_weights(self, path):
            saved.append(("weights", path, self.value))

    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "best.gradstack"), save_best_only=True,
                                     verbose=1)
    drive(ckpt, [1.0, 0.5, 0.7, 0.4], model=Recorder())
    assert [s[2] for s in saved] == [0.0, 1.0, 3.0]
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 1.00000, saving model to" in out
    assert "Epoch 3: val_loss did not improve from 0.50000" in out
    assert "Epoch 2: finished saving model to" in out
    saved.clear()
    weights_only = callbacks.ModelCheckpoint(str(tmp_path / "w"), save_weights_only=True)
    drive(weights_only, [1.0], model=Recorder())
    assert saved[0][0] == "weights"


def test_model_checkpoint_unknown_key_in_path(tmp_path):
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "{val_acc:.2f}"))
    with pytest.raises(KeyError, match="val_acc"):
        drive(ckpt, [1.0])


def test_csv_logger(tmp_path):
    nn.utils.set_random_seed(0)
    x, y = blobs(n=20)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "accuracy", "loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    assert [float(r[2]) for r in rows[1:]] == pytest.approx(history.history["loss"])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    assert len(list(csv.reader(open(path)))) == 5  # no second header


def test_hooks_run_in_keras_order():
    events = []
    record = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: events.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch_end {batch}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"),
    )
    x, y = blobs(n=8)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=4, validation_data=(x, y), verbose=0,
              callbacks=[record])
    assert events == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1",
        "epoch_end 0 ['loss', 'val_loss']",
        "epoch_begin 1", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1",
        "epoch_end 1 ['loss', 'val_loss']",
        "train_end",
    ]


def test_callback_params_and_model():
    seen = {}

    class Spy(callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.update(params=self.params, model=self.model)

    x, y = blobs(n=10)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[Spy()])
    assert seen["params"] == {"verbose": 0, "epochs": 2, "steps": 3}
    assert seen["model"] is model


def test_non_callbacks_are_rejected():
    x, y = blobs(n=10)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match="LambdaCallback"):
        model.fit(x, y, verbose=0, callbacks=[lambda: None])


def test_history_plot_draws_each_metric_beside_its_val_twin():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    history = callbacks.History()
    for epoch, logs in enumerate([{"loss": 1.0, "accuracy": 0.5, "val_loss": 1.2,
                                   "val_accuracy": 0.4},
                                  {"loss": 0.8, "accuracy": 0.6, "val_loss": 1.0,
                                   "val_accuracy": 0.5}]):
        history.on_epoch_end(epoch, logs)
    fig, axes = history.plot()
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    labels = [[line.get_label() for line in ax.get_lines()] for ax in axes]
    assert labels == [["loss", "val_loss"], ["accuracy", "val_accuracy"]]
    np.testing.assert_allclose(axes[0].get_lines()[1].get_ydata(), [1.2, 1.0])
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_one_helper_adds_keras_defaults_after_yours():
    mine = callbacks.EarlyStopping()
    listed = callbacks.CallbackList([mine], add_history=True, add_progbar=True,
                                    warn_on_nan=True, model=None, verbose=1, steps=3)
    assert [type(c).__name__ for c in listed.callbacks] == [
        "EarlyStopping", "WarnOnNaN", "ProgbarLogger", "History"]
    assert listed.history is listed.callbacks[-1]
    assert all(c.params == {"verbose": 1, "steps": 3} for c in listed.callbacks)
    # Your own TerminateOnNaN replaces the warning, your own ProgbarLogger the default bar.
    own = [callbacks.TerminateOnNaN(), callbacks.ProgbarLogger(2)]
    listed = callbacks.CallbackList(own, add_progbar=True, warn_on_nan=True, verbose=1)
    assert listed.callbacks == own


def test_the_nan_warning_points_at_the_line_that_called_fit():
    x, y = blobs(n=16)
    x[0, 0] = np.nan
    model = TinyMLP((3,), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="epoch 1, batch 1") as caught:
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert len(caught) == 1  # once per fit, not once per batch
    assert caught[0].filename == __file__


def test_every_hook_of_the_list_passes_a_fresh_logs_dict():
    got = []

    class Keep(callbacks.Callback):
        def on_test_begin(self, logs=None):
            got.append(logs)
            logs["mine"] = 1  # a callback may write into its logs...

        def on_test_end(self, logs=None):
            got.append(logs)

    listed = callbacks.CallbackList([Keep()])
    listed.on_test_begin()
    given = {"loss": 0.5}
    listed.on_test_end(given)
    assert got == [{"mine": 1}, {"loss": 0.5}]
    assert got[1] is not given  # ...without changing the caller's dict
