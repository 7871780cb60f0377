"""The keras.io "Simple MNIST convnet" at batch 128: fit step, predict, peak memory.

The model every Keras user trains first:

    Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
    -> Flatten -> Dropout(0.5) -> Dense(10, softmax)

on 28x28x1 images, Adam(1e-3), sparse categorical cross-entropy, batch 128. The
images are synthetic (random pixels of the right shape and dtype; speed does not
depend on what the digits look like). Each setup is measured in its own process:

- ``gradstack``: ``model.fit`` / ``model.predict`` (verbose=0, no metrics);
- ``torch``: a hand-written PyTorch loop, channels_last, ``CrossEntropyLoss`` on
  logits, Adam(eps=1e-7); predict is ``model.eval()`` under ``torch.no_grad()``;
- ``keras``: Keras 3 ``model.fit`` / ``model.predict`` on the torch backend.

Three measurements (``--what``):

- ``fit``: milliseconds per training step, median over ``--repeats`` epochs of
  ``--steps`` steps, after one warm-up epoch;
- ``predict``: milliseconds per batch of 128 of inference, the same way;
- ``memory``: how much the resident set grows while training: the peak RSS during
  the timed epochs (Linux's high-water mark, reset after the warm-up epoch) minus
  the RSS after the model, the data and one training step on a single image (which
  loads what each library loads on first use, but no batch-sized arrays).

Processes alternate (gradstack, torch, keras, then the reverse order, ...) over
``--passes`` passes, so that load from other processes on a shared machine hits
every setup alike; the table gives the medians over all passes and the ratio to
the baseline's median, and the load average before and after.

    python benchmarks/bench_mnist.py [--what fit,predict,memory] [--threads 1,2]
                                     [--passes 4] [--repeats 5] [--steps 10] [--quick]

``--busy`` (default ``--what fit --threads 2 --setups gradstack,torch``) starts
``python -c "while True: pass"`` itself (``benchmarks/busy.py``) and runs every
process twice, once with that spinner paused (quiet) and once with it running
(busy), the order alternating from pass to pass; the table gives quiet and busy
medians, busy/quiet, and each setup's busy time over the baseline's busy time.
Targets (issue 17): busy/quiet <= 2 and busy vs torch <= 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from busy import Spinner, load_average, set_state  # noqa: E402

os.environ.setdefault("KERAS_BACKEND", "torch")

BATCH = 128
LR = 1e-3
SETUPS = ("gradstack", "torch", "keras")


def synthetic_mnist(steps: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = steps * BATCH
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)


# ------------------------------------------------------------------ the three setups


def gradstack_runners():
    import nn
    from nn import layers

    nn.utils.set_random_seed(0)
    model = nn.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
    ])
    model.compile(nn.optimizers.Adam(LR), "sparse_categorical_crossentropy")
    fit = lambda x, y: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # noqa: E731
    predict = lambda x, y: model.predict(x, batch_size=BATCH, verbose=0)  # noqa: E731
    return fit, predict


def torch_runners():
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10),
    ).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=LR, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def fit(x, y):
        # NHWC in memory, NCHW in shape: the channels_last layout, as gradstack's
        xt, yt = torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(y)
        model.train()
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx].contiguous(memory_format=torch.channels_last)),
                           yt[idx])
            loss.backward()
            opt.step()

    def predict(x, y):
        xt = torch.from_numpy(x).permute(0, 3, 1, 2)
        model.eval()
        outs = []
        with torch.no_grad():
            for start in range(0, len(xt), BATCH):
                batch = xt[start:start + BATCH].contiguous(memory_format=torch.channels_last)
                outs.append(torch.softmax(model(batch), dim=1).numpy())
        return np.concatenate(outs)

    return fit, predict


def keras_runners():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LR), loss="sparse_categorical_crossentropy")
    fit = lambda x, y: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # noqa: E731
    predict = lambda x, y: model.predict(x, batch_size=BATCH, verbose=0)  # noqa: E731
    return fit, predict


# ------------------------------------------------------------------ one process


def rss_kb(field: str) -> int:
    """VmRSS or VmHWM (peak) of this process, in kB (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def worker(setup: str, what: str, threads: int, repeats: int, steps: int) -> dict:
    if setup in ("torch", "keras"):
        import torch

        torch.set_num_threads(threads)
    x, y = synthetic_mnist(steps)
    make = {"gradstack": gradstack_runners, "torch": torch_runners,
            "keras": keras_runners}[setup]
    fit, predict = make()
    run = predict if what == "predict" else fit
    # One step on one image loads what the library loads on first use (kernels from
    # Numba's cache, oneDNN's primitives) but holds no batch-sized memory yet.
    run(x[:1], y[:1])
    before = rss_kb("VmRSS")
    run(x, y)  # warm-up: compilation, caches, first allocations
    if what == "memory":  # the peak from here on, minus `before`
        reset_peak_rss()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(x, y)
        times.append((time.perf_counter() - start) / steps)
    result = {"ms": [t * 1e3 for t in times]}
    if what == "memory":
        result["growth_mb"] = (rss_kb("VmHWM") - before) / 1024
    return result


def measure(setup: str, what: str, threads: int, repeats: int, steps: int) -> dict:
    command = [sys.executable, __file__, "--worker", setup, what, str(threads),
               str(repeats), str(steps)]
    # BLAS libraries read their thread count when they load: set it before Python starts.
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads))
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def available(setup: str) -> bool:
    try:
        __import__({"gradstack": "nn", "torch": "torch", "keras": "keras"}[setup])
    except ImportError:
        return False
    return True


