"""model.summary(): the Keras 2 table, its options, and text that never shifts columns."""

from __future__ import annotations

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


def summary_lines(model, **kwargs) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_summary_prints_to_stdout_by_default(capsys):
    model = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(2)])
    model.summary()
    printed = capsys.readouterr().out.split("\n")
    assert printed[:-1] == summary_lines(model)


def test_print_fn_receives_each_line_without_newlines():
    lines = summary_lines(nn.Sequential([nn.Input(shape=(4,)), layers.Dense(2)]))
    assert len(lines) == 11 and not any("\n" in line for line in lines)
    assert lines[0] == 'Model: "sequential"'
    assert lines[-1] == "_" * 65


def test_totals_use_thousands_separators_and_count_non_trainable_weights():
    model = nn.Sequential([nn.Input(shape=(1000,)), layers.Dense(1000),
                           layers.BatchNormalization()])
    lines = summary_lines(model)
    assert lines[-4:-1] == ["Total params: 1,005,000", "Trainable params: 1,003,000",
                            "Non-trainable params: 2,000"]
    assert lines[4].rstrip() == " dense (Dense)               (None, 1000)              1001000"


def test_long_names_wrap_inside_their_column():
    model = nn.Sequential([nn.Input(shape=(4,)),
                           layers.Dense(2, name="a_rather_long_name_for_a_dense_layer")])
    lines = summary_lines(model)
    assert lines[4] == " a_rather_long_name_for_a_d  (None, 2)                 10        "
    assert lines[5] == " ense_layer (Dense)                                              "
    assert all(len(line) == 65 for line in lines[1:-5])


def test_frozen_layers_show_in_the_totals_and_the_trainable_column():
    model = nn.Sequential([nn.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])
    model.layers[0].trainable = False
    lines = summary_lines(model, show_trainable=True)
    assert lines[2] == (" Layer (type)                Output Shape              Param #   "
                        "Trainable  ")
    assert lines[4] == (" dense (Dense)               (None, 4)                 16        "
                        "N          ")
    assert lines[6].startswith(" dense_1 (Dense)") and lines[6].rstrip().endswith("Y")
    assert all(len(line) == 76 for line in lines[1:-5])
    assert lines[-3:-1] == ["Trainable params: 10", "Non-trainable params: 16"]


def test_branching_model_gets_a_connected_to_column():
    inputs = nn.Input(shape=(16,))
    hidden = layers.Dense(16, activation="relu")(inputs)
    model = nn.Model(inputs, layers.Add()([inputs, hidden]))
    lines = summary_lines(model)
    assert lines[1] == "_" * 98 and lines[3] == "=" * 98
    assert lines[2].rstrip() == (" Layer (type)                   Output Shape         Param #     "
                                 "Connected to")
    assert lines[4].rstrip() == (" input_1 (InputLayer)           [(None, 16)]         0           "
                                 "[]")
    assert lines[6].rstrip() == (" dense (Dense)                  (None, 16)           272         "
                                 "['input_1[0][0]']")
    assert lines[8].rstrip() == (" add (Add)                      (None, 16)           0           "
                                 "['input_1[0][0]', 'dense[0][0]']")
    assert all(len(line) == 98 for line in lines[1:-5])


def test_long_connection_lists_wrap_between_items():
    inputs = [nn.Input(shape=(2,), name=f"input_number_{i}") for i in range(3)]
    model = nn.Model(inputs, layers.Concatenate()(inputs))
    lines = summary_lines(model)
    row = next(i for i, line in enumerate(lines) if line.startswith(" concatenate"))
    assert lines[row].rstrip().endswith("['input_number_0[0][0]',")
    assert lines[row + 1].strip() == "'input_number_1[0][0]',"
    assert lines[row + 2].strip() == "'input_number_2[0][0]']"
    assert all(len(line) == 98 for line in lines[1:-5])


def test_nested_model_row_and_expand_nested():
    inner = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(3)], name="inner")
    outer = nn.Sequential([inner, layers.Dense(2)])
    lines = summary_lines(outer)
    assert lines[4].rstrip() == " inner (Sequential)          (None, 3)                 15"
    expanded = summary_lines(outer, expand_nested=True)
    assert expanded[4] == lines[4]
    assert expanded[5] == "|" + "¯" * 63 + "|"
    assert expanded[6] == "| dense (Dense)              (None, 3)                 15       |"
    assert "dense_1 (Dense)" in expanded[9]
    assert all(len(line) == 65 for line in expanded[1:-5])


def test_line_length_and_positions():
    model = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(2)])
    lines = summary_lines(model, line_length=80, positions=[0.5, 0.8, 1.0])
    assert lines[1] == "_" * 80
    assert lines[4].index("(None, 2)") == 40 and lines[4].index("10") == 64


def test_shared_layer_with_different_output_shapes_shows_multiple():
    shared = layers.Conv2D(2, 3, padding="same")
    a, b = nn.Input(shape=(8, 8, 1)), nn.Input(shape=(6, 6, 1))
    model = nn.Model([a, b], [shared(a), shared(b)])
    row = next(line for line in summary_lines(model) if line.startswith(" conv2d"))
    assert "multiple" in row


def test_subclassed_model_summary_after_a_call():
    class Tiny(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3)
            self.unused = layers.Dense(5)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    model(np.ones((1, 2)))
    lines = summary_lines(model)
    assert lines[4].rstrip() == " dense (Dense)               multiple                  9"
    assert lines[6].rstrip() == " dense_1 (Dense)             multiple                  0 (unused)"
    assert lines[-4] == "Total params: 9"
