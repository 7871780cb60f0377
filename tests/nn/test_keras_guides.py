"""Code from the keras.io guides, run as written with only the imports changed
(``import autograd as tf``, ``import nn as keras``, ``from nn import layers``).

The data is the shipped 8x8 digits instead of MNIST (784 inputs become 64), so
the tests stay fast and offline; everything else is the guide's code. Each test
asserts what the guide shows: that training makes the loss fall and the
accuracy rise, and the values the guide's own cells compute.
"""
# The guides' code is kept as written, printf-style formatting included.
# ruff: noqa: UP031

import numpy as np
import pytest

import autograd as tf
import nn as keras
from nn import layers


@pytest.fixture
def digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = np.reshape(x_train, (-1, 64)).astype("float32") / 16
    x_test = np.reshape(x_test, (-1, 64)).astype("float32") / 16
    return (x_train, y_train.astype("int64")), (x_test, y_test.astype("int64"))


def test_writing_a_training_loop_from_scratch(digits, capsys):
    # keras.io/guides/writing_a_training_loop_from_scratch (tf.keras era).
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = digits

    inputs = keras.Input(shape=(64,), name="digits")
    x1 = layers.Dense(64, activation="relu")(inputs)
    x2 = layers.Dense(64, activation="relu")(x1)
    outputs = layers.Dense(10, name="predictions")(x2)
    model = keras.Model(inputs=inputs, outputs=outputs)

    optimizer = keras.optimizers.SGD(learning_rate=1e-1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    batch_size = 64
    x_val = x_train[-300:]
    y_val = y_train[-300:]
    x_train = x_train[:-300]
    y_train = y_train[:-300]

    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.shuffle(buffer_size=1024).batch(batch_size)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val))
    val_dataset = val_dataset.batch(batch_size)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    epochs = 5
    losses, accuracies = [], []
    for epoch in range(epochs):
        print("\nStart of epoch %d" % (epoch,))
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            loss_value = train_step(x_batch_train, y_batch_train)
            if step % 10 == 0:
                print("Training loss (for one batch) at step %d: %.4f" % (step, float(loss_value)))
            losses.append(float(loss_value))

        train_acc = train_acc_metric.result()
        print("Training acc over epoch: %.4f" % (float(train_acc),))
        train_acc_metric.reset_state()

        for x_batch_val, y_batch_val in val_dataset:
            test_step(x_batch_val, y_batch_val)
        val_acc = val_acc_metric.result()
        val_acc_metric.reset_state()
        print("Validation acc: %.4f" % (float(val_acc),))
        accuracies.append(float(val_acc))

    out = capsys.readouterr().out
    assert "Start of epoch 2" in out and "Validation acc:" in out
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    assert accuracies[-1] > 0.85
    # The weights' .grad was never used: the tape returns gradients instead.
    assert all(w.grad is None for w in model.trainable_weights)


def test_gradient_tape_basics_from_the_guides():
    # keras.io "Introduction to Keras for researchers" (tf.keras era): tape basics.
    a = tf.random.normal(shape=(2, 2))
    b = tf.random.normal(shape=(2, 2))
    with tf.GradientTape() as tape:
        tape.watch(a)
        c = tf.sqrt(tf.square(a) + tf.square(b))
        dc_da = tape.gradient(c, a)
    expected = a.numpy() / np.sqrt(a.numpy() ** 2 + b.numpy() ** 2)
    np.testing.assert_allclose(dc_da.numpy(), expected, rtol=1e-5)

    # Variables are watched automatically. (The guide's next cell, a second-order
    # gradient with a nested tape, is not supported: backward works on arrays.)
    a = tf.Variable(a)
    with tf.GradientTape() as tape:
        c = tf.sqrt(tf.square(a) + tf.square(b))
        dc_da = tape.gradient(c, a)
    np.testing.assert_allclose(dc_da.numpy(), expected, rtol=1e-5)


def test_linear_layer_with_tf_variables_from_the_subclassing_guide():
    # keras.io/guides/making_new_layers_and_models_via_subclassing (tf.keras era).
    class Linear(keras.layers.Layer):
        def __init__(self, units=32, input_dim=32):
            super().__init__()
            w_init = tf.random_normal_initializer()
            self.w = tf.Variable(
                initial_value=w_init(shape=(input_dim, units), dtype="float32"),
                trainable=True,
            )
            b_init = tf.zeros_initializer()
            self.b = tf.Variable(
                initial_value=b_init(shape=(units,), dtype="float32"), trainable=True
            )

        def call(self, inputs):
            return tf.matmul(inputs, self.w) + self.b

    x = tf.ones((2, 2))
    linear_layer = Linear(4, 2)
    y = linear_layer(x)
    assert y.shape == (2, 4)
    np.testing.assert_allclose(y.numpy(), np.ones((2, 2)) @ linear_layer.w.numpy(), rtol=1e-6)
    assert [id(w) for w in linear_layer.weights] == [id(linear_layer.w), id(linear_layer.b)]

    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = tf.Variable(initial_value=tf.zeros((input_dim,)), trainable=False)

        def call(self, inputs):
            self.total.assign_add(tf.reduce_sum(inputs, axis=0))
            return self.total

    x = tf.ones((2, 2))
    my_sum = ComputeSum(2)
    y = my_sum(x)
    assert y.numpy().tolist() == [2.0, 2.0]
    y = my_sum(x)
    assert y.numpy().tolist() == [4.0, 4.0]
    assert len(my_sum.weights) == 1
    assert len(my_sum.non_trainable_weights) == 1
    assert my_sum.trainable_weights == []
