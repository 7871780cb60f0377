"""The live comparisons are wired up: extra pinned, marker off by default, run by CI."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_reference_extra_pins_the_local_torch_build_and_keras_3():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert "torch==2.13.0" in extras["reference"]  # other specs download gigabytes
    assert any(dep.startswith("keras>=3") for dep in extras["reference"])
    assert not any("torch" in dep or "keras" in dep for dep in extras["test"])


def test_reference_marker_is_declared_and_left_out_of_the_default_run():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    pytest_section = config["tool:pytest"]
    assert any(line.startswith("reference:") for line in pytest_section["markers"].split("\n")
               if line.strip())
    # The default -m expression may exclude other markers too ("not reference and not course").
    addopts = pytest_section["addopts"]
    assert '-m "not reference' in addopts or ' and not reference' in addopts


def test_ci_runs_the_reference_tests_after_the_readme_command_and_fails_on_a_skip():
    ci = (ROOT / ".ci" / "run").read_text()
    readme_step = ci.index('bash -c "$cmd"')
    install = ci.index('pip install -q -e ".[reference]"')
    live = ci.index("pytest -m reference\n")
    assert readme_step < install < live
    assert "GRADSTACK_REFERENCE_REQUIRED=1" in ci
