"""Public tests of the fixture hw1: one per task."""

import numpy as np

import autograd
from autograd.kernels import pool


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


def test_max_pool_forward_by_hand():
    # 0..15 in a 4x4 image: each 2x2 window's maximum is its bottom-right cell (k = 3).
    x = np.arange(16, dtype=np.float64).reshape(1, 4, 4, 1)
    out = np.empty((1, 2, 2, 1))
    arg = np.zeros((1, 2, 2, 1), np.int32)
    pool.max_pool_forward(x, out, arg, 2, 2, 2, 2, 0, 0)
    assert out[0, :, :, 0].tolist() == [[5, 7], [13, 15]], f"maxima {out[0, :, :, 0].tolist()}"
    assert (arg == 3).all(), f"winning positions {arg[0, :, :, 0].tolist()}, expected all 3"
