# SPDX-License-Identifier: Apache-2.0
"""The binary16 FP datapath (docs/architecture.md section 10, "FP16 accumulation"), bit-exact.

An instance with ``fp_acc = FP16`` or ``FP16_FTZ`` (``models.config.FpAcc``)
builds its tables and accumulates in IEEE binary16, as the paper's artifact
does: the same pairing, term and plane order as the binary32 contract
(``models.fp``), every addition rounded to nearest even in binary16. FP16
activations are binary16 already; FP8 E4M3 and E5M2 embed in it exactly;
BF16 does not and is not built.

numpy's element-wise float16 arithmetic is exact here: numpy adds two float16
values in binary32 and rounds the sum to binary16, and rounding to 24 bits,
then to 11, equals rounding to 11 once (24 >= 2 * 11 + 2: double rounding is
innocuous for addition); binary32 also holds every binary16 subnormal and
every such sum without overflow. ``tests/models/test_fp16.py`` holds the
model to SoftFloat's ``f16_add`` anyway.

FTZ (``ftz=True``): every addition reads a subnormal operand as a zero of
its sign and delivers a subnormal IEEE result as a zero of its sign (what
DesignWare's ``DW_fp_add`` does with ``ieee_compliance = 0``, the artifact's
adder). Infinities and NaNs are IEEE in both modes; every NaN result is the
canonical quiet NaN ``0x7E00``.

The MAC core builds the same number format (docs section 11, "the binary16
MAC"): :func:`mac_sums` and :func:`mac_lmma`, products ``RNE16(x_k * c_k)``
then the binary32 MAC's pairwise tree and C, every step in binary16.

Values travel as bit patterns: uint16 activation lanes in; C and D are the
low 16 bits of each 32-bit lane (C's upper half is ignored, D's is zero).
"""

from __future__ import annotations

import numpy as np

from models.config import FP16_ACC_AFMTS, TABLE_ENTRIES, AFmt, K
from models.fp import FP_FORMATS, MacFpSums, dequantize

CANONICAL_NAN16 = 0x7E00
#: The smallest normal binary16 magnitude, 2^-14: a nonzero finite below it is subnormal.
MIN_NORMAL16 = np.float16(2.0**-14)


def to_f16(lanes: np.ndarray, afmt: int) -> np.ndarray:
    """Activation lanes (uint16 bit patterns) -> float16, exactly; FP8 reads bits [7:0]."""
    f = AFmt(int(afmt))
    if f not in FP16_ACC_AFMTS:
        names = ", ".join(a.name for a in FP16_ACC_AFMTS)
        raise ValueError(f"afmt={f.name} has no binary16 datapath; choose one of {names}")
    dtype, nbits = FP_FORMATS[f]
    raw = np.asarray(lanes).astype(np.uint16)
    if nbits == 8:
        return (raw & 0xFF).astype(np.uint8).view(dtype).astype(np.float16)
    return raw.view(np.float16).copy()


def bits16(x: np.ndarray) -> np.ndarray:
    """float16 values -> uint16 bit patterns, every NaN as the canonical quiet NaN."""
    out = np.ascontiguousarray(x, dtype=np.float16).view(np.uint16).copy()
    out[np.isnan(x)] = CANONICAL_NAN16
    return out


def flush(x: np.ndarray) -> np.ndarray:
    """float16 values with every subnormal replaced by a zero of its sign (FTZ / DAZ)."""
    x = np.asarray(x, dtype=np.float16)
    with np.errstate(invalid="ignore"):
        sub = (x != 0) & (np.abs(x) < MIN_NORMAL16)
    return np.where(sub, np.copysign(np.float16(0), x), x).astype(np.float16)


def add(x: np.ndarray, y: np.ndarray, ftz: bool = False) -> np.ndarray:
    """``RNE(x + y)`` in binary16, element-wise; with ``ftz`` subnormals in and out are zeros."""
    x, y = np.asarray(x, dtype=np.float16), np.asarray(y, dtype=np.float16)
    if ftz:
        x, y = flush(x), flush(y)
    with np.errstate(invalid="ignore", over="ignore"):
        s = (x + y).astype(np.float16)
    return flush(s) if ftz else s


