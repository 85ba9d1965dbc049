# SPDX-License-Identifier: Apache-2.0
"""The live line of a long run: builds first, then done, failed, remaining, ETA.

On a terminal it is one ``rich`` progress line, redrawn in place. Elsewhere
(CI logs, a pipe) plain lines: one when a build starts (a cold Verilator
build takes minutes, and a log that says nothing for minutes reads as a
hang), then one every ``every_s`` seconds or each time another tenth of the
jobs is done, so a log shows the run moving without thousands of lines.

The ETA (:class:`Eta`) comes from the planned work, not from the count of
jobs done: every job has an expected wall time before the run starts (the
runner's ``estimator``), so the first ETA is the plan's and later ones are
the remaining plan corrected by how far the finished jobs ran over or under
theirs. A projection is made when a group finishes and counts down in
between; it moves at a group's end only by what that group's results and the
groups still running explain, never by a rate taken from two finished jobs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping

Clock = Callable[[], float]


class Eta:
    """Seconds left of the planned job work, corrected by what the finished jobs took.

    ``estimates``: every job's expected wall time (job id -> seconds);
    ``workers``: how many groups run at once; ``groups``: how many groups the
    jobs were cut into (each costs a process start-up, ``overhead_s`` until
    one is measured). The correction factor is the finished jobs' actual over
    planned time, pulled toward 1 by a prior of ``prior_share`` of the plan
    (at least 10 s), so two quick or slow jobs cannot swing it.
    """

    def __init__(
        self,
        estimates: Mapping[str, float],
        workers: int,
        groups: int,
        clock: Clock = time.monotonic,
        overhead_s: float = 1.0,
        prior_share: float = 0.1,
    ):
        self.estimates = dict(estimates)
        self.workers = max(1, workers)
        self.groups_left = max(0, groups)
        self.clock = clock
        self.overhead_s = overhead_s
        self._overheads: list[float] = []
        self.planned_total = sum(self.estimates.values())
        self.prior = max(10.0, prior_share * self.planned_total)
        self.planned_done = 0.0  # the finished jobs' planned time
        self.actual_done = 0.0  # the finished jobs' wall time
        self._done: set[str] = set()
        self._started: float | None = None  # when the jobs could start (builds done)
        self._projection = self._project()
        self._projected_at: float | None = None

    @property
    def factor(self) -> float:
        """Actual over planned time of the finished jobs, pulled toward 1 by the prior."""
        return (self.actual_done + self.prior) / (self.planned_done + self.prior)

    def remaining_work_s(self) -> float:
        """The work left in worker-seconds: the unfinished jobs' plan, corrected, and start-ups."""
        left = self.planned_total - self.planned_done
        return self.factor * max(0.0, left) + self.overhead_s * self.groups_left

    def _project(self) -> float:
        lanes = max(1, min(self.workers, self.groups_left))
        return self.remaining_work_s() / lanes

    def start(self) -> None:
        """The builds are done: the jobs run from now, and the projection counts down."""
        if self._started is None:
            self._started = self._projected_at = self.clock()
            self._projection = self._project()

    def finished(self, results: Mapping[str, float], overhead_s: float | None = None) -> None:
        """A group ended: its jobs' wall times (job id -> s) and its process start-up cost."""
        for job_id, wall in results.items():
            if job_id in self._done:
                continue
            self._done.add(job_id)
            self.planned_done += self.estimates.get(job_id, 0.0)
            self.actual_done += max(0.0, wall)
        if overhead_s is not None:
            self._overheads.append(max(0.0, overhead_s))
            self.overhead_s = sum(self._overheads) / len(self._overheads)
        self.groups_left = max(0, self.groups_left - 1)
        self.start()
        self._projection = self._project()
        self._projected_at = self.clock()

    def seconds(self) -> float:
        """The ETA now. Before the jobs start it is the whole projection (builds not counted).

        Between two projections it counts down, but not below a tenth of the
        last projection: work is left until the last group reports.
        """
        if not self.groups_left and self.planned_done >= self.planned_total:
            return 0.0
        if self._projected_at is None:
            return self._projection
        spent = self.clock() - self._projected_at
        return max(self._projection - spent, 0.1 * self._projection)


