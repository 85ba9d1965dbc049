# SPDX-License-Identifier: Apache-2.0
"""Coverage dumps in, one merged model per configuration out.

A dump is what ``tb/coverage/collector.py`` writes per test run::

    {"_meta": {"test": ..., "seed": ..., "config": ..., maybe "sim"},
     "<covergroup>": {"<coverpoint or cross>": {"<bin>": hits}},
     "_excluded": {"<covergroup>": {"<cross>": {"<bin>": "reason"}}}}

Configurations have different bins (``w8`` exists only with WBitsMax = 8), so
dumps are merged per ``_meta.config``: hits are summed bin by bin, exclusions
united. An excluded bin is not a hole, and it is not counted in ``hit/bins``;
if one is hit anyway the exclusion is wrong, and the reports say so.

Bad input raises :class:`CovError` with a one-line message naming the file,
so a front end can print it instead of a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

UNKNOWN_CONFIG = "unknown"
_CROSS_BIN = re.compile(r"^<([^<>]*)>$")


class CovError(Exception):
    """Bad input to the merge; ``str()`` is one line naming the file and the problem."""


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """``d2_3`` before ``d16_up``: bins sort by their numbers, not by digit characters."""
    return tuple(
        (0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name) if t
    )


class Run(NamedTuple):
    """One test run that contributed to a merge (a UCIS history node)."""

    name: str  # the dump's file stem: the regression job id
    test: str
    seed: str  # a string: cocotb seeds can exceed 64 bits
    sim: str  # "" when the dump does not say
    transport: str = ""  # how the tb drove the core (per transaction, batch), if said


class Hole(NamedTuple):
    """A bin that no run hit and that is not excluded."""

    config: str
    group: str
    point: str
    bin: str

    def __str__(self) -> str:
        return f"{self.group}.{self.point}.{self.bin}"


@dataclass
class CoverPoint:
    """A coverpoint or a cross: every bin with its hits, and the excluded ones with why."""

    name: str
    bins: dict[str, int] = field(default_factory=dict)  # counted and excluded bins
    excluded: dict[str, str] = field(default_factory=dict)  # bin -> reason
    crossed: tuple[str, ...] = ()  # a cross: its coverpoints, in bin-name order
    #: bin -> the first run that hit it, in merge order (:func:`merge`); not kept in UCIS
    first: dict[str, Run] = field(default_factory=dict, compare=False)

    @property
    def is_cross(self) -> bool:
        return bool(self.crossed)

    @property
    def counted(self) -> dict[str, int]:
        """The bins that must be hit."""
        return {b: n for b, n in self.bins.items() if b not in self.excluded}

    @property
    def n_bins(self) -> int:
        return len(self.counted)

    @property
    def n_hit(self) -> int:
        return sum(1 for n in self.counted.values() if n > 0)

    def holes(self) -> list[str]:
        return [b for b, n in self.counted.items() if n == 0]

    def excluded_hit(self) -> dict[str, int]:
        """Excluded bins that were hit: the exclusion (or the bin) is wrong."""
        return {b: self.bins.get(b, 0) for b in self.excluded if self.bins.get(b, 0) > 0}

    def components(self, bin_name: str) -> tuple[str, ...]:
        """A cross bin's coverpoint bins, ``<lmma,w3>`` -> ``("lmma", "w3")``."""
        m = _CROSS_BIN.match(bin_name)
        return tuple(m.group(1).split(",")) if m else (bin_name,)


def _pct(hit: int, total: int) -> float:
    """Nothing to hit is complete coverage."""
    return 100.0 * hit / total if total else 100.0


@dataclass
class CoverGroup:
    name: str
    points: dict[str, CoverPoint] = field(default_factory=dict)

    @property
    def n_bins(self) -> int:
        return sum(p.n_bins for p in self.points.values())

    @property
    def n_hit(self) -> int:
        return sum(p.n_hit for p in self.points.values())

    @property
    def n_excluded(self) -> int:
        return sum(len(p.excluded) for p in self.points.values())

    @property
    def pct(self) -> float:
        return _pct(self.n_hit, self.n_bins)


