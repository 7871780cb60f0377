"""Public test of the fixture hw3: the max-pool forward kernel on a case worked by hand."""

import numpy as np

from autograd.kernels import pool


def test_max_pool_forward_by_hand():
    # 0..15 in a 4x4 image: each 2x2 window's maximum is its bottom-right cell (k = 3).
    x = np.arange(16, dtype=np.float64).reshape(1, 4, 4, 1)
    out = np.empty((1, 2, 2, 1))
    arg = np.zeros((1, 2, 2, 1), np.int32)
    pool.max_pool_forward(x, out, arg, 2, 2, 2, 2, 0, 0)
    assert out[0, :, :, 0].tolist() == [[5, 7], [13, 15]], f"maxima {out[0, :, :, 0].tolist()}"
    assert (arg == 3).all(), f"winning positions {arg[0, :, :, 0].tolist()}, expected all 3"
