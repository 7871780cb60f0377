"""Messages for mistakes learners make on the extension paths (issue 12, section 6),
pinned here so that they stay helpful. The other two of the four - forward gets
NumPy arrays, .grad of a non-leaf names retain_grad() - are pinned in
tests/autograd/test_strict.py and tests/autograd/test_pytorch_idioms.py."""

import numpy as np
import pytest

import nn
from nn import layers

pytestmark = pytest.mark.layers


# ------------------------------------------------------------------ channels-first images


@pytest.mark.parametrize("shape, padding", [
    ((2, 1, 28, 28), "valid"),   # MNIST the PyTorch way
    ((2, 1, 28, 28), "same"),    # would train on the wrong axes without a word
    ((2, 3, 32, 32), "valid"),   # CIFAR the PyTorch way: a 3x3 kernel even fits
])
def test_channels_first_images_are_detected_before_any_other_advice(shape, padding):
    conv = layers.Conv2D(8, 3, padding=padding)
    with pytest.raises(ValueError) as info:
        conv(np.zeros(shape, dtype="float32"))
    message = str(info.value)
    assert "looks channels-first (NCHW" in message
    assert "x.transpose(0, 2, 3, 1)" in message
    n, c, h, w = shape
    assert str((n, h, w, c)) in message
    assert "padding='same'" not in message


def test_a_channels_first_model_input_is_detected_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"looks channels-first \(NCHW"):
        nn.Sequential([nn.Input(shape=(1, 28, 28)), layers.Conv2D(4, 3)])


@pytest.mark.parametrize("shape, kernel", [
    ((2, 28, 28, 1), 3),         # channels last, as it should be
    ((2, 1, 100, 8), (1, 5)),    # a one-row image with 8 channels: a 1-D signal as 2-D
    ((2, 1, 32, 32), (1, 3)),    # the same with as many channels as steps
    ((2, 4, 4, 64), 3),          # a small feature map late in a network
])
def test_channels_last_inputs_are_not_mistaken_for_channels_first(shape, kernel):
    out = layers.Conv2D(2, kernel, padding="same")(np.zeros(shape, dtype="float32"))
    assert out.shape == shape[:3] + (2,)


# ------------------------------------------------------------------ no super().__init__()


def test_a_layer_that_assigns_a_sublayer_before_super_init_is_told_to_call_it():
    class Block(layers.Layer):
        def __init__(self):
            self.dense = layers.Dense(3)  # no super().__init__() at all

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(AttributeError) as info:
        Block()(np.ones((1, 2), dtype="float32"))
    assert "call `super().__init__(**kwargs)` first in `__init__`" in str(info.value)
