# SPDX-License-Identifier: Apache-2.0
"""Build and run the FP block harness on a vector set, and read its verdict.

One pure-SystemVerilog harness serves every unit: the unit's top
(``blocks/sv/<unit>_tb.sv``: its block and the checker) over the shared
vector loop (``blocks/sv/fp_block_check.sv``). :func:`build` compiles it
through the flow's simulator runner (``flow.simrun.build_target``,
``binary=True``: an Icarus vvp file or a Verilator executable), around the
block's RTL or a gate-level netlist of it; :func:`run` runs it on a
:class:`blocks.vectors.VectorSet` and :func:`parse` reads its lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from blocks.fpops import check_max_shift
from blocks.units import DEFAULT_MAX_SHIFT, check_unit
from blocks.vectors import VectorSet
from flow import simrun
from flow.measure import harness_command, run_captured


def _pow2_at_least(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def build(
    unit: str,
    sim: str,
    defines: Sequence[str] = (),
    n: int = 0,
    max_shift: int = DEFAULT_MAX_SHIFT,
    netlist: Path | None = None,
    clean: bool = False,
    jobs: int | None = None,
) -> simrun.Build:
    """The harness + block for (unit, sim, defines[, max_shift]), for up to ``n`` vectors.

    Reused once built. ``netlist``: a gate-level netlist of the block
    (``flow.synth.synthesize_unit``, made with the unit's ``block_params`` and
    these ``defines``) stands in for its RTL. The blocks are combinational:
    no clock, no assertions (built without ``LUT_TC_ASSERTIONS``).
    """
    u = check_unit(unit)
    unknown = sorted(set(defines) - set(u.bugs))
    if unknown:
        raise ValueError(f"defines: unknown {unknown}; known {list(u.bugs)}")
    max_vec = max(u.default_max_vec, _pow2_at_least(n))
    params: dict[str, object] = {"MaxVec": max_vec}
    name = ("netlist_" if netlist else "") + unit + "".join(f"_{d}" for d in defines)
    if max_vec != u.default_max_vec:
        name += f"_MaxVec{max_vec}"
    if unit == "fpow2":
        params["MaxShift"] = check_max_shift(max_shift)
        if max_shift != DEFAULT_MAX_SHIFT:
            if netlist:
                raise ValueError(f"max_shift={max_shift}: a netlist is built at the default")
            name += f"_MaxShift{max_shift}"
    return simrun.build_target(
        sim,
        u.top,
        name,
        sources=(netlist or u.rtl, *u.harness),
        parameters=params,
        defines={} if netlist else {d: 1 for d in defines},
        assertions=False,
        binary=True,
        clean=clean,
        jobs=jobs,
    )


@dataclass
class RunResult:
    """One harness run: verdict, counts, the printed mismatches, where the time went."""

    sim: str
    passed: bool = False
    n: int = -1
    errors: int = -1
    mismatches: list[dict[str, int]] = field(default_factory=list)
    load_s: float = 0.0  #: process start -> vectors loaded (<PREFIX>_LOADED)
    sim_s: float = 0.0  #: vectors loaded -> process exit: the comparison loop
    run_s: float = 0.0  #: whole process
    maxrss_mb: float = 0.0
    returncode: int = 0
    log: str = ""
    lines: list[str] = field(default_factory=list)


def command(b: simrun.Build, vectors: Path, max_errors: int = 10) -> list[str]:
    """The simulator command line of one run (plusargs in the checker's header)."""
    if max_errors < 0:
        raise ValueError(f"max_errors={max_errors} must be >= 0")
    return [*harness_command(b.sim, b.exe), f"+dir={vectors}", f"+max_errors={max_errors}"]


def run(
    b: simrun.Build, vs: VectorSet, max_errors: int = 10, timeout_s: float = 600.0
) -> RunResult:
    """Run a built harness of ``vs``'s unit on ``vs``; the log goes next to the vectors.

    A run still going after ``timeout_s`` is killed (a zero-delay loop in a
    simulator would otherwise hang the caller): it fails with no result line.
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s={timeout_s} must be > 0")
    u = check_unit(vs.unit)
    res = RunResult(b.sim)
    log = vs.path / f"run_{b.sim}_{b.path.name}.log"
    out = run_captured(
        command(b, vs.path, max_errors), b.path, f"{u.prefix}_LOADED", log, timeout_s
    )
    res.run_s, res.load_s, res.sim_s = out.run_s, out.load_s, out.sim_s
    res.maxrss_mb, res.returncode, res.log = out.maxrss_mb, out.returncode, str(log)
    parse(res, out.lines, vs.unit)
    return res


def parse(res: RunResult, lines: list[str], unit: str) -> None:
    """Fill ``res`` from the output: PASS needs the line, errors=0 and exit status 0.

    A mismatch is a dict of its index, the two inputs under the unit's names
    (``a``/``b`` for the adder, ``in0``/``in1`` for the others), ``got``
    (-1 for an X or Z bit) and ``expected``.
    """
    u = check_unit(unit)
    x, y = u.operands
    mismatch = re.compile(
        rf"{u.prefix}_MISMATCH index=(\d+) {x}=([0-9a-f]{{8}}) {y}=([0-9a-f]{{8}}) "
        r"got=([0-9a-fxz]{8}) expected=([0-9a-f]{8})"
    )
    result = re.compile(rf"{u.prefix}_RESULT (PASS|FAIL) n=(\d+) errors=(\d+)")
    res.lines = [ln.rstrip("\n") for ln in lines]
    verdict = None
    for line in lines:
        if m := mismatch.search(line):
            idx, a, b, got, exp = m.groups()
            res.mismatches.append(
                {
                    "index": int(idx),
                    x: int(a, 16),
                    y: int(b, 16),
                    "got": int(got, 16) if re.fullmatch(r"[0-9a-f]{8}", got) else -1,
                    "expected": int(exp, 16),
                }
            )
        elif m := result.search(line):
            verdict, res.n, res.errors = m.group(1), int(m.group(2)), int(m.group(3))
    res.passed = verdict == "PASS" and res.errors == 0 and res.returncode == 0
