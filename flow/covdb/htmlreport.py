# SPDX-License-Identifier: Apache-2.0
"""The HTML report of merged coverage: one static page that opens on its summary.

Self-contained (inline CSS, no script, no network): it opens from a build
directory or a CI artifact. Order, so that the first screen answers "how far
along is coverage, and where are the gaps":

1. a summary matrix, configurations x covergroups (bins hit / bins, percent);
2. the testpoint view: each testpoint of the verification plan with the
   closure of its covergroups (``docs/testpoints.toml``);
3. the holes, per configuration, covergroup and point, collapsible, counts
   first; a cross's holes as patterns (:mod:`flow.covdb.holes`) with their
   count per coverpoint value, never one row per bin;
4. the runs not merged and why;
5. per configuration: the covergroups, each point's hit bins with their hits
   and the first test and seed that hit them (collapsed), the exclusion rules
   and the dumps merged.

Every excluded bin with its reason is in the text report's ``--details`` and
the UCIS XML; the page lists the rules. pyucis's HTML report renders from
JavaScript fetched from a CDN and lists no holes, so it is not used.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from flow.covdb.holes import ANY, hole_patterns
from flow.covdb.model import ConfigCoverage, CoverGroup, CoverPoint, Run, natural_key
from flow.covdb.report import reason_summary, runs_line
from flow.covdb.runs import Collected
from flow.covdb.testpoints import Testpoint, closure

MAX_PATTERNS = 12  # hole patterns shown per point before "the other N"
_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.2em auto; max-width: 86em;
  padding: 0 1em; color: #1d232a; }
h1 { margin: 0 0 .1em; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .2em; }
h3 { margin: 1.2em 0 .3em; } code, .mono { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: .15em .5em; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.c { text-align: center; font-variant-numeric: tabular-nums; line-height: 1.2; }
td.c small { color: #656d76; } td.full { background: #dafbe1; } td.part { background: #ffe3e3; }
td.na { color: #8c959f; text-align: center; } tr.hole td { background: #ffe3e3; }
.ok { color: #1a7f37; } .bad { color: #b00020; font-weight: bold; } .muted { color: #656d76; }
.warn { background: #fff4d6; border: 1px solid #d4a72c; padding: .5em 1em; }
.bar { display: inline-block; width: 6em; height: .7em; background: #ffd6d6; }
.bar > span { display: block; height: 100%; background: #2da44e; }
details { margin: .25em 0; } summary { cursor: pointer; } details details { margin-left: 1.2em; }
.cnt { display: inline-block; min-width: 3.2em; text-align: right; margin-right: .4em;
  font-weight: bold; font-variant-numeric: tabular-nums; }
td.what { max-width: 27em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.c a { color: inherit; text-decoration: none; } .nw { white-space: nowrap; }
td.per { min-width: 14em; }
table.bins td:first-child { font-family: ui-monospace, monospace; }
table.bins td:nth-child(2) { text-align: right; font-variant-numeric: tabular-nums; }
td.any { color: #8c959f; } pre { margin: .3em 0 .8em; }
nav a { margin-right: .8em; }
"""


def _pct(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def _pct_text(hit: int, total: int) -> str:
    p = _pct(hit, total)
    return "100 %" if hit == total else f"{min(p, 99.9):.1f} %"


def _bar(hit: int, total: int) -> str:
    p = _pct(hit, total)
    return f'<span class="bar"><span style="width:{p:.1f}%"></span></span> {_pct_text(hit, total)}'


def _anchor(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "_" for c in p) for p in parts)


