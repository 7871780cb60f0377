"""The LSTM step kernels (autograd/kernels/recurrent.py) against their NumPy twins,
jitted and as plain Python (what NUMBA_DISABLE_JIT=1 runs), with and without
masked steps."""

import numpy as np
import pytest

from autograd.kernels.recurrent import (
    lstm_backward_step,
    lstm_backward_step_numpy,
    lstm_forward_step,
    lstm_forward_step_numpy,
)

pytestmark = pytest.mark.kernels

B, T, N = 3, 4, 5


def _inputs(dtype, masked, seed=0):
    rng = np.random.default_rng(seed)
    gates = rng.random((B, T, 4 * N)).astype(dtype)  # i, f, o in (0, 1); g in (-1, 1) below
    gates[:, :, 2 * N:3 * N] = 2 * gates[:, :, 2 * N:3 * N] - 1
    keep = np.ones((B, T), dtype)
    if masked:
        keep[0, 1] = keep[2, 3] = keep[1, 0] = 0
    return {
        "grad": rng.normal(size=(B, T + 1, N)).astype(dtype),
        "dh_next": rng.normal(size=(B, N)).astype(dtype),
        "dc": rng.normal(size=(B, N)).astype(dtype),
        "gates": gates,
        "cs": rng.normal(size=(B, T + 1, N)).astype(dtype),
        "tanh_cs": np.tanh(rng.normal(size=(B, T, N))).astype(dtype),
        "keep": keep,
        "dz": np.full((B, T, 4 * N), np.nan, dtype),
        "dh_skip": np.full((B, N), np.nan, dtype),
    }


def _run(step, arrays):
    a = {k: v.copy() for k, v in arrays.items()}
    for t in reversed(range(T)):  # every step, as LSTMSequence.backward calls it
        step(t, a["grad"], a["dh_next"], a["dc"], a["gates"], a["cs"], a["tanh_cs"], a["keep"],
             a["dz"], a["dh_skip"])
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kernel", [lstm_backward_step, lstm_backward_step.py_func],
                         ids=["jit", "python"])
def test_lstm_backward_step_matches_its_numpy_twin(dtype, masked, kernel):
    arrays = _inputs(dtype, masked)
    got, want = _run(kernel, arrays), _run(lstm_backward_step_numpy, arrays)
    for name in ("dz", "dc", "dh_skip"):
        assert got[name].dtype == dtype
        # the same operations in the same order: equal to the last bit
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
    assert not np.isnan(got["dz"]).any()


def test_lstm_backward_step_at_a_masked_step_passes_the_gradients_through():
    arrays = _inputs(np.float64, masked=True)
    a = {k: v.copy() for k, v in arrays.items()}
    lstm_backward_step(1, a["grad"], a["dh_next"], a["dc"], a["gates"], a["cs"], a["tanh_cs"],
                       a["keep"], a["dz"], a["dh_skip"])
    # batch row 0 is masked at step 1: nothing goes through the cell, all of it skips
    np.testing.assert_array_equal(a["dz"][0, 1], 0)
    np.testing.assert_array_equal(a["dc"][0], arrays["dc"][0])
    np.testing.assert_array_equal(a["dh_skip"][0], arrays["grad"][0, 1] + arrays["dh_next"][0])
    # row 1 is a real step: nothing skips
    np.testing.assert_array_equal(a["dh_skip"][1], 0)


def test_lstm_backward_step_by_hand():
    # one unit, i = f = o = 0.5, g = 0, c_{t-1} = 0, tanh(c_t) = 0; dh = 1, dc = 1:
    # dc_t = 1 + 1 * 0.5 * (1 - 0) = 1.5; dz_g = 1.5 * 0.5 * (1 - 0) = 0.75; the rest 0
    gates = np.array([[[0.5, 0.5, 0.0, 0.5]]])
    dz, dh_skip, dc = np.empty((1, 1, 4)), np.empty((1, 1)), np.ones((1, 1))
    lstm_backward_step(0, np.ones((1, 2, 1)), np.zeros((1, 1)), dc, gates, np.zeros((1, 2, 1)),
                       np.zeros((1, 1, 1)), np.ones((1, 1)), dz, dh_skip)
    np.testing.assert_array_equal(dz[0, 0], [0.0, 0.0, 0.75, 0.0])
    np.testing.assert_array_equal(dc, [[0.75]])  # dc_t * f


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", [lstm_forward_step, lstm_forward_step.py_func],
                         ids=["jit", "python"])
def test_lstm_forward_step_matches_its_numpy_twin(dtype, kernel):
    rng = np.random.default_rng(1)
    tz = np.tanh(rng.normal(size=(B, 4 * N))).astype(dtype)
    cs = rng.normal(size=(B, T + 1, N)).astype(dtype)
    results = []
    for step in (kernel, lstm_forward_step_numpy):
        gates, c_new = np.full((B, T, 4 * N), np.nan, dtype), np.empty((B, N), dtype)
        step(2, tz, cs, gates, c_new)
        results.append((gates, c_new))
    (gates, c_new), (want_gates, want_c) = results
    assert gates.dtype == c_new.dtype == dtype
    np.testing.assert_array_equal(gates, want_gates)  # same operations, same order
    np.testing.assert_array_equal(c_new, want_c)
    assert np.isnan(gates[:, 1]).all() and not np.isnan(gates[:, 2]).any()  # only step 2


def test_lstm_forward_step_by_hand():
    # tanh values 0 for i and f (σ = 0.5), 0.5 for g, 1 for o (σ = 1); c_{t-1} = 2:
    # c_t = 0.5 * 2 + 0.5 * 0.5 = 1.25
    tz = np.array([[0.0, 0.0, 0.5, 1.0]])
    gates, c_new = np.empty((1, 1, 4)), np.empty((1, 1))
    lstm_forward_step(0, tz, np.full((1, 2, 1), 2.0), gates, c_new)
    np.testing.assert_array_equal(gates[0, 0], [0.5, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(c_new, [[1.25]])
