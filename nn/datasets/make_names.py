"""Rebuild ``names.txt`` from the Faker package (MIT licence; see NAMES_DATA.md).

Run from the repository root, offline, with ``pip install faker==40.54.0``::

    python nn/datasets/make_names.py

The file lists Faker's en_US first names (female and male, each once) and then its
en_US last names, one per line, each block sorted; ``# first`` and ``# last`` head
the two blocks.
"""

from __future__ import annotations

import os

FAKER_VERSION = "40.54.0"
PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "names.txt")


def main() -> None:
    # Imported here: this maintainer's script sits in the package, which must import
    # (and be walked by tests) without Faker installed.
    try:
        from faker.providers.person.en_US import Provider
    except ImportError:
        raise SystemExit("Rebuilding names.txt needs Faker: "
                         f"pip install faker=={FAKER_VERSION}") from None
    first = sorted(set(Provider.first_names_female) | set(Provider.first_names_male))
    last = sorted(set(Provider.last_names))
    with open(PATH, "w", encoding="utf-8") as file:
        file.write("\n".join(["# first", *first, "# last", *last]) + "\n")
    print(f"{PATH}: {len(first)} first names, {len(last)} last names")


if __name__ == "__main__":
    main()