@dataclass
class ConfigCoverage:
    """The merged coverage of one configuration."""

    config: str
    groups: dict[str, CoverGroup] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)

    @property
    def n_bins(self) -> int:
        return sum(g.n_bins for g in self.groups.values())

    @property
    def n_hit(self) -> int:
        return sum(g.n_hit for g in self.groups.values())

    @property
    def n_excluded(self) -> int:
        return sum(g.n_excluded for g in self.groups.values())

    @property
    def pct(self) -> float:
        return _pct(self.n_hit, self.n_bins)

    def holes(self) -> list[Hole]:
        return [
            Hole(self.config, g.name, p.name, b)
            for g in self.groups.values()
            for p in g.points.values()
            for b in p.holes()
        ]

    def excluded_hit(self) -> list[tuple[Hole, int]]:
        return [
            (Hole(self.config, g.name, p.name, b), n)
            for g in self.groups.values()
            for p in g.points.values()
            for b, n in p.excluded_hit().items()
        ]

    def point(self, group: str, point: str) -> CoverPoint:
        """The named point, created empty if new (the merge fills it)."""
        g = self.groups.setdefault(group, CoverGroup(group))
        return g.points.setdefault(point, CoverPoint(point))


# --- input ---------------------------------------------------------------------
@dataclass(frozen=True)
class Dump:
    """One validated per-test coverage file."""

    path: Path
    meta: dict
    hits: dict[str, dict[str, dict[str, int]]]
    excluded: dict[str, dict[str, dict[str, str]]]

    @property
    def config(self) -> str:
        return str(self.meta.get("config") or UNKNOWN_CONFIG)

    @property
    def run(self) -> Run:
        m = self.meta
        return Run(
            self.path.stem,
            str(m.get("test", "")),
            str(m.get("seed", "")),
            str(m.get("sim") or ""),
            str(m.get("transport") or ""),
        )


def _nested(path: Path, where: str, value: object, leaf: type, what: str) -> dict:
    """``{group: {point: {bin: leaf}}}`` or a CovError naming the first bad entry."""

    def bad(at: str, v: object) -> CovError:
        return CovError(f"{path}: not a coverage dump ({at} is {v!r:.40}, expected {what})")

    if not isinstance(value, dict):
        raise bad(where, value)
    for pt, bins in value.items():
        if not isinstance(bins, dict):
            raise bad(f"{where}.{pt}", bins)
        for b, v in bins.items():
            ok = isinstance(v, leaf) and not isinstance(v, bool)
            if not ok or (leaf is int and v < 0):
                raise bad(f"{where}.{pt}.{b}", v)
    return value


def parse_dump(path: Path, doc: object) -> Dump:
    """Check that ``doc`` has the layout ``tb/coverage/collector.py`` writes; CovError if not."""
    if not isinstance(doc, dict):
        raise CovError(f"{path}: not a coverage dump (a JSON {type(doc).__name__}, not an object)")
    meta = doc.get("_meta")
    if not isinstance(meta, dict):
        raise CovError(f"{path}: not a coverage dump (no _meta object)")
    hits: dict = {}
    for cg, cps in doc.items():
        if cg.startswith("_"):
            continue  # _meta, _excluded, and room for more metadata
        hits[cg] = _nested(path, cg, cps, int, "a hit count")
    excluded: dict = {}
    raw = doc.get("_excluded", {})
    if not isinstance(raw, dict):
        raise CovError(f"{path}: not a coverage dump (_excluded is not an object)")
    for cg, cps in raw.items():
        excluded[cg] = _nested(path, f"_excluded.{cg}", cps, str, "a reason")
    if not hits:
        raise CovError(f"{path}: not a coverage dump (no covergroups)")
    return Dump(path, meta, hits, excluded)


def dump_files(paths: Sequence[Path], *, allow_empty: bool = False) -> list[Path]:
    """The ``*.json`` of each directory (not recursive: merged/ and report/ live below).

    A path that does not exist is always an error (a typo must not pass for an
    empty merge); no files at all is one unless ``allow_empty``: after a
    regression whose every run failed the folder is empty, and what the runs
    say is still worth reporting.
    """
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(p.glob("*.json"), key=lambda f: natural_key(f.name))
        elif p.is_file():
            files.append(p)
        else:
            raise CovError(f"{p}: no such file or directory")
    if not files and not allow_empty:
        raise CovError(f"no coverage dumps (*.json) in {', '.join(str(p) for p in paths)}")
    return files


