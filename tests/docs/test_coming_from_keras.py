"""docs/coming_from_keras.md stays true: its example runs, and the classes it lists exist."""

import re
from pathlib import Path

import pytest

import nn
import optim

PAGE = Path(__file__).resolve().parents[2] / "docs" / "coming_from_keras.md"
TEXT = PAGE.read_text(encoding="utf-8")


def test_the_example_runs_with_only_the_imports_changed(capsys):
    (block,) = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
    exec(compile(block, str(PAGE), "exec"), {})
    assert re.match(r"\d+ parameters, loss \d\.\d{3}", capsys.readouterr().out)


def _row(first_cell: str) -> str:
    (row,) = [line for line in TEXT.splitlines() if line.startswith(f"| {first_cell} |")]
    return row


@pytest.mark.parametrize("first_cell,module", [
    ("`keras.callbacks.*`", nn.callbacks),
    ("`keras.optimizers.*`", optim),
    ("`keras.optimizers.schedules.*`", optim),
])
def test_listed_classes_exist(first_cell, module):
    cells = _row(first_cell).split("|")
    names = re.findall(r"\b([A-Z][A-Za-z]+)\b", cells[2] + cells[3])
    names = [n for n in names if n not in ("Nesterov", "Callback")]
    assert names, first_cell
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{PAGE.name} lists {missing}, which {module.__name__} does not have"


def test_listed_layers_exist():
    row = _row("`keras.layers.*`").split("|")[3]
    names = re.findall(r"\b([A-Z][A-Za-z0-9]+)\b", row)
    missing = [n for n in names if not hasattr(nn.layers, n)]
    assert not missing, f"{PAGE.name} lists layers nn.layers does not have: {missing}"
