"""keras.io's "Writing your own callbacks" guide, run as written with only the
imports changed (``import nn as keras``).

The data is the shipped 8x8 digits instead of MNIST (784 inputs become 64, and
the test set has 359 images, not 1000); everything else is the guide's code.
Each test asserts what the guide prints: which hooks run in which order and the
keys of the ``logs`` each one gets, and that its callbacks stop training and
change the learning rate as they say.
"""
# The guide's code is kept as written, str.format included.
# ruff: noqa: UP032

import numpy as np
import pytest

import nn as keras


@pytest.fixture
def data():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    # Limit the data to 1000 samples
    return (x_train[:1000], y_train[:1000]), (x_test[:1000], y_test[:1000])


# Define the Keras model to add callbacks to
def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


class CustomCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        keys = list(logs.keys())
        print("Starting training; got log keys: {}".format(keys))

    def on_train_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop training; got log keys: {}".format(keys))

    def on_epoch_begin(self, epoch, logs=None):
        keys = list(logs.keys())
        print("Start epoch {} of training; got log keys: {}".format(epoch, keys))

    def on_epoch_end(self, epoch, logs=None):
        keys = list(logs.keys())
        print("End epoch {} of training; got log keys: {}".format(epoch, keys))

    def on_test_begin(self, logs=None):
        keys = list(logs.keys())
        print("Start testing; got log keys: {}".format(keys))

    def on_test_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop testing; got log keys: {}".format(keys))

    def on_predict_begin(self, logs=None):
        keys = list(logs.keys())
        print("Start predicting; got log keys: {}".format(keys))

    def on_predict_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop predicting; got log keys: {}".format(keys))

    def on_train_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Training: start of batch {}; got log keys: {}".format(batch, keys))

    def on_train_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Training: end of batch {}; got log keys: {}".format(batch, keys))

    def on_test_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Evaluating: start of batch {}; got log keys: {}".format(batch, keys))

    def on_test_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Evaluating: end of batch {}; got log keys: {}".format(batch, keys))

    def on_predict_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Predicting: start of batch {}; got log keys: {}".format(batch, keys))

    def on_predict_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Predicting: end of batch {}; got log keys: {}".format(batch, keys))


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print(
            "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
        )

    def on_test_batch_end(self, batch, logs=None):
        print(
            "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
        )

    def on_epoch_end(self, epoch, logs=None):
        print(
            "The average loss for epoch {} is {:7.2f} "
            "and mean absolute error is {:7.2f}.".format(
                epoch, logs["loss"], logs["mean_absolute_error"]
            )
        )


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        # best_weights to store the weights at which the minimum loss occurs.
        self.best_weights = None

    def on_train_begin(self, logs=None):
        # The number of epoch it has waited when loss is no longer minimum.
        self.wait = 0
        # The epoch the training stops at.
        self.stopped_epoch = 0
        # Initialize the best as infinity.
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            # Record the best weights if current results is better (less).
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class CustomLearningRateScheduler(keras.callbacks.Callback):
    """Learning rate scheduler which sets the learning rate according to schedule."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        # Get the current learning rate from model's optimizer.
        lr = self.model.optimizer.learning_rate
        # Call schedule function to get the scheduled learning rate.
        scheduled_lr = self.schedule(epoch, lr)
        # Set the value back to the optimizer before this epoch starts
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (3, 0.05),
    (6, 0.01),
    (9, 0.005),
    (12, 0.001),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


# ---------------------------------------------------------------- what the guide prints

METRICS = "['loss', 'mean_absolute_error']"
WITH_VAL = "['loss', 'mean_absolute_error', 'val_loss', 'val_mean_absolute_error']"


def batches(kind, n, end_keys):
    lines = []
    for b in range(n):
        lines += [f"...{kind}: start of batch {b}; got log keys: []",
                  f"...{kind}: end of batch {b}; got log keys: {end_keys}"]
    return lines


def test_every_hook_gets_a_logs_dict_with_the_keys_the_guide_shows(data, capsys):
    (x_train, y_train), (x_test, y_test) = data
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=1,
        verbose=0,
        validation_split=0.5,
        callbacks=[CustomCallback()],
    )
    # 1000 samples, half held out: 500 to train on and 500 to validate, 4 batches of 128 each
    assert capsys.readouterr().out.splitlines() == [
        "Starting training; got log keys: []",
        "Start epoch 0 of training; got log keys: []",
        *batches("Training", 4, METRICS),
        "Start testing; got log keys: []",
        *batches("Evaluating", 4, METRICS),
        f"Stop testing; got log keys: {METRICS}",
        f"End epoch 0 of training; got log keys: {WITH_VAL}",
        f"Stop training; got log keys: {WITH_VAL}",
    ]

    res = model.evaluate(
        x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()]
    )
    # 359 test images: 3 batches
    assert capsys.readouterr().out.splitlines() == [
        "Start testing; got log keys: []",
        *batches("Evaluating", 3, METRICS),
        f"Stop testing; got log keys: {METRICS}",
    ]
    assert len(res) == 2

    res = model.predict(x_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    assert capsys.readouterr().out.splitlines() == [
        "Start predicting; got log keys: []",
        *batches("Predicting", 3, "['outputs']"),
        "Stop predicting; got log keys: []",
    ]
    assert res.shape == (359, 1)


def test_predict_batch_end_gets_the_batchs_outputs(data):
    (_, _), (x_test, _) = data
    seen = []
    model = get_model()
    expected = model.predict(x_test, verbose=0)

    class Outputs(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(logs["outputs"])

    model.predict(x_test, batch_size=128, verbose=0, callbacks=[Outputs()])
    np.testing.assert_array_equal(np.concatenate(seen), expected)


def test_loss_and_error_printing_callback(data, capsys):
    (x_train, y_train), (x_test, y_test) = data
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=2,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )
    res = model.evaluate(
        x_test,
        y_test,
        batch_size=128,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )
    lines = capsys.readouterr().out.splitlines()
    # 1000 samples: 8 batches per epoch, then an epoch line; then 3 test batches
    assert [line[:len("Up to batch 0")] for line in lines[:9]] == [
        *(f"Up to batch {b}" for b in range(8)), "The average l"]
    epoch_losses = [float(line.split()[7]) for line in lines if line.startswith("The average")]
    assert len(epoch_losses) == 2 and epoch_losses[1] < epoch_losses[0]
    assert len(lines) == 2 * 9 + 3
    assert lines[-1] == "Up to batch 2, the average loss is {:7.2f}.".format(res[0])


def test_early_stopping_at_min_loss_stops_and_restores_the_best_weights(data, capsys):
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(0)
    model = get_model()
    stopper = EarlyStoppingAtMinLoss()
    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=30,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback(), stopper],
    )
    out = capsys.readouterr().out
    assert len(history.epoch) < 30  # RMSprop at 0.1 stops improving well before 30 epochs
    assert f"Epoch {stopper.stopped_epoch + 1}: early stopping" in out
    assert "Restoring model weights from the end of the best epoch." in out
    for restored, best in zip(model.get_weights(), stopper.best_weights, strict=True):
        np.testing.assert_array_equal(restored, best)


def test_custom_learning_rate_scheduler_sets_the_rate_before_each_epoch(data, capsys):
    (x_train, y_train), (x_test, y_test) = data
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=15,
        verbose=0,
        callbacks=[
            LossAndErrorPrintingCallback(),
            CustomLearningRateScheduler(lr_schedule),
        ],
    )
    rates = [float(line.split()[-1].rstrip("."))
             for line in capsys.readouterr().out.splitlines() if "Learning rate is" in line]
    assert rates == [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
