"""``gradstack.check("lesson1.cube_backward")``: run one exercise's public check now.

In a lesson's "your turn" cell the check runs in-process on the code just executed in
the notebook (the caller's namespace) and prints the gradcheck report when it fails.
A task without a ``check`` function runs its public tests with pytest instead.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from .course import CourseError, load_course


def _load_function(folder: Path, spec: str):
    file, _, name = spec.partition("::")
    path = folder / file
    module_spec = importlib.util.spec_from_file_location(f"_gradstack_check_{path.stem}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, name)


def check(task_id: str, namespace: dict | None = None, course: str | Path | None = None) -> bool:
    """Run the public check of ``task_id``; print what it found; return True on a pass.

    ``namespace`` defaults to the caller's globals (a notebook's). ``course`` defaults to
    the course of the library (``assignments/``, which is the assignment in an edition);
    a lesson's exercise (``lesson1.*``) is found in the lessons' course,
    ``assignments/lessons/``, when ``assignments/`` has no such assignment.

    >>> import gradstack
    >>> ns = gradstack.run_cells("tests/gradstack/course/reference/tutorials/cube_lesson.ipynb",
    ...                          through="hw2.cube_backward")
    Tensor([8.], shape=(1,), dtype=float32)
    >>> gradstack.check("hw2.cube_backward", ns, course="tests/gradstack/course")
    hw2.cube_backward: public check passed; 1 grader test(s) run after submission
    True
    """
    from .course import default_course, library_root

    if namespace is None:
        namespace = sys._getframe(1).f_globals  # the notebook (or module) that called us
    folder = Path(course) if course is not None else None
    if folder is not None and not folder.is_absolute():
        folder = library_root() / folder
    loaded = load_course(folder)
    assignment_id = task_id.split(".")[0]
    lessons = default_course() / "lessons"
    if (course is None and lessons.is_dir()
            and assignment_id not in [a.id for a in loaded.assignments]):
        loaded = load_course(lessons)  # the lessons' exercises, a course of their own
    assignment = loaded.assignment(assignment_id)
    task = assignment.task(task_id)
    grader = task.grader_tests
    after = f"; {grader} grader test(s) run after submission" if grader else ""
    if task.check:
        try:
            _load_function(assignment.folder, task.check)(namespace)
        except NotImplementedError as error:
            print(f"{task_id}: not written yet ({error})")
            return False
        except Exception as error:  # the report is what the student needs to see
            print(f"{task_id}: check failed\n{type(error).__name__}: {error}")
            return False
        print(f"{task_id}: public check passed{after}")
        return True
    if not task.public:
        raise CourseError(f"{task_id} has no public tests to run.")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--tb=line", "-p",
                             "no:cacheprovider", "-m", task.marker,
                             str(assignment.folder / "tests")],
                            cwd=library_root(), capture_output=True, text=True)
    if result.returncode == 0:
        print(f"{task_id}: public tests passed{after}")
        return True
    print(f"{task_id}: public tests failed\n{result.stdout[-3000:]}")
    return False

