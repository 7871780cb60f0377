"""Lesson 1's exercise: the two gradients of the regression's loss, written by hand.

The check wraps your formulas in an op and runs ``autograd.gradcheck`` on it, so a wrong
formula is reported the way every backward is: the worst element, both values, a hint.
"""

import numpy as np

import autograd
import gradstack


def check_mse_gradients(ns):
    mse_gradients = ns["mse_gradients"]
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size=(16, 1))
    y = 3 * x + 2 + 0.1 * rng.normal(size=(16, 1))
    w, b = np.array([[0.5]]), np.array([-0.3])

    dw, db = mse_gradients(x, y, w, b)
    assert np.shape(dw) == w.shape, (
        f"dL/dw has shape {np.shape(dw)}; it needs the shape of w, {w.shape}")
    assert np.shape(db) == b.shape, (
        f"dL/db has shape {np.shape(db)}; it needs the shape of b, {b.shape} "
        "(the bias was added to every row: sum what the rows send back)")

    class MeanSquaredErrorByHand(autograd.Function):
        """L(w, b) = mean((x w + b - y)^2), with the backward you wrote."""

        @staticmethod
        def forward(ctx, w, b):
            ctx.save_for_backward(w, b)
            return np.asarray(np.mean((x @ w + b - y) ** 2))

        @staticmethod
        def backward(ctx, grad):
            w, b = ctx.saved_tensors
            dw, db = mse_gradients(x, y, w, b)
            return grad * dw, grad * db

    w_t = autograd.tensor(w, requires_grad=True, name="w")
    b_t = autograd.tensor(b, requires_grad=True, name="b")
    assert autograd.gradcheck(MeanSquaredErrorByHand.apply, [w_t, b_t])


def test_mse_gradients():
    check_mse_gradients(gradstack.run_cells("tutorials/01_tensors_and_autograd.ipynb",
                                            through="lesson1.mse_gradients"))
