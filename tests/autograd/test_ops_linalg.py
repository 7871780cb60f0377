"""Matrix multiplication with NumPy's rules: matrices, batches with broadcast
batch axes, vector . matrix, matrix . vector and vector . vector."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    MAX_SIDE,
    OP_SETTINGS,
    Constant,
    OpCase,
    arrays,
    broadcast_shapes,
    case_ids,
    check_float32,
    check_gradient,
    check_value,
)

import autograd

pytestmark = pytest.mark.ops

side = st.integers(1, MAX_SIDE)


@st.composite
def matmul_args(draw, left_vector=False, right_vector=False, batched=False):
    n, k, m = draw(side), draw(side), draw(side)
    batch_a, batch_b = draw(broadcast_shapes(2, max_dims=2)) if batched else ((), ())
    sa = (k,) if left_vector else batch_a + (n, k)
    sb = (k,) if right_vector else batch_b + (k, m)
    return [draw(arrays(sa)), draw(arrays(sb))]


@st.composite
def linear_args(draw, with_bias=True):
    k, m = draw(side), draw(side)
    lead = draw(st.lists(side, min_size=0, max_size=2).map(tuple))  # (..., in)
    args = [draw(arrays(lead + (k,))), draw(arrays((k, m)))]
    return args + [draw(arrays((m,)))] if with_bias else args + [None]


def linear_reference(x, w, b=None):
    return x @ w + (0 if b is None else b)


GRADCHECK_CASES = [
    OpCase("matmul", "matrix @ matrix", autograd.matmul, matmul_args(), np.matmul),
    OpCase("matmul", "broadcast batches", autograd.matmul, matmul_args(batched=True),
           np.matmul),
    OpCase("matmul", "vector @ batched matrix", autograd.matmul,
           matmul_args(left_vector=True, batched=True), np.matmul),
    OpCase("matmul", "batched matrix @ vector", autograd.matmul,
           matmul_args(right_vector=True, batched=True), np.matmul),
    OpCase("matmul", "vector @ vector", autograd.matmul,
           matmul_args(left_vector=True, right_vector=True), np.matmul),
    OpCase("matmul", "@ operator", lambda a, b: a @ b, matmul_args(batched=True), np.matmul),
    OpCase("matmul", "method", lambda a, b: a.matmul(b), matmul_args(), np.matmul),
    OpCase("matmul", "ndarray @ tensor", lambda a, b: a @ b,
           matmul_args(batched=True).map(lambda ab: [Constant(ab[0]), ab[1]]), np.matmul),
    OpCase("linear", "x @ w + b", autograd.linear, linear_args(), linear_reference),
    OpCase("linear", "without bias", autograd.linear, linear_args(with_bias=False),
           linear_reference),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    check_gradient(case, data)


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_value_matches_numpy(case, data):
    check_value(case, data)


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_float32_agrees_with_float64(case, data):
    check_float32(case, data)


# ------------------------------------------------------------------ by hand


def test_matrix_gradients_are_the_textbook_formulas():
    # C = A B with upstream G: dA = G B^T, dB = A^T G
    a_np = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b_np = np.array([[1.0, -1.0], [0.0, 2.0], [3.0, 1.0]])
    g_np = np.array([[1.0, 0.0], [2.0, -1.0]])
    a = autograd.tensor(a_np, requires_grad=True)
    b = autograd.tensor(b_np, requires_grad=True)
    (a @ b).backward(g_np)
    np.testing.assert_array_equal(a.grad.numpy(), g_np @ b_np.T)
    np.testing.assert_array_equal(b.grad.numpy(), a_np.T @ g_np)


def test_vector_dot_vector_is_a_scalar_with_swapped_gradients():
    a = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd.tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = a @ b
    assert y.shape == ()
    assert y.item() == 32.0
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 3.0])


def test_a_shared_weight_gets_the_sum_over_the_batch():
    x = autograd.tensor(np.ones((5, 2, 3)), requires_grad=True)
    w = autograd.tensor(np.ones((3, 4)), requires_grad=True)
    (x @ w).sum().backward()
    # every weight multiplied one input in each of 5 * 2 rows
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 4), 10.0))
    np.testing.assert_array_equal(x.grad.numpy(), np.full((5, 2, 3), 4.0))


# ------------------------------------------------------------------ errors


def test_matmul_shape_mismatch_names_the_op_both_shapes_and_the_fix():
    with pytest.raises(ValueError) as info:
        autograd.zeros(2, 3) @ autograd.zeros(4, 5)
    message = str(info.value)
    assert "matmul" in message
    assert "(2, 3)" in message and "(4, 5)" in message
    assert "3" in message and "4" in message
    assert "transpose" in message  # the hint


def test_matmul_vector_mismatch_names_the_only_axis():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(2,\).*only axis"):
        autograd.zeros(2, 3) @ autograd.zeros(2)


def test_matmul_of_a_scalar_points_to_multiplication():
    with pytest.raises(ValueError, match=r"at least one dimension.*Use \*"):
        autograd.matmul(autograd.tensor(2.0), autograd.zeros(2))


# -------------------- PyTorch, live (pytest -m reference)


@pytest.mark.reference
@pytest.mark.parametrize(
    "sa, sb", [((2, 1, 3, 4), (5, 4, 2)), ((4,), (3, 4, 2)), ((3, 2, 4), (4,)), ((4,), (4,))]
)
def test_matmul_values_and_gradients_match_torch(sa, sb):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a = autograd.tensor(a_np, requires_grad=True)
    b = autograd.tensor(b_np, requires_grad=True)
    y = a @ b
    upstream = rng.standard_normal(y.shape)
    y.backward(upstream)
    at = torch.tensor(a_np, requires_grad=True)
    bt = torch.tensor(b_np, requires_grad=True)
    yt = at @ bt
    yt.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_linear_is_matmul_plus_bias_by_hand():
    x = autograd.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    w = autograd.tensor(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]]), requires_grad=True)
    b = autograd.tensor(np.array([0.5, -0.5, 1.0]), requires_grad=True)
    y = autograd.linear(x, w, b)
    np.testing.assert_allclose(y.numpy(), [[5.5, 1.5, 1.0], [11.5, 3.5, 0.0]])
    y.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0, 2.0])  # one per row
    np.testing.assert_allclose(w.grad.numpy(), [[4.0, 4.0, 4.0], [6.0, 6.0, 6.0]])
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 3.5], [0.0, 3.5]])


def test_linear_explains_a_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\).*shape \(2,\)"):
        autograd.linear(autograd.ones(4, 2), autograd.ones(2, 3), autograd.ones(2))
