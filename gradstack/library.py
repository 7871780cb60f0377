"""The library's files, as the exports and the grader copy them.

In a git checkout they are the tracked files (``git ls-files``), read from the working
tree; elsewhere (an unpacked autograder bundle) every file except caches, virtual
environments and build output. A course's ``reference/`` folder is laid over them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .course import Course
from .regions import Region, find_file_regions

_NEVER = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis",
          ".ruff_cache", ".ipynb_checkpoints", "build", "dist", "node_modules"}


def _walk(root: Path) -> list[str]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _NEVER and not d.endswith(".egg-info"))
        for name in sorted(names):
            if not name.endswith((".pyc", ".nbi", ".nbc")):
                files.append((Path(folder) / name).relative_to(root).as_posix())
    return files


def tracked_files(root: Path) -> list[str]:
    """Relative paths of the library's files under ``root``."""
    if (root / ".git").exists():
        result = subprocess.run(["git", "-C", str(root), "ls-files", "-z"],
                                capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return sorted(p for p in result.stdout.split("\0")
                          if p and (root / p).is_file())
    return _walk(root)


class Library:
    """The files an edition or a grading tree is made of: ``{relative path: source file}``.

    >>> from gradstack.course import load_course, library_root
    >>> lib = Library(library_root(), load_course(library_root() / "tests/gradstack/course"))
    >>> "autograd/tensor.py" in lib.files and not any(p.startswith("tests/") for p in lib.files)
    True
    """

    def __init__(self, root: Path, course: Course) -> None:
        self.root = Path(root).resolve()
        self.course = course
        exclude = list(course.exclude) + ["assignments/"]
        try:
            exclude.append(course.folder.relative_to(self.root).as_posix() + "/")
        except ValueError:
            pass  # a private course outside the library
        self.files: dict[str, Path] = {
            rel: self.root / rel for rel in tracked_files(self.root)
            if not any(rel == e.rstrip("/") or rel.startswith(e) for e in exclude)
        }
        if course.reference is not None:
            for rel in _walk(course.reference):
                self.files[rel] = course.reference / rel
        self._regions: dict[str, list[Region]] | None = None

    def text(self, rel: str) -> str:
        return self.files[rel].read_text(encoding="utf-8")

    def regions(self) -> dict[str, list[Region]]:
        """``{path: regions}`` for every file holding at least one region."""
        if self._regions is None:
            found = {}
            for rel, path in self.files.items():
                # gradstack's own docstrings show markers as examples: they are no regions.
                if not rel.endswith((".py", ".ipynb")) or rel.startswith("gradstack/"):
                    continue
                text = path.read_text(encoding="utf-8")
                if "# BEGIN SOLUTION" not in text and "# END SOLUTION" not in text:
                    continue
                regions = find_file_regions(text, rel)
                if regions:
                    found[rel] = regions
            self._regions = found
        return self._regions

    def task_regions(self, task_id: str) -> list[Region]:
        return [r for regions in self.regions().values() for r in regions if r.task == task_id]


def copy_file(source: Path, target: Path) -> None:
    """Copy keeping the modification time: Numba's cache is valid while it matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
