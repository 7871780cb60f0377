"""kernels/threads.py: the first choice from what else runs at that moment; then one
OpenBLAS thread while the load average is above the cores, the starting count again
once it is below (not within the first minute), no change in between."""

import pytest

from autograd.kernels import threads
from autograd.kernels.threads import choose_blas_threads, first_blas_threads


@pytest.mark.parametrize("load, current, expected", [
    (3.0, 2, 1),   # busier than 2 cores: one thread
    (2.6, 1, 1),
    (2.0, 1, 1),   # in the gap: keep the choice (our own threads count in the load)
    (2.0, 2, 2),
    (1.4, 1, 2),   # quiet again: back to the count the process started with
    (0.1, 2, 2),
])
def test_the_policy_with_two_cores(load, current, expected):
    assert choose_blas_threads(load, cores=2, current=current, started_with=2) == expected


@pytest.mark.parametrize("looks, expected", [
    ([0, 0, 0, 0, 0], 2),  # nothing else running: both cores
    ([1, 1, 1, 1, 1], 1),  # a process spinning on one core: the other one
    ([0, 3, 0, 1, 0], 2),  # short-lived processes in two looks of five: the median
    ([1, 2, 4, 2, 1], 1),  # a crowded machine: still at least one thread
])
def test_the_first_choice_takes_the_cores_the_median_look_found_free(looks, expected):
    assert first_blas_threads(looks, cores=2, started_with=2) == expected


def test_others_running_reads_this_machine():
    assert threads.others_running() >= 0


@pytest.fixture
def policy(monkeypatch):
    """The policy's state as at the start of a process with two BLAS threads; returns
    the list of thread counts it gives OpenBLAS, and a clock to move."""
    calls, clock = [], [1000.0]
    monkeypatch.setattr(threads._State, "looked", True)
    monkeypatch.setattr(threads._State, "blas", (lambda: 2, calls.append))
    monkeypatch.setattr(threads._State, "started_with", 2)
    monkeypatch.setattr(threads._State, "current", 2)
    monkeypatch.setattr(threads._State, "checked_at", -1e9)
    monkeypatch.setattr(threads._State, "first_look_at", None)
    monkeypatch.setattr(threads._State, "held", False)
    monkeypatch.setattr(threads.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(threads.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1})
    return calls, clock


def test_a_busy_first_look_gives_one_thread_until_the_load_average_has_caught_up(
        policy, monkeypatch):
    calls, clock = policy
    monkeypatch.setattr(threads, "others_running", lambda: 1)  # a spinner, just started
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.3, 0.1, 0.0))  # lags behind it
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]
    clock[0] += 30  # the load average still shows the quiet minute before
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]
    clock[0] += 31  # a minute on, and the load average is still low: the spinner stopped
    assert threads.match_blas_threads_to_load() == 2 and calls == [1, 2]


def test_the_load_average_rule_after_a_quiet_first_look(policy, monkeypatch):
    calls, clock = policy
    monkeypatch.setattr(threads, "others_running", lambda: 0)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    assert threads.match_blas_threads_to_load() == 2 and calls == []  # the look decides
    clock[0] += 2
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]  # then the load
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    clock[0] += 1
    assert threads.match_blas_threads_to_load() == 1  # not rechecked within 2 s
    clock[0] += 60
    assert threads.match_blas_threads_to_load() == 2 and calls == [1, 2]


def test_numpys_openblas_is_found():
    blas = threads._openblas()
    if blas is None:
        pytest.skip("NumPy is not linked to OpenBLAS here")
    get, set_ = blas
    before = get()
    try:
        set_(1)
        assert get() == 1
    finally:
        set_(before)


def test_holding_one_thread_is_for_good(policy, monkeypatch):
    """Convolutions in lanes hold OpenBLAS at one thread: once, and the load rule then
    never raises it again."""
    calls, clock = policy
    monkeypatch.setattr(threads._State, "held", False)
    monkeypatch.setattr(threads, "others_running", lambda: 0)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert threads.match_blas_threads_to_load() == 2 and calls == []
    assert threads.hold_one_blas_thread() is True and calls == [1]
    assert threads.hold_one_blas_thread() is True and calls == [1]  # set once
    clock[0] += 120  # quiet for two minutes: the load rule would give two threads back
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]


def test_no_hold_where_the_thread_count_is_not_ours(policy, monkeypatch):
    monkeypatch.setattr(threads._State, "held", False)
    monkeypatch.setattr(threads._State, "blas", None)  # GRADSTACK_THREADS=fixed, or no OpenBLAS
    assert threads.hold_one_blas_thread() is False
