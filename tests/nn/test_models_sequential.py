"""nn.Sequential: adding and removing layers, building, calling, nesting, freezing,
and what the training loop relies on."""

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


def mlp(**first_kwargs):
    return nn.Sequential([layers.Dense(8, activation="relu", **first_kwargs),
                          layers.Dense(3)])


def test_sequential_is_a_model_with_the_trainer_mixin():
    model = nn.Sequential()
    assert isinstance(model, nn.Model) and isinstance(model, nn.layers.Layer)
    assert isinstance(model, nn.models.training.Trainer)
    assert model.stop_training is False
    assert model.name == "sequential" and nn.Sequential(name="net").name == "net"


def test_add_pop_and_layers():
    model = nn.Sequential()
    first, second = layers.Dense(4), layers.Dense(2)
    model.add(first)
    model.add(second)
    assert model.layers == [first, second]
    assert model.pop() is second
    assert model.layers == [first]
    assert model.pop() is first
    with pytest.raises(TypeError, match="There are no layers in the model."):
        model.pop()


def test_pop_on_a_built_model_updates_its_output():
    model = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(8), layers.Dense(2)])
    popped = model.pop()
    assert model.output.shape == (None, 8) and model.outputs == [model.layers[0].output]
    assert popped._inbound_nodes == []  # the popped layer no longer belongs to the graph
    model.add(layers.Dense(5))
    assert model(np.ones((2, 4))).shape == (2, 5)


def test_get_layer_by_name_and_index():
    model = nn.Sequential([layers.Dense(4, name="a"), layers.Dense(2, name="b")])
    assert model.get_layer("b") is model.layers[1]
    assert model.get_layer(name="a") is model.layers[0]
    assert model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(ValueError, match=r"No such layer: c. Existing layers are: \['a', 'b'\]"):
        model.get_layer("c")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=2)
    with pytest.raises(ValueError, match="not both"):
        model.get_layer(name="a", index=0)


def test_build_with_an_input_shape_creates_weights_without_data():
    model = mlp()
    assert model.built is False
    model.build((None, 5))
    assert model.built is True
    assert [w.shape for w in model.weights] == [(5, 8), (8,), (8, 3), (3,)]
    assert model.inputs[0].shape == (None, 5) and model.outputs[0].shape == (None, 3)
    assert model.inputs[0].name == "dense_input"


def test_input_shape_on_the_first_layer_builds_the_model():
    model = nn.Sequential([layers.Dense(8, input_shape=(5,)), layers.Dense(3)])
    assert model.built and model.count_params() == 48 + 27
    assert model.input.shape == (None, 5) and model.output.shape == (None, 3)
    model = nn.Sequential([layers.Dense(2, input_dim=7)])
    assert model.input.shape == (None, 7)


def test_calling_on_data_builds_with_the_concrete_batch():
    model = mlp()
    out = model(np.ones((2, 5)))
    assert isinstance(out, autograd.Tensor) and out.shape == (2, 3) and out.dtype == np.float32
    assert model.inputs[0].shape == (2, 5)  # as in Keras 2: (1, 8) in the guide's summary
    assert model(np.ones((7, 5))).shape == (7, 3)  # other batch sizes still run


def test_sequential_output_matches_calling_the_layers():
    model = mlp()
    x = np.random.default_rng(0).normal(size=(4, 5))
    expected = model.layers[1](model.layers[0](x))
    np.testing.assert_allclose(model(x).numpy(), expected.numpy())
    np.testing.assert_allclose(model(autograd.tensor(x)).numpy(), expected.numpy())


def test_backward_through_a_model_reaches_every_weight():
    model = mlp()
    loss = (model(np.ones((4, 5))) ** 2).mean()
    loss.backward()
    assert [w.grad.shape for w in model.trainable_weights] == [(5, 8), (8,), (8, 3), (3,)]


def test_a_few_sgd_steps_reduce_the_loss():
    model = mlp()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 5))
    y = x @ rng.normal(size=(5, 3))
    losses = train_by_hand(model, x, y, steps=30, learning_rate=0.05)
    assert losses[-1] < 0.5 * losses[0]


def test_unbuilt_sequential_weights_and_summary_explain_how_to_build():
    model = mlp()
    for attribute in ("weights", "trainable_weights", "non_trainable_weights"):
        with pytest.raises(ValueError, match="first called on inputs or `build\\(\\)` is called"):
            getattr(model, attribute)
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    assert model.inputs is None and model.outputs is None


