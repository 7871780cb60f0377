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
would miss a backward that mixes up two outputs. Backward runs twice, so one
that reads memory it never wrote is caught even when it is right once.

When a check fails, the report says which op to blame - each recorded node is
checked alone against finite differences of its own forward, and the first
that disagrees in backward order is named (``gradcheck_blame.py``) - and what
kind of mistake it looks like: a flipped sign, a constant factor, a forgotten
``* grad``, a missing transpose, a wrong mask, a backward that changes between
calls, or a wrong backward an instructor registered with
``autograd.register_mistake`` (``fingerprints.py``, ``known_mistakes.py``).

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
from .fingerprints import Evidence, identify
from .grad_mode import no_grad
from .gradcheck_blame import Blame, find_blame, ops_in_backward_order
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with finite differences (or the check could
    not run). The message names the input, the worst element and both values, the
    op to blame and the kind of mistake.

    Attributes
    ----------
    blame : str or None
        The class name of the first op, in backward order, whose own backward
        disagrees with finite differences of its forward; None when no single
        op is at fault (or the check did not get that far).
    node, nodes : int or None
        Where that op sits: node ``node`` of ``nodes`` in backward order.
    blame_input : int or None
        Which input of that op's forward has the wrong gradient.
    fingerprint : str or None
        The kind of mistake, a key of ``autograd.fingerprints`` ("sign",
        "factor", "ignored_grad", "transpose", ...); None when the check did not
        compare gradients.
    """

    def __init__(self, message: str, blame: Blame | None = None,
                 fingerprint: str | None = None) -> None:
        super().__init__(message)
        self.blame = blame.op if blame else None
        self.node = blame.node if blame else None
        self.nodes = blame.nodes if blame else None
        self.blame_input = blame.input if blame else None
        self.fingerprint = fingerprint


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
    seeds = [v for _, v in recorded]
    checked_inputs = [inputs[i] for i in checked]

    def analytic_for(scale: float) -> dict[int, np.ndarray]:
        # retain_graph: a failing check walks the graph again (blame, fingerprints).
        grads = grad([o for o, _ in recorded], checked_inputs,
                     grad_outputs=[scale * v for v in seeds], retain_graph=True,
                     allow_unused=True)
        return {i: (g.data.astype(np.float64) if g is not None else np.zeros(inputs[i].shape))
                for i, g in zip(checked, grads)}

    try:
        analytic = analytic_for(1.0)
        # Twice: a backward reading memory it never wrote (np.empty) can be right once.
        again = analytic_for(1.0)
    except RuntimeError as error:
        # A backward returned a gradient no broadcast explains (the engine says which):
        # find that op by checking each node alone, and name the mistake.
        blame = find_blame(outputs, eps, atol, rtol, seed)
        if blame is None:
            raise
        key, hint = identify(blame.evidence, atol, rtol)
        raise GradcheckError(
            f"gradcheck failed: {error}\n  blame: {_blame_line(blame)}\n  hint: {hint}",
            blame, key,
        ) from error

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
        failure = (_compare(i, inputs[i], analytic[i], numeric, atol, rtol)
                   or _compare_runs(i, inputs[i], analytic[i], again[i]))
        if failure is None:
            continue
        # Which op is wrong, and how? Each node checked alone; when none is at fault,
        # the whole function's gradients give the fingerprint.
        blame = find_blame(outputs, eps, atol, rtol, seed)
        if blame is not None:
            key, hint = identify(blame.evidence, atol, rtol)
            where = f"  blame: {_blame_line(blame)}\n"
        else:
            evidence = Evidence(analytic=analytic[i], numeric=numeric,
                                again=again[i], doubled=analytic_for(2.0)[i])
            key, hint = identify(evidence, atol, rtol)
            nodes = len(ops_in_backward_order(outputs))
            where = "" if nodes <= 1 else (
                "  blame: no single op is at fault: each op's backward agrees with finite "
                "differences at its own inputs. Part of the result may be computed outside "
                "the graph (t.numpy(), a new autograd.tensor(...), no_grad), or the inputs "
                "sit where the function is not differentiable.\n"
            )
        raise GradcheckError(f"{failure}\n{where}  hint: {hint}", blame, key)
    return True


def _blame_line(blame: Blame) -> str:
    return (f"the first op whose backward disagrees is <{blame.op}> (node {blame.node} of "
            f"{blame.nodes}, input {blame.input})")


def _label(i: int, t: Tensor) -> str:
    return f"input {i}" + (f" ({t.name!r})" if t.name else "") + f", shape {t.shape}"


def _compare_runs(i: int, t: Tensor, first: np.ndarray, second: np.ndarray) -> str | None:
    """None when two backward passes with the same seed gave the same gradient."""
    differ = ~(first == second)
    if not differ.any():
        return None
    return (
        f"gradcheck failed for {_label(i, t)}: two backward passes with the same incoming "
        f"gradient gave different gradients ({int(differ.sum())} of {differ.size} elements "
        "differ), although the first agreed with finite differences."
    )


def _compare(i: int, t: Tensor, analytic: np.ndarray, numeric: np.ndarray,
             atol: float, rtol: float) -> str | None:
    """None when the gradients agree; else the first lines of the report."""
    if analytic.shape != numeric.shape:
        raise GradcheckError(
            f"gradcheck: input {i}: the analytic gradient has shape {analytic.shape}, "
            f"but the input has shape {numeric.shape}."
        )
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    bad = ~(error <= allowed)  # also catches nan
    if not bad.any():
        return None
    excess = np.where(np.isnan(error), np.inf, error - allowed)
    worst = np.unravel_index(np.argmax(excess), excess.shape) if excess.ndim else ()
    a, n = analytic[worst], numeric[worst]
    rel = abs(a - n) / max(abs(n), 1e-12)
    return (
        f"gradcheck failed for {_label(i, t)}: {int(bad.sum())} of {bad.size} gradient elements "
        f"disagree with finite differences.\n"
        f"  worst element {tuple(int(k) for k in worst)}: analytic {a:.6g}, numeric "
        f"{n:.6g}, relative error {rel:.3g} (allowed: atol={atol:g} + rtol={rtol:g} * "
        f"|numeric|)"
    )
