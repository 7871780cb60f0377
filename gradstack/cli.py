"""The ``gradstack`` command (also ``python -m gradstack``).

::

    gradstack assignments list
    gradstack assignments export HW --out DIR
    gradstack assignments audit HW --edition DIR
    gradstack assignments solve HW --edition DIR [--out DIR2]
    gradstack assignments grade HW --submission DIR [--format text|gradescope] [--out FILE]
    gradstack assignments grade HW --submissions DIR      (every sub-folder, one line each)
    gradstack assignments check-variants HW
    gradstack assignments package HW --out autograder.zip
    gradstack doctor

Every ``assignments`` command takes ``--course PATH`` (default: the library's
``assignments/``) and ``--library PATH`` (default: the folder this package is in).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .course import CourseError, library_root, load_course
from .library import Library
from .regions import RegionError


def _library(args) -> tuple[Library, object]:
    course = load_course(args.course)
    library = Library(Path(args.library) if args.library else library_root(), course)
    return library, course


def cmd_list(args) -> int:
    _, course = _library(args)
    print(f"{course.title} ({course.folder})")
    for a in course.assignments:
        print(f"{a.id}: {a.title} - {a.points:g} points")
        for t in a.tasks:
            print(f"  {t.id:<32} {t.points:>5g}  {t.title}  "
                  f"[{len(t.public)} public, {t.grader_tests} grader, -m {t.marker}]")
    return 0


def cmd_export(args) -> int:
    from .export import export

    library, course = _library(args)
    assignment = course.assignment(args.assignment)
    written = export(library, assignment, Path(args.out))
    stubs = [r for t in assignment.tasks for r in library.task_regions(t.id)]
    print(f"wrote {len(written)} files to {args.out} ({assignment.id}: "
          f"{len(assignment.tasks)} tasks, {len(stubs)} regions of this assignment stubbed)")
    return 0


def cmd_audit(args) -> int:
    import tempfile

    from .audit import audit
    from .export import export

    library, course = _library(args)
    assignment = course.assignment(args.assignment)
    with tempfile.TemporaryDirectory(prefix="gradstack-audit-") as tmp:
        edition = Path(args.edition) if args.edition else Path(tmp) / "edition"
        if not args.edition:
            export(library, assignment, edition)
        findings = audit(library, assignment, edition)
    for f in findings:
        print(f)
    if findings:
        print(f"{len(findings)} possible leak(s): make the place a region of the same task, "
              "rewrite it, or list it under [audit] ignore in assignment.toml.")
        return 1
    print(f"{assignment.id}: no task's reference code found elsewhere in the edition.")
    return 0


def cmd_solve(args) -> int:
    from .export import copy_tree, solve

    library, course = _library(args)
    course.assignment(args.assignment)
    edition = Path(args.edition)
    if args.out:
        copy_tree(edition, Path(args.out))
        edition = Path(args.out)
    changed = solve(library, edition)
    print(f"spliced the reference into {len(changed)} file(s) of {edition}")
    return 0


def cmd_grade(args) -> int:
    import tempfile

    from .grading import grade
    from .results import text_report, write_gradescope

    library, course = _library(args)
    assignment = course.assignment(args.assignment)
    if bool(args.submission) == bool(args.submissions):
        raise CourseError("give exactly one of --submission DIR or --submissions DIR.")
    if args.submission:
        result = grade(library, assignment, Path(args.submission), jobs=args.jobs)
        if args.format == "gradescope":
            write_gradescope(result, args.out or "results.json")
            print(f"{result.score:g} / {assignment.points:g}: wrote {args.out or 'results.json'}")
        else:
            report = text_report(result)
            if args.out:
                Path(args.out).write_text(report + "\n", encoding="utf-8")
            print(report)
        return 0
    start = time.perf_counter()
    folders = sorted(p for p in Path(args.submissions).iterdir() if p.is_dir())
    lines = []
    with tempfile.TemporaryDirectory(prefix="gradstack-batch-") as workdir:
        for folder in folders:
            result = grade(library, assignment, folder, workdir=Path(workdir), jobs=args.jobs)
            scores = " ".join(f"{t.task.id}={t.score:g}" for t in result.tasks)
            lines.append(f"{folder.name}\t{result.score:g}\t{scores}")
            print(lines[-1], flush=True)
            if args.format == "gradescope":
                write_gradescope(result, folder / "results.json")
    print(f"graded {len(folders)} submissions in {time.perf_counter() - start:.1f} s")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def cmd_check_variants(args) -> int:
    from .results import task_summary
    from .variants import check_variants

    library, course = _library(args)
    assignment = course.assignment(args.assignment)
    baseline, outcomes = check_variants(library, assignment, jobs=args.jobs)
    failed = 0
    for t in baseline:
        if t.score < t.task.points - 1e-9:
            failed += 1
            print(f"REFERENCE {t.task.id}: {t.score:g}/{t.task.points:g} ({task_summary(t)}): "
                  "the reference itself loses points")
    for o in outcomes:
        status = "ok  " if o.ok else "FAIL"
        print(f"{status} {o.task.id} / {o.variant.name}: {o.result.score:g}/{o.task.points:g}"
              + ("" if o.ok else " - " + "; ".join(o.problems)))
        failed += not o.ok
    print(f"{len(outcomes)} variant(s), {failed} problem(s)")
    return 1 if failed else 0


def cmd_package(args) -> int:
    from .package import package

    library, course = _library(args)
    assignment = course.assignment(args.assignment)
    names = package(library, assignment, Path(args.out))
    print(f"wrote {args.out} ({len(names)} files)")
    return 0


def cmd_doctor(args) -> int:
    from .doctor import doctor

    return doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradstack", description="Course tooling for "
                                     "gradstack: student editions, leak audits, grading.")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="which copy of the library is imported?")
    doctor.set_defaults(run=cmd_doctor)
    assignments = commands.add_parser("assignments", help="export, audit, grade, package")
    sub = assignments.add_subparsers(dest="action", required=True)

    def add(name, run, help, edition=False):
        p = sub.add_parser(name, help=help)
        if name != "list":
            p.add_argument("assignment", help="the assignment id, e.g. hw1")
        p.add_argument("--course", help="a course folder (default: the library's assignments/)")
        p.add_argument("--library", help="the library folder (default: this installation's)")
        p.set_defaults(run=run)
        return p

    add("list", cmd_list, "the course's assignments and tasks with points")
    add("export", cmd_export, "write a student edition").add_argument("--out", required=True)
    add("audit", cmd_audit, "look for the answers elsewhere in an edition").add_argument(
        "--edition", help="the edition to audit (default: a fresh export)")
    p = add("solve", cmd_solve, "splice the reference into an edition (a perfect student)")
    p.add_argument("--edition", required=True)
    p.add_argument("--out", help="solve a copy here instead of the edition itself")
    p = add("grade", cmd_grade, "grade a submission task by task")
    p.add_argument("--submission")
    p.add_argument("--submissions", help="a folder of submissions, one sub-folder each")
    p.add_argument("--format", choices=["text", "gradescope"], default="text")
    p.add_argument("--out")
    p.add_argument("--jobs", type=int, default=1, help="tasks graded at once (default 1)")
    p = add("check-variants", cmd_check_variants, "grading must catch every planted variant")
    p.add_argument("--jobs", type=int, default=1)
    add("package", cmd_package, "a Gradescope autograder zip").add_argument("--out",
                                                                          required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (CourseError, RegionError) as error:
        print(f"gradstack: {error}", file=sys.stderr)
        return 2
