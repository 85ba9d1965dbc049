#!/usr/bin/env python3
"""Regression runner: suite file -> builds -> groups of tests per simulator process -> results.

A suite (``regressions/<name>.toml``) is data: tests x seeds x configs x
simulators x transports (:mod:`tb.regress.jobs`). Jobs that share a build and
an env run as one group in one simulator process (:mod:`tb.regress.group`);
groups run on Dask workers (:mod:`tb.regress.engine`): an in-process local
cluster by default, ``--scheduler`` for a running one, ``--cluster`` to start
workers through Slurm, LSF, PBS or SGE. Every run writes
``build/regress/run.json``, JUnit XML, each job's log and the dashboard
``build/regress/report/index.html``; every failure is printed with the
command that reruns exactly that job.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.config import CORES, DEFAULT_CORE, config_by_name  # noqa: E402
from tb import simrun  # noqa: E402
from tb.build import build_for  # noqa: E402
from tb.regress import engine as eng  # noqa: E402
from tb.regress.group import DEFAULT_TIMEOUT_S  # noqa: E402
from tb.regress.jobs import (  # noqa: E402
    SUITES,
    Job,
    Result,
    SuiteError,
    check_suite,
    choice,
    config_refusal,
    expand,
    job_env,
    left_out_lines,
    load_suite,
    refusal,
    suite_names,
    test_transports,
)
from tb.regress.runner import OUT, run_jobs  # noqa: E402
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
    ap.add_argument("--suite", default="smoke", help="regressions/<suite>.toml, or a path")
    ap.add_argument("--sim", default="", help="icarus, verilator, all, or empty for the suite's")
    ap.add_argument("--seed", default=None, help="run every test with this seed")
    ap.add_argument("--seeds", default=None, help="run every test N times: seed, seed+1, ...")
    ap.add_argument("--jobs", default=str(os.cpu_count() or 1), help="local workers (>= 1)")
    ap.add_argument("--test", help="run one test (with --config, --seed) instead of a suite")
    ap.add_argument("--config", default="M2N64")
    ap.add_argument(
        "--core",
        default="",
        help=f"{', '.join(CORES)}, all, or empty for the suite's (one test: lut_tc)",
    )
    ap.add_argument(
        "--transport", default="", help="pins, batch, all, or empty for the suite's own"
    )
    ap.add_argument("--define", action="append", default=[], help="RTL define (bug injection)")
    ap.add_argument("--waves", action="store_true", help="dump FST + GTKWave save file")
    ap.add_argument("--list", action="store_true", help="print the jobs and exit")
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


def _main(args: argparse.Namespace) -> int:
    n = _int("JOBS", args.jobs, 1)
    timeout = float(_int("timeout", args.timeout, 1))
    seed = None if args.seed in (None, "") else _int("SEED", args.seed)
    seeds = None if args.seeds in (None, "") else _int("SEEDS", args.seeds, 1)
    if args.cluster:
        choice("cluster", args.cluster, eng.CLUSTERS)
    if args.waves:  # one traced rerun, its own folder: tools/waves_run.py
        if not args.test or seeds is not None:
            raise SuiteError(waves_run.refusal(seeds))
        return waves_run.run(
            _single_jobs(args, seed, None)[0], None if args.out == OUT else args.out
        )
    if args.test:
        jobs = _single_jobs(args, seed, seeds)
        label = f"TEST={args.test}"
    else:
        sims = _many("sim", args.sim, simrun.SIMS)
        transports = _many("transport", args.transport, TRANSPORTS)
        cores = _many("core", args.core, CORES)
        suite = load_suite(args.suite)
        left_out: list[tuple[str, str, str]] = []
        jobs = expand(suite, sims, seed, transports, seeds, cores, left_out)
        label = Path(args.suite).stem if args.suite.endswith(".toml") else args.suite
        for line in left_out_lines(left_out):
            print(line)
        if not jobs:
            raise SuiteError(f"suite {label}: no job runs on core {args.core}")
    if args.list:
        for j in jobs:
            print(j.job_id, " ".join(j.defines))
        return 0
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
    )


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


def given_env(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, str]:
    """The ``LUT_TC_*`` knobs of the command line's environment (a repro command sets them)."""
    return {k: v for k, v in environ.items() if k.startswith("LUT_TC_") and k not in RUNNER_VARS}


def single_job(
    test: str,
    seed: int,
    sim: str,
    config: str,
    transport: str,
    defines: list[str],
    environ: os._Environ[str] | dict[str, str] = os.environ,
    core: str = "",
) -> Job:
    """The job a one-test command line describes: exactly its env, defines, config and seed."""
    sim = choice("sim", sim or "icarus", simrun.SIMS)
    transport = choice("transport", transport or "pins", TRANSPORTS)
    core = choice("core", core or DEFAULT_CORE, CORES)
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
    from tb.build import BUGS, CORE_BUGS

    for d in defines:
        choice("define", d, BUGS)
        if d not in CORE_BUGS[core]:
            raise SuiteError(
                f"define={d!r}: core {core} has no block with that bug; "
                f"on {core} choose one of {list(CORE_BUGS[core])}"
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


def _single_jobs(args: argparse.Namespace, seed: int | None, seeds: int | None) -> list[Job]:
    base = 1 if seed is None else seed
    one = single_job(
        args.test, base, args.sim, args.config, args.transport, args.define, core=args.core
    )
    if seeds is None:
        return [one]
    return [dataclasses.replace(one, seed=base + i) for i in range(seeds)]


if __name__ == "__main__":
    sys.exit(main())
