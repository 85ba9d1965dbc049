# SPDX-License-Identifier: Apache-2.0
"""The progress line: builds shown while they run, and an ETA from the planned work.

Every clock here is a fake one the test moves by hand: no test waits, and no
assertion depends on how fast this machine is.
"""

from __future__ import annotations

import pytest

from flow.regress.progress import Eta, Progress


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def wait(self, s: float) -> None:
        self.t += s


def plan(n: int, each: float = 5.0) -> dict[str, float]:
    return {f"job{i}": each for i in range(n)}


def test_the_first_eta_is_the_plan_not_a_dash() -> None:
    clock = Clock()
    eta = Eta(plan(39), workers=2, groups=8, clock=clock, overhead_s=1.0)
    # 39 jobs x 5 s planned + 8 process start-ups, on 2 workers
    assert eta.seconds() == pytest.approx((39 * 5 + 8 * 1.0) / 2)
    bar = Progress(39, "smoke", tty=False, eta=eta, clock=clock)
    assert "ETA 102 s" in bar.line()


def test_two_early_results_do_not_swing_the_eta() -> None:
    """The issue's case: 2/39 done after a slow start gave ``ETA 1649 s`` from the count rate."""
    clock = Clock()
    eta = Eta(plan(39), workers=2, groups=8, clock=clock)
    eta.start()
    first = eta.seconds()
    clock.wait(85.0)  # a slow first group: a process start-up and two jobs
    eta.finished({"job0": 6.0, "job1": 6.0}, overhead_s=2.0)
    naive = (39 - 2) / (2 / 85.0)  # what a done/elapsed rate says: about 1572 s
    assert naive > 1500
    after = eta.seconds()
    # The two jobs ran 20 % over their plan and a start-up cost 2 s, not 1: the
    # projection moves by what that explains for the 37 jobs and 7 groups left.
    explained = ((37 * 5) * (12 + eta.prior) / (10 + eta.prior) + 7 * 2.0) / 2
    assert after == pytest.approx(explained)
    assert after < 1.5 * first


def test_on_plan_the_eta_counts_down_and_never_jumps_up() -> None:
    """Jobs that take exactly their plan: each projection is at most the countdown before it."""
    clock = Clock()
    est = plan(16, 10.0)
    eta = Eta(est, workers=2, groups=8, clock=clock, overhead_s=0.0)
    eta.start()
    readings = []
    for g in range(8):  # two jobs per group; two groups run at once, so one ends every 10 s
        before = eta.seconds()
        clock.wait(10.0)
        countdown = eta.seconds()
        assert countdown == pytest.approx(max(before - 10.0, 0.1 * eta._projection))
        eta.finished({f"job{2 * g}": 10.0, f"job{2 * g + 1}": 10.0})
        readings.append(eta.seconds())
        # re-projecting from the remaining plan never adds more than the groups in
        # flight can explain: one group's planned time on each of the 2 workers
        assert readings[-1] <= countdown + 20.0 + 1e-9
    assert readings == sorted(readings, reverse=True)
    assert readings[-1] == 0.0


def test_a_slow_job_raises_the_eta_by_what_it_explains_only() -> None:
    clock = Clock()
    eta = Eta(plan(20, 5.0), workers=1, groups=20, clock=clock, overhead_s=0.0)
    eta.start()
    clock.wait(5.0)
    eta.finished({"job0": 5.0})
    on_plan = eta.seconds()
    assert on_plan == pytest.approx(19 * 5.0)
    clock.wait(15.0)
    eta.finished({"job1": 15.0})  # three times its plan
    slow = eta.seconds()
    factor = (20.0 + eta.prior) / (10.0 + eta.prior)
    assert slow == pytest.approx(18 * 5.0 * factor)
    assert on_plan - 15.0 < slow < 18 * 5.0 * 3  # up, but not as if every job were 3x slower


def test_the_eta_waits_for_the_builds_before_it_counts_down() -> None:
    clock = Clock()
    eta = Eta(plan(8), workers=2, groups=2, clock=clock, overhead_s=0.0)
    bar = Progress(8, "nightly", tty=False, builds=2, eta=eta, clock=clock)
    clock.wait(120.0)  # a cold Verilator build
    assert eta.seconds() == pytest.approx(20.0)  # not counted down while building
    assert bar.line().endswith("ETA 20 s + 2 builds")  # the jobs' plan; builds still to come
    bar.build_done("verilator M2N64 pins", 120.0)
    bar.build_done("icarus M2N64 pins", 3.0)
    clock.wait(5.0)
    assert eta.seconds() == pytest.approx(15.0)
    assert bar.line().endswith("ETA 15 s")


def test_builds_are_named_on_the_progress_line_as_they_start(capsys) -> None:
    clock = Clock()
    bar = Progress(8, "smoke", tty=False, builds=3, clock=clock, every_s=1e9)
    bar.build_running(["verilator M2N64FP batch"])
    bar.build_running(["verilator M2N64FP batch"])  # still running: no second line
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        "smoke: building 1/3: verilator M2N64FP batch, 0/8 done, 0 failed, 8 remaining, 0 s, ETA -"
    ]
    bar.build_done("verilator M2N64FP batch", 60.0)
    bar.build_running(["icarus M2N4 pins", "icarus M2N4 batch"])
    line = capsys.readouterr().out.strip()
    assert line.startswith("smoke: building 2/3: icarus M2N4 pins (+1 more), 0/8 done")
    bar.build_done("icarus M2N4 pins", 1.0, error="CalledProcessError: iverilog exit 1")
    assert "build icarus M2N4 pins FAILED after 1 s: CalledProcessError" in capsys.readouterr().out
    bar.build_done("icarus M2N4 batch", 1.0)
    bar.advance(8, 0)
    assert "building" not in capsys.readouterr().out
