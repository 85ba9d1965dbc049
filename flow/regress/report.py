# SPDX-License-Identifier: Apache-2.0
"""The regression dashboard: ``run.json`` -> one static HTML page (plus trend PNGs).

Every regression run ends by writing ``run.json`` in its own folder and
calling :func:`write_report`; ``make report [RUN=...]`` re-renders the page of
the latest (or a named) run through :func:`main`. The page answers, top to
bottom, the questions asked of a regression in that order: did it pass and how
fast was it (summary), how many distinct bugs are behind the failures
(buckets), which job did what and how do I rerun it (results table and
matrix), what is still not covered (coverage), what a signoff review asks
(signoff: the panels of the run's ``signoff/`` folder, code coverage first),
and is it getting better or worse (history).

Failures are bucketed the way dvsim does: by the first error with its numbers
masked, so forty failures of one bug read as one line with a count, not forty.

The page is self-contained and offline (inline CSS, no framework, no CDN):
it opens from a build folder or a CI artifact. A few lines of inline script
sort and filter the results table; without script everything still shows.
Log links are relative, so the report folder can be moved together with the
run folder it sits beside. Plain Python: no cocotb, no pyuvm.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from flow.regress import history
from flow.regress.files import write_atomic
from flow.regress.rundirs import RUN_JSON, RunNotFound, history_dir, resolve
from flow.regress.signoff import latest_panels
from models.config import DEFAULT_CORE, config_label

#: The run.json layout this module reads.
SCHEMA = 1


#: Signatures are cut here: long enough to tell bugs apart, short enough to read in a row.
SIGNATURE_LEN = 160

#: Holes listed per configuration; the rest are counted.
MAX_HOLES = 50

#: Runs in the history table.
HISTORY_ROWS = 20

#: Job links shown per bucket before the rest fold away.
BUCKET_LINKS = 20

TEMPLATES = Path(__file__).parent / "templates"


class ReportError(Exception):
    """``run.json`` is missing or unreadable: the CLI reports it in one line."""


# --------------------------------------------------------------------- buckets

# Hex first: ``0x3e481004`` must become one ``#``, not ``#x#``. Verilog-style
# ``8'h3f`` counts as hex too. A number glued to a letter before it is part of
# a name (``M2N64``, ``int8``, ``cg_w4``) and is kept: names tell bugs apart.
_HEX = re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F_]+|\d+'[hHbBdD][0-9a-fA-F_xXzZ]+)")
_NUM = re.compile(r"(?<![A-Za-z_\d.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_KIND = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:")
_SPACE = re.compile(r"\s+")
#: A decoded instruction in a scoreboard message, ``[lmma t2, int16, w1, ...]``: its operands
#: (table, formats, widths) vary with the stimulus, not with the bug, so only the opcode counts.
_DISASM = re.compile(r"\[([a-z]+)\b[^\]]*\]")
#: The lanes a scoreboard message lists (up to four, as many as differ): values, not the bug.
_LANES = re.compile(r"(lanes:)[^;]*")


def failure_text(job: Mapping[str, Any]) -> str:
    """The text a failure is known by: the scoreboard's first error, else the job's message."""
    fe = job.get("first_error") or {}
    return str(fe.get("error") or job.get("message") or "").strip()


def kind_of(job: Mapping[str, Any]) -> str:
    """The failure's kind: the word before the first colon (``mismatch``, ``DutHang``).

    A message without such a prefix is of the job's result kind (``fail``, ``error``).
    """
    m = _KIND.match(failure_text(job))
    return m.group(1) if m else str(job.get("result", "fail")).lower()


def normalize(text: str) -> str:
    """``text`` with its numbers masked as ``#``, whitespace collapsed, cut to a signature.

    A decoded instruction keeps only its opcode (``[lmma ...]``) and the list of
    differing lanes goes: one bug seen on INT8 and INT16 LMMAs, in two lanes
    or in four, is one bucket.
    """
    text = _DISASM.sub(r"[\1 ...]", text)
    text = _LANES.sub(r"\1 ...", text)
    text = _HEX.sub("#", text)
    text = _NUM.sub("#", text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > SIGNATURE_LEN:
        text = text[: SIGNATURE_LEN - 1].rstrip() + "…"
    return text or "(no message)"


def signature(job: Mapping[str, Any]) -> str:
    """The bucket key of a failing job: its normalized failure text."""
    return normalize(failure_text(job))


@dataclass
class Bucket:
    """Failing jobs that share a signature: most likely one bug."""

    signature: str
    kind: str
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.jobs)

    @property
    def example(self) -> dict[str, Any]:
        """The job whose full message and repro command stand for the bucket."""
        return self.jobs[0]


def is_failure(job: Mapping[str, Any]) -> bool:
    return job.get("result") != "PASS"


def buckets(jobs: Iterable[Mapping[str, Any]]) -> list[Bucket]:
    """The failing jobs grouped by (kind, signature), biggest bucket first.

    Within a bucket the jobs keep the table's order, so the example is the
    first one listed. Ties go by kind and signature, so the order is stable.
    """
    found: dict[tuple[str, str], Bucket] = {}
    for job in sorted((j for j in jobs if is_failure(j)), key=_row_key):
        kind, sig = kind_of(job), signature(job)
        found.setdefault((kind, sig), Bucket(sig, kind)).jobs.append(dict(job))
    return sorted(found.values(), key=lambda b: (-b.count, b.kind, b.signature))


# --------------------------------------------------------------------- the table


def _row_key(job: Mapping[str, Any]) -> tuple[Any, ...]:
    """Failures first, then by test, config, simulator, transport, seed."""
    return (
        not is_failure(job),
        str(job.get("test", "")),
        str(job.get("config", "")),
        str(job.get("sim", "")),
        str(job.get("transport", "")),
        int(job.get("seed") or 0),
        int(job.get("attempt") or 0),
    )


@dataclass
class Row:
    """One job as the results table shows it."""

    job: dict[str, Any]
    cls: str  # pass | fail | error: the row's colour
    text: str  # the full failure text, "" on a pass
    log_href: str  # relative to the report folder; "" when the job has no log
    log_exists: bool


def log_href(log: str, run_dir: Path, out_dir: Path) -> str:
    """The href, relative to ``out_dir``, of a log named relative to the run folder."""
    if not log:
        return ""
    target = os.path.abspath(run_dir / log)
    rel = os.path.relpath(target, os.path.abspath(out_dir))
    return quote(Path(rel).as_posix())


def rows(jobs: Sequence[Mapping[str, Any]], run_dir: Path, out_dir: Path) -> list[Row]:
    """The table's rows in the table's order."""
    out = []
    for j in sorted(jobs, key=_row_key):
        log = str(j.get("log") or "")
        out.append(
            Row(
                job=dict(j),
                cls=str(j.get("result", "")).lower() or "error",
                text=failure_text(j) if is_failure(j) else "",
                log_href=log_href(log, run_dir, out_dir),
                log_exists=bool(log) and (run_dir / log).is_file(),
            )
        )
    return out


@dataclass
class Matrix:
    """Pass/total per test and (simulator, transport, config), seeds summed."""

    tests: list[str]
    columns: list[tuple[str, str, str]]
    cells: dict[tuple[str, tuple[str, str, str]], tuple[int, int]]

    def cell(self, test: str, col: tuple[str, str, str]) -> tuple[int, int] | None:
        return self.cells.get((test, col))

    def header(self) -> list[list[tuple[str, int]]]:
        """The three header rows as (label, colspan): a simulator spans all its columns.

        A level merges neighbours only when every level above agrees, so a
        transport never spans two simulators.
        """
        out = []
        for level in range(3):
            row: list[tuple[str, int]] = []
            prev: tuple[str, ...] | None = None
            for col in self.columns:
                key = col[: level + 1]
                if key == prev:
                    row[-1] = (row[-1][0], row[-1][1] + 1)
                else:
                    row.append((col[level], 1))
                prev = key
            out.append(row)
        return out


def matrix(jobs: Iterable[Mapping[str, Any]]) -> Matrix:
    """The compact tests x (sim, transport, config) view of a run."""
    cells: dict[tuple[str, tuple[str, str, str]], tuple[int, int]] = {}
    for j in jobs:
        col = (str(j.get("sim", "")), str(j.get("transport", "")), str(j.get("config", "")))
        key = (str(j.get("test", "")), col)
        passed, total = cells.get(key, (0, 0))
        cells[key] = (passed + (not is_failure(j)), total + 1)
    return Matrix(
        tests=sorted({t for t, _ in cells}),
        columns=sorted({c for _, c in cells}),
        cells=cells,
    )


# --------------------------------------------------------------------- summary


def summary(run: Mapping[str, Any]) -> dict[str, Any]:
    """The headline numbers of a run: its history entry's counts, rate and verdict."""
    e = history.summarize(run)
    return {
        "total": e["total"],
        "passed": e["passed"],
        "failed": e["failed"],
        "errors": e["errors"],
        "pass_rate": history.pass_rate(e),
        "verdict": "PASS" if e["total"] and e["passed"] == e["total"] else "FAIL",
        "jobs_per_hour": e["jobs_per_hour"],
        "engine": dict(run.get("engine") or {}),
    }


