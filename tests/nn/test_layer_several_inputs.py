"""A layer called on several tensors positionally, as Keras 3 allows:
``LogisticEndpoint()(targets, logits)``, the "endpoint layer" of the keras.io guide
on training with the built-in methods. The layer adds its loss with ``add_loss``
and the model is fit on a dict of inputs with no ``y``.

Expected losses are computed here by hand in NumPy (binary cross-entropy from
logits: ``max(z, 0) - z * t + log(1 + exp(-|z|))``, averaged), from the model's
own weights before the step.
"""

import numpy as np
import pytest

import autograd as tf
import nn as keras
from nn import ops


class LogisticEndpoint(keras.layers.Layer):
    # The guide's layer (Keras 3 spelling), plus **kwargs so that from_config works:
    # Keras's base config holds trainable and dtype, which the guide's __init__ refuses
    # (so the guide's exact class cannot be rebuilt from a config in Keras either).
    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        return ops.softmax(logits)


def bce_from_logits(targets, logits):
    z, t = np.asarray(logits, np.float64), np.asarray(targets, np.float64)
    return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))


def endpoint_model():
    keras.clear_session()  # layer names start again: dense, predictions
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = keras.layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    return keras.Model(inputs=[inputs, targets], outputs=predictions)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return {"inputs": rng.random((3, 3)).astype("float32"),
            "targets": rng.random((3, 10)).astype("float32")}


def hand_loss(model, data):
    kernel, bias = model.get_layer("dense").get_weights()
    return bce_from_logits(data["targets"], data["inputs"] @ kernel + bias)


def test_the_guides_endpoint_example_fits_on_a_dict_without_y(data):
    keras.utils.set_random_seed(0)
    model = endpoint_model()
    model.compile(optimizer="adam")  # No loss argument!
    expected = hand_loss(model, data)
    history = model.fit(data, verbose=0)
    # One batch: the logged loss is the add_loss value before the step.
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    after = hand_loss(model, data)
    assert after != pytest.approx(expected, rel=1e-7)  # the Dense weights were trained
    assert model.evaluate(data, verbose=0) == pytest.approx(after, rel=1e-5)
    # predict returns the softmax of the logits, rows summing to 1.
    probabilities = model.predict(data, verbose=0)
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_the_layer_runs_eagerly_on_several_tensors():
    layer = LogisticEndpoint()
    targets = tf.ones((2, 2))
    logits = np.zeros((2, 2))  # an array reaches call() as a Tensor, as in Keras
    y = layer(targets, logits)
    np.testing.assert_allclose(y.numpy(), 0.5)
    assert len(layer.losses) == 1
    assert float(layer.losses[0].numpy()) == pytest.approx(np.log(2.0), rel=1e-6)


def test_summary_lists_every_input_of_the_call(capsys):
    endpoint_model().summary()
    out = capsys.readouterr().out
    assert "['targets[0][0]', 'dense[0][0]']" in out


def test_several_positional_inputs_and_a_plain_value_in_the_graph():
    class Scale(keras.layers.Layer):
        def call(self, x, y, factor=None, z=None):
            return x * y * (1.0 if factor is None else factor) + (0.0 if z is None else z)

    a, b, c = keras.Input(shape=(2,)), keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = Scale(name="scale")(a, b, None, c)
    node = out.node
    assert node.input_tensors == [a, b, c]
    model = keras.Model([a, b, c], out)
    got = model([np.full((1, 2), 2.0), np.full((1, 2), 3.0), np.ones((1, 2))])
    np.testing.assert_allclose(got.numpy(), 7.0)
    rebuilt = keras.Model.from_config(model.get_config(), custom_objects={"Scale": Scale})
    got = rebuilt([np.full((1, 2), 2.0), np.full((1, 2), 3.0), np.ones((1, 2))])
    np.testing.assert_allclose(got.numpy(), 7.0)


def test_build_gets_one_shape_per_argument():
    seen = []

    class Pair(keras.layers.Layer):
        def build(self, targets_shape, logits_shape):
            seen.append((targets_shape, logits_shape))

        def call(self, targets, logits):
            return targets + logits

    Pair()(keras.Input(shape=(4,)), keras.Input(shape=(4,)))
    assert seen == [((None, 4), (None, 4))]


def test_get_config_and_from_config_rebuild_the_graph(data):
    model = endpoint_model()
    config = model.get_config()
    endpoint = next(c for c in config["layers"] if c["name"] == "predictions")
    assert endpoint["inbound_nodes"] == [
        {"args": [{"tensor": ["targets", 0, 0]}, {"tensor": ["dense", 0, 0]}], "kwargs": {}}]
    rebuilt = keras.Model.from_config(config, custom_objects={"LogisticEndpoint": LogisticEndpoint})
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("suffix", [".keras", ".gradstack"])
def test_saving_and_loading_with_the_layer_as_a_custom_object(tmp_path, data, suffix):
    pytest.importorskip("h5py") if suffix == ".keras" else None
    model = endpoint_model()
    model.compile(optimizer="adam")
    path = tmp_path / f"endpoint{suffix}"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"LogisticEndpoint": LogisticEndpoint})
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)
    assert loaded.evaluate(data, verbose=0) == pytest.approx(hand_loss(model, data), rel=1e-5)


