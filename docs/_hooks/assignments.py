"""MkDocs hook: every assignment's student page (``assignments/<id>/README.md``) on the site.

Assignments are added to the course while the site stays as it is, so the pages are not
listed by hand in ``mkdocs.yml``: this hook finds each assignment folder with an
``assignment.toml`` and a ``README.md``, adds the README as the page
``assignments/<id>.md`` and lists it under "Assignments" in the navigation, in the
course's order (``course.toml``'s ``assignments``, else the folder names sorted).
The lessons' exercises (``assignments/lesson*``) are left out: their page is the lesson.

Loaded by ``mkdocs.yml`` (``hooks:``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has the tomli backport (a dependency of gradstack)
    import tomli as tomllib

NAV_TITLE = "Assignments"


def student_pages(course: Path) -> list[tuple[str, Path]]:
    """``(assignment id, README path)`` of each assignment of ``course`` with a README,
    lessons left out, in the course's order."""
    found = sorted(p.parent.name for p in course.glob("*/assignment.toml")
                   if (p.parent / "README.md").is_file())
    order = []
    if (course / "course.toml").is_file():
        meta = tomllib.loads((course / "course.toml").read_text(encoding="utf-8"))
        order = [a for a in meta.get("assignments", []) if a in found]
    order += [a for a in found if a not in order]
    return [(a, course / a / "README.md") for a in order if not a.startswith("lesson")]


def _title(readme: Path, assignment_id: str) -> str:
    match = re.search(r"^# (.+)$", readme.read_text(encoding="utf-8"), flags=re.M)
    return match.group(1).strip() if match else assignment_id


def _course(config) -> Path:
    return Path(config["config_file_path"]).resolve().parent / "assignments"


def on_config(config):
    pages = [{_title(readme, a): f"assignments/{a}.md"} for a, readme in
             student_pages(_course(config))]
    nav = [entry for entry in config["nav"] if NAV_TITLE not in entry]
    if pages:
        after = next((i + 1 for i, entry in enumerate(nav) if "Lessons" in entry), len(nav))
        nav.insert(after, {NAV_TITLE: pages})
    config["nav"] = nav
    return config


def on_files(files, config):
    for assignment_id, readme in student_pages(_course(config)):
        files.append(File.generated(config, f"assignments/{assignment_id}.md",
                                    abs_src_path=str(readme)))
    return files
