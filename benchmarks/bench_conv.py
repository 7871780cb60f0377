"""Convolution and pooling: our ops vs their NumPy twins vs PyTorch, in one run.

    python benchmarks/bench_conv.py            # full table (a few minutes)
    python benchmarks/bench_conv.py --quick    # fewer repetitions
    python benchmarks/bench_conv.py --no-compile  # skip the compile-time section
    python benchmarks/bench_conv.py --busy --quick  # quiet vs one core kept busy
    python benchmarks/bench_conv.py --busy --per-process --quick  # a process per state
    python benchmarks/bench_conv.py --only "28x28,maxpool2 26"  # some workloads

For each workload it times the forward pass and forward + backward (gradients
for x, kernel and bias; for pools, x) of

- ours: ``autograd.conv2d`` / ``autograd.max_pool2d`` on Tensors, backward through
  the autograd engine - what a user runs;
- numpy: the NumPy twins (``conv2d_numpy`` beside the op in ``autograd/ops/conv.py``,
  the pooling twins in ``autograd/kernels/pool.py``: sliding windows + tensordot);
- torch: PyTorch on the CPU, channels_last, 2 threads (skipped if not installed),

and prints medians, GFLOP/s and the ratio ours/torch (< 1 means we are faster).
Timings alternate between ours and torch in rounds, so that a burst of load from
another process hits both. Before each round the script sleeps 0.2 s: our
matmuls leave OpenBLAS's threads spinning for ~0.1 s, PyTorch's OpenMP threads
spin for a while too, and neither library should pay for the other's.

It also measures Numba compile cost in fresh subprocesses: the cold first-call
compile of every kernel (empty NUMBA_CACHE_DIR) and the warm load from that cache.

``--busy`` measures instead how each library copes with a competing process: it
starts ``python -c "while True: pass"`` itself (``benchmarks/busy.py``) and
alternates rounds with that process paused (quiet) and running (busy), for ours
and torch, then prints quiet and busy times, busy/quiet for each library, and
ours/torch under the same load. The spinner's own CPU time does not count as a
disturbance; other processes' does, as usual.

``--busy --per-process`` starts a fresh process for each library and state instead,
with the spinner already running or paused: our thread count is chosen at a
process's first convolution (``autograd/kernels/threads.py``), so a process that
starts quiet and is then loaded measures something no user sees. States and
libraries alternate pass by pass; each process times every workload (median of its
repeats) and reports to this one as JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from busy import Spinner, load_average, set_state  # noqa: E402

import autograd  # noqa: E402
from autograd.kernels.geometry import window_2d  # noqa: E402
from autograd.kernels.pool import (  # noqa: E402
    max_pool_backward_numpy,
    max_pool_forward_numpy,
)
from autograd.ops.conv import conv2d_backward_numpy, conv2d_numpy  # noqa: E402
from autograd.ops.conv_transpose import dilate_and_pad  # noqa: E402

try:
    import torch

    torch.set_num_threads(2)
except ImportError:  # torch is an optional baseline
    torch = None

# name, batch, height/width, in channels, out channels, kernel, stride, padding
CONV_WORKLOADS = [
    ("320x320x3->32 k4 s2", 8, 320, 3, 32, 4, 2, "valid"),
    ("159x159x32->32 k3", 8, 159, 32, 32, 3, 1, "valid"),
    ("28x28x1->32 k3", 64, 28, 1, 32, 3, 1, "valid"),
    ("13x13x32->64 k3", 64, 13, 32, 64, 3, 1, "valid"),
    ("32x32x3->32 k3 same", 64, 32, 3, 32, 3, 1, "same"),
]
# Issue 15's other convolutions (the transpose on conv2d's im2col and col2im, the
# depthwise one on kernels/depthwise.py; once compositions of conv2d, so the name):
# name, kind, batch, height/width, in channels, out channels (transpose) or
# depth multiplier (depthwise), kernel, stride; padding "valid".
COMPOSITE_WORKLOADS = [
    ("transpose 14x14x32->16 k3 s2", "transpose", 64, 14, 32, 16, 3, 2),
    ("depthwise 32x32x32 k3", "depthwise", 64, 32, 32, 1, 3, 1),
]
# name, batch, height/width, channels, pool size (strides default to the pool size)
POOL_WORKLOADS = [
    ("maxpool2 157x157x32", 8, 157, 32, 2),
    ("maxpool3 157x157x32", 8, 157, 32, 3),
    ("maxpool2 26x26x32", 64, 26, 32, 2),
    ("maxpool3 26x26x32", 64, 26, 32, 3),
]
# name, max or avg, batch, height/width, channels
GLOBAL_POOL_WORKLOADS = [
    ("global max 157x157x32", "max", 8, 157, 32),
    ("global avg 157x157x32", "avg", 8, 157, 32),
    ("global max 13x13x64", "max", 64, 13, 64),
    ("global avg 13x13x64", "avg", 64, 13, 64),
]


def _busy_ticks() -> int:
    """CPU time (clock ticks) spent by every process on the machine since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal


def _own_ticks() -> int:
    """CPU time (clock ticks) spent by this process, all of its threads."""
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def foreign_cpu(fn, spinner=None) -> tuple:
    """Run ``fn``; return (wall seconds, CPU seconds other processes used meanwhile,
    what fn returned). The ``--busy`` spinner's CPU time is not counted."""
    spun = spinner.ticks() if spinner is not None else 0
    try:
        busy, own = _busy_ticks(), _own_ticks()
    except OSError:  # not Linux: cannot tell, assume a quiet machine
        busy = own = None
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    if busy is None:
        return wall, 0.0, result
    spun = (spinner.ticks() - spun) if spinner is not None else 0
    foreign = (_busy_ticks() - busy) - (_own_ticks() - own) - spun
    return wall, max(foreign, 0) / os.sysconf("SC_CLK_TCK"), result


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Timer:
    """Medians measured only while the machine is otherwise idle, and ratios from
    rounds measured side by side.

    This is a shared 2-core virtual machine. When another process takes a core,
    both libraries lose half their threads and OpenBLAS's and OpenMP's barriers
    stall for whole scheduler ticks; separately, the speed of the same code
    drifts by up to 2x over seconds (measured: the same im2col at 4.2 ms, then
    9 ms, with nothing else running in this VM). So:

    - each function is timed in short rounds (>= 0.1 s), the functions taking
      turns, many times over;
    - a round during which other processes in this machine used more than 3% of
      its CPU time is thrown away and repeated (up to ``max_tries`` times, after
      which the least disturbed attempt is kept and counted as noisy);
    - times are medians over all rounds, and a ratio is the median over rounds of
      (round of A / the round of B next to it), so that slow and fast periods of
      the host cancel out instead of landing on one side.
    """

    def __init__(self, rounds: int, max_tries: int, spinner=None):
        self.rounds, self.max_tries, self.spinner = rounds, max_tries, spinner
        self.discarded = self.noisy = 0

    def compare(self, fns: dict, setups: dict | None = None) -> dict:
        """name -> list of per-round median seconds (the same number for each name).
        ``setups[name]()``, if given, runs before each of that function's rounds
        (``--busy``: pause or resume the spinner)."""
        setups = setups or {}
        for name, fn in fns.items():  # warm up (compile, caches, allocator)
            setups.get(name, lambda: None)()
            fn()
            fn()
        reps = {name: max(3, int(0.1 / max(min(timed(fn) for _ in range(2)), 1e-6)))
                for name, fn in fns.items()}
        rounds: dict = {name: [] for name in fns}
        for _ in range(self.rounds):
            for name, fn in fns.items():  # take turns: slow periods hit every function
                setups.get(name, lambda: None)()
                rounds[name].append(float(np.median(self._quiet_round(fn, reps[name]))))
        return rounds

    def _quiet_round(self, fn, reps: int) -> list:
        best = None
        for _ in range(self.max_tries):
            # Idle threads keep spinning after a call (OpenBLAS's for ~0.1 s, PyTorch's
            # OpenMP threads for a while): let the other library's threads sleep first.
            time.sleep(0.15)
            wall, foreign, times = foreign_cpu(lambda: [timed(fn) for _ in range(reps)],
                                               self.spinner)
            if foreign <= 0.03 * wall * (os.cpu_count() or 1):
                return times
            self.discarded += 1
            if best is None or foreign < best[0]:
                best = (foreign, times)
        self.noisy += 1
        return best[1]