def test_a_metric_the_layer_keeps_is_logged_by_fit():
    # The Keras 3 endpoint recipe: the layer updates a Metric attribute in call().
    class Endpoint(keras.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
            self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy")

        def call(self, logits, targets=None, sample_weight=None):
            if targets is not None:
                self.add_loss(self.loss_fn(targets, logits, sample_weight))
                self.accuracy_metric.update_state(targets, logits, sample_weight)
            return tf.nn.softmax(logits)

    keras.clear_session()
    inputs = keras.Input((5,), name="inputs")
    logits = keras.layers.Dense(1)(inputs)
    targets = keras.Input((1,), name="targets")
    sample_weight = keras.Input((1,), name="sample_weight")
    preds = Endpoint()(logits, targets, sample_weight)
    model = keras.Model([inputs, targets, sample_weight], preds)
    rng = np.random.default_rng(1)
    data = {"inputs": rng.normal(size=(20, 5)).astype("float32"),
            "targets": (rng.random((20, 1)) > 0.5).astype("float32"),
            "sample_weight": rng.random((20, 1)).astype("float32")}
    model.compile(keras.optimizers.Adam(1e-3))
    kernel, bias = model.get_layer("dense").get_weights()
    z = data["inputs"] @ kernel + bias
    match = (data["targets"] == (z > 0.5)).astype(float)  # Keras thresholds what it is given
    w = data["sample_weight"]
    history = model.fit(data, batch_size=20, verbose=0)
    assert history.history["accuracy"][0] == pytest.approx(float((w * match).sum() / w.sum()),
                                                           rel=1e-5)
    assert list(history.history) == ["loss", "accuracy"]


def test_add_metric_logs_a_running_mean():
    # tf.keras's add_metric (Keras 3 dropped it): the mean of the values given.
    class Probe(keras.layers.Layer):
        def call(self, x):
            self.add_metric(tf.reduce_mean(x), name="mean_input")
            return x

    keras.clear_session()
    inputs = keras.Input((2,))
    model = keras.Model(inputs, Probe()(keras.layers.Dense(2)(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x = np.arange(8, dtype="float32").reshape(4, 2)
    kernel, bias = model.layers[1].get_weights()
    first, second = (x[:2] @ kernel + bias).mean(), (x[2:] @ kernel + bias).mean()
    logs = model.evaluate(x, np.zeros((4, 2)), batch_size=2, verbose=0, return_dict=True)
    assert logs["mean_input"] == pytest.approx((first + second) / 2, rel=1e-5)


def test_the_guides_metric_logging_layer_with_keras_backend_std():
    # tf.keras guide: self.add_metric(keras.backend.std(inputs), name=..., aggregation="mean")
    class MetricLoggingLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_metric(keras.backend.std(inputs), name="std_of_activation",
                            aggregation="mean")
            return inputs

    keras.clear_session()
    inputs = keras.Input((2,))
    model = keras.Model(inputs, MetricLoggingLayer()(inputs))
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[0.0, 2.0], [1.0, 1.0], [4.0, 0.0], [3.0, 3.0]], "float32")
    logs = model.evaluate(x, x, batch_size=2, verbose=0, return_dict=True)
    first, second = np.std(x[:2]), np.std(x[2:])  # population std of each batch: 0.7071, 1.5
    assert logs["std_of_activation"] == pytest.approx((first + second) / 2, rel=1e-6)


def test_the_guides_sampling_layer_with_keras_backend_random_normal():
    # tf.keras guide (VAE): epsilon = keras.backend.random_normal(shape=(batch, dim)),
    # with batch and dim read by tf.shape.
    class Sampling(keras.layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = tf.shape(z_mean)[0]
            dim = tf.shape(z_mean)[1]
            epsilon = keras.backend.random_normal(shape=(batch, dim))
            return z_mean + tf.exp(0.5 * z_log_var) * epsilon

    keras.utils.set_random_seed(0)
    z_mean = np.full((4000, 3), 2.0, "float32")
    z_log_var = np.full((4000, 3), np.log(0.25), "float32")  # std exp(0.5 * log 0.25) = 0.5
    z = Sampling()((z_mean, z_log_var)).numpy()
    assert z.shape == (4000, 3)
    assert z.mean() == pytest.approx(2.0, abs=0.02)  # 12000 draws: standard error 0.005
    assert z.std() == pytest.approx(0.5, abs=0.02)
