"""Before/after of the convolution and pooling code: two checkouts, one session, taking turns.

    git worktree add --detach /tmp/before <commit>          # the code to compare with
    python benchmarks/ab_conv.py /tmp/before .              # before, after
    python benchmarks/ab_conv.py /tmp/before . --pairs 15 --only 320x320

The speed of this shared machine drifts between sessions by more than most code changes
move it, so two tables measured hours apart cannot say whether a change cost anything.
This script starts one worker process per checkout; each builds ``bench_conv.py``'s own
workloads from its own tree (its ``autograd``, its ``bench_conv.conv_case`` and
``pool_case``) and times a function when asked. The workers take turns, round by round,
alternating which goes first, so a burst of load hits both; each round also times
PyTorch in the same worker. It prints, per workload and pass, the median time of each
side, the median over rounds of the after/before ratio, and each side's ours/torch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

WORKER = r"""
import sys, time
tree, only = sys.argv[1], sys.argv[2]
sys.path[:0] = [tree, tree + "/benchmarks"]
import numpy as np
import bench_conv as b

rng = np.random.default_rng(0)
cases = [(w[0], *b.conv_case(*w[1:], rng)[:2]) for w in b.CONV_WORKLOADS if only in w[0]]
cases += [(w[0], *b.pool_case(*w[1:], rng)[:2]) for w in b.POOL_WORKLOADS if only in w[0]]
cases += [(w[0], *b.composite_case(*w[1:], rng)[:2]) for w in b.COMPOSITE_WORKLOADS
          if only in w[0]]
for _, fwd, fb in cases:  # compile the kernels and warm the caches first
    for fns in (fwd, fb):
        fns["ours"]()
        fns["torch"]()
print("ready " + "|".join(name for name, _, _ in cases), flush=True)
for line in sys.stdin:
    index, pass_, who = line.split()
    fn = cases[int(index)][1 if pass_ == "fwd" else 2][who]
    times, start = [], time.perf_counter()
    while not times or time.perf_counter() - start < 0.15:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    print(float(np.median(times)), flush=True)
"""


class Worker:
    """A process holding one checkout's workloads, timing one function per request."""

    def __init__(self, tree: str, only: str) -> None:
        tree = os.path.abspath(tree)
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, tree, only], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=dict(os.environ, PYTHONPATH=tree))
        self.names = self.proc.stdout.readline().split(" ", 1)[1].strip().split("|")

    def time(self, index: int, pass_: str, who: str) -> float:
        self.proc.stdin.write(f"{index} {pass_} {who}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkout of the code to compare with")
    parser.add_argument("after", help="checkout of the code under test")
    parser.add_argument("--pairs", type=int, default=9, help="rounds per workload and pass")
    parser.add_argument("--only", default="", help="workloads whose name contains this")
    args = parser.parse_args()
    before, after = Worker(args.before, args.only), Worker(args.after, args.only)
    print(f"# {time.strftime('%H:%M:%S')}, load average {load()}")
    print(f"{'workload':24} {'pass':7} {'before ms':>9} {'after ms':>9} {'after/before':>12} "
          f"{'before/torch':>12} {'after/torch':>11}")
    for index, name in enumerate(before.names):
        for pass_ in ("fwd", "fwd+bwd"):
            rounds: dict[str, list[float]] = {"b": [], "a": [], "bt": [], "at": []}
            for r in range(args.pairs):
                sides = [(before, "b"), (after, "a")]
                for worker, key in sides if r % 2 == 0 else sides[::-1]:
                    time.sleep(0.1)  # let the other side's BLAS threads stop spinning
                    rounds[key].append(worker.time(index, pass_, "ours"))
                    rounds[key + "t"].append(worker.time(index, pass_, "torch"))
            b, a, bt, at = (np.array(rounds[k]) for k in ("b", "a", "bt", "at"))
            print(f"{name:24} {pass_:7} {np.median(b) * 1e3:9.2f} {np.median(a) * 1e3:9.2f} "
                  f"{np.median(a / b):12.3f} {np.median(b / bt):12.2f} "
                  f"{np.median(a / at):11.2f}", flush=True)
    print(f"# {time.strftime('%H:%M:%S')}, load average {load()}")
    before.close()
    after.close()


if __name__ == "__main__":
    main()
