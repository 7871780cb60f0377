"""Winograd's F(2x2, 3x3) (autograd/kernels/winograd.py): the transforms by hand, each
compiled kernel against its NumPy twin, and the convolution that runs on them
against the plain-NumPy convolution and finite differences."""

import numpy as np
import pytest

import autograd
import autograd.kernels.conv as conv_kernels
import autograd.ops.conv as conv_op
from autograd.kernels import winograd
from autograd.kernels.geometry import window_2d
from autograd.ops.conv import conv2d_backward_numpy, conv2d_numpy

pytestmark = pytest.mark.kernels

# (batch, height, width, channels, out channels, padding): even and odd output sizes
SHAPES = [(2, 7, 9, 3, 5, "valid"), (2, 8, 6, 4, 3, "same"), (1, 5, 5, 2, 2, "same"),
          (3, 10, 11, 5, 4, "valid"), (1, 3, 3, 1, 1, "valid")]


def _grid(shape):
    n, h, w, c, o, padding = shape
    win = window_2d("conv2d", (n, h, w, c), (3, 3), (1, 1), (1, 1), padding)
    tiles_h, tiles_w = winograd.tile_grid(win.out_h, win.out_w)
    return win, tiles_h, tiles_w, n * tiles_h * tiles_w


def _blocks(n_tiles):
    """All tiles at once, and partial blocks that start and end mid-image."""
    if n_tiles < 4:
        return [(0, n_tiles)]
    return [(0, n_tiles), (1, n_tiles - 3), (n_tiles // 2, n_tiles - n_tiles // 2)]


def test_the_transforms_by_hand():
    # A 3x3 kernel of ones sums each 3x3 window; on a 4x4 tile with d[i, j] = 4 i + j
    # the 2x2 output is the four window sums: 45 + 9 * (4 i + j).
    d = np.arange(16.0).reshape(1, 4, 4, 1)
    g = np.ones((3, 3, 1, 1))
    v = np.zeros((16, 2, 1))
    winograd.input_tiles(d, v, 0, 1, 1, 1, 0, 0)
    m = np.matmul(v, winograd.kernel_tiles(g))  # M[k] = V[k] @ U[k]
    out = np.zeros((1, 2, 2, 1))
    winograd.output_tiles(m, out, np.zeros(1), False, 0, 1, 1, 1)
    np.testing.assert_allclose(out[0, :, :, 0], [[45.0, 54.0], [81.0, 90.0]])
    # V = B^T d B by hand for the first plane: (d00 - d20) - (d02 - d22) = 0 - 8 - 2 + 10
    assert v[0, 0, 0] == 0.0 and v[5, 0, 0] == (5 + 6 + 9 + 10)


def test_kernel_tiles_and_their_adjoint_are_transposes():
    # <G g G^T, dU> == <g, G^T dU G> for random g and dU: the adjoint is exact
    rng = np.random.default_rng(0)
    g, du = rng.standard_normal((3, 3, 4, 5)), rng.standard_normal((16, 4, 5))
    lhs = np.sum(winograd.kernel_tiles(g) * du)
    rhs = np.sum(g * winograd.kernel_tiles_adjoint(du))
    assert abs(lhs - rhs) < 1e-12 * max(1.0, abs(lhs))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES)
def test_each_kernel_matches_its_numpy_twin(shape, dtype):
    rng = np.random.default_rng(sum(shape[:5]))
    n, h, w, c, o, _ = shape
    win, tiles_h, tiles_w, n_tiles = _grid(shape)
    tol = 1e-12 if dtype == np.float64 else 1e-4
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    for t0, count in _blocks(n_tiles):
        grid = (t0, count, tiles_h, tiles_w)
        v, v_twin = np.full((16, count + 1, c), 9.0, dtype), np.full((16, count + 1, c), 9.0, dtype)
        winograd.input_tiles(x, v, *grid, win.pad_top, win.pad_left)
        winograd.input_tiles_numpy(x, v_twin, *grid, win.pad_top, win.pad_left)
        np.testing.assert_allclose(v, v_twin, atol=tol)
        m = rng.standard_normal((16, count + 1, o)).astype(dtype)
        for relu in (False, True):
            out = np.full((n, win.out_h, win.out_w, o), 7.0, dtype)  # 7: pixels left alone
            out_twin = out.copy()
            winograd.output_tiles(m, out, bias, relu, *grid)
            winograd.output_tiles_numpy(m, out_twin, bias, relu, *grid)
            np.testing.assert_allclose(out, out_twin, atol=tol)
            grad = rng.standard_normal(out.shape).astype(dtype)
            dm, dm_twin = np.zeros((16, count + 1, o), dtype), np.zeros((16, count + 1, o), dtype)
            winograd.output_tiles_adjoint(grad, out - 7.5, relu, dm, *grid)
            winograd.output_tiles_adjoint_numpy(grad, out - 7.5, relu, dm_twin, *grid)
            np.testing.assert_allclose(dm, dm_twin, atol=tol)
        dv = rng.standard_normal((16, count + 1, c)).astype(dtype)
        dx = rng.standard_normal(x.shape).astype(dtype)  # the kernel adds onto it
        dx_twin = dx.copy()
        winograd.input_tiles_adjoint(dv, dx, *grid, win.pad_top, win.pad_left)
        winograd.input_tiles_adjoint_numpy(dv, dx_twin, *grid, win.pad_top, win.pad_left)
        np.testing.assert_allclose(dx, dx_twin, atol=tol)


@pytest.mark.parametrize("shape", SHAPES[:3])
def test_the_adjoint_kernels_are_the_transposes_of_the_forward_ones(shape):
    # <input_tiles(x), dV> == <x, input_tiles_adjoint(dV)>, the same for the output
    rng = np.random.default_rng(1)
    n, h, w, c, o, _ = shape
    win, tiles_h, tiles_w, n_tiles = _grid(shape)
    grid = (0, n_tiles, tiles_h, tiles_w)
    x, dv = rng.standard_normal((n, h, w, c)), rng.standard_normal((16, n_tiles, c))
    v, dx = np.zeros((16, n_tiles, c)), np.zeros((n, h, w, c))
    winograd.input_tiles(x, v, *grid, win.pad_top, win.pad_left)
    winograd.input_tiles_adjoint(dv, dx, *grid, win.pad_top, win.pad_left)
    assert np.isclose(np.sum(v * dv), np.sum(x * dx), rtol=1e-12)
    m, dy = rng.standard_normal((16, n_tiles, o)), rng.standard_normal((n, win.out_h, win.out_w, o))
    out, dm = np.zeros(dy.shape), np.zeros((16, n_tiles, o))
    winograd.output_tiles(m, out, np.zeros(o), False, *grid)
    winograd.output_tiles_adjoint(dy, dy, False, dm, *grid)
    assert np.isclose(np.sum(out * dy), np.sum(m * dm), rtol=1e-12)


def test_which_convolutions_run_as_winograd():
    def applies(shape, strides=1, dilation=1, padding="same", kernel=3, dtype=np.float32):
        win = window_2d("conv2d", shape, (kernel, kernel), (strides, strides),
                        (dilation, dilation), padding)
        return conv_kernels.winograd_applies(np.zeros(shape, dtype), win)
    assert applies((1, 8, 8, 8)) and applies((1, 8, 8, 64), padding="valid")
    assert not applies((1, 8, 8, 7))  # too few channels: im2col's one wide matmul wins
    assert not applies((1, 8, 8, 32), strides=2)
    assert not applies((1, 8, 8, 32), dilation=2)
    assert not applies((1, 8, 8, 32), kernel=5)
    assert not applies((1, 8, 8, 32), dtype=np.float64)  # float64 keeps im2col's rounding


def test_planes_are_not_a_multiple_of_4_kb_apart():
    planes = conv_op._planes("test.planes", 256, 32, np.float32)
    assert planes.shape == (16, 257, 32) and planes[0].flags.c_contiguous
    assert planes.strides[0] % 4096 != 0


@pytest.fixture
def winograd_always(monkeypatch):
    """Winograd for every 3x3 stride-1 convolution the test makes, float64 included."""
    calls = []

    def applies(x, win):
        calls.append(x.shape)
        return (win.kh, win.kw, win.sh, win.sw, win.dh, win.dw) == (3, 3, 1, 1, 1, 1)
    monkeypatch.setattr(conv_op, "winograd_applies", applies)
    return calls


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("activation", [None, "relu"])
def test_the_op_equals_the_numpy_convolution(winograd_always, padding, activation):
    rng = np.random.default_rng(3)
    x, k, b = rng.standard_normal((3, 9, 8, 4)), rng.standard_normal((3, 3, 4, 5)), \
        rng.standard_normal(5)
    win = window_2d("conv2d", x.shape, (3, 3), (1, 1), (1, 1), padding)
    xt, kt, bt = (autograd.tensor(a, requires_grad=True) for a in (x, k, b))
    y = autograd.conv2d(xt, kt, bt, padding=padding, activation=activation)
    assert winograd_always  # the op asked, and ran Winograd
    expected = conv2d_numpy(x, k, b, win)
    if activation == "relu":
        expected = np.maximum(expected, 0)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-12)
    grad = rng.standard_normal(expected.shape)
    y.backward(autograd.tensor(grad))
    dy = grad * (expected > 0) if activation == "relu" else grad
    dx, dk, db = conv2d_backward_numpy(x, k, dy, win)
    np.testing.assert_allclose(xt.grad.numpy(), dx, atol=1e-12)
    np.testing.assert_allclose(kt.grad.numpy(), dk, atol=1e-12)
    np.testing.assert_allclose(bt.grad.numpy(), db, atol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_gradcheck_through_winograd(winograd_always, padding):
    rng = np.random.default_rng(4)
    x = autograd.tensor(rng.standard_normal((2, 5, 6, 3)), requires_grad=True)
    k = autograd.tensor(rng.standard_normal((3, 3, 3, 2)), requires_grad=True)
    b = autograd.tensor(rng.standard_normal(2) + 0.5, requires_grad=True)
    assert autograd.gradcheck(
        lambda a, w, c: autograd.conv2d(a, w, c, padding=padding, activation="relu"), [x, k, b])
    assert autograd.gradcheck(lambda a, w: autograd.conv2d(a, w, padding=padding), [x, k])


@pytest.mark.parametrize("needs", [(True, False, False), (False, True, False),
                                   (False, False, True), (False, True, True)])
def test_only_the_gradients_asked_for(winograd_always, needs):
    rng = np.random.default_rng(5)
    arrays = (rng.standard_normal((2, 6, 6, 3)), rng.standard_normal((3, 3, 3, 4)),
              rng.standard_normal(4))
    tensors = [autograd.tensor(a, requires_grad=need) for a, need in zip(arrays, needs)]
    autograd.conv2d(*tensors, padding="same").sum().backward()
    win = window_2d("conv2d", arrays[0].shape, (3, 3), (1, 1), (1, 1), "same")
    expected = conv2d_backward_numpy(arrays[0], arrays[1], np.ones((2, 6, 6, 4)), win)
    for tensor, need, want in zip(tensors, needs, expected):
        if need:
            np.testing.assert_allclose(tensor.grad.numpy(), want, atol=1e-12)
        else:
            assert tensor.grad is None


def test_a_float32_batch_in_two_lanes_as_the_layer_runs_it():
    # Large enough for two lanes and several blocks of tiles: the float32 op, untouched,
    # against the float64 NumPy convolution, forward and backward.
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 30, 29, 16)).astype(np.float32)
    k = (rng.standard_normal((3, 3, 16, 8)) / 12).astype(np.float32)
    win = window_2d("conv2d", x.shape, (3, 3), (1, 1), (1, 1), "same")
    assert conv_kernels.winograd_applies(x, win)
    assert len(conv_kernels.conv_lanes(len(x), x[..., 0].size * 9 * 16)) == 2
    xt, kt = autograd.tensor(x, requires_grad=True), autograd.tensor(k, requires_grad=True)
    y = autograd.conv2d(xt, kt, padding="same")
    x64, k64 = x.astype(np.float64), k.astype(np.float64)
    np.testing.assert_allclose(y.numpy(), conv2d_numpy(x64, k64, None, win), atol=2e-5)
    grad = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(autograd.tensor(grad))
    dx, dk, _ = conv2d_backward_numpy(x64, k64, grad.astype(np.float64), win)
    np.testing.assert_allclose(xt.grad.numpy(), dx, atol=2e-5)
    np.testing.assert_allclose(kt.grad.numpy(), dk, rtol=2e-5, atol=2e-3)