def test_adding_an_input_then_layers_builds_as_it_goes():
    model = nn.Sequential()
    model.add(nn.Input(shape=(6,)))
    assert model.built and model.weights == []
    model.add(layers.Dense(3))
    assert [w.shape for w in model.weights] == [(6, 3), (3,)]
    assert model.layers[0].output.shape == (None, 3)
    with pytest.raises(ValueError, match="first, before any layer"):
        model.add(nn.Input(shape=(6,)))


def test_nested_sequential_counts_its_parameters_once():
    inner = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(3)], name="inner")
    outer = nn.Sequential([inner, layers.Dense(2)])
    assert outer.input.shape == (None, 4)
    assert outer.input.name == "inner_input"
    assert outer.count_params() == 15 + 8
    assert len(outer.weights) == 4
    assert outer(np.ones((5, 4))).shape == (5, 2)
    lines: list[str] = []
    outer.summary(print_fn=lines.append)
    assert lines[4].rstrip() == " inner (Sequential)          (None, 3)                 15"


def test_shared_layer_weights_are_listed_once():
    shared = layers.Dense(4)
    model = nn.Sequential([nn.Input(shape=(4,)), shared])
    twice = nn.Sequential([model, layers.Dense(4)])
    assert len(twice.weights) == 4
    assert len({id(w) for w in twice.trainable_weights}) == len(twice.trainable_weights)


def test_freezing_the_model_freezes_every_layer():
    model = nn.Sequential([nn.Input(shape=(3,)), layers.Dense(4), layers.BatchNormalization(),
                           layers.Dense(2)])
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
    assert all(not layer.trainable for layer in model.layers)
    assert all(not w.requires_grad for w in model.weights)
    model.trainable = True
    assert len(model.trainable_weights) == 6
    assert [w.requires_grad for w in model.weights] == [True, True, True, True, False, False,
                                                       True, True]


def test_freezing_layers_inside_the_model():
    model = nn.Sequential([nn.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])
    model.layers[0].trainable = False
    assert [w.name for w in model.trainable_weights] == ["dense_1/kernel", "dense_1/bias"]
    assert [w.name for w in model.non_trainable_weights] == ["dense/kernel", "dense/bias"]


def test_get_and_set_weights_move_between_models():
    a, b = mlp(), mlp()
    a.build((None, 5))
    b.build((None, 5))
    b.set_weights(a.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 5))
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_losses_collect_regularizers_of_all_layers():
    model = nn.Sequential([nn.Input(shape=(3,)),
                           layers.Dense(4, kernel_regularizer="l2", kernel_initializer="ones"),
                           layers.Dense(2, kernel_regularizer="l1", kernel_initializer="ones")])
    penalties = [loss.item() for loss in model.losses]
    assert penalties == pytest.approx([0.01 * 12, 0.01 * 8])
    sum(model.losses).backward()
    assert model.layers[0].kernel.grad is not None


def test_config_round_trip_rebuilds_the_architecture():
    model = nn.Sequential([nn.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                           layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.5),
                           layers.Dense(3, activation="softmax", kernel_regularizer="l2")],
                          name="cnn")
    model.layers[0].trainable = False
    config = json.loads(json.dumps(model.get_config()))
    assert config["layers"][0]["class_name"] == "InputLayer"
    again = nn.Sequential.from_config(config)
    assert again.name == "cnn"
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert again.layers[0].trainable is False
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    again.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1))
    np.testing.assert_allclose(again(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_config_of_a_model_built_without_an_input():
    model = mlp()
    config = model.get_config()
    assert [layer["class_name"] for layer in config["layers"]] == ["Dense", "Dense"]
    again = nn.Sequential.from_config(config)
    assert not again.built


def test_sequential_inside_a_functional_model():
    block = nn.Sequential([layers.Dense(4, activation="relu"), layers.Dense(4)])
    inputs = nn.Input(shape=(6,))
    outputs = layers.Dense(1)(block(inputs))
    model = nn.Model(inputs, outputs)
    assert block.built and block.input.shape == (None, 6)
    assert model(np.ones((3, 6))).shape == (3, 1)
    assert len(model.weights) == 6
