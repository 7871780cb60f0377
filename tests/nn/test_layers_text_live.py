"""TextVectorization, StringLookup and IntegerLookup against real Keras 3 (marker
``reference``). Keras runs these three on TensorFlow's lookup tables whatever the
backend, so the reference extra installs tensorflow-cpu.

Vocabularies (order included) and outputs must be equal. Unknown strings with more
than one OOV slot are left out: Keras hashes them with FarmHash64, we with CRC32.
"""

import numpy as np
import pytest

from nn import layers

pytestmark = pytest.mark.reference

TEXTS = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog?", "Dogs & cats: 2 pets",
         "it's the CAT's hat", "a  b\tc\nd", "Élan, naïve café"]
QUERIES = ["the cat and the hat", "Zebra! dog", "", "café naïve élan dogs"]


def _numpy(value):
    value = value.detach().cpu() if hasattr(value, "detach") else value
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _vocabulary(layer):
    return [v.decode() if isinstance(v, bytes) else (str(v) if isinstance(v, np.str_) else v)
            for v in layer.get_vocabulary()]


@pytest.mark.parametrize("options", [
    {}, {"max_tokens": 6}, {"output_sequence_length": 4}, {"output_sequence_length": 9},
    {"standardize": "lower"}, {"standardize": "strip_punctuation"}, {"standardize": None},
    {"split": "character"}, {"split": "character", "standardize": None},
    {"output_mode": "multi_hot"}, {"output_mode": "count", "max_tokens": 8},
    {"output_mode": "tf_idf"}, {"output_mode": "count", "max_tokens": 12,
                                "pad_to_max_tokens": True},
], ids=str)
def test_text_vectorization_matches_keras(options):
    import keras

    ours, theirs = layers.TextVectorization(**options), keras.layers.TextVectorization(**options)
    ours.adapt(TEXTS)
    theirs.adapt(TEXTS)
    assert ours.get_vocabulary() == _vocabulary(theirs)
    np.testing.assert_allclose(ours(QUERIES).numpy(), _numpy(theirs(QUERIES)), rtol=1e-6)


def test_text_vectorization_split_none_matches_keras():
    import keras

    data = np.array([["New York"], ["new york"], ["Paris"], ["paris!"], ["Rome"]])
    ours, theirs = layers.TextVectorization(split=None), keras.layers.TextVectorization(split=None)
    ours.adapt(data)
    theirs.adapt(data)
    assert ours.get_vocabulary() == _vocabulary(theirs)
    queries = np.array([["PARIS"], ["Berlin"], ["new york"]])
    np.testing.assert_array_equal(ours(queries).numpy(), _numpy(theirs(queries)))


def test_text_vectorization_given_vocabulary_matches_keras():
    import keras

    vocabulary = ["the", "cat", "dog", "hat"]
    for mode in ("int", "multi_hot", "count"):
        ours = layers.TextVectorization(vocabulary=vocabulary, output_mode=mode)
        theirs = keras.layers.TextVectorization(vocabulary=vocabulary, output_mode=mode)
        assert ours.get_vocabulary() == _vocabulary(theirs)
        np.testing.assert_array_equal(ours(QUERIES).numpy(), _numpy(theirs(QUERIES)))


@pytest.mark.parametrize("options", [
    {}, {"mask_token": ""}, {"num_oov_indices": 0, "vocabulary": ["a", "b", "c", "d"]},
    {"max_tokens": 4}, {"mask_token": "", "max_tokens": 4}, {"output_mode": "one_hot"},
    {"output_mode": "multi_hot"}, {"output_mode": "count", "mask_token": ""},
    {"output_mode": "tf_idf"}, {"vocabulary": ["d", "a", "q"], "mask_token": ""},
], ids=str)
def test_string_lookup_matches_keras(options):
    import keras

    data = np.array([["a", "c", "d"], ["d", "z", "b"], ["a", "d", "e"]])
    queries = np.array([["a", "b", "c"], ["d", "e", "z"]]) if options.get("num_oov_indices") \
        != 0 else np.array([["a", "b"], ["d", "c"]])
    ours, theirs = layers.StringLookup(**options), keras.layers.StringLookup(**options)
    if "vocabulary" not in options:
        ours.adapt(data)
        theirs.adapt(data)
    else:
        queries = np.array([["a", "d"], ["q", "zz"]]) if options.get("mask_token") == "" \
            else queries
    assert ours.get_vocabulary() == _vocabulary(theirs)
    np.testing.assert_allclose(ours(queries).numpy(), _numpy(theirs(queries)), rtol=1e-6)


def test_string_lookup_invert_and_mask_match_keras():
    import keras
    import tensorflow as tf  # Keras's inverted StringLookup takes only TF integer tensors

    options = {"vocabulary": ["a", "b", "c"], "mask_token": "", "invert": True}
    ids = np.array([[0, 1, 2], [3, 4, 9]])
    theirs = [[v.decode() for v in row] for row in keras.layers.StringLookup(**options)(
        tf.constant(ids)).numpy().tolist()]
    assert layers.StringLookup(**options)(ids).numpy().tolist() == theirs
    queries = np.array(["", "a", "zz"])
    np.testing.assert_array_equal(
        layers.StringLookup(vocabulary=["a"], mask_token="")(queries).numpy(),
        _numpy(keras.layers.StringLookup(vocabulary=["a"], mask_token="")(queries)))


@pytest.mark.parametrize("options", [
    {}, {"mask_token": 0}, {"num_oov_indices": 3}, {"max_tokens": 5},
    {"output_mode": "multi_hot"}, {"vocabulary": [12, 36, 1138, 42]},
    {"vocabulary": [12, 36, 1138, 42], "invert": True},
], ids=str)
def test_integer_lookup_matches_keras(options):
    import keras

    data = np.array([[12, 1138, 42], [42, 1000, 36], [0, 42, 7], [7, 7, 5]])
    queries = np.array([[12, 1138, 42], [42, 1000, 36], [0, 9, 10]])
    if options.get("invert"):
        queries = np.array([[1, 2, 0], [4, 3, 7]])
    ours, theirs = layers.IntegerLookup(**options), keras.layers.IntegerLookup(**options)
    if "vocabulary" not in options:
        ours.adapt(data)
        theirs.adapt(data)
    assert [int(v) for v in ours.get_vocabulary()] == [int(v) for v in theirs.get_vocabulary()]
    np.testing.assert_array_equal(ours(queries).numpy(), _numpy(theirs(queries)))
