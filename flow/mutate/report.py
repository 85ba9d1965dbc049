# SPDX-License-Identifier: Apache-2.0
"""The mutation run's results: scores per core, file and module, survivors with diffs and reruns.

The score counts what the suite noticed among the mutants that could be
noticed: ``detected / (total - equivalent - did_not_build - error)``, where a
mutant is detected when a step killed it or it hung a step past the time
limit (the watchdog noticed). ``mutate.json`` holds everything; the text
report and the standalone ``mutate.html`` are views of it, and
:func:`panel` gives the dashboard's figures.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

DETECTED = ("killed", "timed_out")
NOT_COUNTED = ("equivalent", "did_not_build", "error")


def score(counts: Counter | dict) -> float | None:
    """Detected / countable, or None when nothing could be counted."""
    total = sum(counts.values())
    countable = total - sum(counts.get(s, 0) for s in NOT_COUNTED)
    if countable <= 0:
        return None
    return sum(counts.get(s, 0) for s in DETECTED) / countable


def summarize(records: list[dict]) -> dict:
    """Counts and scores overall, per core, per file and per module."""
    groups: dict[str, dict[str, Counter]] = {"core": {}, "file": {}, "module": {}}
    overall: Counter = Counter()
    for r in records:
        st = r["outcome"]["status"]
        overall[st] += 1
        for core in r["cores"]:
            groups["core"].setdefault(core, Counter())[st] += 1
        groups["file"].setdefault(r["mutant"]["file"], Counter())[st] += 1
        groups["module"].setdefault(r["mutant"]["module"], Counter())[st] += 1

    def row(c: Counter) -> dict:
        return {"counts": dict(sorted(c.items())), "total": sum(c.values()), "score": score(c)}

    return {
        "overall": row(overall),
        **{k: {n: row(c) for n, c in sorted(v.items())} for k, v in groups.items()},
    }


def _pct(s: float | None) -> str:
    return "n/a" if s is None else f"{100 * s:.1f} %"


def _counts(c: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in c.items())


def text(doc: dict) -> str:
    """The report as printed: scores, then every survivor with its diff and rerun."""
    s = doc["summary"]
    lines = [
        f"mutation score {_pct(s['overall']['score'])} "
        f"({s['overall']['total']} mutants: {_counts(s['overall']['counts'])})",
        "",
        f"{'per core / file':30s} {'score':>9s}  counts",
    ]
    for key in ("core", "file"):
        for name, r in s[key].items():
            lines.append(f"{name:30s} {_pct(r['score']):>9s}  {_counts(r['counts'])}")
    for r in doc["mutants"]:
        o = r["outcome"]
        if o["status"] in ("survived", "error"):
            why = o["detail"] or "every step passed"
            eq = o.get("equivalence") or {}
            if eq:
                why += "; equivalence " + ", ".join(
                    f"{p['label']}: {p['verdict']}" for p in eq.get("proofs", [])
                )
            lines += ["", f"{o['status'].upper()} {r['mutant']['id']} ({why})"]
            lines += [f"  rerun: {r['repro']}", *("  " + ln for ln in r["diff"].splitlines())]
    return "\n".join(lines) + "\n"


def panel(mutate_json: Path | str) -> dict:
    """The dashboard's figures from a ``mutate.json``: the score per core and per file.

    ``{"score": float|None, "total": int, "counts": {...}, "cores": {core: {score, total,
    counts}}, "files": {...}, "survivors": [{"id", "repro"}], "command": str, "html": path}``.
    """
    p = Path(mutate_json)
    doc = json.loads(p.read_text())
    s = doc["summary"]
    return {
        "score": s["overall"]["score"],
        "total": s["overall"]["total"],
        "counts": s["overall"]["counts"],
        "cores": s["core"],
        "files": s["file"],
        "survivors": [
            {"id": r["mutant"]["id"], "repro": r["repro"]}
            for r in doc["mutants"]
            if r["outcome"]["status"] == "survived"
        ],
        "command": doc["run"]["command"],
        "html": str(p.with_name("mutate.html")),
    }


def write_html(doc: dict, path: Path) -> None:
    """A standalone page: scores per core and file, then every mutant (survivors first)."""
    e = html.escape
    s = doc["summary"]
    rows = []
    for key, title in (("core", "core"), ("file", "file"), ("module", "module")):
        rows.append(f"<h2>per {title}</h2><table><tr><th>{title}</th><th>score</th>")
        rows.append("<th>mutants</th><th>counts</th></tr>")
        for name, r in s[key].items():
            rows.append(
                f"<tr><td>{e(name)}</td><td>{_pct(r['score'])}</td><td>{r['total']}</td>"
                f"<td>{e(_counts(r['counts']))}</td></tr>"
            )
        rows.append("</table>")
    order = {"survived": 0, "error": 1, "timed_out": 2, "did_not_build": 3}
    muts = sorted(
        doc["mutants"], key=lambda r: (order.get(r["outcome"]["status"], 9), r["mutant"]["id"])
    )
    items = []
    for r in muts:
        o = r["outcome"]
        by = ("by " + o["by"] if o["by"] else "") + (
            " (RTL assertion)" if o.get("assertion") else ""
        )
        eq = o.get("equivalence") or {}
        proofs = "; ".join(f"{p['label']}: {p['verdict']}" for p in eq.get("proofs", []))
        eq_text = f"equivalence ({eq.get('method', '')}): {proofs or eq.get('reason', '')}"
        items.append(
            f"<details class='{e(o['status'])}'><summary><b>{e(o['status'])}</b> "
            f"{e(r['mutant']['id'])} {e(by)}</summary><p>{e(o['detail'])}</p>"
            + (f"<p>{e(eq_text)}</p>" if eq else "")
            + f"<p>rerun: <code>{e(r['repro'])}</code></p><pre>{e(r['diff'])}</pre></details>"
        )
    run = doc["run"]
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>mutation score</title>
<style>body{{font-family:sans-serif;margin:1.5em;max-width:70em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px;text-align:left}}
pre{{background:#f6f6f6;padding:6px;overflow-x:auto}}.survived summary{{color:#b00}}
.killed summary{{color:#070}}</style></head><body>
<h1>Mutation score {_pct(s["overall"]["score"])}</h1>
<p>{s["overall"]["total"]} mutants: {e(_counts(s["overall"]["counts"]))}.
Score = (killed + timed out) / (total - equivalent - did not build - error).</p>
<p>command: <code>{e(run["command"])}</code>; simulator {e(run["sim"])}; seed {run["seed"]};
{run["wall_s"]:.0f} s wall on {run["jobs"]} workers.</p>
{"".join(rows)}<h2>mutants</h2>{"".join(items)}</body></html>
"""
    path.write_text(page)
