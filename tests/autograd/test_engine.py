"""The backward engine: order, accumulation, graph release, deep graphs."""

import gc

import numpy as np
import pytest

import autograd
from autograd import Function

pytestmark = pytest.mark.engine


def leaf(values, name=None, dtype="float64"):
    return autograd.tensor(values, requires_grad=True, dtype=dtype, name=name)


def test_diamond_gradient_sums_both_paths():
    # b = a + a; c = b * b = 4 a^2, so dc/da = 8 a
    a = leaf(3.0, "a")
    b = a + a
    c = b * b
    c.backward()
    assert a.grad.item() == pytest.approx(24.0)


def test_topological_order_is_creation_order_of_the_graph():
    a = leaf(1.0, "a")
    b = leaf(2.0, "b")
    unrelated = leaf(5.0) * 3  # made in between, but not part of e's graph
    c = a * b
    d = c + a
    e = d.exp()
    order = autograd.topological_order(e)
    # Compare identities: == on tensors is elementwise.
    assert [id(t) for t in order] == [id(t) for t in (a, b, c, d, e)]
    assert all(t is not unrelated for t in order)


def test_topological_order_skips_inputs_that_need_no_grad():
    a = leaf(1.0)
    constant = autograd.tensor(2.0)
    out = a * constant
    assert [id(t) for t in autograd.topological_order(out)] == [id(a), id(out)]


def test_backward_visits_nodes_newest_first():
    a = leaf(2.0, "a")
    b = a + a
    c = b * b
    with autograd.trace() as tr:
        c.backward()
    assert [step.op for step in tr.steps] == ["Mul", "Add", "leaf"]
    # The Mul node sends b * grad = 4 to b twice (once per argument); Add gets 8.
    mul_step, add_step, leaf_step = tr.steps
    assert [float(g) for _, g, _ in mul_step.sent] == [4.0, 4.0]
    assert float(add_step.grad) == 8.0
    assert float(leaf_step.grad) == 16.0


def test_tensor_reused_in_many_places():
    a = leaf([1.0, -2.0, 0.5])
    y = (a * a * a + a).sum()  # dy/da = 3 a^2 + 1
    y.backward()
    np.testing.assert_allclose(a.grad.numpy(), 3 * a.numpy() ** 2 + 1)


def test_gradients_accumulate_across_backward_calls():
    a = leaf([1.0, 2.0])
    (a * 3).sum().backward()
    (a * 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [6.0, 6.0])
    a.grad = None
    (a * 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])


def test_intermediates_keep_grad_only_after_retain_grad():
    a = leaf([1.0, 2.0])
    b = a * 2
    c = b * 5
    b.retain_grad()
    d = c.sum()
    d.backward()
    np.testing.assert_allclose(b.grad.numpy(), [5.0, 5.0])
    with pytest.warns(UserWarning, match=r"retain_grad\(\)"):
        assert c.grad is None


def test_second_backward_through_released_graph_names_retain_graph():
    a = leaf(2.0)
    y = a * a
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True") as info:
        y.backward()
    assert "second time" in str(info.value)


def test_retain_graph_allows_a_second_backward():
    a = leaf(2.0)
    y = a * a
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad.item() == pytest.approx(8.0)


def test_graph_is_released_after_backward():
    a = leaf(np.ones(3))
    y = a.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.released
    assert node.saved_tensors is None


def test_chain_of_100000_ops_differentiates_and_frees():
    a = leaf(1.0, dtype="float32")
    x = a
    for _ in range(100_000):
        x = x + 1.0
    x.backward()
    assert a.grad.item() == 1.0
    del x
    gc.collect()


def test_deleting_a_retained_100000_op_chain_does_not_recurse():
    a = leaf(1.0, dtype="float32")
    x = a
    for _ in range(100_000):
        x = x * 1.0
    x.backward(retain_graph=True)
    del x  # the chain is freed link by link; must not hit a recursion limit
    gc.collect()
    assert a.grad.item() == 1.0


def test_non_scalar_backward_needs_a_gradient():
    a = leaf([1.0, 2.0])
    y = a * 2
    with pytest.raises(RuntimeError, match=r"shape \(2,\)") as info:
        y.backward()
    assert "out.sum()" in str(info.value)
    y.backward(grad=np.array([1.0, 10.0]))
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 20.0])


def test_backward_grad_of_wrong_shape_is_an_error():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(2,\)"):
        y.backward(grad=np.ones(3))


def test_backward_on_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        autograd.tensor([1.0]).sum().backward()


def test_leaves_never_share_a_gradient_array():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.numpy()[0] = 100.0
    assert b.grad.numpy()[0] == 1.0


