"""Per-task isolated grading.

For each task the grader builds a tree: the library with the reference code in every
region, except the task's own regions (and those of the tasks it ``uses``, for an
end-to-end task), which get the submission's code. Nothing else
from the submission is used, so a missing, wrong or broken task can neither fail nor be
blamed for another, and no file a student edited outside a region ever runs. The
task's public and grader tests then run in a subprocess (``gradstack.worker``) with
``GRADSTACK_STRICT=1`` and the task's time limit; the process group is killed when the
limit is reached, so an infinite loop costs that task only.

A task's points are shared equally by its test entries; an entry that collects several
tests (a file, a parametrized test) scores the fraction of them that pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .course import Assignment, Task
from .export import conftest_text, reference_bodies, splice
from .library import Library, copy_file
from .regions import find_file_regions

Bodies = dict[tuple[str, str, int], tuple[str, ...]]  # (path, task, n) -> body lines


@dataclass
class EntryResult:
    kind: str  # "public" or "grader"
    entry: str
    max_score: float
    score: float = 0.0
    tests: list[dict] = field(default_factory=list)  # nodeid, outcome, message, where
    problem: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t["outcome"] == "passed" for t in self.tests)


@dataclass
class TaskResult:
    task: Task
    entries: list[EntryResult]
    seconds: float = 0.0
    problem: str = ""

    @property
    def score(self) -> float:
        return sum(e.score for e in self.entries)


@dataclass
class SubmissionResult:
    assignment: Assignment
    tasks: list[TaskResult]
    submission: str = ""

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tasks)


class SubmissionError(ValueError):
    """The submission lacks a region the grader needs."""


def submission_bodies(library: Library, task: Task, submission: Path) -> tuple[Bodies, str]:
    """The submission's code for each of ``task``'s regions, and a problem (or "")."""
    bodies: Bodies = {}
    for rel in sorted({r.path for r in library.task_regions(task.id)}):
        wanted = sum(1 for r in library.regions()[rel] if r.task == task.id)
        path = Path(submission) / rel
        if not path.is_file():
            # A submission of only the edited files: accept one file of that name anywhere.
            same_name = [p for p in Path(submission).rglob(Path(rel).name) if p.is_file()]
            if len(same_name) != 1:
                return bodies, f"{rel} is missing from the submission."
            path = same_name[0]
        try:
            found = [r for r in find_file_regions(path.read_text(encoding="utf-8"), rel)
                     if r.task == task.id]
        except ValueError as error:
            return bodies, f"the region markers in {rel} are broken: {error}"
        if len(found) != wanted:
            return bodies, (f"{rel} should hold {wanted} region(s) of {task.id} between "
                            f"'# BEGIN SOLUTION {task.id}' and '# END SOLUTION', found "
                            f"{len(found)}; write your code between the markers, keep them.")
        for n, region in enumerate(found):
            bodies[(rel, task.id, n)] = region.body
    return bodies, ""


def reference_task_bodies(library: Library, task: Task) -> Bodies:
    bodies: Bodies = {}
    for rel in sorted({r.path for r in library.task_regions(task.id)}):
        for (task_id, n), body in reference_bodies(library, rel).items():
            if task_id == task.id:
                bodies[(rel, task_id, n)] = body
    return bodies


def _numba_cache_files(source: Path) -> list[Path]:
    cache = source.parent / "__pycache__"
    if not cache.is_dir():
        return []
    return [p for p in cache.glob(source.stem + ".*") if p.suffix in (".nbi", ".nbc")]


def build_tree(library: Library, assignment: Assignment, bodies: Bodies, tree: Path) -> None:
    """Write (or refresh) the grading tree at ``tree``: reference everywhere, ``bodies`` in
    their regions, the assignment folder with its grader tests and a conftest."""
    by_file: dict[str, dict[tuple[str, int], tuple[str, ...]]] = {}
    for (rel, task_id, n), body in bodies.items():
        by_file.setdefault(rel, {})[(task_id, n)] = body
    for rel, source in library.files.items():
        target = tree / rel
        if rel in by_file:
            text = splice(library.text(rel), rel, by_file[rel])
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                # Drop Numba's cache for this file: it was compiled from other code.
                for stale in _numba_cache_files(target):
                    stale.unlink()
                target.write_text(text, encoding="utf-8")
        else:
            if not target.exists() or target.stat().st_mtime_ns != source.stat().st_mtime_ns:
                copy_file(source, target)
                # Unchanged kernels reuse the instructor's compiled code: Numba's index
                # is keyed by the source's modification time, which copy2 keeps.
                for cached in _numba_cache_files(source):
                    copy_file(cached, target.parent / "__pycache__" / cached.name)
    folder = tree / "assignments" / assignment.id
    for path in sorted(assignment.folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            copy_file(path, folder / path.relative_to(assignment.folder))
    (folder / "conftest.py").write_text(conftest_text(assignment, grader=True), encoding="utf-8")


def _belongs(nodeid: str, entry: str) -> bool:
    return nodeid == entry or nodeid.startswith((entry + "::", entry + "["))


def run_task(library: Library, assignment: Assignment, task: Task, bodies: Bodies,
             tree: Path, problem: str = "", python: str = sys.executable) -> TaskResult:
    """Grade one task in ``tree`` with ``bodies`` in its regions."""
    entries = [EntryResult(kind, entry, task.points / len(task.entries))
               for kind, entry in task.entries]
    if problem:
        for e in entries:
            e.problem = problem
        return TaskResult(task, entries, 0.0, problem)
    start = time.perf_counter()
    build_tree(library, assignment, bodies, tree)
    out = tree / ".gradstack-events.jsonl"
    out.unlink(missing_ok=True)
    prefix = f"assignments/{assignment.id}/"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    # No .pyc files: two versions of a region with the same size, written within one
    # second, would look alike to the bytecode cache.
    env.update(GRADSTACK_STRICT="1", PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    command = [python, "-m", "gradstack.worker", "--root", str(tree), "--out", str(out),
               *[prefix + e for _, e in task.entries]]
    process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        _, stderr = process.communicate(timeout=task.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    events = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return _score(task, entries, events, prefix, timed_out, process.returncode,
                  stderr.decode(errors="replace"), seconds)


def _score(task, entries, events, prefix, timed_out, returncode, stderr, seconds) -> TaskResult:
    fatal = next((e["message"] for e in events if e["event"] == "fatal"), "")
    done = any(e["event"] == "done" for e in events)
    results = {e["nodeid"]: e for e in events if e["event"] == "result"}
    started = [e["nodeid"] for e in events if e["event"] == "start"]
    running = next((n for n in reversed(started) if n not in results), None)
    errors = [e for e in events if e["event"] == "collect_error"]
    if timed_out:
        stop = (f"stopped at the time limit of {task.timeout:g} s" +
                (f" while running {running[len(prefix):]}" if running else "") +
                " (an infinite loop?)")
    elif not done and not fatal:
        stop = (f"the test process crashed (exit code {returncode})" +
                (f" while running {running[len(prefix):]}" if running else ""))
    else:
        stop = ""
    problem = fatal or stop
    for entry in entries:
        full = prefix + entry.entry
        for nodeid in started:
            if not _belongs(nodeid, full):
                continue
            if nodeid in results:
                r = results[nodeid]
                entry.tests.append({"nodeid": nodeid[len(prefix):], "outcome": r["outcome"],
                                    "message": r.get("message", ""), "where": r.get("where", "")})
            else:
                entry.tests.append({"nodeid": nodeid[len(prefix):], "outcome": "failed",
                                    "message": stop or "did not finish", "where": ""})
        if not entry.tests:
            error = next((e["message"] for e in errors
                          if e["nodeid"] and full.startswith(e["nodeid"])), "")
            entry.problem = (fatal or (f"could not collect the tests: {error}" if error else "")
                             or stop or f"no test was collected for {entry.entry}; check the "
                             "entry in assignment.toml")
        passed = sum(t["outcome"] == "passed" for t in entry.tests)
        entry.score = entry.max_score * passed / len(entry.tests) if entry.tests else 0.0
    result = TaskResult(task, entries, seconds, problem)
    result.stderr_tail = "\n".join(stderr.splitlines()[-5:])
    return result


def grade(library: Library, assignment: Assignment, submission: Path | None = None, *,
          bodies: dict[str, Bodies] | None = None, workdir: Path | None = None,
          jobs: int = 1, tasks: list[Task] | None = None) -> SubmissionResult:
    """Grade ``submission`` (a folder) task by task; or, with ``bodies``, grade given
    code per task id (what ``check-variants`` does). ``workdir`` keeps the trees (and
    their Numba caches) for the next submission of a batch."""
    tasks = list(tasks or assignment.tasks)
    temporary = None
    if workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="gradstack-grade-")
        workdir = Path(temporary.name)
    try:
        def one(task: Task) -> TaskResult:
            if bodies is not None:
                task_bodies, problem = bodies[task.id], ""
            else:
                task_bodies, problem = submission_bodies(library, task, Path(submission))
                for used in task.uses:  # an end-to-end task runs these tasks' code too
                    used_bodies, used_problem = submission_bodies(
                        library, assignment.task(used), Path(submission))
                    task_bodies.update(used_bodies)
                    problem = problem or used_problem
            return run_task(library, assignment, task, task_bodies,
                            Path(workdir) / task.id, problem)
        if jobs > 1:
            with ThreadPoolExecutor(jobs) as pool:
                results = list(pool.map(one, tasks))
        else:
            results = [one(t) for t in tasks]
    finally:
        if temporary is not None:
            temporary.cleanup()
    return SubmissionResult(assignment, results, str(submission or ""))
