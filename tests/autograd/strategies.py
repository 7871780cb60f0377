"""Shared pieces of the op tests (tests/autograd/test_ops_*.py).

An ``OpCase`` describes one way to call one public op: a function on Tensors, a
Hypothesis strategy for its arguments and a NumPy reference. Each test module
keeps a list ``GRADCHECK_CASES`` and runs three checks on every case:

- the gradient agrees with finite differences (``autograd.gradcheck``, float64),
  with every float input given a random memory layout (contiguous, transposed,
  strided, reversed), so backward also sees non-contiguous arrays;
- the value agrees with the NumPy reference;
- float32 gives the same values as float64 within rtol 1e-5 and stays float32.

``test_op_coverage.py`` collects the lists and fails when a differentiable op in
``autograd.__all__`` has no case.

Arguments drawn by a case: float ndarrays become Tensor leaves that require grad;
a ``Constant`` is passed on as its plain ndarray; everything else (axes, Python
scalars, bool masks, integer labels) is passed on unchanged. Values come from
a NumPy generator seeded by Hypothesis, in ranges chosen per op so that the
inputs stay away from kinks, poles and ties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd

# gradcheck runs the function twice per input element: keep shapes tiny.
OP_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MAX_SIDE = 3
LAYOUTS = ("contiguous", "transposed", "strided", "reversed")


# ------------------------------------------------------------------ shapes


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = MAX_SIDE):
    """Array shapes, 0-d included by default, size-1 axes included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(n: int = 2, min_dims: int = 0, max_dims: int = 3):
    """``n`` shapes that broadcast together (different ranks, size-1 axes, 0-d)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=MAX_SIDE
    ).map(lambda r: r.input_shapes)


@st.composite
def reduction_axes(draw, ndim: int):
    """None, one axis (maybe negative), or a tuple of distinct axes (maybe negative)."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(draw(st.sampled_from([ax, ax - ndim])) for ax in chosen)


# ------------------------------------------------------------------ values
# A "domain" turns (rng, shape) into float64 values.

Domain = Callable[[np.random.Generator, tuple], np.ndarray]


def uniform(low: float = -2.0, high: float = 2.0) -> Domain:
    return lambda rng, shape: rng.uniform(low, high, size=shape)


def away_from_zero(low: float = 0.2, high: float = 2.0) -> Domain:
    """Magnitudes in [low, high] with random signs: clear of a kink at 0."""

    def make(rng, shape):
        return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)

    return make


def positive(low: float = 0.3, high: float = 2.5) -> Domain:
    return uniform(low, high)


def off_grid(low: float = 0.01, high: float = 0.04) -> Domain:
    """Values in [-2, 2] whose distance above a multiple of 0.1 lies in [low, high].
    Two domains with disjoint offsets never come within 0.02 of each other, and
    neither comes near a bound like 0.5 or -0.8 (for maximum, minimum, clip)."""

    def make(rng, shape):
        return rng.integers(-20, 20, size=shape) / 10 + rng.uniform(low, high, size=shape)

    return make


def distinct() -> Domain:
    """Values in [-2, 2], no two within 0.02 of each other (for max and min: no
    ties, so the finite differences never straddle a change of winner)."""

    def make(rng, shape):
        grid = rng.choice(np.arange(-20, 20), size=shape, replace=False) / 10
        return grid + rng.uniform(0.01, 0.09, size=shape)

    return make


