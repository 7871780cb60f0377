"""The packages import from this repository, and the project files are real."""

from pathlib import Path

import pytest

import autograd
import nn
import optim

ROOT = Path(__file__).resolve().parent.parent


def test_packages_are_imported_from_this_repository():
    for package in (autograd, nn, optim):
        assert Path(package.__file__).resolve().parent == ROOT / package.__name__


def test_pyproject_declares_the_distribution_and_its_packages():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "gradstack"
    assert project["requires-python"] == ">=3.10"
    # tomli is the standard library's tomllib, for Python 3.10 only.
    runtime = sorted(dep.split(">")[0].split("=")[0] for dep in project["dependencies"]
                     if "python_version < '3.11'" not in dep)
    assert runtime == ["numba", "numpy"]
    assert {"test", "tutorials", "bench"} <= set(project["optional-dependencies"])
    assert meta["tool"]["setuptools"]["packages"]["find"]["include"] == [
        "autograd*", "nn*", "optim*", "gradstack*"
    ]
    assert project["scripts"] == {"gradstack": "gradstack.cli:main"}


def test_readme_keeps_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert any("pytest" in c for c in commands)
    assert any("demo.py" in c for c in commands)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "<!-- test-command -->" in readme
