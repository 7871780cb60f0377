"""The progress bar that ``fit``, ``evaluate`` and ``predict`` print, as Keras 2 does::

    Epoch 3/10
    45/45 [==============================] - 1s 12ms/step - loss: 0.1234 - accuracy: 0.9812

In a terminal or a notebook the line is redrawn in place (with a carriage
return, at most every ``interval`` seconds). When the output is a file or a
pipe, nothing is printed until the end, then one clean line: logs stay free of
carriage returns and backspaces.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any


def is_interactive(stream: IO) -> bool:
    """True for a terminal or a Jupyter kernel, where a line can be redrawn."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return True
    return "ipykernel" in sys.modules


def format_value(value: float) -> str:
    """Metric values as Keras prints them: 4 decimals, or scientific when tiny."""
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def format_time_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_logs(logs: dict[str, float]) -> str:
    return "".join(f" - {name}: {format_value(value)}" for name, value in logs.items())


class Progbar:
    """A progress bar for ``target`` steps.

    Parameters
    ----------
    target : int or None
        The number of steps (None when unknown).
    verbose : int
        1: a bar redrawn in place (one final line when not interactive);
        2: one line at the end, no bar.
    interval : float
        The least time between two redraws, in seconds.
    stream : file, optional
        Where to print (default ``sys.stdout``, looked up when printing).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progbar(2, stream=out)
    >>> bar.update(1, {"loss": 0.5}); bar.update(2, {"loss": 0.25}, finalize=True)
    >>> out.getvalue().startswith("2/2 [==============================]")
    True
    """

    width = 30

    def __init__(
        self, target: int | None, verbose: int = 1, interval: float = 0.05, stream: IO | None = None
    ) -> None:
        self.target = target
        self.verbose = verbose
        self.interval = interval
        self._stream = stream
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn_width = 0
        self.interactive = is_interactive(self.stream)

    @property
    def stream(self) -> IO:
        return self._stream if self._stream is not None else sys.stdout

    def update(self, current: int, logs: dict[str, Any] | None = None, finalize: bool = False,
               suffix: str = "") -> None:
        """Show ``current`` steps done; ``finalize=True`` prints the final line."""
        if self.verbose == 0:
            return
        now = time.perf_counter()
        if not finalize:
            if self.verbose != 1 or not self.interactive:
                return  # only the final line is printed
            if now - self._last_draw < self.interval:
                return  # redraw at most every `interval` seconds
        self._last_draw = now
        elapsed = now - self.start
        per_step = elapsed / current if current else 0.0
        text = self._line(current, logs or {}, elapsed, per_step, finalize) + suffix
        if self.interactive and self.verbose == 1:
            # Carriage return, the new line, and spaces over what is left of the old one.
            pad = max(self._drawn_width - len(text), 0)
            self.stream.write("\r" + text + " " * pad)
            self._drawn_width = len(text)
            if finalize:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _line(self, current: int, logs: dict, elapsed: float, per_step: float,
              finalize: bool) -> str:
        if self.verbose == 2:
            # Keras 2's verbose=2 line: "3/3 - 0s - loss: ... - 53ms/epoch - 18ms/step"
            return (
                f"{current}/{self.target} - {elapsed:.0f}s{format_logs(logs)}"
                f" - {elapsed * 1e3:.0f}ms/epoch - {format_time_per_step(per_step)}"
            )
        head = f"{current}/{self.target} {self._bar(current)}" if self.target else f"{current}"
        if finalize:
            timing = f" - {elapsed:.0f}s {format_time_per_step(per_step)}"
        else:
            eta = per_step * (self.target - current) if self.target else 0.0
            timing = f" - ETA: {_format_eta(eta)}"
        return head + timing + format_logs(logs)

    def _bar(self, current: int) -> str:
        done = int(self.width * min(current / self.target, 1.0))
        if current >= self.target:
            return "[" + "=" * self.width + "]"
        arrow = "=" * max(done - 1, 0) + (">" if done > 0 else "")
        return "[" + arrow + "." * (self.width - len(arrow)) + "]"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"
