"""Reverse-mode differentiation: the walk that ``loss.backward()`` starts.

1. ``topological_order(root)`` lists every tensor that requires grad behind
   ``root`` so that each tensor comes after all of its inputs: a post-order
   depth-first walk over each node's inputs in argument order. It uses an
   explicit stack, not recursion, so a chain of 100,000 ops is fine, and the
   order is the same on every run.
2. ``backward`` visits that list from the end (root first). A tensor's
   gradient is complete when it is visited, because everything that used it
   comes later in the list and was visited before. The node's Function turns
   the gradient of its output into gradients of its inputs; the engine sums
   each one back to its input's shape (undoing broadcasting, once, for all
   ops) and adds it to what that input has received so far.
3. Leaves add the result to ``.grad``. Each visited node then drops the
   arrays it saved, unless ``retain_graph=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

# The active backward tracer (see graph.trace), or None. The engine only reports
# to it; it never changes what the engine computes.
_tracer: Any = None


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor behind ``root`` that requires grad, inputs before outputs.

    >>> import autograd
    >>> a = autograd.tensor(2.0, requires_grad=True, name="a")
    >>> b = a + a
    >>> c = b * b
    >>> [t.name or t.grad_fn.name for t in topological_order(c)]
    ['a', 'Add', 'Mul']
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    # Each entry is (tensor, children_done). A tensor is appended to `order` when it
    # is popped the second time, after all of its inputs have been appended.
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, children_done = stack.pop()
        if children_done:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        ctx = tensor.grad_fn
        if ctx is None:
            continue
        if ctx.released:
            raise RuntimeError(_released_message(ctx))
        # Reversed, so that the first argument is popped (and ordered) first.
        for inp in reversed(ctx.inputs):
            if isinstance(inp, Tensor) and inp.requires_grad and id(inp) not in visited:
                stack.append((inp, False))
    return order


def backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` for every leaf behind ``root``.

    ``grad`` is the gradient of the final scalar with respect to ``root``; it may
    be omitted only when ``root`` holds a single number.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward() was called on a tensor that does not require grad, so there is no "
            "graph to differentiate. Create the inputs with requires_grad=True "
            "(autograd.tensor(x, requires_grad=True)) and make sure the computation did not "
            "run inside autograd.no_grad()."
        )
    root_grad = _initial_grad(root, grad)
    order = topological_order(root)

    grads: dict[int, np.ndarray] = {id(root): root_grad}
    # Arrays already stored in some leaf's .grad during this pass: an op like Add
    # hands the same array to both inputs, and two leaves must never share one.
    given_to_leaves: set[int] = set()
    tracer = _tracer

    for tensor in reversed(order):
        grad_out = grads.pop(id(tensor), None)
        if grad_out is None:
            continue  # nothing downstream of this tensor depended on it
        ctx = tensor.grad_fn
        if ctx is None or tensor._retains_grad:
            _accumulate(tensor, grad_out, given_to_leaves)
            if ctx is None:
                if tracer is not None:
                    tracer.record_leaf(tensor, grad_out)
                continue

        _check_versions(ctx)
        input_grads = ctx.fn.backward(ctx, grad_out)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.inputs):
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned {len(input_grads)} gradient(s), but "
                f"forward took {len(ctx.inputs)} input(s). Return exactly one gradient per "
                "input of forward, in the same order, using None for inputs that have no "
                "gradient."
            )
        sent = []
        for position, (inp, g) in enumerate(zip(ctx.inputs, input_grads)):
            if g is None or not isinstance(inp, Tensor) or not inp.requires_grad:
                continue
            g = _fit_to_input(g, inp, ctx, position)
            key = id(inp)
            previous = grads.get(key)
            grads[key] = g if previous is None else previous + g
            if tracer is not None:
                sent.append((inp, g))
        if tracer is not None:
            tracer.record_node(tensor, ctx, grad_out, sent)
        if not retain_graph:
            ctx.release()


def _initial_grad(root: Tensor, grad: Any) -> np.ndarray:
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a scalar, but this tensor has shape "
                f"{root.shape}. Reduce it to one number first (loss = out.sum() or "
                f"out.mean()), or pass grad=<an array of shape {root.shape}> holding the "
                "gradient of your final scalar with respect to this tensor."
            )
        return np.ones_like(root.data)
    g = grad.data if isinstance(grad, Tensor) else grad
    g = np.array(g, dtype=root.dtype)  # a copy: later steps must not alias the caller's
    if g.shape != root.shape:
        raise ValueError(
            f"backward(grad=...) got a gradient of shape {g.shape} for a tensor of shape "
            f"{root.shape}; the gradient must have the same shape as the tensor."
        )
    return g


def _accumulate(tensor: Tensor, g: np.ndarray, given_to_leaves: set[int]) -> None:
    """Add a finished gradient to ``tensor.grad`` (leaves and retain_grad tensors)."""
    if tensor.grad is None:
        # A leaf's .grad must own its array: not a broadcast view (read-only) and not
        # an array some other leaf already holds.
        if id(g) in given_to_leaves or not g.flags.writeable:
            g = g.copy()
        given_to_leaves.add(id(g))
        tensor.grad = Tensor._from_op(g)
    else:
        tensor.grad = Tensor._from_op(tensor.grad.data + g)


def _fit_to_input(g: Any, inp: Tensor, ctx: Any, position: int) -> np.ndarray:
    """Sum a gradient back to its input's shape and dtype (the one place that undoes
    broadcasting), or explain which op returned an impossible shape."""
    if not isinstance(g, np.ndarray):
        g = np.asarray(g)
    if g.shape != inp.data.shape:
        g = _sum_to_shape(g, inp.data.shape, ctx, position)
    if g.dtype != inp.data.dtype:
        g = g.astype(inp.data.dtype)
    return g


def _sum_to_shape(g: np.ndarray, shape: tuple, ctx: Any, position: int) -> np.ndarray:
    extra = g.ndim - len(shape)
    ok = extra >= 0 and all(
        s == 1 or s == gs for s, gs in zip(shape, g.shape[extra:])
    )
    if not ok:
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned a gradient of shape {g.shape} for input "
            f"{position} of shape {shape}. A gradient must have its input's shape (or a "
            "shape that input broadcasts to, which the engine sums back). Check the "
            "backward of this op."
        )
    axes = tuple(range(extra)) + tuple(
        extra + i for i, s in enumerate(shape) if s == 1 and g.shape[extra + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _check_versions(ctx: Any) -> None:
    for tensor, version in ctx.saved_versions:
        if tensor._version != version:
            raise RuntimeError(
                f"A tensor of shape {tensor.shape} that <{ctx.fn.__name__}> saved for "
                f"backward was changed in place after it was used (version {version} "
                f"then, {tensor._version} now), so its gradient would be wrong. Make the "
                "in-place change after backward(), or use an out-of-place op "
                "(y = x + 1 instead of x.add_(1))."
            )


def _released_message(ctx: Any) -> str:
    return (
        f"Trying to backward through <{ctx.fn.__name__}> a second time, but its saved "
        "values were freed after the first backward(). Pass retain_graph=True to the "
        "first backward() if you need to run backward through the same graph again, or "
        "recompute the forward pass."
    )
