# SPDX-License-Identifier: Apache-2.0
"""Reviewed exclusions from code coverage: data with a reason each, never silence.

The waiver file (``docs/codecov_waivers.toml``, beside the functional
testpoints: both are reviewed verification data, and ``regressions/*.toml``
are all suites) lists code that must not count, one ``[[waiver]]`` each::

    [[waiver]]
    file = "rtl/lut_tensor_core.sv"
    lines = "463-489"            # a line or a range (optional)
    match = "assert property"    # a regular expression on the source line (optional)
    metric = "line"              # line, branch, toggle, expr, fsm, user or all
    reason = "RTL assertions: a failing one stops the run, so their else arm never runs"

A point is waived when its file is ``file``, its line in ``lines`` (if
given), its source line matches ``match`` (if given) and its metric is
``metric``. A waiver whose file this run measured but which matches no point
is stale (the code moved or went): :class:`WaiverError`, one line naming it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flow.codecov.dat import METRICS, Point
from flow.simrun import ROOT

WAIVERS = ROOT / "docs" / "codecov_waivers.toml"
KEYS = ("file", "lines", "match", "metric", "reason")


class WaiverError(ValueError):
    """A waiver file or entry that is wrong or stale (one line naming the entry)."""


@dataclass
class Waiver:
    index: int  #: 1-based position in the file
    file: str
    first: int | None
    last: int | None
    match: str
    metric: str
    reason: str
    matched: int = 0  #: points it waived in this run
    hit: int = 0  #: of those, points the run covered anyway
    points: list[Point] = field(default_factory=list, repr=False)

    @property
    def where(self) -> str:
        lines = "" if self.first is None else f" lines {self.first}-{self.last}"
        match = f" match {self.match!r}" if self.match else ""
        return f"waiver #{self.index} ({self.file}{lines}{match}, {self.metric})"

    def covers(self, p: Point) -> bool:
        if p.file != self.file or (self.metric != "all" and p.metric != self.metric):
            return False
        if self.first is not None and not (self.first <= p.line <= (self.last or self.first)):
            return False
        return not self.match or re.search(self.match, source_line(p.file, p.line)) is not None

    def as_dict(self) -> dict:
        lines = "" if self.first is None else f"{self.first}-{self.last}"
        return {
            "index": self.index,
            "file": self.file,
            "lines": lines,
            "match": self.match,
            "metric": self.metric,
            "reason": self.reason,
            "matched": self.matched,
            "hit": self.hit,
        }


@cache
def _source(file: str) -> tuple[str, ...]:
    try:
        return tuple((ROOT / file).read_text(errors="replace").splitlines())
    except OSError:
        return ()


def source_line(file: str, line: int) -> str:
    """The text of ``line`` (1-based) of ``file`` (relative to the repository), or ''."""
    lines = _source(file)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _lines(where: str, text: object) -> tuple[int | None, int | None]:
    if text in (None, ""):
        return None, None
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(text))
    if not m:
        raise WaiverError(f"{where}: lines={text!r} must be a line or a range like 120-130")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if last < first:
        raise WaiverError(f"{where}: lines={text!r}: the range ends before it starts")
    return first, last


def load(path: Path = WAIVERS) -> list[Waiver]:
    """The waivers of ``path``, each checked (one line for the first wrong entry)."""
    path = Path(path)
    if not path.exists():
        return []
    name = shown(path)
    try:
        doc = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise WaiverError(f"{name}: not valid TOML: {exc}") from None
    extra = set(doc) - {"waiver"}
    if extra:
        raise WaiverError(f"{name}: key {sorted(extra)[0]!r} unknown; only [[waiver]] entries")
    out = []
    for i, w in enumerate(doc.get("waiver", []), 1):
        where = f"{name} waiver #{i}"
        for k in w:
            if k not in KEYS:
                raise WaiverError(f"{where}: key {k!r} unknown; choose one of {', '.join(KEYS)}")
        for k in ("file", "metric", "reason"):
            if not str(w.get(k, "")).strip():
                raise WaiverError(f"{where}: needs {k}")
        if not (ROOT / w["file"]).is_file():
            raise WaiverError(f"{where}: file {w['file']!r} does not exist")
        if w["metric"] not in (*METRICS, "all"):
            raise WaiverError(
                f"{where}: metric={w['metric']!r} unknown; choose one of {', '.join(METRICS)}, all"
            )
        match = str(w.get("match", ""))
        try:
            re.compile(match)
        except re.error as exc:
            raise WaiverError(f"{where}: match={match!r} is no regular expression: {exc}") from None
        if not match and "lines" not in w:
            raise WaiverError(f"{where}: give lines, match or both (a whole file is no waiver)")
        first, last = _lines(where, w.get("lines"))
        out.append(Waiver(i, w["file"], first, last, match, w["metric"], w["reason"]))
    return out


def apply(waivers: Iterable[Waiver], points: Mapping[Point, int]) -> set[Point]:
    """The points of one merge (a core and configuration) some waiver covers.

    Adds to each waiver's ``matched`` and ``hit``: call it once per merge of a
    run, then :func:`check_stale` over the whole run.
    """
    waived: set[Point] = set()
    for w in waivers:
        for p, n in points.items():
            if w.covers(p):
                waived.add(p)
                w.matched += 1
                w.hit += n >= p.thresh
    return waived


def shown(path: Path) -> str:
    """A path as a one-line error names it: relative to the repository when under it."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def check_stale(waivers: Iterable[Waiver], files: set[str], name: str = "") -> None:
    """A waiver whose file the run measured (``files``) but which matched nothing: one line.

    The code it named moved or went, and a stale waiver would silently waive
    whatever comes to stand there. A waiver of a file the run did not build
    (another core's unit) is left alone.
    """
    for w in waivers:
        if w.file in files and not w.matched:
            raise WaiverError(
                f"{name or shown(WAIVERS)} {w.where} matches no coverage point: "
                "the code moved or went; fix or remove the entry"
            )
