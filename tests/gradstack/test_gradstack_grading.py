"""Per-task isolated grading: full marks for the reference, a broken task costs only itself.

The heavier runs (every kind of broken task, the Gradescope bundle, 20 submissions, the
planted variants) are marked ``course`` and run with ``pytest -m course``.
"""

import dataclasses
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradstack.export import splice
from gradstack.grading import build_tree, grade, reference_task_bodies
from gradstack.regions import indent_code
from gradstack.results import gradescope_results, text_report
from gradstack.worker import _check_imports

MUL_SWAPPED = """
grad_a = grad * a if ctx.needs_input_grad[0] else None
grad_b = grad * b if ctx.needs_input_grad[1] else None
"""

BROKEN = {  # kind -> (task, file, occurrences, code): one kind of breakage per task
    "wrong": ("hw1.mul_backward", "autograd/ops/arithmetic.py", (0,), MUL_SWAPPED),
    "loop": ("hw1.tanh_backward", "autograd/ops/activations.py", (0,),
             "while True:\n    pass"),
    "crash": ("hw1.relu_backward", "autograd/ops/activations.py", (0,),
              "import ctypes\nctypes.string_at(0)  # a segmentation fault"),
    # the student left both stubs (Exp's and Log's) in place
    "missing": ("hw1.exp_log_backward", "autograd/ops/math_functions.py", (0, 1),
                "raise NotImplementedError('hw1.exp_log_backward: not written')"),
}
LOOP_TIMEOUT = 8  # seconds for the looping task; the others keep the fixture's limits


def put_code(folder: Path, task: str, rel: str, occurrences, code: str) -> None:
    """Write ``code`` into the given regions of ``task`` in ``folder / rel``."""
    path = folder / rel
    text = path.read_text()
    indent = next(line[:len(line) - len(line.lstrip())] for line in text.splitlines()
                  if line.strip() == f"# BEGIN SOLUTION {task}")
    path.write_text(splice(text, rel, {(task, n): indent_code(code, indent)
                                       for n in occurrences}))


def submission_with(perfect: Path, out: Path, task: str, rel: str, occurrences,
                    code: str) -> Path:
    """A copy of the perfect submission with ``code`` in some regions of ``task``."""
    shutil.copytree(perfect, out)
    put_code(out, task, rel, occurrences, code)
    return out


def with_short_loop(assignment):
    """The assignment with a short time limit for the task that the tests make loop."""
    tasks = tuple(dataclasses.replace(t, timeout=LOOP_TIMEOUT) if t.id == BROKEN["loop"][0]
                  else t for t in assignment.tasks)
    return dataclasses.replace(assignment, tasks=tasks)


def scores(result):
    return {t.task.id: t.score for t in result.tasks}


FULL = {"hw1.mul_backward": 10, "hw1.tanh_backward": 10, "hw1.relu_backward": 10,
        "hw1.exp_log_backward": 20}


def test_perfect_submission_gets_full_marks_and_a_valid_gradescope_file(library, course,
                                                                       hw1_perfect):
    result = grade(library, course.assignment("hw1"), hw1_perfect, jobs=2)
    assert scores(result) == FULL
    results = json.loads(json.dumps(gradescope_results(result)))
    assert results["score"] == 50
    assert results["output"] == "public tests passed; 6 grader tests run after submission"
    assert len(results["tests"]) == 10
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in ("visible", "after_published")
        assert test["score"] == test["max_score"] > 0
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(50)
    assert "all tests passed" not in text_report(result).lower()


def test_a_wrong_mul_costs_the_mul_task_only_and_feedback_is_the_gradcheck_report(
        library, course, hw1_perfect, tmp_path):
    task, rel, occurrences, code = BROKEN["wrong"]
    submission = submission_with(hw1_perfect, tmp_path / "s", task, rel, occurrences, code)
    result = grade(library, course.assignment("hw1"), submission, jobs=2)
    assert scores(result) == {**FULL, "hw1.mul_backward": 0}
    report = text_report(result)
    assert "gradcheck failed for input 0" in report and "worst element" in report
    assert "def test_" not in report and "assert autograd" not in report  # never the source


