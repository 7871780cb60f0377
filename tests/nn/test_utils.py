"""nn.utils: seeds, one-hot labels, the progress bar and batching."""

import io
import random

import numpy as np
import pytest

import autograd
import nn.utils
from nn.utils import Progbar, data, to_categorical

pytestmark = pytest.mark.training


def test_set_random_seed_repeats_every_generator():
    draws = []
    for _ in range(2):
        nn.utils.set_random_seed(42)
        draws.append((autograd.rand(3).numpy().tolist(), random.random(), np.random.rand()))
    assert draws[0] == draws[1]
    nn.utils.set_random_seed(43)
    assert autograd.rand(3).numpy().tolist() != draws[0][0]
    with pytest.raises(TypeError, match="integer seed"):
        nn.utils.set_random_seed(1.5)


def test_shuffling_draws_from_autograd_generator():
    batches = data.Batches((np.arange(10), None, None), batch_size=4, shuffle=True)
    autograd.manual_seed(0)
    first = [b[0].tolist() for b in batches]
    autograd.manual_seed(0)
    again = [b[0].tolist() for b in batches]
    assert first == again
    assert sorted(sum(first, [])) == list(range(10)) and first != [[0, 1, 2, 3], [4, 5, 6, 7],
                                                                     [8, 9]]


def test_to_categorical():
    np.testing.assert_array_equal(
        to_categorical([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    )
    assert to_categorical(np.array([[1], [3]]), num_classes=5).shape == (2, 5)
    assert to_categorical([1]).dtype == np.float32
    with pytest.raises(ValueError, match="does not fit num_classes=3"):
        to_categorical([3], num_classes=3)
    with pytest.raises(ValueError, match="whole class numbers"):
        to_categorical([0.5])


def test_progbar_redraws_in_place_at_most_every_interval(monkeypatch):
    clock = iter(np.arange(0.0, 100.0, 0.01))  # 10 ms per call
    monkeypatch.setattr("nn.utils.progbar.time.perf_counter", lambda: next(clock))
    out = io.StringIO()
    bar = Progbar(100, interval=0.05, stream=out)
    bar.interactive = True
    for step in range(1, 101):
        bar.update(step, {"loss": 1.0 / step}, finalize=step == 100)
    text = out.getvalue()
    redraws = text.count("\r")
    assert 10 <= redraws <= 25  # ~1 redraw per 5 steps, not 100
    assert text.endswith("\n") and text.count("\n") == 1
    last = text.split("\r")[-1]
    assert last.startswith("100/100 [==============================] - ")
    assert "loss: 0.0100" in last and "ETA" not in last
    assert "ETA: " in text.split("\r")[2]


def test_progbar_to_a_file_prints_only_the_final_line():
    out = io.StringIO()
    bar = Progbar(3, stream=out)
    assert not bar.interactive
    for step in (1, 2, 3):
        bar.update(step, {"loss": 0.5}, finalize=step == 3)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("3/3 [") and "\r" not in out.getvalue()


def test_progbar_bar_drawing_and_values():
    bar = Progbar(10, stream=io.StringIO())
    assert bar._bar(5) == "[" + "=" * 14 + ">" + "." * 15 + "]"
    assert bar._bar(0) == "[" + "." * 30 + "]"
    from nn.utils.progbar import format_time_per_step, format_value

    assert format_value(0.12345) == "0.1235" and format_value(1.5e-5) == "1.5000e-05"
    assert format_time_per_step(0.0123) == "12ms/step"
    assert format_time_per_step(2.0) == "2s/step"
    assert format_time_per_step(0.00005) == "50us/step"


def test_class_weights_from_sparse_or_one_hot_labels():
    w = data.class_weights_to_sample_weights(np.array([0, 2, 1]), {0: 2.0, 2: 3.0})
    np.testing.assert_array_equal(w, [2.0, 3.0, 1.0])
    w = data.class_weights_to_sample_weights(np.eye(3)[[0, 2]], {0: 2.0, 2: 3.0})
    np.testing.assert_array_equal(w, [2.0, 3.0])


def test_validation_split_errors():
    with pytest.raises(ValueError, match="between 0 and 1"):
        data.split_validation((np.zeros(10), None, None), 1.5)
    with pytest.raises(ValueError, match="leaves no samples for training"):
        data.split_validation((np.zeros(3), None, None), 0.9)


def test_a_notebook_counts_as_interactive(monkeypatch):
    import sys

    from nn.utils.progbar import is_interactive

    assert not is_interactive(io.StringIO())
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert is_interactive(io.StringIO())
