"""InputSpec: a layer declares the rank and sizes it takes, Layer.__call__ checks them
on data and symbolic calls alike, and the spec writes the message."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from nn import layers
from nn.layers import InputSpec

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


class Probe(layers.Layer):
    """A layer with a given spec that records whether call ran."""

    def __init__(self, spec, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = spec
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        return inputs


def error(layer, inputs) -> str:
    with pytest.raises(ValueError) as caught:
        layer(inputs)
    assert getattr(layer, "calls", 0) == 0  # refused before call (and before build)
    return str(caught.value)


def test_data_and_symbolic_calls_get_the_same_message():
    spec = InputSpec(ndim=4, layout=("batch", "height", "width", "channels"))
    on_data = error(Probe(spec, name="p"), np.ones((2, 8, 8)))
    nn.clear_session()
    on_symbols = error(Probe(spec, name="p"), nn.Input(batch_shape=(2, 8, 8)))
    assert on_data == on_symbols
    assert on_data.startswith("Probe layer 'p' expects 4-D input of shape "
                              "(batch, height, width, channels), but got shape (2, 8, 8) (3-D).")


def test_one_axis_short_suggests_both_missing_axes_and_the_model_shape():
    text = error(Probe(InputSpec(ndim=3, layout=("batch", "steps", "features"))),
                 np.ones((5, 7)))
    assert "x[None] or np.expand_dims(x, 0) gives shape (1, 5, 7)" in text
    assert "x[..., None] gives shape (5, 7, 1)" in text
    assert "shape=(steps, features)" in text


def test_min_and_max_ndim():
    assert "at least 3-D input" in error(Probe(InputSpec(min_ndim=3)), np.ones((2, 2)))
    assert "at most 2-D input" in error(Probe(InputSpec(max_ndim=2)), np.ones((2, 2, 2)))
    both = Probe(InputSpec(min_ndim=2, max_ndim=3))
    assert "2-D to 3-D input" in error(both, np.ones(2))
    assert both(np.ones((2, 2, 2))).shape == (2, 2, 2)


def test_axes_known_and_sizes():
    spec = InputSpec(min_ndim=2, axes={-1: 3, 1: 4}, layout=("batch", "features"))
    assert Probe(spec)(np.ones((2, 4, 3))).shape == (2, 4, 3)
    text = error(Probe(spec, name="q"), np.ones((2, 4, 5)))
    assert "whose last dimension is 3" in text and "whose last dimension is 5" in text
    assert "give it inputs with 3 features" in text and "new Probe layer" in text
    assert "size of axis 1 is 4" in error(Probe(spec), np.ones((2, 6, 3)))
    unknown = Probe(InputSpec(known=(-1,), layout=("batch", "features")))
    assert "needs to know the last dimension of its input (its features)" in error(
        unknown, nn.Input(shape=(None,)))


def test_whole_shape_and_dtype():
    shaped = Probe(InputSpec(shape=(None, 2, 3)))
    assert shaped.input_spec.ndim == 3
    assert "axis 2 is 4, not 3" in error(shaped, np.ones((1, 2, 4)))
    ints = Probe(InputSpec(dtype="int64"))
    text = error(ints, np.ones((2, 2), dtype=np.float32))
    assert "expects int64 input, but got float32" in text and "astype('int64')" in text
    assert ints(np.ones((2, 2), dtype=np.int64)).dtype == np.int64


def test_one_spec_per_input_and_one_input_per_spec():
    pair = Probe([InputSpec(ndim=2, name="query"), InputSpec(ndim=3, name="value")],
                 name="two")
    assert len(pair([np.ones((1, 2)), np.ones((1, 2, 3))])) == 2
    pair.calls = 0
    assert "expects 2 inputs (query, value), but it was called on 1" in error(
        pair, [np.ones((1, 2))])
    assert "input value" in error(pair, [np.ones((1, 2)), np.ones((1, 2))])
    single = Probe(InputSpec(ndim=2), name="one")
    assert "takes one input, but was called on a list of 2" in error(
        single, [np.ones((1, 2)), np.ones((1, 2))])


def test_built_in_layers_narrow_their_spec_when_they_build():
    dense = layers.Dense(3)
    assert dense.input_spec.axes == {} and dense.input_spec.known == (-1,)
    dense(np.ones((2, 6)))
    assert dense.input_spec.axes == {-1: 6}
    lstm = layers.LSTM(2)
    lstm(np.ones((1, 5, 3)))
    assert lstm.input_spec.axes == {-1: 3} and lstm.input_spec.ndim == 3


def test_conv2d_checks_its_channels_after_the_channels_first_check():
    conv = layers.Conv2D(4, 3, name="conv")
    conv(np.ones((2, 28, 28, 1)))
    text = str(pytest.raises(ValueError, conv, np.ones((2, 28, 28, 3))).value)
    assert "was built for inputs whose last dimension is 1" in text
    assert "give it inputs with 1 channels" in text
    # PyTorch's layout after training on NHWC: the layout is named, not the channel count
    text = str(pytest.raises(ValueError, conv, np.ones((2, 1, 28, 28))).value)
    assert "looks channels-first (NCHW" in text and "last dimension" not in text


@pytest.mark.parametrize("make, shape, words", [
    (lambda: layers.Conv1D(2, 3), (4, 10), "(batch, steps, channels)"),
    (lambda: layers.GlobalAveragePooling1D(), (4, 10), "(batch, steps, channels)"),
    (lambda: layers.UpSampling1D(), (4, 10), "(batch, steps, channels)"),
    (lambda: layers.MaxPooling2D(), (8, 8, 1), "(batch, height, width, channels)"),
    (lambda: layers.GlobalMaxPooling2D(), (8, 8), "reshape them to images first"),
    (lambda: layers.SimpleRNN(2), (4, 10), "(batch, steps, features)"),
    (lambda: layers.TimeDistributed(layers.Dense(2)), (4, 10), "at least 3-D"),
    (lambda: layers.BatchNormalization(axis=2), (4, 10), "along axis 2"),
])
def test_built_in_layers_explain_a_wrong_rank(make, shape, words):
    layer = make()
    with pytest.raises(ValueError) as caught:
        layer(np.ones(shape))
    text = str(caught.value)
    assert f"layer '{layer.name}'" in text and str(shape) in text and words in text
