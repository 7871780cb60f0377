"""The seed guide ("The Sequential model") runs on gradstack with only its imports changed.

Every code cell of ../shared/seed/sequential_model.md is transcribed below with the
three imports swapped (``import autograd as tf``, ``import nn as keras``,
``from nn import layers``) and nothing else; ``test_cells_are_the_guides_code`` checks
the transcription against the guide itself. The cells run in the guide's order in a
fresh session, the way a learner runs the notebook, and what they print is compared
with text transcribed from

- the guide (the summary layout and totals, e.g. ``Total params: 10,816``), and
- ../shared/reference/keras2_seed_cells.txt: real Keras 2 running the same cells in
  a fresh session (layer and model names, output shapes, parameter counts, errors).

Two cells need training or pretrained weights (the transfer-learning blueprints);
their structural part runs verbatim and the missing pieces (``load_weights(...)``,
``compile(...)``/``fit(...)`` with ``...`` arguments, ``keras.applications``) are
replaced by the smallest real equivalent, marked below.
"""

# ruff: noqa: E501 - the guide's cells are transcribed verbatim, long lines included

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn

pytestmark = pytest.mark.layers

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

SETUP = """
import autograd as tf
import nn as keras
from nn import layers
"""

# (cell label, code) in the guide's order. Labels are the guide's "In [n]".
CELLS = [
    ("21", '''
# Define Sequential model with 3 layers
model = keras.Sequential(                   #create a new sequential model using Sequential API
    [
        layers.Dense(4, activation="tanh", name="layer1"),   #adds a dense layer (Dense API) with 'tanh' activation (using Activation module) function.
        layers.Dense(2, activation="tanh", name="layer2"),
        layers.Dense(3, name="layer3"),
    ]
)
# Call model on a test input
x = tf.ones((3, 3))
y = model(x)
'''),
    ("22", '''
# Create 3 layers
layer1 = layers.Dense(4, activation="relu", name="layer1")
layer2 = layers.Dense(2, activation="relu", name="layer2")
layer3 = layers.Dense(3, name="layer3")

# Call layers on a test input
x = tf.ones((3, 3))
y = layer3(layer2(layer1(x)))
'''),
    ("23", '''
model = keras.Sequential(
    [
        layers.Dense(4, activation="tanh"),
        layers.Dense(2, activation="tanh"),
        layers.Dense(3),
    ]
)
'''),
    ("24", '''
model.layers
'''),
    ("25", '''
model = keras.Sequential()
model.add(layers.Dense(4, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(2, activation="sigmoid"))
model.add(layers.Dense(2))
'''),
    ("26", '''
model.pop()
print(len(model.layers))  # 2
'''),
    ("27", '''
model = keras.Sequential(name="my_model")
model.add(layers.Dense(2, activation="tanh", name="first"))
model.add(layers.Dense(3, activation="tanh", name="second"))
model.add(layers.Dense(4, name="third"))
'''),
    ("28", '''
layer = layers.Dense(3)
layer.weights  # Empty
'''),
    ("29", '''
# Call layer on a test input
x = tf.ones((1, 6))
y = layer(x)
layer.weights  # Now it has weights, of shape (6, 3) and (3,)
'''),
    ("30", '''
model = keras.Sequential(
    [
        layers.Dense(8, activation="relu"),
        layers.Dense(8, activation="relu"),
        layers.Dense(4),
    ]
)  # No weights at this stage!

# At this point, you can't do this:
# model.weights

# You also can't do this:
# model.summary()

# Call the model on a test input
x = tf.ones((1, 4))
y = model(x)
print("Number of weights after calling the model:", len(model.weights))  # 6
'''),
    ("31", '''
model.summary()
'''),
    ("32", '''
model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
'''),
    ("33", '''
model.layers
'''),
    ("34", '''
model = keras.Sequential()
model.add(layers.Dense(2, activation="sigmoid", input_shape=(4,)))

model.summary()
'''),
    ("17", '''
model = keras.Sequential()
model.add(keras.Input(shape=(320, 320, 3)))  # 320x320 RGB images
model.add(layers.Conv2D(32, 4, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))

# We Probably not guess the current output at this point.

# But by printing model.summary() we can get the current output shape at this point.

model.summary()

# The answer was: (52 , 52 , 32), so we can keep downsampling...

model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))

# And now?
model.summary()

# Now that we have 4x4 feature maps, time to apply global max pooling.
model.add(layers.GlobalMaxPooling2D())

# At last , we add a classification layer.
model.add(layers.Dense(10))
'''),
    ("36", '''
model = keras.Sequential()
model.add(keras.Input(shape=(320, 320, 3)))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.summary()
# 320x320 RGB images
'''),
    ("18", '''
initial_model = keras.Sequential(
    [
        keras.Input(shape=(320, 320, 3)),
        layers.Conv2D(32, 4, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)

# Call feature extractor on test input.
x = tf.ones((1, 320, 320, 3))
features = feature_extractor(x)
'''),
    ("19", '''
initial_model = keras.Sequential(
    [
        keras.Input(shape=(320, 320, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_layer").output,
)
# Call feature extractor on test input.
x = tf.ones((1, 320, 320, 3))
features = feature_extractor(x)
'''),
]

