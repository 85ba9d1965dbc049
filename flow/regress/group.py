# SPDX-License-Identifier: Apache-2.0
"""One group of jobs in one simulator process, supervised: the unit of work of a regression.

Starting a simulator, Python, pyuvm and the test modules costs seconds; most
jobs simulate for less. Jobs that share a build therefore run as one cocotb
regression (:mod:`tb.test_lut_tc` group mode), each test with its own seed,
env, folder, coverage dump, log section and verdict. A test that fails
loses only itself. One that hangs (no new test for ``timeout_s`` of wall
time: the watchdog kills the process) or crashes the simulator loses only
itself too: the runner reruns the rest of the group in a new process
(``attempt`` 2, 3, ...), so every job gets exactly one result.

:func:`run_group` runs in a regression worker (a Dask worker, local or on a
cluster node). It works in a private scratch folder and returns the results
with the files each job produced as data, so the submitting machine gets
logs, coverage dumps and response digests whichever machine ran them.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flow import simrun
from flow.build import TEST_MODULE, toplevel_for
from flow.codecov.flags import DAT_NAME
from flow.regress.jobs import Job, job_from_dict, job_to_dict
from tb.timebase import WAITED_FILE

#: Files a job leaves in its folder that the submitter keeps.
JOB_FILES = ("sim.log", "scoreboard_first_error.json", "responses.json", "responses.npz")
PROGRESS = "current.json"
DEFAULT_TIMEOUT_S = 1800.0


@dataclass
class JobResult:
    """A job's verdict and files, as plain data (it crosses process and machine boundaries)."""

    job: dict
    result: str = "ERROR"  #: PASS / FAIL / ERROR
    message: str = ""
    sim_time_ns: float = 0.0
    wall_s: float = 0.0  #: the test's own wall time inside its process
    attempt: int = 1
    files: dict[str, bytes] = field(default_factory=dict)  #: name -> content
    cov: bytes | None = None  #: the coverage dump


@dataclass
class ProcessCounts:
    """The code coverage counts one simulator process wrote at exit, and the jobs it ran.

    One ``.dat`` per process attempt: the jobs of a group share the process, and
    a rerun after a crash is a new process with a new file, so no two processes
    ever write the same one. ``dat`` is None when the process wrote none (it
    crashed or was killed before its exit): ``jobs`` then lost their counts.
    """

    first_job: str  #: the job id of the process's first job: names its file in the run folder
    core: str
    config: str
    transport: str
    attempt: int
    jobs: list[str]  #: the job ids that ran (to a verdict, or to the crash) in this process
    dat: bytes | None


@dataclass
class GroupResult:
    results: list[JobResult]
    processes: int  #: simulator processes it took (1 unless a test crashed or hung)
    wall_s: float  #: wall time of all its processes
    host: str = ""
    counts: list[ProcessCounts] = field(default_factory=list)  #: code coverage builds only