@st.composite
def arrays(draw, shape: tuple, domain: Domain | None = None) -> np.ndarray:
    """float64 values of ``shape`` from ``domain`` (uniform in [-2, 2] by default)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return np.asarray((domain or uniform())(rng, tuple(shape)), dtype=np.float64)


@st.composite
def bool_masks(draw, shape: tuple) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).random(shape) < 0.5


# ------------------------------------------------------------------ layouts


def with_layout(values: np.ndarray, layout: str) -> np.ndarray:
    """A writable array equal to ``values`` whose memory is laid out as named:
    ``transposed`` (Fortran order, a ``.T`` view), ``strided`` (every second
    element of a bigger buffer, an ``x[::2]`` view) or ``reversed`` (negative
    strides, an ``x[::-1]`` view). 0-d arrays are always plain."""
    if values.ndim == 0 or layout == "contiguous":
        return values.copy()
    if layout == "transposed":
        return np.ascontiguousarray(values.T).T
    if layout == "strided":
        buffer = np.zeros(tuple(2 * s for s in values.shape), dtype=values.dtype)
        view = buffer[(slice(None, None, 2),) * values.ndim]
        view[...] = values
        return view
    if layout == "reversed":
        flipped = (slice(None, None, -1),) * values.ndim
        return np.ascontiguousarray(values[flipped])[flipped]
    raise ValueError(f"unknown layout {layout!r}")


def leaf(values: np.ndarray, layout: str = "contiguous", dtype: Any = np.float64,
         requires_grad: bool = True) -> autograd.Tensor:
    """A Tensor around ``values`` in the given layout, without the copy that
    ``autograd.tensor`` would make (the copy would be contiguous)."""
    array = with_layout(np.asarray(values, dtype=dtype), layout)
    t = autograd.Tensor._from_op(array)
    return t.requires_grad_() if requires_grad else t


def is_float_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


@dataclass(frozen=True)
class Constant:
    """A float array that is passed to the op as a plain ndarray, not as a leaf."""

    array: np.ndarray


def raw(x: Any, dtype: Any = None) -> Any:
    """Unwrap a Constant (cast to ``dtype`` if given); leave anything else alone."""
    if isinstance(x, Constant):
        return x.array if dtype is None else x.array.astype(dtype)
    return x


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class OpCase:
    """One way to call one public op.

    op : its name in ``autograd.__all__``
    label : what this case varies (shown in the test id)
    fn : the call under test, on Tensors (and pass-through arguments)
    args : a strategy for the argument list (float ndarrays become leaves)
    reference : the same computation in NumPy, on the raw arguments
    gradcheck_kwargs : eps/atol/rtol for ops that need them
    """

    op: str
    label: str
    fn: Callable[..., Any]
    args: Any
    reference: Callable[..., Any] | None
    gradcheck_kwargs: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.op}[{self.label}]"


def case_ids(cases: list[OpCase]) -> list[str]:
    return [c.id for c in cases]


def draw_leaves(data, args: list, dtype: Any = np.float64, requires_grad: bool = True) -> list:
    """Turn float arrays in ``args`` into leaves with a drawn layout each."""
    out = []
    for a in args:
        if is_float_array(a):
            layout = data.draw(st.sampled_from(LAYOUTS), label="layout")
            out.append(leaf(a, layout, dtype=dtype, requires_grad=requires_grad))
        else:
            out.append(raw(a, dtype))
    return out


def as_float32(args: list) -> list:
    """The same arguments with float arrays rounded to float32."""
    return [a.astype(np.float32) if is_float_array(a) else a for a in args]


def as_list(result: Any) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def values_of(result: Any) -> list[np.ndarray]:
    return [r.numpy() if isinstance(r, autograd.Tensor) else np.asarray(r)
            for r in as_list(result)]


# The three checks every case goes through; the test modules call these from
# their parametrized Hypothesis tests.


def check_gradient(case: OpCase, data) -> None:
    args = data.draw(case.args, label="args")
    inputs = draw_leaves(data, args)
    assert autograd.gradcheck(case.fn, inputs, **case.gradcheck_kwargs)


def check_value(case: OpCase, data) -> None:
    args = data.draw(case.args, label="args")
    got = values_of(case.fn(*draw_leaves(data, args)))
    want = [np.asarray(w) for w in as_list(case.reference(*[raw(a) for a in args]))]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def check_float32(case: OpCase, data) -> None:
    args32 = as_float32(data.draw(case.args, label="args"))
    # The float64 run gets the float32-rounded inputs, so only arithmetic differs.
    args64 = [a.astype(np.float64) if is_float_array(a) else a for a in args32]
    out32 = as_list(case.fn(*draw_leaves(data, args32, dtype=np.float32)))
    out64 = as_list(case.fn(*draw_leaves(data, args64)))
    for o32, o64 in zip(out32, out64, strict=True):
        assert o32.dtype == np.float32, f"{case.id} turned float32 inputs into {o32.dtype}"
        np.testing.assert_allclose(o32.numpy(), o64.numpy(), rtol=1e-5, atol=1e-6)
