"""The shipped names corpus and the synthetic sequence tasks (nn.datasets)."""

import os

import pytest

import nn
from nn.datasets import names, sequences


def test_names_corpus_is_the_documented_file():
    first, last = names.load_data("first"), names.load_data("last")
    assert (len(first), len(last)) == (690, 1000)
    assert first == sorted(set(first)) and last == sorted(set(last))
    assert {"Aaron", "Mary", "Zachary"} <= set(first) and "Smith" in last
    assert all(name.isalpha() for name in first + last)
    folder = os.path.dirname(names.__file__)
    notice = open(os.path.join(folder, "NAMES_DATA.md"), encoding="utf-8").read()
    assert "MIT" in notice and "Faker" in notice and "40.54.0" in notice
    with pytest.raises(ValueError, match="'first' or 'last'"):
        names.load_data("middle")


def test_names_match_faker_when_it_is_installed():
    provider = pytest.importorskip("faker.providers.person.en_US").Provider
    assert names.load_data() == sorted(set(provider.first_names_female)
                                       | set(provider.first_names_male))
    assert names.load_data("last") == sorted(set(provider.last_names))


def test_copy_and_reverse():
    x, y = sequences.copy(50, length=7, vocabulary_size=5, seed=3)
    assert x.shape == (50, 7) and (x == y).all()
    assert x.min() >= 1 and x.max() <= 4
    xr, yr = sequences.reverse(50, length=7, vocabulary_size=5, seed=3)
    assert (xr == x).all() and (yr == x[:, ::-1]).all()


def test_addition_questions_and_answers_add_up():
    x, y = sequences.addition(200, digits=3, seed=0)
    assert x.shape == (200, 7) and y.shape == (200, 4)
    for question, answer in zip(x, y, strict=True):
        a, b = sequences.decode(question).split("+")
        assert int(a) + int(b) == int(sequences.decode(answer))
    assert sequences.decode([2, 3, 11, 4, 0, 0]) == "12+3"


def test_order_labels_say_whether_a_comes_before_b():
    x, y = sequences.order(500, length=12, seed=1)
    for row, label in zip(x, y, strict=True):
        assert list(row).count(1) == 1 and list(row).count(2) == 1
        assert label == int(list(row).index(1) < list(row).index(2))
    assert 0.4 < y.mean() < 0.6
    assert (sequences.order(5, seed=7)[0] == sequences.order(5, seed=7)[0]).all()
    with pytest.raises(ValueError, match="length must be a positive int"):
        sequences.order(5, length=1)


def test_an_lstm_learns_the_order_task():
    nn.utils.set_random_seed(0)
    x, y = sequences.order(1500, length=8, vocabulary_size=6, seed=0)
    model = nn.Sequential([nn.Input((8,)), nn.layers.Embedding(6, 8),
                           nn.layers.LSTM(16), nn.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x[:1200], y[:1200], epochs=6, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x[1200:], y[1200:], verbose=0)
    assert accuracy > 0.9
