"""How many threads OpenBLAS may use for a convolution's matmuls: all of them only
while the machine has the cores free.

OpenBLAS's threads wait for each other at the end of every call, spinning. When
another process holds one of the two cores, a thread waits for a partner that is
not running, and a convolution makes hundreds of such calls per step: measured
on the MNIST convnet at a load average of 13-17 on this 2-core machine, a fit
step took 246 ms on one BLAS thread and 2,900 ms on two (benchmarks/README.md).
So before its matmuls a convolution calls ``match_blas_threads_to_load()``:

- the first time, it looks at what else is running right now: the threads of
  other processes that are running or ready to run (Linux's ``procs_running`` in
  ``/proc/stat``, minus this process's own running threads), the median of a few
  looks 2 ms apart. OpenBLAS gets the cores left over, at least one. (The load
  average lags by a minute: it does not yet show a process that started just
  before, such as a browser busy on a student's laptop.)
- after that, the 1-minute load average: above the cores + 0.5, one BLAS thread;
  below the cores - 0.5, back to the thread count the process started with (but
  not within the first minute, while the load average still shows the past); in
  between, no change (our own threads count in the load, so without this gap the
  choice would flip back and forth).

Once a convolution runs in two lanes of its own (``conv.py``), it holds OpenBLAS at
one thread for the rest of the process (``hold_one_blas_thread``), and this policy
has nothing left to choose.

Why not the snapshot every time: the BLAS thread count changes float32 results in
the last bits, and a count that followed every short-lived process made two
identical trainings in one process differ. The load average changes slowly, so
the count rarely changes within a process; ``GRADSTACK_THREADS=fixed`` in the
environment turns the policy off (the BLAS keeps whatever it was given, and
convolutions stay in one lane, on the BLAS's threads, as before lanes). Nothing
happens where the BLAS is not NumPy's OpenBLAS or the load is unknown. (Convolutions
in lanes give the same bits whatever the load: their matmuls are on one thread.)

>>> first_blas_threads(others_running=[1, 1, 0, 1, 1], cores=2, started_with=2)
1
>>> choose_blas_threads(load=3.0, cores=2, current=2, started_with=2)
1
>>> choose_blas_threads(load=2.0, cores=2, current=1, started_with=2)  # in the gap
1
>>> choose_blas_threads(load=1.2, cores=2, current=1, started_with=2)
2
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from collections.abc import Callable

RECHECK_SECONDS = 2.0
FIRST_LOOKS = 5  # looks at procs_running, LOOK_GAP_SECONDS apart, at the first call
LOOK_GAP_SECONDS = 0.002
LOAD_CATCHES_UP_SECONDS = 60.0  # no move back up before this long after the first look


def first_blas_threads(others_running: list[int], cores: int, started_with: int) -> int:
    """The first choice: the cores that the median look found free, at least one."""
    others = sorted(others_running)[len(others_running) // 2]
    return max(1, min(started_with, cores - others))


def others_running() -> int:
    """Threads of other processes running or ready to run now (Linux; OSError elsewhere)."""
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


def choose_blas_threads(load: float, cores: int, current: int, started_with: int) -> int:
    """The load-average rule above, as a pure function."""
    if load > cores + 0.5:
        return 1
    if load < cores - 0.5:
        return started_with
    return current


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
    first_look_at = None  # when the first choice was made (time.monotonic())
    held = False  # one thread for good: hold_one_blas_thread()


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
    if _State.blas is None or _State.started_with < 2 or _State.held:
        return _State.current
    try:
        cores = min(len(os.sched_getaffinity(0)), _State.started_with)
        if _State.first_look_at is None:
            looks = []
            for i in range(FIRST_LOOKS):
                time.sleep(LOOK_GAP_SECONDS if i else 0)
                looks.append(others_running())
            _State.first_look_at = now
            wanted = first_blas_threads(looks, cores, _State.started_with)
        else:
            wanted = choose_blas_threads(os.getloadavg()[0], cores, _State.current,
                                         _State.started_with)
            if wanted > _State.current and now - _State.first_look_at < LOAD_CATCHES_UP_SECONDS:
                wanted = _State.current  # the load average still shows the time before
    except (OSError, AttributeError, StopIteration):  # no /proc, load or affinity here
        return _State.current
    if wanted != _State.current:
        _State.blas[1](wanted)
        _State.current = wanted
    return _State.current


def hold_one_blas_thread() -> bool:
    """One OpenBLAS thread from now on, for the rest of the process, so that ops can
    run in two lanes of their own (``conv.conv_lanes``); return whether lanes may run
    side by side. False - stay in one lane - when the thread count is not ours to set
    (``GRADSTACK_THREADS=fixed``, or a BLAS other than OpenBLAS).

    Why for the rest of the process, and not only during the convolution: an idle
    OpenBLAS thread spins for about 0.1 s after every threaded call, on the core that
    the second lane needs. Restoring two threads after each convolution made the MNIST
    convnet's training step 1.42x slower (benchmarks/README.md, "Convolutions in lanes").
    """
    if not _State.looked:
        match_blas_threads_to_load()
    if _State.blas is None:
        return False
    if not _State.held:
        _State.held = True
        if _State.current != 1:
            _State.blas[1](1)
            _State.current = 1
    return True
