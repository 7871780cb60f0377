"""gradcheck names the op to blame and the kind of mistake.

Every op here is wrong on purpose, in one way each; the expected fingerprint is
what that one mistake must produce, worked out by hand in each docstring."""

import itertools

import numpy as np
import pytest

import autograd
from autograd import Function, GradcheckError

pytestmark = pytest.mark.ops


def f64(values, name=None):
    return autograd.tensor(values, dtype="float64", requires_grad=True, name=name)


def failure(fn, inputs, **kwargs):
    with pytest.raises(GradcheckError) as info:
        autograd.gradcheck(fn, inputs, **kwargs)
    return info.value


@pytest.fixture(autouse=True)
def no_registered_mistakes():
    autograd.forget_mistakes()
    yield
    autograd.forget_mistakes()


# ------------------------------------------------------------------ the wrong ops


class BadTanh(Function):
    """tanh with d/dx = 1 + y^2 instead of 1 - y^2: no simple pattern, only blame."""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)


class SinWrongSign(Function):
    """sin with d/dx = -cos x: analytic = -numeric everywhere."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.cos(x)


class CubeMissingThree(Function):
    """x^3 with d/dx = x^2: analytic = numeric / 3, a factor 3 missing."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x ** 2


class CubeIgnoringGrad(Function):
    """x^3 whose backward returns the local derivative 3x^2 and forgets * grad."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2


class SumOfSquaresIgnoringGrad(Function):
    """sum(x^2) returning 2x without * grad. The output is one number, so the seed v
    is one number too and analytic = numeric / v everywhere: a 'constant factor' by
    the ratio alone, which is why a forgotten grad must be recognised first."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sum(x * x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x


class TransposeNotTransposedBack(Function):
    """x.T whose backward hands grad back untransposed: analytic = numeric^T on a
    square input, and a gradient of the transposed shape on any other."""

    @staticmethod
    def forward(ctx, x):
        return x.T.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ReluWithoutMask(Function):
    """relu whose backward passes grad everywhere: where x < 0 the output does not
    move, so the true gradient there is exactly 0."""

    @staticmethod
    def forward(ctx, x):
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        return grad


class LeakyReluMaskTooStrict(Function):
    """leaky relu (slope 0.1) whose backward drops the gradient where x < 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.where(x > 0, x, 0.1 * x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad, 0.0)


_calls = itertools.count()


class SquareWithState(Function):
    """x^2 whose backward adds how often it has run: stands in for a backward that
    reads uninitialised memory, which changes from call to call."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x + next(_calls)


