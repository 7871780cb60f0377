"""Every tutorial notebook runs top to bottom, and is committed with the outputs it prints."""

import difflib
import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

TUTORIALS = Path(__file__).resolve().parents[2] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))

pytestmark = [pytest.mark.tutorials, pytest.mark.slow]


def _load_execute():
    # tutorials/ is a folder of lessons, not a package: load its runner by path, so the
    # test executes and tidies each lesson exactly as `python tutorials/execute.py` does.
    spec = importlib.util.spec_from_file_location("tutorials_execute", TUTORIALS / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


execute = _load_execute()


def test_there_are_tutorials():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    counts = [c.execution_count for c in code]
    assert None not in counts, f"{path.name}: some cells were never run; re-execute and commit it"
    assert counts == sorted(counts), f"{path.name}: cells were run out of order"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name} was committed with an error"


def _first_difference(path, committed, fresh):
    for (index, count, old), (_, new_count, new) in zip(committed, fresh, strict=True):
        if (count, old) != (new_count, new):
            diff = difflib.unified_diff(
                "\n".join(old).splitlines(), "\n".join(new).splitlines(),
                "committed", "fresh run", lineterm="", n=2)
            return (f"{path.name}, code cell {index} (execution count {count} committed, "
                    f"{new_count} now) prints something else than what is committed:\n"
                    + "\n".join(diff))
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_prints_what_is_committed(path):
    nb = nbformat.read(path, as_version=4)
    # Exact numbers only on a machine like the one that executed the lesson (execute.py).
    executed_on = nb.metadata.get("gradstack", {}).get("executed_on")
    numbers_masked = executed_on != execute.machine()
    committed = execute.comparable_outputs(nb, mask_numbers=numbers_masked)
    # raises CellExecutionError, with the failing cell, on any error
    fresh = execute.run(nbformat.read(path, as_version=4))
    difference = _first_difference(
        path, committed, execute.comparable_outputs(fresh, mask_numbers=numbers_masked))
    numbers = ("numbers masked: it was executed on " + str(executed_on) if numbers_masked
               else "numbers compared exactly: it was executed on this kind of machine")
    assert difference is None, (
        f"{difference}\n\nThe lesson no longer shows what the library prints ({numbers}). "
        f"Re-run it with `python tutorials/execute.py {path.name}`, read the new outputs (and "
        f"any numbers the prose quotes), and commit it.")


def _printed(text, mask_numbers=False, tags=()):
    """comparable_outputs of a notebook whose one cell (tagged ``tags``) printed ``text``."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print()", execution_count=1, metadata={"tags": list(tags)})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.cells = [cell]
    return execute.comparable_outputs(nb, mask_numbers=mask_numbers)


def test_comparison_masks_only_what_changes_between_runs():
    run_1 = "36/36 [====>...] - 1s 36ms/step - loss: 0.5449 - 19ms/epoch - 526us/step <f at 0x7f3a>"
    run_2 = "36/36 [========] - 0s 9ms/step - loss: 0.5449 - 12ms/epoch - 329us/step <f at 0x55e0>"
    assert _printed(run_1) == _printed(run_2)
    assert _printed("loss: 0.5449") != _printed("loss: 0.5450")
    assert _printed("def im2col_rows(x, cols):") != _printed("def im2col_rows(x, cols, p0):")


def test_another_machine_masks_the_numbers_but_not_the_words():
    assert (_printed("val_loss: 0.1168 - accuracy: 97.22%", mask_numbers=True)
            == _printed("val_loss: 0.1152 - accuracy: 96.9%", mask_numbers=True))
    assert _printed("val_loss: 0.1168", True) != _printed("loss: 0.1168", True)
    assert _printed("cols[:] = rows", True) != _printed("cols[:, :k] = rows", True)


def test_another_machine_masks_the_padding_of_columns_too():
    # a count that gains a digit on another CPU moves the columns after it by a space
    assert (_printed("images of a 3:    98   7   10\n", mask_numbers=True)
            == _printed("images of a 3:   101   7    9\n", mask_numbers=True))
    assert _printed("images of a 3:   98", True) != _printed("images of an 3:   98", True)
    # on the machine that executed the lesson, the columns are compared exactly
    assert _printed("a:    98") != _printed("a:   98")


def test_a_sampled_cell_is_compared_by_its_lines_on_another_machine():
    run_here, run_there = "Dryce\nWarina\n", "Douglas (in the training names)\nWarker\n"
    assert (_printed(run_here, True, tags=["sampled"])
            == _printed(run_there, True, tags=["sampled"]))
    assert (_printed(run_here, True, tags=["sampled"])
            != _printed(run_here + "Dewn\n", True, tags=["sampled"]))
    # on the machine that executed it, and in an untagged cell, the words count
    assert (_printed(run_here, False, tags=["sampled"])
            != _printed(run_there, False, tags=["sampled"]))
    assert _printed(run_here, True, tags=[]) != _printed(run_there, True, tags=[])
