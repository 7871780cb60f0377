"""hw1 grader tests: run after submission, never shown to students (only their messages)."""

import numpy as np

import autograd
from autograd.engine import sum_to_shape, topological_order


def leaf(values, name=None):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True, name=name)


def random_leaf(shape, seed, low=-1.0, high=1.0):
    return leaf(np.random.default_rng(seed).uniform(low, high, size=shape))


def constant(shape, seed, low=-1.0, high=1.0):
    return autograd.tensor(np.random.default_rng(seed).uniform(low, high, size=shape))


# --- hw1.topological_order ------------------------------------------------------------------

def test_topological_order_diamond():
    # a feeds b and c; both feed d. Every tensor once, each after everything it uses.
    a = leaf(1.5, "a")
    b = a.exp()
    c = a * 2.0
    d = b + c
    order = topological_order(d)
    names = [t.name or t.grad_fn.name for t in order]
    assert len(order) == 4, f"expected the 4 tensors a, Exp, Mul, Add once each, got {names}"
    position = {id(t): i for i, t in enumerate(order)}
    for later, earlier in [(b, a), (c, a), (d, b), (d, c)]:
        assert position[id(earlier)] < position[id(later)], (
            f"order {names}: an op's output must come after its inputs")
    assert order[-1] is d, f"the root comes last, got {names}"


def test_topological_order_skips_what_needs_no_grad():
    a = leaf(2.0, "a")
    k = autograd.tensor(3.0, name="k")          # a constant: no gradient, not in the order
    out = (a * k).tanh()
    names = [t.name or t.grad_fn.name for t in topological_order(out)]
    assert names == ["a", "Mul", "Tanh"], f"expected ['a', 'Mul', 'Tanh'], got {names}"


def test_topological_order_deep_chain_without_recursion():
    x0 = leaf(1.0, "x0")
    x = x0
    for _ in range(20_000):
        x = x + 1.0
    order = topological_order(x)
    assert len(order) == 20_001, f"a chain of 20,000 adds has 20,001 tensors, got {len(order)}"
    assert order[0] is x0 and order[-1] is x, "the leaf first, the last add last"


def test_topological_order_shared_input_once():
    a = leaf(3.0, "a")
    b = a + a
    c = b * b
    names = [t.name or t.grad_fn.name for t in topological_order(c)]
    assert names == ["a", "Add", "Mul"], f"a tensor used twice appears once: got {names}"


# --- hw1.sum_to_shape -----------------------------------------------------------------------

def test_sum_to_shape_size_one_axes_are_kept():
    g = np.arange(6.0).reshape(2, 3)
    got = sum_to_shape(g, (2, 1))
    assert got is not None and got.shape == (2, 1), (
        f"summing a (2, 3) gradient back to a (2, 1) column must give shape (2, 1), got "
        f"{None if got is None else got.shape}")
    assert got.ravel().tolist() == [3.0, 12.0], f"row sums are 3 and 12, got {got.ravel()}"


def test_sum_to_shape_leading_and_size_one_together():
    g = np.ones((5, 4, 3))
    got = sum_to_shape(g, (4, 1))
    assert got is not None and got.shape == (4, 1), (
        "a (5, 4, 3) gradient for a (4, 1) input: sum the leading axis away and the size-1 "
        f"axis with keepdims, got {None if got is None else got.shape}")
    assert np.all(got == 15.0), f"each entry was used 5 * 3 = 15 times, got {got.ravel()}"


def test_sum_to_shape_refuses_impossible_shapes():
    assert sum_to_shape(np.ones((3, 4)), (4, 3)) is None, (
        "(3, 4) is not a broadcast of (4, 3): return None so the engine can explain")
    assert sum_to_shape(np.ones((3,)), (2, 3)) is None, (
        "a gradient with fewer axes than its input cannot come from broadcasting: return None")


def test_sum_to_shape_through_the_engine():
    w = leaf(np.ones((1, 3)))
    b = leaf(0.5)
    x = constant((4, 3), 20)
    ((x * w) + b).sum().backward()
    column_sums = x.numpy().sum(0, keepdims=True)
    assert w.grad.shape == (1, 3) and np.allclose(w.grad.numpy(), column_sums), (
        "w of shape (1, 3) was used in each of 4 rows: its gradient is the column sums of x")
    assert b.grad.shape == () and b.grad.item() == 12.0, (
        f"a scalar added to 12 entries gets 12, got {b.grad.numpy()}")


# --- elementwise ----------------------------------------------------------------------------

def test_add_backward_broadcast():
    assert autograd.gradcheck(lambda x, y: x + y, [random_leaf((3, 4), 21), random_leaf((4,), 22)])


def test_add_backward_same_tensor_twice():
    x = leaf([1.0, -2.0])
    (x + x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0], f"d(x + x)/dx = 2, got {x.grad.tolist()}"


def test_mul_backward_broadcast():
    assert autograd.gradcheck(lambda x, y: x * y, [random_leaf((3, 4), 23), random_leaf((4,), 24)])


def test_mul_backward_one_input():
    k = constant((2, 2), 25)
    assert autograd.gradcheck(lambda x: x * k, [random_leaf((2, 2), 26)])


def test_div_backward_broadcast():
    x, y = random_leaf((3, 4), 27), random_leaf((4,), 28, 0.5, 2.0)
    assert autograd.gradcheck(lambda p, q: p / q, [x, y])


def test_div_backward_denominator_only():
    assert autograd.gradcheck(lambda q: 3.0 / q, [random_leaf((2, 3), 29, -2.0, -0.5)])


