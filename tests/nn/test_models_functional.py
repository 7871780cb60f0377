"""Functional models (nn.Model(inputs, outputs)) and subclassed models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hand_training import train_by_hand

import autograd
import nn
from nn import layers

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


def test_model_of_inputs_and_outputs_is_functional():
    inputs = nn.Input(shape=(4,))
    outputs = layers.Dense(2)(layers.Dense(8, activation="relu")(inputs))
    model = nn.Model(inputs=inputs, outputs=outputs)
    assert isinstance(model, nn.models.Functional) and isinstance(model, nn.Model)
    assert model.name == "model" and nn.Model(inputs, outputs).name == "model_1"
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]
    assert model.inputs == [inputs] and model.outputs == [outputs]
    assert model.input is inputs and model.output is outputs
    out = model(np.ones((3, 4)))
    assert isinstance(out, autograd.Tensor) and out.shape == (3, 2)
    assert model.count_params() == 40 + 18


def test_residual_connection():
    inputs = nn.Input(shape=(6,))
    hidden = layers.Dense(6, activation="relu", name="hidden")(inputs)
    outputs = layers.Add(name="skip")([inputs, hidden])
    model = nn.Model(inputs, outputs)
    x = np.random.default_rng(0).normal(size=(2, 6))
    hidden_layer = model.get_layer("hidden")
    expected = x + hidden_layer(x).numpy()
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-6)
    model(x).sum().backward()
    assert hidden_layer.kernel.grad is not None


def test_several_inputs_and_outputs():
    image = nn.Input(shape=(8, 8, 1), name="image")
    meta = nn.Input(shape=(3,), name="meta")
    features = layers.Flatten()(layers.Conv2D(2, 3)(image))
    joined = layers.Concatenate()([features, meta])
    score = layers.Dense(1, name="score")(joined)
    kind = layers.Dense(4, activation="softmax", name="kind")(joined)
    model = nn.Model(inputs=[image, meta], outputs=[score, kind])
    # Layers are ordered by depth, as in Keras 2: each after the layers feeding it.
    names = [layer.name for layer in model.layers]
    assert names[:2] == ["image", "conv2d"] and names[-2:] == ["score", "kind"]
    assert names.index("meta") < names.index("concatenate")
    result = model([np.ones((5, 8, 8, 1)), np.ones((5, 3))])
    assert isinstance(result, list) and [r.shape for r in result] == [(5, 1), (5, 4)]
    assert model.compute_output_shape([(None, 8, 8, 1), (None, 3)]) == [(None, 1), (None, 4)]


def test_shared_layer_is_called_twice_and_its_weights_counted_once():
    shared = layers.Dense(3, name="shared")
    a, b = nn.Input(shape=(5,)), nn.Input(shape=(5,))
    model = nn.Model([a, b], layers.Subtract()([shared(a), shared(b)]))
    assert len(model.weights) == 2 and model.count_params() == 18
    x = np.random.default_rng(1).normal(size=(2, 5))
    np.testing.assert_allclose(model([x, x]).numpy(), np.zeros((2, 3)), atol=1e-6)


def test_cutting_a_model_shares_its_layers_and_weights():
    base = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(8, name="features"),
                          layers.Dense(2, name="head")])
    extractor = nn.Model(base.inputs, base.get_layer("features").output)
    assert extractor.layers[1] is base.get_layer("features")
    x = np.ones((1, 4))
    before = extractor(x).numpy()
    with autograd.no_grad():
        base.get_layer("features").kernel.add_(1.0)
    assert not np.allclose(extractor(x).numpy(), before)
    assert extractor.count_params() == 40


def test_nested_functional_models():
    inner_in = nn.Input(shape=(3,))
    inner = nn.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    outer_in = nn.Input(shape=(3,))
    outer = nn.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    assert outer(np.ones((4, 3))).shape == (4, 1)
    assert outer.layers[1] is inner and len(outer.weights) == 4
    stacked = nn.Sequential([inner, layers.Dense(5)])
    assert stacked.output.shape == (None, 5)


def test_inputs_must_come_from_input():
    inputs = nn.Input(shape=(3,))
    middle = layers.Dense(2)(inputs)
    with pytest.raises(ValueError, match="must come from nn.Input"):
        nn.Model(middle, layers.Dense(1)(middle))


def test_graph_disconnected_names_the_missing_input():
    a, b = nn.Input(shape=(2,), name="a"), nn.Input(shape=(2,), name="b")
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected.*input 'b'"):
        nn.Model(a, out)


def test_model_outputs_must_be_symbolic():
    with pytest.raises(TypeError, match="symbolic tensors"):
        nn.Model(nn.Input(shape=(2,)), np.ones((1, 2)))


def test_duplicate_layer_names_are_rejected():
    inputs = nn.Input(shape=(2,))
    out = layers.Dense(2, name="twin")(layers.Dense(2, name="twin")(inputs))
    with pytest.raises(ValueError, match='The name "twin" is used 2 times in the model'):
        nn.Model(inputs, out)


def test_training_flag_reaches_layers_in_the_graph():
    inputs = nn.Input(shape=(100,))
    model = nn.Model(inputs, layers.Dropout(0.5)(inputs))
    x = np.ones((2, 100))
    np.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_wrong_input_shape_is_explained():
    inputs = nn.Input(shape=(8, 8, 3))
    model = nn.Model(inputs, layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match=r"expects shape \(None, 8, 8, 3\).*x\[None\]"):
        model(np.ones((8, 8, 3)))
    with pytest.raises(ValueError, match="expects 1 input"):
        model([np.ones((1, 8, 8, 3)), np.ones((1, 8, 8, 3))])


def test_functional_config_round_trip():
    a, b = nn.Input(shape=(4,), name="a"), nn.Input(shape=(2,), name="b")
    shared = layers.Dense(3, activation="tanh", name="shared")
    joined = layers.Concatenate(name="join")([shared(a), shared(layers.Dense(4, name="up")(b)), b])
    out1 = layers.Dense(1, name="out1")(joined)
    out2 = layers.BatchNormalization(name="bn")(joined)
    model = nn.Model([a, b], [out1, out2], name="two_headed")
    config = json.loads(json.dumps(model.get_config()))
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    shared_config = next(layer for layer in config["layers"] if layer["name"] == "shared")
    assert shared_config["inbound_nodes"] == [[["a", 0, 0, {}]], [["up", 0, 0, {}]]]

    again = nn.Model.from_config(config)
    assert isinstance(again, nn.models.Functional) and again.name == "two_headed"
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    again.set_weights(model.get_weights())
    x = [np.random.default_rng(0).normal(size=(3, 4)), np.ones((3, 2))]
    for ours, theirs in zip(again(x), model(x), strict=True):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_single_output_config_round_trip_keeps_a_single_output():
    inputs = nn.Input(shape=(3,))
    model = nn.Model(inputs, layers.Dense(2)(inputs))
    again = nn.Model.from_config(model.get_config())
    assert isinstance(again(np.ones((1, 3))), autograd.Tensor)


def test_custom_layer_config_round_trip_through_custom_objects():
    @nn.saving.register_serializable()
    class TimesTwo(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    inputs = nn.Input(shape=(2,))
    model = nn.Model(inputs, TimesTwo(name="twice")(inputs))
    again = nn.Model.from_config(model.get_config(), custom_objects={"TimesTwo": TimesTwo})
    np.testing.assert_array_equal(again(np.ones((1, 2))).numpy(), [[2.0, 2.0]])


# ---------------------------------------------------------------- subclassed models


class TwoTowers(nn.Model):
    """The Keras subclassing pattern: layers in __init__, used in call()."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.towers = [layers.Dense(units, activation="relu") for _ in range(2)]
        self.dropout = layers.Dropout(0.5)
        self.head = layers.Dense(1)

    def call(self, inputs, training=None):
        left, right = (tower(inputs) for tower in self.towers)
        return self.head(self.dropout(left + right, training=training))


