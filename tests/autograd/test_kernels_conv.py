"""The convolution kernels (im2col, col2im) against their NumPy twins, a hand-worked
example and the adjoint identity; and ColumnMatrix, the blocks the conv2d op loops
over, with its options (a column of ones, keeping the whole matrix, filling it
transposed for one input channel). The op's
own values and gradients are tested in test_conv.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from window_strategies import KERNEL_SETTINGS, cases, geometry

from autograd.kernels import conv as kconv
from autograd.kernels.conv import ColumnMatrix
from autograd.kernels.geometry import window_2d
from autograd.kernels.im2col import (
    col2im_rows,
    col2im_rows_numpy,
    im2col_rows,
    im2col_rows_numpy,
    im2col_transposed,
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


# ---------------------------------------------------------------- the column matrix


@st.composite
def column_cases(draw):
    """A case, a ColumnMatrix over it (ones column and keep drawn), and a tile size
    small enough that there are several blocks, ragged last block included."""
    case = draw(cases())
    return case, draw(st.booleans()), draw(st.booleans()), draw(st.integers(1, 7))


def full_im2col(x, win, width):
    want = np.ones((int(np.prod((x.shape[0], win.out_h, win.out_w))), width), x.dtype)
    im2col_rows_numpy(x, want, 0, *geometry(win))
    return want


@KERNEL_SETTINGS
@given(column_cases())
def test_column_matrix_blocks_are_im2col_of_x(params):
    case, ones_column, keep, tile_rows = params
    x = case.x()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kconv, "MIN_TILE_ROWS", 1)
        mp.setattr(kconv, "TILE_BYTES", tile_rows * (x.shape[3] * case.window.kh
                                                     * case.window.kw + 1) * x.itemsize)
        cols = ColumnMatrix(x, case.window, ones_column=ones_column, keep=keep)
    assert cols.width == cols.k + ones_column == case.window.kh * case.window.kw * x.shape[3] \
        + ones_column
    blocks = cols.blocks()
    # the blocks tile rows 0 .. P in order, each at most rows_per_block long
    assert blocks[0].start == 0 and blocks[-1].stop == cols.pixels
    assert all(a.stop == b.start for a, b in zip(blocks, blocks[1:]))
    assert all(0 < r.stop - r.start <= cols.rows_per_block for r in blocks)
    want = full_im2col(x, case.window, cols.width)  # ones in the extra column
    for _pass in range(2):  # a second pass (backward after forward) sees the same rows
        for rows in blocks:
            np.testing.assert_array_equal(cols.block(rows), want[rows])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_matrix_copies_bits_exactly_through_uint32_words(dtype):
    # ColumnMatrix hands im2col uint32 views (as_words): nan payloads, -0.0 and
    # infinities must come out as they went in, the bias's ones column untouched.
    x = np.random.default_rng(1).standard_normal((2, 5, 4, 3)).astype(dtype)
    x[0, 0, 0] = [np.nan, -0.0, np.inf]
    x[1, 2, 3] = [-np.inf, np.float64(np.nan) * -1, 1e-30]
    win = window_2d("t", x.shape, (3, 2), (2, 1), (1, 1), "same")
    cols = ColumnMatrix(x, win, ones_column=True)
    want = full_im2col(x, win, cols.width)
    got = np.concatenate([cols.block(rows).copy() for rows in cols.blocks()])
    assert got.dtype == dtype
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))
    assert (got[:, -1] == 1).all()


def test_a_kept_column_matrix_is_filled_once_and_read_back():
    x = np.random.default_rng(0).standard_normal((2, 5, 4, 2))
    win = window_2d("t", x.shape, (2, 2), (1, 1), (1, 1), "same")
    cols = ColumnMatrix(x, win, ones_column=True, keep=True)
    first = [cols.block(rows) for rows in cols.blocks()]
    x[...] = np.nan  # a second pass must not rebuild from x
    for rows, block in zip(cols.blocks(), first, strict=True):
        assert np.shares_memory(cols.block(rows), block)
        assert not np.isnan(cols.block(rows)).any()


def test_a_pointwise_column_matrix_is_x_itself():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    win = window_2d("t", x.shape, (1, 1), (1, 1), (1, 1), "valid")
    cols = ColumnMatrix(x, win)
    (rows,) = cols.blocks()
    assert np.shares_memory(cols.block(rows), x)
    np.testing.assert_array_equal(cols.block(rows), x.reshape(-1, 5))
    with_ones = ColumnMatrix(x, win, ones_column=True)  # needs room for the ones: a copy
    np.testing.assert_array_equal(with_ones.block(rows), full_im2col(x, win, 6))


@KERNEL_SETTINGS
@given(cases(), st.integers(0, 2))
def test_im2col_transposed_is_the_transpose_of_the_column_matrix(case, extra):
    x = case.x()
    k = case.window.kh * case.window.kw * x.shape[3]
    cols_t = np.full((k + extra, int(np.prod(case.out_shape[:3]))), np.nan, dtype=x.dtype)
    cols_t[k:] = 7  # rows after the window, which it must leave alone
    im2col_transposed(x, cols_t, *geometry(case.window))
    want = full_im2col(x, case.window, k)
    np.testing.assert_array_equal(cols_t[:k].T, want)  # padding cells included: no nan left
    assert (cols_t[k:] == 7).all()


@pytest.mark.parametrize("channels", [1, 3])
def test_up_to_three_channels_give_a_transposed_column_matrix_when_small(channels):
    x = np.random.default_rng(0).standard_normal((3, 7, 6, channels))
    win = window_2d("t", x.shape, (3, 3), (2, 1), (1, 1), "same")
    cols = ColumnMatrix(x, win, ones_column=True)
    assert cols.transposed
    want = full_im2col(x, win, cols.width)
    x[...] = np.nan  # filled whole at construction: the blocks never read x again
    for rows in cols.blocks():
        np.testing.assert_array_equal(cols.block(rows), want[rows])
    # four channels, or a matrix above TRANSPOSED_COLS_BYTES, keep the row-by-row im2col
    four = np.ones((3, 7, 6, 4))
    assert not ColumnMatrix(four, window_2d("t", four.shape, (3, 3), (1, 1), (1, 1),
                                            "same")).transposed
    big = np.ones((64, 224, 224, 1))
    assert not ColumnMatrix(big, window_2d("t", big.shape, (3, 3), (1, 1), (1, 1),
                                           "same")).transposed


@KERNEL_SETTINGS
@given(blocks())
def test_add_back_is_col2im(block):
    case, p0, rows = block
    x = case.x()
    cols = ColumnMatrix(x, case.window)
    d_block = case.rng().standard_normal((rows, cols.k)).astype(case.dtype)
    got, want = np.ones_like(x), np.ones_like(x)  # both add into what is there
    cols.add_back(d_block, slice(p0, p0 + rows), got)
    col2im_rows_numpy(d_block, want, p0, *geometry(case.window))
    np.testing.assert_allclose(got, want, **tolerance(case.dtype))


def test_each_kernel_is_compiled_for_float32_and_float64_only(monkeypatch):
    # as_kernel_array in the ops keeps the argument types to these two (and im2col,
    # which only copies, gets both as uint32 words); another specialization would
    # mean a silent extra compile for some input.
    import autograd

    seen = {"im2col_rows": set(), "col2im_rows": set()}

    def recording(name, kernel):
        def call(a, b, *rest):
            seen[name].add((a.dtype.name, b.dtype.name, a.flags.c_contiguous,
                            b.flags.c_contiguous, a.flags.writeable))
            return kernel(a, b, *rest)
        return call

    monkeypatch.setattr(kconv, "im2col_rows", recording("im2col_rows", im2col_rows))
    monkeypatch.setattr(kconv, "col2im_rows", recording("col2im_rows", col2im_rows))
    # four channels: one to three are filled transposed, without im2col_rows
    x64 = np.random.default_rng(0).standard_normal((2, 6, 5, 4))
    for x in (x64, x64.astype(np.float32), x64[:, ::-1], x64.astype(np.int64),
              np.broadcast_to(x64[:1], x64.shape)):
        t = autograd.tensor(x, requires_grad=x.dtype.kind == "f")
        k = autograd.tensor(np.ones((2, 2, 4, 2), x.dtype if x.dtype.kind == "f" else None),
                            requires_grad=True)
        y = autograd.conv2d(t, k, padding="same", strides=2)
        autograd.sum(y * y).backward()  # a non-contiguous, read-only-free upstream grad
    assert seen["im2col_rows"] == {("uint32", "uint32", True, True, True)}, seen
    assert seen["col2im_rows"] == {("float32", "float32", True, True, True),
                                   ("float64", "float64", True, True, True)}, seen


def test_the_column_matrix_is_kept_only_for_few_channels_and_small_sizes():
    small = np.ones((4, 8, 8, 3))
    win = window_2d("t", small.shape, (3, 3), (1, 1), (1, 1), "same")
    assert kconv.keep_column_matrix(small, win)
    many_channels = np.ones((4, 8, 8, 32))
    assert not kconv.keep_column_matrix(many_channels, win)
    big = np.ones((64, 224, 224, 3))
    assert not kconv.keep_column_matrix(big, window_2d("t", big.shape, (3, 3), (1, 1),
                                                       (1, 1), "same"))
