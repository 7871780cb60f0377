"""nn.initializers and nn.regularizers: Keras's formulas, defaults, names and seeding."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import autograd
import nn
from nn import initializers, regularizers

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


# ---------------------------------------------------------------- fans and formulas


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((6, 3), (6, 3)),                    # Dense kernel (in, out)
    ((3, 3, 16, 32), (144, 288)),        # Conv2D kernel: fans times the 3x3 receptive field
    ((5, 1, 2, 4), (10, 20)),
])
def test_fans_include_the_receptive_field(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize("cls, limit", [
    (initializers.GlorotUniform, math.sqrt(6 / (144 + 288))),
    (initializers.HeUniform, math.sqrt(6 / 144)),
    (initializers.LecunUniform, math.sqrt(3 / 144)),
])
def test_uniform_variance_scaling_limits(cls, limit):
    values = cls(seed=1)((3, 3, 16, 32))
    assert values.dtype == np.float32 and values.shape == (3, 3, 16, 32)
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.98 * limit           # fills the whole range
    assert values.std() == pytest.approx(limit / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize("cls, variance", [
    (initializers.GlorotNormal, 2 / (144 + 288)),
    (initializers.HeNormal, 2 / 144),
    (initializers.LecunNormal, 1 / 144),
])
def test_truncated_normal_variance_scaling(cls, variance):
    values = cls(seed=1)((3, 3, 16, 32)).astype(np.float64)
    # Keras: stddev = sqrt(scale / n) / 0.87962566103423978, cut at two stddevs, so
    # that the variance after cutting is scale / n.
    stddev = math.sqrt(variance) / 0.87962566103423978
    assert np.abs(values).max() <= 2 * stddev
    assert values.var() == pytest.approx(variance, rel=0.05)


def test_variance_scaling_modes_and_untruncated():
    shape = (200, 50)
    fan_out = initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=0)(shape)
    assert fan_out.var() == pytest.approx(2.0 / 50, rel=0.05)
    assert np.abs(fan_out).max() > 2 * math.sqrt(2.0 / 50)   # not cut
    fan_avg = initializers.VarianceScaling(1.0, "fan_avg", "uniform", seed=0)(shape)
    assert np.abs(fan_avg).max() <= math.sqrt(3 / 125)


def test_random_initializers_keras_defaults():
    normal = initializers.RandomNormal(seed=0)((100, 100))
    assert normal.mean() == pytest.approx(0, abs=0.002)
    assert normal.std() == pytest.approx(0.05, rel=0.03)
    uniform = initializers.RandomUniform(seed=0)((100, 100))
    assert uniform.min() >= -0.05 and uniform.max() < 0.05
    truncated = initializers.TruncatedNormal(seed=0)((100, 100))
    assert np.abs(truncated).max() <= 0.1
    custom = initializers.RandomUniform(2.0, 3.0, seed=0)((10,))
    assert custom.min() >= 2.0 and custom.max() < 3.0


def test_constant_initializers():
    np.testing.assert_array_equal(initializers.Zeros()((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(initializers.Ones()((3,)), np.ones(3))
    np.testing.assert_array_equal(initializers.Constant(0.5)((2,)), [0.5, 0.5])
    assert initializers.Constant(2)((1,), dtype="float64").dtype == np.float64


# ---------------------------------------------------------------- seeding


def test_a_seeded_initializer_repeats_on_its_own():
    init = initializers.GlorotUniform(seed=42)
    first = init((4, 5))
    autograd.manual_seed(123)
    np.testing.assert_array_equal(init((4, 5)), first)
    np.testing.assert_array_equal(initializers.GlorotUniform(seed=42)((4, 5)), first)
    assert not np.array_equal(initializers.GlorotUniform(seed=43)((4, 5)), first)


def test_unseeded_initializers_follow_manual_seed():
    autograd.manual_seed(7)
    a = initializers.HeNormal()((4, 5))
    b = initializers.HeNormal()((4, 5))
    autograd.manual_seed(7)
    np.testing.assert_array_equal(initializers.HeNormal()((4, 5)), a)
    assert not np.array_equal(a, b)


def test_manual_seed_makes_model_creation_reproducible():
    def weights():
        model = nn.Sequential([nn.Input(shape=(5,)), nn.layers.Dense(4), nn.layers.Dense(2)])
        return model.get_weights()

    autograd.manual_seed(3)
    first = weights()
    autograd.manual_seed(3)
    for a, b in zip(first, weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- names and configs


@pytest.mark.parametrize("name, cls", [
    ("glorot_uniform", initializers.GlorotUniform), ("glorot_normal", initializers.GlorotNormal),
    ("he_normal", initializers.HeNormal), ("he_uniform", initializers.HeUniform),
    ("lecun_normal", initializers.LecunNormal), ("lecun_uniform", initializers.LecunUniform),
    ("random_normal", initializers.RandomNormal), ("random_uniform", initializers.RandomUniform),
    ("truncated_normal", initializers.TruncatedNormal), ("zeros", initializers.Zeros),
    ("ones", initializers.Ones), ("constant", initializers.Constant),
    ("GlorotUniform", initializers.GlorotUniform),
])
def test_initializers_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_unknown_initializer_name_lists_known_names():
    with pytest.raises(ValueError) as error:
        initializers.get("he_norml")
    assert "Did you mean 'he_normal'?" in str(error.value)
    assert "glorot_uniform" in str(error.value)


def test_initializer_config_round_trip():
    for init in (initializers.HeNormal(seed=3), initializers.RandomNormal(1.0, 2.0, seed=4),
                 initializers.Constant(0.25),
                 initializers.VarianceScaling(3.0, "fan_out", "uniform")):
        data = json.loads(json.dumps(initializers.serialize(init)))
        again = initializers.get(data)
        assert type(again) is type(init) and again.get_config() == init.get_config()
        if getattr(init, "seed", None) is not None:
            np.testing.assert_array_equal(again((3, 3)), init((3, 3)))


def test_layers_use_glorot_uniform_kernels_and_zero_biases():
    layer = nn.layers.Dense(300)
    layer(np.ones((1, 200)))
    limit = math.sqrt(6 / 500)
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert layer.kernel.numpy().std() == pytest.approx(limit / math.sqrt(3), rel=0.05)
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(300))
    conv = nn.layers.Conv2D(32, 3, kernel_initializer="he_normal", bias_initializer="ones")
    conv.build((None, 8, 8, 16))
    assert conv.kernel.numpy().var() == pytest.approx(2 / 144, rel=0.1)
    np.testing.assert_array_equal(conv.bias.numpy(), np.ones(32))


# ---------------------------------------------------------------- regularizers


def test_regularizer_defaults_and_formulas():
    w = autograd.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert regularizers.L1()(w).item() == pytest.approx(0.01 * 6.5)
    assert regularizers.L2()(w).item() == pytest.approx(0.01 * 14.25)
    assert regularizers.L1L2()(w).item() == 0.0          # L1L2's factors default to 0
    assert regularizers.L1L2(l1=0.1, l2=0.2)(w).item() == pytest.approx(0.65 + 2.85)
    assert regularizers.get("l1").l1 == 0.01
    assert regularizers.get("l2").l2 == 0.01
    both = regularizers.get("l1_l2")
    assert (both.l1, both.l2) == (0.01, 0.01)


def test_regularizer_penalty_shows_in_layer_losses_and_is_differentiable():
    layer = nn.layers.Dense(2, kernel_regularizer=regularizers.L2(0.5),
                            bias_regularizer="l1", kernel_initializer="ones",
                            bias_initializer="ones")
    layer(np.ones((1, 3)))
    kernel_penalty, bias_penalty = layer.losses
    assert kernel_penalty.item() == pytest.approx(0.5 * 6)
    assert bias_penalty.item() == pytest.approx(0.01 * 2)
    sum(layer.losses).backward()
    np.testing.assert_allclose(layer.kernel.grad.numpy(), np.full((3, 2), 0.5 * 2 * 1.0))
    np.testing.assert_allclose(layer.bias.grad.numpy(), [0.01, 0.01])


def test_layer_losses_follow_the_current_weights():
    layer = nn.layers.Dense(2, kernel_regularizer="l2", kernel_initializer="ones")
    layer.build((None, 2))
    assert layer.losses[0].item() == pytest.approx(0.04)
    layer.set_weights([np.full((2, 2), 2.0), np.zeros(2)])
    assert layer.losses[0].item() == pytest.approx(0.16)


def test_regularizer_config_round_trip_and_unknown_name():
    reg = regularizers.L1L2(l1=0.3, l2=0.1)
    again = regularizers.get(json.loads(json.dumps(regularizers.serialize(reg))))
    assert isinstance(again, regularizers.L1L2) and again.get_config() == reg.get_config()
    with pytest.raises(ValueError, match="Did you mean 'l2'"):
        regularizers.get("l22")
