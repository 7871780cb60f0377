"""Conv1D, the 1-D poolings and reshapes, LayerNormalization: shapes, errors, saving.
(Their values and gradients are checked against Keras in tests/reference.)"""

import numpy as np
import pytest

import nn
from nn import layers

pytestmark = pytest.mark.layers


def _x(*shape):
    return np.random.default_rng(0).normal(size=shape).astype("float32")


@pytest.mark.parametrize("padding, strides, dilation, expected", [
    ("valid", 1, 1, 7), ("same", 1, 1, 9), ("same", 2, 1, 5), ("causal", 1, 2, 9),
    ("causal", 2, 1, 5), ("valid", 1, 3, 3)])
def test_conv1d_output_length(padding, strides, dilation, expected):
    layer = layers.Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation)
    assert layer(_x(2, 9, 3)).shape == (2, expected, 4)
    assert layer.compute_output_shape((None, 9, 3)) == (None, expected, 4)


def test_causal_conv1d_never_sees_the_future():
    layer = layers.Conv1D(2, 3, padding="causal")
    x = _x(1, 8, 1)
    later = x.copy()
    later[0, 5:] += 10.0  # change only steps 5, 6, 7
    np.testing.assert_array_equal(layer(x).numpy()[0, :5], layer(later).numpy()[0, :5])


def test_conv1d_kernel_has_keras_layout():
    layer = layers.Conv1D(8, 5)
    layer(_x(1, 10, 3))
    assert [w.shape for w in layer.weights] == [(5, 3, 8), (8,)]


def test_a_2d_input_to_conv1d_is_explained():
    with pytest.raises(ValueError, match=r"\(batch, steps, channels\).*x\[\.\.\., None\]"):
        layers.Conv1D(4, 3)(np.ones((8, 100)))


def test_layer_normalization_weights_are_gamma_then_beta():
    layer = layers.LayerNormalization()
    layer(_x(2, 3, 5))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["gamma", "beta"]
    assert [w.shape for w in layer.weights] == [(5,), (5,)]


def test_save_and_load_round_trip(tmp_path):
    nn.clear_session()
    model = nn.Sequential([
        nn.Input(shape=(12, 2)),
        layers.Conv1D(4, 3, padding="causal", dilation_rate=2),
        layers.ZeroPadding1D((1, 1)), layers.MaxPooling1D(2), layers.UpSampling1D(2),
        layers.Cropping1D((1, 0)), layers.LayerNormalization(), layers.AveragePooling1D(2),
        layers.GlobalAveragePooling1D(), layers.Dense(1),
    ])
    x = _x(3, 12, 2)
    expected = model(x).numpy()
    model.save(tmp_path / "conv1d.gradstack")
    np.testing.assert_allclose(nn.load_model(tmp_path / "conv1d.gradstack")(x).numpy(),
                               expected, rtol=1e-6)
