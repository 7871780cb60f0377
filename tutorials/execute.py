"""Re-run tutorial notebooks top to bottom and save them with their new outputs.

    python tutorials/execute.py                    # every lesson
    python tutorials/execute.py 03_convnet_on_digits.ipynb

Run it after changing a lesson or the library, then read the outputs (and any
numbers the prose quotes) before committing. Output is saved as a Jupyter front
end would show it: consecutive prints merged, and progress-bar redraws
(carriage returns) collapsed to their final state.

The test suite runs each lesson the same way (``run``) and compares what it
prints with what is committed (``comparable_outputs``), so a lesson can never
show output, or code, that the library no longer produces. Timings, addresses
and progress bars are masked. Numbers are compared exactly only on a machine
like the one that executed the lesson (``machine()``, saved in the notebook's
metadata): elsewhere the linear-algebra library may add in another order, and
training ends a few digits apart, so there the numbers are masked too. A cell
tagged ``sampled`` prints text drawn from a trained model (lesson 8's names):
a few digits apart there is another text, so elsewhere only its number of lines
is compared.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from pathlib import Path

import nbclient
import nbformat
import numba
import numpy as np

HERE = Path(__file__).resolve().parent


def _as_displayed(text: str) -> str:
    # A carriage return moves back to the start of the line: keep what is drawn last.
    return "\n".join(line.rsplit("\r", 1)[-1].rstrip() if "\r" in line else line
                     for line in text.split("\n"))


def _tidy(cell: nbformat.NotebookNode) -> None:
    merged: list = []
    for out in cell.get("outputs", []):
        previous = merged[-1] if merged else None
        if (out.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == out.name):
            previous.text += out.text
        else:
            merged.append(out)
    for out in merged:
        if out.output_type == "stream":
            out.text = _as_displayed(out.text)
    cell.outputs = merged


def machine() -> str:
    """What the exact numbers of a run depend on: CPU, threads, NumPy/BLAS, Numba."""
    cpu = platform.processor() or platform.machine()
    if Path("/proc/cpuinfo").exists():
        # A virtual machine's model name can be as vague as "AMD EPYC" for CPUs of
        # different generations (with and without AVX-512, which changes how BLAS and
        # Numba add up): family and model tell them apart.
        info = {}
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
        if "model name" in info:
            cpu = (f"{info['model name']} (family {info.get('cpu family', '?')} "
                   f"model {info.get('model', '?')})")
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    threads = {k: v for k, v in os.environ.items()
               if k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return (f"{platform.machine()} {cpu}, {os.cpu_count()} cpus {threads or ''}, "
            f"numpy {np.__version__} ({blas.get('name')} {blas.get('version')}), "
            f"numba {numba.__version__}").replace("  ", " ")


def run(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute ``nb`` in place from top to bottom and tidy its outputs as saved.

    Raises ``nbclient.exceptions.CellExecutionError`` (naming the cell) if a cell fails.
    """
    # record_timing=False: no per-cell timestamps, so a re-run only changes what changed
    nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            _tidy(cell)
    nb.metadata["gradstack"] = {"executed_on": machine()}
    return nb


# What legitimately changes from one run to the next, and what stands in for it.
_VOLATILE = [
    # Keras-style timings: "19ms/epoch", "526us/step", "- 1s 36ms/step", "0s"
    (re.compile(r"\b\d+(?:\.\d+)?(?:s|ms|us|µs|ns)(?:/(?:step|epoch|sample))?\b"), "<time>"),
    # object addresses in reprs: "<function f at 0x7f3a...>"
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "0x<address>"),
    # progress bars, whatever state they were drawn in last
    (re.compile(r"\[[=>.]+\]"), "[<progress bar>]"),
]


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# With the numbers masked, so is the padding beside them: a table's columns are as wide
# as their numbers, and shift by a space when a count goes from 99 to 100 on another CPU.
_SPACES = re.compile(r"[ \t]+")


def _mask(text: str, numbers: bool) -> str:
    for pattern, stand_in in _VOLATILE:
        text = pattern.sub(stand_in, text)
    return _SPACES.sub(" ", _NUMBER.sub("<number>", text)) if numbers else text


def _comparable(output: nbformat.NotebookNode, numbers: bool) -> str:
    if output.output_type == "stream":
        return f"{output.name}:\n{_mask(output.text, numbers)}"
    if output.output_type == "error":
        return f"error: {output.ename}: {_mask(output.evalue, numbers)}"
    data = output.get("data", {})
    # Pictures are compared by what they are (their text form and kinds), not by their
    # bytes: a PNG's pixels depend on the matplotlib version and fonts, not on the lesson.
    text = _mask("".join(data.get("text/plain", "")), numbers)
    return f"{output.output_type} [{', '.join(sorted(data))}]:\n{text}"


def comparable_outputs(nb: nbformat.NotebookNode, mask_numbers: bool = False
                       ) -> list[tuple[int, int | None, list[str]]]:
    """(cell index, execution count, masked outputs) for each code cell of ``nb``.

    Timings, object addresses and progress bars are masked (and every number, with
    ``mask_numbers``, and a ``sampled`` cell's words); pictures are reduced to their
    kinds and text form. Two runs of a lesson on the same machine give equal lists.
    """
    return [(i, cell.execution_count, [_comparable_cell_output(cell, out, mask_numbers)
                                       for out in cell.outputs])
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def _comparable_cell_output(cell: nbformat.NotebookNode, output: nbformat.NotebookNode,
                            numbers: bool) -> str:
    text = _comparable(output, numbers)
    if numbers and "sampled" in cell.metadata.get("tags", []):
        # drawn from a model trained to other last digits: other words, as many lines
        kind, lines = text.split("\n", 1)[0], text.count("\n")
        return f"{kind} ({lines} lines drawn from the trained model)"
    return text


def execute(path: Path) -> None:
    nb = run(nbformat.read(path, as_version=4))
    nbformat.write(nb, path)
    print(f"executed {path.name}")


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        execute(HERE / name)
