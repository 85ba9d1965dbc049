#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-simulator identity: the same stimulus on Icarus and Verilator, responses bit for bit.

Each job of the suite runs on both simulators (whatever the suite's ``sims``
say) with the full response log on (``LUT_TC_RESP_LOG=1``). Every run is
checked against the model by its own scoreboard as always; then the two logs
of each job are compared row by row: tag, status and every D lane, in order.
A difference is reported with the first differing response. Results, logs
and the dashboard of each run go to a folder of its own,
``build/crosscheck/<suite>-<time>/`` (the regression runner's layout;
``build/crosscheck/latest`` is the newest, ``history/`` beside them), or to
``--out DIR``.

    make crosscheck                       # regressions/crosscheck.toml
    make crosscheck SUITE=smoke           # any suite
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flow import simrun  # noqa: E402
from flow.regress.jobs import Job, SuiteError  # noqa: E402
from flow.regress.rundirs import new_run_dir, point_latest  # noqa: E402
from flow.regress.runner import run_jobs  # noqa: E402
from flow.regress.select import Choices, suite_jobs  # noqa: E402
from tb.responses import LOG_FILE  # noqa: E402
from tb.transports import TRANSPORTS  # noqa: E402

OUT = ROOT / "build" / "crosscheck"


@dataclass
class Pair:
    """One job on both simulators and what comparing their responses found."""

    icarus: Job
    verilator: Job
    rows: int = 0
    difference: str = ""  #: empty when identical


def _log(out: Path, job: Job) -> np.ndarray | None:
    p = out / "runs" / job.job_id / LOG_FILE
    if not p.exists():
        return None
    with np.load(p) as z:
        return z["rows"]


def first_difference(a: np.ndarray, b: np.ndarray) -> str:
    """The first response where two logs differ (tag, status or a D lane), or ""."""
    n = min(len(a), len(b))
    if a.shape[1:] != b.shape[1:]:
        return f"response width differs: {a.shape[1]} vs {b.shape[1]} columns"
    bad = np.flatnonzero(np.any(a[:n] != b[:n], axis=1))
    if bad.size:
        i = int(bad[0])
        what = []
        if a[i, 0] != b[i, 0]:
            what.append(f"tag {a[i, 0]} vs {b[i, 0]}")
        if a[i, 1] != b[i, 1]:
            what.append(f"status {a[i, 1]} vs {b[i, 1]}")
        lanes = np.flatnonzero(a[i, 2:] != b[i, 2:])
        if lanes.size:
            k = int(lanes[0])
            what.append(
                f"D differs in {lanes.size} lanes, first lane {k}: {a[i, 2 + k]} vs {b[i, 2 + k]}"
            )
        return f"response {i} (of {n}): " + "; ".join(what)
    if len(a) != len(b):
        return f"icarus gave {len(a)} responses, verilator {len(b)}; the first {n} agree"
    return ""


def compare(out: Path, pairs: list[Pair]) -> None:
    for p in pairs:
        a, b = _log(out, p.icarus), _log(out, p.verilator)
        if a is None or b is None:
            missing = [s for s, x in (("icarus", a), ("verilator", b)) if x is None]
            p.difference = f"no response log from {', '.join(missing)} (did it run?)"
            continue
        p.rows = len(a)
        p.difference = first_difference(a, b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--suite", default="crosscheck")
    ap.add_argument("--jobs", default=str(os.cpu_count() or 1))
    ap.add_argument("--transport", default="", help="pins, batch or empty for the suite's")
    ap.add_argument(
        "--out", type=Path, default=None, help=f"the run folder (default: a new one in {OUT})"
    )
    args = ap.parse_args(argv)
    try:
        jobs = int(args.jobs)
        if jobs < 1:
            raise SuiteError(f"JOBS={jobs} must be >= 1")
        if args.transport and args.transport not in TRANSPORTS:
            raise SuiteError(
                f"transport={args.transport!r} unknown; choose one of {', '.join(TRANSPORTS)}"
            )
        trs = [args.transport] if args.transport else None
        c = Choices(["icarus"], trs, None, None, (), None, None, {})
        given = {"TRANSPORT": args.transport} if args.transport else {}
        base, lines = suite_jobs(args.suite, f"crosscheck {args.suite}", c, given)
    except ValueError as exc:  # SuiteError, and int() of a bad JOBS
        print(str(exc).replace("invalid literal for int() with base 10", "JOBS"), file=sys.stderr)
        return 2
    for line in lines:
        print(f"crosscheck {args.suite}: {line}")
    pairs = [Pair(j, dataclasses.replace(j, sim="verilator")) for j in base]
    everything = [p.icarus for p in pairs] + [p.verilator for p in pairs]
    for sim in simrun.SIMS:
        if not simrun.have_sim(sim):
            print(f"crosscheck: {sim} not found", file=sys.stderr)
            return 2
    label = f"crosscheck {args.suite}"
    if not everything:  # refused before a run folder exists
        print(f"{label}: no jobs to run", file=sys.stderr)
        return 2
    out = args.out or new_run_dir(OUT, label)
    rc = run_jobs(
        label,
        everything,
        jobs,
        out,
        extra_env={"LUT_TC_RESP_LOG": "1"},
        command=os.environ.get("REGRESS_MAKE_COMMAND", "tools/crosscheck.py"),
    )
    if args.out is None:
        point_latest(out)
    compare(out, pairs)
    print(f"\ncrosscheck {args.suite}: Icarus vs Verilator, responses bit for bit")
    total = 0
    for p in pairs:
        total += p.rows
        name = p.icarus.job_id.removeprefix("icarus-")
        print(f"  {'SAME' if not p.difference else 'DIFF'}  {name}: {p.rows} responses")
        if p.difference:
            print(f"        first difference: {p.difference}")
            print(f"        icarus:    {p.icarus.repro()}")
            print(f"        verilator: {p.verilator.repro()}")
    differ = [p for p in pairs if p.difference]
    print(
        f"{len(pairs) - len(differ)} of {len(pairs)} jobs identical on both simulators, "
        f"{total} responses compared"
    )
    return 1 if (rc or differ) else 0


if __name__ == "__main__":
    sys.exit(main())
