"""Preprocessing and augmentation layers (issue 15 section 3): values by hand,
training-only randomness, seeds, gradients through Resizing, errors; the live
comparison with Keras 3 is test_layers_preprocessing_live.py (marker ``reference``)."""

import numpy as np
import pytest

import autograd
import nn
from nn import layers
from nn.layers.image_transforms import resize_matrix, transform

RNG = np.random.default_rng(5)
IMAGES = RNG.random((3, 6, 8, 2)).astype("float32") * 255


def test_rescaling_and_normalization_by_hand():
    assert layers.Rescaling(1 / 127.5, offset=-1)(np.array([[0.0, 255.0]])).numpy().tolist() \
        == [[-1.0, 1.0]]
    data = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    norm = layers.Normalization()
    norm.adapt(data)
    mean, variance, count = norm.get_weights()
    np.testing.assert_allclose(mean, [3.0, 20.0])
    np.testing.assert_allclose(variance, [8 / 3, 200 / 3], rtol=1e-6)  # population variance
    assert count == 3
    np.testing.assert_allclose(norm(data).numpy(), (data - [3, 20]) / np.sqrt([8 / 3, 200 / 3]),
                               rtol=1e-5)
    back = layers.Normalization(mean=[3.0, 20.0], variance=[8 / 3, 200 / 3], invert=True)
    np.testing.assert_allclose(back(norm(data)).numpy(), data, rtol=1e-5)
    whole = layers.Normalization(axis=None)
    whole.adapt(data)
    assert whole.get_weights()[0].shape == () and whole.get_weights()[0] == data.mean()


def test_normalization_adapts_on_batches_and_per_channel():
    batches = [IMAGES[:2], IMAGES[2:]]
    norm = layers.Normalization(axis=-1)
    norm.adapt(iter(batches))
    np.testing.assert_allclose(norm.get_weights()[0], IMAGES.mean(axis=(0, 1, 2)), rtol=1e-5)
    out = norm(IMAGES).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1.0, rtol=1e-4)
    with pytest.raises(ValueError, match="pass both mean and variance"):
        layers.Normalization(mean=1.0)


def test_resize_matrix_by_hand_and_resizing_matches_it():
    # 2 -> 4 bilinear at half-pixel centres: 0.75/0.25 in the middle, edges clamp
    assert resize_matrix(2, 4, "bilinear").tolist() == [[1, 0], [0.75, 0.25], [0.25, 0.75],
                                                        [0, 1]]
    assert resize_matrix(4, 2, "nearest").tolist() == [[0, 1, 0, 0], [0, 0, 0, 1]]
    assert np.allclose(resize_matrix(7, 3, "bilinear").sum(axis=1), 1.0)
    out = layers.Resizing(3, 4)(IMAGES).numpy()
    rows, cols = resize_matrix(6, 3, "bilinear"), resize_matrix(8, 4, "bilinear")
    expected = np.einsum("ip,npqc,jq->nijc", rows, IMAGES.astype(np.float64), cols)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert layers.Resizing(6, 8)(IMAGES).numpy() == pytest.approx(IMAGES)  # same size: same


def test_resizing_crop_to_aspect_ratio_and_center_crop():
    # 6x8 to a square: the central 6x6 box, then resized
    square = layers.Resizing(6, 6, crop_to_aspect_ratio=True)(IMAGES).numpy()
    np.testing.assert_allclose(square, IMAGES[:, :, 1:7], rtol=1e-5)
    np.testing.assert_array_equal(layers.CenterCrop(4, 4)(IMAGES).numpy(), IMAGES[:, 1:5, 2:6])
    assert layers.CenterCrop(12, 12)(IMAGES).shape == (3, 12, 12, 2)  # smaller: resized up


def test_resizing_passes_gradients():
    x = autograd.tensor(RNG.normal(size=(1, 4, 5, 2)), requires_grad=True, dtype="float64")
    for interpolation in ("bilinear", "nearest"):
        layer = layers.Resizing(3, 7, interpolation=interpolation, dtype="float64")
        assert autograd.gradcheck(layer, [x])


def test_transform_fill_modes_by_hand():
    row = np.arange(4.0).reshape(1, 1, 4, 1)
    shift = np.array([[[1.0, 0, 2], [0, 1, 0]]])  # output x reads input x + 2
    read = {mode: transform(row, shift, "nearest", mode, fill_value=-1)[0, 0, :, 0].tolist()
            for mode in ("constant", "nearest", "wrap", "reflect")}
    assert read == {"constant": [2, 3, -1, -1], "nearest": [2, 3, 3, 3], "wrap": [2, 3, 0, 1],
                    "reflect": [2, 3, 3, 2]}


