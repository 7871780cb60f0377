"""The errors a learner meets: each says what happened, what was expected and how to
fix it, and names the layer."""

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


def message(error_type, call) -> str:
    with pytest.raises(error_type) as error:
        call()
    return str(error.value)


def test_dense_called_on_a_different_last_dimension():
    dense = layers.Dense(3)
    dense(np.ones((32, 4)))
    text = message(ValueError, lambda: dense(np.ones((32, 5))))
    assert "Dense layer 'dense'" in text                           # which layer
    assert "built for inputs whose last dimension is 4" in text   # what was expected
    assert "(32, 5)" in text and "last dimension is 5" in text     # what happened
    assert "give it inputs with 4 features" in text                # how to fix
    assert "new Dense layer" in text


def test_dense_in_a_model_built_for_another_shape():
    model = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(3, name="hidden")])
    text = message(ValueError, lambda: model(np.ones((2, 5))))
    assert "'hidden'" in text and "(2, 5)" in text and "4" in text


def test_conv2d_on_a_rank_3_input_explains_nhwc_and_the_batch_axis():
    conv = layers.Conv2D(8, 3, name="first_conv")
    text = message(ValueError, lambda: conv(np.ones((28, 28, 1))))
    assert "Conv2D layer 'first_conv'" in text
    assert "(batch, height, width, channels)" in text and "NHWC" in text
    assert "(28, 28, 1)" in text and "3-D" in text
    assert "x[None]" in text and "(1, 28, 28, 1)" in text
    assert conv.weights == []  # nothing was built from the wrong shape


def test_conv2d_on_a_symbolic_rank_3_input():
    inputs = nn.Input(shape=(28, 28))
    text = message(ValueError, lambda: layers.Conv2D(8, 3)(inputs))
    assert "(None, 28, 28)" in text and "channels" in text
    assert "x[..., None]" in text


def test_conv2d_on_flat_vectors_suggests_reshape():
    text = message(ValueError, lambda: layers.Conv2D(8, 3)(nn.Input(shape=(784,))))
    assert "Reshape((28, 28, 1))" in text


def test_adding_something_that_is_not_a_layer():
    model = nn.Sequential()
    text = message(TypeError, lambda: model.add("dense"))
    assert "must be an instance of class Layer" in text
    assert "'dense' (of type str)" in text
    assert "layers.Dense(4)" in text


def test_adding_a_layer_class_instead_of_a_layer():
    text = message(TypeError, lambda: nn.Sequential([layers.Dense]))
    assert "the class itself" in text and "layers.Dense(...)" in text


def test_adding_a_function_instead_of_a_layer():
    text = message(TypeError, lambda: nn.Sequential().add(np.tanh))
    assert "layers.Activation(fn)" in text


def test_adding_the_output_of_a_layer_to_a_sequential():
    tensor = layers.Dense(2)(nn.Input(shape=(3,)))
    text = message(TypeError, lambda: nn.Sequential().add(tensor))
    assert "nn.Input(...) tensor first" in text and "nn.Model(inputs, outputs)" in text


def test_kernel_larger_than_the_input():
    model = nn.Sequential([nn.Input(shape=(3, 3, 1))])
    text = message(ValueError, lambda: model.add(layers.Conv2D(4, 5, name="big")))
    assert "Conv2D layer 'big'" in text
    assert "5x5 kernel is larger than the input's height (3" in text
    assert "padding='same'" in text and "smaller kernel_size" in text
    assert model.layers == []  # the failed add left the model unchanged


def test_dilated_kernel_larger_than_the_input():
    text = message(ValueError, lambda: layers.Conv2D(1, 3, dilation_rate=3)(np.ones((1, 6, 6, 1))))
    assert "(7 with dilation 3)" in text


def test_pool_window_larger_than_the_input():
    text = message(ValueError, lambda: layers.MaxPooling2D(4)(nn.Input(shape=(3, 8, 2))))
    assert "MaxPooling2D layer 'max_pooling2d'" in text and "4x4 window" in text
    assert "height (3" in text


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(4, 3, padding="full"),
    lambda: layers.MaxPooling2D(2, padding="vaild"),
    lambda: layers.AveragePooling2D(padding=1),
])
def test_invalid_padding_string(make):
    text = message(ValueError, make)
    assert "padding must be 'valid' or 'same'" in text
    assert "layer '" in text
    assert "'valid' uses no padding" in text


def test_unknown_keyword_argument_names_it_and_suggests_the_right_one():
    text = message(TypeError, lambda: layers.Dense(3, activaton="relu"))
    assert "Dense got an unexpected keyword argument 'activaton'" in text
    assert "Did you mean 'activation'?" in text
    assert "units" in text and "input_shape" in text
    assert "kernel_size" in message(TypeError, lambda: layers.Conv2D(3, kernel=3))