# Transfer-learning blueprint 1, in pieces: the guide's code verbatim, with its
# `...` placeholders replaced by real arguments (marked SUBSTITUTE).
BLUEPRINT_1_MODEL = '''
model = keras.Sequential([
    keras.Input(shape=(784)),
    layers.Dense(64, activation='relu'),
    layers.Dense(64, activation='relu'),
    layers.Dense(64, activation='relu'),
    layers.Dense(10),
])
'''
BLUEPRINT_1_FREEZE = '''
#  Then we Freeze all layers except the last one.
for layer in model.layers[:-1]:
  layer.trainable = False
'''
# Blueprint 2: keras.applications.Xception with ImageNet weights cannot exist offline
# (and is not part of gradstack); SUBSTITUTE a small functional convolutional base
# that, like Xception(include_top=False, pooling='avg'), outputs one vector per image.
BLUEPRINT_2_BASE_SUBSTITUTE = '''
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(8, 3, activation="relu")(inputs)
x = layers.BatchNormalization()(x)
outputs = layers.GlobalAveragePooling2D()(x)
base_model = keras.Model(inputs, outputs, name="base")
'''
BLUEPRINT_2 = '''
# Freeze the base model
base_model.trainable = False

# Use a Sequential model to add a trainable classifier on top
model = keras.Sequential([
    base_model,
    layers.Dense(1000),
])
'''


def run_cell(source: str, namespace: dict) -> tuple[str, object]:
    """Run a notebook cell: what it prints, and the value of a final expression
    (what Jupyter shows under the cell)."""
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = eval(compile(last, "<cell>", "eval"), namespace) if last else None
    return printed.getvalue(), value


@pytest.fixture(scope="module")
def guide():
    """Run the guide top to bottom once, as a fresh notebook session would.

    Returns {label: (printed text, displayed value, namespace after the cell)}.
    """
    nn.clear_session()
    autograd.manual_seed(0)
    namespace: dict = {}
    run_cell(SETUP, namespace)
    results = {}
    for label, source in CELLS:
        printed, value = run_cell(source, namespace)
        results[label] = (printed, value, dict(namespace))
    printed, value = run_cell(BLUEPRINT_1_MODEL, namespace)
    results["blueprint1"] = (printed, value, dict(namespace))
    return results


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


# ---------------------------------------------------------------- the transcription


def test_cells_are_the_guides_code():
    """Each transcribed cell is the guide's code (up to trailing spaces), imports aside."""
    guide = SHARED / "seed" / "sequential_model.md"
    if not guide.exists():  # present beside every project checkout and CI run
        pytest.skip("compares the cells with the Keras guide they were copied from, which is "
                    "kept beside the project's own checkout and not in the repository; the "
                    "cells themselves still run in the other tests of this file")
    guide_text = guide.read_text()
    guide_lines = [line.rstrip() for line in guide_text.splitlines()]
    guide_code = "\n".join(guide_lines)
    pieces = [code for _, code in CELLS] + [BLUEPRINT_1_MODEL, BLUEPRINT_1_FREEZE, BLUEPRINT_2]
    for code in pieces:
        block = "\n".join(line.rstrip() for line in code.strip("\n").splitlines())
        assert block in guide_code, f"not in the guide:\n{block}"
    original_imports = ("import tensorflow as tf\nfrom tensorflow import keras\n"
                        "from tensorflow.keras import layers")
    assert original_imports in guide_code


# ---------------------------------------------------------------- names and shapes


def test_cell_21_sequential_with_named_layers(guide):
    _, _, ns = guide["21"]
    # reference: model.name: sequential; y shape (3, 3) float32; 6 weights named layer1/kernel...
    assert ns["model"].name == "sequential"
    assert isinstance(ns["y"], autograd.Tensor)
    assert ns["y"].shape == (3, 3) and ns["y"].dtype == np.float32
    assert [w.name for w in ns["model"].weights] == [
        "layer1/kernel", "layer1/bias", "layer2/kernel", "layer2/bias",
        "layer3/kernel", "layer3/bias"]
    assert ns["model"].weights[0].shape == (3, 4)


