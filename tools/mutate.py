#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Mutation testing of the RTL: the environment's power to find bugs, as a score (``make mutate``).

Mutants are one-token (or one-condition) changes of ``rtl/`` (``flow.mutate.source``);
each runs the mutation suite (``regressions/mutate/suite.toml``: block benches,
then the functional tests, cheapest first, stopping at the first kill) on the
regression engine's workers. Survivors get a Yosys equivalence check. ::

    tools/mutate.py                              # the default sample: 48 mutants, seed 1
    tools/mutate.py --mutants 200 --seed 7 --jobs 2
    tools/mutate.py --core mac                   # mutants of the files the MAC core builds
    tools/mutate.py --mutant lut_fp32_add.sv:171:23:op_gt   # one mutant (its rerun command)
    tools/mutate.py --list-mutants --file lut_unit.sv       # the ids, nothing runs

Each run writes ``build/mutate/<label>-<UTC time>/`` (``mutate.json``,
``mutate.html``, ``report.txt``, a folder per mutant with its diff and logs)
and points ``build/mutate/latest`` at it. Exit 0 when every mutant got a
verdict, 1 when one met a flow error, 2 on a bad option or a failing baseline.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blocks.mutate import run_step  # noqa: E402
from blocks.units import UNITS  # noqa: E402
from flow.mutate import campaign, source  # noqa: E402
from flow.mutate import suite as msuite  # noqa: E402
from flow.regress.rundirs import new_run_dir, point_latest  # noqa: E402
from flow.simrun import RTL  # noqa: E402
from models.config import CORES  # noqa: E402

DEFAULT_MUTANTS = 48


class Refused(Exception):
    """A bad option: one line."""


class _Parser(argparse.ArgumentParser):
    """Refuses a bad option with one line (no usage block)."""

    def error(self, message: str):
        print(f"mutate: {message}", file=sys.stderr)
        raise SystemExit(2)


def _positive(name: str):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: a whole number") from None
        least = 0 if name in ("MUTANTS", "SEED") else 1
        if v < least:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: must be >= {least}")
        return v

    return parse


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="tools/mutate.py", description=__doc__.split("\n")[0])
    p.add_argument(
        "--mutants",
        type=_positive("MUTANTS"),
        default=DEFAULT_MUTANTS,
        help="sample size, spread over the files (0: every mutant)",
    )
    p.add_argument("--seed", type=_positive("SEED"), default=1, help="the sample's seed")
    p.add_argument("--core", default="", help="comma list of cores, or all: mutants of their files")
    p.add_argument("--jobs", type=_positive("JOBS"), default=2, help="parallel workers")
    p.add_argument("--sim", default="", help="icarus or verilator (default: the suite's)")
    p.add_argument("--mutant", action="append", default=[], help="run this mutant id (repeatable)")
    p.add_argument("--file", action="append", default=[], help="only mutants of this rtl/ file")
    p.add_argument("--suite", default=str(msuite.SUITE), help="the mutation suite (TOML)")
    p.add_argument("--out", default="", help="the run folder (default: build/mutate/<label>-<UTC>)")
    p.add_argument("--scheduler", default=None, help="a running Dask scheduler, tcp://host:port")
    p.add_argument("--equiv-timeout", type=_positive("EQUIV_TIMEOUT"), default=60)
    p.add_argument("--list-mutants", action="store_true", help="print the chosen ids; run nothing")
    return p


def _cores(text: str) -> tuple[str, ...]:
    if not text or text == "all":
        return ()
    cores = tuple(c for c in text.split(",") if c)
    for c in cores:
        if c not in CORES:
            raise Refused(f"CORE={c!r} unknown; choose one of {', '.join(CORES)}, all")
    return cores


def choose(args, suite: msuite.Suite, cores: tuple[str, ...]) -> list[source.Mutant]:
    """The mutants this command asks for: named ones, or a seeded sample."""
    files = [p.name for p in source.mutable_files(RTL)]
    for f in args.file:
        if f not in files:
            raise Refused(f"FILE={f!r} is not a mutable rtl/ file; choose of {', '.join(files)}")
    if cores:
        files = [
            f for f in files if set(suite.files.get(f, msuite.FileInfo(())).cores) & set(cores)
        ]
    if args.file:
        files = [f for f in files if f in args.file]
    pool = source.all_mutants(RTL, files)
    if args.mutant:
        everything = source.all_mutants(RTL)
        try:
            picked = [source.find(everything, mid) for mid in args.mutant]
        except ValueError as exc:
            raise Refused(str(exc)) from None
        _placed(args, suite, picked)
        for m in picked:
            if cores and not set(suite.cores_of(m.file)) & set(cores):
                raise Refused(f"MUTANT={m.id}: no core of CORE={','.join(cores)} builds {m.file}")
        return picked
    _placed(args, suite, pool)
    return source.sample(pool, args.mutants, args.seed)


def _placed(args, suite: msuite.Suite, mutants: list[source.Mutant]) -> None:
    """Every file a mutant is drawn from must say which cores build it."""
    missing = sorted({m.file for m in mutants} - set(suite.files))
    if missing:
        raise Refused(f"{args.suite}: [files] does not say which cores build {missing[0]}")


def _command(args, argv: list[str]) -> str:
    """How this run was asked for, one space between words (make leaves a gap where an
    override it was given is empty or inherited): what the report and the dashboard print."""
    made = " ".join(os.environ.get("MUTATE_MAKE_COMMAND", "").split())
    return made or " ".join(["tools/mutate.py", *map(shlex.quote, argv)])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    try:
        if args.sim and args.sim not in msuite.SIMS:
            raise Refused(f"SIM={args.sim!r} unknown; choose one of {', '.join(msuite.SIMS)}")
        cores = _cores(args.core)
        blocks = {u.name: u.kinds for u in UNITS.values()}
        from tb.tests import catalog

        suite = msuite.load(Path(args.suite), args.sim or None, blocks, set(catalog()))
        reviewed = msuite.load_reviewed()
        mutants = choose(args, suite, cores)
    except (Refused, msuite.SuiteError) as exc:
        print(f"mutate: {exc}", file=sys.stderr)
        return 2
    if args.list_mutants:
        for m in mutants:
            print(m.id)
        return 0
    if not mutants:
        print("mutate: no mutant matches these options", file=sys.stderr)
        return 2
    label = "mutant" if args.mutant else f"sample{len(mutants)}-seed{args.seed}"
    out = Path(args.out) if args.out else new_run_dir(campaign.RUNS, label)
    out.mkdir(parents=True, exist_ok=True)
    print(f"results: {out}")
    opts = campaign.Options(
        jobs=args.jobs,
        seed=args.seed,
        command=_command(args, argv),
        equiv_timeout_s=float(args.equiv_timeout),
        cores=cores,
        scheduler=args.scheduler,
        reviewed=reviewed,
        sim_override=bool(args.sim),
        suite_path="" if Path(args.suite).resolve() == msuite.SUITE else args.suite,
    )
    try:
        doc = campaign.run(mutants, suite, out, opts, run_step)
    except campaign.BaselineError as exc:
        print(f"mutate: {exc}", file=sys.stderr)
        return 2
    if not args.out:
        point_latest(out)
    print()
    print((out / "report.txt").read_text(), end="")
    print(f"report: {out / 'mutate.html'}")
    errors = doc["summary"]["overall"]["counts"].get("error", 0)
    if errors:
        print(f"mutate: {errors} mutants met a flow error (see report.txt)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