def coverage_rows(cov: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Per configuration: bins, hit, excluded, percent and the first holes."""
    out = []
    for name, c in sorted(((cov or {}).get("configs") or {}).items()):
        bins, hit = int(c.get("bins") or 0), int(c.get("hit") or 0)
        holes = list(c.get("holes") or [])
        out.append(
            {
                "config": name,
                "bins": bins,
                "hit": hit,
                "excluded": int(c.get("excluded") or 0),
                "pct": 100.0 * hit / bins if bins else 100.0,
                "holes": holes[:MAX_HOLES],
                "more_holes": max(0, len(holes) - MAX_HOLES),
                "n_holes": len(holes),
            }
        )
    return out


def _env(job: Mapping[str, Any]) -> dict[str, str]:
    env = job.get("env") or {}
    return dict(env) if isinstance(env, Mapping) else {str(k): str(v) for k, v in env}


def coverage_gap(run: Mapping[str, Any]) -> str:
    """Why a run has no coverage to show, in one sentence (the first reason that holds).

    The order follows what a user would check: no jobs, coverage switched
    off, jobs that by design dump none (a planted bug is another design; a
    test that passes by ending with its expected error), jobs that failed
    before their end (a test dumps its coverage when it ends).
    """
    jobs = list(run.get("jobs") or [])
    if not jobs:
        return "no jobs ran"
    if (run.get("cov_env") or {}).get("LUT_TC_COV") == "0" or all(
        _env(j).get("LUT_TC_COV") == "0" for j in jobs
    ):
        return "coverage was switched off for this run (LUT_TC_COV=0)"
    wanted = [j for j in jobs if j.get("cov_expected", True) and _env(j).get("LUT_TC_COV") != "0"]
    if not wanted:
        planted = sorted({d for j in jobs for d in j.get("defines") or []})
        what = f" ({', '.join(planted)})" if planted else ""
        return (
            f"no job of this run dumps coverage, by design: every job ran a planted bug{what} "
            "or a test that passes by ending with the error it expects, and the coverage of "
            "a broken design is not the design's"
            if planted
            else "no job of this run dumps coverage, by design: every job is a test that "
            "passes by ending with the error it expects"
        )
    failed = [j for j in wanted if is_failure(j)]
    if len(failed) == len(wanted):
        return (
            f"every job that would dump coverage ({len(wanted)}) failed before the end of its "
            "run; a test dumps its coverage when it ends"
        )
    return (
        f"{len(wanted)} job(s) should have dumped coverage but no dump came back (see their logs)"
    )


def build_summary(run: Mapping[str, Any]) -> dict[str, Any]:
    """The builds of a run for the summary: count, time, the longest, the failed ones."""
    detail = list(run.get("builds_detail") or [])
    return {
        "n": run.get("builds") if run.get("builds") is not None else len(detail),
        "seconds": run.get("build_s"),
        "longest": max(detail, key=lambda b: b.get("seconds") or 0.0) if detail else None,
        "failed": [b for b in detail if b.get("error")],
        "detail": detail,
    }


# --------------------------------------------------------------------- signoff

#: The run folder's signoff panels: one JSON file each (``kind``, ``title`` and the
#: kind's own data), shown by ``templates/signoff_<kind>.html.j2``. Code coverage
#: (``flow.codecov``) writes ``codecov.json``; a mutation score or formal results
#: are another file and another template beside it.
SIGNOFF = "signoff"


def signoff_panels(run_dir: Path, out_dir: Path) -> list[dict[str, Any]]:
    """Every signoff panel of the run, in file-name order, with ``href`` (the run folder
    as seen from the page) and ``view`` (its template, "" if this page has none)."""
    href = quote(
        Path(os.path.relpath(os.path.abspath(run_dir), os.path.abspath(out_dir))).as_posix()
    )
    out = []
    for f in sorted((Path(run_dir) / SIGNOFF).glob("*.json")):
        try:
            panel = json.loads(f.read_text())
        except (OSError, ValueError) as exc:
            panel = {"kind": "unreadable", "title": f.name, "error": str(exc)}
        kind = str(panel.get("kind", ""))
        view = f"signoff_{kind}.html.j2"
        out.append(
            {
                **panel,
                "kind": kind,
                "title": panel.get("title") or f.stem,
                "href": href,
                "source": f"{SIGNOFF}/{f.name}",
                "view": view if (TEMPLATES / view).is_file() else "",
            }
        )
    return out


# --------------------------------------------------------------------- formatting


def fmt_duration(s: float | None) -> str:
    """Seconds as ``123.4 s (2:03)``: exact for scripts, readable for people."""
    if s is None:
        return "–"
    s = float(s)
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(round(s), 60)
    h, m = divmod(m, 60)
    clock = f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
    return f"{s:.1f} s ({clock})"


def fmt_num(v: float | None, digits: int = 1, unit: str = "") -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}{' ' + unit if unit else ''}"


def fmt_time(started: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM:SS UTC``."""
    if not started:
        return "–"
    try:
        return history.parse_started(started).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return str(started)


def _environment() -> Environment:
    """Autoescape on for ``*.html.j2``: messages hold ``<`` and ``&`` (and worse)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(duration=fmt_duration, num=fmt_num, when=fmt_time)
    return env


# --------------------------------------------------------------------- the page


def load_run(run_json: Path) -> dict[str, Any]:
    """Read and check ``run.json``; every problem is a :class:`ReportError` of one line."""
    run_json = Path(run_json)
    if not run_json.is_file():
        raise ReportError(f"no run recorded at {run_json}; run make regress first")
    try:
        run = json.loads(run_json.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReportError(f"cannot read {run_json}: {e}") from None
    if not isinstance(run, dict):
        raise ReportError(f"{run_json} is not a run record (a JSON object)")
    if run.get("schema") != SCHEMA:
        raise ReportError(f"{run_json} has schema {run.get('schema')!r}, this reads {SCHEMA}")
    missing = [k for k in ("suite", "started", "jobs") if k not in run]
    if missing:
        raise ReportError(f"{run_json} lacks {', '.join(missing)}")
    try:
        history.parse_started(run["started"])
    except (TypeError, ValueError):
        raise ReportError(f"{run_json}: started {run['started']!r} is not ISO 8601") from None
    return run


_JOB_DEFAULTS: dict[str, Any] = {
    "test": "",
    "seed": None,
    "sim": "",
    "config": "",
    "transport": "",
    "result": "ERROR",
    "message": "",
    "first_error": None,
    "sim_time_ns": None,
    "wall_s": None,
    "log": "",
    "repro": "",
    "waves": "",
    "attempt": None,
}
_RUN_DEFAULTS: dict[str, Any] = {
    "command": "",
    "overrides": {},
    "builds": None,
    "builds_detail": [],
    "cov_env": {},
    "wall_s": None,
    "build_s": None,
    "processes": None,
    "overhead_per_job_s": None,
    "coverage": None,
}


def complete(run: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``run`` with every optional field present.

    The runner may leave out what it does not know (no engine address, no
    log); filling the gaps here lets the template be strict about names, so
    a misspelt field fails the render instead of silently showing nothing.
    """
    out = {**_RUN_DEFAULTS, **run}
    out["engine"] = {"kind": "", "workers": None, "address": "", **(run.get("engine") or {})}
    jobs = []
    for j in run.get("jobs") or []:
        job = {**_JOB_DEFAULTS, **j}
        # The configuration as shown: on a core other than the default, ``mac:M2N64``.
        job["config"] = config_label(job["config"], job.get("core") or DEFAULT_CORE)
        job["defines"] = list(job.get("defines") or [])
        job["env"] = dict(job.get("env") or {})
        if job["first_error"] is not None:
            job["first_error"] = {"time_ns": None, "error": "", **job["first_error"]}
        job.setdefault(
            "job_id", "-".join(str(job[k]) for k in ("sim", "transport", "config", "test", "seed"))
        )
        jobs.append(job)
    out["jobs"] = jobs
    if out["coverage"] is not None:
        out["coverage"] = {"configs": {}, "unmerged": [], **out["coverage"]}
    return out


def render(
    run: Mapping[str, Any],
    run_dir: Path,
    out_dir: Path,
    entries: Sequence[Mapping[str, Any]] = (),
    plots: Sequence[Path] = (),
) -> str:
    """The page's HTML for ``run``, its logs found under ``run_dir``, written into ``out_dir``."""
    run = complete(run)
    jobs = run["jobs"]
    key = history.series(run)
    mine = history.of_series(entries, key)
    blank = {"errors": None, "processes": None, "engine": "", "jobs_per_hour": None}
    recent = [{**blank, **e} for e in mine[-HISTORY_ROWS:][::-1]]
    others = [{**blank, **e} for e in history.series_table(entries) if e["series"] != key]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            run=run,
            s=summary(run),
            buckets=buckets(jobs),
            rows=rows(jobs, Path(run_dir), Path(out_dir)),
            matrix=matrix(jobs),
            coverage=run.get("coverage"),
            cov_rows=coverage_rows(run.get("coverage")),
            history=[dict(e, pass_rate=history.pass_rate(e)) for e in recent],
            n_history=len(mine),
            series=key,
            other_series=others,
            cov_gap=coverage_gap(run) if run.get("coverage") is None else "",
            signoff=signoff_panels(Path(run_dir), Path(out_dir)),
            signoff_latest=latest_panels(Path(out_dir)),
            build=build_summary(run),
            plots=[p.name for p in plots if p.is_file()],
            bucket_links=BUCKET_LINKS,
            written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    )


