"""GTKWave save file for a core waveform: interface signals grouped, fields decoded.

``make waves`` calls :func:`write_save_file` after a traced run. Opcode, format
and status names come from translate-filter files generated from
``models.config`` so the viewer shows ``LMMA``/``TABLE_INVALID`` instead of hex.
"""

from __future__ import annotations

from pathlib import Path

from models.config import AFmt, CoreConfig, Opcode, Status

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


def write_save_file(dump: Path, cfg: CoreConfig, scope: str = SCOPE) -> Path:
    """Write ``<dump>.gtkw`` (and filter files beside it); returns its path."""
    out = dump.with_suffix(".gtkw")
    filters = {
        "opcode": _filter_file(dump.parent / "opcode.gtkwfilter", Opcode),
        "afmt": _filter_file(dump.parent / "afmt.gtkwfilter", AFmt),
        "status": _filter_file(dump.parent / "status.gtkwfilter", Status),
    }
    lines = [
        f'[dumpfile] "{dump}"',
        f'[savefile] "{out}"',
        "[timestart] 0",
        "[size] 1600 900",
        f"[treeopen] {scope}.",
        "[sst_width] 260",
        "[signals_width] 300",
    ]
    for group, sigs in _groups(cfg):
        lines += [f"@{_GRP_BEGIN | _BLANK:x}", f"-{group}"]
        for sig, flags, filt in sigs:  # vectors are named with their range
            if filt:
                lines.append(f"^1 {filters[filt]}")
            lines += [f"@{flags | _RJ:x}", f"{scope}.{sig}"]
        lines += [f"@{_GRP_END | _BLANK:x}", f"-{group}"]
    out.write_text("\n".join(lines) + "\n")
    return out


def check_save_file(gtkw: Path, dump: Path) -> list[str]:
    """Signals of the save file missing from the dump, or of another width."""
    import pywellen

    widths = {v.full_name: v.bitwidth for v in pywellen.Waveform(str(dump)).all_vars()}
    problems = []
    for line in gtkw.read_text().splitlines():
        if line[:1] in "[@^-" or not line:
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