def test_the_tree_of_a_task_holds_the_reference_in_every_other_region(library, course,
                                                                      hw1_perfect, tmp_path):
    hw1 = course.assignment("hw1")
    bodies = reference_task_bodies(library, hw1.task("hw1.relu_backward"))
    bodies[("autograd/ops/activations.py", "hw1.relu_backward", 0)] = ("        return grad",)
    build_tree(library, hw1, bodies, tmp_path / "tree")
    tree = tmp_path / "tree"
    arithmetic = (tree / "autograd/ops/arithmetic.py").read_text()
    assert arithmetic == library.text("autograd/ops/arithmetic.py")
    assert "# BEGIN SOLUTION hw1.relu_backward\n        return grad\n" in (
        tree / "autograd/ops/activations.py").read_text()
    assert (tree / "assignments/hw1/grader/test_hw1_grader.py").exists()
    assert not (tree / ".git").exists()


def test_a_submission_without_its_markers_gets_a_clear_problem(library, course, hw1_perfect,
                                                             tmp_path):
    from gradstack.grading import submission_bodies

    shutil.copytree(hw1_perfect, tmp_path / "s")
    path = tmp_path / "s/autograd/ops/activations.py"
    path.write_text(path.read_text().replace("# BEGIN SOLUTION hw1.relu_backward\n", ""))
    task = course.assignment("hw1").task("hw1.relu_backward")
    _, problem = submission_bodies(library, task, tmp_path / "s")
    assert "region markers in autograd/ops/activations.py are broken" in problem
    assert "without a BEGIN" in problem


def test_the_worker_refuses_to_grade_an_installed_copy(tmp_path):
    problem = _check_imports(tmp_path.resolve())
    assert problem.startswith("autograd was imported from") and "refusing" in problem


def test_check_runs_a_notebook_exercise_and_prints_the_report(capsys):
    import gradstack

    notebook = "tests/gradstack/course/reference/tutorials/cube_lesson.ipynb"
    ns = gradstack.run_cells(notebook, through="hw2.cube_backward")
    assert capsys.readouterr().out == "Tensor([8.], shape=(1,), dtype=float32)\n"  # cell 2
    assert gradstack.check("hw2.cube_backward", ns, course="tests/gradstack/course")
    assert capsys.readouterr().out == (
        "hw2.cube_backward: public check passed; 1 grader test(s) run after submission\n")

    class WrongCube(ns["Cube"]):
        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a ** 2

    ns["cube"] = WrongCube.apply
    assert not gradstack.check("hw2.cube_backward", ns, course="tests/gradstack/course")
    out = capsys.readouterr().out
    assert out.startswith("hw2.cube_backward: check failed\nGradcheckError: gradcheck failed")


# ---------------------------------------------------------------- heavy runs (-m course)


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wrong", "missing", "loop", "crash"])
def test_breaking_one_task_loses_exactly_that_tasks_points(library, course, hw1_perfect,
                                                           tmp_path, kind):
    hw1 = course.assignment("hw1")
    task, rel, occurrences, code = BROKEN[kind]
    submission = submission_with(hw1_perfect, tmp_path / "s", task, rel, occurrences, code)
    result = grade(library, with_short_loop(hw1), submission, jobs=2)
    assert scores(result) == {**FULL, task: 0}, text_report(result)
    broken = next(t for t in result.tasks if t.task.id == task)
    expected = {"wrong": "gradcheck failed", "missing": "NotImplementedError: hw1.exp_log",
                "loop": f"time limit of {LOOP_TIMEOUT} s", "crash": "crashed"}[kind]
    assert expected in text_report(result)
    if kind == "loop":
        assert broken.seconds < LOOP_TIMEOUT + 20


