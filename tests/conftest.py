"""Suite-wide setup: the live reference comparisons (marker ``reference``).

They need PyTorch and Keras 3 (``pip install -e ".[reference]"``). Without them a
selected reference test is skipped with that instruction - except under
``GRADSTACK_REFERENCE_REQUIRED=1`` (set by .ci/run), where their absence is an error,
so CI can never pass by skipping the comparisons.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

# The reference extra installs torch as Keras's only backend; set before any import.
os.environ.setdefault("KERAS_BACKEND", "torch")

REFERENCE_PACKAGES = ("torch", "keras")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reference = [item for item in items if item.get_closest_marker("reference")]
    if not reference:
        return
    missing = [name for name in REFERENCE_PACKAGES if importlib.util.find_spec(name) is None]
    if not missing:
        return
    if os.environ.get("GRADSTACK_REFERENCE_REQUIRED") == "1":
        raise pytest.UsageError(
            f"{len(reference)} reference tests were selected but {', '.join(missing)} "
            "cannot be imported: install them with pip install -e \".[reference]\"."
        )
    skip = pytest.mark.skip(
        reason=f"live comparison with PyTorch/Keras; {', '.join(missing)} not installed "
               "(pip install -e \".[reference]\" to run it)"
    )
    for item in reference:
        item.add_marker(skip)
