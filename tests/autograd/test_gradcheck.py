"""gradcheck itself: it passes correct ops, and a deliberately wrong custom
Function makes it fail with a message a student can act on. Also the errors a
custom Function meets when it breaks the op contract."""

import re

import numpy as np
import pytest
from strategies import LAYOUTS, leaf, with_layout

import autograd
from autograd import Function, GradcheckError

pytestmark = pytest.mark.ops


def f64(values, name=None):
    return autograd.tensor(values, dtype="float64", requires_grad=True, name=name)


# ------------------------------------------------------------------ deliberately wrong ops


# These two return one number, sum(x^2), so the gradient's error is largest where
# |x| is largest, whatever random direction gradcheck picks for the output.


class SumOfSquaresMissingTwo(Function):
    """sum(x^2) whose backward forgot the 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sum(x * x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


class SumOfSquaresWrongSign(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sum(x * x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -2 * grad * x


class ScaleWithoutGradient(Function):
    """3 x whose backward returns None: 'no gradient' although there is one."""

    @staticmethod
    def forward(ctx, x):
        return 3 * x

    @staticmethod
    def backward(ctx, grad):
        return None


class ReverseNotReversedBack(Function):
    """x[::-1] whose backward forgets to reverse the gradient. Summing the output
    cannot see this (all ones reversed are all ones); a random direction can."""

    @staticmethod
    def forward(ctx, x):
        return x[::-1].copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ScaleSecondInputWrong(Function):
    """a * b whose gradient for b is wrong by a factor 3."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, 3 * grad * a


def failure_message(fn, inputs, **kwargs):
    with pytest.raises(GradcheckError) as info:
        autograd.gradcheck(fn, inputs, **kwargs)
    return str(info.value)


def reported_numbers(message):
    """(analytic, numeric, relative error) as printed on the 'worst element' line."""
    number = r"(-?[\d.]+(?:e[-+]?\d+)?)"
    match = re.search(
        rf"analytic {number}, numeric {number}, relative error {number}", message
    )
    assert match, message
    return tuple(float(g) for g in match.groups())


# ------------------------------------------------------------------ passing


def test_gradcheck_returns_true_for_correct_ops():
    x = f64([0.5, -1.0, 2.0])
    w = f64([[1.0, 2.0, 3.0], [0.5, -0.5, 1.5]])
    assert autograd.gradcheck(lambda x, w: (w @ x.tanh()).sigmoid() * x.sum(), [x, w])


def test_gradcheck_accepts_several_outputs_and_plain_arguments():
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    assert autograd.gradcheck(lambda x, k: [x * k, x.exp().sum(axis=1)], [x, 2.5])


def test_gradcheck_accepts_non_contiguous_inputs():
    x = leaf(np.arange(6.0).reshape(2, 3) / 7, "transposed")
    assert not x.numpy().flags.c_contiguous
    assert autograd.gradcheck(lambda x: (x * x).sum(axis=0), [x])


def test_gradcheck_accepts_inputs_made_by_ops_and_leaves_their_sources_alone():
    values = np.arange(6.0).reshape(2, 3) / 5
    x = f64(values)
    for view in (x.T, x[:, ::2]):  # non-leaf, non-contiguous inputs
        assert autograd.gradcheck(lambda t: t * t.sin(), [view])
    assert x.grad is None  # nothing flowed into the tensor behind the views
    np.testing.assert_array_equal(x.numpy(), values)


def test_gradcheck_restores_the_inputs_and_never_touches_their_grad():
    values = np.array([0.3, -0.7, 1.1])
    x = f64(values)
    autograd.gradcheck(lambda x: x.sin(), [x])
    np.testing.assert_array_equal(x.numpy(), values)
    assert x.grad is None
    # a gradient the caller already has survives the check unchanged
    x.grad = autograd.tensor([1.0, 2.0, 3.0], dtype="float64")
    autograd.gradcheck(lambda x: x.sin(), [x])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 3.0])


# ------------------------------------------------------------------ isolation
# gradcheck of fn must run fn's ops and nothing else: a student whose Mul and Sum
# are still wrong must get full marks for a correct tanh.


def _broken_backward(ctx, grad):
    # wrong for every input, and by more than any tolerance
    return tuple(np.full(np.shape(x), 7.0) if need else None
                 for x, need in zip(ctx.inputs, ctx.needs_input_grad))


@pytest.fixture
def broken_mul_and_sum(monkeypatch):
    """Break the backward of the built-in Mul and Sum for one test. The classes are
    found from the graph, so this does not depend on which file defines them."""
    probe = f64([1.0, 2.0])
    mul_op = (probe * probe).grad_fn.fn
    sum_op = probe.sum().grad_fn.fn
    assert (mul_op.__name__, sum_op.__name__) == ("Mul", "Sum")
    monkeypatch.setattr(mul_op, "backward", staticmethod(_broken_backward))
    monkeypatch.setattr(sum_op, "backward", staticmethod(_broken_backward))


def test_broken_mul_and_sum_do_not_fail_a_check_of_tanh_or_exp(broken_mul_and_sum):
    x = f64([0.3, -1.2, 0.8])
    assert autograd.gradcheck(lambda t: t.tanh(), [x])
    assert autograd.gradcheck(lambda t: t.exp(), [x])
    assert autograd.gradcheck(lambda t: [t.tanh(), t.exp()], [x])  # several outputs too


