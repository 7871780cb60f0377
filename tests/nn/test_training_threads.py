"""Training and predicting on several threads at once (issue 11, items 10-11).

Graders run many models in one process and notebooks predict while a training
thread runs. Grad mode, the training flag and collected losses belong to the
thread that sets them, and automatic names are unique across threads, so:

- two threads training two models end with exactly the weights that training
  them one after the other gives;
- ``predict`` on one thread while another trains gives the single-thread answer.

The random generator behind ``set_random_seed`` is one for the process (as in
PyTorch), so these models are made before the threads start and trained without
shuffling: two threads shuffling at once would interleave its draws.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import nn

pytestmark = [pytest.mark.training, pytest.mark.slow]

RNG = np.random.default_rng(0)
X = RNG.standard_normal((64, 6)).astype(np.float32)
Y = (X @ RNG.standard_normal((6, 3))).astype(np.float32)


def trained_model(seed: int):
    """A model with BatchNormalization (its batch statistics and moving averages
    depend on the training flag) and a regularizer (an add_loss value per call)."""
    nn.utils.set_random_seed(seed)
    model = nn.Sequential([
        nn.Input((6,)),
        nn.layers.Dense(16, activation="relu", kernel_regularizer=nn.regularizers.L2(1e-3)),
        nn.layers.BatchNormalization(),
        nn.layers.Dense(3),
    ])
    model.compile(nn.optimizers.Adam(0.01), "mse")
    return model


def predicting_model():
    """A model whose output changes if it ever runs in training mode (Dropout draws a
    mask, BatchNormalization uses batch statistics) or records a graph."""
    nn.utils.set_random_seed(7)
    return nn.Sequential([nn.Input((6,)), nn.layers.Dense(8), nn.layers.Dropout(0.5),
                          nn.layers.BatchNormalization(), nn.layers.Dense(2)])


def fit(model, epochs=8):
    model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)


def weights_of(model):
    return [w.numpy().copy() for w in model.weights]


def run_together(*targets):
    """Run the functions on threads of their own, started together, switching
    between threads as often as the interpreter allows; re-raise any error."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(30)
            target()
        except BaseException as err:  # reported to the test below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]


def test_two_threads_training_two_models_give_the_weights_of_training_one_after_the_other():
    one_after_the_other = [trained_model(1), trained_model(2)]
    for model in one_after_the_other:
        fit(model)
    together = [trained_model(1), trained_model(2)]
    run_together(*(lambda m=m: fit(m) for m in together))
    for alone, threaded in zip(one_after_the_other, together, strict=True):
        for a, b in zip(weights_of(alone), weights_of(threaded), strict=True):
            np.testing.assert_array_equal(a, b)


def test_predict_while_another_thread_trains_gives_the_single_thread_answer():
    predictor = predicting_model()
    expected = predictor.predict(X, batch_size=8, verbose=0)
    before = weights_of(predictor)
    trainer = trained_model(3)
    answers = []

    def keep_predicting():
        for _ in range(30):
            answers.append(predictor.predict(X, batch_size=8, verbose=0))

    run_together(lambda: fit(trainer, epochs=10), keep_predicting)
    for answer in answers:
        np.testing.assert_array_equal(answer, expected)
    for a, b in zip(before, weights_of(predictor), strict=True):  # moving stats untouched
        np.testing.assert_array_equal(a, b)
    alone = trained_model(3)
    fit(alone, epochs=10)
    for a, b in zip(weights_of(alone), weights_of(trainer), strict=True):
        np.testing.assert_array_equal(a, b)


def test_models_built_on_several_threads_at_once_can_be_joined_into_one():
    # Automatic names are unique across threads: layers made at once on four threads
    # go into one model without a duplicate-name error.
    made: list[list] = [[] for _ in range(4)]

    def make(out):
        out.extend(nn.layers.Dense(2) for _ in range(500))

    run_together(*(lambda out=out: make(out) for out in made))
    layers = [layer for out in made for layer in out]
    inputs = nn.Input((2,))
    x = inputs
    for layer in layers:
        x = layer(x)
    model = nn.Model(inputs, x)
    assert len({layer.name for layer in model.layers}) == 2001


def test_add_loss_values_stay_with_the_thread_and_the_model_that_made_them():
    # The first thread stops inside its model's call, after its add_loss, while the
    # second thread runs a whole call of another model: each model must end up with
    # exactly its own value.
    inside, release = threading.Event(), threading.Event()

    class Penalty(nn.layers.Layer):
        def call(self, inputs):
            self.add_loss(inputs.sum())
            if threading.current_thread().name == "first":
                inside.set()
                release.wait(10)
            return inputs

    first = nn.Sequential([nn.Input((1,)), Penalty()])
    second = nn.Sequential([nn.Input((1,)), Penalty()])

    def run_second():
        inside.wait(10)
        try:
            second(np.full((1, 1), 2.0))
        finally:
            release.set()

    threads = [threading.Thread(target=lambda: first(np.full((1, 1), 1.0)), name="first"),
               threading.Thread(target=run_second, name="second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [loss.item() for loss in first.losses] == [1.0]
    assert [loss.item() for loss in second.losses] == [2.0]
