# SPDX-License-Identifier: Apache-2.0
"""GTKWave save file for a core waveform: interface signals grouped, fields decoded.

``make waves`` (:mod:`tools.waves_run`) calls :func:`write_save_file` after a
traced run. Opcode, format and status names come from translate-filter files
generated from ``models.config`` so the viewer shows ``LMMA``/``TABLE_INVALID``
instead of hex. The file opens zoomed to the run, or to a window around the
scoreboard's first error with the marker on it, and shows ``out_d_o`` lane by
lane as signed decimals (``D[m,n]``) beside the raw bus. Every path in it is
relative to the save file (GTKWave resolves them from there), so the folder
can be moved or copied as a whole.
"""

from __future__ import annotations

import math
from pathlib import Path

from models.config import AFmt, CoreConfig, Opcode, Status

#: Width of the waveform pane in pixels at the saved window size and pane widths
#: (GTKWave 3.3.118 under Xvfb: 1600 - 260 - 300 - borders).
_WAVE_PX = 1000
#: GTKWave's zoom counts time per 200-pixel frame, not per pixel: a zoom z shows
#: ``2 ** -z / 200`` time units per pixel (its ``pixelsperframe``).
_FRAME_PX = 200
_UNIT_S = {"fs": 1e-15, "ps": 1e-12, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
#: Nanoseconds shown around a first error ...
ERROR_WINDOW_NS = 600
#: ... of which this part before the marker: a narrower window than the saved
#: size (a smaller screen) still shows the marker, at its left.
MARKER_AT = 0.25

# gtkwave trace flags (gtkwave's TR_* constants).
_HEX, _DEC, _BIN, _RJ, _SIGNED, _FTRANS = 0x2, 0x4, 0x8, 0x20, 0x400, 0x2000
_GRP_BEGIN, _GRP_END, _BLANK = 0x800000, 0x1000000, 0x200

#: Scope of the core in the dump (the same under Icarus and Verilator 5.48).
SCOPE = "lut_tensor_core"
#: ... and when the core sits inside the bridge (the ``batch`` transport).
STREAM_SCOPE = "lut_tc_bridge.u_dut.u_core"


def core_scope(transport: str) -> str:
    """Where the core sits in the dump of a run on ``transport``."""
    return STREAM_SCOPE if transport == "batch" else SCOPE


def _filter_file(path: Path, enum: type) -> Path:
    path.write_text("".join(f"{m.value:X} {m.name}\n" for m in enum))  # type: ignore[attr-defined]
    return path


def _groups(cfg: CoreConfig) -> list[tuple[str, list[tuple[str, int, str | None]]]]:
    """(group, [(signal[range], flags, filter-enum-name)]) in display order."""
    a_w, w_w, c_w = cfg.a_bits, cfg.w_bits, cfg.c_bits
    return [
        ("clock and reset", [("clk_i", _BIN, None), ("rst_ni", _BIN, None)]),
        (
            "in channel",
            [
                ("in_valid_i", _BIN, None),
                ("in_ready_o", _BIN, None),
                ("in_instr_i[31:0]", _HEX, None),
                (f"in_a_i[{a_w - 1}:0]", _HEX, None),
                (f"in_w_i[{w_w - 1}:0]", _HEX, None),
                (f"in_c_i[{c_w - 1}:0]", _HEX, None),
            ],
        ),
        (
            "decoded instruction",
            [
                ("u_decode.opcode[3:0]", _HEX | _FTRANS, "opcode"),
                ("u_decode.treg[3:0]", _DEC, None),
                ("u_decode.afmt[3:0]", _HEX | _FTRANS, "afmt"),
                ("u_decode.wbits[3:0]", _DEC, None),
                ("u_decode.tag_o[7:0]", _DEC, None),
                ("u_decode.status_o[3:0]", _HEX | _FTRANS, "status"),
            ],
        ),
        (
            "execute",
            [
                ("ex_valid_q", _BIN, None),
                ("ex_lmma_q", _BIN, None),
                (f"plane_q[{max(1, (cfg.W_BITS_MAX - 1).bit_length()) - 1}:0]", _DEC, None),
                ("ex_tag_q[7:0]", _DEC, None),
                (f"tvalid_q[{cfg.T - 1}:0]", _BIN, None),
            ],
        ),
        (
            "out channel",
            [
                ("out_valid_o", _BIN, None),
                ("out_ready_i", _BIN, None),
                ("out_tag_o[7:0]", _DEC, None),
                ("out_status_o[3:0]", _HEX | _FTRANS, "status"),
                (f"out_d_o[{c_w - 1}:0]", _HEX, None),
            ],
        ),
    ]


def dump_units_per_ns(dump: Path) -> float:
    """Time units of ``dump`` per nanosecond (FST files of both simulators count in ps)."""
    import pywellen

    ts = pywellen.Waveform(str(dump)).timescale
    return 1e-9 / (ts.factor * _UNIT_S[str(ts.unit)])


def error_window(marker_ns: float) -> tuple[float, float]:
    """The window a first error opens on: :data:`ERROR_WINDOW_NS` wide, the marker at
    :data:`MARKER_AT` of it."""
    lo = marker_ns - MARKER_AT * ERROR_WINDOW_NS
    return lo, lo + ERROR_WINDOW_NS


def zoom_for(span_units: float, wave_px: int = _WAVE_PX) -> float:
    """GTKWave's zoom factor that shows ``span_units`` of time across ``wave_px`` pixels."""
    return -math.log2(max(span_units, 1.0) / wave_px * _FRAME_PX)


def _view(units_per_ns: float, window_ns: tuple[float, float], marker_ns: float | None):
    """``[timestart]`` and the ``*zoom marker named-markers`` line of a save file."""
    lo, hi = (t * units_per_ns for t in window_ns)
    span = max(hi - lo, 1.0)
    lo = max(0.0, lo)  # a window that starts before 0 keeps its width
    marker = -1 if marker_ns is None else round(marker_ns * units_per_ns)
    line = f"*{zoom_for(span):.6f} {marker} " + " ".join(["-1"] * 26)
    return [f"[timestart] {round(lo)}", line]


def _d_lanes(cfg: CoreConfig, scope: str) -> list[str]:
    """``out_d_o`` as one signed 32-bit trace per lane (bits combined, MSB first)."""
    lines = []
    for lane in range(cfg.M * cfg.N):
        m, n = divmod(lane, cfg.N)
        bits = " ".join(f"{scope}.out_d_o[{lane * 32 + b}]" for b in range(31, -1, -1))
        lines += [f"@{_DEC | _SIGNED | _RJ:x}", f"#{{D[{m},{n}]}} {bits}"]
    return lines


def write_save_file(
    dump: Path,
    cfg: CoreConfig,
    scope: str = SCOPE,
    window_ns: tuple[float, float] | None = None,
    marker_ns: float | None = None,
) -> Path:
    """Write ``<dump>.gtkw`` (and filter files beside it); returns its path.

    ``window_ns``: the time range the file opens on (default: from 0, unzoomed);
    ``marker_ns``: where the primary marker sits (e.g. the first error's response).
    """
    out = dump.with_suffix(".gtkw")
    filters = {
        "opcode": _filter_file(dump.parent / "opcode.gtkwfilter", Opcode),
        "afmt": _filter_file(dump.parent / "afmt.gtkwfilter", AFmt),
        "status": _filter_file(dump.parent / "status.gtkwfilter", Status),
    }
    view = ["[timestart] 0"]
    if window_ns is not None:
        view = _view(dump_units_per_ns(dump), window_ns, marker_ns)
    lines = [  # relative: GTKWave finds them beside the save file, wherever it is opened from
        f'[dumpfile] "{dump.name}"',
        f'[savefile] "{out.name}"',
        *view,
        "[size] 1600 900",
        f"[treeopen] {scope}.",
        "[sst_width] 260",
        "[signals_width] 300",
    ]
    for group, sigs in _groups(cfg):
        lines += [f"@{_GRP_BEGIN | _BLANK:x}", f"-{group}"]
        for sig, flags, filt in sigs:  # vectors are named with their range
            if filt:
                lines.append(f"^1 {filters[filt].name}")
            lines += [f"@{flags | _RJ:x}", f"{scope}.{sig}"]
        lines += [f"@{_GRP_END | _BLANK:x}", f"-{group}"]
    lines += [f"@{_GRP_BEGIN | _BLANK:x}", "-D lanes (signed)", *_d_lanes(cfg, scope)]
    lines += [f"@{_GRP_END | _BLANK:x}", "-D lanes (signed)"]
    out.write_text("\n".join(lines) + "\n")
    return out


def check_save_file(gtkw: Path, dump: Path) -> list[str]:
    """Signals of the save file missing from the dump, or of another width."""
    import pywellen

    widths = {v.full_name: v.bitwidth for v in pywellen.Waveform(str(dump)).all_vars()}
    problems = []
    for line in gtkw.read_text().splitlines():
        if line.startswith("#{"):  # a trace combined from single bits of a vector
            for bit in line.split("} ", 1)[1].split():
                name, _, idx = bit.rstrip("]").partition("[")
                if name not in widths or not 0 <= int(idx) < widths[name]:
                    problems.append(f"{bit} is not a bit of a vector in {dump.name}")
            continue
        if line[:1] in "[@^-*" or not line:
            continue
        name, _, rng = line.partition("[")
        width = 1
        if rng:
            hi, lo = rng.rstrip("]").split(":")
            width = int(hi) - int(lo) + 1
        if name not in widths:
            problems.append(f"{name} is not in {dump.name}")
        elif widths[name] != width:
            problems.append(f"{name} is {widths[name]} bits in the dump, {width} in the save file")
    return problems
