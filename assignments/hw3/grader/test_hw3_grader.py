"""hw3 grader tests: run after submission, never shown to students (only their messages).

Each kernel is compared with a brute-force definition written here (loops over every output
cell), on geometries with strides, "same" padding, dilation, several images and several
blocks of rows; gradients are gradchecked in float64 on inputs without ties.
"""

import math

import numpy as np
import pytest

import autograd
import nn
from autograd.kernels import im2col, pool
from autograd.kernels.geometry import window_2d
from autograd.ops.conv import conv2d_backward_numpy, conv2d_numpy
from nn import layers


def leaf(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def geometry(win):
    return (win.kh, win.kw, win.sh, win.sw, win.dh, win.dw, win.pad_top, win.pad_left,
            win.out_h, win.out_w)


# Geometries: (image h, w, kernel kh, kw, strides, dilation, padding)
GEOMETRIES = [
    (5, 5, 3, 3, (1, 1), (1, 1), "valid"),
    (5, 6, 3, 2, (2, 2), (1, 1), "same"),
    (7, 7, 3, 3, (2, 1), (2, 2), "same"),
    (6, 5, 2, 3, (3, 2), (1, 2), "valid"),
    (4, 4, 1, 1, (2, 2), (1, 1), "same"),
    (3, 8, 3, 3, (1, 3), (1, 1), "same"),
]


def describe(g):
    h, w, kh, kw, s, d, padding = g
    return f"{h}x{w} image, {kh}x{kw} window, strides {s}, dilation {d}, padding={padding!r}"


def window(x_shape, g):
    _, _, kh, kw, s, d, padding = g
    return window_2d("test", x_shape, (kh, kw), s, d, padding)


def brute_im2col(x, win):
    """Row p = (n, oh, ow), column (i, j, c): the input cell under kernel cell (i, j)."""
    n_img, h, w, c = x.shape
    cols = np.zeros((n_img * win.out_h * win.out_w, win.kh * win.kw * c))
    p = 0
    for n in range(n_img):
        for oh in range(win.out_h):
            for ow in range(win.out_w):
                for i in range(win.kh):
                    for j in range(win.kw):
                        ih = oh * win.sh - win.pad_top + i * win.dh
                        iw = ow * win.sw - win.pad_left + j * win.dw
                        if 0 <= ih < h and 0 <= iw < w:
                            cols[p, (i * win.kw + j) * c:(i * win.kw + j + 1) * c] = x[n, ih, iw]
                p += 1
    return cols


def brute_conv(x, kernel, bias, win):
    cols = brute_im2col(x, win)
    out = cols @ kernel.reshape(-1, kernel.shape[3]) + (0 if bias is None else bias)
    return out.reshape(x.shape[0], win.out_h, win.out_w, kernel.shape[3])


# --- hw3.window_geometry ------------------------------------------------------------------------

def test_window_geometry_same_padding_is_tensorflows():
    # What "same" means, checked as properties rather than a formula: ceil(n / s) windows,
    # the padding split with the odd cell after, every window inside the padded input and
    # no padding cell that no window reaches.
    for n in range(1, 13):
        for k in range(1, 5):
            for s in range(1, 4):
                for d in (1, 2):
                    win = window_2d("test", (1, n, n, 1), (k, k), (s, s), (d, d), "same")
                    case = f"n={n}, kernel {k}, stride {s}, dilation {d}"
                    assert win.out_h == math.ceil(n / s), f"{case}: 'same' gives ceil(n / s)"
                    before, after = win.pad_top, win.pad_bottom
                    assert after - before in (0, 1), (
                        f"{case}: padding {before} before, {after} after; the odd cell goes after")
                    last_end = (win.out_h - 1) * s + (k - 1) * d + 1  # in padded coordinates
                    assert last_end <= before + n + after, f"{case}: the last window sticks out"
                    assert before + after == 0 or last_end == before + n + after, (
                        f"{case}: padding {before} + {after} is more than the windows need")


def test_window_geometry_valid_with_strides_and_dilation():
    for (n, k, s, d), want in {(7, 3, 2, 1): 3, (8, 3, 2, 1): 3, (9, 3, 2, 1): 4, (7, 3, 1, 2): 3,
                               (5, 5, 1, 1): 1, (10, 2, 3, 3): 3}.items():
        win = window_2d("test", (1, n, n, 1), (k, k), (s, s), (d, d), "valid")
        assert (win.out_h, win.pad_top, win.pad_bottom) == (want, 0, 0), (
            f"'valid', n={n}, kernel {k}, stride {s}, dilation {d}: expected {want} windows and "
            f"no padding, got {win.out_h} (padding {win.pad_top}, {win.pad_bottom})")


def test_window_geometry_through_the_layers():
    cases = {((None, 28, 28, 1), 5, 2, "same"): (None, 14, 14, 8),
             ((None, 9, 9, 1), 3, 2, "same"): (None, 5, 5, 8),
             ((None, 9, 10, 1), 3, 2, "valid"): (None, 4, 4, 8),
             ((4, 5, 5, 3), 3, 3, "same"): (4, 2, 2, 8)}
    for (shape, k, s, padding), want in cases.items():
        got = autograd.conv_output_shape(shape, k, strides=s, padding=padding, filters=8)
        assert got == want, (
            f"conv_output_shape({shape}, {k}, strides={s}, {padding!r}) = {got}, expected {want}")
    out = nn.Sequential([layers.Input((9, 9, 1)), layers.Conv2D(2, 3, strides=2, padding="same")])
    assert out.predict(np.ones((1, 9, 9, 1), "float32"), verbose=0).shape == (1, 5, 5, 2), (
        "Conv2D(strides=2, padding='same') on 9x9 images must give 5x5 maps")


# --- hw3.im2col -----------------------------------------------------------------------------------

@pytest.mark.parametrize("g", GEOMETRIES, ids=describe)
def test_im2col_kernel_and_twin_match_the_definition(g):
    x = np.random.default_rng(3).normal(size=(2, g[0], g[1], 3))
    win = window(x.shape, g)
    want = brute_im2col(x, win)
    for fill in (im2col.im2col_rows, im2col.im2col_rows_numpy):
        cols = np.full(want.shape, np.nan)
        fill(x, cols, 0, *geometry(win))
        bad = np.argwhere(~np.isclose(cols, want))
        assert not len(bad), (
            f"{fill.__name__} on a {describe(g)}: row {bad[0][0]}, column {bad[0][1]} is "
            f"{cols[tuple(bad[0])]:.4g}, expected {want[tuple(bad[0])]:.4g} ({len(bad)} wrong "
            "values)")


def test_im2col_fills_blocks_from_any_row_and_leaves_extra_columns():
    g = (5, 6, 3, 2, (2, 2), (1, 1), "same")
    x = np.random.default_rng(4).normal(size=(3, 5, 6, 2))
    win = window(x.shape, g)
    want = brute_im2col(x, win)
    k = want.shape[1]
    for fill in (im2col.im2col_rows, im2col.im2col_rows_numpy):
        for p0, rows in [(0, 5), (7, 11), (16, 11)]:  # 27 pixels; blocks cross from image to image
            cols = np.full((rows, k + 1), 7.0)  # one extra column (the bias's ones) must stay 7
            fill(x, cols, p0, *geometry(win))
            assert np.allclose(cols[:, :k], want[p0:p0 + rows]), (
                f"{fill.__name__}: the block of rows {p0}..{p0 + rows} is wrong (row p0 + r is "
                f"output pixel p0 + r, counted over (image, out row, out column))")
            assert (cols[:, k] == 7.0).all(), (
                f"{fill.__name__} wrote into the extra column after the {k} window values")


def test_im2col_float32():
    x = np.random.default_rng(5).normal(size=(1, 6, 6, 2)).astype(np.float32)
    win = window(x.shape, GEOMETRIES[2])
    cols = np.empty((win.out_h * win.out_w, win.kh * win.kw * 2), np.float32)
    im2col.im2col_rows(x, cols, 0, *geometry(win))
    assert np.allclose(cols, brute_im2col(x, win)), "im2col_rows on float32 input is wrong"


# --- hw3.col2im -----------------------------------------------------------------------------------

@pytest.mark.parametrize("g", GEOMETRIES, ids=describe)
def test_col2im_is_the_adjoint_of_im2col(g):
    # <im2col(x), c> == <x, col2im(c)> for every x and c: col2im adds each value back onto
    # the cell it was copied from, and drops what was padding.
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, g[0], g[1], 2))
    win = window(x.shape, g)
    c = rng.normal(size=(2 * win.out_h * win.out_w, win.kh * win.kw * 2))
    for add_back in (im2col.col2im_rows, im2col.col2im_rows_numpy):
        dx = np.zeros_like(x)
        add_back(c, dx, 0, *geometry(win))
        assert np.isclose((brute_im2col(x, win) * c).sum(), (x * dx).sum()), (
            f"{add_back.__name__} on a {describe(g)} is not the adjoint of im2col: some value "
            "is added to the wrong cell, twice, or not at all")


