"""Reductions: sum, mean, var, std, max, min, prod, logsumexp (axis None, int,
negative, tuple; keepdims both ways), and argmax/argmin, which have no gradient."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    OP_SETTINGS,
    OpCase,
    arrays,
    away_from_zero,
    case_ids,
    check_float32,
    check_gradient,
    check_value,
    distinct,
    reduction_axes,
    shapes,
    uniform,
)

import autograd

pytestmark = pytest.mark.ops


@st.composite
def reduce_args(draw, domain=None, min_side=1):
    """[values, axis, keepdims] for a reduction."""
    shape = draw(shapes(min_dims=1 if min_side > 1 else 0, min_side=min_side))
    return [draw(arrays(shape, domain)), draw(reduction_axes(len(shape))), draw(st.booleans())]


def with_some_zeros(rng, shape):
    """Values in ±[0.5, 1.5] with about a third of them exactly 0 (often several
    in one reduction group): where dividing the product by an element fails."""
    values = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return np.where(rng.random(shape) < 0.35, 0.0, values)


def logsumexp_np(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def reduction(op, **extra):
    """autograd.<op>(x, axis=axis, keepdims=keepdims, **extra)"""
    fn = getattr(autograd, op)
    return lambda x, axis, keepdims: fn(x, axis=axis, keepdims=keepdims, **extra)


def numpy_reduction(np_fn, **extra):
    return lambda x, axis, keepdims: np_fn(x, axis=axis, keepdims=keepdims, **extra)


GRADCHECK_CASES = [
    OpCase("sum", "", reduction("sum"), reduce_args(), numpy_reduction(np.sum)),
    OpCase("mean", "", reduction("mean"), reduce_args(), numpy_reduction(np.mean)),
    OpCase("var", "ddof 0", reduction("var"), reduce_args(), numpy_reduction(np.var)),
    # ddof=1 and std need two or more elements per group (std'(0) is infinite)
    OpCase("var", "ddof 1", reduction("var", ddof=1), reduce_args(min_side=2),
           numpy_reduction(np.var, ddof=1)),
    OpCase("std", "ddof 0", reduction("std"), reduce_args(min_side=2),
           numpy_reduction(np.std)),
    OpCase("std", "ddof 1", reduction("std", ddof=1), reduce_args(min_side=2),
           numpy_reduction(np.std, ddof=1)),
    # no ties here (ties are tested by hand below)
    OpCase("max", "", reduction("max"), reduce_args(distinct()), numpy_reduction(np.max)),
    OpCase("min", "", reduction("min"), reduce_args(distinct()), numpy_reduction(np.min)),
    OpCase("prod", "no zeros", reduction("prod"), reduce_args(away_from_zero(0.5, 1.5)),
           numpy_reduction(np.prod)),
    OpCase("prod", "with zeros", reduction("prod"), reduce_args(with_some_zeros),
           numpy_reduction(np.prod)),
    OpCase("logsumexp", "", reduction("logsumexp"), reduce_args(uniform(-3, 3)),
           logsumexp_np),
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


# ------------------------------------------------------------------ ties in max / min


def grad_of(fn, values, **kwargs):
    x = autograd.tensor(values, dtype="float64", requires_grad=True)
    fn(x, **kwargs).sum().backward()
    return x.grad.numpy()


def test_max_shares_the_gradient_equally_between_tied_winners():
    np.testing.assert_array_equal(grad_of(autograd.max, [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(grad_of(autograd.max, [[2.0, 2.0], [2.0, 2.0]]),
                                  [[0.25, 0.25], [0.25, 0.25]])


def test_max_over_an_axis_shares_ties_within_each_group():
    values = [[2.0, 2.0, 1.0], [0.0, 5.0, 4.0]]
    for keepdims in (False, True):
        np.testing.assert_array_equal(
            grad_of(autograd.max, values, axis=1, keepdims=keepdims),
            [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]],
        )
    np.testing.assert_array_equal(grad_of(autograd.max, values, axis=0),
                                  [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])


def test_min_shares_the_gradient_equally_between_tied_winners():
    np.testing.assert_array_equal(grad_of(autograd.min, [4.0, -1.0, 7.0, -1.0, -1.0]),
                                  [0.0, 1 / 3, 0.0, 1 / 3, 1 / 3])
    np.testing.assert_array_equal(grad_of(autograd.min, [[1.0, 1.0], [3.0, 0.0]], axis=-1),
                                  [[0.5, 0.5], [0.0, 1.0]])


# ------------------------------------------------------------------ prod with zeros


def test_prod_gradient_is_the_product_of_the_other_elements_with_one_zero():
    # d(x0 x1 x2)/dx0 = x1 x2 = 6 even though x0 = 0
    np.testing.assert_array_equal(grad_of(autograd.prod, [0.0, 2.0, 3.0]), [6.0, 0.0, 0.0])


def test_prod_gradient_is_zero_everywhere_with_two_zeros():
    np.testing.assert_array_equal(grad_of(autograd.prod, [0.0, 5.0, 0.0]), [0.0, 0.0, 0.0])


def test_prod_gradient_with_zeros_along_an_axis():
    values = [[0.0, 2.0], [3.0, 4.0]]
    np.testing.assert_array_equal(grad_of(autograd.prod, values, axis=1),
                                  [[2.0, 0.0], [4.0, 3.0]])
    np.testing.assert_array_equal(grad_of(autograd.prod, values, axis=0),
                                  [[3.0, 4.0], [0.0, 2.0]])


# ------------------------------------------------------------------ stability and values


@pytest.mark.parametrize("big", [1000.0, 1e5])
def test_logsumexp_of_huge_float32_values_is_finite_with_an_exact_gradient(big):
    x = autograd.tensor([big, big], requires_grad=True)  # float32
    y = autograd.logsumexp(x)
    y.backward()
    assert y.item() == pytest.approx(big + np.log(2), rel=1e-6)
    # the gradient is softmax: exactly one half each, however large the values
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.5], rtol=1e-6)


def test_mean_gradient_divides_by_the_number_of_reduced_elements():
    x = autograd.tensor(np.ones((2, 4)), requires_grad=True)
    autograd.mean(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 4), 0.25))


def test_var_of_a_known_sample():
    # values 1, 2, 3, 4: mean 2.5, squared deviations sum to 5
    x = autograd.tensor([1.0, 2.0, 3.0, 4.0], dtype="float64", requires_grad=True)
    assert autograd.var(x).item() == pytest.approx(5 / 4)
    assert autograd.var(x, ddof=1).item() == pytest.approx(5 / 3)
    assert autograd.std(x).item() == pytest.approx(np.sqrt(5 / 4))
    autograd.var(x).backward()
    # d var / dx_i = 2 (x_i - mean) / n
    np.testing.assert_allclose(x.grad.numpy(), [-0.75, -0.25, 0.25, 0.75])


# ------------------------------------------------------------------ argmax / argmin


@st.composite
def arg_args(draw):
    shape = draw(shapes(min_dims=1))
    seed = draw(st.integers(0, 2**32 - 1))
    # small integers as floats: plenty of ties (NumPy picks the first)
    values = np.random.default_rng(seed).integers(-2, 3, size=shape).astype(np.float64)
    ndim = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))
    return values, axis, draw(st.booleans())


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@OP_SETTINGS
@given(args=arg_args())
def test_argmax_argmin_match_numpy_and_have_no_gradient(name, args):
    values, axis, keepdims = args
    x = autograd.tensor(values, requires_grad=True)
    for result in (getattr(autograd, name)(x, axis=axis, keepdims=keepdims),
                   getattr(x, name)(axis=axis, keepdims=keepdims)):
        expected = getattr(np, name)(values, axis=axis, keepdims=keepdims)
        assert result.dtype.kind == "i"
        assert not result.requires_grad and result.grad_fn is None
        assert result.shape == np.shape(expected)
        np.testing.assert_array_equal(result.numpy(), expected)


# ------------------------------------------------------------------ errors


def test_sum_over_an_out_of_range_axis_names_the_op_the_axis_and_the_valid_range():
    x = autograd.zeros(2, 3)
    with pytest.raises(ValueError) as info:
        autograd.sum(x, axis=2)
    message = str(info.value)
    assert "sum" in message
    assert "axis 2" in message
    assert "2 dimension(s)" in message
    assert "[-2, 1]" in message


@pytest.mark.parametrize("op", ["mean", "var", "max", "min", "prod", "logsumexp"])
def test_every_reduction_rejects_an_out_of_range_axis_by_name(op):
    with pytest.raises(ValueError, match=rf"{op}: axis -4 is out of range"):
        getattr(autograd, op)(autograd.zeros(2, 3, 4), axis=-4)


def test_reducing_the_same_axis_twice_is_an_error():
    with pytest.raises(ValueError, match="same axis twice"):
        autograd.sum(autograd.zeros(2, 3), axis=(1, -1))


def test_max_of_an_empty_tensor_is_an_error():
    with pytest.raises(ValueError, match=r"max of an empty tensor \(shape \(0,\)\)"):
        autograd.max(autograd.zeros(0))


# -------------------- PyTorch, live (pytest -m reference)


@pytest.mark.reference
@pytest.mark.parametrize(
    "name, ours, theirs",
    [
        ("max ties", lambda x: autograd.max(x, axis=1), lambda t: t.amax(dim=1)),
        ("min ties", lambda x: autograd.min(x, axis=0), lambda t: t.amin(dim=0)),
        ("prod with zeros", lambda x: autograd.prod(x, axis=1), lambda t: t.prod(dim=1)),
        ("var ddof 1", lambda x: autograd.var(x, axis=0, ddof=1),
         lambda t: t.var(dim=0, correction=1)),
        ("std ddof 0", lambda x: autograd.std(x, axis=1), lambda t: t.std(dim=1, correction=0)),
        ("logsumexp", lambda x: autograd.logsumexp(x, axis=1),
         lambda t: t.logsumexp(dim=1)),
    ],
)
def test_reductions_match_torch_on_ties_and_zeros(name, ours, theirs):
    torch = pytest.importorskip("torch")
    values = np.array([[3.0, 3.0, 1.0, 0.0], [0.0, 2.0, 0.0, 5.0], [-1.0, 4.0, 2.0, 4.0]])
    x = autograd.tensor(values, requires_grad=True)
    y = ours(x)
    upstream = np.arange(1.0, y.size + 1).reshape(y.shape)
    (y * autograd.tensor(upstream)).sum().backward()
    xt = torch.tensor(values, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_std_of_equal_values_has_a_zero_gradient_like_pytorch():
    # sqrt'(0) is infinite, but every value equals the mean: PyTorch gives 0, not NaN
    x = autograd.tensor(np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]]), requires_grad=True)
    autograd.std(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0], [0.0, 0.0, 0.0])
    # the other row: (x - mean) / (n * std) = [-1, 0, 1] / (3 * sqrt(2/3))
    np.testing.assert_allclose(x.grad.numpy()[1], np.array([-1, 0, 1]) / (3 * np.sqrt(2 / 3)))


def test_logsumexp_of_an_empty_tensor_is_minus_infinity_like_pytorch():
    assert autograd.logsumexp(autograd.zeros(0)).item() == -np.inf
    x = autograd.tensor(np.zeros((2, 0)), requires_grad=True)
    y = autograd.logsumexp(x, axis=1)
    np.testing.assert_array_equal(y.numpy(), [-np.inf, -np.inf])
    y.sum().backward()
    assert x.grad.shape == (2, 0)
