# SPDX-License-Identifier: Apache-2.0
"""One instance per core and precision pair, synthesized and measured.

Each precision pair is its own instance: M x N x K4, ``T`` table registers,
``WBitsMax`` = the weight bits b and ``Formats`` = that one activation format,
synthesized by :mod:`flow.synth`. Normalised by throughput: the bit-serial
cores (lut_tc, lut_conv) finish an LMMA, M*N*K multiply-accumulates, in b
cycles, the MAC core in one; so the figure of merit is transistors per (MAC
per cycle). Delay is the longest combinational path in gate levels (unit
delay per NAND, NOR or NOT, measured at :data:`DEPTH_N` columns), so the
clock is relative: area x delay per MAC is transistors x levels / (MAC per cycle).
"""

from __future__ import annotations

from pathlib import Path

from flow import synth
from models.config import (
    ACC_W,
    ACT_LANE_BITS,
    CODE_BITS,
    FP_W,
    TABLE_ENTRIES,
    TABLE_W,
    TABLE_W_INT8,
    AFmt,
    CoreConfig,
    K,
    formats_mask,
)

AFMTS = {"INT8": AFmt.INT8, "INT16": AFmt.INT16, "FP16": AFmt.FP16, "BF16": AFmt.BF16}
AFMTS["FP8"] = AFmt.FP8_E4M3
DEFAULT_AFMTS = "INT8,INT16,FP16,BF16,FP8"
#: The longest path is measured on an instance this many columns wide. The
#: hierarchy is kept, so every unit is the same module whatever N, and no
#: combinational path runs across columns: the unit-delay depth does not depend
#: on N (M2 N4 and M2 N64 give 71 and 71 levels on lut_tc W2 x INT8, 59 and 59 on
#: lut_conv, 91 and 90 on mac), while flattening an N64 FP core for ``ltp``
#: takes minutes and gigabytes.
DEPTH_N = 4


def pair_config(core: str, b: int, afmt: str, m: int, n: int, t: int) -> CoreConfig:
    """The instance of one precision pair on one core."""
    return CoreConfig(M=m, N=n, T=t, W_BITS_MAX=b, formats=formats_mask([AFMTS[afmt]]), core=core)


def storage(cfg: CoreConfig) -> dict[str, int]:
    """Table storage and broadcast width in bits, from the RTL's widths (docs section 11)."""
    int16 = cfg.builds(AFmt.INT16)
    wide = int16 or cfg.builds(AFmt.FP16) or cfg.builds(AFmt.BF16)  # 16-bit stored lanes
    int_w = TABLE_W if int16 else TABLE_W_INT8
    entry_w = FP_W if cfg.has_fp else int_w
    acts = cfg.M * K * (ACT_LANE_BITS if wide else 8)
    if cfg.core == "lut_tc":
        tables, rows = cfg.T * cfg.M * TABLE_ENTRIES * entry_w, cfg.M * TABLE_ENTRIES * entry_w
        cols = cfg.N * CODE_BITS  # one bit plane of codes
    elif cfg.core == "lut_conv":
        tables, rows = cfg.M * cfg.N * (1 << CODE_BITS) * int_w, acts
        cols = cfg.N * CODE_BITS
    elif cfg.has_fp:  # the rows' activations converted to binary32, signed magnitudes
        tables, rows = 0, cfg.M * K * FP_W
        cols = cfg.N * K * (cfg.W_BITS_MAX + 1)
    else:
        tables, rows = 0, acts
        cols = cfg.N * K * (cfg.W_BITS_MAX + 2)  # dequantized weights
    return {"table_bits": tables, "broadcast_bits": rows + cols, "acc_bits": cfg.M * cfg.N * ACC_W}


def measure(core: str, b: int, afmt: str, m: int, n: int, t: int, out: Path) -> dict:
    """Synthesize one pair into ``out/runs/<config>``: its row of the report."""
    cfg = pair_config(core, b, afmt, m, n, t)
    res = synth.synthesize(cfg, out / "runs" / cfg.name)
    small = pair_config(core, b, afmt, m, min(n, DEPTH_N), t)
    depth = synth.synthesize(small, out / "runs" / f"{small.name}_depth", depth=True).depth
    macs = cfg.M * cfg.N * K
    per_cycle = macs if core == "mac" else macs / b
    return {
        "core": core,
        "wbits": b,
        "afmt": afmt,
        "config": cfg.name,
        "gates": res.gates,
        "flops": res.flops,
        "logic_transistors": res.logic_transistors,
        "transistors": res.transistors,
        "macs_per_cycle": per_cycle,
        "transistors_per_mac": res.transistors / per_cycle,
        "gates_per_mac": res.gates / per_cycle,
        "gate_levels": depth.levels if depth else None,
        "critical_path": depth.path if depth else "",
        "depth_n": small.N,
        "area_delay_per_mac": res.transistors * depth.levels / per_cycle if depth else None,
        "synth_s": round(res.seconds, 1),
        **storage(cfg),
    }
