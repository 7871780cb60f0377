"""``gradstack doctor``: is Python testing the copy of the library you are editing?

Students' most common failure is editing one copy and importing another (an earlier
``pip install``, a second checkout). This prints where ``autograd``, ``nn`` and
``optim`` come from and whether that is the folder you are in, the versions, the
Numba cache, strict mode, and which tasks of the edition are still stubs.
"""

from __future__ import annotations

import importlib
import os
import platform
from pathlib import Path

from .regions import find_file_regions


def _edition_root(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / "autograd" / "__init__.py").exists():
            return folder
    return None


def doctor(cwd: Path | None = None, file=None) -> int:
    """Print the report; return 1 when the imported packages are not the working copy."""
    cwd = Path(cwd or os.getcwd()).resolve()
    root = _edition_root(cwd)
    out = []
    ok = True
    out.append(f"working folder: {cwd}")
    out.append(f"library folder here: {root or 'none (no autograd/ in this folder or above)'}")
    for name in ("autograd", "nn", "optim", "gradstack"):
        try:
            module = importlib.import_module(name)
        except Exception as error:  # a broken edition is what doctor is for
            out.append(f"  {name:<9} cannot be imported: {type(error).__name__}: {error}")
            ok = False
            continue
        where = Path(module.__file__).resolve().parent
        same = root is not None and where.parent == root
        ok = ok and (same or root is None)
        mark = "ok" if same else "NOT the folder you are working in"
        out.append(f"  {name:<9} {where}  ({mark})")
    import numba
    import numpy

    out.append(f"python {platform.python_version()}, numpy {numpy.__version__}, "
               f"numba {numba.__version__}")
    jit = "off (NUMBA_DISABLE_JIT=1)" if os.environ.get("NUMBA_DISABLE_JIT") == "1" else "on"
    kernels = Path(importlib.import_module("autograd").__file__).parent / "kernels"
    cached = sorted(p.name for p in (kernels / "__pycache__").glob("*.nbi")) \
        if (kernels / "__pycache__").is_dir() else []
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    out.append(f"numba jit {jit}; {len(cached)} compiled kernel(s) cached next to the source"
               + (f", NUMBA_CACHE_DIR={cache_dir}" if cache_dir else "")
               + ("" if cached else " (run: python -m autograd.kernels --warmup)"))
    strict = os.environ.get("GRADSTACK_STRICT", "")
    out.append(f"strict mode (GRADSTACK_STRICT): {'on' if strict == '1' else 'off'}")
    if root is not None:
        stubs = []
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root)
            if rel.parts[0] in (".venv", "gradstack") or "__pycache__" in rel.parts:
                continue  # gradstack's own docstrings show markers as examples
            text = path.read_text(encoding="utf-8", errors="replace")
            if "# BEGIN SOLUTION" in text:
                try:
                    regions = find_file_regions(text, rel.as_posix())
                except ValueError as error:
                    out.append(f"  broken region markers: {error}")
                    continue
                stubs += [r for r in regions if any("NotImplementedError" in b for b in r.body)]
        if stubs:
            out.append(f"{len(stubs)} region(s) still stubs: " +
                       ", ".join(sorted({r.task for r in stubs})))
    if not ok:
        out.append("fix: from the library folder run 'python -m pip install -e .' in the "
                   "environment you test with, or run pytest from that folder.")
    print("\n".join(out), file=file)
    return 0 if ok else 1
