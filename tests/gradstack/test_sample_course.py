"""The sample course in assignments/: every assignment holds up as the issue defines it.

For each assignment found in ``assignments/`` (hw1 today, more as they are written):

- its ``assignment.toml`` is complete: points sum to 100, every task has regions in the
  library, public and grader tests that exist, and at least three planted wrong variants
  (fast, in the default run);
- the student edition's public tests fail, and each failure names one of this
  assignment's tasks (nothing else in the library is broken by the export);
- the edition with the reference spliced back in (``solve``) grades 100/100;
- the leak audit of the edition is clean;
- every planted variant loses points for its own task, and the feedback names the mistake.

The last four are heavy (a grading run per task) and marked ``course``: ``pytest -m course``.
"""

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gradstack.audit import audit
from gradstack.course import library_root, load_course
from gradstack.export import export, solve
from gradstack.grading import grade
from gradstack.library import Library

ROOT = Path(library_root())
SAMPLE = ROOT / "assignments"
ASSIGNMENTS = sorted(p.name for p in SAMPLE.iterdir() if (p / "assignment.toml").is_file())


@pytest.fixture(scope="module")
def sample():
    course = load_course(SAMPLE)
    return course, Library(ROOT, course)


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_the_sample_course_has_assignments():
    assert "hw1" in ASSIGNMENTS


@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_assignment_toml_is_complete(sample, hw):
    course, library = sample
    assignment = course.assignment(hw)
    assert sum(t.points for t in assignment.tasks) == pytest.approx(100)
    folder = SAMPLE / hw
    for task in assignment.tasks:
        assert task.id.startswith(hw + "."), task.id
        # An end-to-end task (``uses``) runs the regions of other tasks and may have none.
        assert library.task_regions(task.id) or task.uses, (
            f"{task.id} has no region in the library")
        assert task.public and task.grader, f"{task.id} needs public and grader tests"
        for node in list(task.public) + list(task.grader):
            rel, _, name = node.partition("::")
            path = folder / rel
            assert path.is_file(), f"{task.id}: {rel} does not exist"
            assert name.split("[")[0] in _test_functions(path), f"{task.id}: {node} not found"
        assert len(task.variants) >= 3, f"{task.id} plants {len(task.variants)} variants"


def _run_public_tests(edition: Path, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--junitxml={report}"], cwd=edition, capture_output=True,
                          text=True, timeout=1200,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(edition)})


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_edition_fails_only_on_its_tasks_then_solved_grades_full_and_audits_clean(
        sample, hw, tmp_path):
    course, library = sample
    assignment = course.assignment(hw)
    task_ids = [t.id for t in assignment.tasks]
    edition = tmp_path / "edition"
    export(library, assignment, edition)

    report = tmp_path / "junit.xml"
    run = _run_public_tests(edition, report)
    assert run.returncode == 1, run.stdout[-3000:]
    failing_tasks = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        message = (problem.get("message") or "") + (problem.text or "")
        named = [t for t in task_ids if t + ":" in message]
        assert named, f"{case.get('name')} failed without naming a task of {hw}: {message[:500]}"
        failing_tasks.update(named)
    # An end-to-end task has no stub of its own: its public tests fail on the stubs of the
    # tasks it uses, which the loop above checked are this assignment's.
    missing = {t for t in task_ids if library.task_regions(t)} - failing_tasks
    assert not missing, f"no public test fails on the stubs of {missing}"

    assert audit(library, assignment, edition) == []

    solved = tmp_path / "solved"
    shutil.copytree(edition, solved)
    solve(library, solved)
    result = grade(library, assignment, solved, jobs=2)
    scores = {t.task.id: t.score for t in result.tasks}
    # A task's points are shared by its tests: 16 points over 7 tests do not add up exactly.
    assert scores == {t.id: pytest.approx(t.points) for t in assignment.tasks}


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_every_planted_variant_of_the_sample_course_is_caught_and_named(sample, hw):
    from gradstack.variants import check_variants

    course, library = sample
    baseline, outcomes = check_variants(library, course.assignment(hw), jobs=2)
    assert all(t.score == pytest.approx(t.task.points) for t in baseline)
    assert outcomes and all(o.ok for o in outcomes), [
        (o.task.id, o.variant.name, o.problems) for o in outcomes if not o.ok]
