# SPDX-License-Identifier: Apache-2.0
"""Code a coverage build does not instrument: the RTL's own assertions.

The RTL checks itself with ``LUT_TC_ASSERT*`` macros (``rtl/lut_tc_assert.svh``:
an ``always`` block whose ``if`` arm calls ``$fatal``) and an ```ifdef
LUT_TC_ASSERTIONS`` block of their helper registers. They are checkers, not
design: their failing arm can never run in a passing job, so counting them
would only add holes to waive. A coverage build therefore gets a Verilator
control file that switches coverage off on exactly those lines, found in the
sources here rather than written by hand, so they follow the RTL; the
dashboard lists them beside the waivers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from flow.simrun import ROOT

_MACRO = re.compile(r"`LUT_TC_ASSERT(?:_KNOWN|_INIT)?\(")
_IFDEF = re.compile(r"^\s*`ifdef\s+LUT_TC_ASSERTIONS\b")
_ENDIF = re.compile(r"^\s*`endif\b")
_IF = re.compile(r"^\s*`if(n?def)\b")


def assertion_ranges(path: Path) -> list[tuple[int, int]]:
    """(first, last) line ranges of ``path`` that are assertion code, merged where they touch."""
    lines = Path(path).read_text(errors="replace").splitlines()
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        text = lines[i]
        if _IFDEF.match(text):
            depth, j = 1, i + 1
            while j < len(lines) and depth:
                depth += bool(_IF.match(lines[j])) - bool(_ENDIF.match(lines[j]))
                j += 1
            out.append((i + 1, j))
            i = j
            continue
        m = _MACRO.search(text)
        if m:
            depth, j = 0, i
            rest = text[m.end() - 1 :]
            while True:
                depth += rest.count("(") - rest.count(")")
                if depth <= 0 or j + 1 >= len(lines):
                    break
                j += 1
                rest = lines[j]
            out.append((i + 1, j + 1))
            i = j + 1
            continue
        i += 1
    merged: list[tuple[int, int]] = []
    for a, b in out:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def control_file(sources: Iterable[Path]) -> str:
    """A Verilator control file (``.vlt``) switching coverage off on every assertion range."""
    out = ["`verilator_config", "// assertion code: not instrumented (flow/codecov/exclude.py)"]
    for src in sources:
        src = Path(src)
        if src.suffix not in (".sv", ".v"):
            continue
        for a, b in assertion_ranges(src):
            out.append(f'coverage_off -file "{src.resolve()}" -lines {a}-{b}')
    return "\n".join(out) + "\n"


def excluded(sources: Iterable[Path]) -> list[dict]:
    """The ranges as the dashboard lists them: file (relative), lines."""
    out = []
    for src in sources:
        src = Path(src)
        if src.suffix not in (".sv", ".v"):
            continue
        rel = src.resolve().relative_to(ROOT).as_posix() if src.is_relative_to(ROOT) else str(src)
        out += [{"file": rel, "lines": f"{a}-{b}"} for a, b in assertion_ranges(src)]
    return out
