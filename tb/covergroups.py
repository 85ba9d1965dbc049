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

import vsc

from models.config import CoreConfig
from tb.covbins import (  # noqa: F401  (re-exported for the collector and sequences)
    DIST_BINS,
    EXTREME_BINS,
    RESET_BINS,
    STALL_BINS,
    STATUS_BINS,
    WRAP_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)


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
