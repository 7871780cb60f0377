"""The sample course's hw4 (optimizers and training), end to end through the tooling.

tests/gradstack/test_sample_course.py checks every assignment of the sample course the same
way (complete toml; under ``-m course``: export, solve -> grade = 100, audit, every planted
variant). This file adds what is particular to hw4: by default, its tasks and regions, each
public test failing on its own task's stub, the untouched library still training by hand,
the audit finding a planted copy of Adam, and the checks of ``uses``; under ``-m course``,
whole submissions with one mistake (which tasks lose points, the end-to-end task included)
and the README's sample report against the real one.
"""

import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from gradstack.audit import audit
from gradstack.course import CourseError, default_course, load_assignment, load_course
from gradstack.export import export, solve, splice
from gradstack.grading import grade
from gradstack.library import Library
from gradstack.regions import indent_code
from gradstack.results import text_report

HW4_TASKS = ["hw4.sgd_momentum", "hw4.adam", "hw4.exponential_decay", "hw4.cosine_decay",
             "hw4.gradient_clipping", "hw4.train_step", "hw4.train_to_accuracy"]


@pytest.fixture(scope="module")
def sample():
    return load_course(default_course())


@pytest.fixture(scope="module")
def hw4(sample):
    return sample.assignment("hw4")


@pytest.fixture(scope="module")
def library(sample):
    from gradstack.course import library_root

    return Library(library_root(), sample)


@pytest.fixture(scope="module")
def edition(library, hw4, tmp_path_factory):
    out = tmp_path_factory.mktemp("hw4") / "edition"
    export(library, hw4, out)
    return out


@pytest.fixture(scope="module")
def perfect(library, edition, tmp_path_factory):
    out = tmp_path_factory.mktemp("hw4") / "perfect"
    shutil.copytree(edition, out)
    solve(library, out)
    return out


def test_hw4_has_its_tasks_100_points_and_three_variants_each(hw4, library):
    assert [t.id for t in hw4.tasks] == HW4_TASKS
    assert hw4.points == 100
    for task in hw4.tasks:
        assert len(task.variants) >= 3, f"{task.id} has {len(task.variants)} planted variants"
        assert task.grader, f"{task.id} has no grader tests"
    regions = {t.id: len(library.task_regions(t.id)) for t in hw4.tasks}
    assert regions == {"hw4.sgd_momentum": 1, "hw4.adam": 1, "hw4.exponential_decay": 1,
                       "hw4.cosine_decay": 1, "hw4.gradient_clipping": 2, "hw4.train_step": 1,
                       "hw4.train_to_accuracy": 0}
    end_to_end = hw4.task("hw4.train_to_accuracy")
    assert set(end_to_end.uses) == set(HW4_TASKS[:-1])
    assert all(v.task in end_to_end.uses for v in end_to_end.variants)


def test_the_edition_fails_exactly_the_public_test_of_each_task(edition, hw4, tmp_path):
    report = tmp_path / "report.xml"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--junitxml={report}"], cwd=edition, capture_output=True, text=True,
                         timeout=300, env=_edition_env(edition))
    cases = ElementTree.parse(report).getroot().iter("testcase")
    outcome = {}
    for case in cases:
        failure = case.find("failure")
        outcome[(case.get("classname"), case.get("name"))] = (
            failure.get("message") if failure is not None else "passed")
    expected = {("assignments.hw4.tests.test_hw4", t.public[0].split("::")[1]): t.id
                for t in hw4.tasks}
    assert set(outcome) == set(expected), (sorted(outcome), run.stdout[-2000:])
    for key, task_id in expected.items():
        message = outcome[key]
        # Each public test stops at its own task's stub; the end-to-end test, which runs
        # everything, at the first stub it meets.
        wanted = "hw4." if task_id == "hw4.train_to_accuracy" else f"{task_id}:"
        assert message.startswith(f"NotImplementedError: {wanted}"), (key, message)
    assert "gradstack" in run.stdout and "hw4.adam: 1 of 1 public tests failed" in run.stdout


def _edition_env(edition: Path) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(edition)
    return env


