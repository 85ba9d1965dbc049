#!/usr/bin/env python3
"""Regression runner: suite file -> builds -> groups of tests per simulator process -> results.

A suite (``regressions/<name>.toml``, format in ``regressions/README.md``) is
data: tests x seeds x configs x simulators x transports (:mod:`flow.regress.jobs`).
The command line narrows or overrides it (``--sim``, ``--transport``,
``--config``, ``--core`` replace its lists, ``--define`` adds a planted bug to
every job, ``--seed``/``--seeds`` replace its seeds, ``LUT_TC_*`` in the
environment is set in every job), or ``--test`` runs one test with the same
options; ``--list`` prints the jobs either would run. Jobs that share a build and
an env run as one group in one simulator process (:mod:`flow.regress.group`);
groups run on Dask workers (:mod:`flow.regress.engine`): an in-process local
cluster by default, ``--scheduler`` for a running one, ``--cluster`` to start
workers through Slurm, LSF, PBS or SGE. Every run writes
its own folder ``build/regress/<label>-<time>/`` (``latest`` points at the
newest): ``run.json``, JUnit XML, each job's log and the dashboard
``report/index.html``; every failure is printed with the
command that reruns exactly that job.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flow import simrun  # noqa: E402
from flow.bugs import check_define  # noqa: E402
from flow.build import build_for  # noqa: E402
from flow.regress import engine as eng  # noqa: E402
from flow.regress.group import DEFAULT_TIMEOUT_S  # noqa: E402
from flow.regress.jobs import (  # noqa: E402
    SUITES,
    Job,
    Result,
    SuiteError,
    check_suite,
    choice,
    config_refusal,
    define_refusal,
    expand,
    job_env,
    left_out_lines,
    load_suite,
    refusal,
    suite_names,
    test_transports,
)
from flow.regress.runner import OUT, header, run_jobs  # noqa: E402
from models.config import CONFIGS, CORES, DEFAULT_CORE, config_by_name  # noqa: E402
from tb.transports import TRANSPORTS  # noqa: E402
from tools import waves_run  # noqa: E402

__all__ = [
    "SUITES",
    "Job",
    "Result",
    "SuiteError",
    "build_for",
    "check_suite",
    "config_refusal",
    "expand",
    "left_out_lines",
    "load_suite",
    "refusal",
    "run_jobs",
    "suite_names",
    "test_transports",
]

#: Environment variables the runner sets itself; never part of a job's env.
RUNNER_VARS = {
    "LUT_TC_CONFIG",
    "LUT_TC_CORE",
    "LUT_TC_TRANSPORT",
    "LUT_TC_COV_DIR",
    "LUT_TC_COV_NAME",
    "LUT_TC_JOB_DIR",
    "LUT_TC_GROUP",
    "LUT_TC_PROGRESS",
}


#: The configuration of a one-test command line that names none.
DEFAULT_CONFIG = "M2N64"


def _int(field: str, text: str, minimum: int | None = None) -> int:
    try:
        v = int(text)
    except ValueError:
        raise SuiteError(f"{field}={text!r} is not an integer") from None
    if minimum is not None and v < minimum:
        raise SuiteError(f"{field}={v} must be >= {minimum}")
    return v


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--suite", default=None, help="regressions/<suite>.toml (smoke if none), or a path"
    )
    ap.add_argument("--test", help="run one test instead of a suite (the options below apply)")
    many = "a comma list, all, or empty for the suite's"
    ap.add_argument("--sim", default="", help=f"icarus, verilator: {many} (one test: icarus)")
    ap.add_argument("--transport", default="", help=f"pins, batch: {many} (one test: pins)")
    ap.add_argument(
        "--config",
        default="",
        help=f"configurations: a comma list, or empty for the suite's (one test: {DEFAULT_CONFIG})",
    )
    ap.add_argument("--core", default="", help=f"{', '.join(CORES)}: {many} (one test: lut_tc)")
    ap.add_argument(
        "--define",
        action="append",
        default=[],
        help="RTL define (planted bug) added to every job; repeat it or give a comma list",
    )
    ap.add_argument("--seed", default=None, help="run every test with this seed")
    ap.add_argument("--seeds", default=None, help="run every test N times: seed, seed+1, ...")
    ap.add_argument("--jobs", default=str(os.cpu_count() or 1), help="local workers (>= 1)")
    ap.add_argument("--waves", action="store_true", help="dump FST + GTKWave save file")
    ap.add_argument(
        "--list", action="store_true", help="print the jobs (id and repro command) and exit"
    )
    ap.add_argument("--out", type=Path, default=OUT, help="results, logs, JUnit XML, coverage")
    ap.add_argument(
        "--timeout",
        default=str(int(DEFAULT_TIMEOUT_S)),
        help="wall seconds a test may run before the watchdog kills its process",
    )
    ap.add_argument("--no-report", action="store_true", help="skip the HTML dashboard")
    g = ap.add_argument_group("distributed execution (Dask)")
    g.add_argument("--scheduler", help="a running Dask scheduler, e.g. tcp://host:8786")
    g.add_argument("--cluster", help=f"start workers through {', '.join(eng.CLUSTERS)}")
    g.add_argument("--queue", help="batch queue / partition (--cluster)")
    g.add_argument("--account", help="batch account / project (--cluster)")
    g.add_argument("--cores", default="2", help="cores per batch job (--cluster)")
    g.add_argument("--memory", default="8GB", help="memory per batch job (--cluster)")
    g.add_argument("--walltime", default="02:00:00", help="wall time per batch job (--cluster)")
    g.add_argument("--workers", default="2", help="batch jobs (workers) to start (--cluster)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    try:
        return _main(args)
    except (SuiteError, eng.EngineError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `--list | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


@dataclasses.dataclass(frozen=True)
class Choices:
    """What the command line chose, checked: None (or empty) where it left the suite's own."""

    sims: list[str] | None
    transports: list[str] | None
    configs: list[str] | None
    cores: list[str] | None
    defines: tuple[str, ...]
    seed: int | None
    seeds: int | None
    env: dict[str, str]


