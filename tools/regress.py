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
import json
import os
import shlex
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.config import config_by_name  # noqa: E402
from tb import simrun  # noqa: E402
from tb.build import build_for  # noqa: E402
from tb.regress import engine as eng  # noqa: E402
from tb.regress.group import DEFAULT_TIMEOUT_S, GroupResult, JobResult, run_group  # noqa: E402
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
    job_from_dict,
    job_to_dict,
    load_suite,
    refusal,
    suite_names,
    test_transports,
)
from tb.regress.progress import Progress  # noqa: E402
from tb.scoreboard import FIRST_ERROR_FILE  # noqa: E402
from tb.tests import test_class as _test_class  # noqa: E402
from tb.transports import TRANSPORTS  # noqa: E402

__all__ = [
    "SUITES",
    "Job",
    "Result",
    "SuiteError",
    "check_suite",
    "config_refusal",
    "expand",
    "load_suite",
    "refusal",
    "suite_names",
    "test_transports",
]

OUT = ROOT / "build" / "regress"
#: Environment variables the runner sets itself; never part of a job's env.
RUNNER_VARS = {
    "LUT_TC_CONFIG",
    "LUT_TC_TRANSPORT",
    "LUT_TC_COV_DIR",
    "LUT_TC_COV_NAME",
    "LUT_TC_JOB_DIR",
    "LUT_TC_GROUP",
    "LUT_TC_PROGRESS",
}
#: Wall time assumed for a job never run before (seconds), for grouping.
DEFAULT_ESTIMATE_S = 5.0


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
    if args.test:
        jobs = _single_jobs(args, seed, seeds)
        label = f"TEST={args.test}"
        if args.waves:
            return _waves(jobs[0], args.out)
    else:
        sims = _many("sim", args.sim, simrun.SIMS)
        transports = _many("transport", args.transport, TRANSPORTS)
        suite = load_suite(args.suite)
        jobs = expand(suite, sims, seed, transports, seeds)
        label = Path(args.suite).stem if args.suite.endswith(".toml") else args.suite
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
    """``all`` -> every choice, ``""`` -> None (the suite's own), else that one (checked)."""
    if not value:
        return None
    if value == "all":
        return list(choices)
    return [choice(field, value, choices)]


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
) -> Job:
    """The job a one-test command line describes: exactly its env, defines, config and seed."""
    sim = choice("sim", sim or "icarus", simrun.SIMS)
    transport = choice("transport", transport or "pins", TRANSPORTS)
    cfg_why = config_refusal(test, config)
    why = refusal(test, transport)
    if cfg_why:
        raise SuiteError(f"refused: {cfg_why}; asked for config {config}")
    if why:
        raise SuiteError(f"refused: {why}; asked for transport {transport}")
    from tb.build import BUGS

    for d in defines:
        choice("define", d, BUGS)
    return Job(
        test, seed, sim, config, tuple(defines), job_env(test, given_env(environ)), transport
    )


def _single_jobs(args: argparse.Namespace, seed: int | None, seeds: int | None) -> list[Job]:
    base = 1 if seed is None else seed
    one = single_job(args.test, base, args.sim, args.config, args.transport, args.define)
    if seeds is None:
        return [one]
    return [Job(**{**job_to_dict_args(one), "seed": base + i}) for i in range(seeds)]


def job_to_dict_args(j: Job) -> dict:
    return {f: getattr(j, f) for f in Job.__dataclass_fields__}


# --- running -------------------------------------------------------------------------------


def _estimates(out: Path) -> dict[str, float]:
    p = out / "walltimes.json"
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return {}


