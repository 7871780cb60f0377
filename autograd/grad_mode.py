"""Switching graph recording off and on: ``no_grad``, ``enable_grad``.

While grad mode is off, ops compute their values but record nothing, so no
memory is kept for a backward pass. Use it for evaluation and for updating
weights by hand. The mode belongs to the thread that sets it: ``no_grad`` in one
thread leaves every other thread recording::

    >>> import autograd
    >>> w = autograd.ones(3, requires_grad=True)
    >>> with autograd.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
"""

from __future__ import annotations

import functools
import threading


class _ThreadState(threading.local):
    # Grad mode is per thread, as in PyTorch: one thread's optimizer step under
    # no_grad must not switch recording off for another thread's forward pass.
    # A threading.local attribute reads as fast as a plain one (Function.apply reads
    # it on every op); the class attribute is every new thread's starting value.
    enabled = True


_State = _ThreadState()


def is_grad_enabled() -> bool:
    """Return True when ops record the graph for ``backward()``."""
    return _State.enabled


class set_grad_enabled:
    """Set grad mode on or off; usable as a call, a context manager or a decorator.

    >>> import autograd
    >>> with autograd.set_grad_enabled(False):
    ...     autograd.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.prev = _State.enabled
        self.mode = bool(mode)
        _State.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        _State.enabled = self.prev


class _GradModeContext:
    """Shared machinery: a context manager that is also a function decorator."""

    mode = True

    def __enter__(self) -> None:
        self.prev = _State.enabled
        _State.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _State.enabled = self.prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator that stops ops from recording the graph.

    >>> import autograd
    >>> @autograd.no_grad()
    ... def predict(x):
    ...     return x * 2
    >>> predict(autograd.ones(2, requires_grad=True)).requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns recording back on inside ``no_grad``."""

    mode = True