def test_rotation_by_a_quarter_turn_is_rot90():
    square = RNG.random((2, 5, 5, 1)).astype("float32")
    quarter = layers.RandomRotation((0.25, 0.25), interpolation="nearest")
    np.testing.assert_array_equal(quarter(square, training=True).numpy(),
                                  np.rot90(square, k=1, axes=(1, 2)))
    np.testing.assert_allclose(layers.RandomRotation((0.5, 0.5))(square, training=True).numpy(),
                               square[:, ::-1, ::-1], atol=1e-5)


def test_zoom_and_translation_by_hand():
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    right = layers.RandomTranslation((0, 0), (0.25, 0.25), fill_mode="constant",
                                     interpolation="nearest")
    shifted = right(image, training=True).numpy()[0, :, :, 0]
    assert shifted[:, 1:].tolist() == image[0, :, :3, 0].tolist() and (shifted[:, 0] == 0).all()
    same = layers.RandomZoom((0.0, 0.0))(image, training=True).numpy()
    np.testing.assert_allclose(same, image)
    zoom_in = layers.RandomZoom((-0.5, -0.5), interpolation="nearest")(image, training=True)
    assert zoom_in.shape == image.shape and np.ptp(zoom_in.numpy()) < np.ptp(image)


def test_flip_and_contrast():
    images = RNG.random((200, 2, 3, 1)).astype("float32")
    flipped = layers.RandomFlip("horizontal", seed=1)(images, training=True).numpy()
    changed = ~np.all(flipped == images, axis=(1, 2, 3))
    assert 60 < changed.sum() < 140  # about half
    np.testing.assert_array_equal(flipped[changed], images[changed][:, :, ::-1])
    contrast = layers.RandomContrast((0.5, 0.5), seed=2, value_range=(0, 1))
    out = contrast(images, training=True).numpy()
    mean = images.mean(axis=(1, 2), keepdims=True)
    ratio = (out - mean) / (images - mean + 1e-12)
    spread = ratio.reshape(len(images), -1)
    unclipped = (out > 0) & (out < 1)
    assert np.all(unclipped.reshape(len(images), -1).any(axis=1))
    per_image = [np.median(s[u.ravel()]) for s, u in zip(spread, unclipped, strict=True)]
    assert min(per_image) >= 0.5 - 1e-4 and max(per_image) <= 1.5 + 1e-4


@pytest.mark.parametrize("make", [
    lambda seed: layers.RandomFlip(seed=seed), lambda seed: layers.RandomRotation(0.2, seed=seed),
    lambda seed: layers.RandomZoom(0.3, seed=seed),
    lambda seed: layers.RandomTranslation(0.2, 0.2, seed=seed),
    lambda seed: layers.RandomContrast(0.4, seed=seed)])
def test_augmentation_is_training_only_and_seeded(make):
    np.testing.assert_array_equal(make(3)(IMAGES).numpy(), IMAGES)
    first, again = make(3), make(3)
    a1, a2 = first(IMAGES, training=True).numpy(), first(IMAGES, training=True).numpy()
    np.testing.assert_array_equal(again(IMAGES, training=True).numpy(), a1)  # same seed, same
    assert not np.array_equal(a1, a2)  # new draws at every call
    assert a1.shape == IMAGES.shape and a1.dtype == np.float32


def test_augmentation_runs_in_fit_and_not_in_predict():
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Input((6, 8, 2)), layers.RandomFlip("horizontal", seed=0),
                           layers.Rescaling(1 / 255), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(IMAGES, np.zeros((3, 1)), epochs=2, verbose=0)
    first = model.predict(IMAGES, verbose=0)
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0), first)


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="mode must be one of"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match=r"\(batch, rows, cols, channels\)"):
        layers.RandomZoom(0.1)(nn.Input((4, 4)))
    with pytest.raises(ValueError, match="interpolation must be one of"):
        layers.Resizing(2, 2, interpolation="bicubic")


@pytest.mark.parametrize("layer", [
    layers.Rescaling(0.5, 1.0), layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0]),
    layers.Resizing(4, 5, "nearest", crop_to_aspect_ratio=True), layers.CenterCrop(3, 4),
    layers.RandomFlip("vertical", seed=1), layers.RandomRotation((-0.1, 0.2), "constant"),
    layers.RandomZoom(0.2, (0.1, 0.3)), layers.RandomTranslation(0.1, 0.2, "wrap"),
    layers.RandomContrast((0.1, 0.3), value_range=(0, 1))], ids=lambda layer: type(layer).__name__)
def test_configs_round_trip(layer):
    config = layer.get_config()
    again = type(layer).from_config(config).get_config()
    config.pop("name"), again.pop("name")
    assert again == config


def test_a_model_with_preprocessing_saves_and_loads(tmp_path):
    norm = layers.Normalization()
    norm.adapt(IMAGES)
    model = nn.Sequential([nn.Input((6, 8, 2)), layers.Resizing(4, 4), norm,
                           layers.RandomZoom(0.2), layers.Flatten(), layers.Dense(2)])
    path = tmp_path / "pre.gradstack"
    model.save(path)
    loaded = nn.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0),
                               rtol=1e-5)
