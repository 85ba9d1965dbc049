# SPDX-License-Identifier: Apache-2.0
"""Run a list of jobs and keep what they leave: files, run.json, JUnit XML, the dashboard.

What every front end shares (``tools/regress.py``, ``tools/crosscheck.py``,
the benchmarks): the jobs go to :mod:`flow.regress.engine` as groups, each
group's results come back as data and are written into the run's own folder
(each job's folder ``runs/<job>/`` and coverage dump ``cov/<job>.json``),
then the run's record ``run.json`` (schema 1, what the dashboard and ``make
cov`` read), a JUnit file, the printed summary with every failure's repro
commands, and the dashboard ``report/index.html`` with its history.

The run folder is new for every run (:mod:`flow.regress.rundirs`:
``build/regress/<label>-<time>/``, ``latest`` pointing at the newest), so a
repro never erases the regression it came from; a folder the caller names
(``--out``) is used as the run folder itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flow.regress import engine as eng
from flow.regress.files import write_atomic
from flow.regress.group import DEFAULT_TIMEOUT_S, GroupResult, JobResult, ProcessCounts
from flow.regress.jobs import ROOT, Job, Result, SuiteError, job_from_dict, job_to_dict
from flow.regress.progress import Eta, Progress
from flow.regress.rundirs import RUNS, history_dir, new_run_dir, point_latest
from tb.scoreboard import FIRST_ERROR_FILE
from tb.tests import test_class

#: The command line's default ``--out``: this very object means "a new run folder under it".
OUT = RUNS
#: Wall time assumed for a job never run before (seconds), for grouping.
DEFAULT_ESTIMATE_S = 5.0
#: Every job's last wall time, whatever ``out`` its run used: the groups of the next run
#: are planned from it (a job id names test, seed, simulator, transport, config, defines).
WALLTIMES = ROOT / "build" / "walltimes.json"


def _estimates() -> dict[str, float]:
    try:
        return json.loads(WALLTIMES.read_text())
    except (OSError, ValueError):
        return {}


def estimator(known: dict[str, float]):
    """A job's expected wall time: its own last one, else its test's median, else the default.

    A job id ends in ``-<test>-<seed>``; the same test on another seed,
    simulator or configuration is the best guess for a job never run.
    """
    by_test: dict[str, list[float]] = {}
    for job_id, wall in known.items():
        test = job_id.rsplit("-", 2)[-2] if job_id.count("-") >= 2 else ""
        by_test.setdefault(test, []).append(wall)
    median = {t: sorted(w)[len(w) // 2] for t, w in by_test.items()}

    def estimate(job: Job) -> float:
        return known.get(job.job_id, median.get(job.test, DEFAULT_ESTIMATE_S))

    return estimate


def _keep_estimates(results: list[Result]) -> None:
    """Merge this run's wall times into :data:`WALLTIMES` (written whole, then renamed)."""
    est = _estimates()
    # a coverage build runs slower: its times would mislead the plan of the default runs
    ok = [r for r in results if r.result == "PASS" and not r.job.coverage]
    est.update({r.job.job_id: round(r.wall_s, 3) for r in ok})
    WALLTIMES.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(WALLTIMES, json.dumps(est))