def run_jobs(
    label: str,
    jobs: list[Job],
    workers: int,
    out: Path,
    scheduler: str | None = None,
    cluster: str | None = None,
    options: eng.ClusterOptions | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    report: bool = True,
    command: str = "",
    extra_env: dict[str, str] | None = None,
) -> int:
    """Run ``jobs`` on the chosen engine; write results, run.json, JUnit, dashboard; print."""
    if not jobs:
        raise SuiteError(f"{label}: no jobs to run (every test refused these settings)")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    est = _estimates(out)
    results: dict[str, Result] = {}
    stats = {"processes": 0, "overhead_s": 0.0, "group_wall_s": 0.0}
    with eng.engine(workers, scheduler, cluster, options) as e:
        eng.check_shared_fs(e, out)
        _fresh(out)
        print(
            f"{label}: {len(jobs)} jobs, {len({j.build_key for j in jobs})} builds, "
            f"engine {e.kind} ({e.workers} workers, {e.address})",
            flush=True,
        )
        bar = Progress(len(jobs), label)

        def on_result(g: GroupResult) -> None:
            stats["processes"] += g.processes
            stats["group_wall_s"] += g.wall_s
            if g.processes:
                stats["overhead_s"] += max(0.0, g.wall_s - sum(r.wall_s for r in g.results))
            failed = 0
            for r in g.results:
                res = _keep(r, out)
                results[res.job.job_id] = res
                failed += res.result != "PASS"
            bar.advance(len(g.results), failed)

        try:
            nb, ng = eng.run(
                e,
                jobs,
                lambda j: est.get(j.job_id, DEFAULT_ESTIMATE_S),
                on_result,
                timeout_s=timeout_s,
                extra_env=extra_env,
                on_tick=bar.tick,
            )
        finally:
            bar.close()
        kind, address, nworkers = e.kind, e.address, e.workers
    wall = time.monotonic() - t0
    ordered = [results[j.job_id] for j in jobs]
    est.update({r.job.job_id: r.wall_s for r in ordered if r.result == "PASS"})
    (out / "walltimes.json").write_text(json.dumps(est))
    overhead = stats["overhead_s"] / len(jobs)
    record = {
        "schema": 1,
        "suite": label,
        "command": command,
        "started": started,
        "wall_s": round(wall, 2),
        "build_s": None,
        "engine": {"kind": kind, "workers": nworkers, "address": address},
        "processes": stats["processes"],
        "groups": ng,
        "builds": nb,
        "overhead_per_job_s": round(overhead, 3),
        "jobs": [_job_record(r, out) for r in ordered],
    }
    record["coverage"] = _coverage(out, record)
    tmp = out / "run.json.part"
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, out / "run.json")
    junit = out / "junit.xml"
    write_junit(ordered, junit, label)
    rc = summarize(ordered, junit)
    print(
        f"{_n(len(jobs), 'job')} in {_n(stats['processes'], 'simulator process')} "
        f"({_n(ng, 'group')}, {_n(nb, 'build')}): "
        f"{wall:.1f} s wall, start-up overhead {overhead:.2f} s per job"
    )
    if report:
        _report(out)
    return rc


def _n(k: int, what: str) -> str:
    return f"{k} {what}" + ("" if k == 1 else ("es" if what.endswith("s") else "s"))


def _fresh(out: Path) -> None:
    """The last run's per-job files go: a job that did not run must not show an old result."""
    for sub in ("runs", "cov"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True, exist_ok=True)
    (out / "run.json").unlink(missing_ok=True)


def _keep(r: JobResult, out: Path) -> Result:
    """Write a job's files under ``out`` (its folder, its coverage dump); the Result to report."""
    job = job_from_dict(r.job)
    d = out / "runs" / job.job_id
    d.mkdir(parents=True, exist_ok=True)
    for name, data in r.files.items():
        (d / name).write_bytes(data)
    if r.cov is not None:
        (out / "cov" / f"{job.job_id}.json").write_bytes(r.cov)
    first = _json(r.files.get(FIRST_ERROR_FILE))
    resp = _json(r.files.get("responses.json"))
    log = d / "sim.log"
    return Result(
        job,
        r.result,
        r.sim_time_ns,
        r.wall_s,
        str(log) if log.exists() else "",
        r.message,
        first,
        resp,
        r.attempt,
    )


def _json(data: bytes | None) -> dict | None:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _job_record(r: Result, out: Path) -> dict:
    return {
        "job_id": r.job.job_id,
        **job_to_dict(r.job),
        "result": r.result,
        "message": r.message,
        "first_error": r.first_error,
        "responses": r.responses,
        "sim_time_ns": r.sim_time_ns,
        "wall_s": round(r.wall_s, 3),
        "log": os.path.relpath(r.log, out) if r.log else "",
        "repro": r.job.repro(),
        "waves": r.job.waves(),
        "attempt": r.attempt,
        "cov_expected": not _test_class(r.job.test).expect_error,
    }


def _coverage(out: Path, record: dict) -> dict | None:
    """The merged coverage of this run for the dashboard (None if nothing was dumped)."""
    from tb.covdb import summary

    if not any((out / "cov").glob("*.json")):
        return None
    try:
        return summary([out / "cov"], record)
    except Exception as exc:  # the dashboard says so rather than no page at all
        return {"error": f"{type(exc).__name__}: {exc}"}


