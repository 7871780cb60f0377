"""Lesson 5's exercise: the backward of a Softplus op, log(1 + e^x).

The check runs ``autograd.gradcheck`` on your op inside a small function, so a wrong
backward is reported the way the lesson shows: the op to blame and, for the mistakes
registered below (the usual ones), which mistake it is.
"""

import numpy as np

import autograd
import gradstack


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _exponent_sign_flipped(ctx, grad):
    (x,) = ctx.saved_tensors
    return grad * _sigmoid(-x)


def _derivative_of_the_sigmoid(ctx, grad):
    (x,) = ctx.saved_tensors
    s = _sigmoid(x)
    return grad * s * (1 - s)


def _value_not_derivative(ctx, grad):
    (x,) = ctx.saved_tensors
    return grad * np.logaddexp(0, x)


MISTAKES = [
    ("dsoftplus/dx = 1 / (1 + e^x) = sigmoid(-x): the sign in the exponent is flipped",
     _exponent_sign_flipped),
    ("dsoftplus/dx = sigmoid(x) (1 - sigmoid(x)): that is the sigmoid's derivative, "
     "but softplus's derivative is the sigmoid itself", _derivative_of_the_sigmoid),
    ("dsoftplus/dx = log(1 + e^x): that is the forward's value, not its derivative",
     _value_not_derivative),
]


def check_softplus_backward(ns):
    op = ns["MySoftplus"]
    x = autograd.tensor(np.array([-3.0, -0.5, 0.2, 0.7, 2.5]), requires_grad=True, name="x")
    for description, wrong in MISTAKES:
        autograd.register_mistake(op, description, wrong)
    try:
        assert autograd.gradcheck(lambda t: (op.apply(t * 1.5) * 2.0).sum(), [x])
    finally:
        autograd.forget_mistakes(op)


def test_softplus_backward():
    check_softplus_backward(gradstack.run_cells("tutorials/05_write_your_own_op_and_layer.ipynb",
                                                through="lesson5.softplus_backward"))