def median_time(rounds: list) -> float:
    return float(np.median(rounds))


def paired_ratio(a: list, b: list) -> float:
    """Median over rounds of a[i] / b[i]."""
    return float(np.median(np.asarray(a) / np.asarray(b)))


# ---------------------------------------------------------------- convolution


def conv_case(batch, size, cin, cout, k, stride, padding, rng):
    x = rng.standard_normal((batch, size, size, cin), dtype=np.float32)
    w = rng.standard_normal((k, k, cin, cout), dtype=np.float32) / float(np.sqrt(k * k * cin))
    b = rng.standard_normal(cout, dtype=np.float32)
    win = window_2d("conv2d", x.shape, (k, k), (stride, stride), (1, 1), padding)
    g = rng.standard_normal((batch, win.out_h, win.out_w, cout), dtype=np.float32)

    xt, wt, bt = autograd.tensor(x), autograd.tensor(w), autograd.tensor(b)
    xg = autograd.tensor(x, requires_grad=True)
    wg = autograd.tensor(w, requires_grad=True)
    bg = autograd.tensor(b, requires_grad=True)

    def ours_fwd():
        autograd.conv2d(xt, wt, bt, strides=stride, padding=padding)

    def ours_fb():
        xg.grad = wg.grad = bg.grad = None
        autograd.conv2d(xg, wg, bg, strides=stride, padding=padding).backward(g)

    fwd = {"ours": ours_fwd, "numpy": lambda: conv2d_numpy(x, w, b, win)}

    def numpy_fb():
        conv2d_numpy(x, w, b, win)
        conv2d_backward_numpy(x, w, g, win)

    fb = {"ours": ours_fb, "numpy": numpy_fb}
    if torch is not None:
        pad = 0
        if padding == "same":  # symmetric for these odd kernels with stride 1
            assert win.pad_top == win.pad_bottom and win.pad_left == win.pad_right
            pad = win.pad_top
        tx = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(
            memory_format=torch.channels_last)
        tw = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(
            memory_format=torch.channels_last)
        tb = torch.from_numpy(b)
        tg = torch.from_numpy(g).permute(0, 3, 1, 2).contiguous(
            memory_format=torch.channels_last)
        txg, twg, tbg = (t.clone().requires_grad_() for t in (tx, tw, tb))

        def torch_fwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)

        def torch_fb():
            txg.grad = twg.grad = tbg.grad = None
            torch.nn.functional.conv2d(txg, twg, tbg, stride=stride, padding=pad).backward(tg)

        fwd["torch"], fb["torch"] = torch_fwd, torch_fb
        # Same numbers as PyTorch? (float32, so a loose tolerance.)
        ours = autograd.conv2d(xt, wt, bt, strides=stride, padding=padding).numpy()
        with torch.no_grad():
            ref = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
        assert np.allclose(ours, ref.permute(0, 2, 3, 1).numpy(), atol=1e-3, rtol=1e-3)
    flops = 2.0 * batch * win.out_h * win.out_w * k * k * cin * cout
    return fwd, fb, flops


