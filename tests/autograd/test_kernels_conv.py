"""The convolution kernels (im2col, col2im, blocked conv2d forward/backward)
against their NumPy twins, a hand-worked example, and the adjoint identity."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from window_strategies import KERNEL_SETTINGS, cases, geometry

from autograd.kernels import conv as kconv
from autograd.kernels.conv import (
    conv2d_backward,
    conv2d_backward_numpy,
    conv2d_forward,
    conv2d_forward_numpy,
)
from autograd.kernels.geometry import window_2d
from autograd.kernels.im2col import (
    col2im_rows,
    col2im_rows_numpy,
    im2col_rows,
    im2col_rows_numpy,
)

pytestmark = pytest.mark.kernels


def tolerance(dtype):
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10,
                                                                      "atol": 1e-10}


@st.composite
def blocks(draw):
    """A case plus a block of output pixels [p0, p0 + rows) inside it."""
    case = draw(cases())
    total = int(np.prod(case.out_shape))
    p0 = draw(st.integers(0, total - 1))
    rows = draw(st.integers(1, total - p0))
    return case, p0, rows


# ---------------------------------------------------------------- im2col / col2im


def test_im2col_of_a_3x3_image_by_hand():
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    win = window_2d("t", x.shape, (2, 2), (1, 1), (1, 1), "valid")
    cols = np.empty((4, 4))
    im2col_rows(x, cols, 0, *geometry(win))
    # each row is one 2x2 window, read row-major
    np.testing.assert_array_equal(cols, [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]])


def test_im2col_writes_zeros_for_same_padding():
    x = np.ones((1, 2, 2, 1))
    win = window_2d("t", x.shape, (3, 3), (1, 1), (1, 1), "same")
    cols = np.full((4, 9), np.nan)
    im2col_rows(x, cols, 0, *geometry(win))
    # top-left output: its window covers the padding row above and column to the left
    np.testing.assert_array_equal(cols[0].reshape(3, 3), [[0, 0, 0], [0, 1, 1], [0, 1, 1]])


@KERNEL_SETTINGS
@given(blocks())
def test_im2col_rows_matches_numpy_twin(block):
    case, p0, rows = block
    x = case.x()
    k = case.window.kh * case.window.kw * case.x_shape[3]
    got = np.full((rows, k), np.nan, dtype=case.dtype)  # every cell must be written
    want = np.empty((rows, k), dtype=case.dtype)
    im2col_rows(x, got, p0, *geometry(case.window))
    im2col_rows_numpy(x, want, p0, *geometry(case.window))
    np.testing.assert_array_equal(got, want)


@KERNEL_SETTINGS
@given(blocks(), st.integers(1, 2))
def test_im2col_rows_leaves_the_columns_after_the_window_alone(block, extra):
    # conv2d keeps a column of ones there (the bias's input); im2col must not touch it.
    case, p0, rows = block
    x = case.x()
    k = case.window.kh * case.window.kw * case.x_shape[3]
    got = np.full((rows, k + extra), np.nan, dtype=case.dtype)
    got[:, k:] = 1
    want = np.ones((rows, k + extra), dtype=case.dtype)
    im2col_rows(x, got, p0, *geometry(case.window))
    im2col_rows_numpy(x, want, p0, *geometry(case.window))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:, k:], 1)


@KERNEL_SETTINGS
@given(blocks())
def test_col2im_rows_matches_numpy_twin(block):
    case, p0, rows = block
    k = case.window.kh * case.window.kw * case.x_shape[3]
    cols = case.rng().standard_normal((rows, k)).astype(case.dtype)
    start = np.random.default_rng(1).standard_normal(case.x_shape).astype(case.dtype)
    got, want = start.copy(), start.copy()  # col2im adds into what is there
    col2im_rows(cols, got, p0, *geometry(case.window))
    col2im_rows_numpy(cols, want, p0, *geometry(case.window))
    np.testing.assert_allclose(got, want, **tolerance(case.dtype))


@KERNEL_SETTINGS
@given(cases())
def test_col2im_is_the_adjoint_of_im2col(case):
    # <im2col(x), c> == <x, col2im(c)>: the identity that makes col2im the backward of im2col.
    x = case.x().astype(np.float64)
    total = int(np.prod(case.out_shape))
    c = case.rng().standard_normal((total, case.window.kh * case.window.kw * x.shape[3]))
    cols = np.empty_like(c)
    im2col_rows(x, cols, 0, *geometry(case.window))
    back = np.zeros_like(x)
    col2im_rows(c, back, 0, *geometry(case.window))
    assert np.isclose(np.sum(cols * c), np.sum(x * back), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- conv2d forward/backward


@st.composite
def conv_cases(draw):
    case = draw(cases())
    out_channels = draw(st.integers(1, 3))
    return case, out_channels, draw(st.booleans())


def conv_inputs(case, out_channels):
    rng = case.rng()
    kernel = rng.standard_normal((*case.kernel_size, case.x_shape[3], out_channels))
    bias = rng.standard_normal(out_channels)
    return case.x(), kernel.astype(case.dtype), bias.astype(case.dtype)


@KERNEL_SETTINGS
@given(conv_cases())
def test_conv2d_forward_matches_numpy_twin(params):
    case, out_channels, with_bias = params
    x, kernel, bias = conv_inputs(case, out_channels)
    bias = bias if with_bias else None
    got = conv2d_forward(x, kernel, bias, case.window)
    want = conv2d_forward_numpy(x, kernel, bias, case.window)
    assert got.dtype == case.dtype and got.shape == (*case.out_shape, out_channels)
    np.testing.assert_allclose(got, want, **tolerance(case.dtype))


@KERNEL_SETTINGS
@given(conv_cases(), st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_conv2d_backward_matches_numpy_twin(params, needs):
    case, out_channels, _ = params
    x, kernel, _ = conv_inputs(case, out_channels)
    grad = case.rng().standard_normal((*case.out_shape, out_channels)).astype(case.dtype)
    got = conv2d_backward(x, kernel, grad, case.window, *needs)
    want = conv2d_backward_numpy(x, kernel, grad, case.window, *needs)
    for g, w, needed in zip(got, want, needs, strict=True):
        if not needed:
            assert g is None
            continue
        assert g.dtype == case.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, **tolerance(case.dtype))


@pytest.mark.parametrize("with_bias", [False, True])
def test_conv2d_gives_the_same_result_in_many_small_blocks(monkeypatch, with_bias):
    # Force ~100 blocks (ragged last block included) so the block loop is exercised.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 11, 9, 4))
    kernel = rng.standard_normal((3, 2, 4, 5))
    bias = rng.standard_normal(5) if with_bias else None
    win = window_2d("t", x.shape, (3, 2), (1, 2), (2, 1), "same")
    grad = rng.standard_normal((3, win.out_h, win.out_w, 5))
    whole = conv2d_forward(x, kernel, bias, win), conv2d_backward(x, kernel, grad, win)
    monkeypatch.setattr(kconv, "MIN_TILE_ROWS", 1)
    monkeypatch.setattr(kconv, "TILE_BYTES", 7 * kernel[..., 0].size * x.itemsize)
    blocked = conv2d_forward(x, kernel, bias, win), conv2d_backward(x, kernel, grad, win)
    np.testing.assert_allclose(blocked[0], whole[0], rtol=1e-12)
    for b, w in zip(blocked[1], whole[1], strict=True):
        np.testing.assert_allclose(b, w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(whole[0], conv2d_forward_numpy(x, kernel, bias, win))


def test_pointwise_conv_takes_the_shortcut_and_agrees():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    kernel = rng.standard_normal((1, 1, 5, 2)).astype(np.float32)
    bias = np.array([1.0, -1.0], np.float32)
    win = window_2d("t", x.shape, (1, 1), (1, 1), (1, 1), "valid")
    assert kconv._is_pointwise(win)
    np.testing.assert_allclose(conv2d_forward(x, kernel, bias, win),
                               conv2d_forward_numpy(x, kernel, bias, win), rtol=1e-5)
    grad = rng.standard_normal((2, 3, 4, 2)).astype(np.float32)
    for g, w in zip(conv2d_backward(x, kernel, grad, win),
                    conv2d_backward_numpy(x, kernel, grad, win), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_each_kernel_is_compiled_for_float32_and_float64_only():
    # as_kernel_array in the ops keeps the argument types to these two; a third
    # specialization would mean a silent extra compile for some input.
    import autograd

    x64 = np.random.default_rng(0).standard_normal((2, 6, 5, 3))
    for x in (x64, x64.astype(np.float32), x64[:, ::-1], x64.astype(np.int64),
              np.broadcast_to(x64[:1], x64.shape)):
        t = autograd.tensor(x, requires_grad=x.dtype.kind == "f")
        k = autograd.tensor(np.ones((2, 2, 3, 2), x.dtype if x.dtype.kind == "f" else None),
                            requires_grad=True)
        y = autograd.conv2d(t, k, padding="same", strides=2)
        autograd.sum(y * y).backward()  # a non-contiguous, read-only-free upstream grad
    for kernel in (im2col_rows, col2im_rows):
        dtypes = {sig[0].dtype.name for sig in kernel.signatures}
        layouts = {sig[0].layout for sig in kernel.signatures}
        assert dtypes <= {"float32", "float64"}, kernel.signatures
        assert layouts == {"C"} and len(kernel.signatures) <= 2, kernel.signatures


@pytest.mark.parametrize("with_bias", [False, True])
def test_a_kept_column_matrix_gives_the_same_gradients(with_bias):
    # conv2d_forward can fill the whole column matrix for conv2d_backward to reuse;
    # with a bias it has one more column, of ones, the bias's input.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 7, 3))
    kernel = rng.standard_normal((3, 2, 3, 4))
    bias = rng.standard_normal(4) if with_bias else None
    win = window_2d("t", x.shape, (3, 2), (2, 1), (1, 2), "same")
    grad = rng.standard_normal((2, win.out_h, win.out_w, 4))
    cols = kconv.column_matrix(x, win, with_bias)
    assert cols.shape == (2 * win.out_h * win.out_w, 3 * 2 * 3 + with_bias)
    out = conv2d_forward(x, kernel, bias, win, cols)
    np.testing.assert_allclose(out, conv2d_forward(x, kernel, bias, win), rtol=1e-12)
    np.testing.assert_allclose(out, conv2d_forward_numpy(x, kernel, bias, win), rtol=1e-12)
    want = np.ones_like(cols)
    im2col_rows(x, want, 0, *geometry(win))
    np.testing.assert_array_equal(cols, want)
    for needs in [(True, True, True), (False, True, True), (True, True, False),
                  (False, True, False)]:
        kept = conv2d_backward(x, kernel, grad, win, *needs, cols=cols)
        rebuilt = conv2d_backward(x, kernel, grad, win, *needs)
        twin = conv2d_backward_numpy(x, kernel, grad, win, *needs)
        for a, b, c in zip(kept, rebuilt, twin, strict=True):
            if c is None:
                assert a is None and b is None
                continue
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-10)


def test_the_column_matrix_is_kept_only_for_few_channels_and_small_sizes():
    small = np.ones((4, 8, 8, 3))
    win = window_2d("t", small.shape, (3, 3), (1, 1), (1, 1), "same")
    assert kconv.keep_column_matrix(small, win)
    many_channels = np.ones((4, 8, 8, 32))
    assert not kconv.keep_column_matrix(many_channels, win)
    big = np.ones((64, 224, 224, 3))
    assert not kconv.keep_column_matrix(big, window_2d("t", big.shape, (3, 3), (1, 1),
                                                       (1, 1), "same"))
