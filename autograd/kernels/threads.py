"""How many threads OpenBLAS may use for a convolution's matmuls: all of them only
while the machine has the cores free.

OpenBLAS's threads wait for each other at the end of every call, spinning. When
another process holds one of the two cores, a thread waits for a partner that is
not running, and a convolution makes hundreds of such calls per step: measured
on the MNIST convnet at a load average of 13-17 on this 2-core machine, a fit
step took 246 ms on one BLAS thread and 2,900 ms on two (benchmarks/README.md).
So before its matmuls a convolution calls ``match_blas_threads_to_load()``:

- load average (1 minute) above the cores + 0.5: one BLAS thread;
- below the cores - 0.5: back to the thread count the process started with;
- in between: no change (our own threads count in the load, so without this gap
  the choice would flip back and forth).

The load is read at most once every ``RECHECK_SECONDS``. ``GRADSTACK_THREADS=fixed``
in the environment turns the policy off (the BLAS keeps whatever it was given),
and nothing happens where the BLAS is not NumPy's OpenBLAS or the load is unknown.

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


def choose_blas_threads(load: float, cores: int, current: int, started_with: int) -> int:
    """The policy above, as a pure function."""
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
        load = os.getloadavg()[0]
        cores = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):  # no load average or affinity on this system
        return _State.current
    wanted = choose_blas_threads(load, min(cores, _State.started_with), _State.current,
                                 _State.started_with)
    if wanted != _State.current:
        _State.blas[1](wanted)
        _State.current = wanted
    return _State.current
