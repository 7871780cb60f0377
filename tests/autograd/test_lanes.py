"""kernels/lanes.py: pooling splits a batch into two lanes of images run on two
threads; results must not depend on how (or whether) the lanes are split."""

import threading
import time

import numpy as np
import pytest

import autograd
from autograd.kernels import lanes


def test_lanes_cover_the_batch_in_order_and_depend_on_the_batch_only():
    assert lanes.image_lanes(7, 10**9) == [slice(0, 4), slice(4, 7)]
    assert lanes.image_lanes(2, 10**9) == [slice(0, 1), slice(1, 2)]
    assert lanes.image_lanes(1, 10**9) == [slice(0, 1)]
    assert lanes.image_lanes(64, lanes.MIN_SPLIT_WORK - 1) == [slice(0, 64)]  # too small


def test_the_second_lane_runs_on_another_thread(monkeypatch):
    monkeypatch.setattr(lanes, "lane_threads", lambda: 2)
    seen = lanes.run_lanes(lambda lane: (lane, threading.get_ident()), ["a", "b"])
    assert [lane for lane, _ in seen] == ["a", "b"]  # results in lane order
    assert seen[0][1] == threading.get_ident() and seen[1][1] != threading.get_ident()


def test_one_thread_runs_the_lanes_one_after_the_other(monkeypatch):
    monkeypatch.setenv("GRADSTACK_POOL_THREADS", "1")
    assert lanes.lane_threads() == 1
    idents = lanes.run_lanes(lambda lane: threading.get_ident(), [0, 1])
    assert idents == [threading.get_ident()] * 2


def test_an_error_in_a_lane_reaches_the_caller_after_every_lane_stopped(monkeypatch):
    monkeypatch.setattr(lanes, "lane_threads", lambda: 2)
    finished = []

    def task(lane):
        if lane == 0:
            raise ValueError("lane 0 failed")
        time.sleep(0.05)
        finished.append(lane)

    with pytest.raises(ValueError, match="lane 0 failed"):
        lanes.run_lanes(task, [0, 1])
    assert finished == [1]  # the other lane had stopped before the error was raised
    with pytest.raises(ZeroDivisionError):
        lanes.run_lanes(lambda lane: 1 / lane, [1, 0])  # from the worker's lane too


def _pool_results(op, x, grad):
    t = autograd.tensor(x, requires_grad=True)
    out = op(t)
    out.backward(autograd.tensor(grad))
    return out.numpy(), t.grad.numpy()


@pytest.mark.parametrize("op", [
    lambda t: autograd.max_pool2d(t, 2),
    lambda t: autograd.max_pool2d(t, 3, strides=2, padding="same"),
    lambda t: autograd.avg_pool2d(t, 3, strides=2, padding="same"),
], ids=["max 2", "max 3 s2 same (overlapping)", "avg 3 s2 same"])
def test_pooling_gives_the_same_bits_in_two_lanes_one_lane_or_one_thread(op, monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9, 30, 30, 8)).astype(np.float32)  # 64,800 values: two lanes
    monkeypatch.setattr(lanes, "MIN_SPLIT_WORK", 1000)
    assert len(lanes.image_lanes(9, x.size)) == 2
    out = op(autograd.tensor(x))
    grad = rng.normal(size=out.shape).astype(np.float32)
    monkeypatch.setattr(lanes, "lane_threads", lambda: 2)
    two_threads = _pool_results(op, x, grad)
    monkeypatch.setattr(lanes, "lane_threads", lambda: 1)
    one_thread = _pool_results(op, x, grad)
    monkeypatch.setattr(lanes, "MIN_SPLIT_WORK", 10**18)
    one_lane = _pool_results(op, x, grad)
    for a, b, c in zip(two_threads, one_thread, one_lane):
        assert a.tobytes() == b.tobytes() == c.tobytes()


# ------------------------------------------------ convolutions in lanes (kernels/conv.py)


def _conv_lanes(monkeypatch, two: bool):
    """Two lanes side by side for any batch of two or more images, or always one."""
    from autograd.kernels import conv as kconv

    monkeypatch.setattr(kconv, "LANE_MIN_WORK", 1000 if two else 10**18)  # its own limit
    monkeypatch.setattr(lanes, "lane_threads", lambda: 2)
    # the BLAS thread count is the process's: leave it as it is
    monkeypatch.setattr(kconv, "hold_one_blas_thread", lambda: True)
    return kconv


def _run(op, arrays, grad):
    leaves = [autograd.tensor(a, requires_grad=True) for a in arrays]
    out = op(*leaves)
    out.backward(autograd.tensor(grad))
    return [out.numpy()] + [leaf.grad.numpy() for leaf in leaves]


