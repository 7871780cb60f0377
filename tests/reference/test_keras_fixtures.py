"""gradstack's layers, losses and optimizers give Keras 3's numbers, on every machine.

The expected values are in fixtures/keras_{layers,losses,optimizers}.npz, written
by Keras 3 (torch backend) through make_fixtures.py; nothing here imports Keras.
Everything is float32, as in Keras, so the tolerances are float32's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from make_fixtures import KERAS_LAYERS, KERAS_LOSSES, KERAS_OPTIMIZERS, load_fixture

import autograd
import nn
import optim
from nn import layers

pytestmark = pytest.mark.layers

LAYERS = load_fixture("keras_layers.npz")
LOSSES = load_fixture("keras_losses.npz")
OPTIMIZERS = load_fixture("keras_optimizers.npz")


def outputs_of(stored: dict) -> list[str]:
    return [k for k in stored if k == "y" or k.startswith(("y_", "grad_"))]


def check(case: str, stored: dict, ours: dict, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    expected = outputs_of(stored)
    assert sorted(ours) == sorted(expected), case
    for key in expected:
        assert np.shape(ours[key]) == stored[key].shape, f"{case}: {key}"
        np.testing.assert_allclose(ours[key], stored[key], rtol=rtol, atol=atol,
                                   err_msg=f"{case}: {key}")


# ---------------------------------------------------------------- layers

LAYER_MAKERS: dict[str, tuple[Callable[[], layers.Layer], bool]] = {
    # case: (our layer, training)
    "dense_tanh": (lambda: layers.Dense(5, activation="tanh"), False),
    "dense_no_bias": (lambda: layers.Dense(2, use_bias=False), False),
    "conv2d_same_stride2_relu": (
        lambda: layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"), False),
    "conv2d_valid_dilation2": (lambda: layers.Conv2D(3, (2, 3), dilation_rate=2), False),
    "max_pooling_2": (lambda: layers.MaxPooling2D(2), False),
    "max_pooling_same": (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), False),
    "average_pooling_2": (lambda: layers.AveragePooling2D(2), False),
    "global_average_pooling": (lambda: layers.GlobalAveragePooling2D(), False),
    "global_max_pooling": (lambda: layers.GlobalMaxPooling2D(), False),
    "flatten": (lambda: layers.Flatten(), False),
    "batch_norm_training": (lambda: layers.BatchNormalization(), True),
    "batch_norm_inference": (lambda: layers.BatchNormalization(), False),
    "batch_norm_images_training": (
        lambda: layers.BatchNormalization(momentum=0.9, epsilon=1e-2), True),
    "activation_softmax": (lambda: layers.Activation("softmax"), False),
}


def run_layer(case: str, stored: dict) -> dict:
    make, training = LAYER_MAKERS[case]
    layer = make()
    x = autograd.tensor(stored["x"], requires_grad=True)
    layer.build(x.shape)
    with autograd.no_grad():
        for w in layer.weights:  # Keras's weight of the same name (kernel, gamma, ...)
            w.copy_(stored["w_" + w.name.split("/")[-1]])
    y = layer(x, training=training)
    (y * autograd.tensor(stored["upstream"])).sum().backward()
    ours = {"y": y.numpy(), "grad_x": x.grad.numpy()}
    for w in layer.trainable_weights:
        ours["grad_w_" + w.name.split("/")[-1]] = w.grad.numpy()
    for w in layer.non_trainable_weights:
        ours["y_" + w.name.split("/")[-1]] = w.numpy()
    return ours


def test_every_layer_fixture_is_checked():
    assert set(LAYER_MAKERS) == set(LAYERS) == set(KERAS_LAYERS)


@pytest.mark.parametrize("case", sorted(LAYER_MAKERS))
def test_layer_outputs_and_gradients_match_keras(case):
    check(case, LAYERS[case], run_layer(case, LAYERS[case]))


# ---------------------------------------------------------------- losses

LOSS_MAKERS: dict[str, Callable[[], Callable]] = {
    "mean_squared_error": lambda: nn.losses.MeanSquaredError(),
    "mean_absolute_error": lambda: nn.losses.MeanAbsoluteError(),
    "huber": lambda: nn.losses.Huber(delta=0.7),
    "binary_crossentropy": lambda: nn.losses.BinaryCrossentropy(),
    "binary_crossentropy_logits": lambda: nn.losses.BinaryCrossentropy(from_logits=True),
    "categorical_crossentropy": lambda: nn.losses.CategoricalCrossentropy(),
    "categorical_crossentropy_logits": lambda: nn.losses.CategoricalCrossentropy(
        from_logits=True),
    "sparse_categorical_crossentropy_logits": lambda: nn.losses.SparseCategoricalCrossentropy(
        from_logits=True),
}


def test_every_loss_fixture_is_checked():
    assert set(LOSS_MAKERS) == set(LOSSES) == set(KERAS_LOSSES)


@pytest.mark.parametrize("case", sorted(LOSS_MAKERS))
def test_loss_values_and_gradients_match_keras(case):
    stored = LOSSES[case]
    y_pred = autograd.tensor(stored["pred"], requires_grad=True)
    loss = LOSS_MAKERS[case]()(autograd.tensor(stored["true"]), y_pred)
    loss.backward()
    check(case, stored, {"y": loss.numpy(), "grad_pred": y_pred.grad.numpy()})


# ---------------------------------------------------------------- optimizers

OPTIMIZER_MAKERS: dict[str, Callable[[list], optim.Optimizer]] = {
    "sgd": lambda p: optim.SGD(p, learning_rate=0.1),
    "sgd_momentum": lambda p: optim.SGD(p, learning_rate=0.1, momentum=0.9),
    "sgd_nesterov": lambda p: optim.SGD(p, learning_rate=0.1, momentum=0.9, nesterov=True),
    "sgd_clipnorm": lambda p: optim.SGD(p, learning_rate=0.1, clipnorm=1.0),
    "sgd_clipvalue": lambda p: optim.SGD(p, learning_rate=0.1, clipvalue=0.5),
    "adam": lambda p: optim.Adam(p, learning_rate=0.05),
    "adam_amsgrad": lambda p: optim.Adam(p, learning_rate=0.05, amsgrad=True),
    "adamw": lambda p: optim.AdamW(p, learning_rate=0.05, weight_decay=0.1),
    "rmsprop": lambda p: optim.RMSprop(p, learning_rate=0.05),
    "rmsprop_centered_momentum": lambda p: optim.RMSprop(p, learning_rate=0.05, momentum=0.5,
                                                         centered=True),
    "adagrad": lambda p: optim.Adagrad(p, learning_rate=0.1),
}


def test_every_optimizer_fixture_is_checked():
    assert set(OPTIMIZER_MAKERS) == set(OPTIMIZERS) == set(KERAS_OPTIMIZERS)


@pytest.mark.parametrize("case", sorted(OPTIMIZER_MAKERS))
def test_optimizer_steps_match_keras(case):
    stored = OPTIMIZERS[case]
    w = autograd.tensor(stored["w0"], requires_grad=True)
    opt = OPTIMIZER_MAKERS[case]([w])
    history = []
    for g in stored["grads"]:
        (w * autograd.tensor(g)).sum().backward()  # d/dw sum(w * g) = g
        opt.step()
        opt.zero_grad()
        history.append(w.numpy().copy())
    check(case, stored, {"y": np.stack(history)})