def run_jobs(
    label: str,
    jobs: list[Job],
    workers: int,
    out: Path | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
    options: eng.ClusterOptions | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    report: bool = True,
    command: str = "",
    extra_env: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> int:
    """Run ``jobs`` on the chosen engine; write results, run.json, JUnit, dashboard; print.

    ``out``: the run folder. ``None`` (or :data:`OUT` itself, the command
    line's default) makes a new one under ``build/regress`` and points
    ``latest`` at it once ``run.json`` is written; any other path is used as
    the run folder as it is (its earlier per-job files are replaced). The
    history is ``history/`` beside the run folder. ``overrides``: what the
    command line changed of a suite (``{"DEFINES": "LUT_TC_BUG_NO_NEGATE"}``),
    recorded in run.json, printed in the header and keyed on by the history.
    """
    if not jobs:
        raise SuiteError(f"{label}: no jobs to run (every test refused these settings)")
    overrides = {str(k): str(v) for k, v in (overrides or {}).items()}
    own = out is None or out is OUT
    out = new_run_dir(RUNS, label) if own else Path(out)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    est = _estimates()
    estimate = estimator(est)
    results: dict[str, Result] = {}
    builds: list[dict] = []
    stats = {"processes": 0, "overhead_s": 0.0}
    with (
        _removed_if_refused(out, own),
        eng.engine(workers, scheduler, cluster, options) as e,
        eng.shared_marker(e, out) as marker,
    ):
        eng.check_shared_fs(e, marker)
        _fresh(out)
        n_builds = len({j.build_key for j in jobs})
        groups = eng.plan_groups(jobs, max(1, e.workers), estimate)
        print(
            f"{header(label, overrides)}: {len(jobs)} jobs, {n_builds} builds, "
            f"engine {e.kind} ({e.workers} workers, {e.address})",
            flush=True,
        )
        print(f"results: {show(out)}", flush=True)
        eta = Eta({j.job_id: estimate(j) for j in jobs}, e.workers, len(groups))
        bar = Progress(len(jobs), label, builds=n_builds, eta=eta)

        def on_result(g: GroupResult) -> None:
            stats["processes"] += g.processes
            overhead = None
            if g.processes:
                overhead = max(0.0, g.wall_s - sum(r.wall_s for r in g.results))
                stats["overhead_s"] += overhead
            for c in g.counts:
                _keep_counts(c, out)
            failed = 0
            walls = {}
            for r in g.results:
                res = _keep(r, out)
                results[res.job.job_id] = res
                walls[res.job.job_id] = res.wall_s
                failed += res.result != "PASS"
            eta.finished(walls, overhead / max(1, g.processes) if overhead is not None else None)
            bar.advance(len(g.results), failed)

        def on_build(b: eng.BuildDone) -> None:
            builds.append({"name": b.name, "seconds": round(b.seconds, 2), "error": b.error})
            bar.build_done(b.name, b.seconds, b.error)

        try:
            nb, ng = eng.run(
                e,
                jobs,
                estimate,
                on_result,
                timeout_s=timeout_s,
                extra_env=extra_env,
                on_tick=bar.tick,
                marker=marker,
                on_build=on_build,
                on_building=bar.build_running,
                groups=groups,
            )
        finally:
            bar.close()
        kind, address, nworkers = e.kind, e.address, e.workers
    wall = time.monotonic() - t0
    ordered = [results[j.job_id] for j in jobs]
    _keep_estimates(ordered)
    overhead = stats["overhead_s"] / len(jobs)
    record = {
        "schema": 1,
        "suite": label,
        "overrides": overrides,
        "command": command,
        "started": started,
        "wall_s": round(wall, 2),
        "build_s": round(sum(b["seconds"] for b in builds), 2) if builds else None,
        "builds_detail": sorted(builds, key=lambda b: -b["seconds"]),
        "engine": {"kind": kind, "workers": nworkers, "address": address},
        "processes": stats["processes"],
        "groups": ng,
        "builds": nb,
        "overhead_per_job_s": round(overhead, 3),
        "cov_env": _cov_env(extra_env),
        "jobs": [_job_record(r, out) for r in ordered],
    }
    record["coverage"] = _coverage(out, record)
    codecov_failed = _codecov(out, jobs)
    write_atomic(out / "run.json", json.dumps(record, indent=1))
    if own:
        point_latest(out)
    junit = out / "junit.xml"
    write_junit(ordered, junit, label)
    rc = summarize(ordered, junit) or codecov_failed
    print(
        f"{_n(len(jobs), 'job')} in {_n(stats['processes'], 'simulator process')} "
        f"({_n(ng, 'group')}, {_n(nb, 'build')}): "
        f"{wall:.1f} s wall, start-up overhead {overhead:.2f} s per job"
    )
    if report:
        _report(out)
    return rc


@contextlib.contextmanager
def _removed_if_refused(out: Path, own: bool) -> Iterator[None]:
    """A run folder made for this run goes again if the engine refuses the run (one line)."""
    try:
        yield
    except eng.EngineError:
        if own:
            shutil.rmtree(out, ignore_errors=True)
        raise


def header(label: str, overrides: dict[str, str]) -> str:
    """The run's name as its first line gives it: ``smoke (DEFINES=LUT_TC_BUG_NO_NEGATE)``."""
    given = " ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    return f"{label} ({given})" if given else label


def show(path: Path | str) -> str:
    """A path as printed: relative to the working folder when under it, else as it is."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _cov_env(extra_env: dict[str, str] | None) -> dict[str, str]:
    """The run-wide coverage switch, if the caller set one (the dashboard explains a gap)."""
    return {k: v for k, v in (extra_env or {}).items() if k == "LUT_TC_COV"}


def _n(k: int, what: str) -> str:
    return f"{k} {what}" + ("" if k == 1 else ("es" if what.endswith("s") else "s"))


def _fresh(out: Path) -> None:
    """The last run's per-job files go: a job that did not run must not show an old result."""
    for sub in ("runs", "cov"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True, exist_ok=True)
    for sub in ("codecov", "signoff"):
        shutil.rmtree(out / sub, ignore_errors=True)
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


def _keep_counts(c: ProcessCounts, out: Path) -> None:
    """A process's code coverage counts and the jobs it ran: ``codecov/dat/<name>.dat|.json``.

    Named after the process's first job and attempt, so no two processes of a
    run share a file; a process that wrote none is recorded with ``dat`` null.
    """
    from flow.codecov.report import CODECOV

    d = out / CODECOV / "dat"
    d.mkdir(parents=True, exist_ok=True)
    name = f"{c.first_job}.p{c.attempt}"
    if c.dat is not None:
        (d / f"{name}.dat").write_bytes(c.dat)
    side = {
        "first_job": c.first_job,
        "core": c.core,
        "config": c.config,
        "transport": c.transport,
        "attempt": c.attempt,
        "jobs": c.jobs,
        "dat": f"{name}.dat" if c.dat is not None else None,
    }
    write_atomic(d / f"{name}.json", json.dumps(side, indent=1))


def _codecov(out: Path, jobs: list[Job]) -> int:
    """Merge and report a coverage run's code coverage; 1 if a waiver is wrong or stale."""
    if not any(j.coverage for j in jobs):
        return 0
    from flow.codecov.report import lines, write

    panel = write(out)
    for line in lines(panel):
        print(line)
    return 1 if panel["error"] else 0


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
        # a planted bug makes another design: its run dumps no coverage (flow.covdb.runs)
        "cov_expected": not (test_class(r.job.test).expect_error or r.job.defines),
    }


