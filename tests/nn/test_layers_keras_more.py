"""Layers real Keras code reaches for (issue 15 section 3): the merges Maximum, Minimum
and Dot with the functional helpers, the activation layers, and the image/sequence
reshaping layers. Values by hand, gradients by gradcheck in float64, shapes through
nn.Input, configs round trip; tests/nn/test_layers_keras_more_live.py compares with
Keras 3 (marker ``reference``)."""

import numpy as np
import pytest

import autograd
import nn
from nn import layers

RNG = np.random.default_rng(3)


def f64(shape):
    return autograd.tensor(RNG.normal(size=shape), requires_grad=True, dtype="float64")


# ---------------------------------------------------------------- merges

def test_maximum_minimum_by_hand_and_gradient_goes_to_the_winner():
    a = autograd.tensor([[1.0, 5.0]], requires_grad=True, dtype="float64")
    b = autograd.tensor([[3.0, 2.0]], requires_grad=True, dtype="float64")
    out = layers.Maximum(dtype="float64")([a, b])
    assert out.numpy().tolist() == [[3.0, 5.0]]
    out.sum().backward()
    assert a.grad.numpy().tolist() == [[0.0, 1.0]] and b.grad.numpy().tolist() == [[1.0, 0.0]]
    assert layers.Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]]),
                             np.array([[0.0, 9.0]])]).numpy().tolist() == [[0.0, 2.0]]


def test_dot_2d_3d_normalize_by_hand():
    a, b = np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([[3.0, 4.0], [0.0, 5.0]])
    assert layers.Dot(axes=1)([a, b]).numpy().tolist() == [[11.0], [0.0]]
    cosine = layers.Dot(axes=1, normalize=True)([a, b]).numpy()
    assert np.allclose(cosine, [[11 / (np.sqrt(5) * 5)], [0.0]])
    x, y = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 5))
    # axes (2, 1) of (b, 3, 4) and (b, 4, 5): a batched matmul
    np.testing.assert_allclose(layers.Dot(axes=(2, 1))([x, y]).numpy(), x @ y, rtol=1e-5)
    # axes (1, 1) of (b, 3, 4) and (b, 3, 6): (b, 4, 6)
    z = RNG.normal(size=(2, 3, 6))
    np.testing.assert_allclose(layers.Dot(axes=1)([x, z]).numpy(),
                               np.einsum("bik,bil->bkl", x, z), rtol=1e-5)
    assert layers.Dot(axes=1)([nn.Input((3, 4)), nn.Input((3, 6))]).shape == (None, 4, 6)
    assert layers.Dot(axes=-1)([nn.Input((8,)), nn.Input((8,))]).shape == (None, 1)


def test_dot_gradcheck():
    x, y = f64((2, 3, 4)), f64((2, 4, 5))
    assert autograd.gradcheck(lambda p, q: layers.Dot(axes=(2, 1), dtype="float64")([p, q]),
                              [x, y])
    u, v = f64((3, 5)), f64((3, 5))
    assert autograd.gradcheck(
        lambda p, q: layers.Dot(axes=1, normalize=True, dtype="float64")([p, q]), [u, v])


def test_dot_bad_axes_name_the_shapes():
    with pytest.raises(ValueError, match=r"sizes 4 and 5 must be equal"):
        layers.Dot(axes=2)([nn.Input((3, 4)), nn.Input((3, 5))])
    with pytest.raises(ValueError, match="axis 0 is the batch"):
        layers.Dot(axes=0)([nn.Input((3,)), nn.Input((3,))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Dot(axes=1)([nn.Input((3,))] * 3)


def test_functional_helpers_build_the_same_models_as_the_classes():
    a, b = nn.Input((4,)), nn.Input((4,))
    for helper, cls in [(layers.add, layers.Add), (layers.subtract, layers.Subtract),
                        (layers.multiply, layers.Multiply), (layers.average, layers.Average),
                        (layers.maximum, layers.Maximum), (layers.minimum, layers.Minimum),
                        (layers.concatenate, layers.Concatenate), (layers.dot, layers.Dot)]:
        out = helper([a, b], name=f"{cls.__name__.lower()}_helper") if helper is not layers.dot \
            else helper([a, b], axes=1)
        model = nn.Model([a, b], out)
        assert isinstance(model.layers[-1], cls)
        x, y = RNG.normal(size=(2, 4)), RNG.normal(size=(2, 4))
        expected = cls(**({"axes": 1} if cls is layers.Dot else {}))([x, y]).numpy()
        np.testing.assert_allclose(model.predict([x, y], verbose=0), expected, rtol=1e-6)


def test_toy_resnet_block_from_the_functional_guide_runs():
    inputs = nn.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_2_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = nn.Model(inputs, outputs, name="toy_resnet")
    assert model.output_shape == (None, 10)
    assert model.predict(RNG.random((2, 32, 32, 3)).astype("float32"), verbose=0).shape == (2, 10)


# ---------------------------------------------------------------- activation layers

def test_relu_options_by_hand():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 1.0, 3.0, 8.0]])
    assert layers.ReLU()(x).numpy().tolist() == [[0, 0, 0, 0.5, 1, 3, 8]]
    assert layers.ReLU(max_value=6)(x).numpy().tolist() == [[0, 0, 0, 0.5, 1, 3, 6]]
    # leaky: x below 0 times the slope
    np.testing.assert_allclose(layers.ReLU(negative_slope=0.1)(x).numpy(),
                               [[-0.2, -0.05, 0, 0.5, 1, 3, 8]], rtol=1e-6)
    # threshold 1: x where x > 1, else 0, minus slope * (1 - x) below it
    np.testing.assert_allclose(layers.ReLU(threshold=1.0, negative_slope=0.5)(x).numpy(),
                               [[-1.5, -0.75, -0.5, -0.25, 0.0, 3, 8]], rtol=1e-6)