def _die_with_parent() -> None:
    """Child side of fork: the simulator dies with the worker that started it."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:  # pragma: no cover - not Linux
        pass
    os.setpgrp()


def _supervised(log: Path, progress: Path, timeout_s: float, outcome: dict):
    """An ``execute`` for :func:`flow.simrun.run`: the simulator with a wall-clock watchdog.

    The watchdog looks at the progress file the group test writes when each
    test starts; a test running longer than ``timeout_s`` gets the process
    group killed (``outcome['killed']``). The exit code goes to ``outcome``.
    """

    def execute(cmds: Sequence, cwd, env) -> None:
        with open(log, "ab") as fh:
            for cmd in cmds:
                proc = subprocess.Popen(
                    [str(c) for c in cmd],
                    cwd=cwd,
                    env=env,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                )
                started = time.monotonic()
                while proc.poll() is None:
                    try:
                        since = progress.stat().st_mtime
                        age = time.time() - since
                    except FileNotFoundError:
                        age = time.monotonic() - started
                    if age > timeout_s:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait()
                        outcome["killed"] = age
                        break
                    time.sleep(0.2)
                outcome["rc"] = proc.returncode
                if proc.returncode != 0:
                    return

    return execute


def _own_sim_time(sim_ns: float, waited: Path) -> float:
    """A group test's simulated time without its wait for its time 0: what it takes alone.

    The wait (less than a nanosecond, :mod:`tb.timebase`) is given in whole steps;
    rounding to the picosecond takes off the float error of the subtraction.
    """
    if not waited.exists():
        return sim_ns
    return round(sim_ns - float(json.loads(waited.read_text())["waited_ns"]), 3)


def _entry_name(i: int, job: Job) -> str:
    return f"job{i:04d}_{job.test}"


def _verdicts(xml: Path) -> dict[str, tuple[str, str, float, float]]:
    """name -> (result, message, sim_time_ns, wall_s) of every test the results file has."""
    if not xml.exists():
        return {}
    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError:
        return {}
    out = {}
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        sim_ns = float(props.get("sim_time_duration") or 0.0)
        wall = float(case.get("time") or 0.0)
        bad = next((case.find(t) for t in ("failure", "error") if case.find(t) is not None), None)
        skipped = case.find("skipped")
        if bad is not None:
            msg = (bad.get("message") or "failed").splitlines()[0][:300]
            out[case.get("name")] = ("FAIL", msg, sim_ns, wall)
        elif skipped is not None:
            why = (skipped.get("message") or "no reason given").splitlines()[0][:200]
            out[case.get("name")] = ("ERROR", f"skipped, not run: {why}", 0, 0)
        else:
            out[case.get("name")] = ("PASS", "", sim_ns, wall)
    return out


def _drop_terminated(verdicts: dict, order: list[str]) -> None:
    """Tests cocotb failed without running them, after the simulator ended, are not results.

    When the simulator itself stops (an RTL ``$fatal``, a crash cocotb
    notices), cocotb fails the test that ran and then every test still
    queued with the same error, in zero time. Those are run again.
    """
    seen: set[str] = set()
    for name in order:
        v = verdicts.get(name)
        if v is None:
            continue
        if v[0] == "FAIL" and v[1] in seen and v[2] == 0 and v[3] == 0:
            del verdicts[name]
        elif v[0] == "FAIL":
            seen.add(v[1])


def split_log(text: str, names: dict[str, str]) -> dict[str, str]:
    """Each job's section of a group's log, from cocotb's ``running <test>`` line to the next.

    ``names`` maps a group test's name to its job id. The start-up lines
    before the first test go to the first job, so a simulator that failed
    before any test still leaves its words somewhere.
    """
    pat = re.compile(rf"^.*running {re.escape(TEST_MODULE)}\.(\w+) \(", re.M)
    marks = [(m.start(), names[m.group(1)]) for m in pat.finditer(text) if m.group(1) in names]
    out = dict.fromkeys(names.values(), "")
    if not marks:
        if names:
            out[next(iter(names.values()))] = text
        return out
    bounds = [*marks, (len(text), None)]
    for (start, jid), (end, _) in zip(bounds, bounds[1:], strict=False):
        out[jid] += text[start:end]
    first = marks[0][1]
    out[first] = text[: marks[0][0]] + out[first]
    return out


def run_group(
    jobs: Sequence[dict],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    cov: bool = True,
    workdir: str | None = None,
    waves: bool = False,
    extra_env: dict[str, str] | None = None,
) -> GroupResult:
    """Run ``jobs`` (same :attr:`~flow.regress.jobs.Job.group_key`) in as few processes as it takes.

    The build must exist (the engine builds first). ``workdir``: run there
    and leave the files (a lone local run, waves); otherwise a scratch folder
    that is removed after its files were read into the results.
    """
    todo = [job_from_dict(d) for d in jobs]
    if len({j.group_key for j in todo}) > 1:
        raise ValueError("jobs: a group's jobs must share one build")
    scratch = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="lut_tc_group_"))
    scratch.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    done: dict[str, JobResult] = {}
    counts: list[ProcessCounts] = []
    processes = 0
    try:
        attempt = 0
        while todo:
            attempt += 1
            processes += 1
            finished, lost = _one_process(todo, scratch, attempt, timeout_s, cov, waves, extra_env)
            if todo[0].coverage:
                counts.append(_counts(todo[0], scratch, attempt, [*finished, *lost]))
            done.update(finished)
            todo = [j for j in todo if j.job_id not in done and j.job_id not in lost]
            done.update(lost)
        results = [done[j.job_id] for j in map(job_from_dict, jobs)]
        for r in results:
            job_id = job_from_dict(r.job).job_id
            jd = scratch / "jobs" / job_id
            r.files = {n: (jd / n).read_bytes() for n in JOB_FILES if (jd / n).exists()}
            r.sim_time_ns = _own_sim_time(r.sim_time_ns, jd / WAITED_FILE)
            cp = scratch / "cov" / f"{job_id}.json"
            r.cov = cp.read_bytes() if cp.exists() else None
        host = os.uname().nodename
        return GroupResult(results, processes, time.monotonic() - t0, host, counts)
    finally:
        if not workdir:
            shutil.rmtree(scratch, ignore_errors=True)


def _process_dir(scratch: Path, attempt: int) -> Path:
    return scratch / f"process{attempt}"


def _counts(first: Job, scratch: Path, attempt: int, ran: list[str]) -> ProcessCounts:
    """The ``.dat`` the process of ``attempt`` wrote (read now: the scratch folder goes)."""
    dat = _process_dir(scratch, attempt) / DAT_NAME
    data = dat.read_bytes() if dat.is_file() and dat.stat().st_size else None
    return ProcessCounts(
        first.job_id, first.core, first.config, first.transport, attempt, ran, data
    )


def _one_process(
    todo: list[Job],
    scratch: Path,
    attempt: int,
    timeout_s: float,
    cov: bool,
    waves: bool,
    extra_env: dict[str, str] | None,
) -> tuple[dict[str, JobResult], dict[str, JobResult]]:
    """One simulator process over ``todo``: (finished results, the job lost to a crash or hang)."""
    first = todo[0]
    pdir = _process_dir(scratch, attempt)
    if pdir.exists():
        shutil.rmtree(pdir)
    pdir.mkdir(parents=True)
    names = {}
    entries = []
    for i, j in enumerate(todo):
        jd = scratch / "jobs" / j.job_id
        if jd.exists():
            shutil.rmtree(jd)  # a half-run of an earlier attempt leaves nothing behind
        name = _entry_name(i, j)
        names[name] = j
        entries.append(
            {
                "name": name,
                "test": j.test,
                "seed": j.seed,
                "job_id": j.job_id,
                "dir": str(jd),
                "env": dict(j.env),
            }
        )
    group_file = pdir / "group.json"
    progress = pdir / PROGRESS
    group_file.write_text(json.dumps({"jobs": entries, "progress": str(progress)}))
    env = {
        "LUT_TC_CONFIG": first.config,
        "LUT_TC_CORE": first.core,
        "LUT_TC_TRANSPORT": first.transport,
        **(extra_env or {}),
        "LUT_TC_GROUP": str(group_file),
        "LUT_TC_PROGRESS": str(progress),
    }
    if cov and not first.defines:  # a planted bug's coverage is not the design's (flow.covdb.runs)
        env["LUT_TC_COV_DIR"] = str(scratch / "cov")
    log = pdir / "sim.log"
    xml = pdir / "results.xml"
    outcome: dict = {}
    toplevel = toplevel_for(first.transport)
    err = ""
    try:
        simrun.run(
            None,
            first.sim,
            toplevel,
            TEST_MODULE,
            seed=first.seed,
            extra_env=env,
            waves=waves,
            test_dir=pdir,
            results_xml=str(xml),
            build_dir=simrun.build_dir_for(first.sim, first.build_name, waves, first.coverage),
            execute=_supervised(log, progress, timeout_s, outcome),
            coverage_file=pdir / DAT_NAME if first.coverage else None,
        )
    except SystemExit:
        pass  # the runner exits on a failing simulator; the results file and exit code say why
    except Exception as exc:  # the build is missing or the simulator would not start
        err = f"{type(exc).__name__}: {exc}"
    verdicts = _verdicts(xml)
    _drop_terminated(verdicts, [n for n in names])
    text = log.read_text(errors="replace") if log.exists() else ""
    sections = split_log(text, {name: j.job_id for name, j in names.items()})
    finished, lost = {}, {}
    running = _running(progress)
    for name, j in names.items():
        jd = scratch / "jobs" / j.job_id
        if name in verdicts:
            res, msg, sim_ns, wall = verdicts[name]
            finished[j.job_id] = JobResult(job_to_dict(j), res, msg, sim_ns, wall, attempt)
        elif j.job_id == running or (running is None and not verdicts):
            if "killed" in outcome:
                msg = f"hang: no progress for {outcome['killed']:.0f} s, process killed"
            elif err:
                msg = f"ERROR: {err}"
            else:
                msg = _crash_message(outcome.get("rc"), sections.get(j.job_id, text))
            lost[j.job_id] = JobResult(job_to_dict(j), "ERROR", msg, 0.0, 0.0, attempt)
            if running is None:  # nothing started: every job of the process shares the fate
                for other in todo:
                    lost.setdefault(
                        other.job_id,
                        JobResult(job_to_dict(other), "ERROR", msg, 0.0, 0.0, attempt),
                    )
        if j.job_id in finished or j.job_id in lost:
            jd.mkdir(parents=True, exist_ok=True)
            (jd / "sim.log").write_text(sections.get(j.job_id, ""))
    if not finished and not lost:  # the process ended cleanly but ran nothing we asked for
        for j in todo:
            lost[j.job_id] = JobResult(
                job_to_dict(j), "ERROR", "did not run (no result recorded)", 0.0, 0.0, attempt
            )
    if waves:
        for j in todo:
            jd = scratch / "jobs" / j.job_id
            for f in pdir.glob("*.fst"):
                jd.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, jd / f.name)
    return finished, lost


def _running(progress: Path) -> str | None:
    """The job the process was running last (its progress file), or None if none started."""
    try:
        return json.loads(progress.read_text())["job_id"]
    except (OSError, ValueError, KeyError):
        return None


def _crash_message(rc: int | None, log: str) -> str:
    tail = [ln for ln in log.strip().splitlines() if ln.strip()][-1:] or ["(no output)"]
    if rc is not None and rc < 0:
        how = f"killed by signal {signal.Signals(-rc).name}"
    else:
        how = f"exit code {rc}"
    return f"ERROR: simulator crashed ({how}) while this test ran; last line: {tail[0][:160]}"