def tables(a: np.ndarray, ftz: bool = False) -> np.ndarray:
    """Activations float16 ``[..., 4]`` (a0..a3) -> the 8 binary16 entries ``[..., 8]``.

    The binary32 contract's pairing (``models.fp.fp_tables``) in binary16:
    ``hi = (a3 - a2, a3 + a2)``, ``lo = (a1 - a0, a1 + a0)``, entry
    ``j = {j2, j1, j0}`` is ``hi[j2] + lo[j0]`` for ``j1 = 1``, else
    ``hi[j2] - lo[!j0]``: three RNE additions (a subtraction adds the negation).
    """
    a = np.asarray(a, dtype=np.float16)
    a0, a1, a2, a3 = (a[..., k] for k in range(4))
    hi = (add(a3, -a2, ftz), add(a3, a2, ftz))
    lo = (add(a1, -a0, ftz), add(a1, a0, ftz))
    entries = []
    for j in range(TABLE_ENTRIES):
        j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
        entries.append(add(hi[j2], lo[j0], ftz) if j1 else add(hi[j2], -lo[1 - j0], ftz))
    return np.stack(entries, axis=-1).astype(np.float16)


def term(entry: np.ndarray, neg: np.ndarray, i: int) -> np.ndarray:
    """``(neg ? -entry : entry) * 2^i`` in binary16: exact, or a signed infinity on overflow."""
    e = np.asarray(entry, dtype=np.float16)
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.where(neg, -e, e) * np.float16(2.0**i)).astype(np.float16)


def lmma(t: np.ndarray, codes: np.ndarray, c_lanes: np.ndarray, ftz: bool = False) -> np.ndarray:
    """``D`` lanes (uint32, binary16 patterns in bits [15:0]) ``[M, N]`` of one FP16 LMMA.

    ``t``: float16 tables ``[M, 8]``; ``codes``: ``[b, N]`` 4-bit ``{neg, sel}``
    codes of planes 0..b-1; ``c_lanes``: ``[M, N]`` 32-bit lanes of C, bits
    [15:0] read as binary16. ``acc = C``, then ``acc = RNE(acc + term_i)`` for
    ``i = 0..b-1`` in that order, each addition in binary16 (FTZ if ``ftz``).
    """
    t = np.asarray(t, dtype=np.float16)
    codes = np.asarray(codes, dtype=np.int64)
    low = (np.asarray(c_lanes).astype(np.int64) & 0xFFFF).astype(np.uint16)
    acc = low.view(np.float16)
    for i in range(codes.shape[0]):
        sel, neg = codes[i] & 7, (codes[i] >> 3) & 1
        acc = add(acc, term(t[:, sel], neg.astype(bool)[None, :], i), ftz)
    return bits16(acc).astype(np.uint32)


def mul(x: np.ndarray, w: np.ndarray, ftz: bool = False) -> np.ndarray:
    """``RNE16(x * w)``: binary16 ``x`` times a small odd integer ``w`` (``|w| <= 255``).

    One rounding: the product of an 11-bit significand and an 8-bit integer has
    at most 19 significant bits and lies far inside binary32's range, so the
    float32 product is exact and its conversion to float16 (RNE, overflow to
    infinity) is the only rounding. With ``ftz`` a subnormal ``x`` reads as a
    zero of its sign; the product of a normal ``x`` and ``|w| >= 1`` is never
    subnormal, and the flush of the result that DesignWare's multiplier would
    apply is kept here only so that the model states the rule whole.
    """
    x = np.asarray(x, dtype=np.float16)
    if ftz:
        x = flush(x)
    with np.errstate(invalid="ignore", over="ignore"):
        p = (x.astype(np.float32) * np.asarray(w, dtype=np.float32)).astype(np.float16)
    return flush(p) if ftz else p


