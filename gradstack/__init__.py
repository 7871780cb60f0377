"""gradstack: course tooling for the gradstack library (``gradstack`` on the command line).

The reference solution of each assignment task lives in the library's own source between
``# BEGIN SOLUTION <task-id>`` and ``# END SOLUTION``; a course is a folder of
``assignment.toml`` files. From these the tools make a student edition, audit it for
leaks, grade each task in isolation and package the grader for Gradescope. The guide is
``docs/teaching.md`` ("Teaching with gradstack").

- ``regions.py``: find and replace solution regions in ``.py`` files and notebook cells
- ``course.py``: the course format (course.toml, assignment.toml) and its validation
- ``library.py``: which files of the library an edition or a grading tree copies
- ``export.py``: the student edition (``export``) and the perfect student (``solve``)
- ``audit.py``: look for a task's answer elsewhere in an edition
- ``grading.py``, ``worker.py``, ``results.py``: per-task grading in subprocesses, reports
- ``variants.py``: apply the planted wrong answers and check that grading catches them
- ``package.py``, ``classroom.py``: the Gradescope bundle, the GitHub Classroom workflow
- ``doctor.py``, ``check.py``, ``notebooks.py``: for students (which copy is imported?
  inline checks in lessons, running a notebook's cells)

``autograd``, ``nn`` and ``optim`` never import this package.
"""

from .check import check
from .notebooks import run_cells

__version__ = "0.1.0"

__all__ = ["check", "run_cells", "__version__"]
