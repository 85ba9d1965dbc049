# SPDX-License-Identifier: Apache-2.0
"""Which jobs a command line asks for: its options checked, then a suite narrowed or
one test expanded by them (``tools/regress.py`` is the command line).

Every job-shaping option (simulators, transports, configurations, cores,
planted bugs, seeds, ``LUT_TC_*`` knobs) takes effect in both modes, a suite
or one test, or is refused with one line; a combination a test cannot run
on is left out with its reason, and the refusal names it when nothing is left.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping

from flow import simrun
from flow.bugs import check_define
from flow.codecov.flags import NO_ICARUS
from flow.regress.jobs import (
    Job,
    SuiteError,
    choice,
    config_refusal,
    define_refusal,
    expand,
    job_env,
    left_out_lines,
    load_suite,
    refusal,
    test_transports,
)
from flow.regress.runner import header
from models.config import CONFIGS, CORES, DEFAULT_CORE, config_by_name
from tb.transports import TRANSPORTS

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


def int_option(field: str, text: str, minimum: int | None = None) -> int:
    """``text`` as an integer of at least ``minimum``; one line naming ``field`` if not."""
    try:
        v = int(text)
    except ValueError:
        raise SuiteError(f"{field}={text!r} is not an integer") from None
    if minimum is not None and v < minimum:
        raise SuiteError(f"{field}={v} must be >= {minimum}")
    return v


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
    #: Verilator code coverage (``COVERAGE=1``); None: the suite's ``coverage`` key
    coverage: bool | None = None


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
        seed=None if args.seed in (None, "") else int_option("SEED", args.seed),
        seeds=None if args.seeds in (None, "") else int_option("SEEDS", args.seeds, 1),
        env=given_env(environ),
        coverage=_coverage(getattr(args, "coverage", None)),
    )


def _coverage(value: str | None) -> bool | None:
    """``COVERAGE=1`` / ``0`` (``--coverage``): on, off, or None for the suite's own."""
    if value in (None, ""):
        return None
    if value not in ("0", "1"):
        raise SuiteError(f"COVERAGE={value!r} unknown; choose one of 1, 0")
    return value == "1"


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
        "COVERAGE": "" if c.coverage is None else str(int(c.coverage)),
    }
    return {k: v for k, v in given.items() if v} | dict(sorted(c.env.items()))


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
        coverage=c.coverage,
    )
    lines = left_out_lines(left_out)
    if not jobs:
        why = "; ".join(lines) or "no job"
        raise SuiteError(f"refused: suite {header(label, given)}: nothing left to run: {why}")
    return jobs, lines


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
    coverage: bool = False,
) -> Job:
    """The job a one-test command line describes: exactly its env, defines, config and seed.

    One line (SuiteError) when the test cannot run so: a transport or a
    configuration it refuses, a configuration or a define the core does not build,
    code coverage on Icarus.
    """
    sim = choice("sim", sim or "icarus", simrun.SIMS)
    if coverage and sim != "verilator":
        raise SuiteError(f"refused: {NO_ICARUS}; asked for sim {sim}")
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
        why_not = define_refusal(d, config, core)
        if why_not:
            fits = [n for n in CONFIGS if CONFIGS[n].fits(core) and not define_refusal(d, n, core)]
            raise SuiteError(
                f"define={d!r}: {why_not}; choose a configuration that has it ({', '.join(fits)})"
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
        coverage and not defines,
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
        for sim in c.sims or (["verilator"] if c.coverage else ["icarus"])
        for tr in c.transports or ["pins"]
        for cfg in c.configs or [DEFAULT_CONFIG]
        for core in c.cores or [DEFAULT_CORE]
    ]
    jobs: list[Job] = []
    refused: dict[str, int] = {}
    for sim, tr, cfg, core in combos:
        try:
            one = single_job(
                test, base, sim, cfg, tr, list(c.defines), c.env, core, bool(c.coverage)
            )
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
