"""The lessons' "your turn" exercises (the course in ``assignments/lessons``).

For every exercise: its region is in its lesson, the lesson calls
``gradstack.check("<task>")`` right after it, the exported student edition of the lesson
has the stub there (and no output computed with the answer), and the check fails on that
stub and passes on the committed solution, without drawing from the library's random
generator (the lesson's later cells would compute other numbers). (The notebooks
themselves, solved, run top to bottom in test_notebooks.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import autograd
import gradstack
from gradstack.course import library_root, load_course
from gradstack.export import export
from gradstack.library import Library
from gradstack.regions import find_regions, notebook_cells

pytestmark = [pytest.mark.tutorials, pytest.mark.slow]

ROOT = Path(library_root())
LESSONS = load_course(ROOT / "assignments" / "lessons")
TASKS = [(lesson.id, task.id) for lesson in LESSONS.assignments for task in lesson.tasks]
NOTEBOOKS = sorted((ROOT / "tutorials").glob("*.ipynb"))


def _exercise_cells(notebook: Path) -> dict[str, tuple[int, str]]:
    """``{task: (cell index, source)}`` of the cells holding a lesson region."""
    _, cells = notebook_cells(notebook.read_text(encoding="utf-8"))
    return {region.task: (index, source) for index, source in cells
            for region in find_regions(source, notebook.name)}


def _notebook_of(task_id: str) -> Path:
    found = [nb for nb in NOTEBOOKS if task_id in _exercise_cells(nb)]
    assert len(found) == 1, f"{task_id} should have its region in one lesson, found {found}"
    return found[0]


def test_every_lesson_region_is_a_task_of_the_lessons_course():
    tasks = {task for _, task in TASKS}
    regions = {task for nb in NOTEBOOKS for task in _exercise_cells(nb)
               if task.startswith("lesson")}
    assert regions == tasks, f"regions without a task: {regions - tasks}; " \
                             f"tasks without a region: {tasks - regions}"


@pytest.mark.parametrize("task_id", [t for _, t in TASKS])
def test_the_lesson_checks_the_exercise_right_after_it(task_id):
    notebook = _notebook_of(task_id)
    index, _ = _exercise_cells(notebook)[task_id]
    _, cells = notebook_cells(notebook.read_text(encoding="utf-8"))
    later = [source for i, source in cells if i > index]
    assert later and f'gradstack.check("{task_id}")' in later[0], (
        f"{notebook.name}: the code cell after the exercise {task_id} should call "
        f'gradstack.check("{task_id}")')


@pytest.fixture(scope="module")
def library():
    return Library(ROOT, LESSONS)


@pytest.mark.parametrize("lesson_id,task_id", TASKS)
def test_exported_lesson_has_the_stub_and_its_check_fails_on_it_and_passes_solved(
        library, lesson_id, task_id, tmp_path, capsys):
    notebook = _notebook_of(task_id)
    edition = tmp_path / "edition"
    export(library, LESSONS.assignment(lesson_id), edition)

    student = edition / "tutorials" / notebook.name
    index, stub = _exercise_cells(student)[task_id]
    assert f"NotImplementedError('{task_id}: " in stub, stub
    (region,) = [r for r in find_regions(stub, student.name) if r.task == task_id]
    solution = [r for r in find_regions(_exercise_cells(notebook)[task_id][1], notebook.name)
                if r.task == task_id][0]
    assert not set(solution.body) & set(region.body), "the stub still holds the answer"
    cell = json.loads(student.read_text(encoding="utf-8"))["cells"][index]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert (edition / "assignments" / lesson_id / "README.md").is_file()

    namespace = gradstack.run_cells(notebook, through=task_id)
    capsys.readouterr()
    before = autograd.get_generator().bit_generator.state
    assert gradstack.check(task_id, namespace) is True
    assert f"{task_id}: public check passed" in capsys.readouterr().out
    assert autograd.get_generator().bit_generator.state == before, (
        "the check drew from the library's generator: the lesson's later numbers would change")

    exec(compile(stub, f"{student.name} (cell {index})", "exec"), namespace)
    assert gradstack.check(task_id, namespace, course=edition / "assignments") is False
    assert f"{task_id}: not written yet" in capsys.readouterr().out
