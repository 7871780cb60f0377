"""Public tests of the fixture hw1: one per task."""

import numpy as np

import autograd


def _leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_mul_backward():
    rng = np.random.default_rng(0)
    a, b = _leaf(rng.standard_normal((2, 3))), _leaf(rng.standard_normal((2, 3)))
    assert autograd.gradcheck(lambda x, y: x * y, [a, b])


def test_tanh_backward():
    x = _leaf([[-1.5, -0.2, 0.3], [0.9, 1.7, -0.6]])
    assert autograd.gradcheck(lambda t: t.tanh(), [x])


def test_relu_backward():
    x = _leaf([[-1.5, -0.2, 0.3], [0.9, 1.7, -0.6]])  # away from the kink at 0
    assert autograd.gradcheck(lambda t: t.relu(), [x])


def test_exp_log_backward():
    x = _leaf([[-1.5, -0.2, 0.3], [0.9, 1.7, -0.6]])
    assert autograd.gradcheck(lambda t: t.exp(), [x])
    assert autograd.gradcheck(lambda t: t.log(), [_leaf([[0.2, 1.0, 2.5]])])