def test_leaky_elu_softmax_by_hand():
    x = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), [[-0.3, 0, 2]], rtol=1e-6)
    np.testing.assert_allclose(layers.LeakyReLU(alpha=0.1)(x).numpy(), [[-0.1, 0, 2]], rtol=1e-6)
    np.testing.assert_allclose(layers.ELU(alpha=2.0)(x).numpy(),
                               [[2 * (np.exp(-1) - 1), 0, 2]], rtol=1e-6)
    e = np.exp([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), [e / e.sum()], rtol=1e-6)
    masked = layers.Softmax()(x, mask=np.array([[True, False, True]])).numpy()
    np.testing.assert_allclose(masked, [[e[0] / (e[0] + e[2]), 0, e[2] / (e[0] + e[2])]],
                               rtol=1e-6, atol=1e-7)


def test_prelu_learns_its_slopes_and_shares_axes():
    layer = layers.PReLU(shared_axes=[1, 2])
    layer.build((None, 5, 5, 3))
    assert layer.alpha.shape == (1, 1, 3) and np.all(layer.alpha.numpy() == 0)
    x = autograd.tensor(np.array([[-2.0, 3.0]]))
    layer = layers.PReLU()
    out = layer(x)
    assert out.numpy().tolist() == [[0.0, 3.0]]
    out.sum().backward()
    # d/dalpha (alpha * min(x, 0)) = min(x, 0)
    assert layer.alpha.grad.numpy().tolist() == [-2.0, 0.0]
    assert [w.name for w in layer.trainable_weights] == [f"{layer.name}/alpha"]


@pytest.mark.parametrize("layer", [
    layers.ReLU(max_value=0.8, negative_slope=0.2, threshold=0.1, dtype="float64"),
    layers.LeakyReLU(0.2, dtype="float64"), layers.ELU(0.7, dtype="float64"),
    layers.PReLU(alpha_initializer="random_normal", shared_axes=[1], dtype="float64"),
    layers.Softmax(axis=1, dtype="float64")], ids=lambda layer: type(layer).__name__)
def test_activation_layers_gradcheck(layer):
    assert autograd.gradcheck(lambda t: layer(t), [f64((2, 3, 4))])


# ---------------------------------------------------------------- reshaping

def test_upsampling_padding_cropping_by_hand_and_shapes():
    x = np.arange(4.0).reshape(1, 2, 2, 1)
    up = layers.UpSampling2D((1, 2))(x).numpy()[0, :, :, 0]
    assert up.tolist() == [[0, 0, 1, 1], [2, 2, 3, 3]]
    padded = layers.ZeroPadding2D(1)(x).numpy()[0, :, :, 0]
    assert padded.shape == (4, 4) and padded[1:3, 1:3].tolist() == [[0, 1], [2, 3]]
    assert padded.sum() == 6
    assert layers.ZeroPadding2D((1, 2))(nn.Input((5, 5, 3))).shape == (None, 7, 9, 3)
    big = np.arange(30.0).reshape(1, 5, 6, 1)
    cropped = layers.Cropping2D(((1, 2), (2, 1)))(big).numpy()[0, :, :, 0]
    assert cropped.tolist() == big[0, 1:3, 2:5, 0].tolist()
    assert layers.Cropping2D(1)(nn.Input((5, 6, 2))).shape == (None, 3, 4, 2)


def test_repeat_vector_and_permute():
    x = np.array([[1.0, 2.0]])
    assert layers.RepeatVector(3)(x).numpy().tolist() == [[[1, 2], [1, 2], [1, 2]]]
    y = RNG.normal(size=(2, 3, 4, 5))
    np.testing.assert_array_equal(layers.Permute((3, 1, 2))(y).numpy(),
                                  y.transpose(0, 3, 1, 2).astype("float32"))
    assert layers.Permute((2, 1))(nn.Input((10, 64))).shape == (None, 64, 10)


