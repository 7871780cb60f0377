"""Strict mode: the engine checks every op, for assignments and for debugging.

Inside ``with autograd.strict():`` - or in a whole process started with the
environment variable ``GRADSTACK_STRICT=1`` -

- the incoming ``grad`` array handed to each ``backward`` is read-only, so
  ``grad *= 2`` raises at once instead of corrupting a gradient that another
  op shares (``Add`` hands the same array to both of its inputs);
- a backward that returns NaN or +-inf raises a ``RuntimeError`` that names
  the op, its node (counted in backward order) and the input;
- an exception raised inside a ``forward`` or ``backward`` reaches you with the
  op's class name, the input shapes and the incoming gradient's shape added to
  its message (same exception type, the original chained as ``__cause__``);
- with ``GRADSTACK_STRICT=1`` only: the Numba kernels are compiled with bounds
  checking, so an off-by-one index raises ``IndexError`` instead of reading or
  writing outside the array.

Outside strict mode none of this runs: the engine reads one class attribute
per backward pass, and a ``try`` costs nothing in Python 3.11 until something
raises.

Why bounds checking needs the environment variable: Numba compiles a kernel
once per process (or loads it from its on-disk cache), and the bounds check is
compiled in, so it cannot be switched on for one ``with`` block. When
``GRADSTACK_STRICT=1`` is set, importing autograd sets ``NUMBA_BOUNDSCHECK=1``
before any kernel compiles and points ``NUMBA_CACHE_DIR`` at a folder of its
own (``~/.cache/gradstack/numba-boundscheck``, or ``$NUMBA_CACHE_DIR/
gradstack-boundscheck``): Numba's cache key does not include the bounds-check
setting, so sharing a folder would hand checked code to normal runs (slower)
or unchecked code to strict runs (unsafe). Both variables are inherited by
subprocesses.

Grad mode and strict mode are per thread; ``GRADSTACK_STRICT=1`` sets the
starting value of every thread.

>>> import numpy as np, autograd
>>> class Doubling(autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         return 2 * x
...     @staticmethod
...     def backward(ctx, grad):
...         grad *= 2          # changes an array the engine may share
...         return grad
>>> x = autograd.tensor([1.0, 2.0], requires_grad=True)
>>> with autograd.strict():
...     Doubling.apply(x).sum().backward()
Traceback (most recent call last):
ValueError: output array is read-only
  strict mode: the incoming grad is read-only: make a new array (grad * 2) ...
  in <Doubling>.backward at node 2 in backward order; forward's inputs: (2,); ...
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
import threading
from typing import Any

import numpy as np

ENV_VAR = "GRADSTACK_STRICT"


def _env_says_strict() -> bool:
    return os.environ.get(ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


class _ThreadMode(threading.local):
    # The class attribute is every new thread's starting value.
    enabled = _env_says_strict()


class _State:
    """Strict mode, per thread like grad mode (see grad_mode._State). The engine
    asks once per backward pass: ``_State.anywhere and _State.thread.enabled``,
    which is one class-attribute read while no thread uses strict mode."""

    anywhere = _ThreadMode.enabled  # some thread may be strict
    thread = _ThreadMode()
    threads_on = 0
    lock = threading.Lock()


def _set_mode(mode: bool) -> bool:
    """Set this thread's strict mode; return the previous one."""
    here = _State.thread
    prev = here.enabled
    if prev != mode:
        with _State.lock:
            here.enabled = mode
            _State.threads_on += 1 if mode else -1
            _State.anywhere = _ThreadMode.enabled or _State.threads_on > 0
    return prev


def is_strict() -> bool:
    """True when the engine runs the strict-mode checks in this thread."""
    return _State.anywhere and _State.thread.enabled


