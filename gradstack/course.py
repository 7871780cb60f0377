"""A course as data: a folder of assignments, each described by an ``assignment.toml``.

::

    assignments/              the course (the sample one; --course PATH for your own)
      course.toml             optional: title, order of the assignments, export excludes
      hw1/assignment.toml     id, title, [edition], [[tasks]] with [[tasks.variants]], [audit]
      hw1/README.md           the students' page, copied into the edition
      hw1/tests/              public tests, exported
      hw1/grader/             grader-only tests, never exported
      reference/              optional: files laid over the library (private tasks)

The full format is in ``docs/teaching.md``.

>>> course = load_course(library_root() / "tests" / "gradstack" / "course")
>>> [a.id for a in course.assignments]
['hw1', 'hw2', 'hw3']
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 installs the tomli backport (see pyproject.toml)
    import tomli as tomllib

from .regions import TASK_ID

DEFAULT_EXCLUDE = ("tests/", ".ci/", ".github/", "benchmarks/", "assignments/")


class CourseError(ValueError):
    """The course folder or an assignment.toml is not what the tools expect."""


@dataclass(frozen=True)
class Variant:
    """A planted wrong answer for a task: ``code`` replaces the body of one region
    (of the task itself, or with ``task`` of one of the tasks it ``uses``)."""

    name: str
    code: str
    expect: str
    file: str | None = None
    occurrence: int = 0
    task: str | None = None


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    points: float
    public: tuple[str, ...]
    grader: tuple[str, ...]
    timeout: float = 60.0
    check: str | None = None
    variants: tuple[Variant, ...] = ()
    grader_tests: int = 0  # how many grader entries (an edition keeps only the count)
    # Tasks whose code from the submission this task also runs (an end-to-end task:
    # "train on the student's optimizer"); every other region stays the reference.
    uses: tuple[str, ...] = ()

    @property
    def marker(self) -> str:
        """The pytest marker of the task: ``hw1.relu_backward`` -> ``hw1_relu_backward``."""
        return marker_name(self.id)

    @property
    def entries(self) -> tuple[tuple[str, str], ...]:
        """(kind, entry) for every test entry, kind "public" or "grader"."""
        return tuple(("public", e) for e in self.public) + tuple(("grader", e) for e in self.grader)


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    folder: Path
    tasks: tuple[Task, ...]
    earlier: str = "reference"
    stub: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    audit_ignore: tuple[str, ...] = ()
    similarity: float = 0.65

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tasks)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise CourseError(f"{self.id} has no task {task_id!r}; its tasks are "
                          f"{', '.join(t.id for t in self.tasks)}.")


@dataclass(frozen=True)
class Course:
    folder: Path
    title: str
    assignments: tuple[Assignment, ...]
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    reference: Path | None = None
    extra: dict = field(default_factory=dict)

    def assignment(self, assignment_id: str) -> Assignment:
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        known = ", ".join(a.id for a in self.assignments) or "none"
        raise CourseError(f"the course in {self.folder} has no assignment {assignment_id!r} "
                          f"(it has: {known}). List them with 'gradstack assignments list'.")

    def policy(self, edition: Assignment, other_id: str) -> str:
        """What the regions of assignment ``other_id`` become in ``edition``'s student
        edition: "stub" or "reference". Unknown assignments stay solved."""
        ids = [a.id for a in self.assignments]
        if other_id == edition.id:
            return "stub"
        if other_id not in ids:
            return "reference"
        if other_id in edition.stub:
            return "stub"
        if other_id in edition.reference:
            return "reference"
        if ids.index(other_id) < ids.index(edition.id):
            return edition.earlier
        return "stub"


def marker_name(task_id: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", task_id)


def library_root() -> Path:
    """The folder holding the ``autograd``, ``nn``, ``optim`` and ``gradstack`` packages."""
    return Path(__file__).resolve().parent.parent


def default_course() -> Path:
    return library_root() / "assignments"


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CourseError(f"{path}: not valid TOML ({error}).") from None


def _strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CourseError(f"{where}: '{key}' must be a list of strings, got {value!r}.")
    return tuple(value)


def _variant(data: dict, where: str) -> Variant:
    missing = [k for k in ("name", "code", "expect") if k not in data]
    if missing:
        raise CourseError(f"{where}: a [[tasks.variants]] entry lacks {', '.join(missing)} "
                          "(each needs name, code and expect).")
    return Variant(str(data["name"]), str(data["code"]), str(data["expect"]),
                   data.get("file"), int(data.get("occurrence", 0)), data.get("task"))


def _task(data: dict, assignment_id: str, where: str) -> Task:
    task_id = data.get("id", "")
    if not re.fullmatch(TASK_ID, task_id) or not task_id.startswith(assignment_id + "."):
        raise CourseError(f"{where}: task id {task_id!r} must look like "
                          f"'{assignment_id}.<name>' (lowercase letters, digits and _).")
    where = f"{where}, task {task_id}"
    points = data.get("points")
    if not isinstance(points, (int, float)) or points <= 0:
        raise CourseError(f"{where}: 'points' must be a positive number, got {points!r}.")
    public, grader = _strings(data, "public", where), _strings(data, "grader", where)
    if not public and not grader and not data.get("grader_tests"):
        raise CourseError(f"{where}: the task has no tests; list them in 'public' and "
                          "'grader' (files or pytest node ids relative to the assignment).")
    variants = tuple(_variant(v, where) for v in data.get("variants", []))
    uses = _strings(data, "uses", where)
    for v in variants:
        if v.task is not None and v.task != task_id and v.task not in uses:
            raise CourseError(f"{where}: variant {v.name!r} plants its code in {v.task}, "
                              f"which the task does not list in 'uses' ({list(uses)}).")
    return Task(task_id, str(data.get("title", task_id)), float(points), public, grader,
                float(data.get("timeout", 60)), data.get("check"), variants,
                int(data.get("grader_tests", len(grader))), uses)


def load_assignment(folder: Path) -> Assignment:
    """Read ``folder/assignment.toml``; raise CourseError naming the file and key."""
    path = folder / "assignment.toml"
    data = _read_toml(path)
    assignment_id = data.get("id")
    if assignment_id != folder.name:
        raise CourseError(f"{path}: id = {assignment_id!r} must equal the folder name "
                          f"{folder.name!r}.")
    tasks = tuple(_task(t, assignment_id, str(path)) for t in data.get("tasks", []))
    if not tasks:
        raise CourseError(f"{path}: no [[tasks]]; an assignment needs at least one.")
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise CourseError(f"{path}: task ids repeat: {sorted(i for i in ids if ids.count(i) > 1)}.")
    for t in tasks:
        unknown = [u for u in t.uses if u not in ids or u == t.id]
        if unknown:
            raise CourseError(f"{path}, task {t.id}: 'uses' names {unknown}, which are not "
                              f"other tasks of {assignment_id} (they are: {', '.join(ids)}).")
    names = [Path(e.split("::")[0]).name for t in tasks for _, e in t.entries]
    files = {e.split("::")[0] for t in tasks for _, e in t.entries}
    if len({Path(f).name for f in files}) != len(files):
        raise CourseError(f"{path}: two test files share a name ({sorted(set(names))}); pytest "
                          "imports test files by name, so give each a distinct one.")
    edition = data.get("edition", {})
    earlier = edition.get("earlier", "reference")
    if earlier not in ("reference", "stub"):
        raise CourseError(f"{path}: [edition] earlier = {earlier!r}; use 'reference' or 'stub'.")
    audit = data.get("audit", {})
    return Assignment(assignment_id, str(data.get("title", assignment_id)), folder, tasks,
                      earlier, _strings(edition, "stub", str(path)),
                      _strings(edition, "reference", str(path)),
                      _strings(audit, "ignore", str(path)),
                      float(audit.get("similarity", 0.65)))


def load_course(folder: Path | str | None = None) -> Course:
    """Read a course folder (default: the sample course, ``assignments/``)."""
    folder = Path(folder) if folder is not None else default_course()
    if not folder.is_dir():
        raise CourseError(f"no course folder at {folder}. Pass --course PATH (a folder with "
                          "one sub-folder per assignment, each with an assignment.toml).")
    meta = _read_toml(folder / "course.toml") if (folder / "course.toml").exists() else {}
    found = sorted(p.parent.name for p in folder.glob("*/assignment.toml"))
    order = list(_strings(meta, "assignments", str(folder / "course.toml"))) or found
    unknown = [a for a in order if a not in found]
    if unknown:
        raise CourseError(f"{folder / 'course.toml'}: assignments {unknown} have no "
                          "assignment.toml folder.")
    order += [a for a in found if a not in order]
    assignments = tuple(load_assignment(folder / a) for a in order)
    exclude = _strings(meta, "exclude", str(folder)) if "exclude" in meta else DEFAULT_EXCLUDE
    reference = folder / "reference"
    return Course(folder.resolve(), str(meta.get("title", folder.name)), assignments,
                  tuple(exclude), reference if reference.is_dir() else None, meta)
