# SPDX-License-Identifier: Apache-2.0
"""Floating-point coverage of the MAC core: its own additions, the same bins.

The MAC core (docs/architecture.md section 11) has no FP table generator and
no plane additions: an FP LMMA adds the four exact products of each lane in
a tree, then C (``models.fp.mac_fp_lmma``). Its covergroups are therefore:

* ``fp_input``: as on the LUT Tensor Core (the activations LUTGEN latches,
  by format and class);
* ``fp_acc``: every addition of every lane of every OK FP LMMA, the two
  pair sums ``p0 + p1``, ``p2 + p3``, the tree sum and ``C + s``, by format,
  weight width, result class and alignment distance: the same bins as the
  LUT Tensor Core's plane additions, binned by the same classifier;
* no ``fp_tablegen``: the core has no table additions.

The collector keeps each register's converted activations (the last OK FP
LUTGEN to it) and replays each FP LMMA in the contract's order, so it bins
the operands the four adders get; the replay's result is the model's D
(held equal in the tests).

Exclusions are derived as in :mod:`tb.coverage.fp`: the last addition ``C + s``
meets every value a witness of the LUT Tensor Core's plane 0 uses, since C
is any binary32 pattern and ``s`` is ``+-v`` for any format value ``v`` (one
non-zero lane, weight +-1, which every width has) or the largest sum, four
products of the largest value and weight ``2^b - 1``. That largest sum
bounds every addend, which rules out overflow below 2^103.
"""

from __future__ import annotations

import functools

import numpy as np

from models import fp, fp16
from models.batch import dequantize_batch
from models.config import TABLE_ENTRIES, CoreConfig, FpAcc, K
from tb.coverage.fp import (
    N_CODES,
    FpCoverage,
    add_codes,
    addend_reach,
    addend_witnessed,
    format_facts,
)
from tb.coverage.fp16 import Fp16Coverage, add_codes16, c_lanes16


@functools.cache
def top_sum(afmt: int, b: int) -> float:
    """The largest finite addend of the MAC core's FP additions at width ``b``:
    ``RN(RN(p + p) + RN(p + p))``, ``p = max * (2^b - 1)`` (inf if it overflows)."""
    with np.errstate(over="ignore"):
        p = np.float32(format_facts(afmt)["max"]) * np.float32((1 << b) - 1)
        return float((p + p) + (p + p))


@functools.cache
def mac_acc_reach(afmt: int, b: int) -> tuple[dict[str, str], dict[str, str]]:
    """Unreachable ``fp_acc`` (result classes, distance buckets) on the MAC core."""
    top = top_sum(afmt, b)
    what = f"the largest sum, 4 * max * (2^b-1) = {top:g},"
    return addend_reach(afmt, b, addend_witnessed(afmt, top), top, what)


