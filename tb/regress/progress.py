"""The live line of a long run: done, failed, remaining, ETA.

On a terminal it is one ``rich`` progress line, redrawn in place. Elsewhere
(CI logs, a pipe) plain lines, one every ``every_s`` seconds or each time
another tenth of the jobs is done, so a log shows the run moving without
thousands of lines.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, tty: bool | None = None, every_s: float = 30.0):
        self.total, self.label = total, label
        self.done = self.failed = 0
        self.t0 = time.monotonic()
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.every_s = every_s
        self._last_print = self.t0
        self._last_tenth = 0
        self._rich = None
        if self.tty and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                transient=True,
            )
            self._task = self._rich.add_task(label, total=total, failed=0)
            self._rich.start()

    def eta_s(self) -> float | None:
        if not self.done:
            return None
        rate = self.done / max(1e-9, time.monotonic() - self.t0)
        return (self.total - self.done) / rate

    def line(self) -> str:
        eta = self.eta_s()
        left = self.total - self.done
        when = f"ETA {eta:.0f} s" if eta is not None else "ETA -"
        return (
            f"{self.label}: {self.done}/{self.total} done, {self.failed} failed, "
            f"{left} remaining, {time.monotonic() - self.t0:.0f} s, {when}"
        )

    def advance(self, done: int, failed: int) -> None:
        self.done += done
        self.failed += failed
        if self._rich is not None:
            self._rich.update(self._task, advance=done, failed=self.failed)
            return
        now = time.monotonic()
        tenth = (10 * self.done) // max(1, self.total)
        if tenth > self._last_tenth or now - self._last_print >= self.every_s:
            self._last_tenth, self._last_print = tenth, now
            print(self.line(), flush=True)

    def tick(self) -> None:
        """Nothing finished for a while: say so on a log, so silence never means a hang."""
        if self._rich is None and time.monotonic() - self._last_print >= self.every_s:
            self._last_print = time.monotonic()
            print(self.line(), flush=True)

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