def read_json(f: Path) -> object:
    """The JSON document in ``f``, or a CovError naming the file and what is wrong."""
    try:
        return json.loads(f.read_text())
    except OSError as e:
        raise CovError(f"{f}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise CovError(f"{f}: not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as e:
        raise CovError(f"{f}: not JSON ({e.msg} at line {e.lineno})") from None


def read_dump(f: Path) -> Dump:
    """One dump file, read and validated; CovError (naming ``f``) if it is not one."""
    return parse_dump(f, read_json(f))


def load_dumps(paths: Sequence[Path]) -> list[Dump]:
    """Read and validate every dump under ``paths``; the first bad file stops all.

    For a library caller that wants all or nothing; the command line merges
    what it can and lists the rest (:func:`flow.covdb.runs.collect`).
    """
    return [read_dump(f) for f in dump_files(paths)]


# --- merge ---------------------------------------------------------------------
def _find_crossed(group: CoverGroup, cross: CoverPoint) -> tuple[str, ...]:
    """Which coverpoints a cross crosses: the dumps name bins ``<a,b>``, not the cross's parts.

    Position i belongs to the coverpoint whose bins contain every value seen at
    i; if several do, the one named in the cross (``cross_treg_dist`` ->
    ``cp_treg``). () when the bins do not decompose: the point stays a coverpoint.
    """
    if len(cross.bins) == 0 or not all(_CROSS_BIN.match(b) for b in cross.bins):
        return ()
    parts = [cross.components(b) for b in cross.bins]
    width = len(parts[0])
    if width < 2 or any(len(p) != width for p in parts):
        return ()
    plain = [p for p in group.points.values() if not _CROSS_BIN.match(next(iter(p.bins), ""))]
    out: list[str] = []
    for i in range(width):
        values = {p[i] for p in parts}
        fits = [cp.name for cp in plain if values <= cp.bins.keys()]
        named = [n for n in fits if n.removeprefix("cp_") in cross.name]
        pick = (named or fits)[:1]
        if not pick:
            return ()
        out += pick
    return tuple(out)


def _finish(cov: ConfigCoverage) -> ConfigCoverage:
    """Natural bin order, points sorted, crosses linked to their coverpoints."""
    cov.groups = {k: cov.groups[k] for k in sorted(cov.groups, key=natural_key)}
    for g in cov.groups.values():
        g.points = {k: g.points[k] for k in sorted(g.points, key=natural_key)}
        for p in g.points.values():
            p.bins = {b: p.bins[b] for b in sorted(p.bins, key=natural_key)}
            p.excluded = {b: p.excluded[b] for b in sorted(p.excluded, key=natural_key)}
        for p in g.points.values():
            p.crossed = _find_crossed(g, p)
    return cov


def merge(dumps: Iterable[Dump]) -> list[ConfigCoverage]:
    """Sum hits bin by bin and unite exclusions, per configuration (sorted by name).

    Each bin also keeps the first run that hit it (:attr:`CoverPoint.first`):
    first in the order of ``dumps``, so the caller decides what "first" means
    (:func:`flow.covdb.runs.collect` orders them as the regression's run.json
    lists its jobs; :func:`dump_files` by file name, numbers in numeric order).
    """
    by_config: dict[str, ConfigCoverage] = {}
    for d in dumps:
        cov = by_config.setdefault(d.config, ConfigCoverage(d.config))
        run = d.run
        cov.runs.append(run)
        for cg, cps in d.hits.items():
            for cp, bins in cps.items():
                pt = cov.point(cg, cp)
                for b, n in bins.items():
                    pt.bins[b] = pt.bins.get(b, 0) + n
                    if n and b not in pt.first:
                        pt.first[b] = run
        for cg, cps in d.excluded.items():
            for cp, bins in cps.items():
                pt = cov.point(cg, cp)
                for b, why in bins.items():
                    pt.excluded.setdefault(b, why)
                    pt.bins.setdefault(b, 0)
    return [_finish(by_config[c]) for c in sorted(by_config, key=natural_key)]


def first_hit(run: Run) -> dict[str, str]:
    """What the merged JSON says of the run that first hit a bin."""
    return {"test": run.test, "seed": run.seed, "dump": run.name}


def to_json(covs: Iterable[ConfigCoverage]) -> dict:
    """The merged hits per configuration, in the dumps' own layout (``--out``).

    Beside ``_excluded``, ``_first_hit`` names for every hit bin the first run
    that hit it (``{"test", "seed", "dump"}``; "first" as :func:`merge` says).
    """
    out: dict = {}
    for cov in covs:
        doc: dict = {}
        excl: dict = {}
        first: dict = {}
        for g in cov.groups.values():
            for p in g.points.values():
                # like the collector: an excluded bin shows in the hits only if it was hit
                shown = {b: n for b, n in p.bins.items() if b not in p.excluded or n}
                doc.setdefault(g.name, {})[p.name] = shown
                if p.excluded:
                    excl.setdefault(g.name, {})[p.name] = dict(p.excluded)
                if p.first:
                    first.setdefault(g.name, {})[p.name] = {
                        b: first_hit(p.first[b]) for b in p.bins if b in p.first
                    }
        out[cov.config] = {**doc, "_excluded": excl, "_first_hit": first}
    return out
