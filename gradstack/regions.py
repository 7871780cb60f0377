"""Solution regions: find them in a file, replace them with stubs or with other code.

A region is the reference code of one task between two comments::

    # BEGIN SOLUTION hw1.relu_backward
    return grad * (a > 0)
    # END SOLUTION

The header may carry a one-line stub: ``# BEGIN SOLUTION hw1.relu_backward stub: pass``.
Regions live in ``.py`` files and in the code cells of ``.ipynb`` notebooks; they do not
nest. Everything here works on text, so a region is the same thing in both kinds of file.

>>> text = "def f(x):\\n    # BEGIN SOLUTION hw1.f\\n    return 2 * x\\n    # END SOLUTION\\n"
>>> [r.task for r in find_regions(text, "f.py")]
['hw1.f']
>>> print(replace_regions(text, {0: ["    raise NotImplementedError('hw1.f')"]}), end="")
def f(x):
    # BEGIN SOLUTION hw1.f
    raise NotImplementedError('hw1.f')
    # END SOLUTION
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

TASK_ID = r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"
_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?P<rest>.*)$")
_END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
_HEADER = re.compile(rf"^ (?P<task>{TASK_ID})(?: stub: (?P<stub>.+?))?\s*$")


class RegionError(ValueError):
    """A region marker is malformed: unterminated, nested, or with a bad task id."""


@dataclass(frozen=True)
class Region:
    """One region: its task, where it is, and its body lines (without the markers).

    ``start`` and ``end`` are the 0-based line numbers of the BEGIN and END markers in
    the text it was found in (for a notebook: in its cell's source, cell ``cell``).
    """

    task: str
    path: str
    start: int
    end: int
    indent: str
    body: tuple[str, ...]
    stub: str | None = None
    cell: int | None = None

    @property
    def code(self) -> str:
        return "".join(line + "\n" for line in self.body)

    def where(self) -> str:
        cell = f" (cell {self.cell})" if self.cell is not None else ""
        return f"{self.path}{cell}:{self.start + 1}"


def find_regions(text: str, path: str, cell: int | None = None) -> list[Region]:
    """Return the regions of a Python source ``text`` in order; raise RegionError on bad
    markers, naming the file and line."""
    regions: list[Region] = []
    lines = text.splitlines()
    open_at = None
    for number, line in enumerate(lines):
        begin = _BEGIN.match(line)
        where = f"{path}{f' (cell {cell})' if cell is not None else ''}:{number + 1}"
        if begin:
            if open_at is not None:
                raise RegionError(
                    f"{where}: a region starts inside the region opened at line "
                    f"{open_at[0] + 1}. Regions do not nest: close the first with "
                    "'# END SOLUTION' before starting another."
                )
            header = _HEADER.match(begin["rest"])
            if not header:
                raise RegionError(
                    f"{where}: cannot read the region header {line.strip()!r}. Expected "
                    "'# BEGIN SOLUTION <assignment>.<task>' (lowercase letters, digits, _), "
                    "optionally followed by ' stub: <one line of code>'."
                )
            open_at = (number, begin["indent"], header["task"], header["stub"])
        elif _END.match(line):
            if open_at is None:
                raise RegionError(f"{where}: '# END SOLUTION' without a BEGIN before it.")
            start, indent, task, stub = open_at
            regions.append(Region(task, path, start, number, indent,
                                  tuple(lines[start + 1:number]), stub, cell))
            open_at = None
    if open_at is not None:
        raise RegionError(
            f"{path}:{open_at[0] + 1}: the region of {open_at[2]} is never closed; add "
            "'# END SOLUTION' after its last line."
        )
    return regions


def replace_regions(text: str, bodies: dict[int, list[str] | None], *,
                    keep_markers: bool = True) -> str:
    """Return ``text`` with region number ``k`` (in file order) given the body
    ``bodies[k]``; a region absent from ``bodies`` keeps its own body. ``None`` keeps the
    body too. With ``keep_markers=False`` the markers of the regions *not* in ``bodies``
    are dropped (a solved region in a student edition looks like plain code)."""
    lines = text.splitlines()
    ending = "\n" if text.endswith("\n") else ""
    out: list[str] = []
    position = 0
    for k, region in enumerate(find_regions(text, "<text>")):
        out.extend(lines[position:region.start])
        body = bodies.get(k)
        if k in bodies and body is not None:
            out.append(lines[region.start])
            out.extend(body)
            out.append(lines[region.end])
        elif keep_markers:
            out.extend(lines[region.start:region.end + 1])
        else:
            out.extend(region.body)
        position = region.end + 1
    out.extend(lines[position:])
    return "\n".join(out) + ending


def indent_code(code: str, indent: str) -> list[str]:
    """Lines of ``code``, dedented as a block, then indented to ``indent``."""
    import textwrap

    block = textwrap.dedent(code.strip("\n"))
    return [indent + line if line.strip() else "" for line in block.splitlines()]


def stub_lines(region: Region, message: str) -> list[str]:
    """The stub that replaces ``region`` in a student edition: the header's stub, or a
    ``raise NotImplementedError(message)`` (which also compiles under ``@njit``)."""
    code = region.stub if region.stub is not None else f"raise NotImplementedError({message!r})"
    return [region.indent + code]


# ---------------------------------------------------------------- notebooks


def notebook_cells(text: str) -> tuple[dict, list[tuple[int, str]]]:
    """Parse a notebook; return it and the (index, source) of each code cell."""
    notebook = json.loads(text)
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append((index, "".join(source) if isinstance(source, list) else source))
    return notebook, cells


def find_file_regions(text: str, path: str) -> list[Region]:
    """Regions of a ``.py`` file or of every code cell of an ``.ipynb`` notebook."""
    if not path.endswith(".ipynb"):
        return find_regions(text, path)
    if "BEGIN SOLUTION" not in text:
        return []
    _, cells = notebook_cells(text)
    return [r for index, source in cells for r in find_regions(source, path, cell=index)]


def set_cell_source(cell: dict, source: str) -> None:
    """Store ``source`` in a notebook cell as Jupyter does: a list of lines."""
    lines = source.splitlines(keepends=True)
    cell["source"] = lines


def dump_notebook(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