def test_the_edition_keeps_the_rest_of_the_library_working(edition):
    # Forward passes, predict, plain SGD and clipvalue need no hw4 code.
    code = """
import numpy as np, autograd, nn, optim
model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(2)])
assert model.predict(np.ones((4, 3)), verbose=0).shape == (4, 2)
w = autograd.tensor([1.0, 2.0], requires_grad=True)
opt = optim.SGD([w], learning_rate=0.5, clipvalue=1.0)
(w * w).sum().backward(); opt.step()
assert np.allclose(w.numpy(), [0.5, 1.5]), w
assert optim.PiecewiseConstantDecay([1], [1.0, 0.5])(2) == 0.5
print("ok", autograd.__file__)
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=edition, capture_output=True,
                         text=True, timeout=120, env=_edition_env(edition))
    assert run.returncode == 0, run.stderr
    assert str(edition) in run.stdout


def test_the_audit_of_the_edition_is_clean_and_catches_a_planted_copy(library, hw4, edition,
                                                                      tmp_path):
    assert audit(library, hw4, edition) == []
    leaky = tmp_path / "leaky"
    shutil.copytree(edition, leaky)
    adam = library.task_regions("hw4.adam")[0]
    rmsprop = leaky / "optim" / "rmsprop.py"
    rmsprop.write_text(rmsprop.read_text() + "\n\ndef _adam_step(self, param, grad, state, lr):\n"
                       + "\n".join(indent_code("\n".join(line.strip() for line in adam.body),
                                               "    ")) + "\n")
    found = audit(library, hw4, leaky)
    assert any(f.task == "hw4.adam" and f.path == "optim/rmsprop.py" for f in found), found


@pytest.mark.parametrize("text, message", [
    ('uses = ["hw4.nope"]\n', "not other tasks of hw4"),
    ('[[tasks.variants]]\nname = "x"\ncode = "pass"\nexpect = "y"\ntask = "hw4.b"\n',
     "does not list in 'uses'"),
])
def test_uses_and_variant_tasks_are_checked(tmp_path, text, message):
    folder = tmp_path / "hw4"
    (folder / "tests").mkdir(parents=True)
    folder.joinpath("assignment.toml").write_text(
        'id = "hw4"\n[[tasks]]\nid = "hw4.b"\npoints = 1\npublic = ["tests/test_b.py"]\n'
        '[[tasks]]\nid = "hw4.a"\npoints = 1\npublic = ["tests/test_a.py"]\n' + text)
    with pytest.raises(CourseError, match=message):
        load_assignment(folder)


# --- grading runs (pytest -m course) ----------------------------------------------------------

def _with_variant(library, hw4, perfect, out, task_id, name):
    """A copy of the perfect submission with the named planted variant in its region."""
    task = hw4.task(task_id)
    variant = next(v for v in task.variants if v.name == name)
    region_task = variant.task or task_id
    regions = library.task_regions(region_task)
    rel = variant.file or regions[0].path
    indent = next(r.indent for r in regions if r.path == rel)
    shutil.copytree(perfect, out)
    path = out / rel
    path.write_text(splice(path.read_text(), rel, {
        (region_task, variant.occurrence): indent_code(variant.code, indent)}))
    return out


@pytest.mark.course
@pytest.mark.slow
@pytest.mark.parametrize("task_id, name, losers", [
    # amsgrad is not used by the end-to-end runs: only Adam's task loses points.
    ("hw4.adam", "amsgrad_ignored", {"hw4.adam"}),
    # a momentum that climbs the loss costs its task and the end-to-end task that uses it.
    ("hw4.sgd_momentum", "momentum_sign_flipped", {"hw4.sgd_momentum", "hw4.train_to_accuracy"}),
    ("hw4.gradient_clipping", "global_clipped_per_tensor", {"hw4.gradient_clipping"}),
])
def test_a_whole_submission_with_one_mistake_loses_only_where_it_is_run(
        library, hw4, perfect, tmp_path, task_id, name, losers):
    submission = _with_variant(library, hw4, perfect, tmp_path / "student", task_id, name)
    result = grade(library, hw4, submission, workdir=tmp_path / "work", jobs=2)
    lost = {t.task.id for t in result.tasks if t.score < t.task.points - 1e-9}
    assert lost == losers, text_report(result)


@pytest.mark.course
@pytest.mark.slow
def test_the_readme_shows_a_report_the_grader_really_prints(library, hw4, perfect, tmp_path):
    submission = _with_variant(library, hw4, perfect, tmp_path / "student", "hw4.sgd_momentum",
                               "nesterov_without_lookahead")
    result = grade(library, hw4, submission, workdir=tmp_path / "work",
                   tasks=[hw4.task("hw4.sgd_momentum")])
    report = text_report(result)
    readme = (default_course() / "hw4" / "README.md").read_text()
    shown = readme.split("## Reading the report")[1].split("```text")[1].split("```")[0]
    for line in shown.strip().splitlines():
        assert line.strip() in report, f"{line.strip()!r} is not in the report:\n{report}"
