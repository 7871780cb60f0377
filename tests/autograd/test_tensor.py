"""Tensor: construction, dtypes, inspection, creation functions, grad mode, detach."""

import numpy as np
import pytest

import autograd
from autograd import Tensor

pytestmark = pytest.mark.engine


# ----------------------------------------------------------------- construction and dtypes


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1.0], [2.0]], np.float32),
        (3, np.int64),
        ([1, 2], np.int64),
        (True, np.bool_),
        (np.array([1.0, 2.0]), np.float64),
        (np.array([1, 2], dtype=np.int32), np.int32),
        (np.float64(2.0), np.float64),
    ],
)
def test_dtype_rules(data, dtype):
    assert Tensor(data).dtype == dtype
    assert autograd.tensor(data).dtype == dtype


def test_explicit_dtype_wins():
    assert Tensor([1, 2], dtype="float64").dtype == np.float64
    assert Tensor(np.ones(2), dtype=autograd.float32).dtype == np.float32


def test_values_are_copied_from_numpy():
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    source[0] = 99.0
    assert t.numpy()[0] == 1.0


def test_integer_and_bool_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match=r"Only floating-point.*int64.*astype"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        Tensor([True], requires_grad=True)
    Tensor([1, 2])  # fine without grad


def test_float64_works_end_to_end():
    x = autograd.tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = (x.tanh() * x).sum()
    y.backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float64


# ----------------------------------------------------------------- inspection


def test_inspection_properties():
    t = autograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.dtype == np.float32
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), t.numpy())
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert autograd.tensor([[7.0]]).item() == 7.0
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_item_of_a_multi_element_tensor_explains():
    with pytest.raises(ValueError, match=r"exactly one element.*shape \(2,\)"):
        autograd.tensor([1.0, 2.0]).item()


def test_len_of_0d_tensor_is_an_error():
    with pytest.raises(TypeError, match="0-d"):
        len(autograd.tensor(1.0))


def test_iteration_yields_rows_that_keep_the_graph():
    x = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(2,), (2,)]
    (rows[0] * 2 + rows[1]).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[2.0, 2.0], [1.0, 1.0]])


def test_repr_shows_values_shape_dtype_and_op():
    x = autograd.tensor([1.0, 2.0], requires_grad=True, name="x")
    assert repr(x) == (
        "Tensor([1., 2.], shape=(2,), dtype=float32, requires_grad=True, name='x')"
    )
    y = x * 2
    text = repr(y)
    assert text.startswith("Tensor([2., 4.]")
    assert "shape=(2,)" in text and "dtype=float32" in text and "grad_fn=<Mul>" in text


def test_astype_float_keeps_graph_and_int_leaves_it():
    x = autograd.tensor([1.5, 2.5], requires_grad=True)
    y = x.astype("float64")
    assert y.dtype == np.float64 and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.dtype == np.float32
    z = x.astype("int64")
    assert z.dtype == np.int64 and not z.requires_grad


def test_comparisons_return_bool_tensors_without_grad():
    x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert result.dtype == np.bool_
        assert not result.requires_grad
    np.testing.assert_array_equal((x > 1.5).numpy(), [False, True, True])
    assert (x == None) is False  # noqa: E711 - a Tensor never equals None


def test_tensors_hash_by_identity():
    a = autograd.tensor([1.0])
    b = autograd.tensor([1.0])
    assert len({a, b}) == 2


def test_numpy_operand_on_the_left_is_recorded():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, Tensor) and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


# ----------------------------------------------------------------- creation


def test_creation_shapes_and_dtypes():
    assert autograd.zeros(2, 3).shape == (2, 3)
    assert autograd.ones((2, 3)).dtype == np.float32
    np.testing.assert_array_equal(autograd.full((2,), 7.0).numpy(), [7.0, 7.0])
    like = autograd.tensor(np.zeros((2, 2)))
    assert autograd.ones_like(like).dtype == np.float64
    assert autograd.zeros_like(like).shape == (2, 2)
    assert autograd.arange(3).dtype == np.int64
    assert autograd.arange(0.0, 1.0, 0.5).dtype == np.float32
    np.testing.assert_array_equal(autograd.eye(2).numpy(), np.eye(2))
    assert autograd.ones(2, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "make",
    [
        lambda: autograd.rand(3, 2),
        lambda: autograd.randn(3, 2),
        lambda: autograd.uniform((3, 2), -1.0, 1.0),
        lambda: autograd.normal((3, 2), 5.0, 0.1),
    ],
)
def test_manual_seed_makes_random_draws_repeat(make):
    autograd.manual_seed(123)
    first = make().numpy()
    autograd.manual_seed(123)
    second = make().numpy()
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float32 and first.shape == (3, 2)
    third = make().numpy()
    assert not np.array_equal(second, third)


def test_random_draws_follow_their_distribution():
    autograd.manual_seed(0)
    u = autograd.uniform((20000,), 2.0, 4.0).numpy()
    assert u.min() >= 2.0 and u.max() < 4.0
    n = autograd.normal((20000,), 5.0, 0.5).numpy()
    assert abs(n.mean() - 5.0) < 0.02 and abs(n.std() - 0.5) < 0.02


# ----------------------------------------------------------------- grad mode, detach


def test_no_grad_as_context_manager():
    x = autograd.tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 2
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = autograd.tensor([1.0], requires_grad=True)

    @autograd.no_grad()
    def f(t):
        inside = t * 2
        with autograd.enable_grad():
            recorded = t * 3
        return inside, recorded

    inside, recorded = f(x)
    assert not inside.requires_grad
    assert recorded.requires_grad
    assert autograd.is_grad_enabled()


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with autograd.no_grad():
            raise ZeroDivisionError("raised inside no_grad")
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_call_and_context():
    with autograd.set_grad_enabled(False):
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    autograd.set_grad_enabled(False)
    assert not autograd.is_grad_enabled()
    autograd.set_grad_enabled(True)
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_sets_the_mode_only_during_each_call():
    seen = []

    @autograd.set_grad_enabled(False)
    def evaluate(x):
        seen.append(autograd.is_grad_enabled())
        return x * 2

    assert autograd.is_grad_enabled()  # decorating did not switch the mode
    y = evaluate(autograd.tensor([1.0], requires_grad=True))
    assert not y.requires_grad and seen == [False]
    assert autograd.is_grad_enabled()
    with autograd.no_grad():

        @autograd.set_grad_enabled(True)
        def train_step(x):
            return x * 2

        assert train_step(autograd.tensor([1.0], requires_grad=True)).requires_grad
        assert not autograd.is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        (autograd.set_grad_enabled(False)(lambda: 1 / 0))()
    assert autograd.is_grad_enabled()  # restored after an exception too


def test_detach_cuts_the_graph_and_shares_values():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (x * d).sum()  # d acts as a constant
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_requires_grad_underscore():
    x = autograd.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
