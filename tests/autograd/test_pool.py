"""max_pool2d, avg_pool2d, global_max_pool2d, global_avg_pool2d: values and
gradients (hand-worked, gradcheck, NumPy, PyTorch when installed), padding rules,
tie-breaking, and the error messages."""

import numpy as np
import pytest

import autograd
from autograd.ops.pool import AvgPool2D, MaxPool2D

pytestmark = pytest.mark.ops


def t(a, requires_grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def image(rows):
    """A (1, h, w, 1) tensor from a 2-D list, requiring grad."""
    return t(np.asarray(rows, dtype=np.float64)[None, :, :, None], True)


def distinct(shape, seed=0):
    """Values with no ties (a shuffled range), so max has one winner everywhere."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) / 7.0


# ---------------------------------------------------------------- values by hand


def test_max_pool2d_by_hand_with_gradient_to_the_winners():
    x = image([[1, 5, 2, 0, 9], [3, 4, 8, 6, 1], [7, 0, 1, 2, 3]])  # 3x5, pool 2: 1x2 out
    y = autograd.max_pool2d(x, 2)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[5, 8]])
    y.backward(np.array([10.0, 20.0]).reshape(1, 1, 2, 1))
    np.testing.assert_array_equal(x.grad.numpy()[0, :, :, 0],
                                  [[0, 10, 0, 0, 0], [0, 0, 20, 0, 0], [0, 0, 0, 0, 0]])
    assert y.grad_fn.fn is MaxPool2D and callable(MaxPool2D.backward)


def test_max_pool2d_tie_sends_the_gradient_to_the_first_cell_only():
    x = image([[2, 2], [2, 2]])
    autograd.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, :, :, 0], [[1, 0], [0, 0]])


def test_max_pool2d_same_padding_is_never_the_max():
    x = image([[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]])
    y = autograd.max_pool2d(x, 2, padding="same")  # pads one row below, one column right
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[-1, -3], [-7, -9]])


def test_avg_pool2d_by_hand_excludes_padding_from_the_count():
    x = image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    y = autograd.avg_pool2d(x, 2, padding="same")
    np.testing.assert_allclose(y.numpy()[0, :, :, 0], [[3, 4.5], [7.5, 9]])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[0, :, :, 0],
                               [[0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.5, 0.5, 1.0]])
    assert y.grad_fn.fn is AvgPool2D and callable(AvgPool2D.backward)


def test_strides_default_to_the_pool_size_and_can_differ():
    x = t(distinct((1, 7, 7, 1)))
    assert autograd.max_pool2d(x, 3).shape == (1, 2, 2, 1)
    assert autograd.max_pool2d(x, 3, strides=1).shape == (1, 5, 5, 1)
    assert autograd.avg_pool2d(x, (2, 3), strides=(3, 2)).shape == (1, 2, 3, 1)
    assert autograd.max_pool2d(x, 2, strides=3, padding="same").shape == (1, 3, 3, 1)


# ---------------------------------------------------------------- gradients

POOLS = {
    "2x2": dict(pool_size=2),
    "3x2 stride 1 (overlap)": dict(pool_size=(3, 2), strides=1),
    "same, stride 3 (gaps)": dict(pool_size=2, strides=3, padding="same"),
    "same, odd": dict(pool_size=3, strides=2, padding="same"),
}


@pytest.mark.parametrize("spec", sorted(POOLS))
@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
def test_gradcheck_pooling(op, spec):
    x = t(distinct((2, 5, 7, 2), seed=len(spec)), True)
    fn = getattr(autograd, op)
    assert autograd.gradcheck(lambda x: fn(x, **POOLS[spec]), [x])


def test_gradcheck_global_pools():
    x = t(distinct((2, 3, 4, 3)), True)
    assert autograd.gradcheck(autograd.global_max_pool2d, [x])
    assert autograd.gradcheck(autograd.global_avg_pool2d, [x])


def test_global_pools_reduce_height_and_width():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    np.testing.assert_allclose(autograd.global_max_pool2d(t(x)).numpy(), x.max(axis=(1, 2)))
    np.testing.assert_allclose(autograd.global_avg_pool2d(t(x)).numpy(), x.mean(axis=(1, 2)))
    assert autograd.global_avg_pool2d(t(x)).shape == (2, 4)


def test_global_max_pool_gives_a_tie_to_the_first_cell_like_max_pool2d():
    x = t(np.full((1, 2, 3, 2), 4.0), True)
    y = autograd.global_max_pool2d(x)
    y.sum().backward()
    expected = np.zeros((1, 2, 3, 2))
    expected[0, 0, 0, :] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_float32_stays_float32():
    x = autograd.tensor(distinct((1, 4, 4, 2)), dtype="float32", requires_grad=True)
    for y in (autograd.max_pool2d(x, 2), autograd.avg_pool2d(x, 2)):
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_batch_1_one_channel_and_windows_that_do_not_tile_the_input():
    x = t(distinct((1, 5, 7, 1)), True)
    y = autograd.max_pool2d(x, (2, 3))  # 5x7 -> 2x2; last row and column unused
    want = x.numpy()[0, :4, :6, 0].reshape(2, 2, 2, 3).max(axis=(1, 3))
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], want)
    y.sum().backward()
    assert x.grad.numpy()[0, 4, :, 0].sum() == 0 and x.grad.numpy()[0, :, 6, 0].sum() == 0
    assert x.grad.numpy().sum() == 4


# -------------------- PyTorch, live (pytest -m reference)


@pytest.mark.reference
@pytest.mark.parametrize("size, stride", [(2, None), (3, None), (3, 2), (2, 3), ((2, 3), 1)])
def test_max_and_avg_pool_match_pytorch(size, stride):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 9, 11, 3))
    g_rng = np.random.default_rng(1)
    for ours, theirs in ((autograd.max_pool2d, torch.nn.functional.max_pool2d),
                         (autograd.avg_pool2d, torch.nn.functional.avg_pool2d)):
        xt = t(x, True)
        y = ours(xt, size, strides=stride)
        g = g_rng.standard_normal(y.shape)
        y.backward(g)
        tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
        ty = theirs(tx, size, stride=stride)
        ty.backward(torch.tensor(g.transpose(0, 3, 1, 2)))
        np.testing.assert_allclose(y.numpy(), ty.detach().permute(0, 2, 3, 1).numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(xt.grad.numpy(), tx.grad.permute(0, 2, 3, 1).numpy(),
                                   rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- errors


def error_of(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "global_max_pool2d",
                                "global_avg_pool2d"])
def test_a_rank_3_input_explains_nhwc_and_the_batch_axis(op):
    msg = error_of(lambda: getattr(autograd, op)(t(np.ones((6, 6, 3)))))
    assert op in msg and "NHWC" in msg and "(6, 6, 3)" in msg and "batch" in msg


def test_a_pool_larger_than_the_input_suggests_same_padding():
    msg = error_of(lambda: autograd.max_pool2d(t(np.ones((1, 2, 5, 1))), 3))
    assert "max_pool2d" in msg and "(1, 2, 5, 1)" in msg and "3x3" in msg
    assert "padding='valid'" in msg and "padding='same'" in msg
    assert autograd.max_pool2d(t(np.ones((1, 2, 5, 1))), 3, padding="same").shape == (1, 1, 2, 1)


def test_bad_pool_size_strides_and_padding_are_reported():
    x = t(np.ones((1, 4, 4, 1)))
    assert "pool_size" in error_of(lambda: autograd.max_pool2d(x, 0))
    assert "strides" in error_of(lambda: autograd.avg_pool2d(x, 2, strides=(1, 2, 3)))
    msg = error_of(lambda: autograd.avg_pool2d(x, 2, padding="full"))
    assert "avg_pool2d" in msg and "'valid'" in msg and "'same'" in msg


@pytest.mark.parametrize("op", ["global_max_pool2d", "global_avg_pool2d"])
def test_a_global_pool_of_empty_images_says_there_is_nothing_to_pool(op):
    msg = error_of(lambda: getattr(autograd, op)(t(np.ones((2, 0, 0, 3)))))
    assert op in msg and "height 0 and width 0" in msg and "pool_size" not in msg
