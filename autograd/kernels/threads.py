"""How many threads OpenBLAS may use for a convolution's matmuls: as many as
there are cores that no other process is running on, at least one.

OpenBLAS's threads wait for each other at the end of every call, spinning. When
another process holds one of the two cores, a thread waits for a partner that is
not running, and a convolution makes hundreds of such calls per step: measured
on the MNIST convnet at a load average of 13-17 on this 2-core machine, a fit
step took 246 ms on one BLAS thread and 2,900 ms on two (benchmarks/README.md).
So before its matmuls a convolution calls ``match_blas_threads_to_load()``, which
counts the threads of *other* processes that are running or ready to run right
now (Linux's ``procs_running`` in ``/proc/stat``, minus this process's own running
threads, so that our own spinning BLAS threads do not count) and gives OpenBLAS
the cores left over: ``cores - others``, between 1 and the thread count the
process started with.

Why a snapshot and not the load average: the 1-minute load average lags by a
minute, so it kept two threads for the first minute of a competing process
(the collapse above) and one thread for a minute after it stopped. A snapshot
is wrong only for the next ``RECHECK_SECONDS``, when it is retaken.

``GRADSTACK_THREADS=fixed`` in the environment turns the policy off (the BLAS
keeps whatever it was given), and nothing happens where the BLAS is not NumPy's
OpenBLAS or ``/proc`` cannot be read.

>>> choose_blas_threads(others_running=1, cores=2, started_with=2)
1
>>> choose_blas_threads(others_running=0, cores=2, started_with=2)
2
>>> choose_blas_threads(others_running=5, cores=2, started_with=2)
1
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from collections.abc import Callable

RECHECK_SECONDS = 0.25


def choose_blas_threads(others_running: int, cores: int, started_with: int) -> int:
    """The policy above, as a pure function."""
    return max(1, min(started_with, cores - others_running))


def others_running() -> int:
    """Threads of other processes running or runnable now (Linux; OSError elsewhere)."""
    with open("/proc/stat") as f:
        running = next(int(line.split()[1]) for line in f if line.startswith("procs_running"))
    own = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:  # the thread ended meanwhile
            continue
        own += state == "R"
    return max(0, running - own)


def _openblas() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """(get, set) of the thread count of the OpenBLAS loaded in this process, or None."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted(set(re.findall(r"/\S*openblas\S*\.so\S*", f.read())))
    except OSError:  # not Linux
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                return get, set_
    return None


class _State:
    blas: tuple | None = None
    looked = False
    started_with = 0
    current = 0
    checked_at = -1e9


def match_blas_threads_to_load() -> int:
    """Apply the policy (at most once every RECHECK_SECONDS); return the BLAS thread
    count now in force (0 when the policy is off or cannot apply)."""
    now = time.monotonic()
    if now - _State.checked_at < RECHECK_SECONDS:
        return _State.current
    _State.checked_at = now
    if not _State.looked:
        _State.looked = True
        if os.environ.get("GRADSTACK_THREADS") != "fixed":
            _State.blas = _openblas()
        if _State.blas is not None:
            _State.started_with = _State.current = int(_State.blas[0]())
    if _State.blas is None or _State.started_with < 2:
        return _State.current
    try:
        others = others_running()
        cores = len(os.sched_getaffinity(0))
    except (OSError, AttributeError, StopIteration):  # no /proc or affinity here
        return _State.current
    wanted = choose_blas_threads(others, cores, _State.started_with)
    if wanted != _State.current:
        _State.blas[1](wanted)
        _State.current = wanted
    return _State.current
