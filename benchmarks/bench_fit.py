"""How fast is ``fit``? Seconds per epoch and milliseconds per step on the digits.

Two models, trained with Adam(1e-3) on sparse categorical cross-entropy, batch 32,
on the 1,438 training digits (45 steps per epoch):

- mlp:     Dense(64, relu) -> Dense(64, relu) -> Dense(10, softmax), 64 inputs;
- convnet: Conv2D(16, 3, same, relu) -> MaxPooling2D(2) -> Conv2D(32, 3, same, relu)
           -> Flatten -> Dense(10, softmax), on 8x8x1 images.

Each is measured as:

- gradstack ``model.fit`` (with metrics=["accuracy"], verbose=0);
- a hand-written NumPy loop (mlp only): forward, backward and Adam written out;
- a hand-written PyTorch loop, when torch is installed (logits + CrossEntropyLoss);
- Keras 3 ``model.fit`` with the torch backend, when keras is installed.

Every number is the median over ``--repeats`` timed epochs after one warm-up epoch.
Other work on the machine makes single runs noisy: compare medians, rerun if unsure.
Every setup runs once per thread count in ``--threads`` (PyTorch's intra-op
threads, and the BLAS threads that NumPy and so gradstack use): on a busy 2-core
machine two threads that wait for each other can be ten times slower than one,
so both are shown.

    python benchmarks/bench_fit.py [--repeats 7] [--models mlp,convnet] [--threads 1,2]
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

os.environ.setdefault("KERAS_BACKEND", "torch")

BATCH = 32
LR = 1e-3


def load_digits():
    import nn

    (x, y), _ = nn.datasets.digits.load_data()
    images = (x / 16.0).astype(np.float32)[..., None]  # (n, 8, 8, 1)
    return images, y.astype(np.int64)


def time_epochs(run_epoch, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` epochs, after one warm-up epoch (JIT
    compilation, caches, first allocations)."""
    run_epoch()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_epoch()
        times.append(time.perf_counter() - start)
    return times


# ------------------------------------------------------------------ gradstack