def test_subclassed_model_tracks_its_layers_and_weights():
    model = TwoTowers()
    assert model.name == "two_towers" and not model.built
    assert len(model.layers) == 4
    out = model(np.ones((3, 5)))
    assert out.shape == (3, 1) and model.built
    assert len(model.weights) == 6 and model.count_params() == 2 * 24 + 5


def test_subclassed_model_trains():
    model = TwoTowers(units=8)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5))
    y = x.sum(axis=1, keepdims=True)
    losses = train_by_hand(model, x, y, steps=40, learning_rate=0.02)
    assert losses[-1] < 0.5 * losses[0]


def test_subclassed_model_passes_training_to_inner_layers():
    class Noisy(nn.Model):
        def __init__(self):
            super().__init__()
            self.drop = layers.Dropout(0.5)

        def call(self, inputs):  # no training argument: the layer inherits the model's
            return self.drop(inputs)

    model = Noisy()
    x = np.ones((2, 100))
    np.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_subclassed_model_build_then_summary():
    model = TwoTowers()
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    model.build((None, 5))
    assert len(model.weights) == 6
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "two_towers"'
    assert "multiple" in lines[4]  # as Keras 2 shows for subclassed models


def test_subclassed_model_inside_a_functional_graph():
    inputs = nn.Input(shape=(5,))
    model = nn.Model(inputs, TwoTowers()(inputs))
    assert model.output.shape == (None, 1)
    assert model(np.ones((2, 5))).shape == (2, 1)


def test_model_without_call_explains_what_to_write():
    class Empty(nn.Model):
        pass

    with pytest.raises(NotImplementedError, match="must define call"):
        Empty()(np.ones((1, 2)))
