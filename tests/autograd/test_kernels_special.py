"""erf, the kernel exact GELU uses, against its plain twin and known values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.kernels.special import erf, erf_numpy

pytestmark = pytest.mark.kernels


def test_erf_at_known_points():
    # erf(0) = 0, erf(1) = 0.8427007929497149 (Abramowitz & Stegun 7.1), odd, -> +-1
    x = np.array([0.0, 1.0, -1.0, 6.0, -np.inf, np.inf])
    np.testing.assert_allclose(erf(x), [0.0, 0.8427007929497149, -0.8427007929497149,
                                        1.0, -1.0, 1.0], rtol=1e-15, atol=0)
    assert np.isnan(erf(np.array([np.nan])))[0]


# deadline=None: the first example compiles the kernel for its dtype (a cold Numba
# cache takes far longer than hypothesis's 200 ms), as the other kernel tests allow.
@settings(deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64]), hnp.array_shapes(max_dims=3),
                  elements=st.floats(-5, 5, width=32)))
def test_erf_matches_its_numpy_twin(x):
    got, want = erf(x), erf_numpy(x)
    assert got.dtype == want.dtype == x.dtype and got.shape == want.shape == x.shape
    # float32: the kernel computes in float32, the twin in float64 then rounds (1-2 ulp)
    rtol = 3e-7 if x.dtype == np.float32 else 1e-15
    # Below the smallest normal number (erf(x) ~ 1.13 x for subnormal x) one ulp is
    # 1.4e-45 in float32, far more than rtol of the value: hypothesis found
    # 5.6e-45 against 7.0e-45. Those values are compared absolutely.
    atol = np.finfo(x.dtype).smallest_normal
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_the_twin_is_math_erf_elementwise():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_array_equal(erf_numpy(x), [math.erf(v) for v in x])
