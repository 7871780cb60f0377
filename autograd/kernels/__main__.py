"""Compile every kernel ahead of time: ``python -m autograd.kernels --warmup``.

Numba compiles a kernel the first time it is called with new argument types and
saves the machine code in a cache (``__pycache__`` next to the source, or a user
cache directory when that is read-only, or ``$NUMBA_CACHE_DIR``). Later
processes load it from there. This command calls each kernel once, on tiny
arrays, in float32 and float64, and prints how long each first call took (wall
and CPU seconds): the compile time on a cold cache, the load time on a warm
one. ``im2col_rows`` is called once, on uint32 words: it only copies, and the
convolution hands it both float dtypes as words (``kernels/im2col.py``); so are
Winograd's four kernels, in float32, the only dtype the convolution runs them in
(``kernels/conv.py``, ``winograd_applies``). A kernel that is an assignment's stub
(it raises ``NotImplementedError``) is skipped. ``--dtypes float32`` compiles only
what a float32 model uses (about half the time, benchmarks/README.md); float64,
which gradcheck uses, then compiles on first use.

Numba compiles one function at a time in a process (it holds a compiler lock),
so with two cores the command compiles half of the kernels in a second process
(``--jobs 2``, the default when two cores are free to this process) - if the
first kernel had to be compiled: a warm cache loads faster in one process than
a second one starts. On Linux the second process is a fork of this one, which
has NumPy, Numba and LLVM loaded already; elsewhere it is a new
``python -m autograd.kernels --warmup --kernels ...``. The two halves are
disjoint sets of kernels, so the two processes never write the same cache file.
The last line, ``wall``, is the time from the start of the first compile to the
end of the last one, the second process's start-up included.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable

import numpy as np

from . import depthwise, im2col, pool, recurrent, relu, special, winograd

# The kernels in two groups of about equal compile time (both dtypes, seconds on a
# quiet machine): the second group goes to the second process with --jobs 2.
FIRST_GROUP = ("relu_backward",       # 0.4 (the first compile in a process pays ~0.2 more)
               "im2col_rows",         # 1.2
               "max_pool_backward",   # 1.8
               "avg_pool_forward",    # 1.1
               "lstm_backward_step",  # 0.9
               "depthwise_forward",   # 0.5
               "input_tiles_adjoint",  # 0.9 (Winograd's four: float32 only)
               "output_tiles_adjoint")  # 0.7
# A forked second process starts at once; a new one (not Linux) spends ~0.5-0.9 s on
# imports and ~0.3 s on Numba's first compile before it catches up.
SECOND_GROUP = ("col2im_rows",        # 1.2
                "max_pool_forward",   # 1.4
                "avg_pool_backward",  # 1.0
                "lstm_forward_step",  # 1.0
                "depthwise_backward",  # 0.6
                "erf_numba",          # 0.1
                "output_tiles",       # 0.7
                "input_tiles")        # 1.3


def _conv_calls(dtype, with_im2col: bool = True) -> dict[str, Callable[[], None]]:
    x = np.ones((1, 3, 3, 2), dtype)
    cols = np.empty((4, 2 * 2 * 2), dtype)
    geo = (0, 2, 2, 1, 1, 1, 1, 0, 0, 2, 2)  # p0, kh, kw, sh, sw, dh, dw, pads, out_h, out_w
    calls = {}
    if with_im2col:  # the one version, on words, that serves both dtypes
        words = im2col.as_words
        calls["im2col_rows"] = lambda: im2col.im2col_rows(words(x), words(cols), *geo)
    return {  # relu first: a cheap kernel for warmup() to tell a cold cache by
        "relu_backward": lambda: relu.relu_backward(x, x, np.empty_like(x)),
        **calls,
        "col2im_rows": lambda: im2col.col2im_rows(cols, np.zeros_like(x), *geo),
    }


def _pool_calls(dtype) -> dict[str, Callable[[], None]]:
    x = np.ones((1, 4, 4, 2), dtype)
    out = np.empty((1, 2, 2, 2), dtype)
    arg = np.zeros((1, 2, 2, 2), np.int32)
    win = (2, 2, 2, 2, 0, 0)  # kh, kw, sh, sw, pad_top, pad_left
    return {
        "max_pool_forward": lambda: pool.max_pool_forward(x, out, arg, *win),
        "max_pool_backward": lambda: pool.max_pool_backward(out, arg, np.empty_like(x), *win),
        "avg_pool_forward": lambda: pool.avg_pool_forward(x, out, *win),
        "avg_pool_backward": lambda: pool.avg_pool_backward(out, np.empty_like(x), *win),
    }


def _depthwise_calls(dtype) -> dict[str, Callable[[], None]]:
    x, kernel = np.ones((1, 3, 3, 2), dtype), np.ones((2, 2, 2), dtype)
    out = np.zeros((1, 2, 2, 2), dtype)
    win = (1, 1, 1, 1, 0, 0)  # sh, sw, dh, dw, pad_top, pad_left
    return {
        "depthwise_forward": lambda: depthwise.depthwise_forward(x, kernel, out, *win),
        "depthwise_backward": lambda: depthwise.depthwise_backward(
            x, kernel, out, np.zeros_like(x), np.zeros_like(kernel), *win),
    }


def _recurrent_calls(dtype) -> dict[str, Callable[[], None]]:
    b, t, n = 1, 1, 1
    gates, cs = np.full((b, t, 4 * n), 0.5, dtype), np.zeros((b, t + 1, n), dtype)
    grad, state = np.ones((b, t + 1, n), dtype), np.zeros((b, n), dtype)
    keep, tanh_cs = np.ones((b, t), dtype), np.zeros((b, t, n), dtype)
    return {
        "lstm_forward_step": lambda: recurrent.lstm_forward_step(
            0, np.zeros((b, 4 * n), dtype), cs, np.empty_like(gates), state.copy()),
        "lstm_backward_step": lambda: recurrent.lstm_backward_step(
            0, grad, state.copy(), state.copy(), gates, cs, tanh_cs, keep,
            np.empty_like(gates), state.copy()),
    }


def _winograd_calls(dtype) -> dict[str, Callable[[], None]]:
    x, dx = np.ones((1, 4, 4, 2), dtype), np.zeros((1, 4, 4, 2), dtype)
    v, m = np.zeros((16, 2, 2), dtype), np.ones((16, 2, 3), dtype)
    out, bias = np.empty((1, 2, 2, 3), dtype), np.zeros(3, dtype)
    grid = (0, 1, 1, 1)  # t0, n_tiles, tiles_h, tiles_w
    return {
        "input_tiles": lambda: winograd.input_tiles(x, v, *grid, 0, 0),
        "output_tiles": lambda: winograd.output_tiles(m, out, bias, True, *grid),
        "output_tiles_adjoint": lambda: winograd.output_tiles_adjoint(
            out, out, True, np.empty_like(m), *grid),
        "input_tiles_adjoint": lambda: winograd.input_tiles_adjoint(v, dx, *grid, 0, 0),
    }


def _all_calls(dtypes) -> list[tuple[str, str, Callable[[], None]]]:
    """(kernel, dtype shown, call) for every kernel version, in the table's order."""
    calls = []
    for i, dtype in enumerate(np.dtype(d).type for d in dtypes):
        by_name = {**_conv_calls(dtype, with_im2col=i == 0), **_pool_calls(dtype),
                   **_depthwise_calls(dtype), **_recurrent_calls(dtype)}
        if dtype == np.float32:  # Winograd runs float32 only (kernels/conv.py)
            by_name.update(_winograd_calls(dtype))
        for name, call in by_name.items():
            label = "uint32" if name == "im2col_rows" else np.dtype(dtype).name
            calls.append((name, label, call))
    # erf_numba, used by gelu, has one version (float64) whatever --dtypes says
    calls.append(("erf_numba", "float64", lambda: special.erf(np.zeros(1))))
    return calls


