"""The leak audit finds planted copies of an answer and passes a clean edition."""

import dataclasses
import json
import shutil

import pytest

from gradstack.audit import audit


@pytest.fixture
def edition_copy(hw1_edition, tmp_path):
    out = tmp_path / "edition"
    shutil.copytree(hw1_edition, out)
    return out


def test_clean_edition_passes(library, course, hw1_edition, hw3_edition):
    assert audit(library, course.assignment("hw1"), hw1_edition) == []
    assert audit(library, course.assignment("hw3"), hw3_edition) == []


def test_copy_of_a_solution_in_a_sibling_function_is_found(library, course, edition_copy):
    ops = edition_copy / "autograd/ops/arithmetic.py"
    ops.write_text(ops.read_text() + (
        "\n\ndef _scale_backward(ctx, grad, a, b):\n"
        "    # a helper that happens to hold Mul's answer\n"
        "    grad_a  =  grad * b if ctx.needs_input_grad[0] else None\n"
        "    grad_b = grad * a if ctx.needs_input_grad[1] else None  # same\n"
        "    return grad_a, grad_b\n"))
    findings = audit(library, course.assignment("hw1"), edition_copy)
    assert [(f.task, f.path, f.kind) for f in findings] == [
        ("hw1.mul_backward", "autograd/ops/arithmetic.py", "copied lines")]
    assert "2 of 2 of the reference's lines" in str(findings[0])


def test_solution_printed_in_a_notebook_output_is_found(library, course, edition_copy):
    path = edition_copy / "tutorials/01_tensors_and_autograd.ipynb"
    notebook = json.loads(path.read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                        "text": ["    def backward(ctx, grad):\n", "        (out,) = ...\n",
                                 "        return grad * (out > 0)  # the ReLU\n"]}]
    path.write_text(json.dumps(notebook))
    findings = audit(library, course.assignment("hw1"), edition_copy)
    assert [(f.task, f.path) for f in findings] == [
        ("hw1.relu_backward", "tutorials/01_tensors_and_autograd.ipynb")]
    assert "cell " in findings[0].detail


def test_a_function_built_like_the_kernel_is_found_at_the_default_threshold(library, course,
                                                                           hw1_edition):
    # In the fixture's hw1 edition the pooling kernels are plain code (hw3 is left solved):
    # audited for hw3, avg_pool_forward - written like max_pool_forward, 69% of its token
    # structure - is what the check must find (that is why the sample course's hw3 makes
    # it a region of the same task).
    hw3 = dataclasses.replace(course.assignment("hw3"), similarity=0.65)
    findings = audit(library, hw3, hw1_edition)
    resembling = {(f.path, f.line) for f in findings if f.kind == "resembling function"}
    lines = (hw1_edition / "autograd/kernels/pool.py").read_text().splitlines()
    avg_forward = lines.index("def avg_pool_forward(x, out, kh, kw, sh, sw, pad_top, pad_left):")
    assert ("autograd/kernels/pool.py", avg_forward + 1) in resembling
    assert all(f.task == "hw3.pool_forward" for f in findings)