def test_set_weights_with_the_wrong_number_of_arrays():
    dense = layers.Dense(3)
    dense(np.ones((1, 2)))
    text = message(ValueError, lambda: dense.set_weights([np.ones((2, 3))]))
    assert "Layer 'dense' has 2 weight(s), but set_weights() was given 1 array(s)" in text
    assert "dense/kernel (2, 3), dense/bias (3,)" in text


def test_set_weights_with_a_wrong_shape():
    dense = layers.Dense(3)
    dense(np.ones((1, 2)))
    text = message(ValueError, lambda: dense.set_weights([np.ones((3, 2)), np.ones(3)]))
    assert "weight 'dense/kernel' has shape (2, 3)" in text and "(3, 2)" in text
    np.testing.assert_array_equal(dense.bias.numpy(), np.zeros(3))  # nothing was changed


def test_set_weights_before_the_layer_is_built():
    text = message(ValueError, lambda: layers.Dense(3).set_weights([np.ones((2, 3)), np.ones(3)]))
    assert "not built yet" in text


def test_duplicate_names_in_a_sequential():
    model = nn.Sequential([layers.Dense(2, name="same")])
    text = message(ValueError, lambda: model.add(layers.Dense(3, name="same")))
    assert 'Name "same" is already the name of a layer in this model' in text
    assert len(model.layers) == 1


def test_merge_layers_need_a_list():
    x = nn.Input(shape=(2,))
    text = message(ValueError, lambda: layers.Add()(x))
    assert "Add layer 'add' must be called on a list of at least 2 inputs" in text
    text = message(ValueError, lambda: layers.Add()([x, nn.Input(shape=(3,))]))
    assert "[(None, 2), (None, 3)]" in text
    text = message(ValueError, lambda: layers.Concatenate()([x, nn.Input(shape=(2, 2))]))
    assert "same number of dimensions" in text


def test_reshape_to_a_different_number_of_values():
    text = message(ValueError, lambda: layers.Reshape((28, 27, 1))(nn.Input(shape=(784,))))
    assert "Reshape layer 'reshape'" in text and "784 values per sample" in text
    assert "756 values per sample" in text


def test_dense_needs_a_batch_axis_and_a_known_last_dimension():
    text = message(ValueError, lambda: layers.Dense(2)(np.ones(4)))
    assert "(batch, features)" in text and "x[None]" in text
    text = message(ValueError, lambda: layers.Dense(2)(nn.Input(shape=(None,))))
    assert "needs to know the last dimension" in text


def test_bad_layer_arguments():
    assert "units must be a positive int" in message(ValueError, lambda: layers.Dense(0))
    assert "rate must be a number in [0, 1)" in message(ValueError, lambda: layers.Dropout(1.5))
    assert "kernel_size" in message(ValueError, lambda: layers.Conv2D(4, (3, 3, 3)))
    assert "channels last" in message(
        ValueError, lambda: layers.Conv2D(4, 3, data_format="channels_first"))


def test_layer_output_before_any_symbolic_call():
    text = message(AttributeError, lambda: layers.Dense(2).output)
    assert text.startswith("Layer dense has no inbound nodes.")
    assert "keras.Input(shape=...)" in text


def test_model_build_without_a_shape():
    text = message(ValueError, lambda: nn.Sequential([layers.Dense(2)]).build())
    assert "You must provide an `input_shape` argument." in text


# ---------------------------------------------------------------- issue 11, item 13


@pytest.mark.parametrize("data, found", [
    (np.array([[1, None]], dtype=object), "objects (None, or values NumPy cannot make numbers "
                                          "of) (dtype object)"),
    ([[1, None]], "objects"),
    (np.array([["a", "b"]]), "strings (dtype <U1)"),
    (np.array([[1j, 2]]), "values (dtype complex128)"),
])
def test_a_layer_given_data_that_is_not_numbers_names_itself_and_the_fix(data, found):
    text = message(TypeError, lambda: layers.Dense(2, name="head")(data))
    assert text.startswith("Layer 'head' (Dense) takes numbers, but got an input of shape (1, 2) "
                           f"holding {found}")
    assert "np.asarray(x, dtype='float32')" in text


def test_a_layer_given_ragged_lists_says_so():
    text = message(ValueError, lambda: layers.Dense(2, name="head")([[1.0, 2.0], [3.0]]))
    assert text.startswith("Layer 'head' (Dense) got input that is not one rectangular array")
    assert "Give every sample the same shape" in text


