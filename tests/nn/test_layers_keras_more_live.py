"""The layers of test_layers_keras_more.py against real Keras 3 (marker ``reference``):
the same inputs and weights give the same outputs, and models holding them move
through .keras files both ways."""

import numpy as np
import pytest

import nn
from nn import layers

pytestmark = pytest.mark.reference

RNG = np.random.default_rng(0)
X4 = RNG.normal(size=(2, 5, 6, 3)).astype("float32")
X3 = RNG.normal(size=(2, 4, 5)).astype("float32")
X2 = RNG.normal(size=(2, 7)).astype("float32")
CASES = [("ReLU", {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.3}, X4),
         ("ReLU", {"max_value": 6.0}, X4 * 5), ("LeakyReLU", {"negative_slope": 0.2}, X4),
         ("ELU", {"alpha": 0.5}, X4), ("Softmax", {"axis": 1}, X3),
         ("UpSampling2D", {"size": (2, 3)}, X4),
         ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}, X4),
         ("Cropping2D", {"cropping": ((1, 2), (2, 1))}, X4), ("RepeatVector", {"n": 3}, X2),
         ("Permute", {"dims": (3, 1, 2)}, X4)]


def _numpy(value):
    return np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)


@pytest.mark.parametrize("name,options,x", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_weightless_layers_match_keras(name, options, x):
    import keras

    expected = _numpy(getattr(keras.layers, name)(**options)(x))
    np.testing.assert_allclose(getattr(layers, name)(**options)(x).numpy(), expected,
                               rtol=1e-6, atol=1e-7)


def test_prelu_with_keras_weights_matches():
    import keras

    theirs = keras.layers.PReLU(shared_axes=[1, 2])
    theirs.build((None, 5, 6, 3))
    alpha = RNG.normal(size=(1, 1, 3)).astype("float32")
    theirs.set_weights([alpha])
    ours = layers.PReLU(shared_axes=[1, 2])
    ours.build((None, 5, 6, 3))
    ours.set_weights([alpha])
    np.testing.assert_allclose(ours(X4).numpy(), _numpy(theirs(X4)), rtol=1e-6)


A, B, C = (RNG.normal(size=s).astype("float32") for s in ((2, 3, 4), (2, 4, 5), (2, 3, 6)))


@pytest.mark.parametrize("axes,normalize,inputs", [((2, 1), False, [A, B]), (1, False, [A, C]),
                                                   (1, True, [A, C]), (-1, True, [X2, X2[::-1]]),
                                                   ((1, 1), False, [X2, X2])])
def test_dot_matches_keras(axes, normalize, inputs):
    import keras

    expected = _numpy(keras.layers.Dot(axes=axes, normalize=normalize)(inputs))
    np.testing.assert_allclose(layers.Dot(axes=axes, normalize=normalize)(inputs).numpy(),
                               expected, rtol=1e-5, atol=1e-6)


def test_models_with_the_new_layers_move_through_keras_files(tmp_path):
    import keras

    data = RNG.normal(size=(2, 6, 6, 2)).astype("float32")
    inputs = nn.Input((6, 6, 2))
    x = layers.ZeroPadding2D(1)(inputs)
    x = layers.PReLU(shared_axes=[1, 2], alpha_initializer="random_normal")(
        layers.Conv2D(4, 3)(x))
    x = layers.Flatten()(layers.Permute((2, 1, 3))(layers.Cropping2D(2)(
        layers.UpSampling2D(2)(x))))
    a, b = layers.Dense(3)(x), layers.ReLU(max_value=6.0)(layers.Dense(3)(x))
    ours = nn.Model(inputs, layers.Softmax()(layers.maximum([a, b])))
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "ours.keras").predict(
        data, verbose=0), ours.predict(data, verbose=0), rtol=1e-5, atol=1e-7)

    k_in = keras.Input((6, 6, 2))
    kx = keras.layers.PReLU(shared_axes=[1, 2], alpha_initializer="random_normal")(
        keras.layers.Conv2D(4, 3)(keras.layers.ZeroPadding2D(1)(k_in)))
    kx = keras.layers.Flatten()(keras.layers.Cropping2D(2)(keras.layers.UpSampling2D(2)(kx)))
    ka, kb = keras.layers.Dense(3)(kx), keras.layers.Dense(3)(kx)
    kd = keras.layers.ELU()(keras.layers.LeakyReLU(0.1)(keras.layers.RepeatVector(2)(
        keras.layers.Dot(axes=1)([ka, kb]))))
    theirs = keras.Model(k_in, [keras.layers.Softmax()(keras.layers.minimum([ka, kb])), kd])
    theirs.save(tmp_path / "theirs.keras")
    loaded = nn.models.load_model(tmp_path / "theirs.keras")
    for got, expected in zip(loaded.predict(data, verbose=0), theirs.predict(data, verbose=0),
                             strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("options", [
    {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "valid"},
    {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
    {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same"},
    {"filters": 2, "kernel_size": 1, "strides": 3, "padding": "valid"},
    {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1},
    {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "valid", "output_padding": 1},
    {"filters": 2, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"}])
def test_conv2d_transpose_matches_keras(options):
    import keras

    x = RNG.normal(size=(2, 5, 6, 3)).astype("float32")
    theirs = keras.layers.Conv2DTranspose(**options)
    expected = _numpy(theirs(x))
    ours = layers.Conv2DTranspose(**options)
    ours.build((None, 5, 6, 3))
    ours.set_weights([_numpy(w) for w in theirs.get_weights()])
    np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_the_autoencoder_moves_through_keras_files(tmp_path):
    import keras

    def autoencoder(keras, layers):
        inputs = keras.Input(shape=(12, 12, 1))
        x = layers.Conv2D(4, 3, activation="relu")(inputs)
        x = layers.GlobalMaxPooling2D()(x)
        x = layers.Reshape((2, 2, 1))(x)
        x = layers.Conv2DTranspose(4, 3, strides=2, activation="relu")(x)
        return keras.Model(inputs, layers.Conv2DTranspose(1, 3, padding="same")(x))

    theirs, ours = autoencoder(keras, keras.layers), autoencoder(nn, layers)
    ours.set_weights([_numpy(w) for w in theirs.get_weights()])
    x = RNG.random((2, 12, 12, 1)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    theirs.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(nn.models.load_model(tmp_path / "theirs.keras").predict(
        x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "ours.keras").predict(
        x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [{"kernel_size": 3},
                                     {"kernel_size": 3, "depth_multiplier": 2, "strides": 2,
                                      "padding": "same"},
                                     {"kernel_size": (2, 3), "dilation_rate": 2},
                                     {"kernel_size": 3, "use_bias": False, "padding": "same"}])
def test_depthwise_and_separable_match_keras(options, tmp_path):
    import keras

    x = RNG.normal(size=(2, 9, 8, 3)).astype("float32")
    for name, extra in (("DepthwiseConv2D", {}), ("SeparableConv2D", {"filters": 5})):
        theirs = getattr(keras.layers, name)(**extra, **options)
        expected = _numpy(theirs(x))
        ours = getattr(layers, name)(**extra, **options)
        ours.build((None, 9, 8, 3))
        ours.set_weights([_numpy(w) for w in theirs.get_weights()])
        np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    inputs = keras.Input((9, 8, 3))
    model = keras.Model(inputs, keras.layers.DepthwiseConv2D(3)(
        keras.layers.SeparableConv2D(4, 3, depth_multiplier=2)(inputs)))
    model.save(tmp_path / "separable.keras")
    loaded = nn.models.load_model(tmp_path / "separable.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
