"""Grader tests of the fixture hw3 (never exported)."""

import numpy as np

from autograd.kernels import pool


def _pooled(kernel, x, kh, kw, sh, sw, pt, pl, out_h, out_w):
    out = np.empty((x.shape[0], out_h, out_w, x.shape[3]))
    arg = np.zeros(out.shape, np.int32)
    kernel(x, out, arg, kh, kw, sh, sw, pt, pl)
    return out, arg


def test_max_pool_kernel_matches_twin():
    rng = np.random.default_rng(4)
    x = rng.permutation(2 * 5 * 5 * 3).reshape(2, 5, 5, 3).astype(np.float64)  # no ties
    for geometry in [(2, 2, 2, 2, 0, 0, 2, 2), (3, 3, 2, 2, 1, 1, 3, 3)]:
        got = _pooled(pool.max_pool_forward, x, *geometry)
        want = _pooled(pool.max_pool_forward_numpy, x, *geometry)
        assert np.array_equal(got[0], want[0]), f"kernel and twin differ for {geometry}"
        assert np.array_equal(got[1], want[1]), f"argmax differs for {geometry}"


def test_max_pool_twin_by_hand():
    x = np.array([[1.0, 9.0, 2.0], [4.0, 3.0, 8.0], [7.0, 6.0, 5.0]]).reshape(1, 3, 3, 1)
    out, arg = _pooled(pool.max_pool_forward_numpy, x, 2, 2, 1, 1, 0, 0, 2, 2)
    assert out[0, :, :, 0].tolist() == [[9, 9], [7, 8]], "the twin's window maxima are wrong"
    assert arg[0, :, :, 0].tolist() == [[1, 0], [2, 1]], "the twin's argmax positions are wrong"
