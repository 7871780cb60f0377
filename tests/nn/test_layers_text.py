"""TextVectorization, StringLookup and IntegerLookup on hand-worked examples.

Expected vocabularies are counted by hand from the sentences here, with Keras 3's
order: mask, OOV slot(s), then by count (descending), ties by token (descending).
Live equality with Keras is in test_layers_text_live.py (marker ``reference``).
"""

import math

import numpy as np
import pytest

import nn
from nn import layers

TEXTS = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog?"]
# the x3, a x2, cat x2, dog x2, sat x2, mat, on


def test_text_vectorization_learns_keras_order_and_pads_with_zero():
    layer = layers.TextVectorization()
    layer.adapt(TEXTS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat", "a", "on",
                                      "mat"]
    assert layer.get_vocabulary(include_special_tokens=False)[0] == "the"
    assert layer.vocabulary_size() == 9
    ids = layer(["the cat", "a bird on the mat"]).numpy()
    np.testing.assert_array_equal(ids, [[2, 5, 0, 0, 0], [6, 1, 7, 2, 8]])
    assert ids.dtype == np.int64


def test_max_tokens_counts_the_special_tokens():
    layer = layers.TextVectorization(max_tokens=4)
    layer.adapt(TEXTS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat"]
    np.testing.assert_array_equal(layer(["the dog sat"]).numpy(), [[2, 1, 3]])


def test_output_sequence_length_pads_and_truncates():
    layer = layers.TextVectorization(output_sequence_length=3, vocabulary=["b", "a"])
    np.testing.assert_array_equal(layer(["a", "a b a b", ""]).numpy(),
                                  [[3, 0, 0], [3, 2, 3], [0, 0, 0]])
    assert layer.compute_output_shape((None,)) == (None, 3)


@pytest.mark.parametrize("standardize, expected", [
    ("lower_and_strip_punctuation", ["hello", "world"]),
    ("lower", ["hello,", "world!"]),
    ("strip_punctuation", ["Hello", "World"]),
    (None, ["Hello,", "World!"]),
    (lambda text: text.upper(), ["HELLO,", "WORLD!"]),
])
def test_standardize_options(standardize, expected):
    layer = layers.TextVectorization(standardize=standardize)
    layer.adapt(["Hello, World!"])
    assert sorted(layer.get_vocabulary()[2:]) == sorted(expected)


def test_lower_changes_ascii_letters_only_as_keras():
    layer = layers.TextVectorization(standardize="lower", split=None)
    layer.adapt(["Élan ÀB"])
    assert layer.get_vocabulary()[2:] == ["Élan Àb"]


def test_strip_punctuation_removes_exactly_keras_characters():
    layer = layers.TextVectorization(standardize="strip_punctuation", split=None)
    layer.adapt(["a-b.c,d'e(f)g[h]i{j}k~l"])
    assert layer.get_vocabulary()[2:] == ["abcdefghijkl"]


def test_split_options():
    char = layers.TextVectorization(split="character", standardize=None)
    char.adapt(["ab a"])
    assert char.get_vocabulary() == ["", "[UNK]", "a", "b", " "]  # a x2; then b > " "
    np.testing.assert_array_equal(char(["ba"]).numpy(), [[3, 2]])
    whole = layers.TextVectorization(split=None)
    whole.adapt(["New York", "new york", "Paris"])
    assert whole.get_vocabulary() == ["", "[UNK]", "new york", "paris"]
    np.testing.assert_array_equal(whole(np.array([["paris"], ["rome"]])).numpy(), [[3], [1]])
    custom = layers.TextVectorization(standardize=None, split=lambda text: text.split("|"))
    custom.adapt(["x y|z"])
    assert sorted(custom.get_vocabulary()[2:]) == ["x y", "z"]


def test_multi_hot_count_and_tf_idf():
    vocabulary = ["the", "cat", "dog"]
    text = ["the cat the bird"]
    count = layers.TextVectorization(output_mode="count", vocabulary=vocabulary)
    np.testing.assert_array_equal(count(text).numpy(), [[1, 2, 1, 0]])  # [UNK], the, cat, dog
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocabulary)
    np.testing.assert_array_equal(multi(text).numpy(), [[1, 1, 1, 0]])
    tfidf = layers.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["the cat", "the dog", "the"])  # the: 3 docs of 3; cat, dog: 1 each
    assert tfidf.get_vocabulary() == ["[UNK]", "the", "dog", "cat"]
    idf_the, idf_one = math.log(1 + 3 / 4), math.log(1 + 3 / 2)
    idf_unk = (idf_the + 2 * idf_one) / 3  # Keras: the OOV slot gets the mean weight
    np.testing.assert_allclose(tfidf(["the the cat fish"]).numpy(),
                               [[idf_unk, 2 * idf_the, 0, idf_one]], rtol=1e-6)


def test_adapt_on_batches_equals_adapt_on_the_whole():
    whole = layers.TextVectorization()
    whole.adapt(TEXTS)
    batched = layers.TextVectorization()
    batched.adapt(iter([np.array(TEXTS[:2]), np.array(TEXTS[2:])]))
    assert batched.get_vocabulary() == whole.get_vocabulary()


