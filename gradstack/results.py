"""Grading reports: text for people, Gradescope's ``results.json`` for Gradescope.

A failed test is described by its exception message and the library line that raised
it. A task whose public tests pass but which has grader tests is reported as
"public tests passed; N grader tests run after submission" to students, never as
"all tests passed".
"""

from __future__ import annotations

import json

from .grading import EntryResult, SubmissionResult, TaskResult


def _entry_lines(entry: EntryResult) -> list[str]:
    lines = []
    if entry.problem:
        lines.append(f"    {entry.kind} {entry.entry}: {entry.problem}")
    for test in entry.tests:
        if test["outcome"] == "passed":
            continue
        lines.append(f"    {entry.kind} {test['nodeid']}: {test['outcome']}")
        for line in test["message"].splitlines():
            lines.append(f"      {line}")
        if test["where"]:
            lines.append(f"      (raised at {test['where']})")
    return lines


def task_summary(result: TaskResult) -> str:
    public = [e for e in result.entries if e.kind == "public"]
    grader = [e for e in result.entries if e.kind == "grader"]
    parts = []
    if public:
        parts.append(f"public {sum(e.passed for e in public)}/{len(public)} passed")
    if grader:
        parts.append(f"grader {sum(e.passed for e in grader)}/{len(grader)} passed")
    return ", ".join(parts)


def text_report(result: SubmissionResult) -> str:
    """A plain-text report of a whole submission, for the instructor and the student."""
    a = result.assignment
    lines = [f"{a.id} ({a.title}): {result.score:g} / {a.points:g} points"]
    width = max(len(t.task.id) for t in result.tasks)
    for t in result.tasks:
        lines.append(f"  [{t.score:5.4g}/{t.task.points:<4g}] {t.task.id:<{width}}  "
                     f"{task_summary(t)}  ({t.seconds:.1f} s)")
        for entry in t.entries:
            lines.extend(_entry_lines(entry))
    return "\n".join(lines)


def gradescope_results(result: SubmissionResult) -> dict:
    """Gradescope's results.json: one test per entry, grader entries visible once the
    instructor publishes the grades."""
    tests = []
    for t in result.tasks:
        for entry in t.entries:
            output = "\n".join(_entry_lines(entry)) or "passed"
            tests.append({
                "name": f"{t.task.id} ({entry.kind}): {entry.entry}",
                "score": round(entry.score, 4),
                "max_score": round(entry.max_score, 4),
                "status": "passed" if entry.passed else "failed",
                "output": output,
                "visibility": "visible" if entry.kind == "public" else "after_published",
            })
    public_ok = all(e.passed for t in result.tasks for e in t.entries if e.kind == "public")
    n_grader = sum(1 for t in result.tasks for e in t.entries if e.kind == "grader")
    summary = ("public tests passed" if public_ok else "some public tests failed")
    if n_grader:
        summary += f"; {n_grader} grader tests run after submission"
    return {"score": round(result.score, 4), "output": summary, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def write_gradescope(result: SubmissionResult, path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(gradescope_results(result), f, indent=2)