@pytest.mark.parametrize("rate", ["a", None, True, float("nan"), -0.1, 1.0, [0.5]])
@pytest.mark.parametrize("make, start", [
    (lambda r: layers.Dropout(rate=r, name="drop"), "Dropout layer 'drop': rate"),
    (lambda r: layers.LSTM(2, dropout=r), "LSTMCell 'lstm_cell': dropout"),
    (lambda r: layers.GRU(2, recurrent_dropout=r), "GRUCell 'gru_cell': recurrent_dropout"),
    (lambda r: layers.MultiHeadAttention(2, 2, dropout=r, name="mha"),
     "MultiHeadAttention layer 'mha': dropout"),
    (lambda r: layers.Attention(dropout=r, name="att"), "Attention layer 'att': dropout"),
])
def test_dropout_rates_must_be_numbers_in_0_1(rate, make, start):
    text = message(ValueError, lambda: make(rate))
    assert text == f"{start} must be a number in [0, 1) - the fraction of inputs to drop - but " \
                   f"got {rate!r}."


@pytest.mark.parametrize("metric, y_true, y_pred, expected", [
    (lambda: nn.metrics.MeanAbsoluteError(), np.ones((4, 3)), np.ones((4, 2)),
     "Metric 'mean_absolute_error' got y_true of shape (4, 3) for y_pred of shape (4, 2); it "
     "expects targets of the same shape (or one that broadcasts to it)."),
    (lambda: nn.metrics.MeanSquaredError(), np.ones((4, 3)), np.ones((4, 2)),
     "Metric 'mean_squared_error' got y_true of shape (4, 3)"),
    (lambda: nn.metrics.RootMeanSquaredError(), np.ones((4, 3)), np.ones((4, 2)),
     "Metric 'root_mean_squared_error' got y_true of shape (4, 3)"),
    (lambda: nn.metrics.BinaryAccuracy(), np.ones((4, 3)), np.ones((4, 2)),
     "Metric 'binary_accuracy' got y_true of shape (4, 3)"),
    # argmax of two widths made a plausible accuracy (1.0 here) without a word
    (lambda: nn.metrics.CategoricalAccuracy(), np.eye(3)[[0, 1, 2, 0]], np.eye(2)[[0, 1, 1, 0]],
     "Metric 'categorical_accuracy' got y_true of shape (4, 3) for y_pred of shape (4, 2); it "
     "expects one-hot targets of the same shape."),
    (lambda: nn.metrics.SparseCategoricalAccuracy(), np.ones((4, 3)), np.ones((4, 3)),
     "Metric 'sparse_categorical_accuracy' got y_true of shape (4, 3) for y_pred of shape "
     "(4, 3); it expects integer labels of shape (4,) (or (4, 1))."),
    (lambda: nn.metrics.SparseCategoricalAccuracy(), np.ones(4), np.ones((5, 3)),
     "Metric 'sparse_categorical_accuracy' got y_true with 4 samples (shape (4,)) but y_pred "
     "with 5 (shape (5, 3))"),
    (lambda: nn.metrics.MeanMetricWrapper(lambda t, p: t - p, name="diff"), np.ones((4, 3)),
     np.ones((4, 2)), "Metric 'diff' could not compare y_true of shape (4, 3) with y_pred of "
                      "shape (4, 2): operands could not be broadcast"),
])
def test_a_metric_given_mismatched_shapes_names_itself_and_both_shapes(metric, y_true, y_pred,
                                                                        expected):
    text = message(ValueError, lambda: metric().update_state(y_true, y_pred))
    assert text.startswith(expected), text


def test_metrics_still_take_the_shapes_keras_takes():
    assert nn.metrics.MeanAbsoluteError()(np.zeros(4), np.ones((4, 1))) == 1.0  # (n,) vs (n, 1)
    assert nn.metrics.SparseCategoricalAccuracy()(np.zeros((2, 1)), np.eye(2)) == 0.5
    assert nn.metrics.BinaryAccuracy()(np.ones((2, 1)), np.full((2, 1), 0.9)) == 1.0


def test_fit_with_a_metric_of_the_wrong_shape_names_the_metric():
    # Integer labels for the loss, but a metric that wants one-hot targets.
    model = nn.Sequential([nn.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["categorical_accuracy"])
    with pytest.raises(ValueError, match=r"Metric 'categorical_accuracy' got y_true of shape "
                                         r"\(4,\) for y_pred of shape \(4, 3\)"):
        model.fit(np.ones((4, 4)), np.array([0, 1, 2, 0]), verbose=0)


@pytest.mark.parametrize("dtype", [[], {}, "object", "str", ()])
def test_a_layer_dtype_that_is_not_a_number_type_is_refused_when_the_layer_is_made(dtype):
    # NumPy makes a structured "void" dtype of [] or {}: it used to fail only at predict.
    text = message(ValueError, lambda: layers.Dense(2, name="head", dtype=dtype))
    assert text == ("Layer 'head' (Dense): dtype must be the name of a number type such as "
                    f"'float32', but got {dtype!r}.")
