"""What is particular to the sample course's hw2 (Layers and losses, assignments/hw2).

test_sample_course.py checks every assignment alike (a complete assignment.toml; under the
``course`` marker: public tests fail on the edition, solve -> grade 100/100, a clean audit,
every planted variant caught). Here, by default: the leak audit, what the edition holds,
which task each public test names when another task's stub comes first (and that it names
its own once that one is solved), and hw1's edition stubbing hw2 as a later assignment;
under ``course``: a submission with one planted mistake in a task other tasks build on
(linear under Dense, the batch-norm forward under its backward) loses that task's points only.
"""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gradstack.audit import audit
from gradstack.course import library_root, load_course
from gradstack.export import export, solve, splice
from gradstack.library import Library

HW2_TASKS = ["hw2.linear", "hw2.log_softmax", "hw2.softmax_cross_entropy", "hw2.dense",
             "hw2.glorot", "hw2.batch_norm_forward", "hw2.batch_norm_backward", "hw2.dropout"]


@pytest.fixture(scope="module")
def sample():
    return load_course(library_root() / "assignments")


@pytest.fixture(scope="module")
def sample_library(sample):
    return Library(library_root(), sample)


@pytest.fixture(scope="module")
def hw2_edition(sample, sample_library, tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_hw2") / "edition"
    export(sample_library, sample.assignment("hw2"), out)
    return out


def _public_failures(edition, tmp_path, name="junit.xml"):
    """{test name: failure message} of the edition's public tests (all must fail)."""
    report = tmp_path / name
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--junitxml={report}"], cwd=edition, capture_output=True, text=True,
                         timeout=600, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(edition)})
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    failed = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        assert problem is not None, f"{case.get('name')} passed on a stub"
        failed[case.get("name")] = problem.get("message")
    return failed, run.stdout


def _named_task(message, tasks):
    named = [t for t in tasks if f"{t}:" in message]
    assert message.startswith("NotImplementedError") and len(named) == 1, message
    return named[0]


def test_hw2_has_eight_tasks_worth_100_points_each_with_three_planted_variants(sample):
    hw2 = sample.assignment("hw2")
    assert [t.id for t in hw2.tasks] == HW2_TASKS
    assert hw2.points == 100
    for task in hw2.tasks:
        assert len(task.variants) >= 3, task.id
        assert task.public and len(task.grader) >= 3, task.id


def test_every_hw2_task_has_regions_in_the_library(sample_library):
    for task in HW2_TASKS:
        assert sample_library.task_regions(task), f"{task} has no region in the library"


def test_a_variant_takes_the_indentation_of_the_region_it_replaces(sample, sample_library):
    from gradstack.variants import variant_bodies

    task = sample.assignment("hw2").task("hw2.log_softmax")
    rel = "autograd/ops/softmax.py"
    for variant in task.variants:  # occurrence 0: a function (4 spaces), 1: a method (8)
        body = variant_bodies(sample_library, task, variant)[(rel, task.id, variant.occurrence)]
        indent = "    " * (variant.occurrence + 1)
        assert body[0].startswith(indent) and body[0][len(indent)] != " ", (variant.name, body)
        compile("def f():\n" + "\n".join(line[len(indent) - 4:] for line in body), rel, "exec")


def test_hw2_edition_passes_the_leak_audit(sample, sample_library, hw2_edition):
    assert audit(sample_library, sample.assignment("hw2"), hw2_edition) == []


def test_hw2_edition_stubs_hw2_keeps_hw1_solved_and_has_no_grader_tests(hw2_edition):
    linalg = (hw2_edition / "autograd/ops/linalg.py").read_text()
    assert "BEGIN SOLUTION hw1" not in linalg and "grad_a = g2 @ b2.mT" in linalg  # hw1 solved
    assert linalg.count("# BEGIN SOLUTION hw2.linear") == 2
    assert "raise NotImplementedError('hw2.linear: linear: x @ w + b" in linalg
    assert "out = x @ w\n" not in linalg and "grad_rows.sum(axis=0)" not in linalg
    assert not (hw2_edition / "assignments/hw2/grader").exists()
    public_toml = (hw2_edition / "assignments/hw2/assignment.toml").read_text()
    assert "variants" not in public_toml and "test_hw2_grader" not in public_toml


def test_hw2_public_tests_fail_only_on_hw2_tasks_and_name_them(sample_library, hw2_edition,
                                                              tmp_path):
    failed, stdout = _public_failures(hw2_edition, tmp_path)
    assert len(failed) == 8, sorted(failed)
    named = {name: _named_task(message, HW2_TASKS) for name, message in failed.items()}
    # Each names its own task, even where a task builds on another (the cross-entropy on
    # log_softmax, the batch-norm backward on its forward): those tests call the backward on
    # its own first, with what the forward would have saved.
    assert named == {f"test_{t.split('.')[1]}": t for t in HW2_TASKS}
    assert "hw2.dropout: 1 of 1 public tests failed" in stdout


def test_hw1_edition_stubs_hw2_as_a_later_assignment_and_its_tests_name_hw1_only(
        sample, sample_library, tmp_path):
    hw1_tasks = [t.id for t in sample.assignment("hw1").tasks]
    edition = tmp_path / "hw1"
    export(sample_library, sample.assignment("hw1"), edition)
    core = (edition / "nn/layers/core.py").read_text()
    assert "raise NotImplementedError('hw2.dense: Dense.build" in core  # later: a stub
    failed, _ = _public_failures(edition, tmp_path)
    assert len(failed) == len(hw1_tasks)
    assert {_named_task(m, hw1_tasks) for m in failed.values()} == set(hw1_tasks)


# ---------------------------------------------------------------- heavy runs (-m course)


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("task, variant", [("hw2.linear", "transpose_missing"),
                                           ("hw2.batch_norm_forward", "momentum_swapped")])
def test_a_hw2_variant_in_a_submission_costs_its_task_only(sample, sample_library,
                                                          hw2_edition, tmp_path, task, variant):
    """Dense runs linear, BatchNorm.backward needs the forward: the grader still blames
    only the broken task."""
    from gradstack.grading import grade
    from gradstack.results import text_report
    from gradstack.variants import variant_bodies

    hw2 = sample.assignment("hw2")
    submission = tmp_path / "submission"
    shutil.copytree(hw2_edition, submission)
    solve(sample_library, submission)
    planted = next(v for v in hw2.task(task).variants if v.name == variant)
    bodies = variant_bodies(sample_library, hw2.task(task), planted)
    for rel in {rel for rel, _, _ in bodies}:
        path = submission / rel
        path.write_text(splice(path.read_text(), rel, {(t, n): b for (r, t, n), b in
                                                       bodies.items() if r == rel}))
    result = grade(sample_library, hw2, submission, jobs=2)
    scores = {t.task.id: t.score for t in result.tasks}
    assert scores[task] < hw2.task(task).points, text_report(result)
    assert {k: v for k, v in scores.items() if k != task} == {
        t.id: t.points for t in hw2.tasks if t.id != task}, text_report(result)
