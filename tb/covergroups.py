"""pyvsc covergroups of the LUT Tensor Core, and which cross bins cannot be hit (and why).

Bins follow the spec, not the implementation: field values are grouped the
way docs section 6 treats them (e.g. every FP/reserved ``afmt`` code is one
bin), so a bin is a behaviour, not a number.

Unreachable cross bins are derived from the golden model, not written by
hand: :func:`unreachable_instr_bins` asks ``models.core.CoreModel`` which
statuses a field combination can get (over every value of the fields the
cross does not show: ``accfmt``, ``rsvd``, table state). Everything else must
be hit by the nightly regression.
"""

from __future__ import annotations

import functools

import vsc

from models import isa
from models.config import CoreConfig, Opcode, Status
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


def afmt_bins() -> dict[str, list[int]]:
    return {"int8": [0], "int16": [1], "fp_rsvd": [2, 3], "other": list(range(4, 16))}


def treg_bins(cfg: CoreConfig) -> dict[str, list[int]]:
    bins = {f"t{i}": [i] for i in range(cfg.T)}
    if cfg.T < 16:
        bins["t_oor"] = list(range(cfg.T, 16))
    return bins


def _vsc_bins(groups: dict[str, list[int]]) -> dict:
    """Consecutive value lists -> one vsc range bin each."""
    out = {}
    for name, vals in groups.items():
        lo, hi = min(vals), max(vals)
        if vals == list(range(lo, hi + 1)):
            out[name] = vsc.bin([lo, hi])
        else:  # e.g. illegal opcodes {0, 3..15}: split into ranges
            ranges, start = [], vals[0]
            for a, b in zip(vals, vals[1:] + [None], strict=True):
                if b != a + 1:
                    ranges.append([start, a])
                    start = b
            out[name] = vsc.bin(*ranges)
    return out


def reachable_statuses(cfg: CoreConfig, op: int, wb: int, af: int, tr: int) -> set[int]:
    """Statuses the model can answer for these fields, over all other state."""
    out = set()
    for accfmt in (0, 1):
        for rsvd in (0, 1):
            for table_ok in (False, True):
                m = CoreModel(cfg)
                if table_ok and af in (0, 1) and tr < cfg.T:
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
            for af_n, af_v in afmt_bins().items():
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


@vsc.covergroup
class InstrCg:
    """Every response: opcode x wbits x afmt x treg x status, crossed."""

    def __init__(self, cfg: CoreConfig, unreachable: dict[tuple[str, ...], str]) -> None:
        self.with_sample(
            dict(
                op=vsc.uint8_t(),
                wb=vsc.uint8_t(),
                af=vsc.uint8_t(),
                tr=vsc.uint8_t(),
                st=vsc.uint8_t(),
            )
        )
        self.cp_op = vsc.coverpoint(self.op, bins=_vsc_bins(op_bins()))
        self.cp_wbits = vsc.coverpoint(self.wb, bins=_vsc_bins(wbits_bins(cfg)))
        self.cp_afmt = vsc.coverpoint(self.af, bins=_vsc_bins(afmt_bins()))
        self.cp_treg = vsc.coverpoint(self.tr, bins=_vsc_bins(treg_bins(cfg)))
        self.cp_status = vsc.coverpoint(
            self.st, bins={n: vsc.bin(v) for n, v in STATUS_BINS.items()}
        )
        self.cross_op_wbits_afmt_treg_status = vsc.cross(
            [self.cp_op, self.cp_wbits, self.cp_afmt, self.cp_treg, self.cp_status],
            ignore_bins={"unreachable": lambda *bins: tuple(b.name for b in bins) in unreachable},
        )


@vsc.covergroup
class LookupCg:
    """Per OK LMMA: which ``{neg, sel}`` codes were looked up in which bit plane."""

    def __init__(self, cfg: CoreConfig) -> None:
        self.with_sample(dict(plane=vsc.uint8_t(), code=vsc.uint8_t()))
        self.cp_plane = vsc.coverpoint(
            self.plane, bins={f"p{i}": vsc.bin(i) for i in range(cfg.W_BITS_MAX)}
        )
        self.cp_code = vsc.coverpoint(
            self.code,
            bins={f"{'neg' if c >> 3 else 'pos'}_s{c & 7}": vsc.bin(c) for c in range(16)},
        )
        self.cross_plane_code = vsc.cross([self.cp_plane, self.cp_code])


@vsc.covergroup
class HazardCg:
    """LUTGEN -> LMMA reuse: instructions between the LUTGEN and an OK LMMA of that register."""

    def __init__(self, cfg: CoreConfig) -> None:
        self.with_sample(dict(tr=vsc.uint8_t(), dist=vsc.uint32_t(), b2b=vsc.bit_t(1)))
        self.cp_treg = vsc.coverpoint(self.tr, bins={f"t{i}": vsc.bin(i) for i in range(cfg.T)})
        self.cp_dist = vsc.coverpoint(
            self.dist, bins={n: vsc.bin(list(r)) for n, r in DIST_BINS.items()}
        )
        # LMMA accepted on the clock cycle right after the LUTGEN that wrote its table
        self.cp_b2b_cycle = vsc.coverpoint(self.b2b, bins={"lutgen_lmma_b2b": vsc.bin(1)})
        self.cross_treg_dist = vsc.cross([self.cp_treg, self.cp_dist])


@vsc.covergroup
class StallCg:
    """Back-pressure stall lengths on both channels (cycles valid waited for ready)."""

    def __init__(self) -> None:
        self.with_sample(dict(stall=vsc.uint32_t(), chan=vsc.uint8_t()))
        self.cp_in_stall = vsc.coverpoint(
            self.stall,
            iff=(self.chan == 0),
            bins={n: vsc.bin(list(r)) for n, r in STALL_BINS.items()},
        )
        self.cp_out_stall = vsc.coverpoint(
            self.stall,
            iff=(self.chan == 1),
            bins={n: vsc.bin(list(r)) for n, r in STALL_BINS.items()},
        )


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


@vsc.covergroup
class ExtremesCg:
    """Activation and table-entry extremes seen by an OK LUTGEN (index into EXTREME_BINS)."""

    def __init__(self) -> None:
        self.with_sample(dict(v=vsc.uint8_t()))
        self.cp_value = vsc.coverpoint(
            self.v, bins={n: vsc.bin(i) for i, n in enumerate(EXTREME_BINS)}
        )


@vsc.covergroup
class WrapCg:
    """INT32 accumulator of an OK LMMA: no wrap, C + sum above INT32_MAX, below INT32_MIN."""

    def __init__(self) -> None:
        self.with_sample(dict(v=vsc.uint8_t()))
        self.cp_wrap = vsc.coverpoint(self.v, bins={n: vsc.bin(i) for i, n in enumerate(WRAP_BINS)})


@vsc.covergroup
class ResetCg:
    """Resets with nothing outstanding and with responses in flight."""

    def __init__(self) -> None:
        self.with_sample(dict(v=vsc.uint8_t()))
        self.cp_reset = vsc.coverpoint(
            self.v, bins={n: vsc.bin(i) for i, n in enumerate(RESET_BINS)}
        )
