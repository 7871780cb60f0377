"""The sample course's hw3 (assignments/hw3) beyond what test_sample_course.py checks for
every assignment (export -> public tests fail on its tasks, solve -> grade 100, audit, every
planted variant): the end-to-end task's ``uses``, the audit and the public tests in the
default run, and - under ``-m course`` - that a wrong kernel the convnet does not use costs
only its own task, the end-to-end task included.
"""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gradstack.audit import audit
from gradstack.course import library_root, load_course
from gradstack.export import export, solve
from gradstack.grading import grade
from gradstack.library import Library
from gradstack.results import text_report

HW3_TASKS = ["hw3.window_geometry", "hw3.im2col", "hw3.col2im", "hw3.conv2d_forward",
             "hw3.conv2d_backward", "hw3.pool_forward", "hw3.pool_backward", "hw3.train_convnet"]


@pytest.fixture(scope="module")
def sample():
    course = load_course()
    return Library(library_root(), course), course.assignment("hw3")


@pytest.fixture(scope="module")
def edition(sample, tmp_path_factory):
    library, hw3 = sample
    out = tmp_path_factory.mktemp("sample_hw3") / "edition"
    export(library, hw3, out)
    return out


def _run(edition, *args, timeout=600):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(edition)}
    return subprocess.run([sys.executable, *args], cwd=edition, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_hw3_has_the_tasks_points_and_three_variants_each(sample):
    library, hw3 = sample
    assert [t.id for t in hw3.tasks] == HW3_TASKS and hw3.points == 100
    assert all(len(t.variants) >= 3 for t in hw3.tasks)
    for task in hw3.tasks[:-1]:  # every kernel task has regions in the library
        assert library.task_regions(task.id), task.id
    end_to_end = hw3.task("hw3.train_convnet")
    assert not library.task_regions(end_to_end.id) and set(end_to_end.uses) == set(HW3_TASKS[:-1])


def test_hw3_edition_stubs_its_regions_is_clean_for_the_audit_and_the_rest_runs(sample, edition):
    library, hw3 = sample
    assert audit(library, hw3, edition) == []
    pool = (edition / "autograd/kernels/pool.py").read_text()
    assert pool.count("raise NotImplementedError('hw3.pool_forward: Pooling forward") == 4
    warm = _run(edition, "-m", "autograd.kernels", "--warmup")
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert "im2col_rows          float32  skipped: hw3.im2col" in warm.stdout
    script = ("import numpy as np, nn\nfrom nn import layers\n"
              "m = nn.Sequential([nn.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])\n"
              "print(m.predict(np.ones((2, 4), 'float32'), verbose=0).shape)\n")
    run = _run(edition, "-c", script)
    assert run.returncode == 0 and run.stdout.strip() == "(2, 2)", run.stderr[-2000:]


def test_hw3_public_tests_fail_each_on_its_own_task(sample, edition, tmp_path):
    report = tmp_path / "junit.xml"
    run = _run(edition, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}")
    assert run.returncode == 1, run.stdout[-2000:]
    failed = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        assert problem is not None, f"{case.get('name')} passed on a stub"
        failed[case.get("name")] = problem.get("message")
    assert len(failed) == len(HW3_TASKS)
    _, hw3 = sample
    for task in hw3.tasks:
        (entry,) = task.public
        message = failed[entry.split("::")[1]]
        ids = [t for t in HW3_TASKS if t + ":" in message]
        assert message.startswith("NotImplementedError") and len(ids) == 1, (task.id, message)
        # a kernel task's test stops at that task's stub; the end-to-end one at a used task's
        assert ids[0] in ((task.id,) if not task.uses else task.uses), (task.id, message)


# ---------------------------------------------------------------- heavy runs (-m course)


@pytest.mark.course
@pytest.mark.slow
def test_hw3_one_wrong_kernel_the_convnet_does_not_use_costs_only_its_task(
        sample, edition, tmp_path):
    from gradstack.export import splice
    from gradstack.regions import indent_code

    library, hw3 = sample
    perfect = tmp_path / "perfect"
    shutil.copytree(edition, perfect)
    solve(library, perfect)  # full marks: test_sample_course.py grades it
    # Average pooling counting the padding: wrong, but lesson 3's convnet does not average,
    # so the end-to-end task keeps its points and only hw3.pool_forward loses some.
    task = hw3.task("hw3.pool_forward")
    variant = next(v for v in task.variants if v.name == "average_counts_the_padding")
    rel = "autograd/kernels/pool.py"
    path = perfect / rel
    indent = [r for r in library.task_regions(task.id) if r.path == rel][1].indent
    path.write_text(splice(path.read_text(), rel,
                           {(task.id, 1): indent_code(variant.code, indent)}))
    result = grade(library, hw3, perfect, jobs=2)
    scores = {t.task.id: t.score for t in result.tasks}
    assert scores["hw3.pool_forward"] < task.points, text_report(result)
    assert {k: v for k, v in scores.items() if k != task.id} == \
        {t.id: t.points for t in hw3.tasks if t.id != task.id}, text_report(result)
