"""Tests of the regression runner itself, never of the core: one hangs, one crashes the simulator.

They prove that a group of tests in one simulator process loses only the
test that hangs or crashes (the watchdog kills the process, the runner
reruns the rest). They are no suite's tests: :func:`tb.tests.catalog` lists
them only when asked for ``selftests``, so a suite that names one is refused.
"""

from __future__ import annotations

import os
import signal
import time

from tb.tests.functional_tests import SmokeTest


class HangSelfTest(SmokeTest):
    """Spins in Python after reset: simulation time stops, only a wall-clock watchdog sees it."""

    async def body(self) -> None:
        while True:
            time.sleep(0.05)


class CrashSelfTest(SmokeTest):
    """Kills its own simulator process, as a segmentation fault in a simulator would."""

    async def body(self) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)
