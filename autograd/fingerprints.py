"""Fingerprints: name the mistake from how a wrong gradient differs from the right one.

gradcheck hands over what it measured for one input - backward's answer, the
finite differences, backward's answer a second time and for a doubled incoming
gradient, and what each registered known mistake gives - and ``identify``
returns the first pattern that fits, as a short key and a sentence for the report:

==================== =====================================================
key                  what it means
==================== =====================================================
``shape``            backward returned a gradient no broadcast explains
``transpose``        analytic = numericᵀ (or has the transposed shape)
``nan``              the analytic gradient holds nan or inf
``nondeterministic`` two calls with the same incoming gradient differ
``known_mistake``    equals a wrong backward registered for the op
``zeros``            all zeros (or None) where the function does depend on x
``ignored_grad``     doubling the incoming gradient changes nothing
``sign``             analytic = -numeric
``factor``           analytic = c · numeric, c named
``nonzero_where_zero`` nonzero only where the true gradient is exactly 0
``zero_where_nonzero`` exactly 0 only where the true gradient is not
``unknown``          none of these
==================== =====================================================

The order matters: a forgotten ``* grad`` on an op with one output is also
"a constant factor" (1/v), and a flipped sign is also the factor -1, so the
more specific patterns are tried first.

>>> import numpy as np
>>> numeric = np.array([1.0, -2.0, 4.0])
>>> identify(Evidence(analytic=-numeric, numeric=numeric), atol=1e-5, rtol=1e-3)[0]
'sign'
>>> identify(Evidence(analytic=0.5 * numeric, numeric=numeric), atol=1e-5, rtol=1e-3)[1]
'analytic = 0.5 x numeric everywhere: backward is off by a constant factor (a factor 2 is \
missing, e.g. the 2 in d(x^2)/dx).'
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Evidence(NamedTuple):
    """What gradcheck measured for one input of one op (or of the whole function)."""

    # backward's answer, summed to the input's shape (None when no broadcast explains it)
    analytic: np.ndarray | None
    numeric: np.ndarray  # finite differences
    returned_shape: tuple | None = None  # the shape backward returned, before summing
    again: np.ndarray | None = None  # backward's answer a second time, same incoming gradient
    doubled: np.ndarray | None = None  # backward's answer when the incoming gradient is doubled
    mistakes: tuple = ()  # (description, the gradient that known mistake gives)


def _close(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _swap_last(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def identify(ev: Evidence, atol: float, rtol: float) -> tuple[str, str]:
    """The first fingerprint that fits, as ``(key, sentence)``; see the module docstring."""
    numeric, analytic = ev.numeric, ev.analytic
    if analytic is None:
        shape = ev.returned_shape
        if shape is not None and len(shape) >= 2 and shape[:-2] + shape[:-3:-1] == numeric.shape:
            return "transpose", (
                f"backward returned a gradient of shape {shape} for an input of shape "
                f"{numeric.shape}: the transposed shape. A transpose is missing or extra "
                "(e.g. grad @ W where grad @ W.T is needed)."
            )
        return "shape", (
            f"backward returned a gradient of shape {shape} for an input of shape "
            f"{numeric.shape}; no broadcast of the input has that shape."
        )
    if not np.isfinite(analytic).all():
        return "nan", ("the analytic gradient contains nan or inf: look for 0/0, log(0) or "
                       "1/0 in backward.")
    if ev.again is not None and not np.array_equal(ev.again, analytic):
        return "nondeterministic", (
            "backward gave a different answer when called twice with the same incoming "
            "gradient: it reads memory it never wrote (np.empty, not every element filled) "
            "or keeps state between calls. Start from np.zeros, or compute every element."
        )
    for description, wrong in ev.mistakes:
        if wrong is not None and _close(analytic, wrong, atol, rtol):
            return "known_mistake", f"this matches a known mistake: {description}."
    if not np.any(analytic) and np.any(numeric):
        return "zeros", (
            "backward returned zeros (or None) where the function does depend on the input."
        )
    if (ev.doubled is not None and np.any(analytic)
            and _close(ev.doubled, analytic, atol, rtol)
            and not _close(ev.doubled, 2 * analytic, atol, rtol)):
        return "ignored_grad", (
            "the incoming gradient is ignored: doubling it left backward's answer unchanged "
            "(analytic · grad ≈ numeric). Multiply the local derivative by grad: return "
            "grad * dy_dx, not dy_dx."
        )
    flat = np.abs(numeric) <= atol * 1e-3  # where the true gradient is (about) zero
    nz = ~flat
    bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
    agrees_where_flat = _close(analytic[flat], numeric[flat], atol, rtol)
    if nz.any() and agrees_where_flat:
        if _close(analytic[nz], -numeric[nz], atol, rtol):
            return "sign", "the analytic gradient has the wrong sign (analytic = -numeric)."
        ratio = analytic[nz] / numeric[nz]
        c = float(np.median(ratio))
        if _close(analytic[nz], c * numeric[nz], atol, rtol * 10) and not np.isclose(c, 1):
            return "factor", f"analytic = {c:.4g} x numeric everywhere: " + _factor_advice(c)
    if numeric.ndim >= 2 and _swap_last(numeric).shape == numeric.shape \
            and _close(analytic, _swap_last(numeric), atol, rtol):
        return "transpose", (
            "analytic = numericᵀ: a transpose is missing or extra in backward "
            "(e.g. grad.T @ x where x.T @ grad is needed)."
        )
    if bad.any() and np.all(flat[bad]):
        return "nonzero_where_zero", (
            f"backward gives a nonzero gradient at {int(bad.sum())} element(s) where the "
            "true gradient is exactly zero, and agrees everywhere else: the output does not "
            "depend on those elements (relu where x < 0, max at elements that were not the "
            "maximum, a clipped value), so mask the gradient there."
        )
    if bad.any() and not np.any(analytic[bad]):
        return "zero_where_nonzero", (
            f"backward gives exactly zero at {int(bad.sum())} element(s) where the true "
            "gradient is not zero, and agrees everywhere else: a mask that is too strict, "
            "or elements of the gradient never filled in."
        )
    return "unknown", (
        "compare backward's formula with the derivative of forward, and check that it "
        "multiplies by the incoming grad and returns one gradient per input."
    )


def _factor_advice(c: float) -> str:
    k = round(1 / c) if c != 0 else 0
    if abs(k) >= 2 and np.isclose(1 / c, k, rtol=1e-3):
        return (f"backward is off by a constant factor (a factor {k} is missing, e.g. the 2 "
                "in d(x^2)/dx).")
    k = round(c)
    if abs(k) >= 2 and np.isclose(c, k, rtol=1e-3):
        return f"backward is off by a constant factor (an extra factor {k})."
    return f"backward is off by a constant factor of {c:.4g}."