def composite_case(kind, batch, size, cin, cout, k, stride, rng):
    """Conv2DTranspose's and DepthwiseConv2D's ops against PyTorch's
    ``conv_transpose2d`` and grouped ``conv2d``; the NumPy baseline is the same
    computation on the NumPy twin of conv2d."""
    x = rng.standard_normal((batch, size, size, cin), dtype=np.float32)
    if kind == "transpose":  # Keras's kernel layout (kh, kw, out, in)
        w = rng.standard_normal((k, k, cout, cin), dtype=np.float32) / float(np.sqrt(k * k * cin))
        b = rng.standard_normal(cout, dtype=np.float32)
        out_size, out_channels = (size - 1) * stride + k, cout
        ours_op = functools.partial(autograd.conv2d_transpose, strides=stride)
        flat = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))  # flipped, in/out swapped
        padded = dilate_and_pad(x, (stride, stride), (k, k))
        win = window_2d("conv2d", padded.shape, (k, k), (1, 1), (1, 1), "valid")

        def numpy_fwd():
            return conv2d_numpy(dilate_and_pad(x, (stride, stride), (k, k)), flat, b, win)

        def numpy_bwd(g):
            conv2d_backward_numpy(padded, flat, g, win)
    else:  # depthwise: (kh, kw, channels, multiplier)
        w = rng.standard_normal((k, k, cin, cout), dtype=np.float32) / float(k)
        b = rng.standard_normal(cin * cout, dtype=np.float32)
        out_size, out_channels = (size - k) // stride + 1, cin * cout
        ours_op = functools.partial(autograd.depthwise_conv2d, strides=stride)
        win = window_2d("conv2d", (batch, size, size, 1), (k, k), (stride, stride), (1, 1),
                        "valid")

        def numpy_fwd():  # one plain convolution per channel
            return np.concatenate([conv2d_numpy(x[..., c:c + 1], w[:, :, c:c + 1, :],
                                                b[c * cout:(c + 1) * cout], win)
                                   for c in range(cin)], axis=-1)

        def numpy_bwd(g):
            for c in range(cin):
                conv2d_backward_numpy(x[..., c:c + 1], w[:, :, c:c + 1, :],
                                      g[..., c * cout:(c + 1) * cout], win)
    g = rng.standard_normal((batch, out_size, out_size, out_channels), dtype=np.float32)
    xt, wt, bt = autograd.tensor(x), autograd.tensor(w), autograd.tensor(b)
    xg, wg, bg = (autograd.tensor(a, requires_grad=True) for a in (x, w, b))

    def ours_fb():
        xg.grad = wg.grad = bg.grad = None
        ours_op(xg, wg, bg).backward(g)

    def numpy_fb():
        numpy_fwd()
        numpy_bwd(g)

    fwd = {"ours": lambda: ours_op(xt, wt, bt), "numpy": numpy_fwd}
    fb = {"ours": ours_fb, "numpy": numpy_fb}
    if torch is not None:
        def nchw(a):
            return torch.from_numpy(a).permute(0, 3, 1, 2).contiguous(
                memory_format=torch.channels_last)
        tx, tg, tb = nchw(x), nchw(g), torch.from_numpy(b)
        if kind == "transpose":  # torch's weight: (in, out, kh, kw)
            tw = torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))

            def torch_op(a, weight, bias):
                return torch.nn.functional.conv_transpose2d(a, weight, bias, stride=stride)
        else:  # grouped conv: (channels * multiplier, 1, kh, kw)
            tw = torch.from_numpy(np.ascontiguousarray(
                w.reshape(k, k, cin * cout).transpose(2, 0, 1)[:, None]))

            def torch_op(a, weight, bias):
                return torch.nn.functional.conv2d(a, weight, bias, stride=stride, groups=cin)
        tw = tw.contiguous(memory_format=torch.channels_last)
        txg, twg, tbg = (t.clone().requires_grad_() for t in (tx, tw, tb))

        def torch_fwd():
            with torch.no_grad():
                torch_op(tx, tw, tb)

        def torch_fb():
            txg.grad = twg.grad = tbg.grad = None
            torch_op(txg, twg, tbg).backward(tg)

        fwd["torch"], fb["torch"] = torch_fwd, torch_fb
        with torch.no_grad():  # the same numbers as PyTorch (float32: loose tolerance)
            ref = torch_op(tx, tw, tb).permute(0, 2, 3, 1).numpy()
        assert np.allclose(ours_op(xt, wt, bt).numpy(), ref, atol=1e-3, rtol=1e-3)
    assert np.allclose(numpy_fwd(), ours_op(xt, wt, bt).numpy(), atol=1e-3, rtol=1e-3)
    taps = size * size if kind == "transpose" else out_size * out_size
    flops = 2.0 * batch * taps * k * k * cin * cout
    return fwd, fb, flops


