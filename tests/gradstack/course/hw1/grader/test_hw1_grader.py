"""Grader tests of the fixture hw1 (never exported)."""

import numpy as np

import autograd


def _leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_mul_backward_broadcast():
    rng = np.random.default_rng(1)
    a, b = _leaf(rng.standard_normal((3, 4))), _leaf(rng.standard_normal(4))
    assert autograd.gradcheck(lambda x, y: x * y, [a, b])


def test_mul_backward_one_input():
    rng = np.random.default_rng(2)
    a = _leaf(rng.standard_normal((2, 2)))
    b = autograd.tensor(rng.standard_normal((2, 2)))
    assert autograd.gradcheck(lambda x: x * b, [a])


def test_tanh_backward_saturated():
    x = _leaf([[-4.0, -2.5, 3.0], [2.2, 5.0, -0.01]])
    assert autograd.gradcheck(lambda t: t.tanh(), [x])


def test_relu_backward_mixed_signs():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((4, 5))
    values[np.abs(values) < 0.05] = 0.5  # no element near the kink
    assert autograd.gradcheck(lambda t: t.relu(), [_leaf(values)])


def test_exp_backward_wide_range():
    x = _leaf(np.linspace(-6.0, 4.0, 12).reshape(3, 4))
    assert autograd.gradcheck(lambda t: t.exp(), [x])


def test_log_backward_small_inputs():
    x = _leaf([[0.05, 0.3, 7.0], [1.0, 0.01, 2.0]])
    assert autograd.gradcheck(lambda t: t.log(), [x])
