# SPDX-License-Identifier: Apache-2.0
"""What was merged, measured against what the last regression ran.

A folder of dumps alone cannot say what is missing: a run that fails writes
no dump, and merging the folder then closes coverage over fewer runs than
the regression had, without a word. The regression runner records every job
with its result in ``run.json`` next to the dump folder (``<run>/run.json``
for ``<run>/cov``; each dump is named ``<job_id>.json``). :func:`collect`
compares the two and keeps, each with its reason, what it did not merge.

Why a job of the run has no dump, from what the runner records of it
(``result``, ``message``, ``defines``, ``env``, ``cov_expected``), in this
order (:func:`why_no_dump`):

* a planted bug (``defines``: ``LUT_TC_BUG_*``), whatever its verdict: the
  runner asks such a run for no dump, since the coverage of a broken design
  is not the design's (a failing repro of a planted-bug job is one of these);
* coverage switched off for the job (``LUT_TC_COV=0`` in its ``env``, or in
  the environment it ran in: its log has no coverage report);
* a test that passes by ending with the error it expects (``cov_expected``
  false): it stops before the coverage is written;
* a failed test (``FAIL``): the scoreboard's end-of-run check failed
  (``scoreboard: ...``; the run reached its end, but the coverage is written
  after that check) or the test failed during its run;
* a run that did not finish (``ERROR``): the watchdog killed a hang, the
  simulator crashed or did not start, cocotb skipped the test;
* a passed run without a dump, which should not happen.

Files left out: runs with a planted bug (a dump of one is not merged), files
that are not readable coverage dumps or name no known configuration, dumps
that belong to no job of the last run or were written before it started
(stale). Everything readable is merged; one bad file does not stop the
merge. The dumps are merged in run.json's job order, which decides the
"first hit" of every bin (:func:`flow.covdb.model.merge`).
:func:`summary` is the same result as plain data, for a dashboard.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flow.covdb.model import CovError, Dump, dump_files, merge, read_dump, read_json
from models.config import CONFIGS, CORES, config_label

RUN_JSON = "run.json"
#: Seconds a dump of a job may predate the run's start (file times and the
#: runner's clock are not the same clock) before it is taken for an old one.
STALE_SLACK_S = 2.0
MESSAGE_CHARS = 100  # of a job's failure message, in the reason it has no dump
COV_VAR = "LUT_TC_COV"  # "0" in a job's env: no coverage (tb.knobs.cov_enabled)
#: How the runner words its verdicts (flow/regress/group.py, tb/scoreboard.py): message prefixes.
SCOREBOARD_FAIL = "scoreboard:"  # the scoreboard's check at the end of the run
HANG = "hang:"  # the watchdog killed the process
CRASH = "ERROR: simulator crashed"
SKIPPED = "skipped, not run:"  # cocotb skipped the test
NOT_RUN = "did not run"  # the process ended without a result for it
NO_START = "ERROR:"  # the build is missing or the simulator would not start
COV_LOGGED = "coverage: "  # tb/coverage/collector.py logs "coverage: N/M bins hit" when it is on


@dataclass(frozen=True)
class Job:
    """One job of ``run.json``: the fields that explain a missing dump."""

    job_id: str
    test: str = ""
    seed: str = ""
    sim: str = ""
    config: str = ""
    transport: str = ""
    result: str = ""  # PASS / FAIL / ERROR as the runner says
    message: str = ""
    #: False for a test that passes by ending with the error it expects (no dump by design)
    cov_expected: bool = True
    #: the planted bugs the job was built with (``LUT_TC_BUG_*``): its coverage does not count
    planted: tuple[str, ...] = ()
    #: the job's env switched its coverage off (``LUT_TC_COV=0``)
    cov_off: bool = False
    #: its simulator log, relative to run.json's folder ("" when not recorded)
    log: str = ""


@dataclass(frozen=True)
class RunRecord:
    """The last regression as its runner recorded it."""

    path: Path
    suite: str
    started: datetime | None  # None when run.json does not say (or not readably)
    jobs: tuple[Job, ...]


@dataclass(frozen=True)
class NotMerged:
    """A file that was not merged, and why."""

    file: Path
    reason: str
    job_id: str = ""  # the job it is the dump of, if any


@dataclass(frozen=True)
class Unmerged:
    """A job of the run whose coverage is not in the merge, and why."""

    job: Job
    reason: str


@dataclass
class Collected:
    """The dumps to merge, and everything that was left out with its reason."""

    dumps: list[Dump] = field(default_factory=list)
    not_merged: list[NotMerged] = field(default_factory=list)
    run: RunRecord | None = None
    #: Why there is no run record (no run.json, or an unreadable one); "" with one.
    run_note: str = ""
    unmerged: list[Unmerged] = field(default_factory=list)

    @property
    def expected(self) -> int | None:
        """How many runs the merge should hold; None when no run.json says."""
        return None if self.run is None else len(self.run.jobs)


def config_labels() -> list[str]:
    """Every configuration label a dump may carry: ``M2N64``, ``mac:M2N64``, ... (tb.knobs)."""
    return [config_label(n, core) for core in CORES for n, c in CONFIGS.items() if c.fits(core)]


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _planted(v: object) -> tuple[str, ...]:
    """A job's ``defines`` (a list of bug names, or anything else: none)."""
    return tuple(str(d) for d in v) if isinstance(v, list) else ()


