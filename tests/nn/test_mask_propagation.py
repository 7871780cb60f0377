"""Masks carried through ``Layer.__call__`` with Keras's rule: a layer that supports
masking passes the mask on, GlobalAveragePooling1D and a recurrent layer without
return_sequences end it, any other layer drops it with a warning.

The checks compare a padded batch with the same samples unpadded: the padding must
change nothing, which only holds if every layer in between carried the mask.
"""

import warnings

import numpy as np
import pytest

import nn
from nn import layers
from nn.layers.masking import get_mask

IDS = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]])  # 0 is padding


def _set_seed():
    nn.utils.set_random_seed(0)


def _embedding_dense_lstm():
    _set_seed()
    return [layers.Embedding(6, 4, mask_zero=True), layers.Dense(3, activation="tanh"),
            layers.Dropout(0.5), layers.LSTM(2)]


def test_dense_and_dropout_pass_the_mask_on():
    embedded = layers.Embedding(6, 4, mask_zero=True)(IDS)
    dense = layers.Dense(3)(embedded)
    np.testing.assert_array_equal(get_mask(dense), IDS != 0)
    np.testing.assert_array_equal(get_mask(layers.Dropout(0.2)(dense, training=True)),
                                  IDS != 0)
    np.testing.assert_array_equal(get_mask(layers.Activation("relu")(dense)), IDS != 0)


@pytest.mark.parametrize("build", ["sequential", "functional"])
def test_embedding_dense_lstm_ignores_padding_in_models(build):
    stack = _embedding_dense_lstm()
    if build == "sequential":
        model = nn.Sequential([nn.Input((None,), dtype="int64"), *stack])
    else:
        inputs = nn.Input((None,), dtype="int64")
        x = inputs
        for layer in stack:
            x = layer(x)
        model = nn.Model(inputs, x)
    padded = model.predict(IDS, verbose=0)
    alone = [model.predict(IDS[i:i + 1, :n], verbose=0)[0] for i, n in ((0, 3), (1, 2))]
    np.testing.assert_allclose(padded, np.stack(alone), rtol=1e-5, atol=1e-6)


def test_without_propagation_the_padding_would_matter():
    # The control: the same stack with the mask dropped (a Lambda-free way: no mask_zero).
    _set_seed()
    model = nn.Sequential([nn.Input((None,), dtype="int64"), layers.Embedding(6, 4),
                           layers.Dense(3, activation="tanh"), layers.LSTM(2)])
    padded = model.predict(IDS, verbose=0)[0]
    alone = model.predict(IDS[:1, :3], verbose=0)[0]
    assert np.abs(padded - alone).max() > 1e-4


def test_masking_then_global_average_pooling_in_a_model():
    x = np.array([[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]], [[5.0, 6.0], [0.0, 0.0], [0.0, 0.0]]])
    model = nn.Sequential([nn.Input((3, 2)), layers.Masking(), layers.Dense(2),
                           layers.LayerNormalization(), layers.GlobalAveragePooling1D()])
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out[1], model.predict(x[1:, :1], verbose=0)[0], rtol=1e-5)
    np.testing.assert_allclose(out[0], model.predict(x[:1, :2], verbose=0)[0], rtol=1e-5)
    pooled = model(x)
    assert get_mask(pooled) is None  # pooling ends the mask


def test_lstm_return_sequences_passes_it_and_last_output_ends_it():
    embedded = layers.Embedding(6, 4, mask_zero=True)(IDS)
    sequence = layers.LSTM(2, return_sequences=True)(embedded)
    np.testing.assert_array_equal(get_mask(sequence), IDS != 0)
    assert get_mask(layers.LSTM(2)(embedded)) is None
    wrapped = layers.Bidirectional(layers.LSTM(2))(embedded)
    assert get_mask(wrapped) is None
    timed = layers.TimeDistributed(layers.Dense(2))(sequence)
    np.testing.assert_array_equal(get_mask(timed), IDS != 0)


def test_merges_combine_masks():
    a = layers.Embedding(6, 2, mask_zero=True)(np.array([[1, 2, 0]]))
    b = layers.Embedding(6, 2, mask_zero=True)(np.array([[1, 0, 3]]))
    np.testing.assert_array_equal(get_mask(layers.Add()([a, b])), [[True, False, False]])
    np.testing.assert_array_equal(get_mask(layers.Concatenate()([a, b])),
                                  [[True, False, False]])
    plain = layers.Dense(2)(np.ones((1, 3, 2)))
    np.testing.assert_array_equal(get_mask(layers.Multiply()([a, plain])), [[True, True, False]])


def test_a_layer_without_mask_support_drops_it_with_a_warning():
    embedded = layers.Embedding(6, 4, mask_zero=True)(IDS)
    with pytest.warns(UserWarning, match="does not support masking"):
        flat = layers.Flatten()(embedded)
    assert get_mask(flat) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mask, no warning
        layers.Flatten()(np.ones((2, 3, 4)))


def test_a_cast_input_keeps_its_mask():
    embedded = layers.Embedding(6, 4, mask_zero=True, dtype="float64")(IDS)
    dense = layers.Dense(3)(embedded)  # float64 -> float32: a new tensor
    np.testing.assert_array_equal(get_mask(dense), IDS != 0)


def test_a_wrong_shaped_mask_is_named():
    embedded = layers.Embedding(6, 4, mask_zero=True)(IDS)
    with pytest.raises(ValueError, match=r"mask has shape \(2, 4\).*needs a mask of shape"):
        layers.LSTM(2)(embedded, mask=np.ones((2, 4), dtype=bool))


def test_a_custom_layer_opts_in_with_supports_masking():
    class Scale(layers.Layer):
        supports_masking = True

        def call(self, inputs):
            return inputs * 2.0

    embedded = layers.Embedding(6, 4, mask_zero=True)(IDS)
    np.testing.assert_array_equal(get_mask(Scale()(embedded)), IDS != 0)
