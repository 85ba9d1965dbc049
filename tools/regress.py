#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
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

# This file is the command line (its docstring is --help): which jobs it asks
# for is flow.regress.select, running them flow.regress.runner.

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
    expand,
    left_out_lines,
    load_suite,
    refusal,
    suite_names,
    test_transports,
)
from flow.regress.runner import OUT, header, run_jobs  # noqa: E402
from flow.regress.select import (  # noqa: E402
    DEFAULT_CONFIG,
    RUNNER_VARS,
    Choices,
    choices,
    given_env,
    int_option,
    overrides,
    single_job,
    single_jobs,
    suite_jobs,
)
from models.config import CORES, config_by_name  # noqa: E402
from tools import waves_run  # noqa: E402

__all__ = [
    "SUITES",
    "Job",
    "Result",
    "SuiteError",
    "DEFAULT_CONFIG",
    "RUNNER_VARS",
    "Choices",
    "build_for",
    "check_suite",
    "choices",
    "config_by_name",
    "config_refusal",
    "expand",
    "left_out_lines",
    "load_suite",
    "given_env",
    "overrides",
    "refusal",
    "run_jobs",
    "single_job",
    "single_jobs",
    "suite_jobs",
    "suite_names",
    "test_transports",
]


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
    ap.add_argument(
        "--coverage",
        default=None,
        help="1: Verilator code coverage builds, merged and reported per core (Icarus jobs "
        "left out); 0: none; default: the suite's coverage key",
    )
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


def _main(args: argparse.Namespace) -> int:
    n = int_option("JOBS", args.jobs, 1)
    timeout = float(int_option("timeout", args.timeout, 1))
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
    if args.waves and c.coverage:
        raise SuiteError("--waves: a traced rerun counts no code coverage; drop COVERAGE=1")
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
        cores=int_option("cores", args.cores, 1),
        memory=args.memory,
        walltime=args.walltime,
        workers=int_option("workers", args.workers, 1),
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


def _command_line() -> str:
    made = os.environ.get("REGRESS_MAKE_COMMAND")
    return made or "tools/regress.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
