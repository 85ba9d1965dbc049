"""The text report of merged coverage: what is missing comes first.

Order: the holes of every configuration (the work still to do), then per
configuration a table of covergroups and their points (bins hit / bins and
percent, holes, excluded), then the excluded bins summarized by reason, and
with ``details`` every bin. pyucis's own text report prints a percentage per
coverpoint and no bin names, so it cannot say which bins are holes.

Exclusion reasons name the bin they exclude (``lutgen with w0,int8,t0 can
only answer OK``), so hundreds of reasons are often a handful of rules:
:func:`reason_summary` masks the bin's own values with its coverpoint names
(``{cp_op} with {cp_wbits},...``) and counts the bins per rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from tb.covdb.model import ConfigCoverage, CoverPoint


def reason_rule(p: CoverPoint, bin_name: str, reason: str) -> str:
    """``reason`` with the bin's own values replaced by their coverpoint names."""
    values = p.components(bin_name)
    names = p.crossed if p.is_cross else ("bin",)
    sub = {}
    for v, n in zip(values, names, strict=False):
        if v:
            sub.setdefault(v, n)
    if not sub:
        return reason
    alts = "|".join(re.escape(v) for v in sorted(sub, key=len, reverse=True))
    return re.sub(rf"(?<!\w)({alts})(?!\w)", lambda m: "{" + sub[m.group(1)] + "}", reason)


def reason_summary(p: CoverPoint) -> list[tuple[int, str, str]]:
    """(bins, rule, an example bin) for each exclusion rule of ``p``, most bins first."""
    count: Counter[str] = Counter()
    example: dict[str, str] = {}
    for b, why in p.excluded.items():
        rule = reason_rule(p, b, why)
        count[rule] += 1
        example.setdefault(rule, b)
    return [(n, rule, example[rule]) for rule, n in sorted(count.items(), key=lambda x: -x[1])]


def runs_line(cov: ConfigCoverage) -> str:
    """``12 dumps of 5 tests on icarus, verilator``: where the hits come from."""
    tests = {r.test for r in cov.runs}
    sims = sorted({r.sim for r in cov.runs if r.sim})
    on = f" on {', '.join(sims)}" if sims else ""
    n = len(cov.runs)
    return (
        f"{n} dump{'s' if n != 1 else ''} of {len(tests)} test{'s' if len(tests) != 1 else ''}{on}"
    )


def _holes(covs: Sequence[ConfigCoverage], max_holes: int | None, hint: str) -> list[str]:
    holes = [h for c in covs for h in c.holes()]
    n_cfg = sum(1 for c in covs if c.holes())
    if not holes:
        bins = sum(c.n_bins for c in covs)
        return [f"HOLES: none: all {bins} bins hit in {len(covs)} configuration(s)"]
    out = [
        f"HOLES: {len(holes)} bin(s) never hit, in {n_cfg} of {len(covs)} configuration(s) "
        "(excluded bins are not holes)"
    ]
    for c in covs:
        hs = c.holes()
        if not hs:
            continue
        out.append(f"  {c.config}: {len(hs)} hole(s)")
        shown = hs if max_holes is None else hs[:max_holes]
        w = max(len(f"{h.group}.{h.point}") for h in shown)
        out += [f"    {f'{h.group}.{h.point}':<{w}}  {h.bin}" for h in shown]
        if len(shown) < len(hs):
            out.append(f"    ... and {len(hs) - len(shown)} more{hint}")
    return out


def _table(cov: ConfigCoverage) -> list[str]:
    w = max(
        [len("covergroup"), len("total")]
        + [len(p.name) + 2 for g in cov.groups.values() for p in g.points.values()]
        + [len(g.name) for g in cov.groups.values()]
    )

    def row(name: str, hit: int, total: int, holes: int | str, excl: int | str) -> str:
        pct = 100.0 * hit / total if total else 100.0
        return f"  {name:<{w}}  {hit:>6}/{total:<6} {pct:5.1f} %  {holes:>5}  {excl:>8}"

    out = [
        f"  {'covergroup':<{w}}  {'hit':>6}/{'bins':<6} {'%':>5}    {'holes':>5}  {'excluded':>8}"
    ]
    for g in cov.groups.values():
        holes = sum(len(p.holes()) for p in g.points.values())
        out.append(row(g.name, g.n_hit, g.n_bins, holes, g.n_excluded))
        for p in g.points.values():
            out.append(
                row(f"  {p.name}", p.n_hit, p.n_bins, len(p.holes()) or "", len(p.excluded) or "")
            )
    out.append(row("total", cov.n_hit, cov.n_bins, len(cov.holes()), cov.n_excluded))
    return out


def _excluded(cov: ConfigCoverage) -> list[str]:
    if not cov.n_excluded:
        return ["  excluded: none"]
    hit = cov.excluded_hit()
    pts = [(g, p) for g in cov.groups.values() for p in g.points.values() if p.excluded]
    out = [f"  excluded: {cov.n_excluded} bin(s) in {len(pts)} point(s), {len(hit)} of them hit"]
    for g, p in pts:
        rules = reason_summary(p)
        out.append(f"    {g.name}.{p.name}: {len(p.excluded)} bin(s), {len(rules)} rule(s)")
        for n, rule, example in rules:
            out.append(f"      {n:>5}  {rule}")
            out.append(f"             e.g. {example}")
    if hit:
        out.append(
            f"  WARNING: {len(hit)} excluded bin(s) were hit: the exclusion or the bin is wrong"
        )
        out += [f"    {h}  ({n} hits)" for h, n in hit]
    return out


def _details(cov: ConfigCoverage) -> list[str]:
    out = ["  bins:"]
    for g in cov.groups.values():
        for p in g.points.values():
            out.append(f"    {g.name}.{p.name}")
            w = max((len(b) for b in p.bins), default=0)
            for b, n in p.bins.items():
                if b in p.excluded:
                    mark = f"  excluded: {p.excluded[b]}"
                else:
                    mark = "  HOLE" if n == 0 else ""
                out.append(f"      {b:<{w}}  {n:>8}{mark}")
    return out


def text_report(
    covs: Sequence[ConfigCoverage],
    *,
    details: bool = False,
    max_holes: int | None = None,
    hint: str = "",
) -> str:
    """The whole report as text; ``max_holes`` caps the holes listed per configuration."""
    lines = _holes(covs, max_holes, hint)
    for c in covs:
        lines += ["", f"== {c.config}: {runs_line(c)}"]
        lines += _table(c)
        lines += _excluded(c)
        if details:
            lines += _details(c)
    return "\n".join(line.rstrip() for line in lines) + "\n"