def _time_calls(calls, file) -> list[tuple[str, float, float]]:
    """Make each first call, print its row; return (row, seconds, cpu seconds)."""
    rows = []
    for name, label, call in calls:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            call()
        except NotImplementedError as stub:
            # A student edition stubs some kernels (an assignment task): there is
            # nothing to compile yet, and the rest must still warm up.
            label = "float32" if label == "uint32" else label  # the dtype the task names
            row = f"{name:<20} {label:<8} skipped: {stub}"
            print(row, file=file, flush=True)
            rows.append((row, 0.0, 0.0))
            continue
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        row = f"{name:<20} {label:<8} {seconds:8.3f} {cpu:7.3f}"
        print(row, file=file, flush=True)
        rows.append((row, seconds, cpu))
    return rows


# Whether the second process is a fork (tests set it False to run the other way on Linux).
FORK = sys.platform.startswith("linux")
HEADER = f"{'kernel':<20} {'dtype':<8} {'seconds':>8} {'cpu s':>7}"


class _ForkedWarmup:
    """A fork of this process that compiles ``calls`` and writes their rows into a pipe,
    with the three methods of ``subprocess.Popen`` that ``warmup`` uses.

    Why a fork: the child starts with NumPy, Numba and LLVM loaded and Numba's first
    compile paid, so it begins compiling at once instead of ~0.9-1.2 s later.
    """

    def __init__(self, calls):
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns that forking a process with threads can deadlock the
            # child. Our other threads are OpenBLAS's idle workers (OpenBLAS registers
            # its own fork handler), and the child only compiles Numba kernels and exits.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(read_end)
            status = 0
            try:
                with os.fdopen(write_end, "w") as rows:
                    print(HEADER, file=rows)
                    _time_calls(calls, rows)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                status = 1
            os._exit(status)  # not the parent's exit handlers, nor its unflushed buffers
        os.close(write_end)
        self._rows = os.fdopen(read_end)
        self.returncode = None

    def communicate(self) -> tuple[str, str]:
        output = self._rows.read()
        self._rows.close()
        _, status = os.waitpid(self.pid, 0)
        self.returncode = os.waitstatus_to_exitcode(status)
        return output, "(the second process printed its error above)"

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def _start_second_process(dtypes, calls):
    """Compile ``calls`` in a second process: a fork of this one on Linux, elsewhere
    ``python -m autograd.kernels --warmup --kernels ...`` on this same library (macOS
    forks unsafely once system frameworks are loaded; Windows cannot fork)."""
    if FORK:
        return _ForkedWarmup(calls)
    kernels = sorted({name for name, _, _ in calls})
    library_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([library_root, *filter(None, [env.get("PYTHONPATH")])])
    command = [sys.executable, "-m", "autograd.kernels", "--warmup", "--jobs", "1",
               "--dtypes", ",".join(dtypes), "--kernels", ",".join(kernels)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _rows_of(output: str) -> list[tuple[str, float, float]]:
    """The kernel rows of another warmup's table, with their seconds and cpu seconds."""
    rows = []
    for line in output.splitlines()[1:]:  # after the header
        fields = line.split()
        if not fields or fields[0] in ("total", "wall"):
            continue
        if "skipped:" in fields:
            rows.append((line, 0.0, 0.0))
        else:
            rows.append((line, float(fields[2]), float(fields[3])))
    return rows


# Each kernel's Numba dispatcher, by the name the table shows.
DISPATCHERS = {"im2col_rows": im2col.im2col_rows, "col2im_rows": im2col.col2im_rows,
               "relu_backward": relu.relu_backward,
               "max_pool_forward": pool.max_pool_forward,
               "max_pool_backward": pool.max_pool_backward,
               "avg_pool_forward": pool.avg_pool_forward,
               "avg_pool_backward": pool.avg_pool_backward,
               "lstm_forward_step": recurrent.lstm_forward_step,
               "lstm_backward_step": recurrent.lstm_backward_step,
               "erf_numba": special.erf_numba,
               "input_tiles": winograd.input_tiles, "output_tiles": winograd.output_tiles,
               "output_tiles_adjoint": winograd.output_tiles_adjoint,
               "input_tiles_adjoint": winograd.input_tiles_adjoint}


def _compiled(name: str) -> bool:
    """Whether kernel ``name`` was compiled (not found in the cache) in this process."""
    stats = getattr(DISPATCHERS[name], "stats", None)  # None with NUMBA_DISABLE_JIT=1
    return stats is not None and sum(stats.cache_misses.values()) > 0


def usable_cores() -> int:
    """How many cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def warmup(file=sys.stdout, dtypes=("float32", "float64"), kernels=None,
           jobs: int = 1) -> dict[str, float]:
    """Call every kernel once per dtype; print wall and CPU seconds per (kernel, dtype)
    and return the wall seconds. ``dtypes=("float32",)`` warms only what a float32
    model uses (gradcheck's float64 then compiles on first use); ``kernels`` names the
    kernels to warm (all if None); ``jobs=2`` compiles the second half of them in a
    second process at the same time.

    >>> seconds = warmup(dtypes=("float32",), kernels=("relu_backward",))  # doctest: +SKIP
    """
    wanted = set(kernels) if kernels is not None else set(FIRST_GROUP + SECOND_GROUP)
    calls = [c for c in _all_calls(dtypes) if c[0] in wanted]
    print(HEADER, file=file, flush=True)
    start = time.perf_counter()
    mine = [c for c in calls if c[0] not in SECOND_GROUP] if jobs > 1 else calls
    theirs = [c for c in calls if c not in mine]
    rows = _time_calls(mine[:1], file)  # the first kernel tells a cold cache from a warm one
    second = None
    if mine and theirs and _compiled(mine[0][0]):
        second = _start_second_process(dtypes, theirs)
    else:  # a warm cache loads faster in one process than a second one starts up
        mine += theirs
    try:
        rows += _time_calls(mine[1:] if rows else mine, file)
    except BaseException:
        if second is not None:
            second.kill()  # no orphan left compiling after an error or Ctrl-C
        raise
    if second is not None:
        output, errors = second.communicate()
        if second.returncode != 0:
            raise RuntimeError("the second warmup process failed (exit code "
                               f"{second.returncode}):\n{errors[-2000:]}")
        for row in _rows_of(output):
            print(row[0], file=file)
            rows.append(row)
    wall = time.perf_counter() - start
    print(f"{'total':<29} {sum(r[1] for r in rows):8.3f} {sum(r[2] for r in rows):7.3f}",
          file=file)
    processes = "2 processes" if second is not None else "1 process"
    print(f"{'wall':<29} {wall:8.3f}   ({processes})", file=file)
    times = {}
    for row, seconds, _ in rows:
        fields = row.split()
        if "skipped:" not in fields:
            times[f"{fields[0]}[{fields[1]}]"] = seconds
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograd.kernels",
        description="Compile (or load from the cache) every Numba kernel ahead of time.",
    )
    parser.add_argument("--warmup", action="store_true",
                        help="call each kernel once per dtype and print the time it took")
    parser.add_argument("--dtypes", default="float32,float64",
                        help="which versions to compile (float32 alone: what a float32 "
                             "model uses)")
    parser.add_argument("--kernels", default="",
                        help="comma-separated kernel names to warm (default: all)")
    parser.add_argument("--jobs", type=int, default=0,
                        help="processes compiling at once, 1 or 2 (default: 2 when this "
                             "process may use two cores)")
    args = parser.parse_args(argv)
    if not args.warmup:
        parser.print_help()
        return 2
    dtypes = tuple(d for d in args.dtypes.split(",") if d)
    if not dtypes or not set(dtypes) <= {"float32", "float64"}:
        parser.error(f"--dtypes takes float32 and/or float64, comma-separated; got {args.dtypes!r}")
    known = FIRST_GROUP + SECOND_GROUP
    kernels = tuple(k for k in args.kernels.split(",") if k) or None
    if kernels is not None and not set(kernels) <= set(known):
        unknown = sorted(set(kernels) - set(known))
        parser.error(f"--kernels: no kernel named {', '.join(unknown)}; "
                     f"the kernels are {', '.join(known)}")
    if args.jobs not in (0, 1, 2):
        parser.error(f"--jobs takes 1 or 2 (or 0 for: 2 when two cores are free); got {args.jobs}")
    jobs = args.jobs or min(2, usable_cores())
    warmup(dtypes=dtypes, kernels=kernels, jobs=jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
