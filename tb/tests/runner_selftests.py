# SPDX-License-Identifier: Apache-2.0
"""Tests of the regression runner itself, never of the core: one hangs, one crashes the simulator.

They prove that a group of tests in one simulator process loses only the
test that hangs or crashes (the watchdog kills the process, the runner
reruns the rest). They are no suite's tests: ``RUNNER_SELFTESTS`` below keeps
them out of :func:`tb.tests.catalog` unless it is asked for ``selftests``, so
a suite that names one is refused.
"""

from __future__ import annotations

import os
import signal
import time

from tb.tests.functional_tests import SmokeTest

#: The runner's own tests, not the core's: out of the catalogue suites choose from.
RUNNER_SELFTESTS = True


class HangSelfTest(SmokeTest):
    """Spins in Python after reset: simulation time stops, only a wall-clock watchdog sees it."""

    async def body(self) -> None:
        while True:
            time.sleep(0.05)


class CrashSelfTest(SmokeTest):
    """Kills its own simulator process, as a segmentation fault in a simulator would."""

    async def body(self) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)