def test_cell_22_layers_called_one_after_another(guide):
    _, _, ns = guide["22"]
    assert ns["y"].shape == (3, 3)
    names = [w.name for layer in (ns["layer1"], ns["layer2"], ns["layer3"]) for w in layer.weights]
    assert names == ["layer1/kernel", "layer1/bias", "layer2/kernel", "layer2/bias",
                     "layer3/kernel", "layer3/bias"]


def test_cells_23_24_unnamed_layers_are_numbered(guide):
    _, _, ns = guide["23"]
    assert ns["model"].name == "sequential_1"
    assert [layer.name for layer in ns["model"].layers] == ["dense", "dense_1", "dense_2"]
    _, shown, _ = guide["24"]
    assert len(shown) == 3
    assert all(isinstance(layer, nn.layers.Dense) for layer in shown)
    # The guide shows <keras.layers.core.dense.Dense at 0x...>, an address that changes
    # every run; we print what Keras 3 does: the class, the name, whether it is built.
    assert [repr(layer) for layer in shown] == [
        "<Dense name=dense, built=False>", "<Dense name=dense_1, built=False>",
        "<Dense name=dense_2, built=False>"]


def test_cells_25_26_add_and_pop(guide):
    _, _, ns = guide["25"]
    assert ns["model"].name == "sequential_2"
    printed, _, ns = guide["26"]
    assert printed == "3\n"  # the guide prints 3 (its comment "# 2" is a slip)
    assert [layer.name for layer in ns["model"].layers] == ["dense_3", "dense_4", "dense_5"]


def test_cell_27_named_model(guide):
    _, _, ns = guide["27"]
    assert ns["model"].name == "my_model"
    assert [layer.name for layer in ns["model"].layers] == ["first", "second", "third"]


def test_cell_28_unbuilt_layer_has_no_weights(guide):
    _, shown, ns = guide["28"]
    assert shown == []  # (displayed before cell [29] built the layer)
    assert ns["layer"].name == "dense_7"


def test_cell_29_weights_after_first_call(guide):
    _, shown, _ = guide["29"]
    kernel, bias = shown
    assert kernel.name == "dense_7/kernel" and kernel.shape == (6, 3)
    assert bias.name == "dense_7/bias" and bias.shape == (3,)
    assert kernel.dtype == np.float32
    np.testing.assert_array_equal(bias.numpy(), [0.0, 0.0, 0.0])
    # The guide shows <tf.Variable 'dense_22/kernel:0' shape=(6, 3) dtype=float32, numpy=
    # array([[...]], dtype=float32)>; ours has the same parts.
    assert repr(kernel).startswith(
        "<Variable 'dense_7/kernel' shape=(6, 3) dtype=float32, numpy=\narray([[")
    assert repr(bias) == ("<Variable 'dense_7/bias' shape=(3,) dtype=float32, "
                          "numpy=array([0., 0., 0.], dtype=float32)>")
    # Glorot uniform for a (6, 3) kernel: |values| <= sqrt(6 / 9)
    assert np.abs(kernel.numpy()).max() <= np.sqrt(6 / 9)


def test_cell_30_weights_appear_after_the_call(guide):
    printed, _, ns = guide["30"]
    assert printed == "Number of weights after calling the model: 6\n"
    assert ns["model"].name == "sequential_3"


def test_cell_30_unbuilt_model_errors_match_keras():
    """What the commented-out lines of cell [30] would raise, in Keras 2's words."""
    nn.clear_session()
    model = nn.Sequential([nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(4)], name="sequential_3")
    weights_text = (
        "Weights for model 'sequential_3' have not yet been created. Weights are created when "
        "the model is first called on inputs or `build()` is called with an `input_shape`.")
    for attribute in ("weights", "trainable_weights"):
        with pytest.raises(ValueError) as error:
            getattr(model, attribute)
        assert str(error.value) == weights_text
    with pytest.raises(ValueError) as error:
        model.summary()
    assert str(error.value) == (
        "This model has not yet been built. Build the model first by calling `build()` or by "
        "calling the model on a batch of data.")
    with pytest.raises(ValueError) as error:
        model.count_params()
    assert str(error.value) == (
        "You tried to call `count_params` on layer sequential_3, but the layer isn't built. "
        "You can build it manually via: `sequential_3.build(batch_input_shape)`.")
    assert model.inputs is None and model.outputs is None
    with pytest.raises(AttributeError, match="^Layer dense has no inbound nodes."):
        _ = model.layers[0].output


