"""Keras 3 spellings: ``keras.ops`` (nn.ops), ``keras.random`` (nn.random),
``keras.Variable``, and custom layers, losses and metrics from the Keras 3
guides, written with keras.ops, run unchanged."""

import doctest
import importlib

import numpy as np
import pytest

import autograd
import nn as keras
from nn import layers, ops


def f64(*shape, seed=0):
    values = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    return autograd.tensor(values, dtype="float64", requires_grad=True)


@pytest.mark.parametrize("name", ["nn.ops", "nn.random", "nn.layers.variable", "nn.metrics",
                                  "autograd.tensorflow_names", "autograd.gradient_tape",
                                  "autograd.variable", "autograd.random", "autograd.data"])
def test_docstring_examples(name):
    autograd.manual_seed(0)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------ keras.ops values


def test_ops_match_numpy():
    a = np.arange(12.0).reshape(3, 4) - 5
    x = ops.convert_to_tensor(a)
    checks = {
        "sum": (ops.sum(x, axis=1), a.sum(axis=1)),
        "mean": (ops.mean(x, axis=[0, 1]), a.mean()),
        "max": (ops.max(x, axis=0, keepdims=True), a.max(axis=0, keepdims=True)),
        "argmax": (ops.argmax(x, axis=-1), a.argmax(axis=-1)),
        "abs": (ops.abs(x), np.abs(a)),
        "clip": (ops.clip(x, -1, 2), np.clip(a, -1, 2)),
        "where": (ops.where(x > 0, x, 0.0), np.where(a > 0, a, 0.0)),
        "cumsum": (ops.cumsum(x, axis=0), np.cumsum(a, axis=0)),
        "cumsum_flat": (ops.cumsum(x), np.cumsum(a)),
        "repeat": (ops.repeat(x, 2, axis=1), np.repeat(a, 2, axis=1)),
        "repeat_flat": (ops.repeat(x, 3), np.repeat(a, 3)),
        "tile": (ops.tile(x, 2), np.tile(a, 2)),
        "flip": (ops.flip(x, axis=1), np.flip(a, axis=1)),
        "take": (ops.take(x, [2, 0], axis=0), np.take(a, [2, 0], axis=0)),
        "take_along_axis": (ops.take_along_axis(x, np.argsort(-a, axis=1), axis=1),
                            np.take_along_axis(a, np.argsort(-a, axis=1), axis=1)),
        "sort": (ops.sort(-x), np.sort(-a)),
        "norm": (ops.norm(x, axis=1), np.linalg.norm(a, axis=1)),
        "tril": (ops.tril(x), np.tril(a)),
        "triu": (ops.triu(x, 1), np.triu(a, 1)),
        "transpose": (ops.transpose(x), a.T),
        "reshape": (ops.reshape(x, (2, -1)), a.reshape(2, -1)),
        "concatenate": (ops.concatenate([x, x], axis=1), np.concatenate([a, a], axis=1)),
        "stack": (ops.stack([x, x]), np.stack([a, a])),
        "pad": (ops.pad(x, ((1, 0), (0, 2))), np.pad(a, ((1, 0), (0, 2)))),
        "power": (ops.power(x, 2), a**2),
        "matmul": (ops.matmul(x, ops.transpose(x)), a @ a.T),
        "logsumexp": (ops.logsumexp(x, axis=1), np.log(np.exp(a).sum(axis=1))),
        "full_like": (ops.full_like(x, 3.0), np.full_like(a, 3.0)),
    }
    for name, (ours, reference) in checks.items():
        np.testing.assert_allclose(ops.convert_to_numpy(ours), reference, rtol=1e-6,
                                   err_msg=name)
    assert ops.shape(x) == (3, 4) and ops.ndim(x) == 2 and ops.size(x) == 12
    assert ops.dtype(ops.cast(x, "int32")) == "int32"
    assert [p.shape for p in ops.split(x, 2, axis=1)] == [(3, 2), (3, 2)]
    values, indices = ops.top_k(ops.convert_to_tensor([1.0, 5.0, 3.0]), k=2)
    assert values.numpy().tolist() == [5.0, 3.0] and indices.numpy().tolist() == [1, 2]
    rows, cols = ops.where(x > 4)
    assert rows.numpy().tolist() == [2, 2] and cols.numpy().tolist() == [2, 3]


