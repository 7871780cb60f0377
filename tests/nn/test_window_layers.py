"""Convolution and pooling layers answer compute_output_shape with autograd's one window
geometry: the shape they promise is the shape they return, None sizes stay None."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd
import nn
from nn import layers

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


GRID_2D = list(itertools.product([(7, 9), (8, 8)], [2, 3], [1, 2], ["valid", "same"]))


@pytest.mark.parametrize("size, k, s, padding", GRID_2D)
def test_conv2d_and_pooling_promise_the_shape_they_return(size, k, s, padding):
    x = np.ones((2, *size, 3), dtype=np.float32)
    for layer in (layers.Conv2D(4, k, strides=s, padding=padding),
                  layers.MaxPooling2D(k, strides=s, padding=padding),
                  layers.AveragePooling2D(k, strides=s, padding=padding)):
        promised = layer.compute_output_shape((None, *size, 3))
        assert promised == (None, *layer(x).shape[1:]), type(layer).__name__
        # unknown height: still the width and the channels
        assert layer.compute_output_shape((None, None, size[1], 3))[1:] == (None, *promised[2:])


GRID_1D = list(itertools.product([7, 10], [2, 3], [1, 2], ["valid", "same", "causal"]))


@pytest.mark.parametrize("steps, k, s, padding", GRID_1D)
def test_conv1d_and_pooling1d_promise_the_shape_they_return(steps, k, s, padding):
    x = np.ones((2, steps, 3), dtype=np.float32)
    made = [layers.Conv1D(4, k, strides=s, padding=padding)]
    if padding != "causal":
        made += [layers.MaxPooling1D(k, strides=s, padding=padding),
                 layers.AveragePooling1D(k, strides=s, padding=padding)]
    for layer in made:
        assert layer.compute_output_shape((None, steps, 3)) == (None, *layer(x).shape[1:])
        assert layer.compute_output_shape((None, None, 3))[1] is None


def test_dilated_conv1d_shape():
    layer = layers.Conv1D(2, 3, dilation_rate=2)
    assert layer.compute_output_shape((None, 9, 1)) == (None, 5, 2)  # 9 - (3-1)*2
    assert layer(np.ones((1, 9, 1))).shape == (1, 5, 2)