def test_col2im_adds_into_dx_block_by_block():
    g = (7, 7, 3, 3, (2, 1), (2, 2), "same")
    rng = np.random.default_rng(7)
    win = window((2, 7, 7, 1), g)
    c = rng.normal(size=(2 * win.out_h * win.out_w, 9))
    for add_back in (im2col.col2im_rows, im2col.col2im_rows_numpy):
        whole = np.zeros((2, 7, 7, 1))
        add_back(c, whole, 0, *geometry(win))
        start = rng.normal(size=(2, 7, 7, 1))
        dx = start.copy()
        for p0 in range(0, len(c), 9):  # blocks of 9 rows, the last one shorter
            add_back(c[p0:p0 + 9], dx, p0, *geometry(win))
        assert np.allclose(dx, start + whole), (
            f"{add_back.__name__}: adding blocks into a non-zero dx must give dx + col2im of "
            "the whole matrix (accumulate, do not overwrite; block rows start at pixel p0)")


# --- hw3.conv2d_forward ---------------------------------------------------------------------------

@pytest.mark.parametrize("g", GEOMETRIES[1:4], ids=describe)
def test_conv2d_forward_matches_the_definition(g):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, g[0], g[1], 3))
    kernel, bias = rng.normal(size=(g[2], g[3], 3, 4)), rng.normal(size=4)
    win = window(x.shape, g)
    want = brute_conv(x, kernel, bias, win)
    got = autograd.conv2d(x, kernel, bias, strides=g[4], padding=g[6], dilation_rate=g[5])
    assert np.allclose(got.numpy(), want), f"conv2d on a {describe(g)} is wrong"
    assert np.allclose(conv2d_numpy(x, kernel, bias, win), want), f"conv2d_numpy on a {describe(g)}"
    assert np.allclose(conv2d_numpy(x, kernel, None, win), want - bias), "conv2d_numpy without bias"


