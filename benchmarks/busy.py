"""A competing process that keeps one core busy, for the benchmarks' ``--busy`` mode.

A student's laptop runs a browser beside the notebook. ``Spinner`` starts
``python -c "while True: pass"`` and switches it off and on (SIGSTOP / SIGCONT)
between timing rounds, so that quiet and busy rounds alternate in one run and
drifts of a shared machine hit both alike.

    spinner = Spinner()      # started, then paused
    spinner.resume()         # one core busy from now on
    spinner.pause()
    spinner.stop()
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


class Spinner:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        self.running = True
        self.pause()

    def pause(self) -> None:
        if self.running:
            self.process.send_signal(signal.SIGSTOP)
            self.running = False

    def resume(self) -> None:
        if not self.running:
            self.process.send_signal(signal.SIGCONT)
            self.running = True
            time.sleep(0.05)  # let it be scheduled before the round starts

    def ticks(self) -> int:
        """CPU clock ticks the spinner has used so far (0 off Linux)."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except OSError:
            return 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.kill()
        self.process.wait()


def set_state(spinner: Spinner | None, state: str) -> None:
    """``state`` is "quiet" (spinner paused) or "busy" (spinner running)."""
    if spinner is not None:
        spinner.resume() if state == "busy" else spinner.pause()


def load_average() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
