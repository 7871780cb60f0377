"""The engine's docs pages run as written: every python snippet of
docs/strict_mode_and_grad.md and docs/coming_from_pytorch.md, in order, in one
namespace per page, and print what the pages say they print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def run_page(name: str, capsys) -> tuple[str, str]:
    page = DOCS / name
    text = page.read_text()
    namespace: dict = {}
    for code in BLOCK.findall(text):
        exec(compile(code, str(page), "exec"), namespace)  # noqa: S102 - our own page
    return text, capsys.readouterr().out


def test_strict_mode_and_grad_page(capsys):
    text, printed = run_page("strict_mode_and_grad.md", capsys)
    blame = ("blame: the first op whose backward disagrees is <SwishWrong> (node 2 of 3, "
             "input 0)")
    assert blame in text and blame in printed
    known = "hint: this matches a known mistake: dswish = σ'(x) only (the product rule forgotten)."
    assert known in text and known in printed
    assert "output array is read-only" in printed and "strict mode:" in printed
    assert "Tensor([ 2., -4.,  6.]" in printed and printed.count("None") >= 1


def test_coming_from_pytorch_page(capsys):
    text, printed = run_page("coming_from_pytorch.md", capsys)
    final_loss, refusal = printed.strip().split("\n", 1)
    assert float(final_loss) < 1e-3  # the line was learned
    assert "with autograd.no_grad():" in refusal
    for name in ("dim=", "keepdim=", "pow", "clamp", "view", "permute", "unsqueeze"):
        assert f"`x.{name}" in text or name in text
