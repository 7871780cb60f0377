"""Re-run tutorial notebooks top to bottom and save them with their new outputs.

    python tutorials/execute.py                    # every lesson
    python tutorials/execute.py 03_convnet_on_digits.ipynb

Run it after changing a lesson or the library, then read the outputs (and any
numbers the prose quotes) before committing. Output is saved as a Jupyter front
end would show it: consecutive prints merged, and progress-bar redraws
(carriage returns) collapsed to their final state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbclient
import nbformat

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


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    # record_timing=False: no per-cell timestamps, so a re-run only changes what changed
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            _tidy(cell)
    nbformat.write(nb, path)
    print(f"executed {path.name}")


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        execute(HERE / name)
