"""The Layer base class and the non-convolutional built-in layers."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hand_training import train_by_hand

import autograd
import nn
from nn import layers
from nn.layers.naming import snake_case
from nn.saving import registry

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


# ---------------------------------------------------------------- naming


@pytest.mark.parametrize("class_name, name", [
    ("Dense", "dense"), ("Conv2D", "conv2d"), ("MaxPooling2D", "max_pooling2d"),
    ("GlobalMaxPooling2D", "global_max_pooling2d"), ("BatchNormalization", "batch_normalization"),
    ("AveragePooling2D", "average_pooling2d"), ("Sequential", "sequential"),
    ("MyResidualBlock", "my_residual_block"),
])
def test_snake_case_of_class_names(class_name, name):
    assert snake_case(class_name) == name


def _keras2_snake_case(class_name):
    # The rule gradstack's automatic names followed before they became Keras 3's
    # (tf.keras's generic_utils.to_snake_case, minus its "private" prefix).
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


@pytest.mark.parametrize("kind", ["layer", "loss", "metric", "optimizer"])
def test_one_snake_case_names_every_built_in_class_as_before(kind):
    """Layers, losses and metrics are named, and Keras file paths built, by one rule;
    moving to it renamed no built-in class (the two rules differ only on names such
    as "L1L2", where Keras 3 writes "l1l2")."""
    classes = registry.builtin_classes(kind)
    assert classes, f"no built-in {kind} classes registered"
    for cls in classes:
        name = snake_case(cls.__name__)
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name), (cls.__name__, name)
        assert name == _keras2_snake_case(cls.__name__), cls.__name__
    assert snake_case("L1L2") == "l1l2" and _keras2_snake_case("L1L2") == "l1_l2"


def test_automatic_names_of_losses_and_metrics_use_the_same_rule():
    assert nn.losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert nn.metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    assert layers.GlobalAveragePooling1D().name == "global_average_pooling1d"


def test_names_count_per_name_and_clear_session_resets():
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert layers.Conv2D(1, 1).name == "conv2d"
    assert layers.Dense(1, name="mine").name == "mine"
    assert layers.Dense(1).name == "dense_3"  # an explicit name does not use up a number
    assert nn.Sequential().name == "sequential"
    assert nn.Input(shape=(2,)).node.layer.name == "input_1"  # inputs count from 1
    nn.clear_session()
    assert layers.Dense(1).name == "dense"
    assert nn.Input(shape=(2,)).node.layer.name == "input_1"
    assert nn.backend.clear_session is nn.clear_session


# ---------------------------------------------------------------- Dense


def test_dense_creates_weights_on_first_call():
    layer = layers.Dense(3)
    assert layer.weights == [] and layer.built is False
    out = layer(np.ones((2, 6)))
    assert layer.built is True
    assert [(w.name, w.shape, w.dtype) for w in layer.weights] == [
        ("dense/kernel", (6, 3), np.float32), ("dense/bias", (3,), np.float32)]
    assert isinstance(out, autograd.Tensor) and out.shape == (2, 3)
    assert layer.count_params() == 21


def test_dense_computes_x_kernel_plus_bias_then_activation():
    layer = layers.Dense(2, activation="relu")
    x = np.array([[1.0, -2.0, 0.5]])
    layer.build((None, 3))
    kernel = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 1.0]])
    layer.set_weights([kernel, np.array([0.25, -0.5])])
    expected = np.maximum(x @ kernel + [0.25, -0.5], 0)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6)


def test_dense_applies_to_the_last_axis_of_higher_rank_inputs():
    layer = layers.Dense(4, use_bias=False)
    out = layer(np.ones((2, 5, 3)))
    assert out.shape == (2, 5, 4) and len(layer.weights) == 1
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 4)


def test_dense_gradients_match_numpy():
    layer = layers.Dense(2)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    loss = (layer(x) ** 2).sum()
    loss.backward()
    kernel, bias = layer.get_weights()
    y = x @ kernel + bias
    np.testing.assert_allclose(layer.kernel.grad.numpy(), x.T @ (2 * y), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), (2 * y).sum(axis=0), rtol=1e-5)


def test_float64_inputs_are_cast_to_float32_and_keep_the_graph():
    layer = layers.Dense(2)
    assert layer(np.ones((1, 3), dtype=np.float64)).dtype == np.float32
    x = autograd.tensor(np.ones((1, 3)), dtype="float64", requires_grad=True)
    out = layer(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float64
    assert layer(autograd.ones((1, 3))).dtype == np.float32
    assert layer([[1.0, 2.0, 3.0]]).shape == (1, 2)  # nested lists are one input


def test_weights_are_variables_with_a_readable_repr():
    layer = layers.Dense(2, bias_initializer="ones", name="out")
    layer(np.ones((1, 2)))
    kernel, bias = layer.weights
    assert isinstance(kernel, nn.layers.Variable) and isinstance(kernel, autograd.Tensor)
    assert kernel.requires_grad and kernel.is_leaf and kernel.trainable
    assert repr(bias) == ("<Variable 'out/bias' shape=(2,) dtype=float32, "
                          "numpy=array([1., 1.], dtype=float32)>")
    assert repr(kernel).startswith("<Variable 'out/kernel' shape=(2, 2) dtype=float32, numpy=\n")
    bias.assign([3.0, 4.0])
    np.testing.assert_array_equal(bias.numpy(), [3.0, 4.0])


def test_get_and_set_weights_round_trip():
    source, target = layers.Dense(3), layers.Dense(3)
    source(np.ones((1, 4)))
    target(np.ones((1, 4)))
    values = source.get_weights()
    assert [v.shape for v in values] == [(4, 3), (3,)]
    target.set_weights(values)
    for a, b in zip(target.get_weights(), values, strict=True):
        np.testing.assert_array_equal(a, b)
    values[0][0, 0] = 99.0  # get_weights returns copies
    assert source.kernel.numpy()[0, 0] != 99.0
    assert target.kernel._version > 0  # set_weights writes in place (an optimizer sees it)


# ---------------------------------------------------------------- trainable


def test_freezing_a_layer_stops_gradients():
    layer = layers.Dense(2)
    layer(np.ones((1, 3)))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert all(not w.requires_grad for w in layer.weights)
    out = layer(autograd.tensor(np.ones((1, 3)), requires_grad=True))
    out.sum().backward()
    assert layer.kernel.grad is None
    layer.trainable = True
    assert all(w.requires_grad for w in layer.weights) and len(layer.trainable_weights) == 2


def test_a_layer_created_frozen_has_frozen_weights():
    layer = layers.Dense(2, trainable=False)
    layer(np.ones((1, 3)))
    assert all(not w.requires_grad for w in layer.weights)
    assert layer.get_config()["trainable"] is False


# ---------------------------------------------------------------- subclassing


class Scale(layers.Layer):
    """A user's layer: one weight from add_weight, Keras style."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        return inputs * self.scale