def test_conv2d_forward_many_blocks_and_no_bias():
    # 3 images of 64x64: 12,288 output pixels, more than one block of rows
    rng = np.random.default_rng(9)
    x, kernel = rng.normal(size=(3, 64, 64, 1)), rng.normal(size=(3, 3, 1, 2))
    win = window_2d("test", x.shape, (3, 3), (1, 1), (1, 1), "same")
    got = autograd.conv2d(x, kernel, padding="same").numpy()
    assert np.allclose(got, brute_conv(x, kernel, None, win)), (
        "conv2d without a bias, over several blocks of output pixels, is wrong")
    got32 = autograd.conv2d(x.astype(np.float32), kernel.astype(np.float32), padding="same")
    assert got32.dtype == np.float32 and np.allclose(got32.numpy(), got, atol=1e-4), "float32"


# --- hw3.conv2d_backward --------------------------------------------------------------------------

def test_conv2d_backward_strides_padding_dilation():
    rng = np.random.default_rng(10)
    for strides, padding, dilation in [((2, 2), "same", (1, 1)), ((1, 2), "valid", (2, 1)),
                                       ((2, 1), "same", (2, 2))]:
        x, k, b = (leaf(rng.normal(size=(2, 5, 6, 2))), leaf(rng.normal(size=(3, 2, 2, 3))),
                   leaf(rng.normal(size=3)))
        assert autograd.gradcheck(
            lambda a, kk, bb, s=strides, p=padding, d=dilation: autograd.conv2d(
                a, kk, bb, strides=s, padding=p, dilation_rate=d), [x, k, b]), (strides, padding)


def test_conv2d_backward_when_only_some_inputs_need_a_gradient():
    rng = np.random.default_rng(11)
    x, k, b = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(2, 2, 2, 3)), rng.normal(size=3)
    assert autograd.gradcheck(lambda a: autograd.conv2d(a, k, b), [leaf(x)])  # the input only
    assert autograd.gradcheck(lambda kk: autograd.conv2d(x, kk), [leaf(k)])  # kernel, no bias
    assert autograd.gradcheck(lambda kk, bb: autograd.conv2d(x, kk, bb, padding="same"),
                              [leaf(k), leaf(b)])  # kernel and bias
    assert autograd.gradcheck(lambda bb: autograd.conv2d(x, k, bb), [leaf(b)])  # the bias only


