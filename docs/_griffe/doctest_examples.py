"""A griffe extension for the API reference: bare ``>>>`` examples become Examples sections.

gradstack's docstrings are NumPy style, and most put their doctest example right after
the prose, without an ``Examples`` heading (they read well in ``help()`` and run in the
test suite as they are). Griffe's NumPy parser only treats ``>>>`` lines as code inside
an ``Examples`` section; anywhere else Markdown reads them as nested block quotes. So,
for the site only, this inserts the heading before each bare example block. The library's
docstrings are left as written.

Loaded by ``mkdocs.yml`` (``plugins: mkdocstrings: ... extensions``).

>>> with_examples_headings("Twice x.\\n\\n>>> f(2)\\n4").splitlines()
['Twice x.', '', 'Examples', '--------', '>>> f(2)', '4']
"""

from __future__ import annotations

import re

import griffe

_HEADING_RULE = re.compile(r"^-{3,}\s*$")


def with_examples_headings(text: str) -> str:
    """``text`` with an ``Examples`` heading before each unindented ``>>>`` block that
    starts a paragraph outside an Examples section and outside a fenced code block."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    fenced = False
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip() and _HEADING_RULE.match(following):
            section = line.strip().lower()  # a NumPy section heading: "Parameters", ...
        starts_paragraph = not out or not out[-1].strip()
        if (not fenced and line.startswith(">>>") and starts_paragraph
                and section != "examples"):
            out += ["Examples", "--------"]
            section = "examples"
        out.append(line)
    return "\n".join(out)


class DoctestExamples(griffe.Extension):
    """Rewrite each object's docstring with ``with_examples_headings`` as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = with_examples_headings(obj.docstring.value)
