"""Planted wrong answers: each must lose points for its task and be named in feedback.

A variant replaces the body of one region of its task (``file``/``occurrence`` pick the
region when the task has several). ``check_variants`` grades the reference once (the
dry run: full marks), then each variant's task with the variant in its region. Every
other task's tree holds the reference in its regions whatever a variant does, so it is
the dry run's tree and keeps its marks by construction; only the variant's task is
graded again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .course import Assignment, CourseError, Task, Variant
from .grading import Bodies, TaskResult, grade, reference_task_bodies
from .library import Library
from .regions import indent_code


@dataclass
class VariantOutcome:
    task: Task
    variant: Variant
    result: TaskResult
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def variant_bodies(library: Library, task: Task, variant: Variant) -> Bodies:
    """The reference bodies of ``task`` with ``variant.code`` in the chosen region (a
    region of ``variant.task``, one of the tasks ``task`` uses, when that is set)."""
    region_task = variant.task or task.id
    bodies = reference_task_bodies(library, replace(task, id=region_task))
    files = sorted({rel for rel, _, _ in bodies})
    rel = variant.file or (files[0] if len(files) == 1 else None)
    if rel is None:
        raise CourseError(f"{task.id}: variant {variant.name!r} must name its region's file "
                          f"(file = one of {files}).")
    key = (rel, region_task, variant.occurrence)
    if key not in bodies:
        raise CourseError(f"{task.id}: variant {variant.name!r} names region {variant.occurrence} "
                          f"of {rel}, which has no such region of {region_task}.")
    # The occurrence's own indent: a task's regions in one file may sit at different depths
    # (a module-level helper and a method body).
    in_file = [r for r in library.task_regions(region_task) if r.path == rel]
    indent = in_file[variant.occurrence].indent
    bodies[key] = tuple(indent_code(variant.code, indent))
    return bodies


def check_variants(library: Library, assignment: Assignment, workdir: Path | None = None,
                   jobs: int = 1) -> tuple[list[TaskResult], list[VariantOutcome]]:
    """Grade the reference, then every planted variant; say what each got wrong."""
    reference = {t.id: reference_task_bodies(library, t) for t in assignment.tasks}
    baseline = grade(library, assignment, bodies=reference, workdir=workdir, jobs=jobs)
    outcomes = []
    for task in assignment.tasks:
        for variant in task.variants:
            bodies = {task.id: variant_bodies(library, task, variant)}
            result = grade(library, assignment, bodies=bodies, workdir=workdir,
                           tasks=[task]).tasks[0]
            problems = []
            if result.score >= task.points - 1e-9:
                problems.append("the variant keeps full marks: no test catches it")
            feedback = "\n".join([result.problem] + [e.problem for e in result.entries] +
                                 [t["message"] for e in result.entries for t in e.tests])
            if variant.expect.lower() not in feedback.lower():
                problems.append(f"the feedback does not contain {variant.expect!r}")
            outcomes.append(VariantOutcome(task, variant, result, problems))
    return baseline.tasks, outcomes