def test_pow_backward_exponent_constant():
    assert autograd.gradcheck(lambda p: p ** 3.0, [random_leaf((2, 3), 30, -2.0, 2.0)])


def test_pow_backward_base_constant():
    assert autograd.gradcheck(lambda q: 2.0 ** q, [random_leaf((2, 3), 31, -1.0, 2.0)])


def test_exp_log_backward_composed():
    assert autograd.gradcheck(lambda t: (t.exp() + 1.0).log(), [random_leaf((3, 3), 32, -3.0, 3.0)])


def test_tanh_backward_saturated():
    assert autograd.gradcheck(lambda t: t.tanh(), [leaf([[-4.0, -2.5, 3.0], [2.2, 5.0, -0.01]])])


def test_sigmoid_backward_wide_range():
    assert autograd.gradcheck(lambda t: t.sigmoid(), [leaf([[-6.0, -1.0, 0.0], [0.5, 2.0, 7.0]])])


def test_relu_backward_mixed_signs():
    values = np.random.default_rng(33).standard_normal((4, 5))
    values[np.abs(values) < 0.05] = 0.5  # no element near the kink
    assert autograd.gradcheck(lambda t: t.relu(), [leaf(values)])


def test_relu_backward_zero_for_negative_inputs():
    x = leaf([-3.0, -1.0, 2.0])
    (x.relu() * autograd.tensor([5.0, 5.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 5.0], (
        f"relu passes the gradient only where the input is positive: expected [0, 0, 5], got "
        f"{x.grad.tolist()}")


# --- reductions -----------------------------------------------------------------------------

def test_sum_backward_every_axis_choice():
    x = random_leaf((2, 3, 4), 34)
    for axis in [0, 2, -1, (0, 1), (0, 2)]:
        for keepdims in (False, True):
            def summed(t, axis=axis, keepdims=keepdims):
                return t.sum(axis=axis, keepdims=keepdims)
            assert autograd.gradcheck(summed, [x]), (
                f"sum(axis={axis}, keepdims={keepdims})")


def test_mean_backward_values():
    x = leaf(np.zeros((2, 5)))
    x.mean(axis=1).sum().backward()
    assert np.allclose(x.grad.numpy(), 0.2), (
        f"each of 5 values in a mean gets 1/5 of the gradient, got {x.grad.numpy()[0]}")


def test_mean_backward_axes():
    x = random_leaf((3, 2, 4), 35)
    assert autograd.gradcheck(lambda t: t.mean(axis=(1, 2)), [x])
    assert autograd.gradcheck(lambda t: t.mean(axis=0, keepdims=True), [x])


def test_max_backward_axis_zero_and_keepdims():
    x = leaf(np.random.default_rng(36).permutation(24).reshape(2, 3, 4) / 8.0)
    assert autograd.gradcheck(lambda t: t.max(axis=0), [x])
    assert autograd.gradcheck(lambda t: t.max(axis=(1, 2), keepdims=True), [x])


def test_max_backward_ties_share_the_gradient():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    x.max(axis=1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], (
        "a tie between two maxima: each winner gets half of the gradient, the others 0; "
        f"got {x.grad.tolist()}")


# --- shapes and indexing --------------------------------------------------------------------

def test_reshape_backward_flatten_and_back():
    x = random_leaf((2, 3, 4), 37)
    assert autograd.gradcheck(lambda t: t.reshape(-1), [x])
    assert autograd.gradcheck(lambda t: t.reshape(3, 8).reshape(4, 6), [x])


def test_transpose_backward_every_permutation():
    x = random_leaf((2, 3, 4), 38)
    for axes in [(0, 2, 1), (1, 0, 2), (2, 0, 1), (1, 2, 0), None]:
        fn = (lambda t: t.transpose()) if axes is None else (lambda t, a=axes: t.transpose(a))
        assert autograd.gradcheck(fn, [x]), f"transpose{axes}"


def test_getitem_backward_repeated_indices():
    x = leaf([1.0, 2.0, 3.0])
    (x[[0, 0, 2, 0]] * autograd.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert x.grad.tolist() == [1011.0, 0.0, 100.0], (
        "an element picked several times gets the sum of all its gradients (repeated indices "
        f"scatter-add): expected [1011, 0, 100], got {x.grad.tolist()}")


def test_getitem_backward_masks_and_slices():
    x = random_leaf((4, 5), 39)
    mask = np.random.default_rng(40).random((4, 5)) > 0.5
    assert autograd.gradcheck(lambda t: t[mask], [x])
    assert autograd.gradcheck(lambda t: t[:, 1::2], [x])
    assert autograd.gradcheck(lambda t: t[2], [x])


# --- matmul ---------------------------------------------------------------------------------

def test_matmul_backward_square():
    a, b = random_leaf((3, 3), 41), random_leaf((3, 3), 42)
    assert autograd.gradcheck(lambda p, q: p @ q, [a, b])


def test_matmul_backward_batched_and_broadcast():
    a, b = random_leaf((2, 3, 4), 43), random_leaf((4, 5), 44)
    assert autograd.gradcheck(lambda p, q: p @ q, [a, b])


def test_matmul_backward_vectors():
    m, v = random_leaf((3, 4), 45), random_leaf((4,), 46)
    assert autograd.gradcheck(lambda p, q: p @ q, [m, v])
    assert autograd.gradcheck(lambda p, q: q @ p, [random_leaf((4, 3), 47), v])
    assert autograd.gradcheck(lambda p, q: p @ q, [v, random_leaf((4,), 48)])
