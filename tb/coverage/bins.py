# SPDX-License-Identifier: Apache-2.0
"""Coverage bins of the LUT Tensor Core as plain data, and which cross bins cannot be hit.

Bins follow the spec, not the implementation: field values are grouped the
way docs section 6 treats them (e.g. every reserved ``afmt`` code is one
bin), so a bin is a behaviour, not a number. No simulator or coverage-library
import: the stimulus library aims at these bins and the collector counts them.

Unreachable cross bins are derived from the golden model, not written by
hand: :func:`unreachable_instr_bins` asks ``models.core.CoreModel`` which
statuses a field combination can get (over every value of the fields the
cross does not show: ``accfmt``, ``rsvd``, table state). Everything else must
be hit by the nightly regression.
"""

from __future__ import annotations

import functools

from models import isa
from models.config import DEFAULT, FP_AFMTS, AFmt, CoreConfig, Opcode, Status
from models.core import CoreModel

STALL_BINS = {"s0": (0, 0), "s1": (1, 1), "s2_3": (2, 3), "s4_15": (4, 15), "s16_up": (16, 1 << 20)}
DIST_BINS = {"d0": (0, 0), "d1": (1, 1), "d2_3": (2, 3), "d4_15": (4, 15), "d16_up": (16, 1 << 20)}
STATUS_BINS = {s.name.lower(): int(s) for s in Status}


# --- field bins of the instruction cross -------------------------------------
def op_bins() -> dict[str, list[int]]:
    """Bin name -> representative opcode values (all of a bin behave alike)."""
    illegal = [v for v in range(16) if v not in (Opcode.LUTGEN, Opcode.LMMA)]
    return {"lutgen": [int(Opcode.LUTGEN)], "lmma": [int(Opcode.LMMA)], "illegal": illegal}


def wbits_bins(cfg: CoreConfig) -> dict[str, list[int]]:
    bins = {f"w{i}": [i] for i in range(cfg.W_BITS_MAX + 1)}
    if cfg.W_BITS_MAX < 15:
        bins["w_over"] = list(range(cfg.W_BITS_MAX + 1, 16))
    return bins


def afmt_bins(cfg: CoreConfig = DEFAULT) -> dict[str, list[int]]:
    """One bin per format the instance builds, one for the defined formats it does not
    build (if any), one for the reserved codes: the three behave differently."""
    bins = {AFmt(f).name.lower(): [int(f)] for f in cfg.afmts}
    unbuilt = [int(f) for f in AFmt if not cfg.builds(f)]
    if unbuilt:
        bins["unbuilt"] = unbuilt
    bins["rsvd"] = list(range(len(AFmt), 16))
    return bins


def treg_bins(cfg: CoreConfig) -> dict[str, list[int]]:
    bins = {f"t{i}": [i] for i in range(cfg.T)}
    if cfg.T < 16:
        bins["t_oor"] = list(range(cfg.T, 16))
    return bins


def reachable_statuses(cfg: CoreConfig, op: int, wb: int, af: int, tr: int) -> set[int]:
    """Statuses the model can answer for these fields, over all other state."""
    out = set()
    for accfmt in (0, 1, 2):
        for rsvd in (0, 1):
            for table_ok in (False, True):
                m = CoreModel(cfg)
                if table_ok and cfg.builds(af) and tr < cfg.T:
                    m.step(isa.lutgen(tr, af, cfg=cfg), a_bus=0)
                word = isa.encode(isa.Instr(op, tr, af, wb, accfmt, rsvd, 0))
                out.add(int(m.check(word)))
    return out


@functools.cache
def unreachable_instr_bins(cfg: CoreConfig) -> dict[tuple[str, ...], str]:
    """(op, wbits, afmt, treg, status) bin names -> why the combination cannot occur."""
    out: dict[tuple[str, ...], str] = {}
    for op_n, op_v in op_bins().items():
        for wb_n, wb_v in wbits_bins(cfg).items():
            for af_n, af_v in afmt_bins(cfg).items():
                for tr_n, tr_v in treg_bins(cfg).items():
                    can = reachable_statuses(cfg, op_v[0], wb_v[0], af_v[0], tr_v[0])
                    for st_n, st_v in STATUS_BINS.items():
                        if st_v not in can:
                            names = "/".join(Status(s).name for s in sorted(can))
                            out[(op_n, wb_n, af_n, tr_n, st_n)] = (
                                f"{op_n} with {wb_n},{af_n},{tr_n} can only answer {names} "
                                "(docs section 6 priority)"
                            )
    return out


EXTREME_BINS = (
    "i8_min",
    "i8_max",
    "i8_zero",
    "i8_dirty_upper_byte",  # INT8 lanes whose ignored bits [15:8] are not the sign extension
    "i16_min",
    "i16_max",
    "i16_zero",
    "entry_min",  # table entry -131072 (all four INT16 at -32768)
    "entry_max",  # table entry 131071 (a3 = 32767, a0..a2 = -32768)
)
WRAP_BINS = ("none", "wrap_up", "wrap_down")
RESET_BINS = ("reset_idle", "reset_in_flight")


# --- floating-point covergroups (configurations that build an FP format) ------
# Which cross bins of these cannot be hit is derived in :mod:`tb.coverage.fp` from
# the formats themselves (every lane pattern decoded) and from witnesses run
# through the same classifier the collector uses.

#: Class of one FP activation lane as the hardware reads it (FP8: bits [7:0]): a
#: partition of the format's patterns. ``normal`` excludes ``max``, the largest
#: finite magnitude (the conversion's and the table adders' top of range).
FP_INPUT_BINS = ("zero", "subnormal", "normal", "max", "inf", "nan")
#: Result classes of one binary32 addition ``RNE(x + y)``; an addition is in one or
#: several. ``exact``/``inexact`` (rounding changed the value; an overflow is inexact)
#: split the additions of finite operands, ``nonfinite`` (an operand is inf or NaN:
#: the specials path) holds the others. ``tie``: the exact sum is halfway between
#: two neighbours of the binary32 grid (exponent range unbounded, so FLT_MAX + 2^103
#: is a tie that rounds to infinity); ``cancel_zero``: non-zero operands, zero sum;
#: ``overflow``: finite operands, infinite sum; ``subnormal``: a non-zero subnormal sum.
FP_RESULT_BINS = ("exact", "inexact", "tie", "cancel_zero", "overflow", "subnormal", "nonfinite")
#: Alignment distance ``d = |e_x - e_y|`` of an addition of finite operands, on the
#: biased exponent fields (1 for a zero or subnormal: its effective exponent). The
#: adder shifts the smaller significand right by ``min(d, 26)``
#: (``rtl/lut_fp32_add.sv``): every ``d >= 26`` leaves only sticky, so it is one bin.
FP_ALIGN_BINS = {
    "d0": (0, 0),
    "d1": (1, 1),
    "d2_3": (2, 3),
    "d4_7": (4, 7),
    "d8_15": (8, 15),
    "d16_23": (16, 23),
    "d24_25": (24, 25),
    "d26_up": (26, 253),
}


def fp_afmt_bins(cfg: CoreConfig) -> dict[str, int]:
    """The FP formats ``cfg`` builds, bin name -> afmt code (named like :func:`afmt_bins`)."""
    return {AFmt(f).name.lower(): int(f) for f in cfg.afmts if f in FP_AFMTS}


def fp_wbits_bins(cfg: CoreConfig) -> dict[str, int]:
    """Weight widths an OK FP LMMA can have: 1..WBitsMax (named like :func:`wbits_bins`)."""
    return {f"w{b}": b for b in range(1, cfg.W_BITS_MAX + 1)}