class SquareMatMul(Function):
    """a @ b whose backward forgets both transposes: grad @ b and a @ grad (which
    only runs when the matrices are square)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a @ grad


def matmul_without_transpose(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b, a @ grad


def matmul_with_swapped_operands(ctx, grad):
    a, b = ctx.saved_tensors
    return b.T @ grad, grad @ a.T


class AddBiasUnsummed(Function):
    """x + b with b broadcast over the rows; backward returns grad for b unsummed."""

    @staticmethod
    def forward(ctx, x, b):
        return x + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad  # the engine sums the second back to b's shape


class InverseWithoutGuard(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / (x - x)


# ------------------------------------------------------------------ blame


def seven_ops_with_bad_tanh(x):
    a = x.exp()          # node 7 in backward order
    b = a * 2.0          # 6
    c = b + 1.0          # 5
    d = c.sin()          # 4
    e = BadTanh.apply(d)  # 3
    f = e * 3.0          # 2
    return f.sum()       # 1


def test_blame_names_the_first_wrong_op_in_backward_order():
    error = failure(seven_ops_with_bad_tanh, [f64([0.3, -0.5, 0.1])])
    assert ("blame: the first op whose backward disagrees is <BadTanh> (node 3 of 7, "
            "input 0)") in str(error)
    assert (error.blame, error.node, error.nodes, error.blame_input) == ("BadTanh", 3, 7, 0)


def test_blame_of_a_single_op_is_that_op():
    error = failure(BadTanh.apply, [f64([0.3, -0.5])])
    assert (error.blame, error.node, error.nodes) == ("BadTanh", 1, 1)


def test_blame_names_the_input_of_the_op():
    error = failure(lambda a, b: SquareMatMul.apply(a, b.tanh()),
                    [f64(np.eye(2) + 0.5), f64([[0.1, 0.2], [0.3, -0.4]])])
    assert error.blame == "SquareMatMul"
    assert error.blame_input in (0, 1)
    assert f"input {error.blame_input})" in str(error)


def test_blame_finds_a_broken_built_in_op_behind_a_correct_one(monkeypatch):
    probe = f64([1.0])
    mul_op = (probe * probe).grad_fn.fn
    monkeypatch.setattr(mul_op, "backward", staticmethod(lambda ctx, grad: (grad, grad)))
    error = failure(lambda t: (t * t).tanh(), [f64([0.3, -1.2, 0.8])])
    assert (error.blame, error.node, error.nodes) == ("Mul", 2, 2)


def test_blame_is_none_when_no_single_op_is_at_fault():
    # Half of the result goes around the graph (a new tensor from the values), so the
    # function's gradient is wrong while every recorded op's backward is right.
    def leaky(t):
        outside = autograd.tensor(t.numpy() ** 2)
        return t.sin() * outside

    error = failure(leaky, [f64([0.3, -1.2, 0.8])])
    assert error.blame is None and error.node is None
    assert "no single op is at fault" in str(error)


def test_correct_ops_still_pass_and_leave_no_error():
    assert autograd.gradcheck(lambda t: (t.exp() * 2 + 1).sin().tanh().sum(),
                              [f64([0.3, -0.5, 0.1])])


# ------------------------------------------------------------------ fingerprints, one per mistake


def test_sign_flipped():
    error = failure(SinWrongSign.apply, [f64([0.3, -1.2, 2.0])])
    assert error.fingerprint == "sign"
    assert "hint: the analytic gradient has the wrong sign" in str(error)


def test_constant_factor_is_named():
    error = failure(CubeMissingThree.apply, [f64([0.3, -1.2, 2.0])])
    assert error.fingerprint == "factor"
    assert "analytic = 0.3333 x numeric everywhere" in str(error)
    assert "a factor 3 is missing" in str(error)


def test_extra_constant_factor_is_named():
    class SinTimesFive(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 5 * grad * np.cos(x)

    error = failure(SinTimesFive.apply, [f64([0.3, -1.2, 2.0])])
    assert error.fingerprint == "factor" and "an extra factor 5" in str(error)


def test_incoming_gradient_ignored_elementwise():
    error = failure(CubeIgnoringGrad.apply, [f64([0.3, -1.2, 2.0])])
    assert error.fingerprint == "ignored_grad"
    assert "the incoming gradient is ignored" in str(error)


def test_incoming_gradient_ignored_is_not_called_a_constant_factor():
    # the misleading hint of the old gradcheck
    error = failure(SumOfSquaresIgnoringGrad.apply, [f64([0.3, -1.2, 2.0])])
    assert error.fingerprint == "ignored_grad"
    assert "constant factor" not in str(error)


def test_transpose_missing_on_a_square_input():
    x = f64([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    error = failure(TransposeNotTransposedBack.apply, [x])
    assert error.fingerprint == "transpose"
    assert "analytic = numericᵀ" in str(error)


def test_transpose_missing_on_a_non_square_input_is_caught_by_its_shape():
    x = f64([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    error = failure(TransposeNotTransposedBack.apply, [x])
    assert error.fingerprint == "transpose" and error.blame == "TransposeNotTransposedBack"
    assert "shape (3, 2) for an input of shape (2, 3)" in str(error)


def test_nonzero_where_the_true_gradient_is_exactly_zero():
    error = failure(ReluWithoutMask.apply, [f64([0.5, -1.0, 2.0, -0.3])])
    assert error.fingerprint == "nonzero_where_zero"
    assert "nonzero gradient at 2 element(s) where the true gradient is exactly zero" in str(error)


def test_zero_where_the_true_gradient_is_not():
    error = failure(LeakyReluMaskTooStrict.apply, [f64([0.5, -1.0, 2.0, -0.3])])
    assert error.fingerprint == "zero_where_nonzero"
    assert "exactly zero at 2 element(s) where the true gradient is not zero" in str(error)


def test_backward_that_differs_when_called_twice():
    error = failure(SquareWithState.apply, [f64([0.5, -1.0, 2.0])])
    assert error.fingerprint == "nondeterministic"
    assert "different answer when called twice" in str(error)


def test_nan_from_backward():
    error = failure(InverseWithoutGuard.apply, [f64([0.5, -1.0])])
    assert error.fingerprint == "nan"


def test_zeros_where_the_function_depends_on_the_input():
    class ScaleWithoutGradient(Function):
        @staticmethod
        def forward(ctx, x):
            return 3 * x

        @staticmethod
        def backward(ctx, grad):
            return None

    error = failure(lambda t: ScaleWithoutGradient.apply(t).sin(), [f64([1.0, 2.0])])
    assert error.fingerprint == "zeros" and error.blame == "ScaleWithoutGradient"


def test_unsummed_bias_gradient_passes_because_the_engine_sums_it():
    x = f64(np.arange(6.0).reshape(2, 3) / 7)
    b = f64([0.1, -0.2, 0.3])
    assert autograd.gradcheck(AddBiasUnsummed.apply, [x, b])


# ------------------------------------------------------------------ known mistakes


def square_matrices():
    return [f64([[0.5, -1.0], [2.0, 0.25]]), f64([[0.3, 0.7], [-0.2, 1.1]])]


def test_a_registered_mistake_is_named_in_the_report():
    autograd.register_mistake(SquareMatMul, "dX = dY·W without the transpose",
                              matmul_without_transpose)
    error = failure(SquareMatMul.apply, square_matrices())
    assert error.fingerprint == "known_mistake"
    assert "this matches a known mistake: dX = dY·W without the transpose" in str(error)


def test_mistakes_are_matched_by_op_name_and_only_the_matching_one_is_named():
    autograd.register_mistake("SquareMatMul", "operands swapped", matmul_with_swapped_operands)
    autograd.register_mistake("SquareMatMul", "no transposes", matmul_without_transpose)
    message = str(failure(lambda a, b: SquareMatMul.apply(a, b).exp(), square_matrices()))
    assert "this matches a known mistake: no transposes" in message
    assert "operands swapped" not in message


def test_without_a_matching_mistake_the_report_falls_back_to_the_patterns():
    autograd.register_mistake(SquareMatMul, "operands swapped", matmul_with_swapped_operands)
    error = failure(SquareMatMul.apply, square_matrices())
    assert error.fingerprint != "known_mistake"
    assert "known mistake" not in str(error)


def test_registry_lists_replaces_and_forgets():
    autograd.register_mistake(SquareMatMul, "a", matmul_without_transpose)
    autograd.register_mistake("SquareMatMul", "a", matmul_with_swapped_operands)
    (only,) = autograd.known_mistakes(SquareMatMul)
    assert only.backward is matmul_with_swapped_operands
    autograd.forget_mistakes(SquareMatMul)
    assert autograd.known_mistakes("SquareMatMul") == ()
    with pytest.raises(TypeError, match="backward"):
        autograd.register_mistake(SquareMatMul, "not a function", 3)
    with pytest.raises(TypeError, match="Function subclass or its name"):
        autograd.register_mistake(3, "op is a number", matmul_without_transpose)


def test_blame_runs_no_engine_task_it_is_not_checking(monkeypatch):
    # topological_order and sum_to_shape are course tasks (hw1): a student who has not
    # written them yet must still get the blame and fingerprint of a failing check.
    from autograd import engine

    def stub(*args, **kwargs):
        raise NotImplementedError("hw1: not written yet")

    monkeypatch.setattr(engine, "topological_order", stub)
    monkeypatch.setattr(engine, "sum_to_shape", stub)
    error = failure(lambda t: SinWrongSign.apply(t * 2.0), [f64([0.3, -1.2])])
    assert (error.blame, error.fingerprint) == ("SinWrongSign", "sign")


def test_a_known_mistake_of_the_built_in_matmul_is_named(monkeypatch):
    # An instructor's planted wrong MatMul.backward (what a student might write), and the
    # same mistake registered: the report names it, on the matrix product inside a layer.
    def dx_without_transpose(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a.T @ grad

    probe = f64([[1.0]])
    matmul_op = (probe @ probe).grad_fn.fn
    assert matmul_op.__name__ == "MatMul"
    monkeypatch.setattr(matmul_op, "backward", staticmethod(dx_without_transpose))
    autograd.register_mistake(matmul_op, "dX = dY·W without the transpose", dx_without_transpose)
    x = f64([[0.5, -1.0], [2.0, 0.25]], name="x")
    w = f64([[0.3, 0.7], [-0.2, 1.1]], name="w")
    error = failure(lambda x, w: (x @ w).tanh(), [x, w])
    assert (error.blame, error.node, error.blame_input) == ("MatMul", 2, 0)
    assert "this matches a known mistake: dX = dY·W without the transpose" in str(error)


class ScaleWrongSign(Function):
    """factor * x, the factor a keyword setting: blame must run forward again with it."""

    @staticmethod
    def forward(ctx, x, *, factor):
        ctx.factor = factor
        return factor * x

    @staticmethod
    def backward(ctx, grad):
        return -grad * ctx.factor


def test_blame_reruns_a_forward_with_its_keyword_settings():
    error = failure(lambda t: ScaleWrongSign.apply(t.sin(), factor=3.0).exp(),
                    [f64([0.3, -0.2])])
    assert (error.blame, error.fingerprint) == ("ScaleWrongSign", "sign")
