"""Lesson 6's exercise: dL/ds for y = x * s, with s of shape (features,) broadcast over
the batch, summed by hand.

The shape is checked first: the engine would sum an unsummed gradient back for you, and
this exercise is about doing that sum yourself. Then your formula is the backward of an
op, and ``autograd.gradcheck`` reports any wrong value.
"""

import numpy as np

import autograd
import gradstack


def check_scale_grad(ns):
    scale_grad = ns["scale_grad"]
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 3))
    s = np.array([0.5, -1.0, 2.0])
    got = np.asarray(scale_grad(x, rng.normal(size=(6, 3))))
    assert got.shape == s.shape, (
        f"scale_grad returned shape {got.shape}; dL/ds needs the shape of s, {s.shape}: "
        "each s[j] was used once per row, so add up what the rows send back")

    class ScaleByHand(autograd.Function):
        """y = x * s, with the gradient for s that you wrote."""

        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, grad):
            x, s = ctx.saved_tensors
            return grad * s, scale_grad(x, grad)

    assert autograd.gradcheck(ScaleByHand.apply, [autograd.tensor(x, requires_grad=True),
                                                  autograd.tensor(s, requires_grad=True)])


def test_scale_grad():
    check_scale_grad(gradstack.run_cells("tutorials/06_the_backward_of_broadcasting.ipynb",
                                         through="lesson6.scale_grad"))
