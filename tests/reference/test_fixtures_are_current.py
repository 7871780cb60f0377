"""The committed fixtures still hold what the pinned PyTorch and Keras 3 compute.

Live (marker ``reference``; needs ``pip install -e ".[reference]"``): every
producer of make_fixtures.py runs again and its arrays are compared with the
committed file, so a fixture cannot silently drift from its source.
"""

from __future__ import annotations

import numpy as np
import pytest
from make_fixtures import FIXTURES, load_fixture, produce_all

pytestmark = pytest.mark.reference


@pytest.mark.parametrize("filename", sorted(FIXTURES))
def test_committed_fixture_matches_a_fresh_run_of_its_producers(filename):
    fresh = produce_all(FIXTURES[filename])
    committed = {f"{case}/{name}": value
                 for case, arrays in load_fixture(filename).items()
                 for name, value in arrays.items()}
    assert sorted(fresh) == sorted(committed), "run tests/reference/make_fixtures.py"
    for key, value in fresh.items():
        # float32 cases (Keras) agree to float32 rounding, float64 ones (PyTorch) closer;
        # exact equality would depend on the CPU's vector units. The absolute part is a
        # few float32 ulps of the O(1) sums a value is made of (an LSTM output of 4e-4
        # computed from gates near 1 moved by 1.2e-7 between two runs here).
        if value.dtype == np.float32:
            rtol, atol = 1e-5, 1e-6
        else:
            rtol, atol = 1e-12, 1e-14
        np.testing.assert_allclose(value, committed[key], rtol=rtol, atol=atol, err_msg=key)
