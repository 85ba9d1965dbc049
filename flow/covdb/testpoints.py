# SPDX-License-Identifier: Apache-2.0
"""The verification plan's testpoints and the coverage that closes each, from one data file.

``docs/testpoints.toml`` lists every testpoint of ``docs/verification_plan.md``:
what must hold, the tests that show it, and the covergroups (or single
coverpoints and crosses) that prove the tests went there. The plan's table
is generated from it (``python -m tools.doc_tables``; a test fails when the
two differ), and ``make cov`` reports each testpoint's closure from it: the
hits over the bins of its covergroups, per configuration that collects all
of them. The data lives in ``docs/`` beside the plan, not in
``regressions/``, where every ``.toml`` is a suite.

Entry keys (``[[testpoint]]``):

``id``        the testpoint's number (unique, ascending)
``what``      what must hold (Markdown)
``tests``     the tests that show it (Markdown)
``coverage``  list of ``"group"``, ``"group.point"`` or ``"*"`` (every covergroup); may be empty
``note``      what the coverage bins, in words (Markdown, optional)
``cores``     only these cores' configurations count (optional; default every core)
``formal``    ``proven`` (by ``make formal`` alone), ``simulated`` (by the tests alone) or
              ``both`` (optional; default ``simulated``): the plan's formal column
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from flow.covdb.model import ConfigCoverage, CovError
from models.config import CORES, DEFAULT_CORE

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "testpoints.toml"
EVERY = "*"
HEAD = (
    "| # | testpoint | tests | coverage (tb/coverage/collector.py) | formal |\n"
    "|---|---|---|---|---|"
)
#: The values of ``formal``: how a testpoint is shown (section Formal of the plan).
FORMAL = ("proven", "simulated", "both")
_KEYS = {
    "id": int,
    "what": str,
    "tests": str,
    "coverage": list,
    "note": str,
    "cores": list,
    "formal": str,
}
_REQUIRED = ("id", "what", "tests")
_TYPE = {int: "an integer", str: "a string", list: "a list"}


@dataclass(frozen=True)
class Testpoint:
    """One ``[[testpoint]]`` entry, its text on one line."""

    id: int
    what: str
    tests: str
    coverage: tuple[str, ...] = ()
    note: str = ""
    cores: tuple[str, ...] = ()
    formal: str = "simulated"

    def counts(self, config: str) -> bool:
        """Whether a configuration label (``M2N64``, ``mac:M2N64``) is one of its cores'."""
        core = config.split(":", 1)[0] if ":" in config else DEFAULT_CORE
        return not self.cores or core in self.cores


def _one_line(text: str) -> str:
    """The data file wraps long text; a table cell is one line."""
    return " ".join(text.split())


def parse(doc: Mapping, path: Path = DATA) -> list[Testpoint]:
    """The testpoints of a parsed data file; CovError naming the file and entry if malformed."""
    entries = doc.get("testpoint")
    extra = sorted(set(doc) - {"testpoint"})
    if extra:
        raise CovError(f"{path}: unknown key {extra[0]!r} (only [[testpoint]] entries)")
    if not isinstance(entries, list) or not entries:
        raise CovError(f"{path}: no [[testpoint]] entries")
    out: list[Testpoint] = []
    for i, e in enumerate(entries):
        where = f"{path}: testpoint {e.get('id', f'#{i + 1}')!r}"
        for k, v in e.items():
            if k not in _KEYS:
                raise CovError(f"{where}: unknown key {k!r}; choose one of {', '.join(_KEYS)}")
            if not isinstance(v, _KEYS[k]) or isinstance(v, bool):
                raise CovError(f"{where}: {k} must be {_TYPE[_KEYS[k]]}")
        missing = [k for k in _REQUIRED if k not in e]
        if missing:
            raise CovError(f"{where}: no {missing[0]}")
        for k in ("coverage", "cores"):
            if not all(isinstance(x, str) and x for x in e.get(k, ())):
                raise CovError(f"{where}: {k} must be a list of names")
        bad = [c for c in e.get("cores", ()) if c not in CORES]
        if bad:
            raise CovError(f"{where}: core {bad[0]!r} unknown; choose one of {', '.join(CORES)}")
        formal = e.get("formal", "simulated")
        if formal not in FORMAL:
            raise CovError(f"{where}: formal {formal!r} unknown; choose one of {', '.join(FORMAL)}")
        tp = Testpoint(
            e["id"],
            _one_line(e["what"]),
            _one_line(e["tests"]),
            tuple(e.get("coverage", ())),
            _one_line(e.get("note", "")),
            tuple(e.get("cores", ())),
            formal,
        )
        if out and tp.id <= out[-1].id:
            raise CovError(f"{where}: ids must ascend (after {out[-1].id})")
        out.append(tp)
    return out


