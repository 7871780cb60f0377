"""Known mistakes: wrong backwards an instructor expects, so gradcheck can name them.

A course knows the usual ways a backward goes wrong - for a matrix product,
``dX = dY @ W`` instead of ``dY @ W.T``. Write the wrong backward once, with the
op's own contract (``backward(ctx, grad)`` returning one gradient per input),
and register it under the op with a description::

    def matmul_without_transpose(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a @ grad          # both transposes forgotten

    autograd.register_mistake(MatMul, "dX = dY·W without the transpose",
                              matmul_without_transpose)

When a gradcheck fails and blames ``MatMul``, it runs each registered mistake on
the same inputs and incoming gradient; if one gives the student's gradient, the
report says "this matches a known mistake: dX = dY·W without the transpose".

The table is a plain dict from the op's class name to its mistakes, filled only
by explicit calls: nothing is registered on import. Ops are matched by name, so
a mistake registered for ``"Swish"`` also applies to a student's own ``Swish``
class defined in a notebook.

>>> import autograd
>>> def forgot_the_product_rule(ctx, grad):
...     x, s = ctx.saved_tensors
...     return grad * s * (1 - s)
>>> autograd.register_mistake("Swish", "the derivative of the sigmoid alone (no product rule)",
...                           forgot_the_product_rule)
>>> [m.description for m in autograd.known_mistakes("Swish")]
['the derivative of the sigmoid alone (no product rule)']
>>> autograd.forget_mistakes("Swish")
>>> autograd.known_mistakes("Swish")
()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Mistake(NamedTuple):
    """One registered wrong backward of an op."""

    op: str
    description: str
    backward: Callable[..., Any]


# op class name -> its registered mistakes, in the order they were registered
_mistakes: dict[str, list[Mistake]] = {}


def _op_name(op: Any) -> str:
    if isinstance(op, str):
        return op
    if isinstance(op, type):
        return op.__name__
    raise TypeError(
        f"register_mistake: op must be a Function subclass or its name, got "
        f"{type(op).__name__}. Pass the class (MatMul) or its name ('MatMul')."
    )


def register_mistake(op: Any, description: str, backward: Callable[..., Any]) -> None:
    """Register a known-wrong ``backward(ctx, grad)`` of ``op`` (a class or its name).

    ``description`` is what the gradcheck report prints after "this matches a
    known mistake:". Registering the same description twice replaces the first.
    """
    if not callable(backward):
        raise TypeError(
            f"register_mistake: backward must be a function backward(ctx, grad), got "
            f"{type(backward).__name__}."
        )
    name = _op_name(op)
    entries = [m for m in _mistakes.get(name, []) if m.description != description]
    entries.append(Mistake(name, str(description), backward))
    _mistakes[name] = entries


def known_mistakes(op: Any) -> tuple[Mistake, ...]:
    """The mistakes registered for ``op`` (a class or its name), oldest first."""
    return tuple(_mistakes.get(_op_name(op), ()))


def forget_mistakes(op: Any = None) -> None:
    """Remove the mistakes registered for ``op``, or for every op when ``op`` is None."""
    if op is None:
        _mistakes.clear()
    else:
        _mistakes.pop(_op_name(op), None)
