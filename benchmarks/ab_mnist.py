"""One kernel choice on or off, A/B in one process on the MNIST convnet at batch 128.

    python benchmarks/ab_mnist.py lanes [--rounds 8]
    python benchmarks/ab_mnist.py transposed [--rounds 8]
    python benchmarks/ab_mnist.py conv_lanes [--rounds 8]
    python benchmarks/ab_mnist.py winograd [--rounds 8]

Each experiment is one module constant, set to its usual value ("on") or to a value
that turns the choice off:

- ``lanes``: ``kernels/lanes.py``'s MIN_SPLIT_WORK - pooling in two lanes, or so large
  a threshold that every pooling stays in one lane.
- ``transposed``: ``kernels/conv.py``'s TRANSPOSED_COLS_BYTES - a one-channel input's
  column matrix filled whole and transposed, or never (row by row, as for C > 1).
- ``conv_lanes``: ``kernels/conv.py``'s LANE_MIN_WORK - convolutions in two lanes of
  images, or every convolution in one lane. Both on one-thread OpenBLAS (the first
  convolution in lanes holds it there), so this is lanes against one thread; the code
  before lanes (threaded OpenBLAS) is another checkout: compare processes.
- ``winograd``: ``kernels/conv.py``'s WINOGRAD_MIN_CHANNELS - the second convolution
  (32 -> 64 channels, 3x3) as Winograd's F(2x2, 3x3), or as im2col + matmul.

Rounds alternate the two settings; it prints the median ms per training step and per
``predict`` batch, and the median of the per-round ratios on/off. Synthetic data of
MNIST's shape.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's code first

import nn  # noqa: E402
from autograd.kernels import conv, lanes  # noqa: E402
from nn import layers  # noqa: E402

BATCHES = 6
# experiment: (module, constant, value when on, value when off)
EXPERIMENTS = {
    "lanes": (lanes, "MIN_SPLIT_WORK", lanes.MIN_SPLIT_WORK, 10**18),
    "transposed": (conv, "TRANSPOSED_COLS_BYTES", conv.TRANSPOSED_COLS_BYTES, -1),
    "conv_lanes": (conv, "LANE_MIN_WORK", conv.LANE_MIN_WORK, 10**18),
    "winograd": (conv, "WINOGRAD_MIN_CHANNELS", conv.WINOGRAD_MIN_CHANNELS, 10**9),
}


def convnet() -> nn.Sequential:
    model = nn.Sequential([
        nn.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=sorted(EXPERIMENTS))
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    module, constant, on, off = EXPERIMENTS[args.experiment]
    settings = {"on": on, "off": off}
    rng = np.random.default_rng(0)
    x = rng.random((128 * BATCHES, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 128 * BATCHES)
    model = convnet()

    def fit_ms() -> float:
        start = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        return (time.perf_counter() - start) / BATCHES * 1e3

    def predict_ms() -> float:
        start = time.perf_counter()
        model.predict(x, batch_size=128, verbose=0)
        return (time.perf_counter() - start) / BATCHES * 1e3

    for what, run in (("fit step", fit_ms), ("predict batch", predict_ms)):
        times: dict[str, list[float]] = {name: [] for name in settings}
        for r in range(args.rounds):
            order = list(settings) if r % 2 else list(settings)[::-1]
            for name in order:
                setattr(module, constant, settings[name])
                run()  # one untimed epoch: caches and allocator settle
                time.sleep(0.2)  # let idle BLAS threads stop spinning
                times[name].append(run())
        a, b = (times[name] for name in settings)
        ratio = statistics.median(p / q for p, q in zip(a, b))
        print(f"{args.experiment} {what:14s} on {statistics.median(a):6.1f} ms   off "
              f"{statistics.median(b):6.1f} ms   on/off {ratio:.3f}", flush=True)
    setattr(module, constant, on)


if __name__ == "__main__":
    main()
