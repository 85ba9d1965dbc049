# SPDX-License-Identifier: Apache-2.0
"""The floating-point contract, bit-exact (docs/architecture.md section 10).

Activations in FP8 E4M3, FP16, BF16 or FP8 E5M2 are converted to binary32
exactly, tables are built with the integer datapath's pairing, each plane's
term is the entry (negated by its code) times 2^i, and the accumulator adds
the planes one at a time, in plane order, each addition rounded to nearest
even. numpy's element-wise float32 arithmetic is IEEE binary32 with RNE and
no flush-to-zero, so the model is plain numpy in exactly the contract's order
(never a pairwise ``np.sum``); ``ml_dtypes`` decodes the narrow formats.
Every NaN result is delivered as the canonical quiet NaN ``0x7FC00000``.

The MAC baseline core (docs section 11) has a contract of its own for the
FP formats, :func:`mac_fp_lmma`: products of the converted activations and
the dequantized weights, then a stated order of additions.

Values travel as bit patterns (uint16 lanes in, uint32 binary32 lanes out),
as on the buses.
"""

from __future__ import annotations

from typing import NamedTuple

import ml_dtypes
import numpy as np

from models.config import TABLE_ENTRIES, AFmt, K
from models.encoding import check_bits, check_ints, decode_weights

CANONICAL_NAN = 0x7FC00000

#: FP activation formats: numpy dtype and lane bits used ([7:0] for FP8).
FP_FORMATS: dict[AFmt, tuple[type, int]] = {
    AFmt.FP8_E4M3: (ml_dtypes.float8_e4m3fn, 8),
    AFmt.FP16: (np.float16, 16),
    AFmt.BF16: (ml_dtypes.bfloat16, 16),
    AFmt.FP8_E5M2: (ml_dtypes.float8_e5m2, 8),
}


def check_fp_afmt(afmt: int) -> AFmt:
    """``afmt`` as an FP format; ValueError naming the valid ones."""
    try:
        f = AFmt(int(afmt))
    except ValueError:
        f = None
    if f not in FP_FORMATS:
        names = ", ".join(a.name for a in FP_FORMATS)
        raise ValueError(f"afmt={int(afmt)} is not a floating-point format; choose one of {names}")
    return f


def to_f32(lanes: np.ndarray, afmt: int) -> np.ndarray:
    """16-bit activation lanes (bit patterns) -> float32, exactly (FP8 reads bits [7:0])."""
    dtype, bits = FP_FORMATS[check_fp_afmt(afmt)]
    raw = np.asarray(lanes).astype(np.uint16)
    if bits == 8:
        return (raw & 0xFF).astype(np.uint8).view(dtype).astype(np.float32)
    return raw.view(dtype).astype(np.float32)


def bits(x: np.ndarray) -> np.ndarray:
    """float32 values -> uint32 bit patterns, every NaN as the canonical quiet NaN."""
    out = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).copy()
    out[np.isnan(x)] = CANONICAL_NAN
    return out


def fp_tables(a: np.ndarray) -> np.ndarray:
    """Activations float32 ``[..., 4]`` (a0..a3) -> the 8 binary32 entries ``[..., 8]``.

    ``hi[0] = a3 - a2``, ``hi[1] = a3 + a2``, ``lo[0] = a1 - a0``,
    ``lo[1] = a1 + a0``; entry ``j = {j2, j1, j0}`` is ``hi[j2] + lo[j0]`` for
    ``j1 = 1`` and ``hi[j2] - lo[!j0]`` for ``j1 = 0``: three RNE additions.
    """
    a = np.asarray(a, dtype=np.float32)
    a0, a1, a2, a3 = (a[..., k] for k in range(4))
    with np.errstate(invalid="ignore", over="ignore"):
        hi = (a3 - a2, a3 + a2)
        lo = (a1 - a0, a1 + a0)
        entries = []
        for j in range(TABLE_ENTRIES):
            j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
            entries.append(hi[j2] + lo[j0] if j1 else hi[j2] - lo[1 - j0])
    return np.stack(entries, axis=-1).astype(np.float32)