@pytest.mark.parametrize("fn", [
    lambda t: ops.cumsum(t, axis=1),
    lambda t: ops.repeat(t, 2, axis=0),
    lambda t: ops.flip(t, axis=0),
    lambda t: ops.sort(t, axis=1),
    lambda t: ops.take_along_axis(t, np.array([[1, 0, 0], [2, 2, 1]]), axis=1),
    lambda t: ops.norm(t, axis=0),
    lambda t: ops.tril(t),
    lambda t: ops.normalize(t, axis=-1),
    lambda t: ops.binary_crossentropy(np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]), t * 0.5),
    lambda t: ops.binary_crossentropy(np.ones((2, 3)), t, from_logits=True),
], ids=["cumsum", "repeat", "flip", "sort", "take_along_axis", "norm", "tril", "normalize",
        "bce", "bce_logits"])
def test_ops_compositions_gradcheck(fn):
    autograd.gradcheck(fn, [f64(2, 3)])


def test_ops_nn_functions_by_hand():
    np.testing.assert_allclose(ops.relu6(ops.convert_to_tensor([-1.0, 3.0, 9.0])).numpy(),
                               [0, 3, 6])
    np.testing.assert_allclose(ops.leaky_relu(ops.convert_to_tensor([-1.0])).numpy(), [-0.2])
    # Keras 3's gelu defaults to the tanh approximation.
    x = 1.0
    approx = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(ops.gelu(ops.convert_to_tensor([x])).numpy(), [approx],
                               rtol=1e-6)
    np.testing.assert_allclose(ops.binary_crossentropy([1.0], [0.5]).numpy(), [np.log(2)],
                               rtol=1e-6)
    np.testing.assert_allclose(
        ops.categorical_crossentropy([[0.0, 1.0]], ops.convert_to_tensor([[0.5, 0.5]])).numpy(),
        [np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(
        ops.sparse_categorical_crossentropy([1], ops.convert_to_tensor([[0.0, 0.0]]),
                                            from_logits=True).numpy(), [np.log(2)], rtol=1e-6)
    np.testing.assert_array_equal(ops.one_hot([1, 0], 2).numpy(), [[0, 1], [1, 0]])
    mean, var = ops.moments(ops.convert_to_tensor([1.0, 3.0]), axes=[0])
    assert (mean.item(), var.item()) == (2.0, 1.0)


# ------------------------------------------------------------------ keras.random


def test_integer_seeds_repeat_and_seed_generators_advance():
    a = keras.random.normal((3,), seed=42).numpy()
    b = keras.random.normal((3,), seed=42).numpy()
    np.testing.assert_array_equal(a, b)
    gen = keras.random.SeedGenerator(seed=42)
    c, d = keras.random.normal((3,), seed=gen), keras.random.normal((3,), seed=gen)
    assert not np.array_equal(c.numpy(), d.numpy())
    gen_again = keras.random.SeedGenerator(seed=42)
    np.testing.assert_array_equal(keras.random.normal((3,), seed=gen_again).numpy(), c.numpy())
    keras.utils.set_random_seed(7)
    e = keras.random.uniform((3,)).numpy()
    keras.utils.set_random_seed(7)
    np.testing.assert_array_equal(keras.random.uniform((3,)).numpy(), e)
    with pytest.raises(TypeError, match="SeedGenerator"):
        keras.random.normal((2,), seed="x")


def test_random_draws_arguments():
    x = keras.random.uniform((1000,), minval=2.0, maxval=3.0, seed=0).numpy()
    assert x.min() >= 2.0 and x.max() < 3.0 and x.dtype == np.float32
    ints = keras.random.randint((1000,), 0, 4, seed=0)
    assert ints.dtype == np.int32 and set(ints.numpy().tolist()) == {0, 1, 2, 3}
    assert np.abs(keras.random.truncated_normal((1000,), seed=0).numpy()).max() <= 2.0
    y = keras.random.dropout(ops.ones((4, 1000)), rate=0.5, noise_shape=(None, 1000), seed=0)
    assert set(np.unique(y.numpy()).tolist()) <= {0.0, 2.0}
    assert sorted(keras.random.shuffle(np.arange(5), seed=1).numpy().tolist()) == [0, 1, 2, 3, 4]
    assert keras.random.categorical([[0.0, -1e9]], 3, seed=0).numpy().tolist() == [[0, 0, 0]]


# ------------------------------------------------------------------ keras.Variable


def test_keras_variable_from_an_initializer_or_a_value():
    v = keras.Variable(initializer="ones", shape=(2, 3), dtype="float32", name="v")
    assert v.shape == (2, 3) and v.numpy().sum() == 6.0 and v.trainable
    w = keras.Variable(np.zeros(2), trainable=False)
    assert not w.requires_grad and w.dtype == np.float64
    u = keras.Variable(keras.initializers.Constant(3.0), shape=(2,))
    assert u.numpy().tolist() == [3.0, 3.0]
    assert u.value is u  # Keras 3 reads .value as a property
    assert isinstance(v, autograd.Variable)


def test_a_weight_constraint_is_applied_after_each_update():
    import optim

    w = keras.Variable(np.array([0.5, -0.5]), constraint=lambda t: autograd.clip(t, 0.0, None))
    optim.SGD(learning_rate=1.0).apply_gradients([(np.array([1.0, -1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.5])


# ------------------------------------------------------------------ Keras 3 guide code


def test_keras3_custom_layers_from_the_subclassing_guide():
    # keras.io/guides/making_new_layers_and_models_via_subclassing (Keras 3).
    class Linear(keras.layers.Layer):
        def __init__(self, units=32, input_dim=32):
            super().__init__()
            self.w = self.add_weight(
                shape=(input_dim, units),
                initializer="random_normal",
                trainable=True,
            )
            self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    x = ops.ones((2, 2))
    linear_layer = Linear(4, 2)
    y = linear_layer(x)
    assert y.shape == (2, 4) and len(linear_layer.weights) == 2

    class ActivityRegularizationLayer(keras.layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(inputs))
            return inputs

    layer = ActivityRegularizationLayer()
    layer(ops.ones((2, 2)) * 3)
    assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(0.03)

    class Sampling(layers.Layer):
        """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    z_mean = autograd.tensor(np.zeros((1000, 2), dtype=np.float32), requires_grad=True)
    z_log_var = ops.full((1000, 2), np.log(4.0))
    z = Sampling()([z_mean, z_log_var])
    assert z.shape == (1000, 2) and abs(float(ops.std(z)) - 2.0) < 0.15
    ops.sum(z).backward()
    np.testing.assert_allclose(z_mean.grad.numpy(), np.ones((1000, 2)))


def test_keras3_custom_losses_and_metric_from_the_training_guide():
    # keras.io/guides/training_with_built_in_methods (Keras 3).
    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class CustomMSE(keras.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
            reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(
                shape=(), name="ctp", initializer="zeros"
            )

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                sample_weight = ops.cast(sample_weight, "float32")
                values = ops.multiply(values, sample_weight)
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0.0)

    y_true = np.array([[0.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    y_pred = autograd.tensor([[0.5, 0.5], [1.0, 0.0]])
    # By hand: squared errors (0.25, 0.25) and (0, 1) -> per-sample 0.25 and 0.5.
    np.testing.assert_allclose(custom_mean_squared_error(y_true, y_pred).numpy(), [0.25, 0.5])
    # Regularizer: (0.5 - p)^2 means 0 and 0.25 -> loss mean(0.25 + 0, 0.5 + 0.025).
    assert CustomMSE()(y_true, y_pred).item() == pytest.approx((0.25 + 0.525) / 2)

    metric = CategoricalTruePositives()
    metric.update_state(np.array([[1], [0], [1]]), np.array([[0.1, 0.9], [0.8, 0.2],
                                                              [0.7, 0.3]]))
    assert float(metric.result()) == 2.0
    metric.reset_state()
    assert float(metric.result()) == 0.0

    inputs = keras.Input(shape=(4,), name="digits")
    x = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE(),
                  metrics=[CategoricalTruePositives()])
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(32, 4)).astype("float32")
    y_onehot = keras.utils.to_categorical(rng.integers(0, 2, size=32), 2)
    history = model.fit(x_train, y_onehot, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) >= {"loss", "categorical_true_positives"}
