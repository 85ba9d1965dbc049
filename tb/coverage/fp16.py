# SPDX-License-Identifier: Apache-2.0
"""Result classes of binary16 additions: the FP covergroups on a binary16 instance.

An instance with ``fp_acc`` FP16 or FP16_FTZ (architecture section 10, "FP16
accumulation"; section 11, "The binary16 MAC") adds in binary16, so its
``fp_acc`` and ``fp_tablegen`` bins classify binary16 additions: the same
classes (:data:`~tb.coverage.bins.FP_RESULT_BINS`) and alignment buckets as
binary32, in the same code ``d << 3 | kind`` (:mod:`tb.coverage.fp`), of the
operands the adder reads and the IEEE binary16 rounding of their sum.

Exact by construction: two binary16 values are multiples of 2^-24 below
2^16, so their sum has at most 40 + 1 significant bits and float64 holds it
exactly; numpy's float64 -> float16 conversion is the binary16 RNE rounding.
A tie is a sum exactly halfway between two binary16 neighbours (65520, halfway
between 65504 and the next step 65536, is a tie that rounds to infinity).

Flush-to-zero (``ftz``): the adder reads a subnormal operand as a zero of its
sign, so the classes are those of the flushed operands; ``subnormal`` then
counts the sums the adder flushes (their IEEE rounding is subnormal, delivered
as zero). ``tests/tb/test_coverage_fp16.py`` holds the classes to SoftFloat's
``f16_add`` and its exception flags.
"""

from __future__ import annotations

import numpy as np

from models import fp16
from models.batch import unpack_codes_batch
from models.config import TABLE_ENTRIES, CoreConfig, FpAcc, K
from tb.coverage.fp import (
    K_CANCEL,
    K_INEXACT,
    K_NONFINITE,
    K_OVF,
    K_SUBNORMAL,
    K_TIE,
    KINDS,
    N_CODES,
    FpCoverage,
    unreachable_input_bins,
)

#: The binary16 magnitude halfway between its largest finite value and 2^16: the one tie
#: above the finite range.
_OVF_TIE = 65520.0
_MIN_NORMAL16 = 2.0**-14


def add_codes16(x: np.ndarray, y: np.ndarray, ftz: bool = False) -> np.ndarray:
    """Per binary16 addition ``RNE16(x + y)``: ``d << 3 | kind`` (uint16), as
    :func:`tb.coverage.fp.add_codes` codes binary32 ones.

    ``x``, ``y``: float16 operands as the adder gets them (flushed first with
    ``ftz``); ``d``: ``|e_x - e_y|`` of their exponent fields, 1 for a zero or
    subnormal (the adder's alignment distance, 0..29).
    """
    x, y = np.asarray(x, dtype=np.float16), np.asarray(y, dtype=np.float16)
    if ftz:
        x, y = fp16.flush(x), fp16.flush(y)
    u8 = np.uint8
    with np.errstate(all="ignore"):
        X, Y = x.astype(np.float64), y.astype(np.float64)
        S = X + Y  # exact
        r = S.astype(np.float16).astype(np.float64)  # the IEEE binary16 rounding
        err = S - r
        inexact = err != 0
        inexact |= np.isinf(r)
        # tie: r + 2 err is the other neighbour exactly (as add_codes argues for binary32)
        e2 = err + err
        tie = ((r + e2).astype(np.float16).astype(np.float64) - r) == e2
        tie &= err != 0
        tie |= np.abs(S) == _OVF_TIE
        zero = S == 0
        kind = inexact.view(u8) * u8(K_INEXACT)
        kind += (tie & inexact).view(u8) * u8(K_TIE - K_INEXACT)
        kind += (np.isinf(r) & np.isfinite(S)).view(u8) * u8(K_OVF - K_INEXACT)
        kind += (zero & (x != 0)).view(u8) * u8(K_CANCEL)
        kind += (~zero & (np.abs(S) < _MIN_NORMAL16)).view(u8) * u8(K_SUBNORMAL)
        nonfinite = ~(np.isfinite(x) & np.isfinite(y))
        kind[nonfinite] = K_NONFINITE
    ex = np.maximum((x.view(np.uint16) >> 10) & 0x1F, 1).astype(np.int16)
    ey = np.maximum((y.view(np.uint16) >> 10) & 0x1F, 1).astype(np.int16)
    d = np.abs(ex - ey).astype(np.uint16)
    return (d << np.uint16(3)) | kind.astype(np.uint16)


def _to_f16(lanes: np.ndarray, af: np.ndarray, fmts: dict[str, int]) -> np.ndarray:
    """Lanes ``[G, M, 4]`` of formats ``af [G]`` -> float16 activations (exact)."""
    vals = np.zeros(lanes.shape, dtype=np.float16)
    for code in fmts.values():
        sel = af == code
        if sel.any():
            vals[sel] = fp16.to_f16(lanes[sel], code)
    return vals