def load(path: Path = DATA) -> list[Testpoint]:
    """Read and check the data file; CovError (one line naming the file) if it cannot be used."""
    try:
        doc = tomllib.loads(path.read_text())
    except OSError as e:
        raise CovError(f"{path}: cannot read ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise CovError(f"{path}: not TOML ({e})") from None
    return parse(doc, path)


def unknown_names(tps: Iterable[Testpoint], known: Mapping[str, Iterable[str]]) -> list[str]:
    """``testpoint 3: instr.cp_nope`` for every coverage name that names nothing in ``known``.

    ``known`` maps each covergroup to its coverpoints and crosses (of any configuration).
    """
    out = []
    for tp in tps:
        for name in tp.coverage:
            if name == EVERY:
                continue
            group, _, point = name.partition(".")
            if group not in known or (point and point not in set(known[group])):
                out.append(f"testpoint {tp.id}: {name}")
    return out


# --- the plan's table ------------------------------------------------------------------
def _cell(text: str) -> str:
    """Markdown table cell: no bare pipe."""
    return text.replace("|", "\\|")


def coverage_text(tp: Testpoint) -> str:
    """The plan's coverage column: the names in code, then what they bin."""
    names = ", ".join("every covergroup" if c == EVERY else f"`{c}`" for c in tp.coverage)
    if tp.cores:
        names += f" (on {', '.join(f'`{c}`' for c in tp.cores)})"
    if names and tp.note:
        return f"{names}: {tp.note}"
    return names or tp.note


def markdown_table(tps: Sequence[Testpoint]) -> str:
    rows = []
    for tp in tps:
        cells = (str(tp.id), tp.what, tp.tests, coverage_text(tp), tp.formal)
        rows.append("|" + "|".join(f" {_cell(c)} " if c else " " for c in cells) + "|")
    return "\n".join([HEAD, *rows])


# --- closure ----------------------------------------------------------------------------
class Closure(NamedTuple):
    """A testpoint's coverage on one configuration."""

    config: str
    hit: int
    bins: int
    holes: int

    @property
    def pct(self) -> float:
        return 100.0 * self.hit / self.bins if self.bins else 100.0


def points_of(tp: Testpoint, cov: ConfigCoverage) -> list[tuple[str, str]]:
    """(covergroup, point) of ``cov`` that ``tp``'s coverage names, each once."""
    out: dict[tuple[str, str], None] = {}
    for name in tp.coverage:
        group, _, point = name.partition(".")
        groups = cov.groups.values() if name == EVERY else [cov.groups.get(group)]
        for g in groups:
            if g is None:
                continue
            for p in g.points.values():
                if name == EVERY or not point or p.name == point:
                    out[(g.name, p.name)] = None
    return list(out)


def collects(tp: Testpoint, cov: ConfigCoverage) -> bool:
    """Whether ``cov`` has every covergroup and point ``tp`` names: only then does the
    testpoint apply there (an FP testpoint's instruction cross on an integer configuration
    is not its closure)."""
    for name in tp.coverage:
        group, _, point = name.partition(".")
        if name != EVERY and (
            group not in cov.groups or (point and point not in cov.groups[group].points)
        ):
            return False
    return True


def closure(tp: Testpoint, covs: Iterable[ConfigCoverage]) -> list[Closure]:
    """Per configuration of one of ``tp``'s cores that collects all of its coverage."""
    out = []
    for cov in covs:
        if not tp.counts(cov.config) or not collects(tp, cov):
            continue
        pts = [cov.groups[g].points[p] for g, p in points_of(tp, cov)]
        if pts:
            hit = sum(p.n_hit for p in pts)
            bins = sum(p.n_bins for p in pts)
            out.append(Closure(cov.config, hit, bins, bins - hit))
    return out


def _inline(text: str) -> str:
    """Markdown code spans as plain text (for a terminal)."""
    return re.sub(r"`([^`]*)`", r"\1", text)


def text_lines(tps: Sequence[Testpoint], covs: Sequence[ConfigCoverage]) -> list[str]:
    """The testpoint view for the text report: one line per testpoint with coverage."""
    out = ["TESTPOINTS (docs/testpoints.toml): bins hit of each testpoint's covergroups"]
    absent = []
    for tp in tps:
        if not tp.coverage:
            continue
        cl = closure(tp, covs)
        if not cl:
            absent.append(str(tp.id))
            continue
        what = _inline(tp.what)
        what = what if len(what) <= 48 else what[:47] + "..."
        hit, bins = sum(c.hit for c in cl), sum(c.bins for c in cl)
        open_ = [f"{c.config} {c.holes}" for c in cl if c.holes]
        where = f"holes: {', '.join(open_)}" if open_ else "closed"
        pct = 100.0 * hit / bins if bins else 100.0
        out.append(f"  {tp.id:>2}  {what:<50}  {hit:>5}/{bins:<5} {pct:5.1f} %  {where}")
    if absent:
        out.append(f"  no configuration here collects their coverage: {', '.join(absent)}")
    return out
