"""Reverse-mode differentiation: the walk that ``loss.backward()`` starts.

Every tensor gets a serial number when it is made (``tensor._seq``), and an
op's output is always made after its inputs. So if the engine visits tensors
newest first, every op that used a tensor has already been visited - and has
already sent its share of the gradient - by the time that tensor's turn comes:
its gradient is complete. That is all a topological order has to guarantee.

``backward`` keeps a priority queue of tensors that have received some
gradient, newest first, starting with ``root``. For each one it:

1. adds the gradient to ``.grad`` if it is a leaf (or called ``retain_grad()``);
2. otherwise asks its op's ``Function.backward`` for the gradients of the
   op's inputs, sums each back to its input's shape (undoing broadcasting,
   once, for all ops) and adds it to what that input has received so far,
   queueing inputs the first time they receive something;
3. drops the arrays the node saved, unless ``retain_graph=True``.

``autograd.grad(outputs, inputs)`` runs the same walk but hands the finished
gradients of ``inputs`` back instead of touching any ``.grad``.

The loop uses no recursion, so a chain of 100,000 ops is fine, and the order
is the same on every run. ``topological_order(root)`` lists the same order for
reading (oldest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heapify, heappop, heappush
from operator import attrgetter
from typing import Any

import numpy as np

from . import strict_mode
from .tensor import Tensor

# The active backward tracer (see graph.trace), or None. The engine only reports
# to it; it never changes what the engine computes.
_tracer: Any = None

_creation_order = attrgetter("_seq")


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor behind ``root`` that requires grad, oldest (inputs) first.
    ``backward`` visits them in the reverse of this order.

    >>> import autograd
    >>> a = autograd.tensor(2.0, requires_grad=True, name="a")
    >>> b = a + a
    >>> c = b * b
    >>> [t.name or t.grad_fn.name for t in topological_order(c)]
    ['a', 'Add', 'Mul']
    """
    # BEGIN SOLUTION hw1.topological_order
    # Tensors hash by identity, so sets and dicts of them are keyed by object.
    found = [root]
    seen = {root}
    stack = [root]
    while stack:
        ctx = stack.pop().grad_fn
        if ctx is None:
            continue  # a leaf: nothing behind it
        if ctx.inputs is None:
            raise RuntimeError(_released_message(ctx))
        for inp, needed in zip(ctx.inputs, ctx.needs_input_grad):
            if needed and inp not in seen:
                seen.add(inp)
                found.append(inp)
                stack.append(inp)
    found.sort(key=_creation_order)
    return found
    # END SOLUTION


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
    _walk({root: _initial_grad(root, grad)}, [(-root._seq, root)], retain_graph, None)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not stored.

    Like ``torch.autograd.grad``: the same backward walk as ``loss.backward()``,
    but no tensor's ``.grad`` is read or written, so it can run beside training
    (graders, ``gradcheck``, a gradient tape) without disturbing anything.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
        What to differentiate. Several outputs are differentiated in one walk;
        their contributions add up.
    inputs : Tensor or sequence of Tensors
        Tensors that require grad (leaves or intermediate results).
    grad_outputs : array-like or sequence, optional
        One gradient per output (the gradient of some final scalar with respect
        to that output), same shape as the output. None means 1, which needs a
        single-number output.
    retain_graph : bool
        Keep the graph's saved arrays, so that it can be differentiated again.
    allow_unused : bool
        When an input does not influence the outputs, return None for it instead
        of raising.

    Returns
    -------
    tuple of Tensors (or None)
        One per input, each of its input's shape.

    Examples
    --------
    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (dx,) = autograd.grad((x * x).sum(), x)
    >>> dx
    Tensor([2., 4., 6.], shape=(3,), dtype=float32)
    >>> x.grad is None
    True
    """
    outputs = _as_tensor_list(outputs, "outputs")
    inputs = _as_tensor_list(inputs, "inputs")
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"autograd.grad got {len(outputs)} output(s) but {len(grad_outputs)} "
            "grad_outputs; give one gradient (or None) per output, in the same order."
        )
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"autograd.grad: output {k} (shape {out.shape}) does not require grad, so "
                "nothing connects it to the inputs. Compute it from tensors created with "
                "requires_grad=True, outside autograd.no_grad()."
            )
    for k, inp in enumerate(inputs):
        if not inp.requires_grad:
            raise RuntimeError(
                f"autograd.grad: input {k} (shape {inp.shape}) does not require grad, so it "
                "has no gradient. Create it with requires_grad=True (or call "
                ".requires_grad_() on it) before computing the outputs."
            )
    seeds: dict[Tensor, np.ndarray] = {}
    for out, g in zip(outputs, grad_outputs):
        g = _initial_grad(out, g)
        seeds[out] = seeds[out] + g if out in seeds else g
    wanted: dict[Tensor, Any] = dict.fromkeys(inputs)
    queue = [(-t._seq, t) for t in seeds]
    heapify(queue)
    _walk(seeds, queue, retain_graph, wanted)
    result = []
    for k, inp in enumerate(inputs):
        g = wanted[inp]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"autograd.grad: input {k} (shape {inp.shape}) was not used to compute "
                    "the outputs, so its gradient is undefined. Pass allow_unused=True to "
                    "get None for it."
                )
            result.append(None)
        else:
            # A copy: the walk may hand one array to several tensors (Add does).
            result.append(Tensor._from_op(np.array(g)))
    return tuple(result)


def _as_tensor_list(x: Any, what: str) -> list[Tensor]:
    items = [x] if isinstance(x, Tensor) else list(x)
    for k, item in enumerate(items):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"autograd.grad: {what} must be Tensors, but item {k} is a "
                f"{type(item).__name__}. Pass a Tensor or a list of Tensors."
            )
    return items


def _walk(
    grads: dict[Tensor, np.ndarray],
    queue: list,
    retain_graph: bool,
    wanted: dict[Tensor, Any] | None,
) -> None:
    """The backward pass.

    ``grads`` holds the gradient each queued tensor has received so far, starting
    with the seeds; ``queue`` is a heap of (-serial number, tensor) for the same
    tensors, so the newest pops first. With ``wanted`` None, leaves (and
    retain_grad tensors) accumulate into ``.grad``; otherwise nothing touches
    ``.grad`` and the finished gradient of each tensor in ``wanted`` is stored
    there instead (``autograd.grad``).
    """
    # Arrays already stored in some leaf's .grad during this pass: an op like Add
    # hands the same array to both inputs, and two leaves must never share one.
    given_to_leaves: set[int] = set()
    tracer = _tracer
    capture = wanted is not None
    # Strict mode checks each op's backward (strict_mode.py).
    strict = strict_mode._State.anywhere and strict_mode._State.thread.enabled
    node = 0  # ops visited so far, counted only in strict mode (for its messages)

    while queue:
        tensor = heappop(queue)[1]
        grad_out = grads.pop(tensor)
        if capture and tensor in wanted:
            wanted[tensor] = grad_out
        ctx = tensor.grad_fn
        if ctx is None:
            if not capture:
                _accumulate(tensor, grad_out, given_to_leaves)
            if tracer is not None:
                tracer.record_leaf(tensor, grad_out)
            continue
        if ctx.inputs is None:
            raise RuntimeError(_released_message(ctx))
        if tensor._retains_grad and not capture:
            _accumulate(tensor, grad_out, given_to_leaves)
        if ctx.saved_versions or ctx.saved_output:
            _check_versions(ctx, tensor)

        if strict:
            node += 1
            input_grads = strict_mode.checked_backward(ctx, grad_out, node)
        else:
            try:
                input_grads = ctx.fn.backward(ctx, grad_out)
            except Exception as error:
                explained = strict_mode.explain_backward_error(ctx, grad_out, error, None)
                if explained is None:
                    raise
                raise explained from error
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.inputs):
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned {len(input_grads)} gradient(s), but "
                f"forward took {len(ctx.inputs)} input(s). Return exactly one gradient per "
                "input of forward, in the same order, using None for inputs that have no "
                "gradient."
            )
        for inp, needed, g in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if not needed or g is None:
                continue
            data = inp.data
            # Fast path: the common case needs no fixing; anything else is fixed or
            # explained by _fit_to_input.
            if g.__class__ is not np.ndarray or g.shape != data.shape or g.dtype is not data.dtype:
                g = _fit_to_input(g, inp, ctx)
            previous = grads.get(inp)
            if previous is None:
                grads[inp] = g
                heappush(queue, (-inp._seq, inp))  # first gradient for inp: schedule it
            else:
                grads[inp] = previous + g
        if tracer is not None:
            tracer.record_node(tensor, ctx, grad_out, input_grads)
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
        return np.ones(root.data.shape, dtype=root.data.dtype)
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


def _fit_to_input(g: Any, inp: Tensor, ctx: Any) -> np.ndarray:
    """Sum a gradient back to its input's shape and dtype (the one place that undoes
    broadcasting), or explain which op returned an impossible shape."""
    if not isinstance(g, np.ndarray):
        g = np.asarray(g)
    if g.shape != inp.data.shape:
        g = _sum_to_shape(g, inp.data.shape, ctx, inp)
    if g.dtype != inp.data.dtype:
        g = g.astype(inp.data.dtype)
    return g


def _sum_to_shape(g: np.ndarray, shape: tuple, ctx: Any, inp: Tensor) -> np.ndarray:
    """``sum_to_shape``, or an error naming the op whose backward returned a gradient
    that no broadcast of its input could have."""
    summed = sum_to_shape(g, shape)
    if summed is not None:
        return summed
    position = next(i for i, x in enumerate(ctx.inputs) if x is inp)
    raise RuntimeError(
        f"{ctx.fn.__name__}.backward returned a gradient of shape {g.shape} for input "
        f"{position} of shape {shape}. A gradient must have its input's shape (or a "
        "shape that input broadcasts to, which the engine sums back). Check the "
        "backward of this op."
    )


def sum_to_shape(g: np.ndarray, shape: tuple) -> np.ndarray | None:
    """Sum ``g`` back to ``shape``, undoing NumPy broadcasting, or return None when
    no broadcast of ``shape`` has ``g``'s shape.

    Broadcasting lines shapes up from the right, adds leading axes and stretches
    size-1 axes; a value used many times gets the sum of their gradients:

    >>> import numpy as np
    >>> sum_to_shape(np.ones((4, 3)), (3,)).tolist()         # leading axis summed away
    [4.0, 4.0, 4.0]
    >>> sum_to_shape(np.ones((2, 3)), (2, 1)).tolist()       # size-1 axis summed, kept
    [[3.0], [3.0]]
    >>> sum_to_shape(np.ones((3, 4)), (4, 3)) is None        # not a broadcast of (4, 3)
    True
    """
    # BEGIN SOLUTION hw1.sum_to_shape
    lead = g.ndim - len(shape)
    if lead < 0:
        return None
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g if g.shape == shape else None
    # END SOLUTION


def _check_versions(ctx: Any, output: Tensor) -> None:
    checks = ctx.saved_versions + (((output, 0),) if ctx.saved_output else ())
    for tensor, version in checks:
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
