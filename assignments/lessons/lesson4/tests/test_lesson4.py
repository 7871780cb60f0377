"""Lesson 4's exercise: freeze a model for transfer pattern 1.

The check freezes a small model of its own with your function, then trains it for a few
steps: only the last layer's weights may change.
"""

import numpy as np

import gradstack
import nn
from nn import layers


def check_freeze_all_but_last(ns):
    freeze_all_but_last = ns["freeze_all_but_last"]
    # Constant weights, named layers, no shuffling: the check draws nothing from the
    # library's generator, so the rest of the lesson trains as before.
    def dense(units, name, activation=None):
        return layers.Dense(units, activation=activation, name=name,
                            kernel_initializer=nn.initializers.Constant(0.1),
                            bias_initializer="zeros")

    model = nn.Sequential([nn.Input((4,), name="check_input"),
                           dense(5, "check_1", "relu"), dense(5, "check_2", "relu"),
                           dense(3, "check_3")], name="check_model")
    freeze_all_but_last(model)
    flags = [layer.trainable for layer in model.layers]
    assert flags == [False, False, True], (
        f"after freeze_all_but_last the layers' trainable flags are {flags}; expected "
        "[False, False, True]: every layer but the last frozen, the last one left trainable")
    last = model.layers[-1]
    assert [w.name for w in model.trainable_weights] == [w.name for w in last.weights], (
        "model.trainable_weights should be the last layer's kernel and bias only, got "
        f"{[w.name for w in model.trainable_weights]}")

    before = [w.numpy().copy() for w in model.weights]
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    model.fit(x, np.ones((16, 3), np.float32), epochs=2, shuffle=False, verbose=0)
    changed = [w.name for w, old in zip(model.weights, before)
               if not np.array_equal(w.numpy(), old)]
    assert changed == [w.name for w in last.weights], (
        f"training changed {changed}; only the last layer's weights may change")


def test_freeze_all_but_last():
    check_freeze_all_but_last(gradstack.run_cells(
        "tutorials/04_feature_extraction_and_transfer.ipynb",
        through="lesson4.freeze_all_but_last"))
