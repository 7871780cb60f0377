"""English first and last names, shipped with gradstack (no download): a small text
corpus for character-level models. From the Faker package (MIT licence); see
``NAMES_DATA.md`` for the source and licence and ``make_names.py`` for how
``names.txt`` was made.
"""

from __future__ import annotations

import os

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "names.txt")


def load_data(kind: str = "first") -> list[str]:
    """The names of one kind, sorted: ``"first"`` (690) or ``"last"`` (1,000).

    >>> import nn
    >>> names = nn.datasets.names.load_data()
    >>> len(names), names[:3]
    (690, ['Aaron', 'Abigail', 'Adam'])
    """
    if kind not in ("first", "last"):
        raise ValueError(f"names.load_data: kind must be 'first' or 'last', got {kind!r}.")
    blocks: dict[str, list[str]] = {}
    current = None
    with open(_PATH, encoding="utf-8") as file:
        for line in file.read().splitlines():
            if line.startswith("# "):
                current = blocks.setdefault(line[2:], [])
            elif line:
                current.append(line)
    return blocks[kind]