@pytest.mark.course
@pytest.mark.slow
def test_package_unpack_run_autograder_writes_results_json(library, course, hw1_perfect,
                                                          tmp_path):
    from gradstack.package import package, unpack

    bundle = tmp_path / "autograder.zip"
    names = package(library, course.assignment("hw1"), bundle)
    assert {"setup.sh", "run_autograder", "course/hw1/grader/test_hw1_grader.py"} <= set(names)
    assert not any(n.startswith((".git/", "tests/")) for n in names)
    root = tmp_path / "root"
    unpack(bundle, root / "source")
    task, rel, occurrences, code = BROKEN["wrong"]
    submission_with(hw1_perfect, root / "submission", task, rel, occurrences, code)
    run = subprocess.run([str(root / "source/run_autograder")], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root),
                              "PYTHON": sys.executable}, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((root / "results/results.json").read_text())
    assert results["score"] == 40
    mul = [t for t in results["tests"] if t["name"].startswith("hw1.mul_backward")]
    assert len(mul) == 3 and all(t["score"] == 0 for t in mul)
    assert "numpy==" in (root / "source/setup.sh").read_text()


@pytest.mark.course
@pytest.mark.slow
def test_twenty_generated_submissions_are_all_scored_right(library, course, hw1_perfect,
                                                          tmp_path):
    import random

    short = with_short_loop(course.assignment("hw1"))
    rng = random.Random(13)
    folder = tmp_path / "submissions"
    folder.mkdir()
    expected = {}
    kinds = ["perfect", *BROKEN]
    for i in range(20):
        # every kind twice, then a random mix; some submissions break two tasks
        broken = [kinds[i % 5]] if i < 10 else rng.sample(kinds, rng.choice([1, 2]))
        broken = [k for k in broken if k != "perfect"]
        out = folder / f"student{i:02d}"
        shutil.copytree(hw1_perfect, out)
        expected[out.name] = dict(FULL)
        for kind in broken:
            task, rel, occurrences, code = BROKEN[kind]
            put_code(out, task, rel, occurrences, code)
            expected[out.name][task] = 0
    start = time.perf_counter()
    work = tmp_path / "work"
    got = {p.name: scores(grade(library, short, p, workdir=work, jobs=2))
           for p in sorted(folder.iterdir())}
    seconds = time.perf_counter() - start
    print(f"graded 20 submissions in {seconds:.1f} s")
    assert got == expected


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["hw1", "hw2", "hw3"])
def test_every_planted_variant_loses_points_for_its_task_only(library, course, assignment):
    from gradstack.variants import check_variants

    baseline, outcomes = check_variants(library, course.assignment(assignment), jobs=2)
    assert all(t.score == t.task.points for t in baseline)
    assert outcomes and all(o.ok for o in outcomes), [(o.variant.name, o.problems)
                                                      for o in outcomes]


def _with_end_to_end_task(assignment):
    """hw1 plus a task with no region of its own whose test runs on the submission's Mul
    (``uses``), as an end-to-end task runs on every piece the student wrote."""
    mul = assignment.task("hw1.mul_backward")
    together = dataclasses.replace(mul, id="hw1.together", title="Mul, used end to end",
                                   grader=(), grader_tests=0, variants=(),
                                   uses=("hw1.mul_backward",))
    return dataclasses.replace(assignment, tasks=(*assignment.tasks, together)), together


def test_a_task_that_uses_another_runs_on_the_submissions_code_of_both(library, course,
                                                                     hw1_perfect, tmp_path):
    from gradstack.variants import variant_bodies

    hw1, together = _with_end_to_end_task(course.assignment("hw1"))
    task, rel, occurrences, code = BROKEN["wrong"]
    submission = submission_with(hw1_perfect, tmp_path / "s", task, rel, occurrences, code)
    result = grade(library, hw1, submission, tasks=[together])
    assert scores(result) == {"hw1.together": 0}, text_report(result)
    assert "gradcheck failed" in text_report(result)
    # a submission without Mul's markers: the task that uses Mul gets the problem too
    path = submission / rel
    path.write_text(path.read_text().replace(f"# BEGIN SOLUTION {task}\n", ""))
    result = grade(library, hw1, submission, tasks=[together])
    assert "region markers in autograd/ops/arithmetic.py are broken" in result.tasks[0].problem
    # a planted variant may replace a region of a task it uses
    variant = dataclasses.replace(hw1.task(task).variants[0], task=task)
    planted = variant_bodies(library, together, variant)
    reference = reference_task_bodies(library, hw1.task(task))
    assert planted[(rel, task, 0)] != reference[(rel, task, 0)]
