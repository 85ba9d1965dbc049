# SPDX-License-Identifier: Apache-2.0
"""Holes of a cross as a few patterns: ``<illegal,*,*,*,illegal_instr>`` for 120 bins.

A regression that skips one behaviour leaves hundreds of cross bins empty
that differ only in fields that do not matter to it (every weight width,
format and table register of an illegal opcode). Listed one by one they bury
everything else; as patterns they say what is missing. A pattern has ``*``
(:data:`ANY`) where every value of that coverpoint is a hole, over the bins
that count (excluded bins are not holes, so a ``*`` does not claim them);
the patterns of a cross are disjoint and name exactly its holes, so their
counts add up to its hole count.

The merge is greedy, one coverpoint at a time, repeated until nothing
changes: patterns that differ only at position ``i`` become one with ``*``
there when every counted bin the new pattern matches is a hole and each of
those holes is in one of them (so patterns never overlap). A lone pattern
widens too when the other values there are excluded, so that it can merge
further; a ``*`` left standing for one value is shown as that value. Hole and bin
counts per pattern come from projections of the bins on each set of
positions (at most 2^width of them), so it stays fast on the
instruction cross (five coverpoints, 3,000 bins).
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from flow.covdb.model import CoverPoint, natural_key

ANY = "*"


class Pattern(NamedTuple):
    """Bins of one point: one value per crossed coverpoint, or :data:`ANY`."""

    values: tuple[str, ...]
    holes: int  # how many holes (every counted bin it matches is one)


def _mask(pat: tuple[str, ...]) -> tuple[bool, ...]:
    return tuple(v == ANY for v in pat)


def _project(values: tuple[str, ...], mask: tuple[bool, ...]) -> tuple[str, ...]:
    return tuple(ANY if m else v for v, m in zip(values, mask, strict=True))


class _Counts:
    """How many counted bins and holes match a pattern, for any pattern."""

    def __init__(self, counted: list[tuple[str, ...]], holes: list[tuple[str, ...]]) -> None:
        self.counted = counted
        self.holes = holes
        self.cache: dict[tuple[bool, ...], tuple[Counter, Counter]] = {}

    def __call__(self, pat: tuple[str, ...]) -> tuple[int, int]:
        mask = _mask(pat)
        if mask not in self.cache:
            self.cache[mask] = (
                Counter(_project(b, mask) for b in self.counted),
                Counter(_project(b, mask) for b in self.holes),
            )
        bins, holes = self.cache[mask]
        return bins[pat], holes[pat]


def hole_patterns(p: CoverPoint) -> list[Pattern]:
    """The holes of ``p`` as disjoint patterns, most holes first (a coverpoint: its bins)."""
    holes = p.holes()
    if not p.is_cross:
        return [Pattern((b,), 1) for b in holes]
    counted = [p.components(b) for b in p.counted]
    counts = _Counts(counted, [p.components(b) for b in holes])
    pats: dict[tuple[str, ...], list[tuple[str, ...]]] = {
        p.components(b): [p.components(b)] for b in holes
    }  # pattern -> the holes it stands for
    width = len(p.crossed)
    changed = True
    while changed:
        changed = False
        for i in range(width):
            groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for pat in pats:
                groups.setdefault(pat[:i] + (ANY,) + pat[i + 1 :], []).append(pat)
            out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for key, members in groups.items():
                n_bins, n_holes = counts(key)
                # every bin it matches is a hole, and each of those holes is in a member
                whole = n_bins == n_holes == sum(len(pats[m]) for m in members)
                if whole and key not in pats:
                    out[key] = [h for m in members for h in pats[m]]
                    changed = True
                else:
                    out.update((m, pats[m]) for m in members)
            pats = out
    found = [Pattern(_concrete(pat, hs), len(hs)) for pat, hs in pats.items()]
    return sorted(found, key=lambda x: (-x.holes, [natural_key(v) for v in x.values]))


def _concrete(pat: tuple[str, ...], holes: list[tuple[str, ...]]) -> tuple[str, ...]:
    """``*`` where it stands for one value only (the others excluded) is that value."""
    out = list(pat)
    for i, v in enumerate(pat):
        values = {h[i] for h in holes}
        if v == ANY and len(values) == 1:
            out[i] = values.pop()
    return tuple(out)
