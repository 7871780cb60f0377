"""The student edition: what it holds, what it leaves out, what runs in it."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from autograd.kernels import __main__ as warmup_module
from gradstack.audit import substantial
from gradstack.library import _walk

HW1_TASKS = ["hw1.mul_backward", "hw1.tanh_backward", "hw1.relu_backward",
             "hw1.exp_log_backward"]


def _run(edition, *args, timeout=240):
    return subprocess.run([sys.executable, *args], cwd=edition, capture_output=True,
                          text=True, timeout=timeout, env={"PATH": "/usr/bin:/bin",
                                                          "PYTHONPATH": str(edition)})


def test_edition_has_no_git_no_grader_tests_and_no_library_tests(hw1_edition):
    files = _walk(hw1_edition)
    assert not (hw1_edition / ".git").exists()
    assert not any("grader" in f or f.startswith("tests/") for f in files), files
    assert "assignments/hw1/README.md" in files and "assignments/hw1/conftest.py" in files
    public_toml = (hw1_edition / "assignments/hw1/assignment.toml").read_text()
    assert "grader_tests = 2" in public_toml and "test_hw1_grader" not in public_toml
    assert "variants" not in public_toml and "swapped_inputs" not in public_toml
    assert "testpaths = assignments/hw1/tests" in (hw1_edition / "setup.cfg").read_text()


def test_no_region_reference_text_anywhere_in_the_edition(library, course, hw1_edition):
    """Neither a whole region nor any of its lines that occur nowhere else in the library
    (shared boilerplate such as ``n, h, w, c = x.shape`` does) is in the edition."""
    texts = {f: (hw1_edition / f).read_text(errors="replace") for f in _walk(hw1_edition)}
    squeezed = {f: "".join(t.split()) for f, t in texts.items()}
    outside = []  # the library's text with every region's body taken out
    for rel in library.files:
        text = library.text(rel) if rel.endswith((".py", ".ipynb", ".md")) else ""
        drop = {(r.cell, i) for r in library.regions().get(rel, [])
                for i in range(r.start, r.end + 1)}
        if rel.endswith(".ipynb"):
            from gradstack.regions import notebook_cells
            _, cells = notebook_cells(text)
            lines = [(c, i, line) for c, src in cells for i, line in enumerate(src.splitlines())]
        else:
            lines = [(None, i, line) for i, line in enumerate(text.splitlines())]
        outside.append("".join("".join(line.split()) for c, i, line in lines
                               if (c, i) not in drop))
    outside = "\n".join(outside)
    for task in course.assignment("hw1").tasks:
        regions = library.task_regions(task.id)
        for region in regions:
            whole = "".join("".join(region.body).split())
            assert not [f for f, t in squeezed.items() if whole in t], region.where()
        for line in substantial(b for r in regions for b in r.body):
            if line in outside:
                continue
            places = [f for f, t in squeezed.items() if line in t]
            assert not places, f"{task.id}: {line!r} is in {places}"


def test_stubs_name_their_task_and_keep_their_markers(hw1_edition):
    ops = (hw1_edition / "autograd/ops/math_functions.py").read_text()
    assert ops.count("# BEGIN SOLUTION hw1.exp_log_backward") == 2
    assert ops.count("raise NotImplementedError('hw1.exp_log_backward: Exp and Log") == 2
    assert "see assignments/hw1/README.md" in ops
    kernel = (hw1_edition / "autograd/kernels/pool.py").read_text()
    assert "BEGIN SOLUTION" not in kernel  # hw3 is left solved in the fixture's hw1


def test_a_stubbed_numba_kernel_still_compiles_and_raises_its_task_id(hw3_edition):
    kernel = (hw3_edition / "autograd/kernels/pool.py").read_text()
    assert kernel.count("# BEGIN SOLUTION hw3.pool_forward") == 4  # max, avg; their twins
    assert kernel.count("raise NotImplementedError('hw3.pool_forward: Pooling forward") == 4
    script = (
        "import numpy as np\n"
        "from autograd.kernels import pool\n"
        "x = np.ones((1, 2, 2, 1)); out = np.empty((1, 1, 1, 1))\n"
        "arg = np.zeros((1, 1, 1, 1), np.int32)\n"
        "try:\n"
        "    pool.max_pool_forward(x, out, arg, 2, 2, 2, 2, 0, 0)\n"
        "except NotImplementedError as stub:\n"
        "    print(type(pool.max_pool_forward).__name__, stub)\n"
    )
    run = _run(hw3_edition, "-c", script)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("CPUDispatcher hw3.pool_forward: Pooling forward"), run.stdout


def test_later_assignment_is_stubbed_with_cleared_outputs_and_earlier_solved(library, course,
                                                                            tmp_path):
    from gradstack.export import export

    export(library, course.assignment("hw2"), tmp_path / "hw2")
    notebook = json.loads((tmp_path / "hw2/tutorials/cube_lesson.ipynb").read_text())
    cell = notebook["cells"][2]
    assert "raise NotImplementedError('hw2.cube_backward" in "".join(cell["source"])
    assert cell["outputs"] == [] and cell["execution_count"] is None
    arithmetic = (tmp_path / "hw2/autograd/ops/arithmetic.py").read_text()
    assert "BEGIN SOLUTION" not in arithmetic  # hw1 is earlier: solved, markers gone
    assert "grad_a = grad * b if ctx.needs_input_grad[0] else None" in arithmetic


def test_public_tests_fail_each_with_its_task_id_and_nothing_else_fails(hw1_edition, tmp_path):
    report = tmp_path / "junit.xml"
    result = _run(hw1_edition, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  f"--junitxml={report}")
    assert result.returncode == 1, result.stdout[-2000:]
    failed = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        assert problem is not None, f"{case.get('name')} passed on a stub"
        failed[case.get("name")] = problem.get("message")
    assert len(failed) == 4
    for name, message in failed.items():
        ids = [t for t in HW1_TASKS if t in message]
        assert len(ids) == 1 and message.startswith("NotImplementedError"), (name, message)
    assert "hw1.relu_backward: 1 of 1 public tests failed" in result.stdout


def test_markers_select_one_task_and_the_untouched_library_runs(hw1_edition):
    one = _run(hw1_edition, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m",
               "hw1_relu_backward")
    assert "1 failed, 3 deselected" in one.stdout, one.stdout[-2000:]
    # The fixture's hw2 is a later assignment, so the regions the sample course's hw2 marks
    # (Dense, the Glorot initializer, batch norm, dropout) are stubs here: the model avoids them.
    script = (
        "import numpy as np, autograd, nn\n"
        "from nn import layers\n"
        "model = nn.Sequential([nn.Input(shape=(4,), dtype='int32'), layers.Embedding(10, 3),\n"
        "                       layers.LayerNormalization(), layers.Reshape((2, 6))])\n"
        "print(model.predict(np.ones((2, 4), 'int32'), verbose=0).shape)\n"
        "x = autograd.tensor([[1.0, 2.0]], requires_grad=True)\n"
        "print(len(str(autograd.draw_graph((x + x).sum()))) > 0)\n"
        "y = autograd.avg_pool2d(autograd.ones((1, 4, 4, 1)), 2)\n"
        "print(y.shape)\n"
    )
    run = _run(hw1_edition, "-c", script)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["(2,", "2,", "6)", "True", "(1,", "2,", "2,", "1)"]


def test_warmup_skips_a_stubbed_kernel_and_warms_the_rest(monkeypatch):
    import io

    from autograd.kernels import im2col, pool, special

    def stub(*args):
        raise NotImplementedError("hw3.pool_forward: stub")

    for module, names in ((im2col, ["im2col_rows", "col2im_rows"]),
                          (pool, ["max_pool_backward", "avg_pool_forward",
                                  "avg_pool_backward"])):
        for name in names:
            monkeypatch.setattr(module, name, lambda *args: None)
    monkeypatch.setattr(pool, "max_pool_forward", stub)
    monkeypatch.setattr(special, "erf", lambda x: x)
    out = io.StringIO()
    times = warmup_module.warmup(file=out)
    assert "max_pool_forward     float32  skipped: hw3.pool_forward: stub" in out.getvalue()
    assert "max_pool_forward[float32]" not in times and "avg_pool_forward[float64]" in times