def _md(text: str) -> str:
    """Markdown code spans of the plan's text as ``<code>``; everything else escaped."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", escape(text))


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def _group_order(covs: Sequence[ConfigCoverage]) -> list[str]:
    """Covergroups of every configuration first, then the rarer ones (FP), by name."""
    seen = Counter(g for c in covs for g in c.groups)
    return sorted(seen, key=lambda g: (-seen[g], natural_key(g)))


# --- 1. summary ------------------------------------------------------------------------
def _cell(hit: int, total: int, href: str = "") -> str:
    cls = "full" if hit == total else "part"
    pct = f'<a href="{href}">{_pct_text(hit, total)}</a>' if href else _pct_text(hit, total)
    return f'<td class="c {cls}"><b>{pct}</b><br><small>{hit}/{total}</small></td>'


def _summary(covs: Sequence[ConfigCoverage], links: Mapping[str, str]) -> list[str]:
    groups = _group_order(covs)
    out = [
        '<section id="summary"><h2>Summary: bins hit per configuration and covergroup</h2>',
        '<table class="summary"><tr><th>configuration</th><th class="n">dumps</th>'
        '<th class="n">holes</th><th>all bins</th>'
        + "".join(f"<th>{escape(g)}</th>" for g in groups)
        + "</tr>",
    ]
    for c in covs:
        n = len(c.holes())
        link = links.get(c.config)
        xml = f' <small><a href="{escape(link)}">UCIS</a></small>' if link else ""
        holes = f'<a href="#{_anchor("holes", c.config)}">{n}</a>' if n else "0"
        row = [
            f'<tr><td><a href="#{_anchor(c.config)}">{escape(c.config)}</a>{xml}</td>',
            f'<td class="n">{len(c.runs)}</td><td class="n{" bad" if n else ""}">{holes}</td>',
            _cell(c.n_hit, c.n_bins),
        ]
        for name in groups:
            g = c.groups.get(name)
            if g is None:
                row.append('<td class="na" title="not collected on this configuration">-</td>')
            else:
                row.append(_cell(g.n_hit, g.n_bins, f"#{_anchor(c.config, g.name)}"))
        out.append("".join(row) + "</tr>")
    out.append("</table>")
    excluded = sum(c.n_excluded for c in covs)
    if excluded:
        out.append(
            f'<p class="muted">Excluded bins (unreachable, derived from the model) are not '
            f"counted: {excluded} in all; their rules are under each configuration.</p>"
        )
    out.append("</section>")
    return out


# --- 2. testpoints ---------------------------------------------------------------------
def _testpoints(
    tps: Sequence[Testpoint] | None, covs: Sequence[ConfigCoverage], note: str
) -> list[str]:
    out = ['<section id="testpoints"><h2>Testpoints: closure of their covergroups</h2>']
    if tps is None:
        return out + [f'<p class="warn">No testpoint view: {escape(note)}</p></section>']
    out.append(
        '<table class="testpoints"><tr><th class="n">#</th><th>testpoint</th>'
        "<th>coverage</th><th>bins hit</th><th>per configuration</th></tr>"
    )
    plain = []
    for tp in tps:
        if not tp.coverage:
            plain.append(str(tp.id))
            continue
        names = ", ".join(
            "every covergroup" if x == "*" else f"<code>{escape(x)}</code>" for x in tp.coverage
        )
        if tp.cores:
            names += f" <small>(on {escape(', '.join(tp.cores))})</small>"
        cl = closure(tp, covs)
        what = f'<td class="what" title="{escape(tp.what)}">{_md(tp.what)}</td>'
        if not cl:
            out.append(
                f'<tr><td class="n">{tp.id}</td>{what}<td>{names}</td>'
                '<td class="na" colspan="2">no configuration here collects its coverage</td></tr>'
            )
            continue
        hit, bins = sum(x.hit for x in cl), sum(x.bins for x in cl)
        open_ = [x for x in cl if x.holes]
        if open_:
            per = "holes: " + ", ".join(
                f'<span class="nw"><a href="#{_anchor("holes", x.config)}">'
                f'{escape(x.config)}</a> <span class="bad">{x.holes}</span></span>'
                for x in open_
            )
        else:
            per = f'<span class="ok">closed on {_n(len(cl), "configuration")}</span>'
        out.append(
            f'<tr><td class="n">{tp.id}</td>{what}<td>{names}</td>'
            f'<td class="nw">{_bar(hit, bins)} <small>{hit}/{bins}</small></td>'
            f'<td class="per">{per}</td></tr>'
        )
    out.append("</table>")
    if plain:
        out.append(
            f'<p class="muted">Testpoints {", ".join(plain)} have no covergroup: their tests '
            "check them (docs/verification_plan.md).</p>"
        )
    out.append("</section>")
    return out


# --- 3. holes --------------------------------------------------------------------------
def _marginals(p: CoverPoint) -> list[str]:
    """Holes per value of each crossed coverpoint: where the missing bins concentrate."""
    holes = [p.components(b) for b in p.holes()]
    out = ['<table class="marg">']
    for i, cp in enumerate(p.crossed):
        count = Counter(h[i] for h in holes)
        vals = sorted(count.items(), key=lambda kv: (-kv[1], natural_key(kv[0])))
        cells = " &middot; ".join(f"<code>{escape(v)}</code> {n}" for v, n in vals)
        out.append(f"<tr><th>{escape(cp)}</th><td>{cells}</td></tr>")
    out.append("</table>")
    return out


def _cross_holes(p: CoverPoint) -> list[str]:
    pats = hole_patterns(p)
    heads = "".join(f"<th>{escape(cp)}</th>" for cp in p.crossed)
    out = _marginals(p) if len(pats) > 1 else []
    shown = pats[:MAX_PATTERNS]
    out.append(f'<table class="patterns"><tr><th class="n">holes</th>{heads}</tr>')
    for pat in shown:
        tds = "".join(
            '<td class="any">any</td>' if v == ANY else f'<td class="mono">{escape(v)}</td>'
            for v in pat.values
        )
        out.append(f'<tr><td class="n">{pat.holes}</td>{tds}</tr>')
    out.append("</table>")
    rest = pats[len(shown) :]
    if rest:
        n = sum(x.holes for x in rest)
        lines = "\n".join(
            f"{x.holes:>4}  <" + ",".join("*" if v == ANY else v for v in x.values) + ">"
            for x in rest
        )
        out.append(
            f"<details><summary>the other {_n(len(rest), 'pattern')} ({_n(n, 'hole')})"
            f"</summary><pre>{escape(lines)}</pre></details>"
        )
    return out


def _point_holes(c: ConfigCoverage, g: CoverGroup, p: CoverPoint) -> list[str]:
    hs = p.holes()
    link = f'<a href="#{_anchor(c.config, g.name, p.name)}"><code>{escape(p.name)}</code></a>'
    head = (
        f'<p><span class="cnt bad">{len(hs)}</span>of {p.n_bins} bins of {link} never hit'
        + (
            f' <span class="muted">(cross of {escape(", ".join(p.crossed))}; "any" or *: every '
            "value that is not excluded)</span>"
            if p.is_cross
            else ""
        )
        + "</p>"
    )
    if not p.is_cross:
        return [head, "<p>" + ", ".join(f"<code>{escape(b)}</code>" for b in hs) + "</p>"]
    return [head, *_cross_holes(p)]


def _holes(covs: Sequence[ConfigCoverage]) -> list[str]:
    n = sum(len(c.holes()) for c in covs)
    out = [f'<section id="holes"><h2>Holes: {n}</h2>']
    if not n:
        out.append('<p class="ok">None: every bin that is not excluded was hit.</p>')
    for c in covs:
        hs = c.holes()
        if not hs:
            continue
        gs = [g for g in c.groups.values() if any(p.holes() for p in g.points.values())]
        out.append(
            f'<details open id="{_anchor("holes", c.config)}"><summary>'
            f'<span class="cnt bad">{len(hs)}</span><b>{escape(c.config)}</b> '
            f'<span class="muted">in {_n(len(gs), "covergroup")}</span></summary>'
        )
        for g in sorted(gs, key=lambda g: -sum(len(p.holes()) for p in g.points.values())):
            pts = [p for p in g.points.values() if p.holes()]
            k = sum(len(p.holes()) for p in pts)
            which = ", ".join(f"{escape(p.name)} {len(p.holes())}" for p in pts)
            out.append(
                f'<details><summary><span class="cnt bad">{k}</span><b>{escape(g.name)}</b> '
                f'<span class="muted">of {g.n_bins} bins: {which}</span></summary>'
            )
            for p in pts:
                out += _point_holes(c, g, p)
            out.append("</details>")
        out.append("</details>")
    hit = [(c, h, k) for c in covs for h, k in c.excluded_hit()]
    if hit:
        out.append(
            f'<div class="warn"><b>{len(hit)} excluded bin(s) were hit</b>: '
            "the exclusion or the bin is wrong.<ul>"
        )
        out += [
            f"<li><code>{escape(c.config)}: {escape(str(h))}</code> ({k} hits)</li>"
            for c, h, k in hit
        ]
        out.append("</ul></div>")
    out.append("</section>")
    return out


# --- 4. runs not merged ----------------------------------------------------------------
def _runs(col: Collected | None, covs: Sequence[ConfigCoverage]) -> list[str]:
    merged = sum(len(c.runs) for c in covs)
    out = ['<section id="runs"><h2>Runs</h2>']
    if col is None:
        return out + [f"<p>{_n(merged, 'dump')} merged.</p></section>"]
    if col.run is None:
        out.append(
            f"<p>{_n(merged, 'dump')} merged; the expected set of runs is unknown "
            f"({escape(col.run_note)}).</p>"
        )
    else:
        run = col.run
        about = escape(str(run.path)) + (f", suite {escape(run.suite)}" if run.suite else "")
        out.append(f"<p>Merged {merged} of {_n(len(run.jobs), 'run')} ({about}).</p>")
    if col.unmerged:
        out.append(
            f'<details open><summary><span class="cnt">{len(col.unmerged)}</span>'
            "runs not merged, and why</summary>"
            '<table class="unmerged"><tr><th>job</th><th>why</th></tr>'
        )
        out += [
            f'<tr><td class="mono">{escape(u.job.job_id)}</td><td>{escape(u.reason)}</td></tr>'
            for u in col.unmerged
        ]
        out.append("</table></details>")
    if col.not_merged:
        out.append(
            f'<details open><summary><span class="cnt">{len(col.not_merged)}</span>'
            "files not merged, and why</summary>"
            '<table class="notmerged"><tr><th>file</th><th>why</th></tr>'
        )
        out += [
            f'<tr><td class="mono">{escape(str(n.file))}</td><td>{escape(n.reason)}</td></tr>'
            for n in col.not_merged
        ]
        out.append("</table></details>")
    out.append("</section>")
    return out


# --- 5. per configuration --------------------------------------------------------------
def _labels(runs: Sequence[Run]) -> dict[str, str]:
    """``SmokeTest 3``: test and seed, with simulator and transport where that is ambiguous."""
    base = {r.name: f"{r.test} {r.seed}" for r in runs}
    dup = Counter(base.values())
    return {
        r.name: base[r.name]
        if dup[base[r.name]] == 1
        else " ".join(x for x in (base[r.name], r.sim, r.transport) if x)
        for r in runs
    }


def _bins_table(p: CoverPoint, labels: Mapping[str, str]) -> list[str]:
    """Hit bins with hits and first hit (a coverpoint: every bin; a cross: its hit bins)."""
    rows = p.counted if not p.is_cross else {b: n for b, n in p.counted.items() if n}
    out = [
        '<table class="bins"><tr><th>bin</th><th class="n">hits</th>'
        "<th>first hit (test seed)</th></tr>"
    ]
    for b, n in rows.items():  # thousands of rows: the optional end tags are left out
        first = p.first.get(b)
        who = escape(labels.get(first.name, first.test)) if first else ""
        cls = ' class="hole"' if n == 0 else ""
        out.append(f"<tr{cls}><td>{escape(b)}<td>{n}<td>{who}")
    out.append("</table>")
    return out


def _group(c: ConfigCoverage, g: CoverGroup, labels: Mapping[str, str]) -> list[str]:
    holes = sum(len(p.holes()) for p in g.points.values())
    bad = f', <span class="bad">{holes} hole(s)</span>' if holes else ""
    out = [
        f'<h3 id="{_anchor(c.config, g.name)}">{escape(g.name)} '
        f'<span class="muted">{g.n_hit}/{g.n_bins}</span> {_bar(g.n_hit, g.n_bins)}{bad}</h3>'
    ]
    for p in g.points.values():
        ph = p.holes()
        kind = f"cross of {', '.join(p.crossed)}" if p.is_cross else "coverpoint"
        note = f', <span class="bad">{len(ph)} hole(s)</span>' if ph else ""
        excl = f", {len(p.excluded)} excluded" if p.excluded else ""
        out.append(
            f'<details id="{_anchor(c.config, g.name, p.name)}">'
            f"<summary><code>{escape(p.name)}</code> {p.n_hit}/{p.n_bins}{note}{excl} "
            f'<span class="muted">({escape(kind)})</span></summary>'
        )
        out += _bins_table(p, labels)
        out.append("</details>")
    return out


def _excluded(c: ConfigCoverage) -> list[str]:
    out = [f'<h3 id="{_anchor(c.config, "excluded")}">Excluded bins: {c.n_excluded}</h3>']
    if not c.n_excluded:
        return out + ["<p>None.</p>"]
    out.append(
        '<p class="muted">By rule, with an example; every bin with its reason: '
        "<code>make cov COV_ARGS=--details</code> or the UCIS XML (ignore bins).</p>"
    )
    for g in c.groups.values():
        for p in g.points.values():
            if not p.excluded:
                continue
            rules = reason_summary(p)
            out.append(
                f"<details><summary><code>{escape(g.name)}.{escape(p.name)}</code>: "
                f"{_n(len(p.excluded), 'bin')}, {_n(len(rules), 'rule')}</summary>"
                '<table class="rules"><tr><th class="n">bins</th><th>reason</th><th>e.g.</th></tr>'
            )
            for n, rule, example in rules:
                out.append(
                    f'<tr><td class="n">{n}</td><td>{escape(rule)}</td>'
                    f'<td class="mono">{escape(example)}</td></tr>'
                )
            out.append("</table></details>")
    return out


def _dumps(c: ConfigCoverage) -> list[str]:
    out = [f"<details><summary>{escape(runs_line(c))}, in merge order</summary>"]
    out.append(
        '<table class="runs"><tr><th>dump</th><th>test</th><th>seed</th>'
        "<th>simulator</th><th>transport</th></tr>"
    )
    for r in c.runs:
        out.append(
            f'<tr><td class="mono">{escape(r.name)}</td><td>{escape(r.test)}</td>'
            f'<td class="mono">{escape(r.seed)}</td><td>{escape(r.sim)}</td>'
            f"<td>{escape(r.transport)}</td></tr>"
        )
    out.append("</table></details>")
    return out


def _config(c: ConfigCoverage, links: Mapping[str, str]) -> list[str]:
    xml = links.get(c.config)
    ucis = f', UCIS XML <a href="{escape(xml)}">{escape(Path(xml).name)}</a>' if xml else ""
    labels = _labels(c.runs)
    out = [f'<section id="{_anchor(c.config)}"><h2>{escape(c.config)}</h2>']
    out.append(f"<p>{c.n_hit}/{c.n_bins} bins hit {_bar(c.n_hit, c.n_bins)}{ucis}</p>")
    out += _dumps(c)
    out.append(
        '<p class="muted">Open a point for its bins (a cross: its hit bins; its holes are under '
        "Holes) with their hits and the first test and seed that hit each.</p>"
    )
    for g in c.groups.values():
        out += _group(c, g, labels)
    out += _excluded(c)
    out.append("</section>")
    return out


def html_report(
    covs: Sequence[ConfigCoverage],
    links: Mapping[str, str] | None = None,
    *,
    collected: Collected | None = None,
    testpoints: Sequence[Testpoint] | None = None,
    testpoints_note: str = "no testpoint data given",
) -> str:
    """The page; ``links`` maps a configuration to its UCIS file (a relative URL).

    ``collected``: what was and was not merged (the Runs section); ``testpoints``:
    the plan's testpoints (None: the view says ``testpoints_note`` instead).
    """
    links = links or {}
    n_holes = sum(len(c.holes()) for c in covs)
    n_runs = sum(len(c.runs) for c in covs)
    order = (
        "first hit: the first dump in run.json's job order"
        if collected is not None and collected.run is not None
        else "first hit: the first dump by file name"
    )
    missing = len(collected.unmerged) + len(collected.not_merged) if collected else 0
    left = f', <a href="#runs">{missing} not merged</a>' if missing else ""
    lead = (
        f'<span class="{"bad" if n_holes else "ok"}">{_n(n_holes, "hole")}</span> in '
        f"{_n(len(covs), 'configuration')}, from {_n(n_runs, 'dump')}{left} ({order})"
    )
    nav = [
        '<a href="#summary">summary</a>',
        '<a href="#testpoints">testpoints</a>',
        '<a href="#holes">holes</a>',
        '<a href="#runs">runs</a>',
        *(f'<a href="#{_anchor(c.config)}">{escape(c.config)}</a>' for c in covs),
    ]
    out = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Functional coverage: {_n(n_holes, 'hole')}</title><style>{_CSS}</style>"
        "</head><body>",
        f"<h1>Functional coverage</h1><p>{lead}</p><nav>{' '.join(nav)}</nav>",
    ]
    out += _summary(covs, links)
    out += _testpoints(testpoints, covs, testpoints_note)
    out += _holes(covs)
    out += _runs(collected, covs)
    for c in covs:
        out += _config(c, links)
    out.append("</body></html>\n")
    return "\n".join(out)


def write_html(
    covs: Sequence[ConfigCoverage],
    path: Path,
    ucis: Mapping[str, Path] | None = None,
    **kw: object,
) -> Path:
    """Write the page to ``path``, linking each configuration's UCIS file if given.

    Keyword arguments go to :func:`html_report` (``collected``, ``testpoints``, ...).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    links = {
        c: Path(os.path.relpath(p.resolve(), path.parent.resolve())).as_posix()
        for c, p in (ucis or {}).items()
    }
    path.write_text(html_report(covs, links, **kw))  # type: ignore[arg-type]
    return path
