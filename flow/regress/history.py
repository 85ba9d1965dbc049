# SPDX-License-Identifier: Apache-2.0
"""Regression history: one small JSON per run, and the trend plots drawn from them.

Every run keeps its own folder, but a trend needs the runs side by side, so
the dashboard keeps a shared record: ``history_dir/<UTC stamp>-<series>.json``
holds the handful of numbers a trend needs (counts, wall time, throughput,
engine). One file per run keeps concurrent writers from clobbering each other
and makes pruning a matter of deleting files. The key is (started, series):
recording a run twice rewrites the same file, so re-rendering a report does
not add a point.

A *series* is what makes runs comparable: the suite (or ``TEST=<name>`` of a
one-test run) plus every override the command line gave it. A smoke run with
a planted bug (``DEFINES=LUT_TC_BUG_NO_NEGATE``) or on one configuration is
a series of its own, so it never stands on the plot of the plain suite as
that suite's pass or failure.

The plots are PNGs drawn with matplotlib's Agg backend (no display, no
network), over the run index rather than over time so a burst of runs in one
afternoon and a quiet week take the same room; the dates are the tick labels.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use(): the backend is chosen before pyplot loads

from flow.regress.files import write_atomic

#: Version of the history entry layout; entries of another version are skipped.
SCHEMA = 1

#: How many date labels a trend plot's x axis carries at most (more would overlap).
MAX_TICKS = 12


def parse_started(started: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime; a naive time is taken as UTC."""
    t = datetime.fromisoformat(started)
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def stamp(started: str) -> str:
    """The compact UTC stamp of a start time, ``20261201T150203Z``: sortable as text."""
    return parse_started(started).strftime("%Y%m%dT%H%M%SZ")


def _safe(suite: str) -> str:
    """``suite`` as a file-name part; a hash tells apart suites that sanitize alike."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", suite).strip("_") or "run"
    if safe != suite:
        safe += "-" + hashlib.sha1(suite.encode()).hexdigest()[:6]
    return safe


def series(run: Mapping[str, Any]) -> str:
    """The series a run (or history entry) belongs to: suite plus overrides, sorted.

    ``smoke``; ``smoke CONFIG=M2N4 DEFINES=LUT_TC_BUG_NO_NEGATE``; ``TEST=SmokeTest``.
    """
    over = run.get("overrides") or {}
    return " ".join([str(run["suite"]), *(f"{k}={v}" for k, v in sorted(over.items()))])


def entry_path(history_dir: Path, started: str, key: str) -> Path:
    """Where the history entry of the run keyed (started, series) lives."""
    return Path(history_dir) / f"{stamp(started)}-{_safe(key)}.json"


def summarize(run: Mapping[str, Any]) -> dict[str, Any]:
    """The history entry of a run: the counts and rates a trend plots, nothing per job."""
    jobs = run.get("jobs") or []
    results = [j.get("result") for j in jobs]
    wall = run.get("wall_s")
    return {
        "schema": SCHEMA,
        "started": run["started"],
        "suite": run["suite"],
        "overrides": dict(run.get("overrides") or {}),
        "series": series(run),
        "total": len(jobs),
        "passed": results.count("PASS"),
        "failed": results.count("FAIL"),
        "errors": sum(r not in ("PASS", "FAIL") for r in results),
        "wall_s": wall,
        "jobs_per_hour": jobs_per_hour(len(jobs), wall),
        "processes": run.get("processes"),
        "engine": (run.get("engine") or {}).get("kind"),
    }


def jobs_per_hour(n_jobs: int, wall_s: float | None) -> float | None:
    """Throughput of a run; None when its wall time is unknown or zero."""
    return n_jobs / wall_s * 3600.0 if wall_s else None


def pass_rate(entry: Mapping[str, Any]) -> float | None:
    """Percent of the jobs that passed; None for a run without jobs."""
    return 100.0 * entry["passed"] / entry["total"] if entry.get("total") else None


def record(run: Mapping[str, Any], history_dir: Path) -> Path:
    """Add ``run`` to the history (or rewrite its entry) and return the entry's path.

    Written to a temporary file and renamed, so a reader never sees half an entry.
    """
    history_dir = Path(history_dir)
    history_dir.mkdir(parents=True, exist_ok=True)
    path = entry_path(history_dir, run["started"], series(run))
    return write_atomic(path, json.dumps(summarize(run), indent=1) + "\n")


def load(history_dir: Path) -> list[dict[str, Any]]:
    """Every readable entry, oldest first; one per (started, series), each with its ``series``.

    A damaged or foreign file is skipped rather than fatal: the history only
    decorates a report, it must never keep the report of a run from being written.
    """
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for p in sorted(Path(history_dir).glob("*.json")):
        try:
            e = json.loads(p.read_text())
            if not isinstance(e, dict) or e.get("schema") != SCHEMA:
                continue
            e["series"] = series(e)
            key = (stamp(e["started"]), e["series"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        seen[key] = e
    return sorted(seen.values(), key=lambda e: (parse_started(e["started"]), e["series"]))


def of_series(entries: Sequence[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
    """The entries of one series, oldest first."""
    return [e for e in entries if e.get("series") == key]


def series_table(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per series: how many runs, and the newest run's counts; newest series first."""
    last: dict[str, Mapping[str, Any]] = {}
    count: dict[str, int] = {}
    for e in entries:
        last[e["series"]] = e
        count[e["series"]] = count.get(e["series"], 0) + 1
    rows = [dict(e, runs=count[k], pass_rate=pass_rate(e)) for k, e in last.items()]
    return sorted(rows, key=lambda r: parse_started(r["started"]), reverse=True)


