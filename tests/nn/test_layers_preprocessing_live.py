"""Preprocessing and augmentation layers against real Keras 3 (marker ``reference``).

Augmentation is compared at fixed amounts (a factor range of one value), where Keras's
draw is known: every fill mode and interpolation, bit for bit up to float32 rounding.
"""

import numpy as np
import pytest

from nn import layers

pytestmark = pytest.mark.reference

RNG = np.random.default_rng(0)
IMAGES = RNG.random((2, 7, 9, 3)).astype("float32") * 255


def _numpy(value):
    return np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)


@pytest.mark.parametrize("options", [
    {"height": 4, "width": 5}, {"height": 14, "width": 12},
    {"height": 4, "width": 5, "interpolation": "nearest"},
    {"height": 14, "width": 20, "interpolation": "nearest"},
    {"height": 5, "width": 5, "crop_to_aspect_ratio": True},
    {"height": 3, "width": 8, "crop_to_aspect_ratio": True}])
def test_resizing_matches_keras(options):
    import keras

    np.testing.assert_allclose(layers.Resizing(**options)(IMAGES).numpy(),
                               _numpy(keras.layers.Resizing(**options)(IMAGES)), atol=2e-4)


@pytest.mark.parametrize("size", [(5, 5), (7, 9), (4, 8), (10, 12), (3, 20)])
def test_center_crop_matches_keras(size):
    import keras

    np.testing.assert_allclose(layers.CenterCrop(*size)(IMAGES).numpy(),
                               _numpy(keras.layers.CenterCrop(*size)(IMAGES)), atol=2e-4)


@pytest.mark.parametrize("axis", [-1, None, (1, 3)])
def test_normalization_adapt_matches_keras(axis):
    import keras

    theirs, ours = keras.layers.Normalization(axis=axis), layers.Normalization(axis=axis)
    theirs.adapt(IMAGES)
    ours.adapt(IMAGES)
    np.testing.assert_allclose(ours(IMAGES).numpy(), _numpy(theirs(IMAGES)), rtol=1e-4,
                               atol=1e-5)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "nearest", "constant"])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_geometric_augmentation_at_fixed_amounts_matches_keras(fill_mode, interpolation):
    import keras

    common = {"fill_mode": fill_mode, "interpolation": interpolation}
    pairs = [(layers.RandomRotation((f, f), fill_value=3.0, **common),
              keras.layers.RandomRotation((f, f), fill_value=3.0, **common))
             for f in (0.25, 0.1, -0.07)]
    pairs += [(layers.RandomZoom((0.3, 0.3), **common), keras.layers.RandomZoom((0.3, 0.3),
                                                                              **common)),
              (layers.RandomZoom((-0.3, -0.3), (0.2, 0.2), **common),
               keras.layers.RandomZoom((-0.3, -0.3), (0.2, 0.2), **common)),
              (layers.RandomTranslation((0.2, 0.2), (-0.3, -0.3), **common),
               keras.layers.RandomTranslation((0.2, 0.2), (-0.3, -0.3), **common))]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(IMAGES, training=True).numpy(),
                                   _numpy(theirs(IMAGES, training=True)), atol=5e-4)


def test_preprocessing_models_move_through_keras_files_both_ways(tmp_path):
    import keras

    import nn

    images = IMAGES[:, :, :8]
    norm = layers.Normalization()
    norm.adapt(images)
    ours = nn.Sequential([nn.Input((7, 8, 3)), layers.Rescaling(1 / 255),
                          layers.Resizing(6, 6, crop_to_aspect_ratio=True),
                          layers.RandomRotation(0.1), layers.CenterCrop(4, 4), norm,
                          layers.Flatten(), layers.Dense(2)])
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "ours.keras").predict(
        images, verbose=0), ours.predict(images, verbose=0), rtol=1e-4, atol=1e-6)

    k_norm = keras.layers.Normalization()
    k_norm.adapt(images)
    theirs = keras.Sequential([keras.Input((7, 8, 3)), keras.layers.RandomFlip(seed=1),
                               keras.layers.RandomZoom(0.1), keras.layers.RandomContrast(0.2),
                               keras.layers.Resizing(6, 6), k_norm, keras.layers.Flatten(),
                               keras.layers.Dense(2)])
    theirs.save(tmp_path / "theirs.keras")
    loaded = nn.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), theirs.predict(images,
                                                                                 verbose=0),
                               rtol=1e-4, atol=1e-5)