def pool_case(batch, size, channels, pool, rng):
    x = rng.standard_normal((batch, size, size, channels), dtype=np.float32)
    win = window_2d("max_pool2d", x.shape, (pool, pool), (pool, pool), (1, 1), "valid")
    shape = (batch, win.out_h, win.out_w, channels)
    g = rng.standard_normal(shape, dtype=np.float32)
    args = (pool, pool, pool, pool, 0, 0)
    xt = autograd.tensor(x)
    xg = autograd.tensor(x, requires_grad=True)

    def ours_fb():
        xg.grad = None
        autograd.max_pool2d(xg, pool).backward(g)

    def numpy_fwd():
        out, arg = np.empty(shape, np.float32), np.empty(shape, np.int32)
        max_pool_forward_numpy(x, out, arg, *args)
        return arg

    def numpy_fb():
        max_pool_backward_numpy(g, numpy_fwd(), np.empty_like(x), *args)

    fwd = {"ours": lambda: autograd.max_pool2d(xt, pool), "numpy": numpy_fwd}
    fb = {"ours": ours_fb, "numpy": numpy_fb}
    if torch is not None:
        tx = torch.from_numpy(x).permute(0, 3, 1, 2)  # NHWC memory = channels_last
        txg = tx.clone().requires_grad_()
        tg = torch.from_numpy(g).permute(0, 3, 1, 2)

        def torch_fwd():
            with torch.no_grad():
                torch.nn.functional.max_pool2d(tx, pool)

        def torch_fb():
            txg.grad = None
            torch.nn.functional.max_pool2d(txg, pool).backward(tg)

        fwd["torch"], fb["torch"] = torch_fwd, torch_fb
    flops = float(np.prod(shape)) * pool * pool  # one comparison per window cell
    return fwd, fb, flops


def global_pool_case(kind, batch, size, channels, rng):
    """global_max_pool2d / global_avg_pool2d: compositions of autograd's max and mean."""
    x = rng.standard_normal((batch, size, size, channels), dtype=np.float32)
    g = rng.standard_normal((batch, channels), dtype=np.float32)
    ours = autograd.global_max_pool2d if kind == "max" else autograd.global_avg_pool2d
    reduce = np.max if kind == "max" else np.mean
    xt = autograd.tensor(x)
    xg = autograd.tensor(x, requires_grad=True)

    def ours_fb():
        xg.grad = None
        ours(xg).backward(g)

    def numpy_fb():  # forward, and the gradient spread back over height and width
        out = reduce(x, axis=(1, 2), keepdims=True)
        share = (x == out) / np.sum(x == out, axis=(1, 2), keepdims=True) if kind == "max" \
            else np.full(x.shape, 1.0 / (size * size), np.float32)
        return share * g[:, None, None, :]

    fwd = {"ours": lambda: ours(xt), "numpy": lambda: reduce(x, axis=(1, 2))}
    fb = {"ours": ours_fb, "numpy": numpy_fb}
    if torch is not None:
        tx = torch.from_numpy(x).permute(0, 3, 1, 2)  # channels_last
        txg = tx.clone().requires_grad_()
        tg = torch.from_numpy(g)
        theirs = (lambda t: torch.amax(t, dim=(2, 3))) if kind == "max" else \
            (lambda t: torch.mean(t, dim=(2, 3)))

        def torch_fwd():
            with torch.no_grad():
                theirs(tx)

        def torch_fb():
            txg.grad = None
            theirs(txg).backward(tg)

        fwd["torch"], fb["torch"] = torch_fwd, torch_fb
    return fwd, fb, float(x.size)