def _cov_off(v: object) -> bool:
    """A job's ``env`` says ``LUT_TC_COV=0``, as :func:`tb.knobs.cov_enabled` reads it."""
    return isinstance(v, dict) and str(v.get(COV_VAR, "1")) == "0"


def _planted_reason(job: Job) -> str:
    bugs = ", ".join(job.planted)
    return f"a planted bug ({bugs}): coverage of a broken design is not the design's"


def read_run(path: Path) -> RunRecord:
    """``run.json`` as a :class:`RunRecord`; CovError (naming the file) if it is not one."""
    return parse_run(read_json(path), path)


def parse_run(doc: object, path: Path = Path("run record")) -> RunRecord:
    """A run record already in memory (``run.json``'s content); CovError if it is not one.

    The runner can summarize its coverage before it writes ``run.json``.
    """

    def bad(why: str) -> CovError:
        return CovError(f"{path}: not a regression record ({why})")

    if not isinstance(doc, dict):
        raise bad(f"a JSON {type(doc).__name__}, not an object")
    jobs = doc.get("jobs")
    if not isinstance(jobs, list):
        raise bad("no jobs list")
    out: dict[str, Job] = {}
    for i, j in enumerate(jobs):
        if not isinstance(j, dict) or not isinstance(j.get("job_id"), str) or not j["job_id"]:
            raise bad(f"jobs[{i}] has no job_id")
        out.setdefault(
            j["job_id"],
            Job(
                j["job_id"],
                *(_text(j.get(k)) for k in ("test", "seed", "sim", "config", "transport")),
                _text(j.get("result")).upper(),
                _text(j.get("message")),
                j.get("cov_expected", True) is not False,
                _planted(j.get("defines")),
                _cov_off(j.get("env")),
                _text(j.get("log")),
            ),
        )
    started = None
    if isinstance(doc.get("started"), str):
        try:
            started = datetime.fromisoformat(doc["started"])
        except ValueError:
            started = None  # only the staleness check needs it
    return RunRecord(path, _text(doc.get("suite")), started, tuple(out.values()))


def find_run_json(paths: Sequence[Path]) -> Path | None:
    """``run.json`` beside the dump folder, when exactly one folder is merged.

    With several paths or single files the dumps are a choice of the caller,
    not one regression's output, so no run is assumed.
    """
    if len(paths) != 1 or not paths[0].is_dir():
        return None
    candidate = paths[0].parent / RUN_JSON
    return candidate if candidate.is_file() else None


def _said(job: Job) -> str:
    """``FAIL: <message>``: the runner's verdict, the message cut to one short line."""
    msg = " ".join(job.message.split())
    if len(msg) > MESSAGE_CHARS:
        msg = msg[:MESSAGE_CHARS] + "..."
    result = job.result or "no result"
    return f"{result}: {msg}" if msg else result