class strict:
    """Turn strict mode on (or off, with ``strict(False)``) for a block or a function.

    >>> import autograd
    >>> with autograd.strict():
    ...     autograd.is_strict()
    True
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = bool(enabled)

    def __enter__(self) -> None:
        self.prev = _set_mode(self.enabled)

    def __exit__(self, *exc_info: object) -> None:
        _set_mode(self.prev)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with strict(self.enabled):
                return func(*args, **kwargs)

        return wrapper


# ---------------------------------------------------------------- Numba bounds checks


def _bounds_check_cache_dir() -> str:
    """A cache folder that only bounds-checked kernels use (see the module docstring)."""
    user_dir = os.environ.get("NUMBA_CACHE_DIR")
    if user_dir:
        wanted = os.path.join(user_dir, "gradstack-boundscheck")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        wanted = os.path.join(base, "gradstack", "numba-boundscheck")
    try:
        os.makedirs(wanted, exist_ok=True)
        if os.access(wanted, os.W_OK):
            return wanted
    except OSError:
        pass
    # Numba would fall back to the normal __pycache__ folders, mixing the two
    # builds; a private fresh folder (no reuse between runs) is the safe choice.
    return tempfile.mkdtemp(prefix="gradstack-numba-boundscheck-")


def _compile_kernels_bounds_checked() -> None:
    os.environ["NUMBA_BOUNDSCHECK"] = "1"
    os.environ["NUMBA_CACHE_DIR"] = _bounds_check_cache_dir()
    if "numba" in sys.modules:  # imported before autograd: make it re-read the variables
        from numba.core import config

        config.reload_config()


def kernels_bounds_checked() -> bool:
    """True when Numba kernels compiled in this process check their indices."""
    return os.environ.get("NUMBA_BOUNDSCHECK", "0").strip() not in ("", "0")


if _ThreadMode.enabled:  # GRADSTACK_STRICT=1
    _compile_kernels_bounds_checked()


# ---------------------------------------------------------------- the engine's checks


def _describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    if shape is not None:
        return str(tuple(shape))
    text = repr(x)
    return text if len(text) <= 30 else text[:27] + "..."


def _with_message(error: Exception, message: str) -> Exception:
    """A new exception of the same type as ``error`` (RuntimeError when that type
    cannot carry a plain message), marked so that it is not explained twice."""
    try:
        new = type(error)(message)
        if str(new) != message:
            new = RuntimeError(message)
    except Exception:
        new = RuntimeError(message)
    new._gradstack_explained = True
    return new


_NUMPY_ATTRIBUTE = re.compile(r"'numpy\.\w+' object has no attribute '(\w+)'")


def _numpy_attribute_hint(op: str, method: str, error: Exception) -> str | None:
    """A Tensor method called on an array inside forward/backward: say why."""
    if not isinstance(error, AttributeError):
        return None
    match = _NUMPY_ATTRIBUTE.search(str(error))
    if match is None:
        return None
    name = match.group(1)
    example = (f"np.{name}(x) instead of x.{name}()" if hasattr(np, name)
               else "np.tanh(x) instead of x.tanh()")
    return (
        f"<{op}>.{method} receives NumPy arrays, not Tensors, so Tensor methods and "
        f"autograd ops do not apply there: compute with NumPy ({example}) and return "
        "NumPy arrays."
    )


def explain_forward_error(fn: type, arrays: list, error: Exception) -> Exception | None:
    """The exception Function.apply should raise instead of ``error``, or None to
    re-raise ``error`` unchanged."""
    if getattr(error, "_gradstack_explained", False):
        return None
    hint = _numpy_attribute_hint(fn.__name__, "forward", error)
    strict_here = is_strict()
    if not strict_here and hint is None:
        return None
    lines = [str(error)]
    if hint:
        lines.append("  " + hint)
    if strict_here:
        shapes = ", ".join(_describe(a) for a in arrays)
        lines.append(f"  strict mode: in <{fn.__name__}>.forward; inputs: {shapes}")
    return _with_message(error, "\n".join(lines))


def explain_backward_error(ctx: Any, grad: np.ndarray, error: Exception,
                           node: int | None) -> Exception | None:
    """The exception the engine should raise instead of ``error`` (None: unchanged)."""
    if getattr(error, "_gradstack_explained", False):
        return None
    name = ctx.fn.__name__
    hint = _numpy_attribute_hint(name, "backward", error)
    if node is None and hint is None:
        return None
    lines = [str(error)]
    if hint:
        lines.append("  " + hint)
    if node is not None:
        if isinstance(error, ValueError) and "read-only" in str(error):
            lines.append(
                "  strict mode: the incoming grad is read-only: make a new array "
                "(grad * 2) instead of changing it in place (grad *= 2)."
            )
        shapes = ", ".join(_describe(x) for x in ctx.inputs)
        lines.append(
            f"  in <{name}>.backward at node {node} in backward order; forward's inputs: "
            f"{shapes}; incoming gradient: {grad.shape} {grad.dtype}"
        )
    return _with_message(error, "\n".join(lines))


def checked_backward(ctx: Any, grad: np.ndarray, node: int) -> Any:
    """Run ``ctx.fn.backward`` the strict way: read-only grad, explained errors,
    no NaN or inf in what it returns. ``node`` counts ops in backward order."""
    incoming = grad.view()
    incoming.flags.writeable = False
    try:
        input_grads = ctx.fn.backward(ctx, incoming)
    except Exception as error:
        explained = explain_backward_error(ctx, grad, error, node)
        if explained is None:
            raise
        raise explained from error
    returned = input_grads if type(input_grads) is tuple else (input_grads,)
    if len(returned) == len(ctx.inputs):  # else the engine explains the count
        for position, (needed, g) in enumerate(zip(ctx.needs_input_grad, returned)):
            if needed and g is not None:
                _check_finite(ctx, position, np.asarray(g), grad, node)
    return input_grads


def _check_finite(ctx: Any, position: int, g: np.ndarray, grad: np.ndarray,
                  node: int) -> None:
    if g.dtype.kind not in "fc" or np.isfinite(g).all():
        return
    nans = int(np.isnan(g).sum())
    infs = int(np.isinf(g).sum())
    found = " and ".join(part for part in (f"{nans} nan" if nans else "",
                                           f"{infs} inf" if infs else "") if part)
    cause = (
        "The incoming gradient was finite, so this op's backward made them: look for "
        "0/0, log(0), 1/0 or sqrt of 0 in its formula at these inputs."
        if np.isfinite(grad).all()
        else "The incoming gradient already held nan or inf (from the gradient you seeded)."
    )
    raise RuntimeError(
        f"strict mode: <{ctx.fn.__name__}>.backward returned {found} value(s) in the "
        f"gradient for input {position} (shape {g.shape}) at node {node} in backward "
        f"order. {cause}"
    )