def fp_lmma(tables: np.ndarray, codes: np.ndarray, c_bits: np.ndarray) -> np.ndarray:
    """``D`` bit patterns ``[M, N]`` of one FP LMMA.

    ``tables``: float32 ``[M, 8]``; ``codes``: ``[b, N]`` 4-bit ``{neg, sel}``
    codes of planes 0..b-1; ``c_bits``: uint32 ``[M, N]`` binary32 patterns of C.
    ``acc = C``, then ``acc = RNE(acc + (neg ? -entry : entry) * 2^i)`` for
    ``i = 0..b-1`` in that order.
    """
    tables = np.asarray(tables, dtype=np.float32)
    codes = np.asarray(codes, dtype=np.int64)
    acc = np.ascontiguousarray(c_bits, dtype=np.uint32).view(np.float32).copy()
    with np.errstate(invalid="ignore", over="ignore"):
        for i in range(codes.shape[0]):
            sel, neg = codes[i] & 7, (codes[i] >> 3) & 1
            entry = tables[:, sel]  # [M, N]
            term = np.where(neg.astype(bool)[None, :], -entry, entry) * np.float32(2.0**i)
            acc = acc + term
    return bits(acc)


def dequantize(codes: np.ndarray) -> np.ndarray:
    """Codes ``[b, N]`` of one group -> the signed weights int64 ``[K, N]``.

    ``w = 2q - (2^b - 1)``: the symmetric form the codes encode (docs section
    3), odd, in ``[-(2^b - 1), 2^b - 1]``; the MAC core's column dequantizers.
    """
    codes = check_ints(codes, "codes", 0, 15, shape=(None, None))
    b = check_bits(codes.shape[0], name="b (codes.shape[0])")
    return 2 * decode_weights(codes[:, None, :]) - ((1 << b) - 1)


class MacFpSums(NamedTuple):
    """Every value the MAC core's FP datapath forms for a lane: products and sums."""

    p: list[np.ndarray]  #: the four products ``a_k * w_k``
    s01: np.ndarray  #: ``RNE(p0 + p1)``
    s23: np.ndarray  #: ``RNE(p2 + p3)``
    s: np.ndarray  #: ``RNE(s01 + s23)``
    d: np.ndarray  #: ``RNE(C + s)``


def mac_fp_sums(acts: np.ndarray, w: np.ndarray, c: np.ndarray) -> MacFpSums:
    """The contract's arithmetic, element-wise in float32, on any leading batch shape.

    ``acts`` float32 ``[..., M, 4]``, ``w`` float32 ``[..., 4, N]`` (the
    dequantized weights, exact), ``c`` float32 ``[..., M, N]``. One place for
    the order of the additions: :func:`mac_fp_lmma`, the batched model and the
    MAC core's FP coverage (which bins every addition) all call it.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        p = [acts[..., k, None] * w[..., None, k, :] for k in range(K)]  # [..., M, N]
        s01, s23 = p[0] + p[1], p[2] + p[3]
        s = s01 + s23
        return MacFpSums(p, s01, s23, s, c + s)


def mac_fp_lmma(acts: np.ndarray, codes: np.ndarray, c_bits: np.ndarray) -> np.ndarray:
    """``D`` bit patterns ``[M, N]`` of one FP LMMA on the MAC core (docs section 11).

    ``acts``: float32 ``[M, 4]``, the activations converted exactly (:func:`to_f32`);
    ``codes``: ``[b, N]``; ``c_bits``: uint32 ``[M, N]``. With ``w`` the
    dequantized weights (:func:`dequantize`), ``p_k = a_k * w_k`` is exact or a
    signed infinity (at most 11 x 8 significant bits; only a BF16 activation
    can overflow), and ``D = RNE(C + RNE(RNE(p0 + p1) + RNE(p2 + p3)))``:
    a pairwise tree, then C, each addition rounded to nearest even.
    """
    acts = np.asarray(acts, dtype=np.float32)
    w = dequantize(codes).astype(np.float32)  # exact: |w| <= 255
    c = np.ascontiguousarray(c_bits, dtype=np.uint32).view(np.float32)
    return bits(mac_fp_sums(acts, w, c).d)
