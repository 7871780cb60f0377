"""How fast are the sequence layers beside PyTorch CPU?

Measures, in one run, forward + backward (a sum of the outputs as the loss) of:

1. ``layers.LSTM(128)`` on batch 64, 50 steps, 64 features, against ``torch.nn.LSTM``;
2. ``layers.GRU(128)`` on the same input, against ``torch.nn.GRU``;
3. a 2-layer transformer encoder (4 heads, width 128, feed-forward 256, post-norm
   as in the Keras guide's ``TransformerBlock``) on batch 32, length 64, against
   the same block written with ``torch.nn.MultiheadAttention``, ``LayerNorm`` and
   ``Linear`` (when ``layers.MultiHeadAttention`` exists).

Ours and PyTorch take turns round by round (each after a short pause). The
machine is shared, so a round is *rejected as disturbed* when PyTorch's time in
it is more than 30% above PyTorch's fastest round: the baseline itself shows the
machine was busy. The ratio reported is the median over the kept rounds of
ours / PyTorch within each round, with the load average at the start and end.

    python benchmarks/bench_sequence.py [--quick] [--threads N]

``--threads`` (default 1) sets the BLAS threads of NumPy (so of gradstack) and
PyTorch's intra-op threads alike. It must be known before NumPy loads, so the
script reads it first. On a busy shared 2-core machine, 2 threads make small
matmuls 10-20x slower for everyone (threads waiting for a descheduled partner;
see "Training (fit)" in benchmarks/README.md), so compare at 1 thread there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _threads_from_argv() -> int:
    if "--threads" in sys.argv:
        return int(sys.argv[sys.argv.index("--threads") + 1])
    return 1


THREADS = _threads_from_argv()
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = str(THREADS)

# Import the gradstack this script sits in (a worktree's), not whichever one the
# environment's editable install points at.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

try:
    import torch

    torch.set_num_threads(THREADS)
except ImportError:  # PyTorch is the baseline; without it only our times print
    torch = None

BATCH, STEPS, FEATURES, UNITS = 64, 50, 64, 128


def recurrent_ours(kind: str):
    layer = {"lstm": nn.layers.LSTM, "gru": nn.layers.GRU}[kind](UNITS, return_sequences=True)
    x = autograd.tensor(np.random.rand(BATCH, STEPS, FEATURES).astype(np.float32),
                        requires_grad=True)
    layer(x)

    def step():
        layer(x).sum().backward()

    return step


def recurrent_torch(kind: str):
    layer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](FEATURES, UNITS, batch_first=True)
    x = torch.rand(BATCH, STEPS, FEATURES, requires_grad=True)

    def step():
        out, _ = layer(x)
        out.sum().backward()

    return step


# ----------------------------------------------------------------- transformer

T_BATCH, T_LENGTH, WIDTH, HEADS, FF = 32, 64, 128, 4, 256


def transformer_ours():
    if not hasattr(nn.layers, "MultiHeadAttention"):
        return None
    from nn import layers

    def block(x):
        attention = layers.MultiHeadAttention(num_heads=HEADS, key_dim=WIDTH // HEADS)(x, x)
        x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attention]))
        ff = layers.Dense(WIDTH)(layers.Dense(FF, activation="relu")(x))
        return layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, ff]))

    inputs = nn.Input(shape=(T_LENGTH, WIDTH))
    model = nn.Model(inputs, block(block(inputs)))
    x = autograd.tensor(np.random.rand(T_BATCH, T_LENGTH, WIDTH).astype(np.float32),
                        requires_grad=True)

    def step():
        model(x).sum().backward()

    return step


def transformer_torch():
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = torch.nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
            self.norm1 = torch.nn.LayerNorm(WIDTH, eps=1e-6)
            self.ff1, self.ff2 = torch.nn.Linear(WIDTH, FF), torch.nn.Linear(FF, WIDTH)
            self.norm2 = torch.nn.LayerNorm(WIDTH, eps=1e-6)

        def forward(self, x):
            a, _ = self.attention(x, x, x, need_weights=False)
            x = self.norm1(x + a)
            return self.norm2(x + self.ff2(torch.relu(self.ff1(x))))

    model = torch.nn.Sequential(Block(), Block())
    x = torch.rand(T_BATCH, T_LENGTH, WIDTH, requires_grad=True)

    def step():
        model(x).sum().backward()

    return step


# ----------------------------------------------------------------- timing


def alternate(ours, theirs, inner: int, repeats: int, pause: float = 0.2):
    """Per-round times [(ours, theirs)], both timed back to back in every round."""
    for fn in (ours, theirs):
        if fn is not None:
            for _ in range(2):
                fn()
    rounds = []
    for _ in range(repeats):
        times = []
        for fn in (ours, theirs):
            if fn is None:
                times.append(None)
                continue
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times.append((time.perf_counter() - start) / inner)
        rounds.append(tuple(times))
    return rounds


def summarize(name: str, rounds) -> None:
    ours = [r[0] for r in rounds]
    if rounds[0][1] is None:
        print(f"{name:<34} ours {statistics.median(ours) * 1e3:8.1f} ms   (no PyTorch)")
        return
    fastest = min(r[1] for r in rounds)
    kept = [r for r in rounds if r[1] <= 1.3 * fastest]
    ratio = statistics.median(r[0] / r[1] for r in kept)
    print(f"{name:<34} ours {statistics.median(r[0] for r in kept) * 1e3:8.1f} ms   "
          f"torch {statistics.median(r[1] for r in kept) * 1e3:8.1f} ms   "
          f"ratio {ratio:5.2f}x   ({len(rounds) - len(kept)} of {len(rounds)} rounds "
          "rejected as disturbed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (1)")
    args = parser.parse_args()
    repeats, inner = (3, 2) if args.quick else (11, 5)
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores); threads: {THREADS} (NumPy BLAS and torch)")
    for kind in ("lstm", "gru"):
        rounds = alternate(recurrent_ours(kind), recurrent_torch(kind) if torch else None,
                           inner, repeats)
        summarize(f"{kind.upper()} {BATCH}x{STEPS}x{FEATURES} -> {UNITS} fwd+bwd", rounds)
    ours = transformer_ours()
    if ours is not None:
        rounds = alternate(ours, transformer_torch() if torch else None, inner, repeats)
        summarize(f"transformer 2x{HEADS}h {T_BATCH}x{T_LENGTH}x{WIDTH} fwd+bwd", rounds)
    else:
        print("transformer: layers.MultiHeadAttention is not there yet")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
