# SPDX-License-Identifier: Apache-2.0
"""Reviewed exclusions from code coverage: data with a reason each, never silence.

The waiver file (``docs/codecov_waivers.toml``, beside the functional
testpoints: both are reviewed verification data, and ``regressions/*.toml``
are all suites) lists code that must not count, one ``[[waiver]]`` each::

    [[waiver]]
    file = "rtl/lut_tensor_core.sv"
    lines = "463-489"            # a line or a range (optional)
    match = "assert property"    # a regular expression on the source line (optional)
    point = "ex_last==0"         # a regular expression on the point's own text (optional)
    metric = "line"              # line, branch, toggle, expr, fsm, user or all
    reason = "RTL assertions: a failing one stops the run, so their else arm never runs"
    cores = ["mac"]              # only on these cores (optional; default every core)
    configs = ["M2N4W1"]         # only in these named configurations (optional; default all)

A point is waived when its file is ``file``, its line in ``lines`` (if
given), its source line matches ``match`` (if given), its own text (the
``.dat``'s comment: ``(a==1 && b==0) => 1``, ``cond_then``, ``x[3]:0->1``)
matches ``point`` (if given: one term combination of a line, not all) and its metric is
``metric``, in a merge (a core and configuration) inside the waiver's scope
(``cores`` and ``configs``): code a parameter makes unreachable on one core
or at one width is waived there and still counts everywhere else.

A waiver is stale (the code moved or went: :class:`WaiverError`, one line
naming it) when the run measured its file in its scope and it matched no
point there. A scoped waiver answers for each scope it names: on every core
of its ``cores`` (and configuration of its ``configs``) that the run measured
its file in, it must match something; an unscoped one, somewhere.
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
from models.config import CONFIGS, CORES

WAIVERS = ROOT / "docs" / "codecov_waivers.toml"
KEYS = ("file", "lines", "match", "point", "metric", "reason", "cores", "configs")


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
    point: str = ""  #: a regular expression on a point's own text (its ``.dat`` comment)
    cores: tuple[str, ...] = ()  #: the cores it applies on; empty: every core
    configs: tuple[str, ...] = ()  #: the named configurations it applies in; empty: every one
    matched: int = 0  #: points it waived in this run
    hit: int = 0  #: of those, points the run covered anyway
    points: list[Point] = field(default_factory=list, repr=False)
    #: (core, configuration) merges in its scope and the points it waived in each
    scopes: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    @property
    def where(self) -> str:
        lines = "" if self.first is None else f" lines {self.first}-{self.last}"
        match = f" match {self.match!r}" if self.match else ""
        match += f" point {self.point!r}" if self.point else ""
        scope = "".join(
            f", {k} {'/'.join(v)}"
            for k, v in (("cores", self.cores), ("configs", self.configs))
            if v
        )
        return f"waiver #{self.index} ({self.file}{lines}{match}, {self.metric}{scope})"

    def in_scope(self, core: str | None, config: str | None) -> bool:
        """Whether the merge of ``core`` and ``config`` is one this waiver applies in
        (``None``: not known, every scope)."""
        return (not self.cores or core is None or core in self.cores) and (
            not self.configs or config is None or config in self.configs
        )

    def covers(self, p: Point) -> bool:
        if p.file != self.file or (self.metric != "all" and p.metric != self.metric):
            return False
        if self.first is not None and not (self.first <= p.line <= (self.last or self.first)):
            return False
        if self.point and re.search(self.point, p.comment) is None:
            return False
        return not self.match or re.search(self.match, source_line(p.file, p.line)) is not None

    def as_dict(self) -> dict:
        lines = "" if self.first is None else f"{self.first}-{self.last}"
        return {
            "index": self.index,
            "file": self.file,
            "lines": lines,
            "match": self.match,
            "point": self.point,
            "metric": self.metric,
            "reason": self.reason,
            "cores": list(self.cores),
            "configs": list(self.configs),
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
        match, point = str(w.get("match", "")), str(w.get("point", ""))
        for key, rx in (("match", match), ("point", point)):
            try:
                re.compile(rx)
            except re.error as exc:
                raise WaiverError(
                    f"{where}: {key}={rx!r} is no regular expression: {exc}"
                ) from None
        if not match and "lines" not in w:
            raise WaiverError(f"{where}: give lines, match or both (a whole file is no waiver)")
        first, last = _lines(where, w.get("lines"))
        cores = _scope(where, "cores", w.get("cores"), tuple(CORES))
        configs = _scope(where, "configs", w.get("configs"), tuple(CONFIGS))
        out.append(
            Waiver(
                i, w["file"], first, last, match, w["metric"], w["reason"], point, cores, configs
            )
        )
    return out


def _scope(where: str, key: str, value: object, valid: tuple[str, ...]) -> tuple[str, ...]:
    """A waiver's ``cores`` or ``configs``: a non-empty list of known names, or absent."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise WaiverError(f"{where}: {key} must be a non-empty list of {', '.join(valid)}")
    for v in value:
        if v not in valid:
            raise WaiverError(f"{where}: {key}: {v!r} unknown; choose from {', '.join(valid)}")
    return tuple(value)


def apply(
    waivers: Iterable[Waiver],
    points: Mapping[Point, int],
    core: str | None = None,
    config: str | None = None,
) -> set[Point]:
    """The points of one merge (``core`` and ``config``) some waiver in scope covers.

    Adds to each waiver's ``matched``, ``hit`` and ``scopes``: call it once per
    merge of a run, then :func:`check_stale` over the whole run.
    """
    waived: set[Point] = set()
    for w in waivers:
        if not w.in_scope(core, config):
            continue
        n_scope = 0
        for p, n in points.items():
            if w.covers(p):
                waived.add(p)
                w.matched += 1
                w.hit += n >= p.thresh
                n_scope += 1
        if core is not None and config is not None and any(p.file == w.file for p in points):
            w.scopes[(core, config)] = w.scopes.get((core, config), 0) + n_scope
    return waived


def shown(path: Path) -> str:
    """A path as a one-line error names it: relative to the repository when under it."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def check_stale(waivers: Iterable[Waiver], files: set[str], name: str = "") -> None:
    """A waiver whose file the run measured (``files``) in its scope but which matched
    nothing there: one line.

    The code it named moved or went, and a stale waiver would silently waive
    whatever comes to stand there. A waiver of a file the run did not build
    (another core's unit), or built only outside its scope, is left alone. A
    scoped waiver must match on each core and configuration it names that the
    run measured its file in (:func:`apply` recorded them in ``scopes``).
    """
    for w in waivers:
        if w.file not in files:
            continue
        if w.cores or w.configs:
            empty = sorted(s for s, n in w.scopes.items() if not n)
            if empty:
                core, config = empty[0]
                raise WaiverError(
                    f"{name or shown(WAIVERS)} {w.where} matches no coverage point on {core} "
                    f"{config}: the code moved or went; fix or remove the entry"
                )
        elif not w.matched:
            raise WaiverError(
                f"{name or shown(WAIVERS)} {w.where} matches no coverage point: "
                "the code moved or went; fix or remove the entry"
            )
