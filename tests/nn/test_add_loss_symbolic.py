"""``add_loss`` beyond a Tensor in ``call``: a symbolic tensor of a functional model
(tf.keras's ``model.add_loss(penalty)``) and a function of no arguments, counted in
``fit``'s loss as Keras counts them (added to the compiled loss). Expected values
are computed by hand in NumPy from the model's weights.
"""

import numpy as np
import pytest

import autograd as tf
import nn as keras
from nn import layers


class MeanTimes(layers.Layer):
    """A scalar penalty from a tensor: mean(x) * factor."""

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return tf.reduce_mean(x) * self.factor


def model_with_symbolic_loss():
    keras.clear_session()
    inputs = keras.Input(shape=(3,), name="digits")
    dense1 = layers.Dense(4, activation="relu", name="dense_1")(inputs)
    outputs = layers.Dense(2, name="predictions")(dense1)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.add_loss(MeanTimes(0.1)(dense1))
    return model


def hand_losses(model, x, y):
    k1, b1 = model.get_layer("dense_1").get_weights()
    k2, b2 = model.get_layer("predictions").get_weights()
    hidden = np.maximum(x @ k1 + b1, 0)
    mse = np.mean((hidden @ k2 + b2 - y) ** 2)
    return float(mse), float(hidden.mean() * 0.1)


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")


def test_model_add_loss_of_a_symbolic_tensor_counts_in_fit(xy):
    x, y = xy
    model = model_with_symbolic_loss()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    mse, penalty = hand_losses(model, x, y)
    history = model.fit(x, y, batch_size=8, verbose=0)  # one batch: the loss before the step
    assert history.history["loss"][0] == pytest.approx(mse + penalty, rel=1e-5)
    mse, penalty = hand_losses(model, x, y)
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(mse + penalty,
                                                                          rel=1e-5)
    # model.losses holds the penalty of the last call
    model(x)
    assert [float(v.numpy()) for v in model.losses] == [pytest.approx(penalty, rel=1e-5)]


def test_the_symbolic_loss_alone_trains_the_model(xy):
    x, _ = xy
    model = model_with_symbolic_loss()
    model.compile(optimizer=keras.optimizers.SGD(0.5))  # no compiled loss
    _, before = hand_losses(model, x, np.zeros((8, 2)))
    history = model.fit(x, batch_size=8, epochs=3, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-5)
    assert history.history["loss"][-1] < before  # relu activations pushed down


def test_add_loss_inside_call_counts_in_fit(xy):
    x, y = xy

    class ActivityRegularizationLayer(layers.Layer):
        def call(self, inputs):
            self.add_loss(tf.reduce_sum(inputs) * 0.01)
            return inputs

    keras.clear_session()
    inputs = keras.Input(shape=(3,))
    hidden = layers.Dense(4, activation="relu", name="dense_1")(inputs)
    hidden = ActivityRegularizationLayer()(hidden)
    model = keras.Model(inputs, layers.Dense(2, name="predictions")(hidden))
    model.compile(optimizer="sgd", loss="mse")
    mse, mean_times_tenth = hand_losses(model, x, y)
    total_times_hundredth = mean_times_tenth * 10 * 4 * 8 / 100  # mean -> sum of 8x4, * 0.01
    logs = model.evaluate(x, y, batch_size=8, verbose=0)
    assert logs == pytest.approx(mse + total_times_hundredth, rel=1e-5)


def test_add_loss_of_a_function_is_called_each_time(xy):
    model = model_with_symbolic_loss()
    kernel = model.get_layer("predictions").kernel
    model.add_loss(lambda: tf.reduce_mean(kernel ** 2))
    x, _ = xy
    model(x)
    expected = float(np.mean(model.get_layer("predictions").get_weights()[0] ** 2))
    assert float(model.losses[-1].numpy()) == pytest.approx(expected, rel=1e-6)


def test_a_symbolic_loss_from_another_input_is_refused():
    model = model_with_symbolic_loss()
    other = keras.Input(shape=(3,), name="other")
    with pytest.raises(ValueError, match="Graph disconnected"):
        model.add_loss(MeanTimes(1.0)(other))


def test_a_plain_layer_refuses_a_symbolic_loss_with_a_clear_error():
    with pytest.raises(TypeError, match="Only a functional model"):
        layers.Dense(2).add_loss(keras.Input(shape=(2,)))