class MacFpCoverage(FpCoverage):
    """:class:`~tb.coverage.fp.FpCoverage` for the MAC core: registers hold activations,
    an FP LMMA's four additions per lane are binned."""

    TABLEGEN = False

    def _acc_reach(self, afmt: int, b: int) -> tuple[dict[str, str], dict[str, str]]:
        return mac_acc_reach(afmt, b)

    def _sample_lutgen(self, a: np.ndarray, af: np.ndarray) -> np.ndarray:
        """Input classes of OK FP LUTGEN rows; the converted activations, in the bank's
        entry slots 0-3 (the register's contents on this core)."""
        cfg = self.cfg
        lanes = np.ascontiguousarray(a).view("<u2").reshape(len(a), cfg.M, K)
        self._bin_inputs(lanes, af)
        out = np.zeros((len(a), cfg.M, TABLE_ENTRIES), dtype=np.float32)
        for code in self.fmts.values():
            sel = af == code
            if sel.any():
                out[sel, :, :K] = self._convert(lanes[sel], code)
        return out

    def _convert(self, lanes: np.ndarray, afmt: int) -> np.ndarray:
        """Activation lanes as the core's registers keep them (binary32, exact)."""
        return fp.to_f32(lanes, afmt)

    def _replay_sorted(
        self,
        tables: np.ndarray,
        w: np.ndarray,
        c: np.ndarray,
        b: np.ndarray,
        af: np.ndarray,
        want_d: bool = True,
    ) -> np.ndarray | None:
        """The four additions of each lane, binned per (format, b) block; D bits."""
        cfg = self.cfg
        rows = len(b)
        key = self.fmt_index[af] * cfg.W_BITS_MAX + b - 1
        wt = dequantize_batch(w, b, cfg)  # [L, K, N]
        code, d = self._additions(tables[:, :, :K], wt, c, (rows, cfg.M, cfg.N))
        starts = np.flatnonzero(np.diff(key, prepend=-1))
        ends = [*starts[1:].tolist(), rows]
        for r0, r1, kk in zip(starts.tolist(), ends, key[starts].tolist(), strict=True):
            self.acc[kk] += np.bincount(code[r0:r1].reshape(-1), minlength=N_CODES)
        return d.reshape(rows, -1) if want_d else None

    def _additions(
        self, acts: np.ndarray, wt: np.ndarray, c: np.ndarray, shape: tuple[int, int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Result codes of each lane's four additions ``[L, 4, M, N]`` and D's bits, in
        binary32 (``models.fp.mac_fp_sums``)."""
        cc = np.ascontiguousarray(c).view("<f4").reshape(shape)
        t = fp.mac_fp_sums(acts, wt.astype(np.float32), cc)
        with np.errstate(all="ignore"):
            codes = [
                add_codes(t.p[0], t.p[1], t.s01),
                add_codes(t.p[2], t.p[3], t.s23),
                add_codes(t.s01, t.s23, t.s),
                add_codes(cc, t.s, t.d),
            ]
        return np.stack(codes, axis=1).astype(np.intp), fp.bits(t.d)


class MacFp16Coverage(MacFpCoverage):
    """:class:`MacFpCoverage` on the binary16 MAC core: registers hold the binary16
    activations (as float32, exact), the four additions of each lane are replayed
    and classified in binary16 (``models.fp16.mac_sums``, FTZ where the instance is).
    No ``fp_acc`` bin is excluded (as :class:`~tb.coverage.fp16.Fp16Coverage`)."""

    def __init__(self, cfg: CoreConfig) -> None:
        self.ftz = cfg.fp_acc == FpAcc.FP16_FTZ
        super().__init__(cfg)

    def _acc_reach(self, afmt: int, b: int) -> tuple[dict[str, str], dict[str, str]]:
        return {}, {}

    def _convert(self, lanes: np.ndarray, afmt: int) -> np.ndarray:
        """Activation lanes as the binary16 core's registers keep them (exact)."""
        return fp16.to_f16(lanes, afmt)

    def _additions(
        self, acts: np.ndarray, wt: np.ndarray, c: np.ndarray, shape: tuple[int, int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`MacFpCoverage._additions` in binary16 (``models.fp16.mac_sums``), D as
        the model's uint32 lanes."""
        cc = c_lanes16(c, shape)
        t = fp16.mac_sums(acts.astype(np.float16), wt, cc, self.ftz)
        pairs = ((t.p[0], t.p[1]), (t.p[2], t.p[3]), (t.s01, t.s23), (cc, t.s))
        code = np.stack([add_codes16(x, y, self.ftz) for x, y in pairs], axis=1).astype(np.intp)
        return code, fp16.bits16(t.d).astype(np.uint32)


def fp_coverage(cfg: CoreConfig) -> FpCoverage:
    """The FP collector of ``cfg``'s core and FP datapath (``cfg`` must build an FP format)."""
    if cfg.fp_acc != FpAcc.FP32:
        return MacFp16Coverage(cfg) if cfg.core == "mac" else Fp16Coverage(cfg)
    return MacFpCoverage(cfg) if cfg.core == "mac" else FpCoverage(cfg)
