"""The leak audit: look for a task's answer elsewhere in a student edition.

Two checks per task, over every text file of the edition (sources, docstrings, docs,
tests, notebook sources *and* outputs):

- **copied lines**: the region's lines, with comments and spacing removed, found in
  another place - at least half of the region's substantial lines in one file (a short
  region: its one line);
- **resembling functions**: a function whose token structure (names and numbers
  abstracted away) is close to the region's, e.g. an ``avg_pool`` loop written exactly
  like the ``max_pool`` one. The threshold is ``[audit] similarity`` (default 0.65:
  ``avg_pool_forward`` is 69% like ``max_pool_forward``).

A stripper alone cannot see these; the audit reads the tree the student will get.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import keyword
import math
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .course import Assignment
from .library import Library, _walk

_TEXT = (".py", ".ipynb", ".md", ".txt", ".rst", ".toml", ".cfg", ".yml", ".yaml", ".html")
_TRIVIAL = {"return", "else:", "pass", "try:", "finally:", "continue", "break", "returngrad",
            "returnNone", "returnout"}
MIN_LINE = 10  # shorter normalized lines (x = a) are too common to mean anything
MIN_TOKENS = 40  # regions shorter than this are checked for copied lines only


@dataclass(frozen=True)
class Finding:
    task: str
    path: str
    line: int
    kind: str  # "copied lines" or "resembling function"
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.task}: {self.kind} - {self.detail}"


def normalize(line: str) -> str:
    """A line without its comment and without any spacing."""
    code = line.split("#", 1)[0] if "'" not in line and '"' not in line else line
    return re.sub(r"\s+", "", code)


def substantial(lines) -> list[str]:
    out = []
    for line in lines:
        n = normalize(line)
        if len(n) >= MIN_LINE and n not in _TRIVIAL and not n.startswith("raiseNotImplemented"):
            out.append(n)
    return out


def _notebook_texts(text: str) -> list[tuple[str, int]]:
    """(text, cell index) pieces of a notebook: cell sources and outputs."""
    pieces = []
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError:
        return [(text, 0)]
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        pieces.append(("".join(source) if isinstance(source, list) else source, index))
        for output in cell.get("outputs", []):
            for value in [output.get("text", "")] + list(output.get("data", {}).values()):
                if isinstance(value, list):
                    value = "".join(value)
                if isinstance(value, str):
                    pieces.append((value, index))
    return pieces


def _token_shape(source: str) -> list[str]:
    """The token kinds of ``source``: names and literals abstracted, operators kept."""
    shape = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME:
                shape.append(tok.string if keyword.iskeyword(tok.string) else "n")
            elif tok.type == tokenize.NUMBER:
                shape.append("0")
            elif tok.type == tokenize.STRING:
                shape.append("s")
            elif tok.type == tokenize.OP:
                shape.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return shape


def _functions(text: str) -> list[tuple[int, str]]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            body = "\n".join(lines[node.body[0].lineno - 1:node.end_lineno])
            found.append((node.lineno, body))
    return found


def audit(library: Library, assignment: Assignment, edition: Path) -> list[Finding]:
    """Return the places in ``edition`` where a task's reference code shows."""
    edition = Path(edition)
    references = {t.id: [r for r in library.task_regions(t.id)] for t in assignment.tasks}
    files = {}
    for rel in _walk(edition):
        if not rel.endswith(_TEXT) or any(rel.startswith(p) for p in assignment.audit_ignore):
            continue
        text = (edition / rel).read_text(encoding="utf-8", errors="replace")
        files[rel] = text
    normalized = {}  # path -> [(cell, lines, normalized lines)] for every piece of text
    for rel, text in files.items():
        pieces = _notebook_texts(text) if rel.endswith(".ipynb") else [(text, None)]
        normalized[rel] = [(cell, piece.splitlines(), [normalize(x) for x in piece.splitlines()])
                           for piece, cell in pieces]
    cache: list[tuple[str, int, list[str]]] = []

    def shapes():
        # Every function's token shape, computed once for all regions.
        if not cache:
            for rel, text in files.items():
                if rel.endswith(".py"):
                    for lineno, body in _functions(text):
                        cache.append((rel, lineno, _token_shape(
                            "\n".join(line.strip() for line in body.splitlines()))))
        return cache

    findings: list[Finding] = []
    for task_id, regions in references.items():
        ref_lines = substantial(line for r in regions for line in r.body)
        if ref_lines:
            wanted = set(ref_lines)
            needed = max(1, math.ceil(len(wanted) / 2))
            for rel, pieces in normalized.items():
                for cell, lines, squeezed in pieces:
                    hits = {}
                    for number, n in enumerate(squeezed):
                        if n in wanted and n not in hits:
                            hits[n] = number + 1
                    if len(hits) >= needed:
                        where = f"cell {cell}, " if cell is not None else ""
                        first = min(hits.values())
                        findings.append(Finding(
                            task_id, rel, first, "copied lines",
                            f"{where}{len(hits)} of {len(wanted)} of the reference's "
                            f"lines, e.g. {lines[first - 1].strip()!r}"))
        for region in regions:
            shape = _token_shape("\n".join(line.strip() for line in region.body))
            if len(shape) < MIN_TOKENS:
                continue
            for rel, lineno, other in shapes():
                matcher = difflib.SequenceMatcher(None, shape, other, autojunk=False)
                if (matcher.real_quick_ratio() < assignment.similarity
                        or matcher.quick_ratio() < assignment.similarity):
                    continue
                ratio = matcher.ratio()
                if ratio >= assignment.similarity:
                    findings.append(Finding(
                        task_id, rel, lineno, "resembling function",
                        f"token structure {ratio:.0%} like the reference region at "
                        f"{region.where()}"))
    return findings