class Block(layers.Layer):
    """A user's layer made of layers: an attribute, a list, and a raw weight."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.first = layers.Dense(units, activation="relu")
        self.rest = [layers.Dense(units), Scale()]
        self.offset = nn.layers.Variable(np.zeros(units, dtype=np.float32), name="block/offset")

    def call(self, inputs, training=None):
        x = self.first(inputs)
        for layer in self.rest:
            x = layer(x)
        return x + self.offset

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_layer_tracks_layers_lists_and_weights():
    block = Block(4)
    assert len(block.weights) == 1  # only the raw Variable exists before the call
    block(np.ones((2, 3)))
    names = [w.name for w in block.weights]
    assert names == ["block/offset", "dense/kernel", "dense/bias", "dense_1/kernel",
                     "dense_1/bias", "scale/scale"]
    assert block.count_params() == 4 + 16 + 20 + 4


def test_subclassed_layer_trains():
    block = Block(4)
    x = np.random.default_rng(0).normal(size=(8, 3))
    target = np.ones((8, 4))
    losses = train_by_hand(block, x, target, steps=20, learning_rate=0.05)
    assert all(w.grad is not None for w in block.trainable_weights)
    assert losses[-1] < 0.5 * losses[0]


def test_list_of_layers_appended_after_assignment_is_tracked():
    class Stack(layers.Layer):
        def __init__(self):
            super().__init__()
            self.parts = []

        def call(self, inputs):
            for part in self.parts:
                inputs = part(inputs)
            return inputs

    stack = Stack()
    stack.parts.append(layers.Dense(2))
    stack(np.ones((1, 3)))
    assert len(stack.weights) == 2


def test_freezing_a_layer_freezes_the_layers_inside():
    block = Block(2)
    block(np.ones((1, 2)))
    block.trainable = False
    assert block.trainable_weights == []
    assert block.first.trainable is False and block.rest[1].trainable is False
    assert all(not w.requires_grad for w in block.weights)


def test_add_loss_values_last_one_call():
    class Penalized(layers.Layer):
        def call(self, inputs):
            self.add_loss(inputs.sum())
            return inputs

    layer = Penalized()
    layer(np.ones((1, 2)))
    assert [loss.item() for loss in layer.losses] == [2.0]
    layer(np.ones((1, 3)))
    assert [loss.item() for loss in layer.losses] == [3.0]


def test_activity_regularizer_adds_a_loss_per_call():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l2")
    layer(np.ones((2, 3)))
    (penalty,) = layer.losses
    assert penalty.item() == pytest.approx(0.01 * 4 * 9 / 2)  # divided by the batch size


def test_custom_layer_without_compute_output_shape_works_symbolically():
    x = nn.Input(shape=(5,))
    y = Scale()(x)
    assert y.shape == (None, 5)
    model = nn.Model(x, layers.Dense(2)(y))
    assert model(np.ones((3, 5))).shape == (3, 2)


# ---------------------------------------------------------------- symbolic calls


def test_symbolic_call_records_a_node_and_computes_nothing():
    x = nn.Input(shape=(320, 320, 3))
    conv = layers.Conv2D(8, 3)
    y = conv(x)
    assert isinstance(y, nn.layers.KerasTensor)
    assert repr(y) == ("<KerasTensor: shape=(None, 318, 318, 8) dtype=float32 "
                       "(created by layer 'conv2d')>")
    assert conv.input is x and conv.output is y
    assert conv.input_shape == (None, 320, 320, 3) and conv.output_shape == (None, 318, 318, 8)
    assert conv.kernel.shape == (3, 3, 3, 8)  # built from the symbolic shape


def test_a_layer_called_twice_has_ambiguous_output():
    dense = layers.Dense(2)
    a, b = nn.Input(shape=(3,)), nn.Input(shape=(3,))
    first, second = dense(a), dense(b)
    with pytest.raises(AttributeError, match="called 2 times"):
        _ = dense.output
    assert dense.get_output_at(0) is first and dense.get_output_at(1) is second
    assert dense.output_shape == (None, 2)  # the same for both calls


def test_symbolic_tensors_refuse_arithmetic_with_a_hint():
    x = nn.Input(shape=(2,))
    with pytest.raises(TypeError, match=r"layers.Add\(\)"):
        _ = x + x
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)


def test_input_layer_and_input():
    x = nn.Input(shape=(784))  # an int, as the guide writes it
    assert x.shape == (None, 784) and x.dtype == "float32"
    assert nn.layers.Input(shape=(2, 3), batch_size=8, name="pixels").shape == (8, 2, 3)
    layer = layers.InputLayer(input_shape=(4,))
    assert layer.output.shape == (None, 4) and layer.name == "input_2"


# ---------------------------------------------------------------- other layers


def test_activation_layer():
    np.testing.assert_allclose(layers.Activation("tanh")(np.array([[0.5]])).numpy(),
                               np.tanh([[0.5]]), rtol=1e-6)


def test_dropout_is_identity_at_inference():
    x = np.ones((4, 10))
    drop = layers.Dropout(0.5)
    np.testing.assert_array_equal(drop(x).numpy(), x)
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x)


def test_dropout_drops_and_rescales_while_training():
    x = np.ones((100, 100))
    out = layers.Dropout(0.3)(x, training=True).numpy()
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.02)
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_masks_come_from_the_library_generator_or_the_seed():
    x = np.ones((4, 8))
    autograd.manual_seed(5)
    first = layers.Dropout(0.5)(x, training=True).numpy()
    autograd.manual_seed(5)
    np.testing.assert_array_equal(layers.Dropout(0.5)(x, training=True).numpy(), first)
    seeded_a = layers.Dropout(0.5, seed=1)(x, training=True).numpy()
    seeded_b = layers.Dropout(0.5, seed=1)(x, training=True).numpy()
    np.testing.assert_array_equal(seeded_a, seeded_b)


def test_dropout_gradient_uses_the_same_mask():
    x = autograd.tensor(np.ones((3, 6)), requires_grad=True)
    out = layers.Dropout(0.5, seed=0)(x, training=True)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())


def test_dropout_noise_shape_drops_whole_channels():
    out = layers.Dropout(0.5, noise_shape=(None, 1, 1, None), seed=3)(
        np.ones((2, 4, 4, 8)), training=True).numpy()
    for sample in out:
        assert all(len(np.unique(sample[..., c])) == 1 for c in range(8))


def test_dropout_follows_the_training_flag_of_the_model():
    model = nn.Sequential([nn.Input(shape=(50,)), layers.Dropout(0.5)])
    x = np.ones((4, 50))
    np.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_flatten_and_reshape():
    assert layers.Flatten()(np.ones((2, 3, 4, 5))).shape == (2, 60)
    assert layers.Flatten().compute_output_shape((None, 6, 6, 32)) == (None, 1152)
    assert layers.Flatten().compute_output_shape((None, None, 3)) == (None, None)
    assert layers.Reshape((4, 5))(np.ones((2, 20))).shape == (2, 4, 5)
    assert layers.Reshape((-1, 2))(nn.Input(shape=(3, 4))).shape == (None, 6, 2)
    x = autograd.tensor(np.arange(6.0).reshape(1, 6), requires_grad=True)
    layers.Reshape((2, 3))(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((1, 6)))


def test_batch_normalization_training_uses_batch_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(64, 5)).astype(np.float32)
    bn = layers.BatchNormalization()
    out = bn(x, training=True).numpy()
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 0.001)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    # moving = 0.99 * moving + 0.01 * batch (Keras's momentum; biased batch variance)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * x.var(0), rtol=1e-5)


def test_batch_normalization_inference_uses_moving_statistics():
    bn = layers.BatchNormalization(epsilon=0.0)
    bn.build((None, 2))
    bn.set_weights([np.array([2.0, 1.0]), np.array([0.5, 0.0]),
                    np.array([1.0, -1.0]), np.array([4.0, 1.0])])
    x = np.array([[3.0, 0.0]])
    np.testing.assert_allclose(bn(x).numpy(), [[2.0 * (3 - 1) / 2 + 0.5, 1.0]])
    np.testing.assert_allclose(bn(x, training=False).numpy(), bn(x).numpy())


def test_batch_normalization_weights_order_and_trainability():
    bn = layers.BatchNormalization()
    bn(np.ones((2, 4, 4, 3)), training=True)
    assert [w.name for w in bn.weights] == [
        "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert [w.name for w in bn.trainable_weights] == [
        "batch_normalization/gamma", "batch_normalization/beta"]
    assert [w.requires_grad for w in bn.weights] == [True, True, False, False]
    assert bn.count_params() == 12


def test_frozen_batch_normalization_runs_in_inference_mode():
    bn = layers.BatchNormalization()
    x = np.random.default_rng(1).normal(5.0, 1.0, size=(16, 3))
    bn.trainable = False
    out = bn(x, training=True).numpy()
    np.testing.assert_allclose(out, x / np.sqrt(1.001), rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3))


def test_batch_normalization_gradients_match_finite_differences():
    bn = layers.BatchNormalization(dtype="float64")
    bn.build((None, 3))
    bn.set_weights([np.array([1.5, 0.5, 2.0]), np.array([0.1, 0.2, 0.3]),
                    np.zeros(3), np.ones(3)])
    x = autograd.tensor(np.random.default_rng(2).normal(size=(6, 3)), requires_grad=True)
    # Through the batch statistics (training) and through gamma and beta.
    assert autograd.gradcheck(lambda t: (bn(t, training=True) ** 3).sum(), [x])
    weights = np.random.default_rng(3).normal(size=(6, 3))
    bn.gamma.grad = bn.beta.grad = None  # gradcheck's backward passes also reached them
    (bn(x, training=True) * weights).sum().backward()
    xv = x.numpy()
    x_hat = (xv - xv.mean(0)) / np.sqrt(xv.var(0) + 0.001)
    np.testing.assert_allclose(bn.gamma.grad.numpy(), (x_hat * weights).sum(0), rtol=1e-8)
    np.testing.assert_allclose(bn.beta.grad.numpy(), weights.sum(0), rtol=1e-8)
    assert bn.moving_mean.grad is None


@pytest.mark.parametrize("cls, combine", [
    (layers.Add, lambda a, b: a + b),
    (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b),
    (layers.Average, lambda a, b: (a + b) / 2),
])
def test_elementwise_merges(cls, combine):
    a = np.array([[1.0, 2.0]])
    b = np.array([[3.0, -4.0]])
    np.testing.assert_allclose(cls()([a, b]).numpy(), combine(a, b))
    assert cls()([nn.Input(shape=(2,)), nn.Input(shape=(2,))]).shape == (None, 2)


def test_add_broadcasts_and_concatenate_joins():
    assert layers.Add()([nn.Input(shape=(4, 3)), nn.Input(shape=(1, 3))]).shape == (None, 4, 3)
    out = layers.Concatenate()([np.ones((2, 3)), np.zeros((2, 1))])
    assert out.shape == (2, 4)
    assert layers.Concatenate(axis=1)([nn.Input(shape=(2, 5)), nn.Input(shape=(3, 5))]).shape == (
        None, 5, 5)


# ---------------------------------------------------------------- configs


def built_in_layers():
    """One instance of every built-in layer, with non-default arguments."""
    return [
        layers.Dense(3, activation="relu", use_bias=False, kernel_initializer="he_normal",
                     kernel_regularizer="l2", name="d"),
        layers.Activation("softmax"),
        layers.Conv2D(4, (3, 5), strides=2, padding="same", activation="tanh",
                      bias_regularizer=nn.regularizers.L1(0.2)),
        layers.MaxPooling2D(3, strides=1, padding="same"),
        layers.AveragePooling2D((2, 3)),
        layers.GlobalMaxPooling2D(keepdims=True),
        layers.GlobalAveragePooling2D(),
        layers.BatchNormalization(momentum=0.9, epsilon=1e-5, center=False),
        layers.Dropout(0.25, noise_shape=(None, 1), seed=3),
        layers.Flatten(),
        layers.Reshape((2, -1)),
        layers.Add(), layers.Subtract(), layers.Multiply(), layers.Average(),
        layers.Concatenate(axis=1),
        layers.InputLayer(input_shape=(3, 4), name="pixels"),
        layers.Dense(2, input_shape=(7,), trainable=False,
                     activity_regularizer=nn.regularizers.L1L2(0.1, 0.2)),
    ]


def test_builtin_layers_list_is_complete():
    listed = set(registry.builtin_classes("layer"))
    for layer in built_in_layers():
        assert type(layer) in listed
    assert {nn.Sequential, nn.models.Functional, nn.Model} <= listed


@pytest.mark.parametrize("layer", built_in_layers(), ids=lambda layer: type(layer).__name__)
def test_every_builtin_layer_config_round_trips(layer):
    config = json.loads(json.dumps(layer.get_config()))  # JSON-serializable
    again = type(layer).from_config(config)
    assert type(again) is type(layer)
    assert again.get_config() == layer.get_config()
    assert again.name == layer.name


def test_registry_resolves_every_builtin_layer():
    for cls in registry.builtin_classes("layer"):
        assert nn.saving.get_registered_class(cls.__name__) is cls


def test_keras_guide_running_total_layer():
    """The ComputeSum layer of Keras's subclassing guide: a non-trainable weight
    updated with assign_add."""

    class ComputeSum(layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs):
            self.total.assign_add(inputs.sum(axis=0))
            return self.total

    my_sum = ComputeSum(2)
    x = autograd.ones((2, 2))
    my_sum(x)
    np.testing.assert_array_equal(my_sum(x).numpy(), [4.0, 4.0])
    assert len(my_sum.weights) == 1
    assert my_sum.non_trainable_weights[0] is my_sum.total and my_sum.trainable_weights == []
