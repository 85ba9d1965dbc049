# SPDX-License-Identifier: Apache-2.0
"""Build and run the pure-SystemVerilog replay harness; parse what it reports.

The harness (``tb/sv/lut_tc_replay_tb.sv`` around ``lut_tc_paced_core``)
reads a vector directory written by :mod:`flow.replay.vectors`, drives every
instruction, compares every response bit-exactly and prints ``REPLAY_*``
lines. It is built through the same mechanism as every other simulation
(:func:`flow.simrun.build_target`, ``binary=True``: an Icarus vvp file, a
Verilator ``--binary --timing`` executable), once per configuration,
defines and capacities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flow import simrun
from flow.measure import harness_command, run_captured
from flow.replay.vectors import VectorSet, record_word
from models import isa
from models.config import config_by_name

SV = simrun.TB_SV
HARNESS = SV / "lut_tc_replay_tb.sv"
PACED = simrun.PACED_CORE
SOURCES = (*simrun.CORE_SOURCES, PACED, simrun.PACED_DUT, HARNESS)
TOP = "lut_tc_replay_tb"

#: Capacities of the harness build (entries); raised per vector set if needed.
DEFAULT_CAPS = {"MaxVec": 1 << 18, "MaxA": 1024, "MaxW": 1024, "MaxC": 1024, "MaxD": 16384}
_CAP_OF = {"MaxVec": "n_vec", "MaxA": "n_a", "MaxW": "n_w", "MaxC": "n_c", "MaxD": "n_d"}


def _pow2_at_least(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def caps_for(sizes: dict[str, int] | None) -> dict[str, int]:
    """Harness capacities: the defaults, raised to a power of two where a set needs more.

    Powers of two keep the number of distinct builds small: sets of similar
    size share one.
    """
    caps = dict(DEFAULT_CAPS)
    if sizes:
        for cap, key in _CAP_OF.items():
            caps[cap] = max(caps[cap], _pow2_at_least(sizes[key]))
    return caps


def build_name(
    cfg_name: str,
    defines: tuple[str, ...] = (),
    caps: dict[str, int] | None = None,
    assertions: bool = True,
) -> str:
    """``replay_<config>`` plus each define, ``_noassert`` and every raised capacity."""
    name = f"replay_{cfg_name}" + "".join(f"_{d}" for d in defines)
    if not assertions:
        name += "_noassert"
    if caps and caps != DEFAULT_CAPS:
        name += "_" + "_".join(f"{k}{v}" for k, v in sorted(caps.items()) if v != DEFAULT_CAPS[k])
    return name


def build(
    sim: str,
    cfg_name: str,
    defines: tuple[str, ...] = (),
    caps: dict[str, int] | None = None,
    clean: bool = False,
    jobs: int | None = None,
    assertions: bool = True,
) -> simrun.Build:
    """The harness + core for (sim, config, defines, caps); compiled once, then reused.

    The RTL assertions (``LUT_TC_ASSERTIONS``) are on by default, as in the
    testbench builds, so both run the same DUT.
    """
    cfg = config_by_name(cfg_name)
    caps = caps or dict(DEFAULT_CAPS)
    unknown = sorted(set(caps) - set(DEFAULT_CAPS))
    if unknown:
        raise ValueError(f"caps: unknown capacities {unknown}; known {sorted(DEFAULT_CAPS)}")
    return simrun.build_target(
        sim,
        TOP,
        build_name(cfg_name, defines, caps, assertions),
        sources=SOURCES,
        parameters={**cfg.rtl_parameters(), **caps},
        defines={d: 1 for d in defines},
        assertions=assertions,
        binary=True,
        clean=clean,
        jobs=jobs,
    )


# --------------------------------------------------------------------------- run


@dataclass
class RunResult:
    """One harness run: verdict, the harness's counters, where the time went."""

    sim: str
    passed: bool
    first_mismatch: int | None
    stats: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    load_s: float = 0.0  #: process start -> vectors loaded (REPLAY_LOADED)
    sim_s: float = 0.0  #: vectors loaded -> process exit: the replay proper
    run_s: float = 0.0  #: whole process
    maxrss_mb: float = 0.0
    returncode: int = 0
    log: str = ""

    @property
    def utilization(self) -> float:
        """Delivered MACs per cycle over the peak M*N*K/b, from first accept to last response."""
        cyc = self.stats.get("last_resp", 0) - self.stats.get("first_accept", 0)
        return self.stats.get("lmma_planes", 0) / cyc if cyc > 0 else 0.0