@pytest.mark.parametrize("layer", [
    layers.UpSampling2D((2, 3), dtype="float64"),
    layers.ZeroPadding2D(((1, 0), (2, 1)), dtype="float64"),
    layers.Cropping2D(((1, 0), (1, 2)), dtype="float64"),
    layers.Permute((3, 1, 2), dtype="float64")], ids=lambda layer: type(layer).__name__)
def test_reshaping_layers_gradcheck(layer):
    assert autograd.gradcheck(lambda t: layer(t), [f64((2, 3, 4, 2))])


def test_repeat_vector_gradcheck_sums_the_copies():
    assert autograd.gradcheck(lambda t: layers.RepeatVector(4, dtype="float64")(t), [f64((2, 3))])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="removes all 4"):
        layers.Cropping2D(((2, 2), (0, 0)))(nn.Input((4, 4, 1)))
    with pytest.raises(ValueError, match="permutation of 1..2"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match=r"\(batch, rows, cols, channels\)"):
        layers.UpSampling2D()(nn.Input((4, 4)))
    with pytest.raises(ValueError, match="channels_last"):
        layers.ZeroPadding2D(data_format="channels_first")
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        layers.LeakyReLU(-1.0)


@pytest.mark.parametrize("layer", [
    layers.Maximum(), layers.Minimum(), layers.Dot(axes=(1, 2), normalize=True),
    layers.ReLU(6.0, 0.1, 0.5), layers.LeakyReLU(0.2), layers.ELU(0.5),
    layers.PReLU(shared_axes=[1, 2]), layers.Softmax(axis=1), layers.UpSampling2D((2, 3)),
    layers.ZeroPadding2D(((1, 2), (3, 4))), layers.Cropping2D(((1, 2), (3, 4))),
    layers.RepeatVector(5), layers.Permute((2, 1))], ids=lambda layer: type(layer).__name__)
def test_configs_round_trip(layer):
    again = type(layer).from_config(layer.get_config())
    config, other = layer.get_config(), again.get_config()
    config.pop("name"), other.pop("name")
    assert config == other


def test_a_model_with_the_new_layers_saves_and_loads(tmp_path):
    inputs = nn.Input((6, 6, 2))
    x = layers.ZeroPadding2D(1)(inputs)
    x = layers.Conv2D(4, 3)(x)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Cropping2D(2)(x)
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Flatten()(x)
    a = layers.Dense(3)(x)
    b = layers.ReLU(max_value=6.0)(layers.Dense(3)(x))
    out = layers.Softmax()(layers.maximum([a, b]))
    model = nn.Model(inputs, out)
    data = RNG.normal(size=(2, 6, 6, 2)).astype("float32")
    path = tmp_path / "model.gradstack"
    model.save(path)
    loaded = nn.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)


# ---------------------------------------------------------------- Conv2DTranspose

def test_conv2d_transpose_layer_shapes_weights_and_gradients():
    layer = layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    assert layer(nn.Input((5, 6, 2))).shape == (None, 10, 12, 4)
    assert layer.kernel.shape == (3, 3, 4, 2)  # Keras's layout: (kh, kw, filters, in)
    assert layers.Conv2DTranspose(4, 3)(nn.Input((5, 6, 2))).shape == (None, 7, 8, 4)
    assert layers.Conv2DTranspose(4, 3, strides=3, output_padding=2)(
        nn.Input((5, 6, 2))).shape == (None, 17, 20, 4)
    x = f64((2, 3, 3, 2))
    conv = layers.Conv2DTranspose(2, 2, strides=2, activation="tanh", dtype="float64")
    assert autograd.gradcheck(lambda t: conv(t), [x])
    with pytest.raises(ValueError, match="must be smaller than the strides"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


def test_the_functional_guide_autoencoder_runs_as_written():
    # keras.io "The Functional API": the convolutional autoencoder, imports changed.
    keras = nn
    encoder_input = keras.Input(shape=(28, 28, 1), name="img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    x = layers.Reshape((4, 4, 1))(encoder_output)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
    assert encoder.output_shape == (None, 16)
    assert autoencoder.output_shape == (None, 28, 28, 1)
    assert autoencoder.count_params() == 28241  # what Keras's summary prints for it
    autoencoder.compile(optimizer="adam", loss="mse")
    images = RNG.random((8, 28, 28, 1)).astype("float32")
    history = autoencoder.fit(images, images, epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_depthwise_and_separable_layers_shapes_weights_and_gradients():
    depthwise = layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same")
    assert depthwise(nn.Input((9, 8, 3))).shape == (None, 5, 4, 6)
    assert [w.shape for w in depthwise.get_weights()] == [(3, 3, 3, 2), (6,)]
    separable = layers.SeparableConv2D(5, 3, depth_multiplier=2)
    assert separable(nn.Input((9, 8, 3))).shape == (None, 7, 6, 5)
    assert [w.shape for w in separable.get_weights()] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]
    x = f64((2, 5, 5, 2))
    layer = layers.SeparableConv2D(3, 2, activation="tanh", dtype="float64")
    assert autograd.gradcheck(lambda t: layer(t), [x])
