"""How much does the autograd engine cost on top of the math it runs?

Measures, in one run on this machine:

1. a chain of ten adds of 4x4 tensors (forward + backward), per op;
2. a single add and a single 64x64 matmul with their backward;
3. one training step of a 784-256-128-10 MLP (ReLU, softmax cross-entropy,
   plain SGD) at batch 32 and 128, each layer written as ``h @ W + b`` (two ops)
   and as ``autograd.linear(h, W, b)`` (one op, what ``nn.layers.Dense`` uses;
   PyTorch's counterpart is ``torch.addmm``);

each beside the same math written by hand in plain NumPy (no graph, backward
derived by hand) and beside PyTorch CPU when it is installed. The three take
turns round by round; prints median times and the median of the per-round
ratios.

    python benchmarks/bench_overhead.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

import autograd

try:
    import torch

    torch.set_num_threads(2)
except ImportError:  # PyTorch is an optional baseline
    torch = None


def interleaved_seconds(fns, inner: int, repeats: int, pause: float):
    """Time each function in `fns` (None = skipped) in alternating rounds.

    This machine's speed drifts by up to 2x over seconds, so timing one
    implementation after another would compare different machines. Instead every
    round times all of them back to back (`inner` calls each, after a warm-up),
    sleeping `pause` seconds before each so that BLAS and OpenMP threads still
    spinning from the previous one have gone idle.

    Returns (median time per call for each fn, rounds) where rounds[k][i] is the
    time per call of fn i in round k - ratios are taken within a round.
    """
    for fn in fns:
        if fn is not None:
            for _ in range(max(3, inner // 10)):
                fn()
    rounds = []
    for _ in range(repeats):
        times = []
        for fn in fns:
            if fn is None:
                times.append(None)
                continue
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times.append((time.perf_counter() - start) / inner)
        rounds.append(times)
    medians = [
        None if fns[i] is None else statistics.median(r[i] for r in rounds)
        for i in range(len(fns))
    ]
    return medians, rounds


def median_ratio(rounds, i: int, j: int) -> float:
    """Median over rounds of time(i) / time(j), both measured in the same round."""
    return statistics.median(r[i] / r[j] for r in rounds)


# ----------------------------------------------------------------- 1. chain of adds

CHAIN = 10


def chain_ours():
    a = autograd.tensor(np.random.rand(4, 4).astype(np.float32), requires_grad=True)
    b = autograd.tensor(np.random.rand(4, 4).astype(np.float32), requires_grad=True)

    def step():
        x = a
        for _ in range(CHAIN):
            x = x + b
        x.backward(np.ones((4, 4), np.float32))

    return step


def chain_numpy():
    a = np.random.rand(4, 4).astype(np.float32)
    b = np.random.rand(4, 4).astype(np.float32)

    def step():
        x = a
        for _ in range(CHAIN):
            x = x + b
        g = np.ones((4, 4), np.float32)
        grad_b = g.copy()  # d(x+b)/db, once per add
        for _ in range(CHAIN - 1):
            grad_b = grad_b + g
        return g, grad_b

    return step


def chain_torch():
    a = torch.rand(4, 4, requires_grad=True)
    b = torch.rand(4, 4, requires_grad=True)
    g = torch.ones(4, 4)

    def step():
        x = a
        for _ in range(CHAIN):
            x = x + b
        x.backward(g)

    return step


# ----------------------------------------------------------------- 2. single ops


def single_ours(kind):
    n = 4 if kind == "add" else 64
    a = autograd.tensor(np.random.rand(n, n).astype(np.float32), requires_grad=True)
    b = autograd.tensor(np.random.rand(n, n).astype(np.float32), requires_grad=True)
    g = np.ones((n, n), np.float32)

    def step():
        y = a + b if kind == "add" else a @ b
        y.backward(g)

    return step


def single_numpy(kind):
    n = 4 if kind == "add" else 64
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    g = np.ones((n, n), np.float32)

    def step():
        if kind == "add":
            return a + b, g, g
        return a @ b, g @ b.T, a.T @ g

    return step


def single_torch(kind):
    n = 4 if kind == "add" else 64
    a = torch.rand(n, n, requires_grad=True)
    b = torch.rand(n, n, requires_grad=True)
    g = torch.ones(n, n)

    def step():
        y = a + b if kind == "add" else a @ b
        y.backward(g)

    return step


# ----------------------------------------------------------------- 3. MLP training step

SIZES = (784, 256, 128, 10)
LR = 0.01


def mlp_data(batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=batch)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return x, y, params


def mlp_ours(batch, fused=False):
    """fused=False: each layer is h @ W + b (two ops); fused=True: autograd.linear,
    the one op a Dense layer uses."""
    x, y, arrays = mlp_data(batch)
    params = [autograd.tensor(p, requires_grad=True) for p in arrays]
    xt = autograd.tensor(x)

    def step():
        h = xt
        for i in range(0, len(params), 2):
            if fused:
                h = autograd.linear(h, params[i], params[i + 1])
            else:
                h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = autograd.sparse_softmax_cross_entropy(h, y).mean()
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p.sub_(LR * p.grad.data)
                p.grad = None

    return step


def mlp_numpy(batch):
    x, y, params = mlp_data(batch)

    def step():
        # forward, keeping what backward needs
        activations = [x]
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = np.maximum(h, 0)
            activations.append(h)
        shifted = h - h.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        _loss = -log_probs[np.arange(batch), y].mean()
        # backward by hand
        g = np.exp(log_probs)
        g[np.arange(batch), y] -= 1
        g /= batch
        grads = [None] * len(params)
        for i in range(len(params) - 2, -1, -2):
            a_in = activations[i // 2]
            grads[i] = a_in.T @ g
            grads[i + 1] = g.sum(axis=0)
            if i > 0:
                g = (g @ params[i].T) * (activations[i // 2] > 0)
        for p, gp in zip(params, grads):
            p -= LR * gp

    return step


def mlp_torch(batch, fused=False):
    x, y, arrays = mlp_data(batch)
    params = [torch.tensor(p, requires_grad=True) for p in arrays]
    xt, yt = torch.tensor(x), torch.tensor(y)

    def step():
        h = xt
        for i in range(0, len(params), 2):
            if fused:
                h = torch.addmm(params[i + 1], h, params[i])  # b + h @ W in one op
            else:
                h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = torch.nn.functional.cross_entropy(h, yt)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None

    return step


# ----------------------------------------------------------------- table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else 15

    rows = []

    def measure(name, per, inner, ours, numpy_, torch_):
        (t_ours, t_np, t_torch), rounds = interleaved_seconds(
            [ours, numpy_, torch_], inner, repeats, pause=0.1)
        rows.append((
            name,
            t_ours / per,
            t_np / per,
            t_torch / per if torch_ else None,
            median_ratio(rounds, 0, 1),
            median_ratio(rounds, 0, 2) if torch_ else None,
        ))

    measure("chain of 10 adds, per op", CHAIN, 200, chain_ours(), chain_numpy(),
            chain_torch() if torch else None)
    measure("single add 4x4 + backward", 1, 1000, single_ours("add"), single_numpy("add"),
            single_torch("add") if torch else None)
    measure("single matmul 64x64 + backward", 1, 500, single_ours("matmul"),
            single_numpy("matmul"), single_torch("matmul") if torch else None)
    for batch in (32, 128):
        measure(f"MLP step, batch {batch}, @ and +", 1, 50, mlp_ours(batch),
                mlp_numpy(batch), mlp_torch(batch) if torch else None)
        measure(f"MLP step, batch {batch}, linear", 1, 50, mlp_ours(batch, fused=True),
                mlp_numpy(batch), mlp_torch(batch, fused=True) if torch else None)

    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"python {sys.version.split()[0]}")
    header = (f"{'workload':<36} {'ours':>10} {'numpy':>10} {'torch':>10} "
              f"{'ours/numpy':>11} {'ours/torch':>11}")
    print(header)
    print("-" * len(header))
    for name, t_ours, t_np, t_torch, ratio_np, ratio_torch in rows:
        torch_text = f"{t_torch * 1e6:8.1f}us" if t_torch else f"{'-':>10}"
        ratio_torch_text = f"{ratio_torch:10.2f}x" if ratio_torch else f"{'-':>11}"
        print(f"{name:<36} {t_ours * 1e6:8.1f}us {t_np * 1e6:8.1f}us {torch_text} "
              f"{ratio_np:10.2f}x {ratio_torch_text}")
    print("times: medians over rounds; ratios: medians of the ratios within each round "
          "(the implementations alternate, so machine drift cancels)")


if __name__ == "__main__":
    main()