def _define(define: str, core: str | None = None) -> str:
    """``define`` if it is a planted bug (``core`` has a block for), else SuiteError (one line)."""
    try:
        return check_define(define, core)
    except ValueError as exc:
        raise SuiteError(str(exc)) from None


def choices(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> Choices:
    """Every job-shaping option of the command line, checked (one line for a bad value)."""
    defines = [d for arg in args.define for d in arg.split(",") if d]
    return Choices(
        sims=_many("sim", args.sim, simrun.SIMS),
        transports=_many("transport", args.transport, TRANSPORTS),
        configs=_many("config", args.config, CONFIGS),
        cores=_many("core", args.core, CORES),
        defines=tuple(_define(d) for d in dict.fromkeys(defines)),
        seed=None if args.seed in (None, "") else _int("SEED", args.seed),
        seeds=None if args.seeds in (None, "") else _int("SEEDS", args.seeds, 1),
        env=given_env(environ),
    )


def overrides(args: argparse.Namespace, c: Choices) -> dict[str, str]:
    """What the command line gave on top of the suite, by the make variable's name.

    Recorded in run.json and the run's first line (a run with a planted bug or
    another configuration is not the suite's own), and in ``--list``'s.
    """
    given = {
        "SIM": args.sim,
        "TRANSPORT": args.transport,
        "CONFIG": args.config,
        "CORE": args.core,
        "DEFINES": ",".join(c.defines),
        "SEED": "" if c.seed is None else str(c.seed),
        "SEEDS": "" if c.seeds is None else str(c.seeds),
    }
    return {k: v for k, v in given.items() if v} | dict(sorted(c.env.items()))


def _main(args: argparse.Namespace) -> int:
    n = _int("JOBS", args.jobs, 1)
    timeout = float(_int("timeout", args.timeout, 1))
    if args.cluster:
        choice("cluster", args.cluster, eng.CLUSTERS)
    c = choices(args)
    given = overrides(args, c)
    if args.test and args.suite:
        raise SuiteError(
            f"SUITE={args.suite} and TEST={args.test}: give one (a suite, or one test)"
        )
    if args.waves and (not args.test or c.seeds is not None):
        raise SuiteError(waves_run.refusal(c.seeds))
    if args.test:
        label = f"TEST={args.test}"
        jobs, lines = single_jobs(args.test, c)
    else:
        suite = args.suite or "smoke"
        label = Path(suite).stem if suite.endswith(".toml") else suite
        jobs, lines = suite_jobs(suite, label, c, given)
    # --list prints only the jobs on stdout (one per line), what it left out beside them
    info = sys.stderr if args.list else sys.stdout
    for line in lines:
        print(line, file=info)
    if args.list:
        print(f"{header(label, given)}: {len(jobs)} jobs", file=sys.stderr)
        for j in jobs:
            print(f"{j.job_id}  {j.repro()}")
        return 0
    if args.waves:
        if len(jobs) > 1:
            raise SuiteError(
                f"--waves reruns one job; {header(label, given)} gives {len(jobs)}: "
                "name one simulator, transport, configuration, core and seed"
            )
        return waves_run.run(jobs[0], None if args.out is OUT else args.out)
    options = eng.ClusterOptions(
        queue=args.queue,
        cores=_int("cores", args.cores, 1),
        memory=args.memory,
        walltime=args.walltime,
        workers=_int("workers", args.workers, 1),
        account=args.account,
    )
    return run_jobs(
        label,
        jobs,
        n,
        args.out,
        scheduler=args.scheduler,
        cluster=args.cluster,
        options=options,
        timeout_s=timeout,
        report=not args.no_report,
        command=_command_line(),
        overrides=given,
    )


def suite_jobs(
    suite: str, label: str, c: Choices, given: dict[str, str]
) -> tuple[list[Job], list[str]]:
    """A suite's jobs under the command line's choices, and a line per kind left out.

    Nothing left: one line naming the overrides and why each job went.
    """
    left_out: list[tuple[str, str, str]] = []
    jobs = expand(
        load_suite(suite),
        c.sims,
        c.seed,
        c.transports,
        c.seeds,
        c.cores,
        left_out,
        configs=c.configs,
        defines=c.defines,
        env=c.env,
    )
    lines = left_out_lines(left_out)
    if not jobs:
        why = "; ".join(lines) or "no job"
        raise SuiteError(f"refused: suite {header(label, given)}: nothing left to run: {why}")
    return jobs, lines


def _command_line() -> str:
    made = os.environ.get("REGRESS_MAKE_COMMAND")
    return made or "tools/regress.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _many(field: str, value: str, choices) -> list[str] | None:
    """``all`` -> every choice, ``""`` -> None (the suite's own), else those named (checked).

    Several are given comma-separated: ``CORE=mac,lut_conv``.
    """
    if not value:
        return None
    if value == "all":
        return list(choices)
    return [choice(field, v, choices) for v in dict.fromkeys(value.split(","))]


def given_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The ``LUT_TC_*`` knobs of the command line's environment (a repro command sets them)."""
    return {k: v for k, v in environ.items() if k.startswith("LUT_TC_") and k not in RUNNER_VARS}


def single_job(
    test: str,
    seed: int,
    sim: str,
    config: str,
    transport: str,
    defines: list[str],
    environ: Mapping[str, str] = os.environ,
    core: str = "",
) -> Job:
    """The job a one-test command line describes: exactly its env, defines, config and seed.

    One line (SuiteError) when the test cannot run so: a transport or a
    configuration it refuses, a configuration or a define the core does not build.
    """
    sim = choice("sim", sim or "icarus", simrun.SIMS)
    transport = choice("transport", transport or "pins", TRANSPORTS)
    core = choice("core", core or DEFAULT_CORE, CORES)
    config = config or DEFAULT_CONFIG
    try:
        config_by_name(config, core)
    except ValueError as exc:
        raise SuiteError(str(exc)) from None
    cfg_why = config_refusal(test, config)
    why = refusal(test, transport)
    if cfg_why:
        raise SuiteError(f"refused: {cfg_why}; asked for config {config}")
    if why:
        raise SuiteError(f"refused: {why}; asked for transport {transport}")
    for d in defines:
        _define(d, core)
        if define_refusal(d, config, core):
            fp = [n for n, cfg in CONFIGS.items() if cfg.has_fp and cfg.fits(core)]
            raise SuiteError(
                f"define={d!r}: config {config} builds no FP block for it; "
                f"choose an FP configuration ({', '.join(fp)})"
            )
    return Job(
        test,
        seed,
        sim,
        config,
        tuple(defines),
        job_env(test, given_env(environ)),
        transport,
        core,
    )


def single_jobs(test: str, c: Choices) -> tuple[list[Job], list[str]]:
    """The jobs of a one-test command line: every simulator, transport, configuration, core
    and seed it names (a comma list or ``all``), and a line per combination left out.

    A combination the test cannot run on is left out with its one-line reason;
    when the command line names one combination only, or none is left, that
    reason is the refusal.
    """
    test_transports(test)  # an unknown test: one line naming the known ones
    base = 1 if c.seed is None else c.seed
    seeds = [base + i for i in range(c.seeds or 1)]
    combos = [
        (sim, tr, cfg, core)
        for sim in c.sims or ["icarus"]
        for tr in c.transports or ["pins"]
        for cfg in c.configs or [DEFAULT_CONFIG]
        for core in c.cores or [DEFAULT_CORE]
    ]
    jobs: list[Job] = []
    refused: dict[str, int] = {}
    for sim, tr, cfg, core in combos:
        try:
            one = single_job(test, base, sim, cfg, tr, list(c.defines), c.env, core)
        except SuiteError as exc:
            if len(combos) == 1:
                raise
            why = str(exc).removeprefix("refused: ")
            refused[why] = refused.get(why, 0) + 1
            continue
        jobs += [dataclasses.replace(one, seed=s) for s in seeds]
    if not jobs:
        first = next(iter(refused))
        raise SuiteError(f"refused: TEST={test}: no combination asked for runs: {first}")
    k = len(seeds)
    lines = [
        f"left out: {n * k} {'job' if n * k == 1 else 'jobs'}: {why}" for why, n in refused.items()
    ]
    return jobs, lines


if __name__ == "__main__":
    sys.exit(main())
