"""kernels/threads.py: OpenBLAS gets the cores that other processes are not running
on (at least one, at most the count it started with), from a snapshot of the
running threads retaken every RECHECK_SECONDS."""

import os
import subprocess
import sys
import time

import pytest

from autograd.kernels import threads
from autograd.kernels.threads import choose_blas_threads


@pytest.mark.parametrize("others, cores, started_with, expected", [
    (0, 2, 2, 2),   # a quiet machine: every thread the process started with
    (1, 2, 2, 1),   # another process holds one of two cores: one thread
    (7, 2, 2, 1),   # never fewer than one
    (1, 4, 4, 3),
    (0, 4, 2, 2),   # never more than the process started with
])
def test_the_policy(others, cores, started_with, expected):
    assert choose_blas_threads(others, cores=cores, started_with=started_with) == expected


def test_the_policy_sets_openblas_threads_and_gives_them_back(monkeypatch):
    calls = []
    monkeypatch.setattr(threads._State, "looked", True)
    monkeypatch.setattr(threads._State, "blas", (lambda: 2, calls.append))
    monkeypatch.setattr(threads._State, "started_with", 2)
    monkeypatch.setattr(threads._State, "current", 2)
    monkeypatch.setattr(threads._State, "checked_at", -1e9)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(threads, "others_running", lambda: 1)
    assert threads.match_blas_threads_to_load() == 1 and calls == [1]
    monkeypatch.setattr(threads, "others_running", lambda: 0)
    assert threads.match_blas_threads_to_load() == 1  # not rechecked yet
    monkeypatch.setattr(threads._State, "checked_at", -1e9)
    assert threads.match_blas_threads_to_load() == 2 and calls == [1, 2]


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux's /proc")
def test_others_running_sees_a_busy_process_and_not_a_stopped_one():
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        busy = max(threads.others_running() for _ in range(20))
        spinner.send_signal(__import__("signal").SIGSTOP)
        time.sleep(0.1)
        # other processes on a shared machine may run too: compare with the spinner's share
        stopped = [threads.others_running() for _ in range(20)]
    finally:
        spinner.kill()
        spinner.wait()
    assert busy >= 1
    assert min(stopped) < busy


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
