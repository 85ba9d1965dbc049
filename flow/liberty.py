# SPDX-License-Identifier: Apache-2.0
"""Mapping to a real standard-cell library: area in um2 and delay in ns.

The library is OSU's open 0.18 um standard cells (Oklahoma State University,
the ``qflow-tech-osu018`` Debian package): 32 cells, areas in um2 (the cell
outlines of its LEF), NLDM timing at 1.8 V, typical corner. Yosys maps to it
after the same ``synth`` as the transistor counts (:mod:`flow.synth`):

    dfflibmap -liberty L; abc -D <ps> -liberty L -script <delay script>;
    stat -liberty L

``abc`` maps for delay (``&nf``), buffers high fan-out nets (``buffer -p``),
sizes gates up on the critical path and down elsewhere (``upsize``,
``dnsize``) and prints the critical path of the mapped logic (``stime -p``).
Flip-flops are outside ABC: a flip-flop output is an input of the mapped
logic with an ideal driver and a flip-flop input an output with no load, so
the delay is the combinational path between flip-flops (and ports), without
clock-to-Q, setup, the flip-flops' own fan-out, wires or a clock tree.

Two cells are left out of a generated copy of the library (:func:`prepared`):
the full and half adders ``FAX1`` and ``HAX1`` have two outputs, which ABC's
mapper cannot use and Yosys 0.23 fails on (it has no ``-dont_use``).
"""

from __future__ import annotations

import re
from pathlib import Path

#: Where Debian's ``qflow-tech-osu018`` puts the library, and the package.
OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
PACKAGE = "qflow-tech-osu018"
#: Multi-output cells ABC cannot map to.
DROPPED = ("FAX1", "HAX1")
#: ABC's delay target in ps: tighter than any core reaches, so the mapping is for speed
#: and ``dnsize`` only shrinks gates off the critical path.
TARGET_PS = 1000
#: The ABC script: the Yosys default for ``-liberty -D`` plus buffering, sizing and timing.
SCRIPT = (
    "+strash;&get,-n;&fraig,-x;&put;scorr;dc2;dretime;strash;&get,-n;&dch,-f;&nf,{D};&put;"
    "buffer,-p;upsize,{D};dnsize,{D};stime,-p"
)


class LibertyError(RuntimeError):
    """No library, or a mapping that printed no area or delay."""


def available(lib: Path = OSU018) -> bool:
    return lib.exists()


def prepared(out: Path, lib: Path = OSU018) -> Path:
    """A copy of ``lib`` without :data:`DROPPED` in ``out`` (written once, reused)."""
    if not lib.exists():
        raise LibertyError(
            f"no Liberty file at {lib}: apt-get install {PACKAGE} (make ppa does as root)"
        )
    dst = out / f"{lib.stem}_abc.lib"
    if dst.exists() and dst.stat().st_mtime >= lib.stat().st_mtime:
        return dst
    text = lib.read_text()
    for cell in DROPPED:
        text = drop_cell(text, cell)
    out.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(dst)  # two syntheses at once may write it: each sees a whole file
    return dst


def drop_cell(text: str, cell: str) -> str:
    """``text`` without the ``cell (name) { ... }`` group of ``cell``."""
    found = re.search(rf'\bcell\s*\(\s*"?{re.escape(cell)}"?\s*\)\s*\{{', text)
    if not found:
        raise LibertyError(f"cell {cell} not in the library")
    depth, i = 1, found.end()
    while depth:
        if i >= len(text):
            raise LibertyError(f"cell {cell}: unbalanced braces")
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[: found.start()] + text[i:]


def commands(lib: Path, stat_txt: Path, flatten: bool, target_ps: int = TARGET_PS) -> list[str]:
    """Yosys commands from the design after ``dfflegalize`` to the library's cells and
    their area (``stat -liberty``); ``flatten`` first for one critical path over the design."""
    return [
        *(["flatten"] if flatten else []),
        f"dfflibmap -liberty {lib}",
        f"abc -D {target_ps} -liberty {lib} -script {SCRIPT}",
        "opt_clean",
        f"tee -q -o {stat_txt} stat -liberty {lib} -top lut_tensor_core",
    ]


def parse_area(text: str) -> float:
    """Chip area in um2 of the whole design from ``stat -liberty`` (the hierarchy's total)."""
    marker = "=== design hierarchy ==="
    block = text.rsplit(marker, 1)[1] if marker in text else text
    found = re.findall(r"Chip area for (?:top )?module '\\?\S+': ([\d.]+)", block)
    if not found:
        raise LibertyError("yosys printed no chip area (stat -liberty)")
    return float(found[-1])


def parse_delay(log: str) -> float:
    """The longest critical path in ns that ABC's ``stime -p`` printed (the largest over
    the modules mapped; one with a flattened design)."""
    delays = [float(d) for d in re.findall(r"ABC: WireLoad = .*?Delay =\s*([\d.]+) ps", log)]
    if not delays:
        raise LibertyError("abc printed no delay (stime -p)")
    return max(delays) / 1000.0
