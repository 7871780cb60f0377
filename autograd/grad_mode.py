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


class _ThreadMode(threading.local):
    # The class attribute is every new thread's starting value.
    enabled = True


class _State:
    """Grad mode, per thread as in PyTorch: one thread's optimizer step under
    no_grad must not switch recording off for another thread's forward pass.

    Function.apply asks on every op, so the common case - no thread has switched
    recording off - is one class-attribute read, ``_State.all_enabled``; only
    while some thread is inside no_grad does it read the per-thread value (a
    threading.local read costs about four times as much).
    """

    all_enabled = True  # True while no thread has grad mode off
    thread = _ThreadMode()  # this thread's mode
    threads_off = 0  # how many threads have it off
    lock = threading.Lock()


def _set_mode(mode: bool) -> bool:
    """Set this thread's grad mode; return the previous one."""
    here = _State.thread
    prev = here.enabled
    if prev != mode:
        with _State.lock:
            here.enabled = mode
            _State.threads_off += -1 if mode else 1
            _State.all_enabled = _State.threads_off == 0
    return prev


def is_grad_enabled() -> bool:
    """Return True when ops record the graph for ``backward()`` in this thread."""
    return _State.all_enabled or _State.thread.enabled


class set_grad_enabled:
    """Set grad mode on or off; usable as a call, a context manager or a decorator.

    As a call it switches the mode at once and leaves it switched; as a ``with``
    block it restores the previous mode at the end; as a decorator the mode is set
    only while the function runs (as in PyTorch).

    >>> import autograd
    >>> with autograd.set_grad_enabled(False):
    ...     autograd.is_grad_enabled()
    False
    >>> @autograd.set_grad_enabled(False)
    ... def evaluate():
    ...     return autograd.is_grad_enabled()
    >>> evaluate(), autograd.is_grad_enabled()
    (False, True)
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _set_mode(self.mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        _set_mode(self.prev)

    def __call__(self, func):
        # Decorating: undo the switch that __init__ made at decoration time, and make
        # it around each call of the function instead.
        _set_mode(self.prev)
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _set_mode(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set_mode(prev)

        return wrapper


class _GradModeContext:
    """Shared machinery: a context manager that is also a function decorator."""

    mode = True

    def __enter__(self) -> None:
        self.prev = _set_mode(self.mode)

    def __exit__(self, *exc_info: object) -> None:
        _set_mode(self.prev)

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