_KV = re.compile(r"(\w+)=(-?\d+)")


def command(
    b: simrun.Build,
    vectors: Path,
    bp: int = 0,
    gap: int = 0,
    seed: int = 1,
    max_errors: int = 1,
    timeout: int = 10000,
    repeat: int = 1,
    plusargs: Sequence[str] = (),
) -> list[str]:
    """The simulator command line of one replay (plusargs in the harness header).

    ``plusargs``: more of them, for the simulator (a coverage build's counts file).
    """
    for name, v in (("bp", bp), ("gap", gap)):
        if not 0 <= v <= 100:
            raise ValueError(f"{name}={v} out of range [0, 100]")
    for name, v in (("max_errors", max_errors), ("timeout", timeout), ("repeat", repeat)):
        if v < 1:
            raise ValueError(f"{name}={v} must be >= 1")
    cmd = harness_command(b.sim, b.exe)
    cmd += [
        f"+dir={vectors}",
        f"+bp={bp}",
        f"+gap={gap}",
        f"+seed={seed}",
        f"+max_errors={max_errors}",
        f"+timeout={timeout}",
        f"+repeat={repeat}",
        "+quiet",
        *plusargs,
    ]
    if b.sim == "verilator":
        cmd.append(f"+verilator+seed+{seed}")
    return cmd


def run(
    b: simrun.Build,
    vectors: Path,
    bp: int = 0,
    gap: int = 0,
    seed: int = 1,
    max_errors: int = 1,
    timeout: int = 10000,
    repeat: int = 1,
    log: Path | None = None,
    plusargs: Sequence[str] = (),
) -> RunResult:
    """Run a built harness on a vector directory; parses the REPLAY_* lines."""
    cmd = command(b, vectors, bp, gap, seed, max_errors, timeout, repeat, plusargs)
    log = log or (vectors / f"replay_{b.sim}.log")
    res = RunResult(b.sim, False, None)
    out = run_captured(cmd, b.path, "REPLAY_LOADED", log)
    res.run_s, res.load_s, res.sim_s = out.run_s, out.load_s, out.sim_s
    res.maxrss_mb, res.returncode, res.log = out.maxrss_mb, out.returncode, str(log)
    lines = out.lines
    parse(res, lines, repeat)
    return res


def parse(res: RunResult, lines: list[str], repeat: int = 1) -> None:
    """Fill ``res`` from the harness output: PASS needs the line, exit 0 and every response ok."""
    result = None
    for line in lines:
        if line.startswith("REPLAY_STATS"):
            res.stats = {k: int(v) for k, v in _KV.findall(line)}
        elif line.startswith("REPLAY_MISMATCH"):
            res.mismatches.append(line.strip())
        elif line.startswith("REPLAY_RESULT"):
            result = line.split()[1]
            m = re.search(r"first_mismatch=(\d+)", line)
            if m:
                res.first_mismatch = int(m.group(1))
    res.passed = (
        result == "PASS"
        and res.returncode == 0
        and res.stats.get("ok") == res.stats.get("vectors", -1) * repeat
    )
    if not res.passed and res.first_mismatch is None:
        idx = [int(m.group(1)) for s in res.mismatches if (m := re.search(r"index=(\d+)", s))]
        res.first_mismatch = idx[0] if idx else -1
        if not res.mismatches:
            res.mismatches = [s.strip() for s in lines[-10:]]


def describe_mismatch(vs: VectorSet, r: RunResult) -> str:
    """The first mismatch lines with the disassembled instruction."""
    out = list(r.mismatches[:4])
    if r.first_mismatch is not None and 0 <= r.first_mismatch < vs.n_vec:
        word = record_word(vs.path, r.first_mismatch)
        out.append(f"instruction {r.first_mismatch}: {isa.disasm(word)}")
    return "\n".join(out)
