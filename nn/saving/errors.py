"""The one error every damaged, foreign or hostile file raises."""

from __future__ import annotations

import os


class SavedFileError(ValueError):
    """A saved file could not be loaded: it is truncated, damaged, not a gradstack
    file, written for another architecture, or names something it may not.

    The message names the file and what is wrong with it.
    """

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"Cannot load {self.path!r}: {problem}")