def why_no_dump(job: Job, log: str | None = None) -> str:
    """Why ``job`` has no dump, from what the runner recorded of it (module docstring).

    ``log`` is the job's simulator log if it could be read: a passed run whose
    log has no coverage report ran with coverage off (``LUT_TC_COV=0`` in the
    environment it ran in, not in the job's own env).
    """
    said = _said(job)
    if job.planted:
        verdict = "" if job.result == "PASS" else f"; the run: {said}"
        return f"no dump, by design: {_planted_reason(job)}{verdict}"
    if job.cov_off:
        verdict = "" if job.result == "PASS" else f"; the run: {said}"
        return f"no dump, by design: coverage off ({COV_VAR}=0 in the job's env){verdict}"
    if not job.cov_expected:
        if job.result == "PASS":
            return "no dump, by design: the test passes by ending with the error it expects"
        return f"no dump: the test expects to end with an error and stops early ({said})"
    if job.result == "PASS" and log is not None and COV_LOGGED not in log:
        return (
            "no dump: coverage was off in its run, its log has no coverage report "
            f"({COV_VAR}=0 in the environment it ran in)"
        )
    if job.result == "PASS":
        return (
            "no dump although the run passed (PASS): suspicious, a run that reaches its end "
            "writes one (a test that passes by expecting an error stops early); see its log"
        )
    msg = job.message.strip()
    if job.result == "FAIL" and msg.startswith(SCOREBOARD_FAIL):
        return (
            "no dump: the run reached its end and failed the scoreboard's end-of-run check, "
            f"which comes before the coverage is written ({said})"
        )
    if job.result == "FAIL":
        return f"no dump: the test failed during its run ({said})"
    if msg.startswith(HANG):
        return f"no dump: timed out, the watchdog killed its simulator ({said})"
    if msg.startswith(CRASH):
        return f"no dump: the simulator crashed while it ran ({said})"
    if msg.startswith(SKIPPED):
        return f"no dump: not run, cocotb skipped it ({said})"
    if msg.startswith(NOT_RUN):
        return f"no dump: not run, its simulator process ended without it ({said})"
    if job.result == "ERROR" and msg.startswith(NO_START):
        return f"no dump: not run, its simulator did not start ({said})"
    if job.result == "ERROR":
        return f"no dump: the run did not finish ({said})"
    return f"no dump ({said})"


def _read_log(job: Job, run: RunRecord) -> str | None:
    """The job's log as the runner kept it beside run.json, or None."""
    if not job.log:
        return None
    try:
        return (run.path.parent / job.log).read_text(errors="replace")
    except OSError:
        return None


def _why_no_dump(job: Job, bad: NotMerged | None, run: RunRecord) -> str:
    """Why ``job``'s coverage is missing, from its result and what happened to its file."""
    if bad is not None:
        return f"its dump is not merged, see the file below ({_said(job)})"
    return why_no_dump(job, _read_log(job, run) if job.result == "PASS" else None)


def _stale_since(f: Path, run: RunRecord) -> str:
    """A reason if ``f`` was written before ``run`` started, else ""."""
    if run.started is None:
        return ""
    try:
        mtime = f.stat().st_mtime
    except OSError:
        return ""  # reading it will say what is wrong
    start = run.started.timestamp()  # a naive time is taken as local time
    if mtime >= start - STALE_SLACK_S:
        return ""
    written = datetime.fromtimestamp(mtime, run.started.tzinfo).isoformat(timespec="seconds")
    return f"written {written}, before the last run started (stale)"


