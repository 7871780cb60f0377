"""A griffe extension for the API reference: bare ``>>>`` examples become Examples sections.

gradstack's docstrings are NumPy style, and most put their doctest example right after
the prose, without an ``Examples`` heading (they read well in ``help()`` and run in the
test suite as they are). Griffe's NumPy parser only treats ``>>>`` lines as code inside
an ``Examples`` section; anywhere else Markdown reads them as nested block quotes. So,
for the site only, this inserts the heading before each bare example block, and turns
reStructuredText's ``::`` before a code block into a plain colon. The library's
docstrings are left as written.

Loaded by ``mkdocs.yml`` (``plugins: mkdocstrings: ... extensions``).

>>> with_examples_headings("Twice x.\\n\\n>>> f(2)\\n4").splitlines()
['Twice x.', '', 'Examples', '--------', '>>> f(2)', '4']
>>> without_literal_markers("Like this::\\n\\n    code")
'Like this:\\n\\n    code'
"""

from __future__ import annotations

import re

import griffe

_HEADING_RULE = re.compile(r"^-{3,}\s*$")


def without_literal_markers(text: str) -> str:
    """``text`` with reStructuredText's ``::`` (a code block follows) made Markdown:
    ``like this::`` becomes ``like this:`` and a line of only ``::`` goes. The indented
    block after it is already a code block in Markdown."""
    lines = []
    for line in text.splitlines():
        if line.strip() == "::":
            continue
        lines.append(line[:-1] if line.rstrip().endswith("::") and not
                     line.lstrip().startswith((">>>", "...")) else line)
    return "\n".join(lines)


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
    """Rewrite each object's docstring for Markdown as it is loaded: an Examples heading
    before bare ``>>>`` blocks, no reStructuredText ``::`` markers."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is None:
            return
        text = obj.docstring.value
        if "::" in text:
            text = without_literal_markers(text)
        if ">>>" in text:
            text = with_examples_headings(text)
        obj.docstring.value = text
