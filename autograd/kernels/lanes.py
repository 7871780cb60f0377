"""Pooling and convolutions on two cores: the batch in two lanes of images, one
thread each.

A pooling or convolution op splits its images into two *lanes*, the first half and
the second half, and runs each on its own thread: the caller's thread takes the
first, one worker thread the second. Their kernels are serial and release the GIL
(``nogil=True``), so the two lanes really run side by side.

The convolutions (``conv.py``) run their matmuls inside the lanes, on one-thread
BLAS (``threads.hold_one_blas_thread``); for pooling, lanes were 20-35% faster
alone and cost nothing measurable inside the convnet; the depthwise forward is
1.5x faster on them (benchmarks/README.md).

Results do not depend on the threads: each output value is computed from its own
window, whichever thread computes it, and a kernel gradient is the sum of the
lanes' own gradients, always in lane order. The split depends on the batch
only, never on the machine; with one core (or ``GRADSTACK_POOL_THREADS=1``, or
``OMP_NUM_THREADS=1``: ``lane_threads``) the lanes run one after the other on the
caller's thread. Small ops stay in one lane:
handing work to a thread costs tens of microseconds.

>>> image_lanes(n_images=128, work=10**9)
[slice(0, 64, None), slice(64, 128, None)]
>>> image_lanes(n_images=1, work=10**9)  # one image: nothing to split
[slice(0, 1, None)]
>>> run_lanes(lambda lane: lane.stop - lane.start, image_lanes(5, 10**9))
[3, 2]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

LANES = 2
# Below this many input values an op runs in one lane: the hand-over to the worker
# thread would cost more than it saves.
MIN_SPLIT_WORK = 200_000


def image_lanes(n_images: int, work: int, min_work: int | None = None) -> list[slice]:
    """The lanes of a batch: contiguous ranges of images, the first one the larger.
    One lane below ``min_work`` (``MIN_SPLIT_WORK`` unless an op measures its work in
    other units and passes its own limit)."""
    if n_images < 2 or work < (MIN_SPLIT_WORK if min_work is None else min_work):
        return [slice(0, n_images)]
    half = (n_images + 1) // 2
    return [slice(0, half), slice(half, n_images)]


def sum_in_lane_order(parts: Sequence[Any]) -> Any:
    """The lanes' parts of one sum (a kernel's gradient, say) added up, always in lane
    order, so that the result depends on the lanes and never on the threads; None
    when the parts are None (a gradient not asked for).

    >>> sum_in_lane_order([np.ones(2), np.full(2, 2.0)])
    array([3., 3.])
    """
    if parts[0] is None:
        return None
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def join_lane_images(parts: Sequence[Any]) -> Any:
    """The lanes' per-image results (an input's gradient, say) as one batch again, in
    lane order: one lane's as it is, several concatenated; None when not asked for."""
    if parts[0] is None:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


# Thread-count variables a user sets to keep a process on fewer cores; the first
# one set to a number caps the lanes too (GRADSTACK_POOL_THREADS=1: one after the
# other, on the caller's thread). OMP_NUM_THREADS=1 or OPENBLAS_NUM_THREADS=1 asks
# for one core, and the lanes keep to it.
THREAD_VARIABLES = ("GRADSTACK_POOL_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def lane_threads() -> int:
    """How many lanes may run at once: the cores this process may use, at most LANES,
    and at most the first of ``THREAD_VARIABLES`` that is set to a number.
    ``GRADSTACK_THREADS=fixed`` (``kernels/threads.py``) is about the BLAS, and means
    something else."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    for variable in THREAD_VARIABLES:
        wanted = os.environ.get(variable, "")
        if wanted.isdigit() and int(wanted) >= 1:
            cores = min(cores, int(wanted))
            break
    return max(1, min(cores, LANES))


def run_lanes(task: Callable[[Any], Any], lanes: Sequence[Any]) -> list[Any]:
    """``[task(lane) for lane in lanes]``, side by side on threads when the cores
    allow. Exceptions reach the caller, after every lane has stopped (so that none
    writes on in the background)."""
    if len(lanes) == 1 or lane_threads() < 2:
        return [task(lane) for lane in lanes]
    others = [_worker().submit(task, lane) for lane in lanes[1:]]
    try:
        first = task(lanes[0])
    finally:
        for future in others:  # wait for all, even if the first lane failed
            future.exception()
    return [first] + [future.result() for future in others]


class _Worker:
    pool: ThreadPoolExecutor | None = None
    pid = 0
    lock = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    """The worker threads (LANES - 1 of them), started on first use, and again in a
    forked child, which inherits the pool's bookkeeping but not its threads."""
    with _Worker.lock:
        if _Worker.pool is None or _Worker.pid != os.getpid():
            _Worker.pool = ThreadPoolExecutor(LANES - 1, thread_name_prefix="gradstack-lane")
            _Worker.pid = os.getpid()
        return _Worker.pool
