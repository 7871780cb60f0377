"""docs/growing_out.md runs as written: every python snippet, in order, in one namespace
(Keras on the PyTorch backend), except the one marked as needing several devices."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.training

PAGE = Path(__file__).resolve().parents[2] / "docs" / "growing_out.md"
BLOCK = re.compile(r"(<!-- not run[^>]*-->\n)?```python\n(.*?)```", re.S)


def snippets() -> list[str]:
    return [code for skip, code in BLOCK.findall(PAGE.read_text()) if not skip]


def test_page_has_the_three_ways_out():
    text = PAGE.read_text()
    for heading in ("## 1. Continue in Keras 3", "## 2. Serve with ONNX Runtime",
                    "## 3. Bring a Keras model in"):
        assert heading in text
    assert "keras.distribution" in text
    assert len(snippets()) == 5


@pytest.mark.reference
@pytest.mark.slow
def test_snippets_run(tmp_path, monkeypatch):
    for module in ("keras", "onnxruntime", "onnx", "h5py"):
        pytest.importorskip(module) if os.environ.get("GRADSTACK_REFERENCE_REQUIRED") != "1" \
            else __import__(module)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code in snippets():
        exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102 - our own page
    assert {p.name for p in tmp_path.iterdir()} >= {"digits.keras", "digits.onnx",
                                                     "from_keras.keras"}
