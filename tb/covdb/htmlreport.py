"""The HTML report of merged coverage: one static page, holes first.

Self-contained (inline CSS, no script, no network): it opens from a build
directory or a CI artifact. Order: holes per configuration and covergroup,
excluded bins that were hit (if any), a summary per configuration, then per
configuration the covergroups with one table of hits per coverpoint or cross
(collapsed unless it has a hole), the excluded bins by rule and one by one
with their reason, and the dumps merged. pyucis's HTML report renders from
JavaScript fetched from a CDN and lists no holes, so it is not used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from tb.covdb.model import ConfigCoverage, CoverGroup, CoverPoint
from tb.covdb.report import reason_summary, runs_line

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #1d232a; }
h1 { margin-bottom: .2em; } h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .2em; }
h3 { margin-top: 1.6em; } code, td.bin, td.cmp { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: .15em .6em; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.hole td { background: #ffe3e3; } tr.hole td.n { color: #b00020; font-weight: bold; }
.ok { color: #1a7f37; } .bad { color: #b00020; font-weight: bold; } .muted { color: #656d76; }
.warn { background: #fff4d6; border: 1px solid #d4a72c; padding: .5em 1em; }
.bar { display: inline-block; width: 6em; height: .7em; background: #ffd6d6; }
.bar > span { display: block; height: 100%; background: #2da44e; }
details { margin: .3em 0; } summary { cursor: pointer; }
"""


def _pct(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def _bar(hit: int, total: int) -> str:
    p = _pct(hit, total)
    return f'<span class="bar"><span style="width:{p:.1f}%"></span></span> {p:.1f} %'


def _anchor(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "_" for c in p) for p in parts)


def _holes(covs: Sequence[ConfigCoverage]) -> list[str]:
    n = sum(len(c.holes()) for c in covs)
    out = [f'<section id="holes"><h2>Holes: {n}</h2>']
    if not n:
        out.append('<p class="ok">None: every bin that is not excluded was hit.</p>')
    for c in covs:
        hs = c.holes()
        if not hs:
            continue
        out.append(f"<h3>{escape(c.config)}: {len(hs)} hole(s)</h3>")
        out.append('<table class="holes"><tr><th>covergroup</th><th>point</th><th>bin</th></tr>')
        for h in hs:
            link = f"#{_anchor(c.config, h.group, h.point)}"
            out.append(
                f"<tr><td>{escape(h.group)}</td>"
                f'<td><a href="{escape(link)}">{escape(h.point)}</a></td>'
                f'<td class="bin">{escape(h.bin)}</td></tr>'
            )
        out.append("</table>")
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


def _summary(covs: Sequence[ConfigCoverage], links: Mapping[str, str]) -> list[str]:
    out = [
        '<section id="summary"><h2>Summary</h2><table class="summary">',
        "<tr><th>configuration</th><th>dumps</th><th>bins hit</th><th></th><th>holes</th>"
        "<th>excluded</th><th>UCIS XML</th></tr>",
    ]
    for c in covs:
        n = len(c.holes())
        link = links.get(c.config)
        xml = f'<a href="{escape(link)}">{escape(Path(link).name)}</a>' if link else ""
        out.append(
            f'<tr><td><a href="#{_anchor(c.config)}">{escape(c.config)}</a></td>'
            f'<td class="n">{len(c.runs)}</td><td class="n">{c.n_hit}/{c.n_bins}</td>'
            f"<td>{_bar(c.n_hit, c.n_bins)}</td>"
            f'<td class="n{" bad" if n else ""}">{n}</td><td class="n">{c.n_excluded}</td>'
            f"<td>{xml}</td></tr>"
        )
    out.append("</table></section>")
    return out


def _bins_table(p: CoverPoint) -> list[str]:
    heads = p.crossed if p.is_cross else ("bin",)
    out = ['<table class="bins"><tr>' + "".join(f"<th>{escape(h)}</th>" for h in heads)]
    out[-1] += "<th>hits</th></tr>"
    for b, n in p.counted.items():
        cells = p.components(b) if p.is_cross else (b,)
        tds = "".join(f'<td class="cmp">{escape(v)}</td>' for v in cells)
        cls = ' class="hole"' if n == 0 else ""
        out.append(f'<tr{cls}>{tds}<td class="n">{n}</td></tr>')
    out.append("</table>")
    return out


def _group(c: ConfigCoverage, g: CoverGroup) -> list[str]:
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
            f'<details id="{_anchor(c.config, g.name, p.name)}"{" open" if ph else ""}>'
            f"<summary><code>{escape(p.name)}</code> {p.n_hit}/{p.n_bins}{note}{excl} "
            f'<span class="muted">({escape(kind)})</span></summary>'
        )
        out += _bins_table(p)
        out.append("</details>")
    return out


