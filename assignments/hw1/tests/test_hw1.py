"""hw1 public tests: one test per task (run one with `pytest -m hw1_mul_backward`).

Every gradient check is `autograd.gradcheck` in float64: when it fails, its report names
the input, the worst element, both values and what the mistake looks like. Inputs avoid the
places where a function has no derivative (0 for relu, ties for max).
"""

import numpy as np

import autograd
from autograd.engine import sum_to_shape, topological_order


def leaf(values, name=None):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True, name=name)


def random_leaf(shape, seed, low=-1.0, high=1.0):
    return leaf(np.random.default_rng(seed).uniform(low, high, size=shape))


# --- the engine ---------------------------------------------------------------------------

def test_topological_order():
    a, b = leaf(2.0, "a"), leaf(3.0, "b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert len(order) == len(set(map(id, order))), "a tensor appears twice in the order"
    assert order[0] is a and order[1] is b, "leaves come first, oldest first (a, then b)"
    assert order[2] is c and order[3] is d, "c = a * b must come before d = c + a"


def test_sum_to_shape():
    g = np.arange(12.0).reshape(4, 3)
    got = sum_to_shape(g, (3,))
    assert got is not None and got.shape == (3,), "a (4, 3) gradient summed to (3,) has shape (3,)"
    assert got.tolist() == [18.0, 22.0, 26.0], f"column sums of 0..11 are 18, 22, 26, got {got}"


# --- elementwise backwards ------------------------------------------------------------------

def test_add_backward():
    assert autograd.gradcheck(lambda x, y: x + y, [random_leaf((2, 3), 0), random_leaf((2, 3), 1)])


def test_mul_backward():
    assert autograd.gradcheck(lambda x, y: x * y, [random_leaf((2, 3), 2), random_leaf((2, 3), 3)])


def test_div_backward():
    x, y = random_leaf((2, 3), 4), random_leaf((2, 3), 5, 0.5, 2.0)
    assert autograd.gradcheck(lambda p, q: p / q, [x, y])


def test_pow_backward():
    x, y = random_leaf((2, 3), 6, 0.5, 2.0), random_leaf((2, 3), 7, 0.5, 3.0)
    assert autograd.gradcheck(lambda p, q: p ** q, [x, y])


def test_exp_log_backward():
    assert autograd.gradcheck(lambda t: t.exp(), [random_leaf((2, 3), 8)])
    assert autograd.gradcheck(lambda t: t.log(), [random_leaf((2, 3), 9, 0.2, 3.0)])


def test_tanh_backward():
    assert autograd.gradcheck(lambda t: t.tanh(), [random_leaf((2, 3), 10, -2.0, 2.0)])


def test_sigmoid_backward():
    assert autograd.gradcheck(lambda t: t.sigmoid(), [random_leaf((2, 3), 11, -3.0, 3.0)])


def test_relu_backward():
    x = leaf([[-1.5, -0.2, 0.3], [0.9, 1.7, -0.6]])  # away from the kink at 0
    assert autograd.gradcheck(lambda t: t.relu(), [x])


# --- reductions, shapes, indexing, matmul ---------------------------------------------------

def test_sum_mean_backward():
    x = random_leaf((2, 3, 4), 12)
    assert autograd.gradcheck(lambda t: t.sum(), [x])
    assert autograd.gradcheck(lambda t: t.sum(axis=1), [x])
    assert autograd.gradcheck(lambda t: t.mean(axis=(0, 2), keepdims=True), [x])


def test_max_backward():
    x = leaf(np.random.default_rng(13).permutation(12).reshape(3, 4) / 4.0)  # no ties
    assert autograd.gradcheck(lambda t: t.max(axis=1), [x])
    assert autograd.gradcheck(lambda t: t.max(), [x])


def test_reshape_transpose_backward():
    x = random_leaf((2, 3, 4), 14)
    assert autograd.gradcheck(lambda t: t.reshape(4, 6), [x])
    assert autograd.gradcheck(lambda t: t.transpose(1, 2, 0), [x])


def test_getitem_backward():
    x = random_leaf((4, 3), 15)
    assert autograd.gradcheck(lambda t: t[1:3], [x])
    assert autograd.gradcheck(lambda t: t[[0, 2, 0]], [x])   # row 0 picked twice


def test_matmul_backward():
    a, b = random_leaf((2, 3), 16), random_leaf((3, 4), 17)
    assert autograd.gradcheck(lambda p, q: p @ q, [a, b])
