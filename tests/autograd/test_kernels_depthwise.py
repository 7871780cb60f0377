"""The depthwise kernels against their NumPy twins, on every awkward window
(strides larger than the kernel, dilation, both paddings), and one case by hand."""

import numpy as np
import pytest
from hypothesis import given
from window_strategies import KERNEL_SETTINGS, cases

from autograd.kernels.depthwise import (
    depthwise_backward,
    depthwise_backward_numpy,
    depthwise_forward,
    depthwise_forward_numpy,
)

pytestmark = pytest.mark.kernels


def window_args(win):
    return (win.sh, win.sw, win.dh, win.dw, win.pad_top, win.pad_left)


def tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@KERNEL_SETTINGS
@given(cases(max_channels=5))
def test_forward_matches_numpy_twin(case):
    x = case.x()
    kernel = case.rng().standard_normal((*case.kernel_size, case.x_shape[3])).astype(case.dtype)
    start = np.full((*case.out_shape, case.x_shape[3]), 0.5, dtype=case.dtype)  # added onto
    out, want = start.copy(), start.copy()
    depthwise_forward(x, kernel, out, *window_args(case.window))
    depthwise_forward_numpy(x, kernel, want, *window_args(case.window))
    np.testing.assert_allclose(out, want, **tolerance(case.dtype))


@KERNEL_SETTINGS
@given(cases(max_channels=5))
def test_backward_matches_numpy_twin(case):
    rng = case.rng()
    x = case.x()
    kernel = rng.standard_normal((*case.kernel_size, case.x_shape[3])).astype(case.dtype)
    grad = rng.standard_normal((*case.out_shape, case.x_shape[3])).astype(case.dtype)
    got = (np.ones_like(x), np.ones_like(kernel))  # both are added into
    want = (np.ones_like(x), np.ones_like(kernel))
    depthwise_backward(x, kernel, grad, *got, *window_args(case.window))
    depthwise_backward_numpy(x, kernel, grad, *want, *window_args(case.window))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, **tolerance(case.dtype))


def test_by_hand_stride_two_with_padding():
    """A 4x4 image of ones, a 3x3 kernel of ones, stride 2, "same" padding (TensorFlow's:
    0 rows on top, 1 at the bottom): the windows at (0, 0), (0, 2), (2, 0), (2, 2) cover
    9, 6, 6 and 4 cells of the image."""
    x = np.ones((1, 4, 4, 1))
    out = np.zeros((1, 2, 2, 1))
    depthwise_forward(x, np.ones((3, 3, 1)), out, 2, 2, 1, 1, 0, 0)
    np.testing.assert_array_equal(out[0, :, :, 0], [[9.0, 6.0], [6.0, 4.0]])
    dx, dk = np.zeros_like(x), np.zeros((3, 3, 1))
    depthwise_backward(x, np.ones((3, 3, 1)), np.ones_like(out), dx, dk, 2, 2, 1, 1, 0, 0)
    # each cell receives one 1 per window that covers it; row/column 2 is in two windows
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 1, 2, 1], [1, 1, 2, 1],
                                                   [2, 2, 4, 2], [1, 1, 2, 1]])
    # kernel cell (i, j) met an image cell in 4, 2 or 1 of the windows
    np.testing.assert_array_equal(dk[:, :, 0], [[4, 4, 2], [4, 4, 2], [2, 2, 1]])
