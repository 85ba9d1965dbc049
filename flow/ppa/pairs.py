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
    FpAcc,
    K,
    formats_mask,
)

AFMTS = {"INT8": AFmt.INT8, "INT16": AFmt.INT16, "FP16": AFmt.FP16, "BF16": AFmt.BF16}
AFMTS["FP8"] = AFmt.FP8_E4M3
#: ``make ppa``'s default: the integer pairs with INT8 activations and the shape sweep fit in
#: 20 minutes on 2 cores; ``PPA_ARGS="--afmts INT8,INT16,FP16,BF16,FP8"`` measures them all.
DEFAULT_AFMTS = "INT8"
DEFAULT_WBITS = "1,2,3,4"
#: The tiling-shape sweep: 512 multiply-accumulates per LMMA at K = 4, from the paper's
#: elongated tile to a nearly square one (each a named configuration that
#: ``regressions/shapes.toml`` verifies).
SHAPES = ("M2N64", "M4N32", "M8N16", "M16N8")
#: The longest path is measured on an instance this many columns wide. The
#: hierarchy is kept, so every unit is the same module whatever N, and no
#: combinational path runs across columns: the unit-delay depth does not depend
#: on N (M2 N4 and M2 N64 give 71 and 71 levels on lut_tc W2 x INT8, 59 and 59 on
#: lut_conv, 91 and 90 on mac), while flattening an N64 FP core for ``ltp``
#: takes minutes and gigabytes.
DEPTH_N = 4


#: Binary16 accumulation as the command line spells it (``--fp-acc``), and the rows' label.
FP_ACCS = {"fp16": FpAcc.FP16, "fp16_ftz": FpAcc.FP16_FTZ}
ACC_LABELS = {FpAcc.FP32: "", FpAcc.FP16: "acc FP16", FpAcc.FP16_FTZ: "acc FP16 FTZ"}


def pair_config(
    core: str, b: int, afmt: str, m: int, n: int, t: int, fp_acc: FpAcc = FpAcc.FP32
) -> CoreConfig:
    """The instance of one precision pair on one core (``fp_acc``: its FP datapath's format)."""
    return CoreConfig(
        M=m, N=n, T=t, W_BITS_MAX=b, formats=formats_mask([AFMTS[afmt]]), core=core, fp_acc=fp_acc
    )


def pair_label(b: int, afmt: str, fp_acc: str = "FP32") -> str:
    """``W2 x INT8``; ``W1 x FP16 acc FP16`` for a binary16 datapath."""
    acc = ACC_LABELS[FpAcc[fp_acc]]
    return f"W{b} x {afmt}" + (f" {acc}" if acc else "")


def storage(cfg: CoreConfig) -> dict[str, int]:
    """Table storage and broadcast width in bits, from the RTL's widths (docs section 11)."""
    int16 = cfg.builds(AFmt.INT16)
    wide = int16 or cfg.builds(AFmt.FP16) or cfg.builds(AFmt.BF16)  # 16-bit stored lanes
    int_w = TABLE_W if int16 else TABLE_W_INT8
    fp_w = FP_W if cfg.fp_acc == FpAcc.FP32 else 16  # binary32 or binary16 entries and lanes
    entry_w = fp_w if cfg.has_fp else int_w
    acts = cfg.M * K * (ACT_LANE_BITS if wide else 8)
    if cfg.core == "lut_tc":
        tables, rows = cfg.T * cfg.M * TABLE_ENTRIES * entry_w, cfg.M * TABLE_ENTRIES * entry_w
        cols = cfg.N * CODE_BITS  # one bit plane of codes
    elif cfg.core == "lut_conv":
        tables, rows = cfg.M * cfg.N * (1 << CODE_BITS) * int_w, acts
        cols = cfg.N * CODE_BITS
    elif cfg.has_fp:  # the rows' activations converted to binary32 (16), signed magnitudes
        tables, rows = 0, cfg.M * K * fp_w
        cols = cfg.N * K * (cfg.W_BITS_MAX + 1)
    else:
        tables, rows = 0, acts
        cols = cfg.N * K * (cfg.W_BITS_MAX + 2)  # dequantized weights
    return {"table_bits": tables, "broadcast_bits": rows + cols, "acc_bits": cfg.M * cfg.N * ACC_W}


def measure(
    core: str,
    b: int,
    afmt: str,
    m: int,
    n: int,
    t: int,
    out: Path,
    liberty: Path | None = None,
    fp_acc: FpAcc = FpAcc.FP32,
    energy_netlist: bool = False,
) -> tuple[dict, synth.SynthResult]:
    """Synthesize one pair into ``out/runs/<config>``: (its row of the report, the
    synthesis of its flattened :data:`DEPTH_N`-column instance).

    ``liberty``: a prepared library (:func:`flow.liberty.prepared`); then the row also
    has the area in um2, ABC's critical path in ns and the throughput per area.
    ``energy_netlist``: the narrow instance's run also writes the netlist the energy
    proxy simulates (:func:`flow.ppa.energy.measure` takes it: one synthesis, not two).
    """
    cfg = pair_config(core, b, afmt, m, n, t, fp_acc)
    res = synth.synthesize(cfg, out / "runs" / cfg.name, liberty=liberty)
    small = pair_config(core, b, afmt, m, min(n, DEPTH_N), t, fp_acc)
    flat = synth.synthesize(
        small,
        out / "runs" / f"{small.name}_depth",
        depth=True,
        liberty=liberty,
        netlist=energy_netlist,
        json=energy_netlist,
    )
    depth = flat.depth
    macs = cfg.M * cfg.N * K
    per_cycle = macs if core == "mac" else macs / b
    bits = storage(cfg)
    row = {
        "core": core,
        "wbits": b,
        "afmt": afmt,
        "fp_acc": cfg.fp_acc.name,
        "pair": pair_label(b, afmt, cfg.fp_acc.name),
        "config": cfg.name,
        "shape": f"M{m}N{n}",
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
        "synth_s": round(res.seconds + flat.seconds, 1),
        **bits,
        "table_bits_per_mac": bits["table_bits"] / macs,
        "broadcast_bits_per_mac": bits["broadcast_bits"] / per_cycle,
        **_per_mac(res, flat, per_cycle),
    }
    return row, flat


def _per_mac(res: synth.SynthResult, flat: synth.SynthResult, per_cycle: float) -> dict:
    """The library's figures of one pair: area (um2, of the full instance), critical path
    (ns, of the flattened narrow one), the clock it allows and MAC/s per mm2 at that clock."""
    if res.area_um2 is None or flat.delay_ns is None:
        return {}
    return {
        "area_um2": res.area_um2,
        "area_um2_per_mac": res.area_um2 / per_cycle,
        "delay_ns": round(flat.delay_ns, 3),
        "fmax_mhz": 1000 / flat.delay_ns,
        # MAC/cycle x f / area: GMAC/s per mm2
        "gmacs_per_mm2": per_cycle / flat.delay_ns / (res.area_um2 / 1e6),
    }
