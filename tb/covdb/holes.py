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
those holes is in one of them (so patterns never overlap). Hole and bin
counts per pattern come from projections of the bins on each set of
positions (at most 2^width of them), so it stays fast on the
instruction cross (five coverpoints, 3,000 bins).
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from tb.covdb.model import CoverPoint, natural_key

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
    pats = {p.components(b) for b in holes}
    width = len(p.crossed)
    changed = True
    while changed:
        changed = False
        for i in range(width):
            groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for pat in pats:
                groups.setdefault(pat[:i] + (ANY,) + pat[i + 1 :], []).append(pat)
            out: set[tuple[str, ...]] = set()
            for key, members in groups.items():
                n_bins, n_holes = counts(key)
                # every bin it matches is a hole, and each of those holes is in a member
                whole = n_bins == n_holes == sum(counts(m)[1] for m in members)
                if len(members) > 1 and whole:
                    out.add(key)
                    changed = True
                else:
                    out.update(members)
            pats = out
    found = [Pattern(pat, counts(pat)[1]) for pat in pats]
    return sorted(found, key=lambda x: (-x.holes, [natural_key(v) for v in x.values]))
