"""Lesson 3's exercise: what one filter of ``Conv2D(..., 3, padding="same",
activation="relu")`` makes of one 8x8 image, computed with NumPy.

The check runs a real Conv2D layer (random kernels, a bias that is not zero) on random
images and compares each of its feature maps with yours.
"""

import numpy as np

import gradstack
import nn


def check_feature_map(ns):
    feature_map = ns["feature_map"]
    rng = np.random.default_rng(0)
    images = rng.uniform(0.0, 1.0, size=(2, 8, 8, 1)).astype(np.float32)
    # A named layer with zeros to start from: the check draws nothing from the library's
    # generator and takes no automatic name, so the rest of the lesson runs as before.
    layer = nn.layers.Conv2D(4, 3, padding="same", activation="relu", name="check_conv",
                             kernel_initializer="zeros")
    layer.build(images.shape)
    kernel = rng.normal(size=(3, 3, 1, 4)).astype(np.float32)
    bias = np.array([0.5, -0.5, 0.0, -1.5], dtype=np.float32)
    layer.set_weights([kernel, bias])
    maps = layer(images).numpy()
    for n in range(len(images)):
        for f in range(4):
            got = np.asarray(feature_map(images[n, :, :, 0], kernel[:, :, 0, f], float(bias[f])))
            assert got.shape == (8, 8), (
                f"feature_map returned shape {got.shape}; 'same' padding keeps the 8x8 size "
                "(pad the image with one ring of zeros first)")
            worst = np.unravel_index(np.abs(got - maps[n, :, :, f]).argmax(), got.shape)
            assert np.allclose(got, maps[n, :, :, f], atol=1e-4), (
                f"image {n}, filter {f}: at row {worst[0]}, column {worst[1]} you have "
                f"{got[worst]:.4f}, the layer has {maps[n, :, :, f][worst]:.4f}. Each output "
                "is relu(sum of the 3x3 window around the pixel times the kernel + bias), "
                "with zeros outside the image; the kernel is not flipped")


def test_feature_map():
    check_feature_map(gradstack.run_cells("tutorials/03_convnet_on_digits.ipynb",
                                          through="lesson3.feature_map"))
