"""hw3 public tests: one test per task (run one with `pytest -m hw3_im2col`).

Each kernel is checked on a case small enough to work out by hand, the Numba kernel and its
NumPy twin alike. Gradients are checked with `autograd.gradcheck` in float64; max-pool inputs
have no ties (where two cells tie for a maximum, the function has no derivative and a finite
difference would straddle the kink).
"""

import numpy as np
import pytest

import autograd
import nn
from autograd.kernels import conv as conv_kernels
from autograd.kernels import im2col, pool
from autograd.kernels.geometry import Window, window_2d
from autograd.ops.conv import Conv2DOp, conv2d_backward_numpy, conv2d_numpy
from autograd.ops.pool import AvgPool2D, MaxPool2D
from nn import layers


def leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def image(h, w, c=1, n=1):
    """0, 1, 2, ... laid out row-major in an (n, h, w, c) float64 image."""
    return np.arange(n * h * w * c, dtype=np.float64).reshape(n, h, w, c)


def valid(kh, kw, h, w):
    """The Window of a kh x kw window, stride 1, no padding, on h x w images - written out here
    (not by window_2d) so that each task's test runs your code of that task first."""
    return Window(kh, kw, 1, 1, 1, 1, 0, 0, 0, 0, h - kh + 1, w - kw + 1)


def geometry(win):
    """The kernels' geometry arguments of a Window, in their order."""
    return (win.kh, win.kw, win.sh, win.sw, win.dh, win.dw, win.pad_top, win.pad_left,
            win.out_h, win.out_w)


# --- where the window goes --------------------------------------------------------------------

def test_window_geometry():
    win = window_2d("test", (1, 7, 7, 1), (3, 3), (2, 2), (1, 1), "valid")
    assert (win.out_h, win.out_w) == (3, 3), (
        f"a 3x3 window every 2 cells fits 3 times in 7 cells ('valid'), got {win.out_h, win.out_w}")
    assert (win.pad_top, win.pad_bottom) == (0, 0), "'valid' pads nothing"
    win = window_2d("test", (1, 6, 6, 1), (3, 3), (2, 2), (1, 1), "same")
    assert (win.out_h, win.out_w) == (3, 3), (
        f"'same' with stride 2 gives ceil(6 / 2) = 3 outputs, got {win.out_h, win.out_w}")
    assert (win.pad_top, win.pad_bottom) == (0, 1), (
        f"6 cells, 3 windows of 3 every 2 cells: 1 cell of padding, the odd one after; got "
        f"top {win.pad_top}, bottom {win.pad_bottom}")


# --- im2col and col2im ------------------------------------------------------------------------

def test_im2col():
    x = image(3, 3)  # 0..8
    win = valid(2, 2, 3, 3)
    want = [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]  # one 2x2 window per row
    for fill in (im2col.im2col_rows, im2col.im2col_rows_numpy):
        cols = np.full((4, 4), -1.0)
        fill(x, cols, 0, *geometry(win))
        assert cols.tolist() == want, f"{fill.__name__} wrote {cols.tolist()}, expected {want}"


def test_col2im():
    # Each input cell receives one add per window that covers it: the corner 1, the
    # centre of a 3x3 image under four 2x2 windows 4.
    win = valid(2, 2, 3, 3)
    for add_back in (im2col.col2im_rows, im2col.col2im_rows_numpy):
        dx = np.zeros((1, 3, 3, 1))
        add_back(np.ones((4, 4)), dx, 0, *geometry(win))
        counts = dx[0, :, :, 0].tolist()
        assert counts == [[1, 2, 1], [2, 4, 2], [1, 2, 1]], (
            f"{add_back.__name__}: windows per cell {counts}, expected [[1, 2, 1], [2, 4, 2], "
            "[1, 2, 1]]")


# --- conv2d -----------------------------------------------------------------------------------

def test_conv2d_forward():
    x = image(3, 3)
    kernel = np.ones((2, 2, 1, 1))
    win = valid(2, 2, 3, 3)
    got = Conv2DOp.apply(autograd.tensor(x), autograd.tensor(kernel), autograd.tensor([0.5]),
                         window=win)  # what autograd.conv2d runs, once it has the window
    assert got.numpy()[0, :, :, 0].tolist() == [[8.5, 12.5], [20.5, 24.5]], (
        f"2x2 window sums of 0..8 plus a bias of 0.5 are [[8.5, 12.5], [20.5, 24.5]], got "
        f"{got.numpy()[0, :, :, 0].tolist()}")
    twin = conv2d_numpy(x, kernel, np.array([0.5]), win)
    assert twin[0, :, :, 0].tolist() == [[8.5, 12.5], [20.5, 24.5]], (
        f"conv2d_numpy gave {twin[0, :, :, 0].tolist()}")