# ---------------------------------------------------------------- summary tables
# Transcribed from the reference file, with the totals as the guide prints them
# ("Total params: 10,816": Keras 2 of the guide's era; the reference's newer Keras adds
# byte sizes). Compared line by line without trailing spaces; the layout test below
# checks that every table line is exactly as wide as Keras's.

SUMMARY_31 = '''
Model: "sequential_3"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense_8 (Dense)             (1, 8)                    40

 dense_9 (Dense)             (1, 8)                    72

 dense_10 (Dense)            (1, 4)                    36

=================================================================
Total params: 148
Trainable params: 148
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_32 = '''
Model: "sequential_4"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense_11 (Dense)            (None, 2)                 10

=================================================================
Total params: 10
Trainable params: 10
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_34 = SUMMARY_32.replace("sequential_4", "sequential_5").replace("dense_11", "dense_12")

SUMMARY_17_FIRST = '''
Model: "sequential_6"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d (Conv2D)             (None, 159, 159, 32)      1568

 conv2d_1 (Conv2D)           (None, 157, 157, 32)      9248

 max_pooling2d (MaxPooling2  (None, 52, 52, 32)        0
 D)

=================================================================
Total params: 10,816
Trainable params: 10,816
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_17_SECOND = '''
Model: "sequential_6"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d (Conv2D)             (None, 159, 159, 32)      1568

 conv2d_1 (Conv2D)           (None, 157, 157, 32)      9248

 max_pooling2d (MaxPooling2  (None, 52, 52, 32)        0
 D)

 conv2d_2 (Conv2D)           (None, 50, 50, 32)        9248

 conv2d_3 (Conv2D)           (None, 48, 48, 32)        9248

 max_pooling2d_1 (MaxPoolin  (None, 16, 16, 32)        0
 g2D)

 conv2d_4 (Conv2D)           (None, 14, 14, 32)        9248

 conv2d_5 (Conv2D)           (None, 12, 12, 32)        9248

 max_pooling2d_2 (MaxPoolin  (None, 6, 6, 32)          0
 g2D)

=================================================================
Total params: 47,808
Trainable params: 47,808
Non-trainable params: 0
_________________________________________________________________
'''

# The reference's extra table after the last two add() calls of cell [17].
SUMMARY_17_EXTRA_ROWS = '''
 global_max_pooling2d (Glob  (None, 32)                0
 alMaxPooling2D)

 dense_13 (Dense)            (None, 10)                330
'''

SUMMARY_36 = '''
Model: "sequential_7"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d_6 (Conv2D)           (None, 318, 318, 32)      896

 max_pooling2d_3 (MaxPoolin  (None, 106, 106, 32)      0
 g2D)

=================================================================
Total params: 896
Trainable params: 896
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_18 = '''
Model: "model"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 input_4 (InputLayer)        [(None, 320, 320, 3)]     0

 conv2d_7 (Conv2D)           (None, 159, 159, 32)      1568

 conv2d_8 (Conv2D)           (None, 157, 157, 32)      9248

 conv2d_9 (Conv2D)           (None, 155, 155, 32)      9248

=================================================================
Total params: 20,064
Trainable params: 20,064
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_19 = '''
Model: "model_1"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 input_5 (InputLayer)        [(None, 320, 320, 3)]     0

 conv2d_10 (Conv2D)          (None, 158, 158, 32)      2432

 my_layer (Conv2D)           (None, 156, 156, 32)      9248

=================================================================
Total params: 11,680
Trainable params: 11,680
Non-trainable params: 0
_________________________________________________________________
'''

SUMMARY_BLUEPRINT_1 = '''
Model: "sequential_10"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense_14 (Dense)            (None, 64)                50240

 dense_15 (Dense)            (None, 64)                4160

 dense_16 (Dense)            (None, 64)                4160

 dense_17 (Dense)            (None, 10)                650