def c_lanes16(c: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """C bus images ``[L, bytes]`` -> float16 ``[L, M, N]``: bits [15:0] of each lane."""
    lanes = np.ascontiguousarray(c).view("<u4").reshape(shape)
    return (lanes & 0xFFFF).astype(np.uint16).view(np.float16)


class Fp16Coverage(FpCoverage):
    """:class:`~tb.coverage.fp.FpCoverage` on a binary16 LUT Tensor Core: the tables and
    the plane additions replayed and classified in binary16 (FTZ where the instance is).

    The bank keeps float32 values (binary16 ones, exact). No ``fp_acc`` or
    ``fp_tablegen`` bin is excluded: the binary32 derivations do not apply, and
    the binary16 ones are not written yet (C is any binary16 value, so every
    accumulate class has a witness; a table class a format cannot reach shows as
    a hole).
    """

    def __init__(self, cfg: CoreConfig) -> None:
        self.ftz = cfg.fp_acc == FpAcc.FP16_FTZ
        super().__init__(cfg)

    def _unreachable(self) -> dict[str, dict[str, dict[str, str]]]:
        inp = {
            f"<{f},{c}>": why
            for f, code in self.fmts.items()
            for c, why in unreachable_input_bins(code).items()
        }
        return {"fp_input": {"cross_afmt_class": inp}} if inp else {}

    def _sample_lutgen(self, a: np.ndarray, af: np.ndarray) -> np.ndarray:
        """Input classes and the twelve binary16 additions of OK FP LUTGEN rows; their tables."""
        cfg = self.cfg
        lanes = np.ascontiguousarray(a).view("<u2").reshape(len(a), cfg.M, K)
        fi = self._bin_inputs(lanes, af)
        v = _to_f16(lanes, af, self.fmts)
        a0, a1, a2, a3 = (v[..., k] for k in range(K))
        hi = (fp16.add(a3, -a2, self.ftz), fp16.add(a3, a2, self.ftz))
        lo = (fp16.add(a1, -a0, self.ftz), fp16.add(a1, a0, self.ftz))
        xs, ys = [a3, a3, a1, a1], [-a2, a2, -a0, a0]
        for j in range(TABLE_ENTRIES):
            j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
            xs.append(hi[j2])
            ys.append(lo[j0] if j1 else -lo[1 - j0])
        x, y = np.stack(xs, axis=-1), np.stack(ys, axis=-1)
        kind = add_codes16(x, y, self.ftz) & np.uint16(7)
        hist = np.bincount(
            (fi[:, None, None] * len(KINDS) + kind).ravel(), minlength=self.tablegen.size
        )
        self.tablegen += hist.reshape(self.tablegen.shape)
        return fp16.add(x[..., 4:], y[..., 4:], self.ftz).astype(np.float32)

    def _replay_sorted(
        self,
        tables: np.ndarray,
        w: np.ndarray,
        c: np.ndarray,
        b: np.ndarray,
        af: np.ndarray,
        want_d: bool = True,
    ) -> np.ndarray | None:
        """The plane additions in binary16 (``models.fp16.lmma``'s order), binned per
        (format, b) block; D as the model's uint32 lanes."""
        cfg = self.cfg
        m, n, nw = cfg.M, cfg.N, cfg.W_BITS_MAX
        rows = len(b)
        key = self.fmt_index[af] * nw + b - 1
        planes = int(b[0])
        codes = unpack_codes_batch(w[:, : (planes * n + 1) // 2], cfg, planes)  # [L, P, N]
        tab = tables.astype(np.float16)  # [L, M, 8], exact
        acc = c_lanes16(c, (rows, m, n))
        out = acc.copy()
        starts = np.flatnonzero(np.diff(key, prepend=-1))
        ends = [*starts[1:].tolist(), rows]
        blocks = list(zip(starts.tolist(), ends, key[starts].tolist(), strict=True))
        active = np.count_nonzero(b[None, :] > np.arange(planes + 1)[:, None], axis=1)
        for p in range(planes):
            k = int(active[p])  # a prefix: rows are sorted by b
            code = codes[:k, p].astype(np.int64)  # [k, N]
            sel = np.broadcast_to((code & 7)[:, None, :], (k, m, n))
            entry = np.take_along_axis(tab[:k], sel, axis=2)
            term = fp16.term(entry, ((code >> 3) & 1).astype(bool)[:, None, :], p)
            hist = add_codes16(acc[:k], term, self.ftz).astype(np.intp)
            for r0, r1, kk in blocks:
                if r0 >= k:
                    break
                self.acc[kk] += np.bincount(hist[r0:r1].reshape(-1), minlength=N_CODES)
            s = fp16.add(acc[:k], term, self.ftz)
            done = int(active[p + 1])
            out[done:k] = s[done:]
            acc = s
        return fp16.bits16(out).astype(np.uint32).reshape(rows, -1) if want_d else None
