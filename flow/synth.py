# SPDX-License-Identifier: Apache-2.0
"""Synthesis with Yosys: one core configuration -> cell and transistor counts, a netlist.

The same RTL the simulators compile (``flow.simrun.CORE_SOURCES``) goes
through Debian's Yosys 0.23 with an open, library-free flow:

    read_verilog -sv; hierarchy -chparam <the configuration>; synth;
    dfflegalize to plain D flip-flops; abc -g cmos2; stat -tech cmos

``abc -g cmos2`` maps the logic to NAND, NOR and NOT gates, which
``stat -tech cmos`` prices at 4, 4 and 2 transistors. Flip-flops it does
not price: ``dfflegalize`` first turns enables and synchronous resets into
gates, so only plain D flip-flops (with or without the asynchronous reset)
remain, and each is counted at :data:`FLOP_TRANSISTORS` (a static
master-slave flip-flop; the reset adds :data:`RESET_TRANSISTORS`).

The design keeps its hierarchy (``synth`` without ``-flatten``): a unit
module is synthesized once and counted as many times as it is instantiated
(``stat -top``), which makes an M2 N64 array a matter of seconds instead of
minutes, and keeps every unit's own hardware, as an array is laid out.
That matters for the conventional LUT core: flattened, Yosys finds that
the N units of a row build identical tables from identical inputs and
merges their flip-flops, which is the LUT Tensor Core's table sharing done
by the tool, not the design being measured. ``flatten=True`` gives one
flat module instead, for comparison. ``netlist=True`` also writes the
gate-level netlist (``write_verilog``) that the netlist tests simulate.

``depth=True`` also measures the longest combinational path, in gate levels:
after the counts, the design is flattened and ``ltp -noff`` counts the gates
on the longest path between flip-flops and ports (unit delay per NAND, NOR or
NOT: a relative clock, no wires, no fan-out, no library timing).

``liberty=`` (a library :func:`flow.liberty.prepared` made) also maps the same
``synth`` result to that library's cells in the same Yosys run (the design is
saved before ``abc -g cmos2`` and loaded again): its area in um2 and ABC's
critical path in ns (flattened with ``depth=True``).

A failed synthesis, or a core that synthesizes to nothing, raises
:class:`SynthError`: it is never a row of a report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from flow import liberty as flow_liberty
from flow import simrun
from models.config import CoreConfig

#: Transistors of one static D flip-flop (master-slave, transmission gates) and
#: what an asynchronous reset adds to it: the figures the report states.
FLOP_TRANSISTORS = 24
RESET_TRANSISTORS = 4
#: Gate cells ``abc -g cmos2`` leaves and the flip-flops ``dfflegalize`` leaves.
GATES = ("$_NAND_", "$_NOR_", "$_NOT_")
FLOPS = {"$_DFF_P_": FLOP_TRANSISTORS, "$_DFF_PN0_": FLOP_TRANSISTORS + RESET_TRANSISTORS}
TOP = "lut_tensor_core"
#: The netlist the switching-energy proxy simulates (:mod:`flow.ppa.energy`): the same
#: gates, flattened after mapping (no optimization runs after it), every wire and port
#: split into one-bit nets (Verilator's toggle counters are exact on those; on buses it
#: iterated word-level false loops and over-counted wider than 64 bits), every net
#: Yosys left unnamed (``$abc$...``) named ``n<k>``
#: so the Verilog and the JSON netlist name each net alike (``write_verilog`` would
#: otherwise number them itself, ``_123_``).
ENERGY_NETLIST = ("flatten", "splitnets -ports", "rename -enumerate -pattern n%")


class SynthError(RuntimeError):
    """Synthesis failed, or left a design with no logic."""


@dataclass(frozen=True)
class Depth:
    """The longest combinational path: its gate levels and where it starts and ends."""

    levels: int
    path: str  #: ``start -> end`` signal names (a flip-flop or port each)


@dataclass
class SynthResult:
    """What one synthesis gave: cell counts of the whole design and where its files are."""

    cfg: CoreConfig
    cells: dict[str, int]  #: cell type -> count over the whole hierarchy
    logic_transistors: int  #: Yosys' CMOS estimate of the gates
    seconds: float
    log: Path
    netlist: Path | None = None
    depth: Depth | None = None
    #: With a Liberty file: the mapped design's area (um2) and ABC's critical path (ns;
    #: of the flattened design when the depth was asked for, else the largest module's).
    area_um2: float | None = None
    delay_ns: float | None = None

    @property
    def gates(self) -> int:
        return sum(self.cells.get(g, 0) for g in GATES)

    @property
    def flops(self) -> int:
        return sum(self.cells.get(f, 0) for f in FLOPS)

    @property
    def transistors(self) -> int:
        """Gates (Yosys' estimate) plus flip-flops at the stated figures."""
        return self.logic_transistors + sum(self.cells.get(f, 0) * t for f, t in FLOPS.items())


def have_yosys() -> bool:
    return shutil.which("yosys") is not None


def yosys_version() -> str:
    out = subprocess.run(["yosys", "-V"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"Yosys (\S+)", out)
    return m.group(1) if m else "unknown"


def sources() -> list[Path]:
    """The RTL files Yosys reads: the simulators' core sources (include files via -I)."""
    return [s for s in simrun.CORE_SOURCES if s.suffix == ".sv"]


def script(
    cfg: CoreConfig,
    flatten: bool,
    netlist: Path | None,
    stat_txt: Path,
    defines: tuple[str, ...] = (),
    ltp_txt: Path | None = None,
    liberty: tuple[Path, Path] | None = None,
    json_out: Path | None = None,
) -> str:
    """The Yosys script for ``cfg`` (``defines``: bug injection, for the netlist tests).

    ``ltp_txt``: after the counts and the netlist, flatten and write the longest
    path there (the counts stay those of the hierarchical design).
    ``liberty`` = (library, statistics file): then map the design as it was before
    ``abc -g cmos2`` to the library's cells too (:mod:`flow.liberty`), flattened
    with ``ltp_txt``, and write its area there.
    ``json_out``: after the counts, the netlist of :data:`ENERGY_NETLIST`, also as
    ``write_json`` there (every cell's connections: the fan-out of each net).
    """
    lines = _flow(TOP, sources(), cfg.rtl_parameters(), defines, flatten)
    if liberty is not None:
        lines.insert(lines.index("abc -g cmos2"), "design -save generic")
    lines.append(f"tee -q -o {stat_txt} stat -tech cmos -top {TOP}")
    if json_out is not None:
        lines += [*ENERGY_NETLIST, f"write_json {json_out}"]
    if netlist is not None:
        lines.append(f"write_verilog -noattr {netlist}")
    if ltp_txt is not None:
        lines += ["flatten", f"tee -q -o {ltp_txt} ltp -noff"]
    if liberty is not None:
        lib, lib_txt = liberty
        lines += ["design -load generic", f"read_liberty -lib {lib}", f"rename -top {TOP}"]
        lines += flow_liberty.commands(lib, lib_txt, flatten=ltp_txt is not None)
    return "\n".join(lines) + "\n"


def _flow(
    top: str,
    files: list[Path],
    parameters: dict[str, int],
    defines: tuple[str, ...] = (),
    flatten: bool = False,
) -> list[str]:
    """The Yosys commands from reading the RTL to the checked gate-level design."""
    params = " ".join(f"-chparam {k} {v}" for k, v in parameters.items())
    defs = "".join(f" -D{d}" for d in defines)
    return [
        f"read_verilog -sv{defs} -I{simrun.RTL} {' '.join(str(f) for f in files)}",
        f"hierarchy -check -top {top} {params}".rstrip(),
        f"synth -top {top}" + (" -flatten" if flatten else ""),
        "dfflegalize -cell $_DFF_P_ x -cell $_DFF_PN0_ x",
        "abc -g cmos2",
        "opt_clean",
        f"rename -top {top}",
        "check -assert",
    ]


def synthesize_unit(
    top: str,
    source: Path,
    out: Path,
    parameters: dict[str, int] | None = None,
    defines: tuple[str, ...] = (),
) -> Path:
    """One RTL block through the same flow; its gate-level netlist (``out/netlist.v``).

    For the block-level netlist tests: a construct Yosys reads differently from
    the simulators shows in the block's own vectors, in seconds.
    """
    if not have_yosys():
        raise SynthError("yosys is not installed: apt-get install yosys (make ppa does as root)")
    out.mkdir(parents=True, exist_ok=True)
    net, ys, log = out / "netlist.v", out / "synth.ys", out / "yosys.log"
    lines = [*_flow(top, [source], parameters or {}, defines), f"write_verilog -noattr {net}"]
    ys.write_text("\n".join(lines) + "\n")
    proc = subprocess.run(
        ["yosys", "-q", "-l", str(log), "-s", str(ys)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0 or not net.exists():
        err = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise SynthError(f"{top}: yosys failed: {err[-1] if err else 'no output'} ({log})")
    return net


def synthesize(
    cfg: CoreConfig,
    out: Path,
    flatten: bool = False,
    netlist: bool = False,
    defines: tuple[str, ...] = (),
    depth: bool = False,
    liberty: Path | None = None,
    json: bool = False,
) -> SynthResult:
    """Synthesize ``cfg`` into ``out`` (script, log, statistics, the netlist and the
    longest path if asked; area and delay in the cells of the Liberty file ``liberty``
    too, a copy :func:`flow.liberty.prepared` made; ``json``: the energy proxy's
    netlist, also as ``netlist.json``, see :func:`script`)."""
    if not have_yosys():
        raise SynthError("yosys is not installed: apt-get install yosys (make ppa does as root)")
    out.mkdir(parents=True, exist_ok=True)
    net = out / "netlist.v" if netlist else None
    stat_txt = out / "stat.txt"
    ys = out / "synth.ys"
    log = out / "yosys.log"
    ltp_txt = out / "ltp.txt" if depth else None
    lib = (liberty, out / "stat_liberty.txt") if liberty is not None else None
    json_out = out / "netlist.json" if json else None
    ys.write_text(
        script(cfg, flatten, net, stat_txt, tuple(defines), ltp_txt, lib, json_out=json_out)
    )
    t0 = time.monotonic()
    proc = subprocess.run(
        ["yosys", "-q", "-l", str(log), "-s", str(ys)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        err = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise SynthError(f"{cfg.name}: yosys failed: {err[-1] if err else 'no output'} ({log})")
    cells, logic = parse_stat(stat_txt.read_text() if stat_txt.exists() else "")
    levels = parse_ltp(ltp_txt.read_text() if ltp_txt.exists() else "") if ltp_txt else None
    res = SynthResult(cfg, cells, logic, seconds, log, net, levels)
    if lib is not None:
        try:
            res.area_um2 = flow_liberty.parse_area(lib[1].read_text() if lib[1].exists() else "")
            res.delay_ns = flow_liberty.parse_delay(log.read_text())
        except flow_liberty.LibertyError as exc:
            raise SynthError(f"{cfg.name}: {exc} ({log})") from None
    if res.gates == 0 or res.flops == 0:
        raise SynthError(
            f"{cfg.name}: synthesized to nothing ({res.gates} gates, {res.flops} flops)"
        )
    return res


def parse_stat(text: str) -> tuple[dict[str, int], int]:
    """(cell type -> count, transistor estimate) of the whole design from ``stat -tech cmos``.

    With hierarchy the totals are the block after ``=== design hierarchy ===``
    (every module times its instances); a flat design has only its module's
    block. (Yosys 0.23's ``stat -json -top`` writes invalid JSON, hence text.)
    """
    marker = "=== design hierarchy ==="
    block = text.rsplit(marker, 1)[1] if marker in text else text.rsplit(f"=== {TOP} ===", 1)[-1]
    cells = {m[1]: int(m[2]) for m in re.finditer(r"^\s+(\$_\w+_)\s+(\d+)\s*$", block, re.M)}
    found = re.search(r"Estimated number of transistors:\s+(\d+)", block)
    if not found:
        raise SynthError("yosys printed no transistor estimate (stat -tech cmos)")
    return cells, int(found.group(1))


_NODE = re.compile(r"^\s*(?:\d+|ff): \\?(\S+?)(?:\[\d+\])?(?: \[\d+\])?(?: \(via .*)?$", re.M)


def parse_ltp(text: str) -> Depth:
    """Gate levels and end points of the longest path from ``ltp -noff``'s report."""
    found = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", text)
    if not found:
        raise SynthError("yosys printed no longest path (ltp -noff)")
    nodes = [n for n in _NODE.findall(text[found.end() :]) if not n.startswith("$")]
    path = f"{nodes[0]} -> {nodes[-1]}" if nodes else ""
    return Depth(int(found.group(1)), path)