=================================================================
Total params: 59,210
Trainable params: 59,210
Non-trainable params: 0
_________________________________________________________________
'''


def summary_lines(model) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    return lines


def stripped(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines]


@pytest.mark.parametrize("label, expected", [
    ("31", SUMMARY_31), ("32", SUMMARY_32), ("34", SUMMARY_34), ("36", SUMMARY_36)])
def test_printed_summaries_match_keras(guide, label, expected):
    printed, _, _ = guide[label]
    assert stripped(lines_of(printed)) == lines_of(expected.lstrip("\n"))


def test_cell_17_both_summaries_match_keras(guide):
    printed, _, _ = guide["17"]
    first = lines_of(SUMMARY_17_FIRST.lstrip("\n"))
    second = lines_of(SUMMARY_17_SECOND.lstrip("\n"))
    assert stripped(lines_of(printed)) == first + second


def test_cell_17_after_global_pooling_and_dense(guide):
    _, _, ns = guide["17"]
    second = lines_of(SUMMARY_17_SECOND.lstrip("\n"))
    extra = lines_of(SUMMARY_17_EXTRA_ROWS.lstrip("\n"))
    expected = second[:-6] + [""] + extra + [""] + [
        "=" * 65, "Total params: 48,138", "Trainable params: 48,138",
        "Non-trainable params: 0", "_" * 65]
    assert stripped(summary_lines(ns["model"])) == expected
    # The guide's "4x4 feature maps" is a slip: a 320x320 input gives 6x6.
    assert ns["model"].layers[-3].output.shape == (None, 6, 6, 32)


def test_cells_18_19_feature_extractor_summaries_match_keras(guide):
    assert stripped(summary_lines(guide["18"][2]["feature_extractor"])) == lines_of(
        SUMMARY_18.lstrip("\n"))
    assert stripped(summary_lines(guide["19"][2]["feature_extractor"])) == lines_of(
        SUMMARY_19.lstrip("\n"))


def test_every_table_line_has_keras_width(guide):
    """Rows, headers, blank separators and rules are exactly 65 characters, as in
    Keras and the guide; only the totals lines are shorter."""
    tables = [guide[label][0] for label in ("31", "32", "34", "17", "36")]
    tables.append("\n".join(summary_lines(guide["18"][2]["feature_extractor"])))
    for table in tables:
        for line in lines_of(table):
            if line.startswith(("Model:", "Total params", "Trainable params",
                                "Non-trainable params")):
                continue
            assert len(line) == 65, repr(line)


def test_summary_layout_matches_the_guide(guide):
    """The guide's own lines: header, rules and the columns of its rows (names aside,
    which depend on how often the notebook was run)."""
    printed, _, _ = guide["17"]
    ours = lines_of(printed)
    # Transcribed from the guide, cell [17] (rows of conv2d_6 and conv2d_7).
    assert ours[1] == "_________________________________________________________________"
    assert ours[2] == " Layer (type)                Output Shape              Param #   "
    assert ours[4][29:] == "(None, 159, 159, 32)      1568      "
    assert ours[6][29:] == "(None, 157, 157, 32)      9248      "
    assert ours[5] == " " * 65
    # Totals exactly as the guide prints them, thousands separators included.
    assert ours[12:15] == ["Total params: 10,816", "Trainable params: 10,816",
                           "Non-trainable params: 0"]
    # Cell [36] in the guide: "Total params: 896" and its conv row.
    printed_36 = lines_of(guide["36"][0])
    assert printed_36[4][29:] == "(None, 318, 318, 32)      896       "
    assert "Total params: 896" in printed_36


# ---------------------------------------------------------------- the other cells


def test_cells_31_33_inputs_and_outputs(guide):
    _, _, ns = guide["31"]
    model = ns["model"]
    assert repr(model.inputs) == (
        "[<KerasTensor: shape=(1, 4) dtype=float32 (created by layer 'dense_8_input')>]")
    assert repr(model.layers[0].output) == (
        "<KerasTensor: shape=(1, 8) dtype=float32 (created by layer 'dense_8')>")
    _, shown, ns = guide["33"]
    assert len(shown) == 1 and isinstance(shown[0], nn.layers.Dense)
    assert repr(ns["model"].inputs) == (
        "[<KerasTensor: shape=(None, 4) dtype=float32 (created by layer 'input_1')>]")
    assert repr(ns["model"].outputs) == (
        "[<KerasTensor: shape=(None, 2) dtype=float32 (created by layer 'dense_11')>]")


def test_cell_34_input_shape_builds_the_model(guide):
    _, _, ns = guide["34"]
    assert ns["model"].built is True
    assert [layer.name for layer in ns["model"].layers] == ["dense_12"]


def test_cell_18_feature_extractor(guide):
    _, _, ns = guide["18"]
    assert repr(ns["initial_model"].inputs) == (
        "[<KerasTensor: shape=(None, 320, 320, 3) dtype=float32 (created by layer 'input_4')>]")
    assert [repr(layer.output) for layer in ns["initial_model"].layers] == [
        "<KerasTensor: shape=(None, 159, 159, 32) dtype=float32 (created by layer 'conv2d_7')>",
        "<KerasTensor: shape=(None, 157, 157, 32) dtype=float32 (created by layer 'conv2d_8')>",
        "<KerasTensor: shape=(None, 155, 155, 32) dtype=float32 (created by layer 'conv2d_9')>",
    ]
    assert ns["feature_extractor"].name == "model"
    features = ns["features"]
    assert isinstance(features, list) and len(features) == 3
    assert [f.shape for f in features] == [(1, 159, 159, 32), (1, 157, 157, 32),
                                           (1, 155, 155, 32)]
    # The extractor shares the Sequential's layers: same outputs as running the stack.
    np.testing.assert_allclose(features[-1].numpy(),
                               ns["initial_model"](ns["x"]).numpy(), rtol=1e-5, atol=1e-6)


def test_cell_19_single_layer_feature_extractor(guide):
    _, _, ns = guide["19"]
    assert isinstance(ns["features"], autograd.Tensor)
    assert ns["features"].shape == (1, 156, 156, 32)
    assert ns["feature_extractor"].name == "model_1"
    assert ns["feature_extractor"].layers[-1] is ns["initial_model"].get_layer("my_layer")


# ---------------------------------------------------------------- transfer learning


def test_blueprint_1_int_input_shape_and_summary(guide):
    _, _, ns = guide["blueprint1"]
    model = ns["model"]
    assert repr(model.inputs) == (
        "[<KerasTensor: shape=(None, 784) dtype=float32 (created by layer 'input_6')>]")
    assert stripped(summary_lines(model)) == lines_of(SUMMARY_BLUEPRINT_1.lstrip("\n"))


def test_blueprint_1_freeze_all_but_the_last_layer(tmp_path):
    """Blueprint 1 with its placeholders filled: load weights, freeze, compile, fit.
    Only the last layer's kernel and bias change (reference: [F]*6 + [T, T])."""
    namespace: dict = {}
    run_cell(SETUP, namespace)
    run_cell(BLUEPRINT_1_MODEL, namespace)
    model = namespace["model"]
    # SUBSTITUTE for model.load_weights(...): weights saved from a "pretrained" twin.
    pretrained = nn.Sequential.from_config(model.get_config())
    pretrained.save_weights(tmp_path / "pre.weights.gradstack")
    model.load_weights(tmp_path / "pre.weights.gradstack")
    for ours, theirs in zip(model.get_weights(), pretrained.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)

    run_cell(BLUEPRINT_1_FREEZE, namespace)
    assert [layer.trainable for layer in model.layers] == [False, False, False, True]
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 6
    lines = stripped(summary_lines(model))
    assert lines[-4:-1] == ["Total params: 59,210", "Trainable params: 650",
                            "Non-trainable params: 58,560"]

    # SUBSTITUTE for model.compile(...) / model.fit(...): a short real fit.
    before = model.get_weights()
    rng = np.random.default_rng(0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(rng.normal(size=(16, 784)), rng.integers(0, 10, size=16), epochs=1,
              batch_size=8, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)]
    assert changed == [False] * 6 + [True, True]


def test_blueprint_2_frozen_base_under_a_new_classifier():
    namespace: dict = {}
    run_cell(SETUP, namespace)
    run_cell(BLUEPRINT_2_BASE_SUBSTITUTE, namespace)
    run_cell(BLUEPRINT_2, namespace)
    base, model = namespace["base_model"], namespace["model"]
    # reference (with Xception): model.layers is [the base model, the Dense]; only the
    # Dense trains; count_params is the base's plus the Dense's.
    assert model.layers == [base, model.layers[1]] and isinstance(model.layers[1], nn.layers.Dense)
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == len(base.weights)
    assert model.count_params() == base.count_params() + 8 * 1000 + 1000
    assert model.output.shape == (None, 1000)
    rows = stripped(summary_lines(model))
    params = base.count_params()
    assert rows[4] == f" base (Functional)           (None, 8)                 {params}"
    assert all(not w.requires_grad for w in base.weights)

    before = base.get_weights()
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(4, 32, 32, 3)), rng.normal(size=(4, 1000)), epochs=1,
              batch_size=2, verbose=0)
    for old, new in zip(before, base.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)  # frozen: BatchNormalization statistics too
