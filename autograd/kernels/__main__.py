"""Compile every kernel ahead of time: ``python -m autograd.kernels --warmup``.

Numba compiles a kernel the first time it is called with new argument types and
saves the machine code in a cache (``__pycache__`` next to the source, or a user
cache directory when that is read-only, or ``$NUMBA_CACHE_DIR``). Later
processes load it from there. This command calls each kernel once, on tiny
arrays, in float32 and float64, and prints how long each first call took (wall
and CPU seconds): the compile time on a cold cache, the load time on a warm
one. ``im2col_rows`` is called once, on uint32 words: it only copies, and the
convolution hands it both float dtypes as words (``kernels/im2col.py``). A
kernel that is an assignment's stub (it raises ``NotImplementedError``) is
skipped. ``--dtypes float32`` compiles only what a float32 model uses (about
half the time, benchmarks/README.md); float64, which gradcheck uses, then
compiles on first use.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from . import im2col, pool, recurrent, relu, special


def _conv_calls(dtype, with_im2col: bool = True) -> dict[str, Callable[[], None]]:
    x = np.ones((1, 3, 3, 2), dtype)
    cols = np.empty((4, 2 * 2 * 2), dtype)
    geo = (0, 2, 2, 1, 1, 1, 1, 0, 0, 2, 2)  # p0, kh, kw, sh, sw, dh, dw, pads, out_h, out_w
    calls = {}
    if with_im2col:  # the one version, on words, that serves both dtypes
        words = im2col.as_words
        calls["im2col_rows"] = lambda: im2col.im2col_rows(words(x), words(cols), *geo)
    return {
        **calls,
        "col2im_rows": lambda: im2col.col2im_rows(cols, np.zeros_like(x), *geo),
        "relu_backward": lambda: relu.relu_backward(x, x, np.empty_like(x)),
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


def warmup(file=sys.stdout, dtypes=("float32", "float64")) -> dict[str, float]:
    """Call every kernel once per dtype; print wall and CPU seconds per (kernel, dtype)
    and return the wall seconds. ``dtypes=("float32",)`` warms only what a float32
    model uses (gradcheck's float64 then compiles on first use)."""
    times: dict[str, float] = {}
    cpu_total = 0.0
    print(f"{'kernel':<20} {'dtype':<8} {'seconds':>8} {'cpu s':>7}", file=file)
    for i, dtype in enumerate(np.dtype(d).type for d in dtypes):
        calls = {**_conv_calls(dtype, with_im2col=i == 0), **_pool_calls(dtype),
                 **_recurrent_calls(dtype)}
        for name, call in calls.items():
            label = "uint32" if name == "im2col_rows" else np.dtype(dtype).name
            start, cpu_start = time.perf_counter(), time.process_time()
            try:
                call()
            except NotImplementedError as stub:
                # A student edition stubs some kernels (an assignment task): there is
                # nothing to compile yet, and the rest must still warm up.
                print(f"{name:<20} {np.dtype(dtype).name:<8} skipped: {stub}", file=file)
                continue
            times[f"{name}[{label}]"] = seconds = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            cpu_total += cpu
            print(f"{name:<20} {label:<8} {seconds:8.3f} {cpu:7.3f}", file=file)
    start, cpu_start = time.perf_counter(), time.process_time()
    special.erf(np.zeros(1))  # erf_numba, used by gelu (float64 only)
    times["erf_numba[float64]"] = seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    cpu_total += cpu
    print(f"{'erf_numba':<20} {'float64':<8} {seconds:8.3f} {cpu:7.3f}", file=file)
    print(f"{'total':<29} {sum(times.values()):8.3f} {cpu_total:7.3f}", file=file)
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
    args = parser.parse_args(argv)
    if not args.warmup:
        parser.print_help()
        return 2
    dtypes = tuple(d for d in args.dtypes.split(",") if d)
    if not dtypes or not set(dtypes) <= {"float32", "float64"}:
        parser.error(f"--dtypes takes float32 and/or float64, comma-separated; got {args.dtypes!r}")
    warmup(dtypes=dtypes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
