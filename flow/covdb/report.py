# SPDX-License-Identifier: Apache-2.0
"""The text report of merged coverage: what is missing comes first.

Order: the holes of every configuration (the work still to do), then per
configuration a table of covergroups and their points (bins hit / bins and
percent, holes, excluded), then why bins are excluded, and with ``details``
every exclusion rule with an example and every bin. Last, when a
:class:`~flow.covdb.runs.Collected` is given, which runs and files are not in
the merge and why: holes over 3 of 17 runs mean something else than over 17.
pyucis's own text report prints a percentage per coverpoint and no bin names,
so it cannot say which bins are holes.

Exclusion reasons name the bin they exclude (``lutgen with w0,int8,t0 can
only answer OK``), so hundreds of reasons are often a handful of rules:
:func:`reason_summary` masks the bin's own values with its coverpoint names
(``{cp_op} with {cp_wbits},...``) and counts the bins per rule. Rules that
differ in one word (``can only answer ILLEGAL_INSTR`` / ``... OK/ILLEGAL_INSTR``)
are one family (:func:`reason_families`), so the excluded count of a
configuration is explained in a few lines.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from flow.covdb.model import ConfigCoverage, CoverPoint
from flow.covdb.runs import Collected
from flow.covdb.testpoints import Testpoint, text_lines

WIDTH = 100  # wrap the exclusion explanations here
SLOT = "[...]"  # the word a family's rules differ in
_NBSP = "\u00a0"  # joins a count to its word so that wrapping never splits them


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


class Family(NamedTuple):
    """Exclusion rules that differ in one word: the template has :data:`SLOT` there."""

    bins: int
    template: str
    words: tuple[tuple[str, int], ...]  # (the word, its bins), most bins first; () for one rule


def _affixes(words: list[str]) -> tuple[str, str]:
    """Punctuation every word starts or ends with (``229376,``): it belongs to the template."""
    lead = re.match(r"\W*", min(words, key=len)).group(0)
    while lead and not all(w.startswith(lead) for w in words):
        lead = lead[:-1]
    trail = re.search(r"\W*$", min(words, key=len)).group(0)
    while trail and not all(w.endswith(trail) for w in words):
        trail = trail[1:]
    return lead, trail


def reason_families(rules: Sequence[tuple[int, str, str]]) -> list[Family]:
    """Group :func:`reason_summary` rules that differ in exactly one word, most bins first.

    Reasons are generated from a template with the cause filled in (the
    statuses a field combination allows, a format's largest value); the
    family shows the template once and the causes with their bin counts,
    so six rules of one cross are one line and the counts still add up.
    """
    left = [(n, rule.split(" ")) for n, rule, _ in rules]
    out: list[Family] = []
    while left:
        groups: dict[tuple, list[int]] = {}
        for k, (_, toks) in enumerate(left):
            for i in range(len(toks)):
                key = (len(toks), i, tuple(toks[:i]), tuple(toks[i + 1 :]))
                groups.setdefault(key, []).append(k)
        key, members = max(
            groups.items(), key=lambda kv: (len(kv[1]), sum(left[k][0] for k in kv[1]))
        )
        if len(members) < 2:
            break
        i = key[1]
        words = [left[k][1][i] for k in members]
        lead, trail = _affixes(words)
        toks = list(left[members[0]][1])
        toks[i] = f"{lead}{SLOT}{trail}"
        cut = [
            (w[len(lead) : len(w) - len(trail)], left[k][0])
            for w, k in zip(words, members, strict=True)
        ]
        cut.sort(key=lambda x: -x[1])
        out.append(Family(sum(n for _, n in cut), " ".join(toks), tuple(cut)))
        left = [x for k, x in enumerate(left) if k not in members]
    out += [Family(n, " ".join(toks), ()) for n, toks in left]
    return sorted(out, key=lambda f: -f.bins)


def runs_line(cov: ConfigCoverage) -> str:
    """``12 dumps of 5 tests on icarus, verilator``: where the hits come from."""
    tests = {r.test for r in cov.runs}
    sims = sorted({r.sim for r in cov.runs if r.sim})
    on = f" on {', '.join(sims)}" if sims else ""
    n = len(cov.runs)
    return (
        f"{n} dump{'s' if n != 1 else ''} of {len(tests)} test{'s' if len(tests) != 1 else ''}{on}"
    )


def _holes(
    covs: Sequence[ConfigCoverage], max_holes: int | None, hint: str, note: str
) -> list[str]:
    holes = [h for c in covs for h in c.holes()]
    n_cfg = sum(1 for c in covs if c.holes())
    if not holes:
        bins = sum(c.n_bins for c in covs)
        out = [f"HOLES: none: all {bins} bins hit in {len(covs)} configuration(s){note}"]
    else:
        out = [
            f"HOLES: {len(holes)} bin(s) never hit, in {n_cfg} of {len(covs)} configuration(s) "
            f"(excluded bins are not holes){note}"
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
    wrong = [(c.config, len(c.excluded_hit())) for c in covs if c.excluded_hit()]
    if wrong:
        where = ", ".join(f"{n} on {cfg}" for cfg, n in wrong)
        out.append(
            f"EXCLUDED BINS HIT: {sum(n for _, n in wrong)} ({where}): an exclusion says they "
            "cannot happen, so the exclusion (the model) or the coverage is wrong; "
            "listed under their configuration"
        )
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


def _wrapped(first: str, rest: str, text: str) -> list[str]:
    """``text`` wrapped at :data:`WIDTH`; counts stay next to their words."""
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_NBSP, " ") for line in lines]


def _family_text(f: Family) -> str:
    if not f.words:
        return f.template
    causes = ", ".join(f"{w.replace(' ', _NBSP)}{_NBSP}({n})" for w, n in f.words)
    return f"{f.template}; {SLOT}{_NBSP}(bins): {causes}"


def _excluded(cov: ConfigCoverage) -> list[str]:
    """Why bins are excluded, in a few lines: per point, its rule families with their counts.

    The table says how many bins are excluded; this says why, and every count
    adds up to the one above it (point to configuration, cause to point).
    """
    if not cov.n_excluded:
        return ["  excluded: none"]
    hit = cov.excluded_hit()
    pts = [(g, p) for g in cov.groups.values() for p in g.points.values() if p.excluded]
    said = f"{len(hit)} of them HIT (listed below)" if hit else "none hit"
    out = [
        f"  excluded: {cov.n_excluded} bin(s) in {len(pts)} point(s), unreachable on "
        f"{cov.config}; {said} (--details lists every rule)"
    ]
    w = len(str(cov.n_excluded))
    for g, p in sorted(pts, key=lambda gp: -len(gp[1].excluded)):
        fams = reason_families(reason_summary(p))
        head = f"    {len(p.excluded):>{w}}  {g.name}.{p.name}"
        pad = " " * (6 + w)
        if len(fams) == 1:
            out += _wrapped(f"{head}: ", pad, _family_text(fams[0]))
            continue
        out.append(f"{head}:")
        fw = len(str(fams[0].bins))
        for f in fams:
            out += _wrapped(f"{pad}{f.bins:>{fw}}  ", f"{pad}{' ' * (fw + 2)}", _family_text(f))
    if hit:
        out.append(
            f"  WARNING: {len(hit)} excluded bin(s) were hit: the exclusion or the bin is wrong"
        )
        out += [f"    {h}  ({n} hits)" for h, n in hit]
    return out


def _rules(cov: ConfigCoverage) -> list[str]:
    """Every exclusion rule of every point, with an example bin (``details``)."""
    out = ["  exclusion rules:"]
    for g in cov.groups.values():
        for p in g.points.values():
            if not p.excluded:
                continue
            rules = reason_summary(p)
            out.append(f"    {g.name}.{p.name}: {len(p.excluded)} bin(s), {len(rules)} rule(s)")
            for n, rule, example in rules:
                out.append(f"      {n:>5}  {rule}")
                out.append(f"             e.g. {example}")
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


def runs_section(col: Collected) -> list[str]:
    """``merged N of M runs``, then every run and file left out, one line each with why."""
    if col.run is None:
        n = len(col.dumps)
        out = [
            f"merged {n} dump{'s' if n != 1 else ''}; the expected set of runs is unknown "
            f"({col.run_note})"
        ]
    else:
        run = col.run
        about = [str(run.path)]
        if run.suite:
            about.append(f"suite {run.suite}")
        if run.started is not None:
            about.append(f"started {run.started.isoformat(timespec='seconds')}")
        out = [f"merged {len(col.dumps)} of {len(run.jobs)} runs ({', '.join(about)})"]
        out += [f"  {u.job.job_id}: {u.reason}" for u in col.unmerged]
    out += [f"  not merged: {n.file}: {n.reason}" for n in col.not_merged]
    return out


def _note(col: Collected | None) -> str:
    """For the headline: the holes below are over part of the runs."""
    if col is None or not (col.unmerged or col.not_merged):
        return ""
    parts = []
    if col.unmerged:
        parts.append(f"{len(col.unmerged)} of {col.expected} runs not merged")
    if col.not_merged:
        parts.append(f"{len(col.not_merged)} file(s) not merged")
    return f"; {' and '.join(parts)}: listed at the end"


def text_report(
    covs: Sequence[ConfigCoverage],
    *,
    details: bool = False,
    max_holes: int | None = None,
    hint: str = "",
    collected: Collected | None = None,
    testpoints: Sequence[Testpoint] | None = None,
) -> str:
    """The whole report as text; ``max_holes`` caps the holes listed per configuration.

    With ``collected`` the headline says when runs or files are missing and
    the report ends with :func:`runs_section`; with ``testpoints`` the holes
    are followed by each testpoint's closure.
    """
    lines = _holes(covs, max_holes, hint, _note(collected))
    if testpoints:
        lines += ["", *text_lines(testpoints, covs)]
    for c in covs:
        lines += ["", f"== {c.config}: {runs_line(c)}"]
        lines += _table(c)
        lines += _excluded(c)
        if details:
            lines += _rules(c)
            lines += _details(c)
    if collected is not None:
        lines += ["", *runs_section(collected)]
    return "\n".join(line.rstrip() for line in lines) + "\n"
