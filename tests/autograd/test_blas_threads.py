"""kernels/threads.py: one OpenBLAS thread while the load average is above the cores,
the starting count again once it is below, no change in between."""

import pytest

from autograd.kernels import threads
from autograd.kernels.threads import choose_blas_threads


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


def test_the_policy_sets_openblas_threads_and_gives_them_back(monkeypatch):
    calls = []
    monkeypatch.setattr(threads._State, "looked", True)
    monkeypatch.setattr(threads._State, "blas", (lambda: 2, calls.append))
    monkeypatch.setattr(threads._State, "started_with", 2)
    monkeypatch.setattr(threads._State, "current", 2)
    monkeypatch.setattr(threads._State, "checked_at", -1e9)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert threads.match_blas_threads_to_load() == 1  # not rechecked within 2 s
    monkeypatch.setattr(threads._State, "checked_at", -1e9)
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
