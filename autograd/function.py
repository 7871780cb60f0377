"""``Function``: the one way an op enters the graph, built-in or your own.

An op is a subclass of ``Function`` with two static methods that work on NumPy
arrays::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    y = Square.apply(t)      # t is a Tensor; y is a Tensor with grad_fn=<Square>

``apply`` unwraps Tensors into arrays, runs ``forward``, and - when some input
requires grad and grad mode is on - records a ``Context`` node that the engine
(``engine.py``) visits during ``backward()``.

``backward`` returns one gradient per input of ``forward`` (an array, or None
for an input that has no gradient), written as if no broadcasting happened:
the engine sums each gradient back to its input's shape, once, for every op.

The one rule for arguments: **inputs are positional, everything else is a
keyword.** Positional arguments of ``apply`` are the op's inputs (Tensors,
arrays or numbers), and backward returns one gradient for each of them.
Settings that are not arrays - an axis, a dtype, a slope - are passed as
keywords and arrive in ``forward`` as keyword-only attributes (after ``*``),
so they never count as inputs::

    class Scale(Function):
        @staticmethod
        def forward(ctx, x, *, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor      # one input, so one gradient

    y = Scale.apply(t, factor=3.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import strict_mode
from .grad_mode import _State
from .tensor import Tensor


class Context:
    """What one recorded op remembers for the backward pass; also the graph node.

    Any other attribute you set in ``forward`` (``ctx.axis = axis``) is kept too.

    Attributes
    ----------
    fn : type
        The Function subclass that made the node (``ctx.fn.__name__`` is the op).
    inputs : tuple
        The positional inputs given to ``apply`` (Tensors, arrays, numbers);
        None once backward has released the node.
    needs_input_grad : tuple of bool
        One per input: does the engine want this gradient? A backward can skip
        work for inputs marked False.
    saved_tensors : tuple
        The arrays passed to ``save_for_backward``.
    attrs : dict
        The keyword settings given to ``apply`` (``axis=1``), so that gradcheck can
        run this node's forward again when it looks for the op to blame.
    """

    # Slots for the attributes the engine reads on every node (faster), plus a
    # __dict__ so that a forward can store anything else on ctx.
    __slots__ = ("fn", "inputs", "needs_input_grad", "attrs", "__dict__")

    # Class-level defaults: an op that saves nothing never pays for setting them.
    saved_tensors: Any = ()
    # (tensor, version-at-forward) for every input whose array was saved, and
    # whether the op saved its own output: the engine checks both so that an
    # in-place change between forward and backward fails loudly.
    saved_versions: tuple = ()
    saved_output = False

    def __init__(self, fn: type, inputs: tuple, needs_input_grad: tuple,
                 attrs: dict | None = None) -> None:
        self.fn = fn
        self.inputs = inputs
        self.needs_input_grad = needs_input_grad
        self.attrs = attrs

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays (or anything else) for ``backward``; read them back from
        ``ctx.saved_tensors`` in the same order."""
        self.saved_tensors = arrays

    @property
    def released(self) -> bool:
        """True once backward has freed this node (``retain_graph=False``)."""
        return self.inputs is None

    def release(self) -> None:
        """Drop saved arrays and inputs once backward no longer needs them."""
        self.inputs = None
        self.saved_tensors = None

    @property
    def name(self) -> str:
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<{self.fn.__name__}>"


class Function:
    """Base class of every differentiable op. See the module docstring."""

    @staticmethod
    def forward(ctx: Context, *arrays: Any, **attrs: Any) -> np.ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Tensor:
        """Run the op on Tensors (or arrays and numbers) and record it in the graph.

        >>> import autograd
        >>> from autograd.ops.arithmetic import Mul
        >>> Mul.apply(autograd.tensor([2.0]), 3.0)
        Tensor([6.], shape=(1,), dtype=float32)
        """
        # A plain loop: this runs for every op, and list comprehensions build a frame
        # each, which costs more here than the loop body (benchmarks/README.md).
        arrays = []
        needs = []
        any_needs = False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
                needs.append(x.requires_grad)
                any_needs = any_needs or x.requires_grad
            else:
                arrays.append(x)
                needs.append(False)
        record = any_needs and (_State.all_enabled or _State.thread.enabled)

        # Outside recording nothing will ask for gradients, so forward can skip keeping
        # anything just for backward.
        ctx = Context(cls, inputs, tuple(needs) if record else (False,) * len(needs), attrs)
        try:
            out = cls.forward(ctx, *arrays, **attrs)
        except Exception as error:
            # Add the op's name and input shapes (strict mode), or say that forward
            # gets NumPy arrays; see strict_mode.py.
            explained = strict_mode.explain_forward_error(cls, arrays, error)
            if explained is None:
                raise
            raise explained from error
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # NumPy reductions can return scalars
        result = Tensor._from_op(out)
        if record:
            if out.dtype.kind not in "fc":
                raise TypeError(
                    f"{cls.__name__}.forward returned a {out.dtype} array, but an op whose "
                    "inputs require grad must return floating-point values. Return a float "
                    "array, or compute this op under autograd.no_grad()."
                )
            result.requires_grad = True
            result.grad_fn = ctx
            if ctx.saved_tensors:
                ctx.saved_versions = _versions_of_saved(inputs, ctx.saved_tensors)
                for array in ctx.saved_tensors:
                    if array is out:
                        ctx.saved_output = True  # its version starts at 0
                        break
        return result


def _versions_of_saved(inputs: tuple, saved: tuple) -> tuple:
    """Remember the version of each input Tensor whose array backward will read."""
    found = []
    for x in inputs:
        if isinstance(x, Tensor):
            for array in saved:
                if array is x.data:
                    found.append((x, x._version))
                    break
    return tuple(found)