def test_conv2d_backward_twin_and_many_blocks():
    # 3 images of 64x64: the op's loop runs over several blocks; the twin does it all at once.
    rng = np.random.default_rng(12)
    x, k, b = leaf(rng.normal(size=(3, 64, 64, 1))), leaf(rng.normal(size=(3, 3, 1, 2))), \
        leaf(rng.normal(size=2))
    grad = rng.normal(size=(3, 64, 64, 2))
    autograd.conv2d(x, k, b, padding="same").backward(autograd.tensor(grad))
    win = window_2d("test", x.shape, (3, 3), (1, 1), (1, 1), "same")
    cols = brute_im2col(x.numpy(), win)
    d_cols = grad.reshape(-1, 2) @ k.numpy().reshape(-1, 2).T
    dx_want = np.zeros(x.shape)
    im2col.col2im_rows_numpy(d_cols, dx_want, 0, *geometry(win))
    want = {"dkernel": (cols.T @ grad.reshape(-1, 2)).reshape(k.shape), "dx": dx_want,
            "dbias": grad.sum(axis=(0, 1, 2))}
    got = {"dkernel": k.grad.numpy(), "dx": x.grad.numpy(), "dbias": b.grad.numpy()}
    dx, dk, db = conv2d_backward_numpy(x.numpy(), k.numpy(), grad, win)
    twin = {"dkernel": dk, "dx": dx, "dbias": db}
    for name in want:
        assert np.allclose(got[name], want[name]), f"Conv2DOp.backward's {name}, several blocks"
        assert np.allclose(twin[name], want[name]), f"conv2d_backward_numpy's {name}"


# --- hw3.pool_forward -----------------------------------------------------------------------------

POOLS = [(4, 4, 2, 2, (2, 2), "valid"), (5, 5, 2, 2, (2, 2), "same"),
         (7, 6, 3, 3, (2, 2), "same"), (5, 7, 3, 2, (1, 3), "valid"), (6, 6, 3, 3, (1, 1), "same")]


def describe_pool(g):
    return f"{g[0]}x{g[1]} image, {g[2]}x{g[3]} pool, strides {g[4]}, padding={g[5]!r}"


def brute_pool(x, win):
    """(max, first winner's position i * kw + j, mean over the cells inside) per window."""
    n_img, h, w, c = x.shape
    shape = (n_img, win.out_h, win.out_w, c)
    best, arg, mean = np.empty(shape), np.empty(shape, np.int64), np.empty(shape)
    for n, oh, ow, ch in np.ndindex(*shape):
        cells = [(x[n, ih, iw, ch], i * win.kw + j)
                 for i in range(win.kh) for j in range(win.kw)
                 for ih, iw in [(oh * win.sh - win.pad_top + i, ow * win.sw - win.pad_left + j)]
                 if 0 <= ih < h and 0 <= iw < w]
        values = [v for v, _ in cells]
        best[n, oh, ow, ch] = max(values)
        arg[n, oh, ow, ch] = next(k for v, k in cells if v == max(values))
        mean[n, oh, ow, ch] = sum(values) / len(values)
    return best, arg, mean


def pool_window(x_shape, g):
    return window_2d("test", x_shape, (g[2], g[3]), g[4], (1, 1), g[5])


def pool_args(win):
    return (win.kh, win.kw, win.sh, win.sw, win.pad_top, win.pad_left)


@pytest.mark.parametrize("g", POOLS, ids=describe_pool)
def test_pool_forward_kernels_and_twins_match_the_definition(g):
    rng = np.random.default_rng(13)
    x = rng.permutation(2 * g[0] * g[1] * 3).reshape(2, g[0], g[1], 3) - 20.0  # no ties
    win = pool_window(x.shape, g)
    best, arg, mean = brute_pool(x, win)
    for forward in (pool.max_pool_forward, pool.max_pool_forward_numpy):
        out, where = np.empty(best.shape), np.full(best.shape, -1, np.int32)
        forward(x, out, where, *pool_args(win))
        assert np.array_equal(out, best), f"{forward.__name__} on a {describe_pool(g)}: maxima"
        assert np.array_equal(where, arg), f"{forward.__name__} on a {describe_pool(g)}: positions"
    for forward in (pool.avg_pool_forward, pool.avg_pool_forward_numpy):
        out = np.empty(mean.shape)
        forward(x, out, *pool_args(win))
        assert np.allclose(out, mean), (
            f"{forward.__name__} on a {describe_pool(g)}: means (of the cells inside the image)")