# ---------------------------------------------------------------- compile cost


def _warmup_run(cache: str, jobs: int) -> dict[str, float]:
    """One ``python -m autograd.kernels --warmup --jobs N`` process on ``cache``: the
    kernels' summed seconds and CPU seconds (its "total" line), the compile's wall
    time (its "wall" line) and the whole process's wall time."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "autograd.kernels", "--warmup",
                          "--jobs", str(jobs)],
                         cwd=root, env=env, capture_output=True, text=True, check=True).stdout
    process = time.perf_counter() - start
    line = {fields[0]: fields for fields in map(str.split, out.splitlines()) if fields}
    return {"sum": float(line["total"][1]), "cpu": float(line["total"][2]),
            "wall": float(line["wall"][1]), "process": process}


def compile_times() -> dict[str, dict[str, float]]:
    """``python -m autograd.kernels --warmup`` cold on a fresh cache directory with two
    processes and with one, then warm (one process: what a model's process pays to
    load the kernels from the cache)."""
    with tempfile.TemporaryDirectory() as two, tempfile.TemporaryDirectory() as one:
        return {"cold, 2 processes": _warmup_run(two, 2),
                "cold, 1 process": _warmup_run(one, 1),
                "warm, 1 process": _warmup_run(two, 1)}


# ---------------------------------------------------------------- main


def all_cases(rng, only: str = "") -> list:
    """(name, (fwd fns, fwd+bwd fns, flops), backward factor) of every workload whose
    name contains one of the comma-separated parts of ``only`` (all if empty)."""
    wanted = [part for part in only.split(",") if part]
    keep = lambda name: not wanted or any(part in name for part in wanted)  # noqa: E731
    cases = [(w[0], conv_case(*w[1:], rng), 3.0) for w in CONV_WORKLOADS if keep(w[0])]
    cases += [(w[0], composite_case(*w[1:], rng), 3.0) for w in COMPOSITE_WORKLOADS
              if keep(w[0])]
    cases += [(w[0], pool_case(*w[1:], rng), 2.0) for w in POOL_WORKLOADS if keep(w[0])]
    cases += [(w[0], global_pool_case(*w[1:], rng), 2.0) for w in GLOBAL_POOL_WORKLOADS
              if keep(w[0])]
    return cases


def busy_main(args, rng) -> None:
    """``--busy``: every workload with the spinner paused and running, rounds alternating."""
    if torch is None:
        sys.exit("--busy compares with PyTorch: install the reference extra (torch)")
    spinner = Spinner()
    timer = Timer(rounds=4 if args.quick else 10, max_tries=args.max_tries, spinner=spinner)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}, torch {torch.__version__}")
    print(f"# load average before: {load_average()}  (spinner pid {spinner.process.pid})")
    print("# quiet = the spinner paused, busy = `python -c 'while True: pass'` running;")
    print("# rounds alternate ours quiet, torch quiet, ours busy, torch busy.")
    header = (f"{'workload':<22} {'pass':<7} {'ours q ms':>9} {'ours b ms':>9} {'ours b/q':>8} "
              f"{'torch q ms':>10} {'torch b ms':>10} {'torch b/q':>9} {'ours/torch b':>12} "
              f"{'noisy':>5}")
    print(header)
    print("-" * len(header))
    try:
        for name, (fwd, fb, _flops), _factor in all_cases(rng, args.only):
            for label, fns in (("fwd", fwd), ("fwd+bwd", fb)):
                runs = {f"{lib} {state}": fns[lib] for state in ("quiet", "busy")
                        for lib in ("ours", "torch")}
                setups = {key: functools.partial(set_state, spinner, key.split()[1])
                          for key in runs}
                noisy_before = timer.noisy
                t = timer.compare(runs, setups)
                spinner.pause()
                med = {key: median_time(v) for key, v in t.items()}
                print(f"{name:<22} {label:<7} {med['ours quiet'] * 1e3:9.2f} "
                      f"{med['ours busy'] * 1e3:9.2f} "
                      f"{paired_ratio(t['ours busy'], t['ours quiet']):8.2f} "
                      f"{med['torch quiet'] * 1e3:10.2f} {med['torch busy'] * 1e3:10.2f} "
                      f"{paired_ratio(t['torch busy'], t['torch quiet']):9.2f} "
                      f"{paired_ratio(t['ours busy'], t['torch busy']):12.2f} "
                      f"{timer.noisy - noisy_before:5d}", flush=True)
    finally:
        spinner.stop()
    print(f"# load average after: {load_average()}")
    print("# ratios are medians over rounds of paired rounds; targets (issue 17): ours b/q <= 2,")
    print("# ours/torch b <= 1.5. 'noisy': rounds kept after --max-tries attempts although")
    print(f"# other processes used > 3% of the CPU meanwhile; repeated rounds: {timer.discarded}.")


def per_process_worker(args, rng) -> None:
    """``--worker ours|torch`` (started by ``busy_per_process_main``): time every
    workload in this fresh process and print {"workload pass": median seconds} as JSON."""
    repeats = 7 if args.quick else 15
    result = {}
    for name, (fwd, fb, _flops), _factor in all_cases(rng, args.only):
        for label, fns in (("fwd", fwd), ("fwd+bwd", fb)):
            fn = fns[args.worker]
            fn()  # the first call compiles (or loads) kernels and picks the thread count
            fn()
            # Back to back, as in a training loop: only one library runs in this process,
            # so no other library's idle threads are left spinning between the calls.
            times = [timed(fn) for _ in range(repeats)]
            result[f"{name}|{label}"] = median_time(times)
    print(json.dumps(result))


def busy_per_process_main(args) -> None:
    """``--busy --per-process``: quiet and busy, ours and torch, each in a new process."""
    if torch is None:
        sys.exit("--busy compares with PyTorch: install the reference extra (torch)")
    passes = 2 if args.quick else 4
    spinner = Spinner()
    command = [sys.executable, os.path.abspath(__file__), "--only", args.only]
    command += ["--quick"] if args.quick else []
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}, torch {torch.__version__}")
    print(f"# load average before: {load_average()}  (spinner pid {spinner.process.pid})")
    print("# quiet = the spinner paused, busy = `python -c 'while True: pass'` running;")
    print(f"# {passes} passes, each a new process per library and state, started in that "
          "state.")
    runs: dict[str, list[dict]] = {}
    try:
        for p in range(passes):
            states = ("quiet", "busy") if p % 2 == 0 else ("busy", "quiet")
            for state in states:
                for lib in ("ours", "torch") if p % 2 == 0 else ("torch", "ours"):
                    set_state(spinner, state)
                    out = subprocess.run(command + ["--worker", lib], capture_output=True,
                                         text=True, check=True).stdout
                    runs.setdefault(f"{lib} {state}", []).append(
                        json.loads(out.strip().splitlines()[-1]))
            spinner.pause()
            print(f"# pass {p + 1} done, load average {load_average()}", flush=True)
    finally:
        spinner.stop()
    header = (f"{'workload':<22} {'pass':<7} {'ours q ms':>9} {'ours b ms':>9} {'ours b/q':>8} "
              f"{'torch q ms':>10} {'torch b ms':>10} {'torch b/q':>9} {'ours/torch b':>12}")
    print(header)
    print("-" * len(header))
    for key in runs["ours quiet"][0]:
        t = {run: [r[key] for r in results] for run, results in runs.items()}
        name, label = key.split("|")
        print(f"{name:<22} {label:<7} {median_time(t['ours quiet']) * 1e3:9.2f} "
              f"{median_time(t['ours busy']) * 1e3:9.2f} "
              f"{paired_ratio(t['ours busy'], t['ours quiet']):8.2f} "
              f"{median_time(t['torch quiet']) * 1e3:10.2f} "
              f"{median_time(t['torch busy']) * 1e3:10.2f} "
              f"{paired_ratio(t['torch busy'], t['torch quiet']):9.2f} "
              f"{paired_ratio(t['ours busy'], t['torch busy']):12.2f}", flush=True)
    print(f"# load average after: {load_average()}")
    print("# times: median over passes of each process's median; ratios: median over passes")
    print("# of the pass's ratio. Targets (issue 17): ours b/q <= 2, ours/torch b <= 1.5.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-compile", action="store_true", help="skip compile timing")
    parser.add_argument("--max-tries", type=int, default=30,
                        help="attempts per round before accepting a disturbed one")
    parser.add_argument("--only", default="",
                        help="comma-separated parts of workload names to run (default: all)")
    parser.add_argument("--busy", action="store_true",
                        help="quiet vs one core kept busy by a spinning process")
    parser.add_argument("--per-process", action="store_true",
                        help="with --busy: a new process per library and state")
    parser.add_argument("--worker", choices=("ours", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    if args.worker:
        per_process_worker(args, rng)
        return
    if args.busy and args.per_process:
        busy_per_process_main(args)
        return
    if args.busy:
        busy_main(args, rng)
        return
    timer = Timer(rounds=5 if args.quick else 15, max_tries=args.max_tries)

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}")
    print(f"# load average before: {os.getloadavg()[0]:.2f}")
    header = (f"{'workload':<22} {'pass':<7} {'ours ms':>8} {'numpy ms':>9} "
              f"{'torch ms':>9} {'ours GF/s':>9} {'torch GF/s':>10} {'ours/torch':>10} "
              f"{'noisy':>5}")
    print(header)
    print("-" * len(header))
    for name, (fwd, fb, flops), fb_factor in all_cases(rng, args.only):
        for label, fns, work in (("fwd", fwd, flops), ("fwd+bwd", fb, fb_factor * flops)):
            # The NumPy twin is slow on the big workloads: time it on its own, briefly.
            numpy_fn = fns.pop("numpy")
            t_numpy = min(timed(numpy_fn) for _ in range(2 if args.quick else 3))
            noisy_before = timer.noisy
            t = timer.compare(fns)
            t_ours = median_time(t["ours"])
            t_torch = median_time(t["torch"]) if "torch" in t else float("nan")
            ratio = paired_ratio(t["ours"], t["torch"]) if "torch" in t else float("nan")
            print(f"{name:<22} {label:<7} {t_ours * 1e3:8.2f} {t_numpy * 1e3:9.1f} "
                  f"{t_torch * 1e3:9.2f} {work / t_ours / 1e9:9.1f} "
                  f"{work / t_torch / 1e9:10.1f} {ratio:10.2f} "
                  f"{timer.noisy - noisy_before:5d}", flush=True)
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    print("# GF/s: conv counts 2*P*K*O flops forward and 3x that for forward+backward;")
    print("#       max-pool counts one comparison per window cell (x2 with backward),")
    print("#       global pools one operation per input element (x2 with backward).")
    print(f"# Rounds disturbed by other processes and repeated: {timer.discarded}; "
          "'noisy' counts rounds kept")
    print("# anyway after --max-tries attempts (their times include other processes' load).")

    if not args.no_compile:
        print(f"\n# load average before compiling: {load_average()}")
        print("Numba compile, every kernel, float32 + float64 "
              "(python -m autograd.kernels --warmup --jobs N, fresh NUMBA_CACHE_DIR):")
        for name, t in compile_times().items():
            print(f"  {name:<18}: {t['wall']:.2f} s wall ({t['sum']:.2f} s summed over the "
                  f"kernels, {t['cpu']:.2f} s CPU; {t['process']:.2f} s for the whole "
                  "command, Python, NumPy and Numba imports included)")
        print(f"# load average after: {load_average()}")


if __name__ == "__main__":
    main()
