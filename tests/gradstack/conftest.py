"""Shared fixtures for the gradstack tooling tests, on the fixture course in ./course.

The fixture course's own tests (course/*/tests, course/*/grader) run inside exported
editions and grading trees, never from here.
"""

from pathlib import Path

import pytest

from gradstack.course import library_root, load_course
from gradstack.export import export, solve
from gradstack.library import Library

collect_ignore = ["course"]

COURSE = Path(__file__).resolve().parent / "course"


@pytest.fixture(scope="session")
def course():
    return load_course(COURSE)


@pytest.fixture(scope="session")
def library(course):
    return Library(library_root(), course)


@pytest.fixture(scope="session")
def hw1_edition(library, course, tmp_path_factory):
    """hw1's student edition, exported once (tests must not modify it)."""
    out = tmp_path_factory.mktemp("hw1") / "edition"
    export(library, course.assignment("hw1"), out)
    return out


@pytest.fixture(scope="session")
def hw3_edition(library, course, tmp_path_factory):
    """The fixture hw3's student edition (the pooling kernels stubbed), exported once."""
    out = tmp_path_factory.mktemp("hw3") / "edition"
    export(library, course.assignment("hw3"), out)
    return out


@pytest.fixture(scope="session")
def hw1_perfect(library, hw1_edition, tmp_path_factory):
    """hw1's edition with the reference spliced back in (tests must not modify it)."""
    import shutil

    out = tmp_path_factory.mktemp("hw1") / "perfect"
    shutil.copytree(hw1_edition, out)
    solve(library, out)
    return out