def test_max_pool_forward_ties_go_to_the_first_cell_and_padding_never_wins():
    x = -np.ones((1, 5, 5, 2))  # every cell ties; padding cells (which are not -1) must not win
    win = pool_window(x.shape, (5, 5, 3, 3, (2, 2), "same"))
    _, arg, _ = brute_pool(x, win)
    for forward in (pool.max_pool_forward, pool.max_pool_forward_numpy):
        out, where = np.empty(arg.shape), np.full(arg.shape, -1, np.int32)
        forward(x, out, where, *pool_args(win))
        assert (out == -1).all(), f"{forward.__name__}: a padded cell won a window of -1s"
        assert np.array_equal(where, arg), (
            f"{forward.__name__}: on ties the first cell inside the image (row-major) wins; got "
            f"{where[0, :, :, 0].tolist()}, expected {arg[0, :, :, 0].tolist()}")


# --- hw3.pool_backward ----------------------------------------------------------------------------

@pytest.mark.parametrize("g", POOLS, ids=describe_pool)
def test_pool_backward_gradcheck(g):
    rng = np.random.default_rng(14)
    x = leaf(rng.permutation(g[0] * g[1] * 2).reshape(1, g[0], g[1], 2) / 10.0)  # no ties
    for op in (autograd.max_pool2d, autograd.avg_pool2d):
        assert autograd.gradcheck(lambda t, op=op: op(t, (g[2], g[3]), g[4], g[5]), [x]), (
            f"{op.__name__} on a {describe_pool(g)}")


@pytest.mark.parametrize("g", POOLS, ids=describe_pool)
def test_pool_backward_kernels_and_twins_match_the_definition(g):
    rng = np.random.default_rng(15)
    x = rng.permutation(g[0] * g[1] * 2).reshape(1, g[0], g[1], 2) * 1.0
    win = pool_window(x.shape, g)
    _, arg, _ = brute_pool(x, win)
    grad = rng.normal(size=arg.shape)
    max_want, avg_want = np.zeros(x.shape), np.zeros(x.shape)
    for n, oh, ow, ch in np.ndindex(*grad.shape):
        i, j = divmod(arg[n, oh, ow, ch], win.kw)
        max_want[n, oh * win.sh - win.pad_top + i, ow * win.sw - win.pad_left + j, ch] += \
            grad[n, oh, ow, ch]
        cells = [(ih, iw) for i in range(win.kh) for j in range(win.kw)
                 for ih, iw in [(oh * win.sh - win.pad_top + i, ow * win.sw - win.pad_left + j)]
                 if 0 <= ih < x.shape[1] and 0 <= iw < x.shape[2]]
        for ih, iw in cells:
            avg_want[n, ih, iw, ch] += grad[n, oh, ow, ch] / len(cells)
    for backward in (pool.max_pool_backward, pool.max_pool_backward_numpy):
        dx = np.full(x.shape, np.nan)
        backward(grad, arg.astype(np.int32), dx, *pool_args(win))
        assert np.allclose(dx, max_want), (
            f"{backward.__name__} on a {describe_pool(g)}: each gradient goes to its window's "
            "winner (added up where a cell wins several windows), every other cell is 0")
    for backward in (pool.avg_pool_backward, pool.avg_pool_backward_numpy):
        dx = np.full(x.shape, np.nan)
        backward(grad, dx, *pool_args(win))
        assert np.allclose(dx, avg_want), (
            f"{backward.__name__} on a {describe_pool(g)}: each gradient is shared by the cells "
            "inside its window")


# --- hw3.train_convnet ----------------------------------------------------------------------------

@pytest.mark.slow
def test_train_strided_convnet():
    # The pieces lesson 3's convnet does not use: a strided 'same' convolution, average
    # pooling, and overlapping max-pool windows with padding - trained end to end.
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    x_train = (x_train / 16.0).astype(np.float32)[..., None]
    x_test = (x_test / 16.0).astype(np.float32)[..., None]
    nn.utils.set_random_seed(1)
    model = nn.Sequential([
        layers.Input((8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.AveragePooling2D(2),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        layers.MaxPooling2D(2, strides=1, padding="same"),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    loss_fn = nn.losses.SparseCategoricalCrossentropy()
    rng = np.random.default_rng(1)
    for _ in range(10):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            loss_fn(y_train[batch], model(x_train[batch], training=True)).backward()
            with autograd.no_grad():
                for w in model.trainable_weights:
                    w.sub_(0.15 * w.grad.data)
                    w.grad = None
    accuracy = float((model(x_test).numpy().argmax(axis=1) == y_test).mean())
    assert accuracy >= 0.90, (
        f"a convnet with a strided convolution, average pooling and overlapping max pooling "
        f"reached {accuracy:.1%} test accuracy on your kernels; with right kernels it reaches "
        "more than 90%")