def test_conv2d_in_two_lanes_matches_the_twin(monkeypatch):
    """conv2d + bias + relu on five images (lanes of three and two), float64: values and
    all three gradients against the NumPy twin. Dropping either lane's kernel or bias
    gradient, or writing a lane's images to the wrong place, fails here."""
    from autograd.kernels.geometry import window_2d
    from autograd.ops.conv import conv2d_backward_numpy, conv2d_numpy

    kconv = _conv_lanes(monkeypatch, two=True)
    rng = np.random.default_rng(5)
    x, k, b = rng.normal(size=(5, 9, 8, 4)), rng.normal(size=(3, 3, 4, 6)), rng.normal(size=6)
    win = window_2d("conv2d", x.shape, (3, 3), (1, 1), (1, 1), "same")
    assert kconv.conv_lanes(5, 5 * 9 * 8 * 36) == [slice(0, 3), slice(3, 5)]
    g = rng.normal(size=(5, 9, 8, 6))
    got = _run(lambda *t: autograd.conv2d(*t, padding="same", activation="relu"), (x, k, b), g)
    y = conv2d_numpy(x, k, b, win)
    want = [np.maximum(y, 0), *conv2d_backward_numpy(x, k, g * (y > 0), win)]
    for a, w in zip(got, want, strict=True):
        np.testing.assert_allclose(a, w, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["conv2d", "conv2d keeping its column matrix",
                                  "conv2d_transpose"])
def test_convolutions_give_the_one_lane_results_in_two_lanes(kind, monkeypatch):
    rng = np.random.default_rng(6)
    if kind == "conv2d_transpose":
        arrays = (rng.normal(size=(5, 6, 7, 3)), rng.normal(size=(3, 3, 4, 3)),
                  rng.normal(size=4))

        def op(*t):
            return autograd.conv2d_transpose(*t, strides=2, padding="same")
    else:  # two channels: the transposed column matrix, kept for backward when asked
        arrays = (rng.normal(size=(5, 10, 9, 2)), rng.normal(size=(3, 2, 2, 3)),
                  rng.normal(size=3))

        def op(*t):
            return autograd.conv2d(*t, strides=(2, 1), dilation_rate=(1, 2))
        if kind == "conv2d":
            from autograd.kernels import conv as kconv
            monkeypatch.setattr(kconv, "TRANSPOSED_MAX_CHANNELS", 0)  # im2col_rows
            monkeypatch.setattr(kconv, "KEEP_COLS_MAX_CHANNELS", 0)  # refilled in backward
    grad = rng.normal(size=op(*(autograd.tensor(a) for a in arrays)).shape)
    _conv_lanes(monkeypatch, two=False)
    one_lane = _run(op, arrays, grad)
    _conv_lanes(monkeypatch, two=True)
    two_lanes = _run(op, arrays, grad)
    for a, b in zip(two_lanes, one_lane, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_a_convolution_stays_in_one_lane_when_the_blas_cannot_be_held(monkeypatch):
    kconv = _conv_lanes(monkeypatch, two=True)
    monkeypatch.setattr(kconv, "hold_one_blas_thread", lambda: False)
    assert kconv.conv_lanes(8, 10**9) == [slice(0, 8)]


@pytest.mark.parametrize("variables, expected", [
    ({}, 2),
    ({"OMP_NUM_THREADS": "1"}, 1),  # one core asked for: the lanes keep to it
    ({"OPENBLAS_NUM_THREADS": "1"}, 1),
    ({"GRADSTACK_POOL_THREADS": "2", "OMP_NUM_THREADS": "1"}, 2),  # ours first
    ({"OMP_NUM_THREADS": "many"}, 2),  # not a number: ignored
])
def test_the_lanes_keep_to_the_thread_count_a_user_sets(variables, expected, monkeypatch):
    monkeypatch.setattr(lanes.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    for variable in lanes.THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    assert lanes.lane_threads() == expected


def test_lane_results_come_back_together_in_lane_order():
    first, second = np.float32(1e8), np.float32(1.0)
    assert lanes.sum_in_lane_order([first, second, -first]) == np.float32(0.0)  # in order
    assert lanes.sum_in_lane_order([None, None]) is None
    a, b = np.zeros((2, 3)), np.ones((1, 3))
    assert lanes.join_lane_images([a]) is a  # one lane: no copy
    assert lanes.join_lane_images([a, b]).tolist() == [[0.0] * 3, [0.0] * 3, [1.0] * 3]
    assert lanes.join_lane_images([None]) is None
    assert lanes.image_lanes(8, 500, min_work=400) == [slice(0, 4), slice(4, 8)]
    assert lanes.image_lanes(8, 500, min_work=600) == [slice(0, 8)]
