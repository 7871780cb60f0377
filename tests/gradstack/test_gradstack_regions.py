"""Solution regions: reading, replacing, notebooks, stubs that compile under @njit."""

import json

import numpy as np
import pytest
from numba import njit

from gradstack.regions import (
    RegionError,
    find_file_regions,
    find_regions,
    replace_regions,
    stub_lines,
)

SOURCE = """def f(x):
    y = x
    # BEGIN SOLUTION hw1.f
    y = 2 * y
    return y
    # END SOLUTION


def g(x):
    # BEGIN SOLUTION hw1.g stub: return x * 0
    return x + 1
    # END SOLUTION
"""


def test_regions_are_found_with_task_body_indent_and_header_stub():
    f, g = find_regions(SOURCE, "m.py")
    assert (f.task, f.start, f.end, f.indent) == ("hw1.f", 2, 5, "    ")
    assert f.body == ("    y = 2 * y", "    return y")
    assert f.stub is None and g.stub == "return x * 0"
    assert f.where() == "m.py:3"


def test_replace_keeps_markers_of_replaced_regions_and_can_drop_the_others():
    new = replace_regions(SOURCE, {0: ["    raise NotImplementedError('hw1.f')"]},
                          keep_markers=False)
    assert "# BEGIN SOLUTION hw1.f\n    raise NotImplementedError('hw1.f')\n    # END" in new
    assert "hw1.g" not in new and "    return x + 1\n" in new
    assert "y = 2 * y" not in new


@pytest.mark.parametrize("text, message", [
    ("# BEGIN SOLUTION hw1.a\nx = 1\n", "never closed"),
    ("# END SOLUTION\n", "without a BEGIN"),
    ("# BEGIN SOLUTION hw1.a\n# BEGIN SOLUTION hw1.b\n# END SOLUTION\n", "do not nest"),
    ("# BEGIN SOLUTION Relu\n# END SOLUTION\n", "cannot read the region header"),
])
def test_bad_markers_raise_naming_file_and_line(text, message):
    with pytest.raises(RegionError, match=message) as error:
        find_regions(text, "bad.py")
    assert "bad.py:" in str(error.value)


def test_notebook_regions_are_read_per_code_cell():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# BEGIN SOLUTION hw1.md\n"]},
        {"cell_type": "code", "source": ["x = 1\n", "# BEGIN SOLUTION hw1.nb\n", "x = 2\n",
                                         "# END SOLUTION\n"], "outputs": []},
    ]}
    (region,) = find_file_regions(json.dumps(notebook), "lesson.ipynb")
    assert (region.task, region.cell, region.body) == ("hw1.nb", 1, ("x = 2",))


def test_default_stub_compiles_under_njit_and_raises_with_the_task_id():
    source = ("def kernel(x, out):\n    # BEGIN SOLUTION hw1.kernel\n"
              "    out[0] = x[0]\n    # END SOLUTION\n")
    (region,) = find_regions(source, "k.py")
    stubbed = replace_regions(source, {0: stub_lines(region, "hw1.kernel: a kernel")})
    namespace = {}
    exec(stubbed, namespace)
    kernel = njit(cache=False)(namespace["kernel"])
    with pytest.raises(NotImplementedError, match="hw1.kernel: a kernel"):
        kernel(np.zeros(1), np.zeros(1))