def _excluded(c: ConfigCoverage) -> list[str]:
    out = [f'<h3 id="{_anchor(c.config, "excluded")}">Excluded bins: {c.n_excluded}</h3>']
    if not c.n_excluded:
        return out + ["<p>None.</p>"]
    for g in c.groups.values():
        for p in g.points.values():
            if not p.excluded:
                continue
            out.append(
                f"<p><code>{escape(g.name)}.{escape(p.name)}</code>: {len(p.excluded)} bins</p>"
            )
            out.append('<table class="rules"><tr><th>bins</th><th>reason</th><th>e.g.</th></tr>')
            for n, rule, example in reason_summary(p):
                out.append(
                    f'<tr><td class="n">{n}</td><td>{escape(rule)}</td>'
                    f'<td class="bin">{escape(example)}</td></tr>'
                )
            out.append("</table>")
            heads = p.crossed if p.is_cross else ("bin",)
            out.append(f"<details><summary>all {len(p.excluded)} excluded bins</summary>")
            out.append(
                '<table class="excluded"><tr>'
                + "".join(f"<th>{escape(h)}</th>" for h in heads)
                + "<th>hits</th><th>reason</th></tr>"
            )
            for b, why in p.excluded.items():
                cells = p.components(b) if p.is_cross else (b,)
                tds = "".join(f'<td class="cmp">{escape(v)}</td>' for v in cells)
                n = p.bins.get(b, 0)
                cls = ' class="bad"' if n else ""
                out.append(
                    f'<tr>{tds}<td class="n"><span{cls}>{n}</span></td><td>{escape(why)}</td></tr>'
                )
            out.append("</table></details>")
    return out


def _runs(c: ConfigCoverage) -> list[str]:
    out = [f"<details><summary>{escape(runs_line(c))}</summary>"]
    out.append(
        '<table class="runs"><tr><th>dump</th><th>test</th><th>seed</th>'
        "<th>simulator</th><th>transport</th></tr>"
    )
    for r in c.runs:
        out.append(
            f'<tr><td class="bin">{escape(r.name)}</td><td>{escape(r.test)}</td>'
            f'<td class="bin">{escape(r.seed)}</td><td>{escape(r.sim)}</td>'
            f"<td>{escape(r.transport)}</td></tr>"
        )
    out.append("</table></details>")
    return out


def html_report(covs: Sequence[ConfigCoverage], links: Mapping[str, str] | None = None) -> str:
    """The page; ``links`` maps a configuration to its UCIS file (a relative URL)."""
    links = links or {}
    n_holes = sum(len(c.holes()) for c in covs)
    n_runs = sum(len(c.runs) for c in covs)
    lead = (
        f'<span class="{"bad" if n_holes else "ok"}">{n_holes} hole(s)</span> in '
        f"{len(covs)} configuration(s), from {n_runs} dump(s)"
    )
    nav = " &middot; ".join(f'<a href="#{_anchor(c.config)}">{escape(c.config)}</a>' for c in covs)
    out = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Functional coverage: {n_holes} hole(s)</title><style>{_CSS}</style></head><body>",
        f"<h1>Functional coverage</h1><p>{lead}. Configurations: {nav}</p>",
    ]
    out += _holes(covs)
    out += _summary(covs, links)
    for c in covs:
        xml = links.get(c.config)
        ucis = f', UCIS XML <a href="{escape(xml)}">{escape(Path(xml).name)}</a>' if xml else ""
        out.append(f'<section id="{_anchor(c.config)}"><h2>{escape(c.config)}</h2>')
        out.append(f"<p>{c.n_hit}/{c.n_bins} bins hit {_bar(c.n_hit, c.n_bins)}{ucis}</p>")
        out += _runs(c)
        out.append('<table class="groups"><tr><th>covergroup</th><th>bins hit</th><th></th>')
        out[-1] += "<th>holes</th><th>excluded</th></tr>"
        for g in c.groups.values():
            holes = sum(len(p.holes()) for p in g.points.values())
            out.append(
                f'<tr><td><a href="#{_anchor(c.config, g.name)}">{escape(g.name)}</a></td>'
                f'<td class="n">{g.n_hit}/{g.n_bins}</td><td>{_bar(g.n_hit, g.n_bins)}</td>'
                f'<td class="n{" bad" if holes else ""}">{holes}</td>'
                f'<td class="n">{g.n_excluded}</td></tr>'
            )
        out.append("</table>")
        for g in c.groups.values():
            out += _group(c, g)
        out += _excluded(c)
        out.append("</section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def write_html(
    covs: Sequence[ConfigCoverage], path: Path, ucis: Mapping[str, Path] | None = None
) -> Path:
    """Write the page to ``path``, linking each configuration's UCIS file if given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    links = {
        c: Path(os.path.relpath(p.resolve(), path.parent.resolve())).as_posix()
        for c, p in (ucis or {}).items()
    }
    path.write_text(html_report(covs, links))
    return path
