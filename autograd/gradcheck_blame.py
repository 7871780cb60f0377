"""Blame: which op of a failing composite has the wrong backward?

When ``gradcheck`` of a function made of several ops fails, each recorded node
is checked on its own, newest first (the order backward visits them): its
forward runs again at the inputs it saw, a random direction ``v`` seeds its
backward, and central finite differences of that one forward give the true
gradient. The first node that disagrees is the one to blame; its evidence
(backward's answer, the finite differences, a second call, a doubled incoming
gradient, the registered known mistakes) goes to ``fingerprints.identify``.

Nodes are numbered as strict mode numbers them: 1 is the last op of the
function, the first one backward runs.

>>> import numpy as np, autograd
>>> class BadTanh(autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(np.tanh(x))
...         return np.tanh(x)
...     @staticmethod
...     def backward(ctx, grad):
...         (y,) = ctx.saved_tensors
...         return grad * (1 + y * y)           # should be 1 - y*y
>>> x = autograd.tensor([0.5, -1.0], dtype="float64", requires_grad=True)
>>> out = (BadTanh.apply(x * 2) + 1).exp()
>>> blame = find_blame([out], eps=1e-6, atol=1e-5, rtol=1e-3)
>>> blame.op, blame.node, blame.nodes, blame.input
('BadTanh', 3, 4, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .fingerprints import Evidence
from .function import Context
from .known_mistakes import known_mistakes
from .tensor import Tensor


class Blame(NamedTuple):
    op: str  # the op's class name
    node: int  # its place in backward order, from 1
    nodes: int  # how many ops the function recorded
    input: int  # which input of the op's forward
    evidence: Evidence


def ops_in_backward_order(outputs: Sequence[Tensor]) -> list[Tensor]:
    """The tensors made by recorded ops behind ``outputs``, newest first.

    (Its own walk, not ``engine.topological_order``: that is a course task, and a
    check must not run student code it is not checking.)"""
    found: dict[int, Tensor] = {}
    stack = [out for out in outputs if out.requires_grad]
    while stack:
        t = stack.pop()
        ctx = t.grad_fn
        if ctx is None or id(t) in found or ctx.inputs is None:
            continue
        found[id(t)] = t
        stack.extend(x for x, need in zip(ctx.inputs, ctx.needs_input_grad) if need)
    return sorted(found.values(), key=lambda t: -t._seq)


def find_blame(outputs: Sequence[Tensor], eps: float, atol: float, rtol: float,
               seed: int = 0) -> Blame | None:
    """The first node, in backward order, whose backward disagrees with finite
    differences of its own forward (or with itself, when called twice); None when
    every node agrees."""
    nodes = ops_in_backward_order(outputs)
    rng = np.random.default_rng(seed)
    for k, tensor in enumerate(nodes, start=1):
        ctx = tensor.grad_fn
        if ctx.inputs is None:
            continue  # released: nothing left to re-run
        try:
            found = _check_node(ctx, eps, atol, rtol, rng)
        except Exception:
            continue  # a node we cannot re-run (random, stateful forward) is not judged
        if found is not None:
            position, evidence = found
            return Blame(ctx.fn.__name__, k, len(nodes), position, evidence)
    return None


class _Rerun:
    """One node's forward and backward, run again on copies of its inputs."""

    def __init__(self, ctx: Any) -> None:
        self.fn = ctx.fn
        self.attrs = ctx.attrs or {}
        self.needs = ctx.needs_input_grad
        self.is_tensor = [isinstance(x, Tensor) for x in ctx.inputs]
        # Copies of the inputs we nudge; the others are passed as they were.
        self.arrays = [np.array(x.data) if need else (x.data if isinstance(x, Tensor) else x)
                       for x, need in zip(ctx.inputs, self.needs)]

    def forward(self) -> tuple[Context, np.ndarray]:
        inputs = tuple(Tensor._from_op(a) if t else a for a, t in zip(self.arrays, self.is_tensor))
        ctx = Context(self.fn, inputs, self.needs, self.attrs)
        out = np.asarray(self.fn.forward(ctx, *self.arrays, **self.attrs))
        return ctx, out

    def gradients(self, backward: Callable, ctx: Context, v: np.ndarray) -> tuple:
        """``backward(ctx, v)`` as a tuple with one entry per input."""
        g = backward(ctx, v.copy())
        return g if type(g) is tuple else (g,)


