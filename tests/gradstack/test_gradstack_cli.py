"""The gradstack command: list, errors, doctor, the Classroom workflow of an edition."""

import doctest
import importlib
import subprocess
import sys

import pytest

from gradstack.cli import main
from gradstack.course import library_root

COURSE = library_root() / "tests" / "gradstack" / "course"


def test_list_shows_assignments_tasks_points_and_markers(capsys):
    assert main(["assignments", "list", "--course", str(COURSE)]) == 0
    out = capsys.readouterr().out
    assert "hw1: Fixture: backward passes - 50 points" in out
    assert "hw1.exp_log_backward" in out and "-m hw1_exp_log_backward" in out
    assert "hw3.pool_forward" in out and "-m hw3_pool_forward" in out


def test_an_unknown_assignment_exits_2_with_the_known_ones(capsys):
    assert main(["assignments", "export", "hw7", "--course", str(COURSE), "--out", "x"]) == 2
    assert "has no assignment 'hw7' (it has: hw1, hw2, hw3)" in capsys.readouterr().err


def test_python_m_gradstack_runs_the_same_command():
    run = subprocess.run([sys.executable, "-m", "gradstack", "assignments", "list", "--course",
                          str(COURSE)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "hw2.cube_backward" in run.stdout


def test_classroom_workflow_has_one_step_per_task(hw1_edition):
    workflow = (hw1_edition / ".github/workflows/classroom.yml").read_text()
    for marker in ["hw1_mul_backward", "hw1_tanh_backward", "hw1_relu_backward",
                   "hw1_exp_log_backward"]:
        assert workflow.count(f"command: python -m pytest -m {marker}\n") == 1
    assert "runners: hw1-mul-backward,hw1-tanh-backward,hw1-relu-backward,hw1-exp-log-backward" \
        in workflow
    assert "HW1-RELU-BACKWARD_RESULTS: \"${{steps.hw1-relu-backward.outputs.result}}\"" in workflow


def _doctor(edition, first_on_path):
    # The edition is the working folder; ``first_on_path`` is where Python finds the
    # packages first (an installed copy elsewhere is the student's usual trap).
    script = (f"import sys; sys.path.insert(0, {str(first_on_path)!r}); "
              "from gradstack.doctor import doctor; sys.exit(doctor())")
    return subprocess.run([sys.executable, "-c", script], cwd=edition, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})


def test_doctor_says_when_the_imported_copy_is_the_working_one_and_when_not(hw1_edition):
    here = _doctor(hw1_edition, hw1_edition)
    assert here.returncode == 0, here.stdout + here.stderr
    assert f"autograd  {hw1_edition / 'autograd'}  (ok)" in here.stdout
    # The library holds the sample course's hw1 regions too: every hw1 region is a stub here.
    stubs = next(line for line in here.stdout.splitlines() if "still stubs:" in line)
    for task in ["hw1.exp_log_backward", "hw1.mul_backward", "hw1.relu_backward",
                 "hw1.tanh_backward"]:
        assert task in stubs, stubs
    elsewhere = _doctor(hw1_edition, library_root())
    assert elsewhere.returncode == 1
    assert f"autograd  {library_root() / 'autograd'}  (NOT the folder you are working in)" \
        in elsewhere.stdout
    assert "pip install -e ." in elsewhere.stdout


MODULES = ["regions", "course", "library", "notebooks", "check", "export", "audit", "grading",
           "classroom", "package", "doctor", "variants", "results", "worker", "cli"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"gradstack.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
