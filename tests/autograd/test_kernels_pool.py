"""The pooling kernels against their NumPy twins and small hand-worked cases:
ties, NaN, -inf, "same" padding, overlapping windows, gaps between windows."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from window_strategies import KERNEL_SETTINGS, cases, pool_geometry

from autograd.kernels.geometry import window_2d
from autograd.kernels.pool import (
    avg_pool_backward,
    avg_pool_backward_numpy,
    avg_pool_forward,
    avg_pool_forward_numpy,
    max_pool_backward,
    max_pool_backward_numpy,
    max_pool_forward,
    max_pool_forward_numpy,
)

pytestmark = pytest.mark.kernels

pool_cases = cases(dilation=False)


def tied_values(case, special):
    """Small integers (many exact ties), sometimes with a NaN or all -inf."""
    x = case.rng().integers(-2, 3, size=case.x_shape).astype(case.dtype)
    if special == "nan":
        x.flat[case.seed % x.size] = np.nan
    elif special == "-inf":
        x[...] = -np.inf
    return x


def run_max_forward(kernel, x, case):
    shape = (*case.out_shape, case.x_shape[3])
    out = np.full(shape, 123.0, dtype=case.dtype)
    arg = np.full(shape, -7, dtype=np.int32)
    kernel(x, out, arg, *pool_geometry(case.window))
    return out, arg


@KERNEL_SETTINGS
@given(pool_cases, st.sampled_from(["plain", "nan", "-inf"]))
def test_max_pool_forward_matches_numpy_twin(case, special):
    x = tied_values(case, special)
    out, arg = run_max_forward(max_pool_forward, x, case)
    want_out, want_arg = run_max_forward(max_pool_forward_numpy, x, case)
    np.testing.assert_array_equal(out, want_out)  # NaN == NaN here
    np.testing.assert_array_equal(arg, want_arg)


@KERNEL_SETTINGS
@given(pool_cases)
def test_max_pool_backward_matches_numpy_twin(case):
    x = tied_values(case, "plain")
    _, arg = run_max_forward(max_pool_forward, x, case)
    grad = case.rng().standard_normal(arg.shape).astype(case.dtype)
    got = np.full(case.x_shape, np.nan, dtype=case.dtype)  # every cell must be written
    want = np.empty(case.x_shape, dtype=case.dtype)
    max_pool_backward(grad, arg, got, *pool_geometry(case.window))
    max_pool_backward_numpy(grad, arg, want, *pool_geometry(case.window))
    np.testing.assert_allclose(got, want, rtol=1e-6)


@KERNEL_SETTINGS
@given(pool_cases)
def test_avg_pool_forward_and_backward_match_numpy_twins(case):
    x = case.x()
    shape = (*case.out_shape, case.x_shape[3])
    out, want = np.empty(shape, case.dtype), np.empty(shape, case.dtype)
    avg_pool_forward(x, out, *pool_geometry(case.window))
    avg_pool_forward_numpy(x, want, *pool_geometry(case.window))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    grad = case.rng().standard_normal(shape).astype(case.dtype)
    dx, dx_want = np.full(x.shape, np.nan, case.dtype), np.empty(x.shape, case.dtype)
    avg_pool_backward(grad, dx, *pool_geometry(case.window))
    avg_pool_backward_numpy(grad, dx_want, *pool_geometry(case.window))
    np.testing.assert_allclose(dx, dx_want, rtol=1e-5, atol=1e-6)


def geometry_of(x_shape, size, strides, padding="valid"):
    return pool_geometry(window_2d("t", x_shape, size, strides, (1, 1), padding))


def test_max_pool_ties_go_to_the_first_cell_in_row_major_order():
    x = np.array([[3.0, 1.0], [3.0, 3.0]]).reshape(1, 2, 2, 1)
    out, arg = np.empty((1, 1, 1, 1)), np.empty((1, 1, 1, 1), np.int32)
    geo = geometry_of(x.shape, (2, 2), (2, 2))
    max_pool_forward(x, out, arg, *geo)
    assert out.item() == 3.0 and arg.item() == 0
    dx = np.empty_like(x)
    max_pool_backward(np.array([5.0]).reshape(1, 1, 1, 1), arg, dx, *geo)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[5.0, 0.0], [0.0, 0.0]])


def test_max_pool_padding_never_wins_even_over_negative_values():
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # all negative: a zero pad would win
    geo = geometry_of(x.shape, (2, 2), (2, 2), "same")  # out 2x2, pad bottom/right
    out, arg = np.empty((1, 2, 2, 1)), np.empty((1, 2, 2, 1), np.int32)
    max_pool_forward(x, out, arg, *geo)
    np.testing.assert_array_equal(out[0, :, :, 0], [[-1.0, -3.0], [-7.0, -9.0]])
    np.testing.assert_array_equal(arg[0, :, :, 0], [[0, 0], [0, 0]])


def test_max_pool_backward_adds_where_overlapping_windows_share_a_winner():
    x = np.array([0.0, 9.0, 0.0, 0.0]).reshape(1, 1, 4, 1)
    geo = geometry_of(x.shape, (1, 3), (1, 1))  # two windows, both won by the 9
    out, arg = np.empty((1, 1, 2, 1)), np.empty((1, 1, 2, 1), np.int32)
    max_pool_forward(x, out, arg, *geo)
    dx = np.full_like(x, np.nan)
    max_pool_backward(np.array([1.0, 2.0]).reshape(1, 1, 2, 1), arg, dx, *geo)
    np.testing.assert_array_equal(dx.ravel(), [0.0, 3.0, 0.0, 0.0])


def test_max_pool_backward_zeroes_cells_between_and_after_windows():
    x = np.arange(1.0, 50.0).reshape(1, 7, 7, 1)
    geo = geometry_of(x.shape, (2, 2), (3, 3))  # 2x2 windows every 3 cells: gaps
    out, arg = np.empty((1, 2, 2, 1)), np.empty((1, 2, 2, 1), np.int32)
    max_pool_forward(x, out, arg, *geo)
    dx = np.full_like(x, np.nan)
    max_pool_backward(np.ones((1, 2, 2, 1)), arg, dx, *geo)
    expected = np.zeros((7, 7))
    expected[[1, 1, 4, 4], [1, 4, 1, 4]] = 1.0  # bottom-right cell of each window
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def test_avg_pool_counts_only_cells_inside_the_image():
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    geo = geometry_of(x.shape, (2, 2), (2, 2), "same")
    out = np.empty((1, 2, 2, 1))
    avg_pool_forward(x, out, *geo)
    np.testing.assert_allclose(out[0, :, :, 0], [[3.0, 4.5], [7.5, 9.0]])
