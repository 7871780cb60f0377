"""autograd.grad: gradients returned, never stored in .grad (torch.autograd.grad)."""

import numpy as np
import pytest

import autograd

pytestmark = pytest.mark.engine


def leaf(values, name=None):
    return autograd.tensor(values, requires_grad=True, dtype="float64", name=name)


def test_grad_returns_the_gradient_and_leaves_dot_grad_alone():
    x = leaf([1.0, -2.0, 3.0])
    w = leaf([0.5, 0.5, 2.0])
    x.grad = autograd.tensor([9.0, 9.0, 9.0], dtype="float64")  # the caller's, kept
    dx, dw = autograd.grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(dx.numpy(), [0.5, 0.5, 2.0])  # d/dx sum(x w) = w
    np.testing.assert_array_equal(dw.numpy(), [1.0, -2.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [9.0, 9.0, 9.0])
    assert w.grad is None
    assert not dx.requires_grad


def test_grad_of_a_single_input_is_a_one_element_tuple():
    x = leaf(3.0)
    (dx,) = autograd.grad(x * x, x)
    assert dx.item() == 6.0


def test_grad_outputs_seed_each_output():
    x = leaf([1.0, 2.0])
    y = x * 3
    (dx,) = autograd.grad(y, x, grad_outputs=np.array([10.0, -1.0]))
    np.testing.assert_array_equal(dx.numpy(), [30.0, -3.0])


def test_several_outputs_add_up_also_when_one_feeds_the_other():
    x = leaf([1.0, 2.0])
    y = x * x  # dy/dx = 2x
    z = y * 5  # dz/dx = 10x
    (dx,) = autograd.grad([y, z], [x], grad_outputs=[np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(dx.numpy(), [12.0, 24.0])


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 2
    loss = (h * h).sum()  # dloss/dh = 2h = 4x
    dh, dx = autograd.grad(loss, [h, x])
    np.testing.assert_array_equal(dh.numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(dx.numpy(), [8.0, 16.0])
    with pytest.warns(UserWarning, match="retain_grad"):  # h is not a leaf
        assert h.grad is None


def test_retain_grad_tensors_are_not_filled_either():
    x = leaf([1.0, 2.0])
    h = (x * 2).retain_grad()
    autograd.grad(h.sum(), x)
    assert h.grad is None


def test_grad_releases_the_graph_unless_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    first = autograd.grad(y, x, retain_graph=True)[0].numpy()
    second = autograd.grad(y, x)[0].numpy()
    np.testing.assert_array_equal(first, second)
    with pytest.raises(RuntimeError, match="second time"):
        autograd.grad(y, x)


def test_returned_gradients_never_share_memory():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    da, db = autograd.grad((a + b).sum(), [a, b])  # Add hands one array to both
    da.numpy()[0] = 100.0
    assert db.numpy()[0] == 1.0


def test_unused_input_raises_unless_allowed():
    x = leaf([1.0])
    unused = leaf([2.0])
    with pytest.raises(RuntimeError, match="input 1 .* was not used.*allow_unused=True"):
        autograd.grad((x * 2).sum(), [x, unused])
    dx, du = autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert dx.item() == 2.0 and du is None


def test_grad_explains_bad_arguments():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="output 0 .* does not require grad"):
        autograd.grad(autograd.tensor([1.0]).sum(), x)
    with pytest.raises(RuntimeError, match="input 0 .* does not require grad"):
        autograd.grad((x * x).sum(), autograd.tensor([1.0]))
    with pytest.raises(RuntimeError, match="scalar"):
        autograd.grad(x * x, x)  # no grad_outputs for a non-scalar output
    with pytest.raises(ValueError, match="2 output.*1 grad_outputs"):
        autograd.grad([x * 2, x * 3], x, grad_outputs=[np.ones(2)])
    with pytest.raises(TypeError, match="inputs must be Tensors.*ndarray"):
        autograd.grad((x * x).sum(), [np.ones(2)])
