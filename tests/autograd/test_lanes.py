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