def test_string_lookup_defaults_mask_invert_and_oov():
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"])
    np.testing.assert_array_equal(lookup([["a", "c"], ["d", "b"]]).numpy(), [[1, 3], [0, 2]])
    masked = layers.StringLookup(vocabulary=["a", "b"], mask_token="")
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b"]
    np.testing.assert_array_equal(masked(["", "b", "z"]).numpy(), [0, 3, 1])
    invert = layers.StringLookup(vocabulary=["a", "b"], mask_token="", invert=True)
    np.testing.assert_array_equal(invert(np.array([[0, 1, 2, 3, 9]])).numpy(),
                                  [["", "[UNK]", "a", "b", "[UNK]"]])
    two = layers.StringLookup(vocabulary=["a"], num_oov_indices=2)
    assert two.get_vocabulary() == ["[UNK]", "[UNK]", "a"]
    ids = two(["x", "y", "z", "w", "a"]).numpy()
    assert ids[-1] == 2 and set(ids[:-1]) <= {0, 1}
    assert two(["x"]).numpy()[0] == two(["x"]).numpy()[0]  # an OOV token always lands alike


def test_string_lookup_adapt_and_vocabulary_with_special_tokens():
    lookup = layers.StringLookup()
    lookup.adapt(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    assert lookup.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    again = layers.StringLookup(vocabulary=lookup.get_vocabulary())  # special tokens lead
    assert again.get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_array_equal(again(["a", "q"]).numpy(), [5, 0])


def test_string_lookup_one_hot_and_multi_hot():
    one_hot = layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    np.testing.assert_array_equal(one_hot(np.array([["a"], ["z"]])).numpy(),
                                  [[0, 1, 0], [1, 0, 0]])
    multi = layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot",
                                mask_token="")  # the mask token is dropped, not counted
    np.testing.assert_array_equal(multi(np.array([["a", ""], ["b", "b"]])).numpy(),
                                  [[0, 1, 0], [0, 0, 1]])
    padded = layers.StringLookup(vocabulary=["a"], output_mode="count", max_tokens=5,
                                 pad_to_max_tokens=True)
    np.testing.assert_array_equal(padded(["a", "a"]).numpy(), [0, 2, 0, 0, 0])


def test_integer_lookup():
    lookup = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    np.testing.assert_array_equal(lookup(np.array([[12, 1138, 42], [42, 1000, 36]])).numpy(),
                                  [[1, 3, 4], [4, 0, 2]])
    assert lookup.get_vocabulary() == [-1, 12, 36, 1138, 42]
    learned = layers.IntegerLookup(mask_token=0)
    learned.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [0, 42, 7]]))
    assert learned.get_vocabulary() == [0, -1, 42, 1138, 1000, 36, 12, 7]
    hashed = layers.IntegerLookup(vocabulary=[5], num_oov_indices=3)
    np.testing.assert_array_equal(hashed(np.array([5, 7, 9, 10])).numpy(), [3, 1, 0, 1])
    invert = layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    np.testing.assert_array_equal(invert(np.array([2, 0, 1])).numpy(), [36, -1, 12])


def test_text_to_embedding_to_lstm_trains_in_a_sequential_model():
    vectorize = layers.TextVectorization(output_sequence_length=5)
    vectorize.adapt(TEXTS)
    ids = vectorize(TEXTS).numpy()
    model = nn.Sequential([nn.Input((5,)), layers.Embedding(vectorize.vocabulary_size(), 4),
                           layers.LSTM(3), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(ids, np.array([[1.0], [0.0], [1.0]]), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("make", [
    lambda: layers.StringLookup(vocabulary=["a", "b"], mask_token="", num_oov_indices=2),
    lambda: layers.IntegerLookup(vocabulary=[3, 1], output_mode="multi_hot"),
    lambda: layers.TextVectorization(max_tokens=7, output_sequence_length=4,
                                     vocabulary=["x", "y"]),
    lambda: layers.TextVectorization(output_mode="tf_idf", vocabulary=["x", "y"],
                                     idf_weights=[0.5, 0.25]),
], ids=["string", "integer", "text_int", "text_tf_idf"])
def test_configs_round_trip_with_the_vocabulary(make):
    layer = make()
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_vocabulary() == layer.get_vocabulary()
    second = again.get_config()
    config.pop("name"), second.pop("name")
    assert second == config


def test_an_adapted_vectorizer_saves_and_loads(tmp_path):
    vectorize = layers.TextVectorization(output_sequence_length=6)
    vectorize.adapt(TEXTS)
    model = nn.Sequential([vectorize])
    path = tmp_path / "text.gradstack"
    model.save(path)
    loaded = nn.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_array_equal(loaded.layers[0](TEXTS).numpy(), vectorize(TEXTS).numpy())


def test_clear_errors():
    with pytest.raises(ValueError, match="takes strings.*dtype float"):
        layers.TextVectorization(vocabulary=["a"])(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(RuntimeError, match="adapt"):
        layers.TextVectorization(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="output_sequence_length only"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])
    with pytest.raises(ValueError, match="repeats"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="looks up strings"):
        layers.StringLookup(vocabulary=["a"])(np.array([1.5]))
    with pytest.raises(ValueError, match="looks up integers"):
        layers.IntegerLookup(vocabulary=[1])(np.array([1.5]))
    with pytest.raises(ValueError, match="more than max_tokens"):
        layers.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(ValueError, match="was given its vocabulary"):
        layers.StringLookup(vocabulary=["a"]).adapt(["b"])