def test_conv2d_backward():
    rng = np.random.default_rng(0)
    x, kernel, bias = leaf(rng.normal(size=(2, 4, 4, 2))), leaf(rng.normal(size=(3, 3, 2, 3))), \
        leaf(rng.normal(size=3))
    win = valid(3, 3, 4, 4)
    grad = rng.normal(size=(2, 2, 2, 3))
    dx, dk, db = conv2d_backward_numpy(x.numpy(), kernel.numpy(), grad, win)
    assert autograd.gradcheck(lambda a, k, b: Conv2DOp.apply(a, k, b, window=win),
                              [x, kernel, bias])
    # the twin gives the same three gradients as the op
    Conv2DOp.apply(x, kernel, bias, window=win).backward(autograd.tensor(grad))
    for name, twin, op in [("dx", dx, x), ("dkernel", dk, kernel), ("dbias", db, bias)]:
        assert np.allclose(twin, op.grad.numpy()), f"conv2d_backward_numpy's {name} is not the op's"


# --- pooling ----------------------------------------------------------------------------------

def test_pool_forward():
    x = image(4, 4)  # 0..15: each 2x2 window's maximum is its bottom-right cell
    for forward in (pool.max_pool_forward, pool.max_pool_forward_numpy):
        out, arg = np.empty((1, 2, 2, 1)), np.full((1, 2, 2, 1), -1, np.int32)
        forward(x, out, arg, 2, 2, 2, 2, 0, 0)
        assert out[0, :, :, 0].tolist() == [[5, 7], [13, 15]], (
            f"{forward.__name__}: maxima {out[0, :, :, 0].tolist()}, expected [[5, 7], [13, 15]]")
        assert (arg == 3).all(), (
            f"{forward.__name__}: winners {arg[0, :, :, 0].tolist()}, expected position 3 "
            "(i * kw + j with i = j = 1) everywhere")
    for forward in (pool.avg_pool_forward, pool.avg_pool_forward_numpy):
        out = np.empty((1, 2, 2, 1))
        forward(x, out, 2, 2, 2, 2, 0, 0)
        assert out[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]], (
            f"{forward.__name__}: means {out[0, :, :, 0].tolist()}, expected "
            "[[2.5, 4.5], [10.5, 12.5]]")


def test_pool_backward():
    grad = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)
    winners = np.array([0, 1, 2, 3, 3, 2, 1, 0], np.int32).reshape(2, 2, 2, 1)  # i * kw + j
    for backward in (pool.max_pool_backward, pool.max_pool_backward_numpy):
        dx = np.full((2, 4, 4, 1), np.nan)
        backward(grad, winners, dx, 2, 2, 2, 2, 0, 0)
        got = [np.flatnonzero(dx[n, 2 * a:2 * a + 2, 2 * b:2 * b + 2, 0].ravel()).tolist()
               for n in range(2) for a in range(2) for b in range(2)]
        assert got == [[k] for k in winners.ravel()] and sorted(dx[dx != 0]) == list(range(1, 9)), (
            f"{backward.__name__}: each of the 8 gradients must go to the cell its window's "
            f"winner names, every other cell 0; got nonzero positions {got}")
    for backward in (pool.avg_pool_backward, pool.avg_pool_backward_numpy):
        dx = np.full((2, 4, 4, 1), np.nan)
        backward(grad, dx, 2, 2, 2, 2, 0, 0)
        assert dx[0, :2, :2, 0].tolist() == [[0.25, 0.25], [0.25, 0.25]], (
            f"{backward.__name__}: a gradient of 1 shared by 4 cells is 0.25 each, got "
            f"{dx[0, :2, :2, 0].tolist()}")
    x = leaf(np.random.default_rng(1).permutation(32).reshape(2, 4, 4, 1))  # no ties
    win = Window(2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 2, 2)  # 2x2 pools side by side
    assert autograd.gradcheck(lambda t: MaxPool2D.apply(t, window=win), [x])
    assert autograd.gradcheck(lambda t: AvgPool2D.apply(t, window=win), [x])


# --- end to end -------------------------------------------------------------------------------

def train_digits_convnet(epochs=12, learning_rate=0.1, decay_after=8):
    """Lesson 3's convnet, trained on the 8x8 digits by plain gradient descent (a loop written
    here, not an optimizer: those are hw4's); return its test accuracy. Every Conv2D and
    MaxPooling2D step runs your kernels."""
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    x_train = (x_train / 16.0).astype(np.float32)[..., None]
    x_test = (x_test / 16.0).astype(np.float32)[..., None]
    nn.utils.set_random_seed(0)
    model = nn.Sequential([
        layers.Input((8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    loss_fn = nn.losses.SparseCategoricalCrossentropy()
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        step = learning_rate if epoch < decay_after else learning_rate / 5
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            loss = loss_fn(y_train[batch], model(x_train[batch], training=True))
            loss.backward()
            with autograd.no_grad():
                for w in model.trainable_weights:
                    w.sub_(step * w.grad.data)
                    w.grad = None
    predicted = model(x_test).numpy().argmax(axis=1)
    return float((predicted == y_test).mean())


@pytest.mark.slow
def test_train_convnet(monkeypatch):
    # The second layer's 16 float32 channels would run as Winograd, not on your code.
    monkeypatch.setattr(conv_kernels, "WINOGRAD_MIN_CHANNELS", 10**9)
    accuracy = train_digits_convnet()
    assert accuracy >= 0.97, (
        f"the digits convnet reached {accuracy:.1%} test accuracy on your kernels; it reaches "
        "at least 97% when im2col, col2im, conv2d and pooling are right")