def _ticks(ax: Any, entries: Sequence[Mapping[str, Any]]) -> None:
    """Dates as x tick labels, thinned to at most :data:`MAX_TICKS`, the newest always shown."""
    n = len(entries)
    step = max(1, -(-n // MAX_TICKS))
    idx = list(range(n - 1, -1, -step))[::-1]
    ax.set_xticks(idx)
    ax.set_xticklabels(
        [parse_started(entries[i]["started"]).strftime("%m-%d\n%H:%M") for i in idx], fontsize=8
    )
    ax.set_xlim(-0.5, max(n - 0.5, 0.5))
    ax.set_xlabel("run (UTC date and time)")
    ax.grid(True, alpha=0.3)


def _trend(
    entries: Sequence[Mapping[str, Any]],
    value: Any,
    title: str,
    ylabel: str,
    path: Path,
    percent: bool = False,
) -> Path:
    """One trend plot, a line per series so a smoke run and a nightly are not mixed."""
    fig, ax = plt.subplots(figsize=(6.2, 2.8), dpi=100)
    try:
        suites = sorted({series(e) for e in entries})
        for s in suites:
            pts = [(i, value(e)) for i, e in enumerate(entries) if series(e) == s]
            pts = [(i, v) for i, v in pts if v is not None]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.5, label=s)
        if not entries:
            ax.text(0.5, 0.5, "no runs recorded", ha="center", va="center", transform=ax.transAxes)
        _ticks(ax, entries)
        if percent:
            ax.set_ylim(-2, 102)
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(ylabel)
        if len(suites) > 1:
            ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path


def plot(entries: Sequence[Mapping[str, Any]], out_dir: Path, key: str = "") -> list[Path]:
    """Write ``pass_rate.png`` and ``throughput.png`` into ``out_dir``; return their paths.

    ``key``: draw that series only (the dashboard draws its run's series);
    empty: every series, a line each.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if key:
        entries = [e for e in entries if series(e) == key]
    what = f": {key}" if key else ""
    return [
        _trend(
            entries,
            pass_rate,
            f"Pass rate{what}",
            "% of jobs passed",
            out_dir / "pass_rate.png",
            True,
        ),
        _trend(
            entries,
            lambda e: e.get("jobs_per_hour"),
            f"Throughput{what}",
            "jobs per hour",
            out_dir / "throughput.png",
        ),
    ]