def _report(out: Path) -> None:
    try:
        from tb.regress.report import write_report
    except ImportError:
        return
    page = write_report(out / "run.json", out / "report", out / "history")
    print(f"dashboard: {page}")


def write_junit(results: list[Result], path: Path, label: str) -> None:
    """One JUnit testcase per job (CI systems read it)."""
    suite = ET.Element("testsuite", name=label, tests=str(len(results)))
    bad = 0
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=r.job.test, name=r.job.job_id, time=f"{r.wall_s:.3f}"
        )
        if r.result != "PASS":
            bad += 1
            tag = "failure" if r.result == "FAIL" else "error"
            node = ET.SubElement(case, tag, message=r.message[:300])
            node.text = f"reproduce: {r.job.repro()}\nlog: {r.log}"
    suite.set("failures", str(bad))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def summarize(results: list[Result], junit: Path) -> int:
    tw = max([24, *(len(r.job.test) for r in results)])
    hdr = (
        f"{'test':<{tw}} {'seed':>10} {'sim':<9} {'transport':<9} {'config':<8} {'result':<6} "
        f"{'sim time':>12} {'wall':>7}"
    )
    print("\n" + hdr + "\n" + "-" * len(hdr))
    for r in sorted(results, key=lambda r: (r.job.test, r.job.seed, r.job.sim, r.job.transport)):
        j = r.job
        print(
            f"{j.test:<{tw}} {j.seed:>10} {j.sim:<9} {j.transport:<9} {j.config:<8} "
            f"{r.result:<6} {r.sim_time_ns / 1000:>10.1f}us {r.wall_s:>6.1f}s"
        )
    failed = [r for r in results if r.result != "PASS"]
    print("-" * len(hdr))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    print(f"JUnit XML: {junit}")
    for r in failed:
        j = r.job
        print(
            f"\nFAILED {j.test} seed={j.seed} sim={j.sim} transport={j.transport} "
            f"config={j.config}: {r.message}"
        )
        if r.first_error:
            print(f"  first error: {r.first_error.get('error', '')[:200]}")
        print(f"  log:        {r.log or '(none)'}")
        print(f"  reproduce:  {j.repro()}")
        print(f"  with waves: {j.waves()}")
    return 1 if failed else 0


# --- one test with waves ----------------------------------------------------------------------


def _waves(job: Job, out: Path) -> int:
    """Run one job on a traced build, in place, and write the GTKWave save file."""
    from tools.waves import ERROR_WINDOW_NS, check_save_file, core_scope, write_save_file

    out = ROOT / "build" / "waves" if out == OUT else out
    build_for(job.sim, config_by_name(job.config), job.transport, job.defines, waves=True)
    work = out / job.job_id
    shutil.rmtree(work, ignore_errors=True)
    g = run_group([job_to_dict(job)], cov=False, workdir=str(work), waves=True)
    r = g.results[0]
    jd = work / "jobs" / job.job_id
    res = Result(job, r.result, r.sim_time_ns, r.wall_s, str(jd / "sim.log"), r.message)
    rc = summarize([res], Path("-"))
    dump = _find_dump(jd)
    if dump is None:
        print("no wave file was written")
        return 1
    window, marker, first = (0.0, max(res.sim_time_ns, 1.0)), None, _first_error(jd)
    if first is not None:
        marker = first["time_ns"]
        window = (marker - ERROR_WINDOW_NS, marker + ERROR_WINDOW_NS)
        print(f"first error at {marker:.0f} ns (marker set): {first['error'][:160]}")
    gtkw = write_save_file(
        dump, config_by_name(job.config), core_scope(job.transport), window, marker
    )
    for problem in check_save_file(gtkw, dump):
        print(f"warning: {problem}")
    print(f"\nwaves: {dump}\nopen:  gtkwave {shlex.quote(str(gtkw))}")
    return rc


def _first_error(test_dir: Path) -> dict | None:
    """The scoreboard's first error of a run (time and message), if it had one."""
    p = test_dir / FIRST_ERROR_FILE
    return json.loads(p.read_text()) if p.exists() else None


def _find_dump(test_dir: Path) -> Path | None:
    cands = list(test_dir.glob("*.fst"))
    return max(cands, key=lambda p: p.stat().st_mtime) if cands else None


if __name__ == "__main__":
    sys.exit(main())