def _coverage(out: Path, record: dict) -> dict | None:
    """The merged coverage of this run for the dashboard (None if nothing was dumped)."""
    from flow.covdb import summary

    if not any((out / "cov").glob("*.json")):
        return None
    try:
        return summary([out / "cov"], record)
    except Exception as exc:  # the dashboard says so rather than no page at all
        return {"error": f"{type(exc).__name__}: {exc}"}


def _report(out: Path) -> None:
    try:
        from flow.regress.report import write_report
    except ImportError:
        return
    page = write_report(out / "run.json", out / "report", history_dir(out))
    print(f"dashboard: {show(page)}")


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
            f"{j.test:<{tw}} {j.seed:>10} {j.sim:<9} {j.transport:<9} {j.label:<8} "
            f"{r.result:<6} {r.sim_time_ns / 1000:>10.1f}us {r.wall_s:>6.1f}s"
        )
    failed = [r for r in results if r.result != "PASS"]
    print("-" * len(hdr))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    print(f"JUnit XML: {show(junit)}")
    for r in failed:
        j = r.job
        print(
            f"\nFAILED {j.test} seed={j.seed} sim={j.sim} transport={j.transport} "
            f"config={j.label}: {r.message}"
        )
        if r.first_error:
            print(f"  first error: {r.first_error.get('error', '')[:200]}")
        print(f"  log:        {show(r.log) if r.log else '(none)'}")
        print(f"  reproduce:  {j.repro()}")
        print(f"  with waves: {j.waves()}")
    return 1 if failed else 0