class Progress:
    """The run's progress for a person: builds, then jobs, with the ETA of :class:`Eta`."""

    def __init__(
        self,
        total: int,
        label: str,
        tty: bool | None = None,
        every_s: float = 30.0,
        builds: int = 0,
        eta: Eta | None = None,
        clock: Clock = time.monotonic,
    ):
        self.total, self.label = total, label
        self.done = self.failed = 0
        self.builds, self.built = builds, 0
        self.building: list[str] = []
        self.eta = eta
        self.clock = clock
        self.t0 = clock()
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.every_s = every_s
        self._last_print = self.t0
        self._last_tenth = 0
        self._announced: set[str] = set()
        self._rich = None
        if self.tty and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[eta]}"),
                transient=True,
            )
            self._task = self._rich.add_task(label, total=total, failed=0, eta=self._eta_text())
            self._rich.start()
        if not self.builds and self.eta is not None:
            self.eta.start()

    # -- what the line says

    def eta_s(self) -> float | None:
        """Seconds left by the plan (:class:`Eta`); without a plan, by the rate so far."""
        if self.eta is not None:
            return self.eta.seconds()
        if not self.done:
            return None
        rate = self.done / max(1e-9, self.clock() - self.t0)
        return (self.total - self.done) / rate

    def _eta_text(self) -> str:
        eta = self.eta_s()
        if eta is None:
            return "ETA -"
        text = f"ETA {eta:.0f} s"
        left = self.builds - self.built
        return f"{text} + {left} build{'s' if left > 1 else ''}" if left > 0 else text

    def _build_text(self) -> str:
        if self.built >= self.builds:
            return ""
        now = self.building[0] if self.building else "waiting for a worker"
        more = f" (+{len(self.building) - 1} more)" if len(self.building) > 1 else ""
        return f"building {min(self.built + 1, self.builds)}/{self.builds}: {now}{more}"

    def line(self) -> str:
        left = self.total - self.done
        build = self._build_text()
        return (
            f"{self.label}: {build + ', ' if build else ''}"
            f"{self.done}/{self.total} done, {self.failed} failed, "
            f"{left} remaining, {self.clock() - self.t0:.0f} s, {self._eta_text()}"
        )

    # -- events

    def build_running(self, names: list[str]) -> None:
        """The builds in progress now; a plain log gets one line per build as it starts."""
        self.building = list(names)
        fresh = [n for n in names if n not in self._announced]
        self._announced.update(fresh)
        if self._rich is not None:
            self._refresh()
        elif fresh:
            self._emit()

    def build_done(self, name: str, seconds: float, error: str | None = None) -> None:
        """One build finished (or failed: its jobs will say so); after the last, jobs run."""
        self.built += 1
        self.building = [n for n in self.building if n != name]
        self._announced.add(name)
        if self.built >= self.builds and self.eta is not None:
            self.eta.start()
        if self._rich is not None:
            self._refresh()
        elif error:
            print(f"{self.label}: build {name} FAILED after {seconds:.0f} s: {error[:200]}")

    def advance(self, done: int, failed: int) -> None:
        self.done += done
        self.failed += failed
        if self._rich is not None:
            self._rich.update(self._task, advance=done, failed=self.failed)
            self._refresh()
            return
        now = self.clock()
        tenth = (10 * self.done) // max(1, self.total)
        if tenth > self._last_tenth or now - self._last_print >= self.every_s:
            self._last_tenth = tenth
            self._emit()

    def tick(self) -> None:
        """Nothing finished for a while: say so on a log, so silence never means a hang."""
        if self._rich is not None:
            self._refresh()
        elif self.clock() - self._last_print >= self.every_s:
            self._emit()

    def _emit(self) -> None:
        self._last_print = self.clock()
        print(self.line(), flush=True)

    def _refresh(self) -> None:
        build = self._build_text()
        desc = f"{self.label}: {build}" if build else self.label
        self._rich.update(self._task, description=desc, eta=self._eta_text())

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