def _fitted(g: Any, shape: tuple) -> np.ndarray | None:
    """The engine's treatment of a returned gradient: None -> zeros, added back onto
    the input's shape; None when no broadcast explains its shape.

    Not ``engine.sum_to_shape`` (a course task, for the reason above), and not a
    copy of its answer either: here every element of ``g`` is scatter-added into
    the input element it was broadcast from (``np.add.at``), which is slower and
    plainly a different way to the same numbers."""
    if g is None:
        return np.zeros(shape)
    g = np.asarray(g, dtype=np.float64)
    if g.ndim < len(shape) or any(
            n not in (1, m) for n, m in zip(shape, g.shape[g.ndim - len(shape):], strict=True)):
        return None
    if not shape:  # a scalar input: every element came from it
        return np.asarray(g.sum())
    source = np.indices(g.shape)[g.ndim - len(shape):]  # g's index on each input axis
    source = tuple(np.zeros_like(i) if n == 1 else i for i, n in zip(source, shape, strict=True))
    out = np.zeros(shape)
    np.add.at(out, source, g)
    return out


def _check_node(ctx: Any, eps: float, atol: float, rtol: float,
                rng: np.random.Generator) -> tuple[int, Evidence] | None:
    rerun = _Rerun(ctx)
    fresh, out = rerun.forward()
    v = rng.standard_normal(out.shape).astype(out.dtype)
    first = rerun.gradients(ctx.fn.backward, fresh, v)
    second = rerun.gradients(ctx.fn.backward, fresh, v)  # same node, called twice
    if len(first) != len(rerun.arrays):
        return None  # the engine already explains a wrong number of gradients

    def projected() -> float:
        _, y = rerun.forward()
        return float(np.sum(y.astype(np.float64) * v))

    for position, need in enumerate(rerun.needs):
        if not need:
            continue
        x = rerun.arrays[position]
        analytic = _fitted(first[position], x.shape)
        numeric = np.zeros(x.shape)
        for idx in np.ndindex(x.shape):
            original = x[idx]
            x[idx] = original + eps
            plus = projected()
            x[idx] = original - eps
            minus = projected()
            x[idx] = original
            numeric[idx] = (plus - minus) / (2 * eps)
        again = _fitted(second[position], x.shape)
        if analytic is not None and bool(np.all(np.abs(analytic - numeric)
                                                <= atol + rtol * np.abs(numeric))) \
                and np.array_equal(analytic, again):
            continue
        raw = first[position]
        doubled = _fitted(rerun.gradients(ctx.fn.backward, rerun.forward()[0], 2 * v)[position],
                          x.shape)
        return position, Evidence(
            analytic=analytic,
            numeric=numeric,
            returned_shape=None if raw is None else tuple(np.shape(raw)),
            again=again,
            doubled=doubled,
            mistakes=_mistake_gradients(rerun, v, position, x.shape),
        )
    return None


def _mistake_gradients(rerun: _Rerun, v: np.ndarray, position: int, shape: tuple) -> tuple:
    """(description, gradient) for each known mistake registered for this op."""
    results = []
    for mistake in known_mistakes(rerun.fn.__name__):
        try:
            ctx, _ = rerun.forward()
            g = rerun.gradients(mistake.backward, ctx, v)
            results.append((mistake.description, _fitted(g[position], shape)))
        except Exception:
            continue  # a mistake written for another form of the op does not apply
    return tuple(results)