def test_broken_mul_still_fails_a_check_of_x_times_x(broken_mul_and_sum):
    with pytest.raises(GradcheckError, match="input 0"):
        autograd.gradcheck(lambda t: t * t, [f64([0.3, -1.2, 0.8])])
    with pytest.raises(GradcheckError):
        autograd.gradcheck(lambda t: t.sum(), [f64([0.3, -1.2, 0.8])])


def test_gradcheck_of_float32_works_when_allowed_with_a_larger_step():
    x = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)  # float32
    assert autograd.gradcheck(lambda x: x.tanh(), [x], allow_float32=True, eps=1e-3,
                              atol=1e-3, rtol=1e-2)


# ------------------------------------------------------------------ failing


def test_missing_factor_is_reported_with_input_worst_element_values_and_hint():
    x = f64([0.5, -3.0, 1.0])  # the largest |x| gives the largest error
    message = failure_message(SumOfSquaresMissingTwo.apply, [x])
    assert "input 0" in message and "shape (3,)" in message
    assert "3 of 3 gradient elements disagree" in message
    assert "worst element (1,)" in message
    analytic, numeric, relative = reported_numbers(message)
    assert analytic / numeric == pytest.approx(0.5, rel=1e-4)
    assert relative == pytest.approx(0.5, rel=1e-4)
    assert "hint: analytic = 0.5 x numeric everywhere" in message
    assert "constant factor" in message


def test_wrong_sign_is_reported_as_a_wrong_sign():
    x = f64([0.5, -3.0, 1.0])
    message = failure_message(SumOfSquaresWrongSign.apply, [x])
    assert "worst element (1,)" in message
    analytic, numeric, relative = reported_numbers(message)
    assert analytic == pytest.approx(-numeric, rel=1e-4)
    assert relative == pytest.approx(2.0, rel=1e-4)
    assert "hint: the analytic gradient has the wrong sign" in message


def test_missing_gradient_is_reported_as_zeros():
    message = failure_message(ScaleWithoutGradient.apply, [f64([1.0, 2.0])])
    assert "hint: backward returned zeros (or None)" in message


def test_mixed_up_outputs_are_caught_by_the_random_direction():
    x = f64([1.0, 2.0, 3.0, 4.0])
    # the sum of the output cannot tell...
    y = ReverseNotReversedBack.apply(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(4))
    # ...gradcheck can
    message = failure_message(ReverseNotReversedBack.apply, [x])
    assert "hint:" in message


def test_failure_names_the_failing_input_by_position_and_name():
    a = f64([1.0, 2.0], name="a")
    b = f64([3.0, -4.0], name="weights")
    message = failure_message(ScaleSecondInputWrong.apply, [a, b])
    assert "input 1 ('weights'), shape (2,)" in message
    assert "analytic = 3 x numeric everywhere" in message


def test_gradcheck_refuses_float32_unless_allowed():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)  # float32
    message = failure_message(lambda x: x * x, [x])
    assert "input 0 is float32" in message
    assert "float64" in message and "allow_float32=True" in message


def test_gradcheck_needs_an_input_that_requires_grad():
    message = failure_message(lambda x: x * 2, [autograd.tensor([1.0], dtype="float64")])
    assert "none of the inputs requires grad" in message


def test_gradcheck_needs_the_function_to_return_tensors():
    message = failure_message(lambda x: 3.0, [f64([1.0])])
    assert "must return a Tensor" in message and "float" in message


def test_gradcheck_error_is_an_assertion_error():
    # so that pytest shows it as a failed check rather than a crash
    assert issubclass(GradcheckError, AssertionError)


# ------------------------------------------------------------------ the test helpers' layouts


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if name != "contiguous"])
def test_layouts_give_equal_values_in_non_contiguous_memory(layout):
    values = np.arange(12.0).reshape(3, 4)
    array = with_layout(values, layout)
    np.testing.assert_array_equal(array, values)
    assert not array.flags.c_contiguous
    assert array.flags.writeable


# ------------------------------------------------------------------ the op contract


class TwoGradientsForOneInput(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, grad


class ImpossibleGradientShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, grad):
        return np.ones(5)  # the input has shape (2, 3)


def test_backward_returning_the_wrong_number_of_gradients_names_the_op():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError) as info:
        TwoGradientsForOneInput.apply(x).sum().backward()
    message = str(info.value)
    assert "TwoGradientsForOneInput.backward returned 2 gradient(s)" in message
    assert "forward took 1 input(s)" in message
    assert "None for inputs that have no gradient" in message  # the hint


def test_backward_returning_an_impossible_shape_names_the_op_and_both_shapes():
    x = f64(np.zeros((2, 3)))
    with pytest.raises(RuntimeError) as info:
        ImpossibleGradientShape.apply(x).backward()
    message = str(info.value)
    assert "ImpossibleGradientShape.backward" in message
    assert "(5,)" in message and "input 0 of shape (2, 3)" in message


def test_backward_on_a_non_scalar_without_a_gradient_explains_the_fix():
    y = f64(np.ones((2, 3))) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "scalar" in message and "(2, 3)" in message
    assert "out.sum()" in message and "grad=" in message
