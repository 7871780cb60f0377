"""Elementwise ops: arithmetic (with tensors or scalars on either side),
math functions, activations, selection (maximum, minimum, clip, where), astype
and comparisons."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    OP_SETTINGS,
    Constant,
    OpCase,
    arrays,
    away_from_zero,
    bool_masks,
    broadcast_shapes,
    case_ids,
    check_float32,
    check_gradient,
    check_value,
    off_grid,
    positive,
    shapes,
    uniform,
)

import autograd

pytestmark = pytest.mark.ops


# ------------------------------------------------------------------ argument strategies


@st.composite
def one(draw, domain=None):
    """One array of any shape (0-d, size-1 axes included)."""
    return [draw(arrays(draw(shapes()), domain))]


@st.composite
def two(draw, left=None, right=None):
    """Two arrays whose shapes broadcast together."""
    sa, sb = draw(broadcast_shapes(2))
    return [draw(arrays(sa, left)), draw(arrays(sb, right))]


@st.composite
def tensor_and_ndarray(draw):
    """An array for a tensor, and a plain ndarray that broadcasts with it."""
    a, b = draw(two())
    return [a, Constant(b)]


@st.composite
def three_for_where(draw):
    sc, sa, sb = draw(broadcast_shapes(3))
    return [draw(bool_masks(sc)), draw(arrays(sa)), draw(arrays(sb))]


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


def erf_np(x):
    return np.vectorize(math.erf)(x)


def gelu_tanh_np(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


# ------------------------------------------------------------------ the cases

NZ = away_from_zero(0.5, 2.0)  # divisors
POS = positive()
LOW, HIGH = off_grid(0.01, 0.04), off_grid(0.06, 0.09)  # never tie with each other

GRADCHECK_CASES = [
    # arithmetic: function form, operator form, scalar on the right, scalar on the left
    OpCase("add", "function", autograd.add, two(), np.add),
    OpCase("add", "tensor + tensor", lambda a, b: a + b, two(), np.add),
    OpCase("add", "tensor + scalar", lambda a: a + 1.5, one(), lambda a: a + 1.5),
    OpCase("add", "scalar + tensor", lambda a: 1.5 + a, one(), lambda a: 1.5 + a),
    OpCase("add", "ndarray + tensor", lambda a, c: c + a, tensor_and_ndarray(), np.add),
    OpCase("sub", "function", autograd.sub, two(), np.subtract),
    OpCase("sub", "tensor - tensor", lambda a, b: a - b, two(), np.subtract),
    OpCase("sub", "tensor - scalar", lambda a: a - 0.7, one(), lambda a: a - 0.7),
    OpCase("sub", "scalar - tensor", lambda a: 0.7 - a, one(), lambda a: 0.7 - a),
    OpCase("mul", "function", autograd.mul, two(), np.multiply),
    OpCase("mul", "tensor * tensor", lambda a, b: a * b, two(), np.multiply),
    OpCase("mul", "tensor * scalar", lambda a: a * -1.3, one(), lambda a: a * -1.3),
    OpCase("mul", "scalar * tensor", lambda a: -1.3 * a, one(), lambda a: -1.3 * a),
    OpCase("mul", "ndarray * tensor", lambda a, c: c * a, tensor_and_ndarray(),
           np.multiply),
    OpCase("mul", "same tensor twice", lambda a: a * a, one(), lambda a: a * a),
    OpCase("div", "function", autograd.div, two(right=NZ), np.divide),
    OpCase("div", "tensor / tensor", lambda a, b: a / b, two(right=NZ), np.divide),
    OpCase("div", "tensor / scalar", lambda a: a / 1.7, one(), lambda a: a / 1.7),
    OpCase("div", "scalar / tensor", lambda b: 1.7 / b, one(NZ), lambda b: 1.7 / b),
    OpCase("pow", "function", autograd.pow, two(left=POS), np.power),
    OpCase("pow", "tensor ** tensor", lambda a, b: a**b, two(left=POS), np.power),
    OpCase("pow", "tensor ** 2", lambda a: a**2, one(), lambda a: a**2),
    OpCase("pow", "negative base ** 3", lambda a: a**3, one(), lambda a: a**3),
    OpCase("pow", "tensor ** -1.5", lambda a: a**-1.5, one(POS), lambda a: a**-1.5),
    OpCase("pow", "scalar ** tensor", lambda b: 2.0**b, one(), lambda b: 2.0**b),
    OpCase("neg", "function", autograd.neg, one(), np.negative),
    OpCase("neg", "unary minus", lambda a: -a, one(), np.negative),
    OpCase("abs", "function", autograd.abs, one(away_from_zero()), np.abs),
    OpCase("abs", "builtin abs()", lambda a: abs(a), one(away_from_zero()), np.abs),
    # math functions
    OpCase("exp", "", autograd.exp, one(), np.exp),
    OpCase("log", "", autograd.log, one(POS), np.log),
    OpCase("sqrt", "", autograd.sqrt, one(POS), np.sqrt),
    OpCase("square", "", autograd.square, one(), np.square),
    OpCase("sin", "", autograd.sin, one(uniform(-4, 4)), np.sin),
    OpCase("cos", "", autograd.cos, one(uniform(-4, 4)), np.cos),
    # activations
    OpCase("tanh", "", autograd.tanh, one(uniform(-3, 3)), np.tanh),
    OpCase("sigmoid", "", autograd.sigmoid, one(uniform(-5, 5)), sigmoid_np),
    OpCase("relu", "", autograd.relu, one(away_from_zero()), lambda a: np.maximum(a, 0)),
    OpCase("leaky_relu", "default slope", autograd.leaky_relu, one(away_from_zero()),
           lambda a: np.where(a > 0, a, 0.01 * a)),
    OpCase("leaky_relu", "slope 0.2", lambda a: autograd.leaky_relu(a, 0.2),
           one(away_from_zero()), lambda a: np.where(a > 0, a, 0.2 * a)),
    OpCase("elu", "alpha 1", autograd.elu, one(away_from_zero()),
           lambda a: np.where(a > 0, a, np.exp(a) - 1)),
    OpCase("elu", "alpha 0.5", lambda a: autograd.elu(a, alpha=0.5), one(away_from_zero()),
           lambda a: np.where(a > 0, a, 0.5 * (np.exp(a) - 1))),
    OpCase("softplus", "", autograd.softplus, one(uniform(-5, 5)),
           lambda a: np.log(1 + np.exp(a))),
    OpCase("gelu", "exact", autograd.gelu, one(uniform(-3, 3)),
           lambda a: 0.5 * a * (1 + erf_np(a / np.sqrt(2)))),
    OpCase("gelu", "approximate", lambda a: autograd.gelu(a, approximate=True),
           one(uniform(-3, 3)), gelu_tanh_np),
    # selection: no ties and nothing on a clip bound (those are tested by hand below)
    OpCase("maximum", "tensors", autograd.maximum, two(LOW, HIGH), np.maximum),
    OpCase("maximum", "tensor and scalar", lambda a: autograd.maximum(a, 0.3), one(LOW),
           lambda a: np.maximum(a, 0.3)),
    OpCase("minimum", "tensors", autograd.minimum, two(LOW, HIGH), np.minimum),
    OpCase("minimum", "scalar and tensor", lambda a: autograd.minimum(0.3, a), one(LOW),
           lambda a: np.minimum(0.3, a)),
    OpCase("clip", "both bounds", lambda a: autograd.clip(a, -0.5, 0.8), one(LOW),
           lambda a: np.clip(a, -0.5, 0.8)),
    OpCase("clip", "min only", lambda a: autograd.clip(a, min=-0.5), one(LOW),
           lambda a: np.maximum(a, -0.5)),
    OpCase("clip", "max only", lambda a: autograd.clip(a, max=0.8), one(LOW),
           lambda a: np.minimum(a, 0.8)),
    OpCase("where", "tensors", autograd.where, three_for_where(), np.where),
    OpCase("where", "scalar branch", lambda c, a: autograd.where(c, a, 0.25),
           three_for_where().map(lambda args: args[:2]), lambda c, a: np.where(c, a, 0.25)),
    # astype to float32 and back: float32 rounding needs a larger finite-difference step
    OpCase("astype", "float64 -> float32", lambda a: autograd.astype(a, "float32") * 2.0,
           one(), lambda a: (a.astype(np.float32) * 2.0),
           gradcheck_kwargs=dict(eps=1e-3, atol=1e-4, rtol=1e-3)),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    check_gradient(case, data)


VALUE_CASES = [c for c in GRADCHECK_CASES if c.op != "astype"]


@pytest.mark.parametrize("case", VALUE_CASES, ids=case_ids(VALUE_CASES))
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


def test_sigmoid_at_zero_is_half_with_slope_one_quarter():
    x = autograd.tensor(0.0, requires_grad=True)
    y = autograd.sigmoid(x)
    y.backward()
    assert y.item() == 0.5
    assert x.grad.item() == 0.25


def test_sigmoid_of_large_logits_is_finite_and_saturates():
    x = autograd.tensor([-1000.0, 1000.0], requires_grad=True)  # float32
    y = autograd.sigmoid(x)
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [0.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_abs_and_relu_have_zero_gradient_at_zero():
    x = autograd.tensor([0.0, 0.0], requires_grad=True)
    (autograd.abs(x[0:1]).sum() + autograd.relu(x[1:2]).sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_maximum_and_minimum_split_the_gradient_of_a_tie():
    a = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd.tensor([1.0, 5.0, 0.0], requires_grad=True)
    autograd.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    autograd.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0, 1.0])


def test_clip_passes_the_gradient_inside_and_at_the_bounds_only():
    x = autograd.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    y = autograd.clip(x, 0.0, 1.0)
    (y * autograd.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.0, 0.5, 1.0, 1.0])
    # values at a bound are kept (not clipped), as in PyTorch's clamp
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 3.0, 4.0, 0.0])


def test_clip_without_bounds_is_an_error():
    with pytest.raises(ValueError, match="at least one bound"):
        autograd.clip(autograd.tensor([1.0]))


def test_where_sends_the_gradient_to_the_chosen_branch():
    a = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd.tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = autograd.where(a > 1.5, a, b)
    (y * autograd.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(y.numpy(), [10.0, 2.0, 3.0])
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 2.0, 3.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 0.0, 0.0])


def test_pow_gradient_for_the_exponent_uses_log_of_the_base():
    # d(a^b)/db = a^b ln a; at a = e, b = 2: e^2
    a = autograd.tensor(np.e, dtype="float64", requires_grad=True)
    b = autograd.tensor(2.0, dtype="float64", requires_grad=True)
    (a**b).backward()
    assert b.grad.item() == pytest.approx(np.e**2)
    assert a.grad.item() == pytest.approx(2 * np.e)


def test_unary_plus_returns_the_tensor_itself():
    x = autograd.tensor([1.0], requires_grad=True)
    assert (+x) is x


@pytest.mark.parametrize("source, target", [("float64", "float32"), ("float32", "float64")])
def test_astype_between_floats_keeps_the_graph(source, target):
    x = autograd.tensor([1.5, -2.0], dtype=source, requires_grad=True)
    y = x.astype(target)
    assert y.dtype == np.dtype(target)
    assert y.requires_grad and y.grad_fn is not None
    (y * autograd.tensor([3.0, 4.0], dtype=target)).sum().backward()
    assert x.grad.dtype == np.dtype(source)
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_astype_to_the_same_dtype_is_the_tensor_itself():
    x = autograd.tensor([1.0], requires_grad=True)
    assert x.astype("float32") is x


def test_astype_to_an_integer_dtype_leaves_the_graph():
    x = autograd.tensor([1.7, -2.2], requires_grad=True)
    y = autograd.astype(x, "int64")
    assert y.dtype == np.int64 and not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.numpy(), [1, -2])


# ------------------------------------------------------------------ comparisons

COMPARISONS = [
    ("equal", np.equal, lambda a, b: a == b),
    ("not_equal", np.not_equal, lambda a, b: a != b),
    ("less", np.less, lambda a, b: a < b),
    ("less_equal", np.less_equal, lambda a, b: a <= b),
    ("greater", np.greater, lambda a, b: a > b),
    ("greater_equal", np.greater_equal, lambda a, b: a >= b),
]


@pytest.mark.parametrize("name, ufunc, operator", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons_return_bool_tensors_outside_the_graph(name, ufunc, operator):
    a_np = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b_np = np.array([2.0, 2.0, 2.0])  # broadcast against a; includes ties
    a = autograd.tensor(a_np, requires_grad=True)
    b = autograd.tensor(b_np, requires_grad=True)
    for result in (getattr(autograd, name)(a, b), operator(a, b), operator(a, 2.0)):
        assert isinstance(result, autograd.Tensor)
        assert result.dtype == np.bool_
        assert not result.requires_grad and result.grad_fn is None
        np.testing.assert_array_equal(result.numpy(), ufunc(a_np, b_np))


def test_comparing_with_none_is_not_elementwise():
    x = autograd.tensor([1.0])
    assert (x == None) is False  # noqa: E711 - the behaviour under test
    assert (x != None) is True  # noqa: E711


# -------------------- PyTorch, live (pytest -m reference)


@pytest.mark.reference
@pytest.mark.parametrize(
    "name, ours, theirs",
    [
        ("gelu exact", lambda t: autograd.gelu(t), lambda t, F: F.gelu(t)),
        ("gelu tanh", lambda t: autograd.gelu(t, approximate=True),
         lambda t, F: F.gelu(t, approximate="tanh")),
        ("elu", lambda t: autograd.elu(t, alpha=0.7), lambda t, F: F.elu(t, alpha=0.7)),
        ("softplus", autograd.softplus, lambda t, F: F.softplus(t)),
        ("leaky_relu", lambda t: autograd.leaky_relu(t, 0.1),
         lambda t, F: F.leaky_relu(t, 0.1)),
        ("clip at bounds", lambda t: autograd.clip(t, -1.0, 1.0),
         lambda t, F: t.clamp(-1.0, 1.0)),
        ("abs at 0", autograd.abs, lambda t, F: t.abs()),
        ("relu at 0", autograd.relu, lambda t, F: F.relu(t)),
    ],
)
def test_activation_values_and_gradients_match_torch(name, ours, theirs):
    torch = pytest.importorskip("torch")
    values = np.array([-3.0, -1.0, -0.3, 0.0, 0.4, 1.0, 2.5])
    upstream = np.linspace(0.5, 2.0, values.size)
    x = autograd.tensor(values, requires_grad=True)
    y = ours(x)
    (y * autograd.tensor(upstream)).sum().backward()
    xt = torch.tensor(values, requires_grad=True)
    yt = theirs(xt, torch.nn.functional)
    (yt * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-14)
