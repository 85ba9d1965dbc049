# SPDX-License-Identifier: Apache-2.0
"""Times in a SymbiYosys trace (``yosys-smtbmc``'s VCD): where each solver step starts.

The trace counts its steps in an integer variable ``smt_step``; a failing
assertion is reported by step, a waveform viewer's marker takes a time. These
read the VCD's text (a trace is small), so the marker lands on the step's own
time whatever clock period the writer chose.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

_SCALE = {"fs": 1e-6, "ps": 1e-3, "ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def _timescale_ns(text: str) -> float:
    m = re.search(r"\$timescale\s+(\d+)\s*([a-z]+)\s+\$end", text)
    return int(m.group(1)) * _SCALE.get(m.group(2), 1.0) if m else 1.0


def step_times_ns(vcd: Path) -> dict[int, float]:
    """``{step: time in ns}`` of every ``smt_step`` value change in ``vcd``."""
    text = Path(vcd).read_text(errors="replace")
    unit = _timescale_ns(text)
    m = re.search(r"\$var\s+\S+\s+\d+\s+(\S+)\s+smt_step\s", text)
    if not m:
        return {}
    ident = m.group(1)
    now = 0.0
    out: dict[int, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            now = int(line[1:]) * unit
        elif line.startswith("b") and line.endswith(f" {ident}"):
            out.setdefault(int(line[1:].split()[0], 2), now)
    return out


def end_ns(vcd: Path) -> float:
    """The last time stamp of ``vcd`` in ns."""
    text = Path(vcd).read_text(errors="replace")
    stamps = re.findall(r"^#(\d+)", text, flags=re.M)
    return int(stamps[-1]) * _timescale_ns(text) if stamps else 0.0


def plain_save_file(
    vcd: Path, scope: str, window_ns: tuple[float, float], marker_ns: float | None
) -> Path:
    """``<vcd>.gtkw`` showing every signal of ``scope`` itself (a lemma's inputs and what
    it compares), opened on ``window_ns`` with the marker at ``marker_ns``."""
    import pywellen

    wave = pywellen.Waveform(str(vcd))
    sigs = sorted(
        (v.full_name, v.bitwidth)
        for v in wave.all_vars()
        if v.full_name.startswith(scope + ".") and v.full_name.count(".") == scope.count(".") + 1
    )
    unit = 1.0 / _timescale_ns(Path(vcd).read_text(errors="replace"))
    lo, hi = (t * unit for t in window_ns)
    marker = -1 if marker_ns is None else round(marker_ns * unit)
    lines = [
        f'[dumpfile] "{Path(vcd).name}"',
        f"[timestart] {round(lo)}",
        f"*{-math.log2(max(hi - lo, 1.0) / 1000 * 200):.6f} {marker} " + " ".join(["-1"] * 26),
        "[size] 1600 900",
        f"[treeopen] {scope}.",
    ]
    for name, width in sigs:
        lines += ["@22" if width > 1 else "@28", name + (f"[{width - 1}:0]" if width > 1 else "")]
    out = Path(vcd).with_suffix(".gtkw")
    out.write_text("\n".join(lines) + "\n")
    return out