def busy_main(args) -> None:
    """``--busy``: each process once with the spinner paused and once with it running."""
    setups = [s for s in args.setups.split(",") if available(s)]
    spinner = Spinner()
    print(f"MNIST convnet, batch {BATCH}, {args.steps} steps per epoch; {args.passes} passes "
          f"over {', '.join(setups)}, each quiet (spinner paused) and busy (`python -c "
          f"'while True: pass'` running), order alternating; {args.repeats} timed epochs "
          f"each; {os.cpu_count()} CPUs, load average {load_average()} at the start\n")
    try:
        for what in args.what.split(","):
            print(f"| {what} | threads | quiet ms / step | busy ms / step | busy / quiet "
                  f"| busy vs {args.baseline} busy |")
            print("|---|---:|---:|---:|---:|---:|")
            for n in [int(t) for t in args.threads.split(",")]:
                ms = {(s, state): [] for s in setups for state in ("quiet", "busy")}
                for p in range(args.passes):
                    states = ("quiet", "busy") if p % 2 == 0 else ("busy", "quiet")
                    for s in setups if p % 2 == 0 else setups[::-1]:
                        for state in states:
                            set_state(spinner, state)
                            result = measure(s, what, n, args.repeats, args.steps)
                            spinner.pause()
                            ms[s, state].append(statistics.median(result["ms"]))
                med = {key: statistics.median(v) for key, v in ms.items()}
                base = med.get((args.baseline, "busy"))
                for s in setups:
                    q, b = med[s, "quiet"], med[s, "busy"]
                    vs = f"{b / base:.2f}" if base else ""
                    print(f"| {s} | {n} | {q:.1f} | {b:.1f} | {b / q:.2f} | {vs} |", flush=True)
            print(f"\nload average {load_average()} at the end of '{what}'\n", flush=True)
    finally:
        spinner.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", default=None, help="default fit,predict,memory (--busy: fit)")
    parser.add_argument("--setups", default=None,
                        help=f"default {','.join(SETUPS)} (--busy: gradstack,torch)")
    parser.add_argument("--threads", default=None, help="default 1,2 (--busy: 2)")
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="steps (batches) per epoch")
    parser.add_argument("--quick", action="store_true", help="--passes 2 --repeats 3 --steps 5")
    parser.add_argument("--busy", action="store_true",
                        help="quiet vs one core kept busy by a spinning process")
    parser.add_argument("--baseline", default="torch")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        setup, what, threads, repeats, steps = args.worker
        print(json.dumps(worker(setup, what, int(threads), int(repeats), int(steps))))
        return
    if args.quick:
        args.passes, args.repeats, args.steps = 2, 3, 5
    args.what = args.what or ("fit" if args.busy else "fit,predict,memory")
    args.setups = args.setups or ("gradstack,torch" if args.busy else ",".join(SETUPS))
    args.threads = args.threads or ("2" if args.busy else "1,2")
    if args.busy:
        busy_main(args)
        return
    setups = [s for s in args.setups.split(",") if available(s)]
    threads = [int(n) for n in args.threads.split(",")]
    print(f"MNIST convnet, batch {BATCH}, {args.steps} steps per epoch; {args.passes} passes "
          f"alternating {', '.join(setups)}, {args.repeats} timed epochs each; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start\n")
    for what in args.what.split(","):
        print(f"| {what} | threads | ms / step | range | vs {args.baseline} |"
              + (" RSS growth MB | vs baseline |" if what == "memory" else ""))
        print("|---|---:|---:|---:|---:|" + ("---:|---:|" if what == "memory" else ""))
        for n in threads:
            ms = {s: [] for s in setups}
            mb = {s: [] for s in setups}
            for p in range(args.passes):
                for s in setups if p % 2 == 0 else setups[::-1]:
                    result = measure(s, what, n, args.repeats, args.steps)
                    ms[s].append(statistics.median(result["ms"]))
                    if "growth_mb" in result:
                        mb[s].append(result["growth_mb"])
            base = statistics.median(ms[args.baseline]) if args.baseline in ms else None
            base_mb = statistics.median(mb[args.baseline]) if mb.get(args.baseline) else None
            for s in setups:
                med = statistics.median(ms[s])
                ratio = f"{med / base:.2f}" if base else ""
                row = (f"| {s} | {n} | {med:.1f} | {min(ms[s]):.1f}-{max(ms[s]):.1f} "
                       f"| {ratio} |")
                if what == "memory":
                    m = statistics.median(mb[s])
                    row += f" {m:.0f} | {m / base_mb:.2f} |" if base_mb else f" {m:.0f} | |"
                print(row, flush=True)
        print(f"\nload average {os.getloadavg()[0]:.2f} at the end of '{what}'\n", flush=True)


if __name__ == "__main__":
    main()
