# SPDX-License-Identifier: Apache-2.0
"""The job's own clock: every time the testbench prints counts from the start of its test.

A lone run starts its test at simulation time 0, so its reports, its log and
its waves agree. A group run (:mod:`tb.test_lut_tc` group mode) runs several
tests one after another in one simulator process: the second test starts at
whatever time the first one ended. Without a common origin its scoreboard
would say ``answered at 5510 ns (cycle 551)`` where the repro command and
its waves show the same response at ``90 ns (cycle 9)``.

Each job therefore has an origin: the simulation step its test starts at,
rounded up to a whole nanosecond (the stream bridge stamps its records with
``$time`` in ns). The test waits until then (:func:`start`) and starts its
clock there, so the job's clock edges fall at the same offsets from its
origin as a lone run's fall from 0. Cycles (:func:`cycle`), the bridge's
record times (:func:`origin_ns`) and the time column of the log
(:func:`install_log_time`) all count from it; with origin 0 (a lone run)
nothing changes.
"""

from __future__ import annotations

import logging
import math

from cocotb.simtime import convert, get_sim_time
from cocotb.triggers import Timer

_origin_steps = 0
#: A group test's wait for its time 0, in its job folder (the runner reads it).
WAITED_FILE = "timebase_wait.json"
#: Steps the current test waited for its time 0 (its simulated duration includes them).
_waited_steps = 0


def _steps_per_ns() -> int:
    return int(convert(1, "ns", to="step"))


def plan(first: bool) -> None:
    """Choose the job's time 0, when its test is created (before the ``running`` log line).

    The regression starts the first test of a process at once, every later
    one a step after the previous test ended; the origin is that step,
    rounded up to a whole nanosecond. Planning it now puts the regression's
    ``running`` line in the job's time already.
    """
    global _origin_steps
    start = int(get_sim_time("step")) + (0 if first else 1)
    per_ns = _steps_per_ns()
    _origin_steps = math.ceil(start / per_ns) * per_ns


async def start() -> None:
    """Wait (less than a nanosecond) until the job's time 0 and begin it there."""
    global _origin_steps, _waited_steps
    now = int(get_sim_time("step"))
    _waited_steps = 0
    if now > _origin_steps:  # started later than planned: the next whole ns from now
        per_ns = _steps_per_ns()
        _origin_steps = math.ceil(now / per_ns) * per_ns
    if _origin_steps > now:
        _waited_steps = _origin_steps - now
        await Timer(_waited_steps, unit="step")


def waited_ns() -> float:
    """How long the test waited for its time 0: not part of the job's own simulated time."""
    return _waited_steps / _steps_per_ns()


def reset() -> None:
    """Back to the process's own time (origin 0)."""
    global _origin_steps
    _origin_steps = 0


def origin_ns() -> int:
    """The job's time 0 in whole nanoseconds of simulation time."""
    return _origin_steps // _steps_per_ns() if _origin_steps else 0


def now_ns() -> float:
    """Nanoseconds since the job's time 0."""
    return (int(get_sim_time("step")) - _origin_steps) / _steps_per_ns()


def cycle(period_ns: int) -> int:
    """Index of the clock period the job is in (clock started at its time 0)."""
    return int(now_ns()) // period_ns


def install_log_time() -> None:
    """Stamp log lines with the job's time instead of the process's.

    Every handler's time stamp (cocotb's root handlers and pyuvm's own) comes
    from cocotb's ``SimTimeContextFilter`` (cocotb 2.1, pinned), so that one
    method is wrapped, once. A line the regression logs between two tests
    (a fraction of a nanosecond before the next origin) shows 0.
    """
    from cocotb.logging import SimTimeContextFilter

    stamp = SimTimeContextFilter.filter
    if getattr(stamp, "job_time", False):
        return

    def filter(self, record: logging.LogRecord) -> bool:
        keep = stamp(self, record)
        t = getattr(record, "created_sim_time", None)
        if t is not None and _origin_steps:
            record.created_sim_time = max(0, t - _origin_steps)
        return keep

    filter.job_time = True  # type: ignore[attr-defined]
    SimTimeContextFilter.filter = filter  # type: ignore[method-assign]