def write_report(run_json: Path, out_dir: Path, history_dir: Path) -> Path:
    """Record the run in the history, draw the trends, write ``out_dir/index.html``.

    Returns the page's path. Raises :class:`ReportError` when ``run.json`` is
    missing or not a version-1 run record.
    """
    run_json, out_dir = Path(run_json), Path(out_dir)
    run = load_run(run_json)
    out_dir.mkdir(parents=True, exist_ok=True)
    history.record(run, history_dir)
    entries = history.load(history_dir)
    plots = history.plot(entries, out_dir, history.series(run))
    page = out_dir / "index.html"
    # replaced in one rename, so a browser or CI upload never reads half a page
    write_atomic(page, render(run, run_json.parent, out_dir, entries, plots))
    return page


# --------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m flow.regress.report``: (re)write the dashboard of a recorded run."""
    ap = argparse.ArgumentParser(
        prog="python -m flow.regress.report",
        description="Write the HTML regression dashboard of a recorded run.",
    )
    ap.add_argument(
        "--run",
        default="latest",
        help="latest (default), a run folder's name under build/regress, a run folder "
        "or its run.json",
    )
    ap.add_argument("--out", type=Path, default=None, help="default: the run's report/")
    ap.add_argument(
        "--history", type=Path, default=None, help="default: history/ beside the run folder"
    )
    args = ap.parse_args(argv)
    try:
        run_dir = resolve(args.run)
        page = write_report(
            run_dir / RUN_JSON,
            args.out or run_dir / "report",
            args.history or history_dir(run_dir.resolve()),
        )
    except (ReportError, RunNotFound) as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    print(f"report: {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