def gradstack_model(kind: str):
    import nn
    from nn import layers

    nn.utils.set_random_seed(0)
    if kind == "mlp":
        stack = [layers.Input((64,)), layers.Dense(64, activation="relu"),
                 layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")]
    else:
        stack = [layers.Input((8, 8, 1)),
                 layers.Conv2D(16, 3, padding="same", activation="relu"),
                 layers.MaxPooling2D(2),
                 layers.Conv2D(32, 3, padding="same", activation="relu"),
                 layers.Flatten(), layers.Dense(10, activation="softmax")]
    model = nn.Sequential(stack)
    model.compile(nn.optimizers.Adam(LR), "sparse_categorical_crossentropy", ["accuracy"])
    return model


def gradstack_runner(kind: str, x, y):
    model = gradstack_model(kind)
    x = x.reshape(len(x), -1) if kind == "mlp" else x
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


# ------------------------------------------------------------------ NumPy by hand


def numpy_mlp_runner(x, y):
    """The same MLP, forward/backward/Adam written out in NumPy (float32)."""
    rng = np.random.default_rng(0)
    x = x.reshape(len(x), -1)
    sizes = [(64, 64), (64, 64), (64, 10)]
    params = []
    for n_in, n_out in sizes:
        limit = np.sqrt(6 / (n_in + n_out))
        params += [rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32),
                   np.zeros(n_out, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    state = {"t": 0}

    def step(xb, yb):
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.maximum(xb @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        dz = p
        dz[np.arange(len(yb)), yb] -= 1
        dz /= len(yb)
        dh2 = (dz @ w3.T) * (h2 > 0)
        dh1 = (dh2 @ w2.T) * (h1 > 0)
        grads = [xb.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0)]
        state["t"] += 1
        t = state["t"]
        alpha = LR * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        for p_, g, m_, v_ in zip(params, grads, m, v, strict=False):
            m_ += (g - m_) * 0.1
            v_ += (g * g - v_) * 0.001
            p_ -= alpha * m_ / (np.sqrt(v_) + 1e-7)

    def epoch():
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            idx = order[start:start + BATCH]
            step(x[idx], y[idx])

    return epoch


# ------------------------------------------------------------------ PyTorch by hand


def torch_runner(kind: str, x, y):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    if kind == "mlp":
        xt = torch.from_numpy(x.reshape(len(x), -1))
        model = torch.nn.Sequential(
            torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
            torch.nn.Linear(64, 10))
    else:
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NCHW
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
            torch.nn.Linear(32 * 4 * 4, 10))
    yt = torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=LR, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return epoch


# ------------------------------------------------------------------ Keras 3


def keras_runner(kind: str, x, y):  # returns (run_epoch, description) or None
    try:
        import keras
    except ImportError:
        return None
    keras.utils.set_random_seed(0)
    if kind == "mlp":
        xk = x.reshape(len(x), -1)
        model = keras.Sequential([
            keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax")])
    else:
        xk = x
        model = keras.Sequential([
            keras.Input((8, 8, 1)), keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(LR), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    run = lambda: model.fit(xk, y, batch_size=BATCH, epochs=1, verbose=0)  # noqa: E731
    return run, f"Keras {keras.__version__} fit ({keras.backend.backend()}"


# ------------------------------------------------------------------ report
# Each measurement runs in a fresh Python process: PyTorch's OpenMP threads keep
# spinning after each op, and in the same process they would slow down whatever
# is measured next on a 2-core machine.

RUNNERS = ("gradstack", "numpy", "torch", "keras")


def make_runner(what: str, kind: str, threads: int):
    x, y = load_digits()
    if what in ("torch", "keras"):
        try:
            import torch
        except ImportError:
            return None
        torch.set_num_threads(threads)
    if what == "gradstack":
        return gradstack_runner(kind, x, y)
    if what == "numpy":
        return numpy_mlp_runner(x, y)
    if what == "torch":
        return torch_runner(kind, x, y)
    keras_run = keras_runner(kind, x, y)
    return None if keras_run is None else keras_run[0]


def worker(what: str, kind: str, threads: int, repeats: int) -> None:
    run = make_runner(what, kind, threads)
    print(json.dumps(None if run is None else time_epochs(run, repeats)))


def measure(what: str, kind: str, threads: int, repeats: int) -> list[float] | None:
    command = [sys.executable, __file__, "--worker", what, kind, str(threads), str(repeats)]
    # BLAS libraries read their thread count when they load: set it before Python starts.
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads))
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def label(what: str, threads: int) -> str:
    if what == "gradstack":
        return f"gradstack fit ({threads} thr.)"
    if what == "numpy":
        return f"NumPy loop by hand ({threads} thr.)"
    if what == "torch":
        return f"PyTorch loop by hand ({threads} thr.)"
    import keras

    return f"Keras {keras.__version__} fit (torch backend, {threads} thr.)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--models", default="mlp,convnet")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        what, kind, threads, repeats = args.worker
        worker(what, kind, int(threads), int(repeats))
        return
    thread_counts = [int(n) for n in args.threads.split(",")]
    x, _ = load_digits()
    steps = -(-len(x) // BATCH)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"digits: {len(x)} training images, batch {BATCH}, {steps} steps per epoch; median "
          f"of {args.passes} x {args.repeats} epochs, each setup in its own process; "
          f"{os.cpu_count()} CPUs, load average {load:.2f} at the start\n")
    print(f"| model | what | s / epoch | ms / step | vs gradstack fit ({thread_counts[0]} thr.) |")
    print("|---|---|---:|---:|---:|")
    for kind in args.models.split(","):
        kinds = ("gradstack", "numpy", "torch", "keras") if kind == "mlp" else (
            "gradstack", "torch", "keras")
        setups = [(what, n) for what in kinds for n in thread_counts]
        times: dict = {setup: [] for setup in setups}
        for p in range(args.passes):  # alternate the order between passes
            for setup in setups if p % 2 == 0 else setups[::-1]:
                result = measure(setup[0], kind, setup[1], args.repeats)
                if result is None:
                    times.pop(setup, None)
                elif setup in times:
                    times[setup] += result
        medians = {setup: statistics.median(t) for setup, t in times.items()}
        ours = medians[("gradstack", thread_counts[0])]
        for (what, threads), seconds in medians.items():
            print(f"| {kind} | {label(what, threads)} | {seconds:.3f} | "
                  f"{seconds / steps * 1e3:.2f} | {seconds / ours:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