def test_gradient_has_the_dtype_of_its_leaf():
    w = leaf([1.0, 2.0], dtype="float32")
    y = (w * np.array([2.0, 2.0], dtype=np.float64)).sum()  # float64 result
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32


def test_broadcast_gradients_are_summed_back_once():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.ones((4,)))
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full((4,), 3.0))


# ----------------------------------------------------------------- the Function contract


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


def test_custom_function_goes_through_apply():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert "grad_fn=<Cube>" in repr(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert autograd.gradcheck(Cube.apply, [leaf([0.5, -1.5])])


class ScaleBroadcast(Function):
    """Multiplies by a per-column scale; backward written as if shapes were equal."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x, scale)
        return x * scale

    @staticmethod
    def backward(ctx, grad):
        x, scale = ctx.saved_tensors
        return grad * scale, grad * x  # grad * x has x's shape; the engine sums it


def test_engine_sums_a_custom_ops_broadcast_gradient():
    x = leaf(np.arange(6.0).reshape(2, 3))
    s = leaf([1.0, 2.0, 3.0])
    ScaleBroadcast.apply(x, s).sum().backward()
    np.testing.assert_allclose(s.grad.numpy(), x.numpy().sum(axis=0))


def test_needs_input_grad_tells_backward_what_to_skip():
    seen = {}

    class Spy(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            seen["needs"] = ctx.needs_input_grad
            return grad, grad

    Spy.apply(leaf(1.0), autograd.tensor(2.0)).backward()
    assert seen["needs"] == (True, False)


def test_backward_returning_wrong_number_of_gradients_names_the_op():
    class TwoIn(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = TwoIn.apply(leaf(1.0), leaf(2.0))
    with pytest.raises(RuntimeError, match=r"TwoIn.backward returned 1 gradient.*2 input"):
        y.backward()


def test_backward_returning_impossible_shape_names_the_op():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return np.ones((5,))

    y = BadShape.apply(leaf([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"BadShape.backward.*shape \(5,\).*shape \(2,\)"):
        y.sum().backward()


def test_function_returning_integers_for_grad_inputs_is_an_error():
    class Floor(Function):
        @staticmethod
        def forward(ctx, a):
            return np.floor(a).astype(np.int64)

        @staticmethod
        def backward(ctx, grad):
            return grad * 0

    with pytest.raises(TypeError, match="Floor.forward returned a int64"):
        Floor.apply(leaf([1.5]))


# ----------------------------------------------------------------- in-place changes


def test_in_place_change_after_use_is_caught_at_backward():
    w = leaf([1.0, 2.0])
    x = autograd.tensor([3.0, 4.0], dtype="float64")
    y = (w * x).sum()
    with autograd.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError, match=r"<Mul>.*changed in place") as info:
        y.backward()
    assert "version 0 then, 1 now" in str(info.value)


def test_in_place_change_of_an_unsaved_input_is_fine():
    w = leaf([1.0, 2.0])
    y = (w + 1.0).sum()  # Add saves nothing
    with autograd.no_grad():
        w.add_(1.0)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0])


def test_in_place_on_a_tensor_that_requires_grad_needs_no_grad():
    w = leaf([1.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 2.0


def test_setitem_bumps_the_version():
    t = autograd.tensor([1.0, 2.0])
    before = t._version
    t[0] = 5.0
    assert t._version == before + 1
    assert t.numpy()[0] == 5.0


def test_in_place_change_of_a_saved_output_is_caught():
    # exp saves its output for backward (d e^x/dx = e^x); doubling it in place
    # would silently double the gradient.
    x = leaf([0.0, 1.0])
    y = x.exp()
    with autograd.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"<Exp>.*changed in place"):
        y.sum().backward()


def test_needs_input_grad_is_all_false_when_not_recording():
    seen = {}

    class Spy(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    with autograd.no_grad():
        Spy.apply(leaf(1.0), leaf(2.0))
    assert seen["needs"] == (False, False)


# ----------------------------------------------------------------- grad mode per thread


def test_grad_mode_is_per_thread():
    import threading

    inside = threading.Event()  # thread A is inside no_grad
    done = threading.Event()  # thread B has run its op
    seen = {}

    def under_no_grad():
        with autograd.no_grad():
            inside.set()
            done.wait(5)
            seen["a"] = (leaf([1.0]) * 2).requires_grad

    def recording():
        inside.wait(5)
        seen["b_enabled"] = autograd.is_grad_enabled()
        seen["b"] = (leaf([1.0]) * 2).requires_grad
        done.set()

    threads = [threading.Thread(target=under_no_grad), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"a": False, "b_enabled": True, "b": True}
    assert autograd.is_grad_enabled()  # and the main thread was never switched off
    # once no thread is inside no_grad, Function.apply is back on its one-read path
    assert autograd.grad_mode._State.all_enabled