def mac_sums(acts: np.ndarray, w: np.ndarray, c: np.ndarray, ftz: bool = False) -> MacFpSums:
    """The binary16 MAC's arithmetic, element-wise, on any leading batch shape.

    ``acts`` float16 ``[..., M, 4]`` (converted exactly, :func:`to_f16`), ``w``
    the dequantized weights ``[..., 4, N]``, ``c`` float16 ``[..., M, N]``:
    ``p_k = RNE16(a_k * w_k)``, ``s01 = RNE16(p0 + p1)``, ``s23 = RNE16(p2 + p3)``,
    ``s = RNE16(s01 + s23)``, ``d = RNE16(C + s)`` (``models.fp.mac_fp_sums``'s
    order, in binary16; every step FTZ with ``ftz``).
    """
    acts = np.asarray(acts, dtype=np.float16)
    w = np.asarray(w, dtype=np.float32)
    p = [mul(acts[..., k, None], w[..., None, k, :], ftz) for k in range(K)]  # [..., M, N]
    s01, s23 = add(p[0], p[1], ftz), add(p[2], p[3], ftz)
    s = add(s01, s23, ftz)
    return MacFpSums(p, s01, s23, s, add(c, s, ftz))


def mac_lmma(
    acts: np.ndarray, codes: np.ndarray, c_lanes: np.ndarray, ftz: bool = False
) -> np.ndarray:
    """``D`` lanes (uint32, binary16 in bits [15:0]) ``[M, N]`` of one FP16 LMMA on the MAC core.

    ``acts``: float16 ``[M, 4]``; ``codes``: ``[b, N]``; ``c_lanes``: ``[M, N]``
    32-bit lanes of C, bits [15:0] read as binary16 (:func:`mac_sums`).
    """
    w = dequantize(codes)
    low = (np.asarray(c_lanes).astype(np.int64) & 0xFFFF).astype(np.uint16)
    return bits16(mac_sums(acts, w, low.view(np.float16), ftz).d).astype(np.uint32)


#: Unit roundoff of binary16 under RNE, and the smallest normal magnitude (the FTZ error unit).
U16 = 2.0**-11
MU16 = 2.0**-14


def gemm_bound(
    a_abs: np.ndarray, b: int, groups: int, ftz: bool = False, subnormals: np.ndarray | int = 0
) -> np.ndarray:
    """The rounding bound of one FP16-accumulate GEMM output (docs/verification_plan.md).

    ``D`` is ``groups`` LMMAs of ``b``-bit weights chained through C from
    C = +0 (``Kt = 4 * groups`` activations); ``a_abs`` is ``sum_k |a_k|``.
    Every activation passes ``n = b * groups + 1`` binary16 roundings (two in
    its table entry, ``b * groups - 1`` in the accumulator), so
    ``|D - sum_k a_k c_k| <= gamma_n (2^b - 1) sum_k |a_k|`` with
    ``gamma_n = n u / (1 - n u)``, ``u = 2^-11``. FTZ adds an absolute term:
    each flush errs by less than ``2^-14``, three per table entry (scaled by
    ``2^i`` in plane ``i``), one per accumulator addition, and each of the
    ``subnormals`` activations read as zero, all grown by at most ``1 + gamma_n``.
    Assumes finite results (no overflow); float64 evaluation, arrays broadcast.
    """
    n = b * groups + 1
    if n * U16 >= 1:
        raise ValueError(f"b * groups + 1 = {n} roundings: the bound needs n < 2^11")
    gamma = n * U16 / (1 - n * U16)
    w = (1 << b) - 1
    bound = gamma * w * np.asarray(a_abs, dtype=np.float64)
    if ftz:
        flushes = w * (3 * groups + np.asarray(subnormals, dtype=np.float64)) + b * groups
        bound = bound + (1 + gamma) * MU16 * flushes
    return bound
