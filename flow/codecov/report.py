# SPDX-License-Identifier: Apache-2.0
"""A coverage run's counts -> merged ``.dat`` per core and configuration, figures, pages.

The regression runner keeps every simulator process's ``.dat`` in the run
folder (``codecov/dat/<first job>.p<attempt>.dat``, with a ``.json`` beside it
naming the jobs the process ran) and calls :func:`write` after the run. It
writes, under the run folder:

- ``codecov/merged/<core>-<config>.dat``: the counts of one core and
  configuration summed over its processes, both transports (the raw files stay);
- ``codecov/html/<core>-<config>/<file>.html``: each source file annotated
  line by line (``#L<n>`` anchors: the dashboard's hole links land there);
- ``signoff/codecov.json``: the dashboard's signoff panel (``kind = "codecov"``):
  per core and configuration, per module and per metric, points, hit, waived
  and percent; the holes; the waivers with what each matched; the processes
  whose counts were lost.

``python -m flow.codecov.report --run RUN`` redoes it for a finished run
(after a waiver was edited, say) and rewrites the dashboard.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from flow.codecov import dat, exclude, waivers
from flow.codecov.dat import METRICS, Point
from flow.codecov.flags import FSM_UNAVAILABLE
from flow.regress.files import write_atomic
from flow.simrun import CORE_SOURCES

#: Where a run folder keeps its counts and pages, and the signoff panels the dashboard shows.
CODECOV = "codecov"
SIGNOFF = "signoff"
PANEL = "codecov.json"
#: Holes listed per core and configuration in the panel; the pages have them all.
MAX_HOLES = 200
TEMPLATES = Path(__file__).parent / "templates"


def group_name(core: str, config: str) -> str:
    return f"{core}-{config}"


def _processes(run_dir: Path) -> list[dict[str, Any]]:
    """Every process record the runner kept (``codecov/dat/*.json``), in name order."""
    out = []
    for side in sorted((run_dir / CODECOV / "dat").glob("*.json")):
        rec = json.loads(side.read_text())
        rec["name"] = side.stem
        out.append(rec)
    return out


def _pct(hit: int, total: int) -> float | None:
    return round(100.0 * hit / total, 2) if total else None


def _tally(points: Mapping[Point, int], waived: set[Point]) -> dict[str, dict[str, Any]]:
    """Per metric: points, hit, waived (and of those hit), percent of the unwaived."""
    out: dict[str, dict[str, Any]] = {}
    for p, n in points.items():
        t = out.setdefault(p.metric, {"points": 0, "hit": 0, "waived": 0})
        if p in waived:
            t["waived"] += 1
            continue
        t["points"] += 1
        t["hit"] += n >= p.thresh
    for t in out.values():
        t["pct"] = _pct(t["hit"], t["points"])
    return {m: out[m] for m in [*METRICS, *sorted(set(out) - set(METRICS))] if m in out}


def _holes(points: Mapping[Point, int], waived: set[Point]) -> list[dict[str, Any]]:
    """The uncovered, unwaived points by file, line and metric (line and branch first)."""
    by: dict[tuple[str, int, str], dict[str, Any]] = {}
    for p, n in points.items():
        if p in waived or n >= p.thresh:
            continue
        h = by.setdefault(
            (p.file, p.line, p.metric),
            {
                "file": p.file,
                "line": p.line,
                "metric": p.metric,
                "module": p.module,
                "what": [],
                "n": 0,
            },
        )
        h["n"] += 1
        if len(h["what"]) < 6:
            h["what"].append(p.comment + (f" @ {p.hier}" if p.hier else ""))
    rank = {m: i for i, m in enumerate(("line", "branch", "expr", "fsm", "user", "toggle"))}
    return sorted(by.values(), key=lambda h: (rank.get(h["metric"], 9), h["file"], h["line"]))


def _modules(points: Mapping[Point, int], waived: set[Point], group: str) -> list[dict[str, Any]]:
    by: dict[tuple[str, str], dict[Point, int]] = {}
    for p, n in points.items():
        by.setdefault((p.module, p.file), {})[p] = n
    return [
        {
            "module": module,
            "file": file,
            "page": f"{CODECOV}/html/{group}/{Path(file).name}.html",
            "metrics": _tally(pts, waived),
        }
        for (module, file), pts in sorted(by.items())
    ]


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _file_pages(run_dir: Path, group: str, points: Mapping[Point, int], waived: set[Point]) -> None:
    """One annotated page per source file: every line, its points, covered or not."""
    by_file: dict[str, dict[int, list[tuple[Point, int]]]] = {}
    for p, n in points.items():
        for line in p.lines() if p.metric == "line" else [p.line]:
            by_file.setdefault(p.file, {}).setdefault(line, []).append((p, n))
    tmpl = _environment().get_template("source.html.j2")
    for file, lines in by_file.items():
        rows = []
        for i in range(1, len(waivers._source(file)) + 1):
            pts = sorted(lines.get(i, []), key=lambda pn: (pn[0].metric, pn[0].comment))
            miss = [
                (p, n) for p, n in pts if p not in waived and n < p.thresh
            ]  # holes on this line
            state = (
                ""
                if not pts
                else "miss"
                if miss
                else "waived"
                if all(p in waived for p, _ in pts)
                else "hit"
            )
            rows.append(
                {
                    "n": i,
                    "text": waivers.source_line(file, i),
                    "state": state,
                    "points": [
                        {
                            "metric": p.metric,
                            "comment": p.comment,
                            "hier": p.hier,
                            "count": n,
                            "state": "waived"
                            if p in waived
                            else "hit"
                            if n >= p.thresh
                            else "miss",
                        }
                        for p, n in pts
                    ],
                }
            )
        page = run_dir / CODECOV / "html" / group / f"{Path(file).name}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        tally = _tally({p: n for v in lines.values() for p, n in v}, waived)
        write_atomic(page, tmpl.render(file=file, group=group, rows=rows, tally=tally))


def merge_run(run_dir: Path) -> tuple[dict[str, dict[Point, int]], list[dict], dict[str, int]]:
    """(group -> merged points of rtl/, the processes whose counts were lost, jobs per group)."""
    groups: dict[str, list[dict[Point, int]]] = {}
    jobs: dict[str, int] = {}
    lost = []
    for rec in _processes(run_dir):
        g = group_name(rec["core"], rec["config"])
        jobs[g] = jobs.get(g, 0) + len(rec["jobs"])
        if not rec.get("dat"):
            lost.append({"group": g, "jobs": rec["jobs"], "attempt": rec.get("attempt", 1)})
            continue
        pts = dat.read(run_dir / CODECOV / "dat" / rec["dat"])
        groups.setdefault(g, []).append(dat.only_under(pts))
    return {g: dat.merge(parts) for g, parts in sorted(groups.items())}, lost, jobs


def summarize(
    run_dir: Path, waiver_file: Path = waivers.WAIVERS, pages: bool = True
) -> dict[str, Any]:
    """Merge, waive, tally: the signoff panel's data (``error`` set, not raised, if a waiver
    is wrong or stale: the page shows it and :func:`write` fails the run)."""
    merged, lost, jobs = merge_run(run_dir)
    panel: dict[str, Any] = {
        "kind": "codecov",
        "title": "Code coverage (Verilator)",
        "metrics": list(METRICS),
        "waiver_file": waivers.shown(waiver_file),
        "not_measured": {"fsm": FSM_UNAVAILABLE},
        "not_instrumented": exclude.excluded(CORE_SOURCES),
        "groups": [],
        "waivers": [],
        "lost": lost,
        "error": None,
    }
    try:
        ws = waivers.load(waiver_file)
    except waivers.WaiverError as exc:
        panel["error"] = str(exc)
        ws = []
    for g, points in merged.items():
        core, _, config = g.partition("-")
        waived = waivers.apply(ws, points, core, config)
        holes = _holes(points, waived)
        dat.write(points, run_dir / CODECOV / "merged" / f"{g}.dat")
        if pages:
            _file_pages(run_dir, g, points, waived)
        panel["groups"].append(
            {
                "name": g,
                "core": core,
                "config": config,
                "jobs": jobs.get(g, 0),
                "merged": f"{CODECOV}/merged/{g}.dat",
                "totals": _tally(points, waived),
                "modules": _modules(points, waived, g),
                "holes": holes[:MAX_HOLES],
                "n_holes": len(holes),
            }
        )
    panel["waivers"] = [w.as_dict() for w in ws]
    if panel["error"] is None:
        try:
            files = {p.file for pts in merged.values() for p in pts}
            waivers.check_stale(ws, files, waivers.shown(waiver_file))
        except waivers.WaiverError as exc:
            panel["error"] = str(exc)
    return panel


def write(run_dir: Path, waiver_file: Path = waivers.WAIVERS) -> dict[str, Any]:
    """Write the merged counts, the pages and ``signoff/codecov.json``; returns the panel."""
    panel = summarize(Path(run_dir), waiver_file)
    out = Path(run_dir) / SIGNOFF / PANEL
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, json.dumps(panel, indent=1))
    return panel


def lines(panel: Mapping[str, Any]) -> list[str]:
    """The figures as the run prints them: one line per core and configuration."""
    out = []
    for g in panel["groups"]:
        figs = ", ".join(
            f"{m} {t['pct']:.1f}% ({t['hit']}/{t['points']})"
            for m, t in g["totals"].items()
            if t["pct"] is not None
        )
        out.append(f"code coverage {g['name']}: {figs}; {g['n_holes']} holes")
    for lost in panel["lost"]:
        out.append(
            f"code coverage {lost['group']}: a process wrote no counts (crashed or killed): "
            f"{len(lost['jobs'])} jobs not counted"
        )
    if panel["error"]:
        out.append(f"code coverage: {panel['error']}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m flow.codecov.report --run RUN``: redo a coverage run's merge and dashboard."""
    from flow.regress.report import ReportError, write_report
    from flow.regress.rundirs import RUN_JSON, RunNotFound, history_dir, resolve

    ap = argparse.ArgumentParser(prog="python -m flow.codecov.report", description=__doc__)
    ap.add_argument("--run", default="latest", help="latest, a run folder's name or path")
    ap.add_argument("--waivers", type=Path, default=waivers.WAIVERS, help="the waiver file")
    args = ap.parse_args(argv)
    try:
        run_dir = resolve(args.run)
    except RunNotFound as exc:
        print(f"codecov: {exc}", file=sys.stderr)
        return 2
    if not (run_dir / CODECOV / "dat").is_dir():
        print(f"codecov: {run_dir} has no code coverage (run it with COVERAGE=1)", file=sys.stderr)
        return 2
    panel = write(run_dir, args.waivers)
    for line in lines(panel):
        print(line)
    try:
        page = write_report(run_dir / RUN_JSON, run_dir / "report", history_dir(run_dir.resolve()))
        print(f"dashboard: {page}")
    except ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    return 1 if panel["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
