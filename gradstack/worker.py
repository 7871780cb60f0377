"""Run one task's tests inside a grading tree: ``python -m gradstack.worker``.

The grader starts this in a subprocess whose working directory is the tree, so the
tree's packages come first on ``sys.path``. It checks that ``autograd``, ``nn`` and
``optim`` really are the tree's (never an installed copy), then runs pytest on the
task's tests and writes one JSON line per event to ``--out`` as it goes, so a test that
loops or crashes the process still leaves the results of the tests before it.

A failed test is reported by its exception's type and message (a gradcheck's report)
and the library line that raised it, never by the test's source.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

import pytest


class Recorder:
    """A pytest plugin that writes start/result/collect_error events as JSON lines."""

    def __init__(self, out, root: Path) -> None:
        self.out = out
        self.root = root

    def emit(self, **event) -> None:
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def pytest_runtest_logstart(self, nodeid, location):
        self.emit(event="start", nodeid=nodeid)

    def _where(self, excinfo) -> str:
        # The innermost frame in the library (not in a test): where the student's code
        # or the code it called went wrong.
        for entry in reversed(excinfo.traceback):
            path = Path(str(entry.path)).resolve()
            try:
                rel = path.relative_to(self.root)
            except ValueError:
                continue
            if rel.parts and rel.parts[0] not in ("assignments", "tests"):
                return f"{rel.as_posix()}:{entry.lineno + 1}"
        return ""

    def _message(self, excinfo) -> str:
        message = str(excinfo.value).strip()
        if not message:
            message = "(no message)"
        return f"{excinfo.typename}: {message}"

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or report.failed:
            if report.failed and call.excinfo is not None:
                self.emit(event="result", nodeid=item.nodeid, outcome="failed",
                          phase=report.when, message=self._message(call.excinfo),
                          where=self._where(call.excinfo))
            elif report.when == "call":
                self.emit(event="result", nodeid=item.nodeid, outcome=report.outcome)

    def pytest_collectreport(self, report):
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr).splitlines()[-1]
            self.emit(event="collect_error", nodeid=report.nodeid, message=message)


def _check_imports(root: Path) -> str | None:
    """None when the tree's packages import from the tree; else what went wrong."""
    for name in ("autograd", "nn", "optim"):
        try:
            module = __import__(name)
        except BaseException as error:  # a student's SyntaxError, or anything at import
            last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
            where = ""
            if isinstance(error, SyntaxError) and error.filename:
                where = f" ({Path(error.filename).name}, line {error.lineno})"
            elif last:
                where = f" ({Path(last[0].filename).name}, line {last[0].lineno})"
            return f"importing {name} failed{where}: {type(error).__name__}: {error}"
        path = Path(module.__file__).resolve()
        if root not in path.parents:
            return (f"{name} was imported from {path.parent}, not from the tree being "
                    f"graded ({root}); refusing to grade an installed copy.")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gradstack.worker")
    parser.add_argument("--root", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("tests", nargs="+")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    with open(args.out, "a", encoding="utf-8") as out:
        recorder = Recorder(out, root)
        problem = _check_imports(root)
        if problem:
            recorder.emit(event="fatal", message=problem)
            return 3
        code = pytest.main(["-q", "--tb=no", "--no-header", "-p", "no:cacheprovider",
                            "--assert=plain", "--rootdir", str(root), *args.tests],
                           plugins=[recorder])
        recorder.emit(event="done", exit_code=int(code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
