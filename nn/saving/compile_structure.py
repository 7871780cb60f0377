"""The shapes the compile settings of a model with several outputs take in a file.

``compile`` takes each of ``loss``, ``metrics`` and ``weighted_metrics`` as one
entry, a list, or a dict keyed by output name (``metrics`` also as a list of
lists); ``loss_weights`` as numbers in the same shapes. Keras 3 writes them into
``compile_config`` as given, each entry a name or a ``{"class_name", "config"}``
object, and gradstack's files do the same. These helpers walk those shapes, two
levels deep at most, so that saving and loading treat every entry alike:

>>> map_entries(str.upper, {"price": "mse", "kind": ["acc", "mae"]})
{'price': 'MSE', 'kind': ['ACC', 'MAE']}
"""

from __future__ import annotations

from typing import Any

MAX_ENTRIES = 1000  # more outputs or metrics than any file needs: refuse, do not loop


def is_entry_object(value: Any) -> bool:
    """A saved loss/metric object (``{"class_name": ...}`` or ``{"function": ...}``),
    as opposed to a dict keyed by output name."""
    return isinstance(value, dict) and ("class_name" in value or "function" in value)


def map_entries(fn: Any, value: Any, depth: int = 2) -> Any:
    """Apply ``fn`` to every entry of a compile argument (None stays None): one
    entry, a list or dict of entries, or (``metrics``) a list or dict of lists."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and depth > 0:
        return [map_entries(fn, item, depth - 1) for item in value]
    if isinstance(value, dict) and not is_entry_object(value) and depth > 0:
        return {key: map_entries(fn, item, depth - 1) for key, item in value.items()}
    return fn(value)


def check_entries(value: Any, what: str, check_entry: Any, fail: Any) -> None:
    """Refuse a saved compile argument of any other shape (or too large); call
    ``check_entry(entry)`` on each entry."""
    count = 0

    def visit(item: Any, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_ENTRIES:
            fail(f"its compile settings give more than {MAX_ENTRIES} {what} entries.")
        if isinstance(item, list) and depth > 0:
            for sub in item:
                visit(sub, depth - 1)
        elif isinstance(item, dict) and not is_entry_object(item) and depth > 0:
            for key, sub in item.items():
                if not isinstance(key, str) or not 0 < len(key) <= 200:
                    fail(f"its compile settings key the {what} by {str(key)[:40]!r}, which "
                         "is not an output name.")
                visit(sub, depth - 1)
        elif isinstance(item, (list, dict)) and not is_entry_object(item):
            fail(f"its compile settings nest the {what} deeper than Keras does.")
        else:
            check_entry(item)

    if value is not None:
        visit(value, 2)
