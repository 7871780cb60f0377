"""Check an analytic gradient against finite differences.

For a function ``f`` of some tensors, pick a random direction ``v`` for its
output and look at the scalar ``L = sum(f(x) * v)``. A backward pass seeded
with ``v`` gives dL/dx analytically; nudging each input element by ``+eps`` and
``-eps`` gives it numerically as ``(L(x + eps) - L(x - eps)) / (2 eps)``. The
two must agree.

Only ``f``'s own ops run: the seed goes straight into the backward walk
(``autograd.grad(out, x, grad_outputs=v)``) and the numeric side projects onto
``v`` with NumPy, so a broken ``Mul`` or ``Sum`` elsewhere cannot fail (or
pass) a check of ``tanh``.

A random ``v`` checks every output element at once; a plain ``f(x).sum()``
would miss a backward that mixes up two outputs.

>>> import autograd
>>> x = autograd.tensor([0.5, -1.0, 2.0], dtype="float64", requires_grad=True)
>>> autograd.gradcheck(lambda t: t.tanh() * t, [x])
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import grad
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with finite differences (or the check could
    not run). The message names the input, the worst element and both values."""


def _outputs(result: Any) -> list[Tensor]:
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (list, tuple)) and all(isinstance(r, Tensor) for r in result):
        return list(result)
    raise GradcheckError(
        f"gradcheck: the function must return a Tensor or a list of Tensors, got "
        f"{type(result).__name__}."
    )


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    allow_float32: bool = False,
    seed: int = 0,
) -> bool:
    """Compare ``fn``'s backward with central finite differences; raise on mismatch.

    Parameters
    ----------
    fn : callable
        Takes the tensors in ``inputs`` and returns a Tensor (or a list of them).
    inputs : sequence
        Tensors (those with ``requires_grad=True`` are checked) and other arguments.
    eps : float
        The finite-difference step.
    atol, rtol : float
        Pass when ``|analytic - numeric| <= atol + rtol * |numeric|`` everywhere.
    allow_float32 : bool
        float32 has ~7 significant digits, too few for differences with eps=1e-6;
        checks refuse it unless you set this (and a larger eps, e.g. 1e-3).
    seed : int
        Seed for the random output direction.

    Returns
    -------
    True when every element agrees. Raises ``GradcheckError`` otherwise.
    """
    inputs = list(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise GradcheckError(
            "gradcheck: none of the inputs requires grad, so there is nothing to check. "
            "Create them with requires_grad=True."
        )
    for i in checked:
        if inputs[i].dtype != np.float64 and not allow_float32:
            raise GradcheckError(
                f"gradcheck: input {i} is {inputs[i].dtype}. Finite differences need "
                "float64 to be accurate; make inputs with dtype='float64' (or pass "
                "allow_float32=True with a larger eps and tolerances)."
            )

    # An input made by an op (x.T, x[::2]) is not a leaf: backward would not keep its
    # .grad (the check would see zeros) and would flow on into the tensors behind it.
    # Check a leaf that shares its array instead.
    for i in checked:
        if not inputs[i].is_leaf:
            original = inputs[i]
            inputs[i] = original.detach().requires_grad_()
            inputs[i].name = original.name

    # Analytic: the gradient of L = sum(out * v), by seeding the backward walk with v
    # directly (autograd.grad). Computing L with autograd's own Mul and Sum would run
    # - and trust - ops this check is not about; a broken Mul must not fail tanh.
    outputs = _outputs(fn(*inputs))
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(o.shape).astype(o.dtype) for o in outputs]
    recorded = [(o, v) for o, v in zip(outputs, directions) if o.requires_grad]
    if not recorded:
        raise GradcheckError("gradcheck: no output of the function depends on the inputs.")
    grads = grad(
        [o for o, _ in recorded],
        [inputs[i] for i in checked],
        grad_outputs=[v for _, v in recorded],
        allow_unused=True,
    )
    analytic = {
        i: (g.data.astype(np.float64) if g is not None else np.zeros(inputs[i].shape))
        for i, g in zip(checked, grads)
    }

    def projected() -> float:
        with no_grad():
            outs = _outputs(fn(*inputs))
        return float(sum(np.sum(o.data.astype(np.float64) * v) for o, v in zip(outs, directions)))

    # Numeric: nudge one element at a time, in place, then restore it. The projection
    # onto v is NumPy arithmetic, so only fn's own ops run here too.
    for i in checked:
        x = inputs[i].data
        numeric = np.zeros(x.shape, dtype=np.float64)
        for idx in np.ndindex(x.shape):
            original = x[idx]
            x[idx] = original + eps
            plus = projected()
            x[idx] = original - eps
            minus = projected()
            x[idx] = original
            numeric[idx] = (plus - minus) / (2 * eps)
        _compare(i, inputs[i], analytic[i], numeric, atol, rtol)
    return True


def _compare(i: int, t: Tensor, analytic: np.ndarray, numeric: np.ndarray,
             atol: float, rtol: float) -> None:
    if analytic.shape != numeric.shape:
        raise GradcheckError(
            f"gradcheck: input {i}: the analytic gradient has shape {analytic.shape}, "
            f"but the input has shape {numeric.shape}."
        )
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    bad = ~(error <= allowed)  # also catches nan
    if not bad.any():
        return
    excess = np.where(np.isnan(error), np.inf, error - allowed)
    worst = np.unravel_index(np.argmax(excess), excess.shape) if excess.ndim else ()
    a, n = analytic[worst], numeric[worst]
    rel = abs(a - n) / max(abs(n), 1e-12)
    label = f"input {i}" + (f" ({t.name!r})" if t.name else "") + f", shape {t.shape}"
    hint = _hint(analytic, numeric)
    raise GradcheckError(
        f"gradcheck failed for {label}: {int(bad.sum())} of {bad.size} gradient elements "
        f"disagree with finite differences.\n"
        f"  worst element {tuple(int(k) for k in worst)}: analytic {a:.6g}, numeric "
        f"{n:.6g}, relative error {rel:.3g} (allowed: atol={atol:g} + rtol={rtol:g} * "
        f"|numeric|)\n"
        f"  hint: {hint}"
    )


def _hint(analytic: np.ndarray, numeric: np.ndarray) -> str:
    """A guess at the kind of mistake, from the pattern of the two gradients."""
    if np.isnan(analytic).any():
        return "the analytic gradient contains nan: look for 0/0 or log(0) in backward."
    if not np.any(analytic) and np.any(numeric):
        return "backward returned zeros (or None) where the function does depend on the input."
    nz = np.abs(numeric) > 1e-8
    if nz.any():
        # The sign check comes first: a flipped sign is also a constant ratio (-1).
        if np.allclose(analytic[nz], -numeric[nz], rtol=1e-3):
            return "the analytic gradient has the wrong sign."
        ratio = analytic[nz] / numeric[nz]
        if np.allclose(ratio, ratio.flat[0], rtol=1e-3) and not np.isclose(ratio.flat[0], 1):
            return (
                f"analytic = {ratio.flat[0]:.4g} x numeric everywhere: a constant factor is "
                "wrong or missing in backward (e.g. the 2 in d(x^2)/dx)."
            )
    return (
        "compare backward's formula with the derivative of forward, and check that it "
        "multiplies by the incoming grad and returns one gradient per input."
    )