def collect(
    paths: Sequence[Path],
    run_json: Path | Mapping | None = None,
    *,
    configs: Collection[str] | None = None,
) -> Collected:
    """Every usable dump under ``paths``, and what was not merged with why.

    ``run_json`` is the regression record to compare against (its path, or
    its content as a mapping); None looks for it beside the dump folder
    (:func:`find_run_json`), and a found one that
    cannot be read only makes the expected set unknown. A named one that
    cannot be read, and a path that does not exist, raise CovError: the
    caller asked for something that is not there. ``configs`` are the
    configuration labels a dump may have (default: :func:`config_labels`, every
    configuration on every core that builds it).
    """
    known = set(config_labels() if configs is None else configs)
    col = Collected()
    files = dump_files(paths, allow_empty=True)
    if isinstance(run_json, Mapping):
        col.run = parse_run(run_json)
    elif run_json is not None:
        col.run = read_run(run_json)
    else:
        found = find_run_json(paths)
        where = ", ".join(str(p) for p in paths)
        if found is None:
            col.run_note = f"no {RUN_JSON} beside {where}"
        else:
            try:
                col.run = read_run(found)
            except CovError as e:
                col.run_note = str(e)
    jobs = {j.job_id: j for j in col.run.jobs} if col.run else {}
    merged: set[str] = set()
    bad_dump: dict[str, NotMerged] = {}
    for f in files:
        job = jobs.get(f.stem)
        job_id = job.job_id if job else ""
        try:
            d = read_dump(f)
        except CovError as e:
            reason = str(e).removeprefix(f"{f}: ")
            col.not_merged.append(NotMerged(f, reason, job_id))
            bad_dump.setdefault(job_id, col.not_merged[-1])
            continue
        if d.config not in known:
            said = repr(d.meta["config"]) if d.meta.get("config") else "none"
            reason = f"unknown configuration {said} (known: {', '.join(sorted(known))})"
        elif col.run is not None and job is None:
            reason = "not in the last run (stale)"
        elif job is not None and job.planted:
            reason = _planted_reason(job)
        elif col.run is not None and f.stem in merged:
            reason = f"a second dump of job {f.stem} (already merged from another path)"
        else:
            reason = _stale_since(f, col.run) if col.run is not None else ""
        if reason:
            col.not_merged.append(NotMerged(f, reason, job_id))
            bad_dump.setdefault(job_id, col.not_merged[-1])
            continue
        col.dumps.append(d)
        merged.add(f.stem)
    if col.run is not None:
        order = {j.job_id: i for i, j in enumerate(col.run.jobs)}
        col.dumps.sort(key=lambda d: order.get(d.path.stem, len(order)))  # stable: files next
        col.unmerged = [
            Unmerged(j, _why_no_dump(j, bad_dump.get(j.job_id), col.run))
            for j in col.run.jobs
            if j.job_id not in merged
        ]
    return col


def summary(paths: Sequence[Path | str], run_json: Path | str | Mapping | None = None) -> dict:
    """The merge as plain data, printing nothing: for a dashboard next to the run's results.

    ``{"configs": {cfg: {"bins", "hit", "excluded", "excluded_hit", "holes"}},
    "unmerged": [job ids], "not_merged": [{"file", "reason"}], "expected":
    runs in run.json or None, "merged": runs merged}``. ``bins`` counts the
    bins that must be hit (excluded ones are not among them), ``holes`` are
    ``covergroup.coverpoint.bin``. ``run_json`` is run.json's path or its
    content (a mapping, for a runner that has not written the file yet);
    None looks beside the dump folder like the command line. Raises CovError
    only for a path that does not exist or a ``run_json`` that is not a
    regression record.
    """
    run = Path(run_json) if isinstance(run_json, str) else run_json
    col = collect([Path(p) for p in paths], run)
    covs = merge(col.dumps)
    return {
        "configs": {
            c.config: {
                "bins": c.n_bins,
                "hit": c.n_hit,
                "excluded": c.n_excluded,
                "excluded_hit": len(c.excluded_hit()),
                "holes": [str(h) for h in c.holes()],
            }
            for c in covs
        },
        "unmerged": [u.job.job_id for u in col.unmerged],
        "not_merged": [{"file": os.fspath(n.file), "reason": n.reason} for n in col.not_merged],
        "expected": col.expected,
        "merged": len(col.dumps),
    }
