"""Run a notebook's code cells in a plain namespace, the way a lesson's test needs them.

>>> import gradstack
>>> ns = gradstack.run_cells("tests/gradstack/course/reference/tutorials/cube_lesson.ipynb",
...                         through="hw2.cube_backward")
Tensor([8.], shape=(1,), dtype=float32)
>>> ns["cube"].__name__
'cube'
"""

from __future__ import annotations

import os
from pathlib import Path

from .course import library_root
from .regions import find_regions, notebook_cells


def _runnable(source: str) -> str:
    # IPython magics and shell escapes are not Python: skip those lines.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def run_cells(notebook: str | os.PathLike, through: str | None = None,
              namespace: dict | None = None) -> dict:
    """Execute the code cells of ``notebook`` (a path relative to the library root or
    absolute) up to and including the first cell holding a region of task ``through``
    (all cells when None), in the notebook's folder; return the namespace."""
    path = Path(notebook)
    if not path.is_absolute():
        path = library_root() / path
    _, cells = notebook_cells(path.read_text(encoding="utf-8"))
    if through is not None and not any(r.task == through for _, source in cells
                                       for r in find_regions(source, str(path))):
        raise ValueError(f"{path} has no region of {through}; the exercise cell needs "
                         f"'# BEGIN SOLUTION {through}'.")
    namespace = {"__name__": "__main__"} if namespace is None else namespace
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        for index, source in cells:
            exec(compile(_runnable(source), f"{path.name} (cell {index})", "exec"), namespace)
            if through is not None and any(r.task == through
                                           for r in find_regions(source, str(path))):
                break
    finally:
        os.chdir(here)
    return namespace
