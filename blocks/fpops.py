# SPDX-License-Identifier: Apache-2.0
"""The FP conversion, scaling and multiplication blocks: references and inputs.

Three combinational units of the FP datapaths (docs/architecture.md section 10):

* ``rtl/lut_fp_to_f32.sv`` (unit ``fcvt``): an activation lane in FP8 E4M3,
  FP16, BF16 or FP8 E5M2 to its exact binary32 value. The reference is the
  model itself (:func:`models.fp.to_f32` then :func:`models.fp.bits`), and 0
  for every other ``afmt`` code (:func:`ref_convert`).
* ``rtl/lut_fp32_pow2.sv`` (unit ``fpow2``): ``(neg ? -x : x) * 2^shift``.
  The reference is numpy float32 multiplication by ``2.0**shift``, as the
  model weights a plane, then :func:`models.fp.bits` (:func:`ref_pow2`).
* ``rtl/mac_fp_mul.sv`` (unit ``fmul``): the MAC core's product of a
  converted activation and a signed odd weight, ``x * (neg ? -mag : mag)``.
  The reference is numpy float32 multiplication, as
  :func:`models.fp.mac_fp_lmma` computes it (:func:`ref_fmul`).

The tests hold the references to Berkeley SoftFloat as well. This module
makes the inputs (exhaustive lanes, corner and random scaler and multiplier
operands) and predicts what each planted bug answers; the vector sets (three
32-bit words per vector: two inputs and the expected binary32 pattern) are
:mod:`blocks.vectors`'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from blocks import fpadd
from blocks.units import DEFAULT_MAX_SHIFT, FMUL_MAG_W, UNITS
from models import fp
from models.config import AFmt

QNAN = fp.CANONICAL_NAN
SIGN = fpadd.SIGN
#: afmt codes the converter treats as "not FP" in the vector sets (it outputs 0).
NON_FP_AFMTS = (int(AFmt.INT8), int(AFmt.INT16), 6, 15)
#: Bit of the scaler's and the multiplier's control word (vector word 1) that carries ``neg``.
NEG_BIT = 8


def _u32(x: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.uint64).astype(np.uint32)


# --------------------------------------------------------------------------- conversion


def lane_sign_bit(afmt: int) -> int:
    """Bit of the lane that holds the sign: 7 for FP8, 15 for the 16-bit formats."""
    return 7 if fp.FP_FORMATS[fp.check_fp_afmt(afmt)][1] == 8 else 15


def lane_is_subnormal(lanes: np.ndarray, afmt: int) -> np.ndarray:
    """Exponent field zero and a non-zero mantissa, in the format's own fields."""
    f = fp.check_fp_afmt(afmt)
    man_bits = {AFmt.FP8_E4M3: 3, AFmt.FP16: 10, AFmt.BF16: 7, AFmt.FP8_E5M2: 2}[f]
    width = fp.FP_FORMATS[f][1]
    raw = np.asarray(lanes).astype(np.uint32) & np.uint32((1 << width) - 1)
    mag = raw & np.uint32((1 << (width - 1)) - 1)
    return (mag != 0) & ((mag >> np.uint32(man_bits)) == 0)


def ref_convert(lanes: np.ndarray, afmts: np.ndarray) -> np.ndarray:
    """Expected ``f32_o`` per (lane, afmt): the model's binary32 bits, 0 for a non-FP code."""
    lanes, afmts = fpadd.aligned(lanes=lanes, afmts=afmts)
    if lanes.size and (lanes.min() < 0 or int(lanes.max()) > 0xFFFF):
        raise ValueError("lanes: patterns must lie in [0, 2^16)")
    out = np.zeros(lanes.shape, dtype=np.uint32)
    for f in fp.FP_FORMATS:
        sel = afmts == int(f)
        if sel.any():
            out[sel] = fp.bits(fp.to_f32(lanes[sel], int(f)))
    return out


def convert_bug_prediction(lanes: np.ndarray, afmts: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``f32_o`` of the converter built with ``LUT_TC_BUG_FP_SUBNORMAL_IN`` (its header)."""
    out = np.asarray(s, dtype=np.uint32).copy()
    lanes = np.asarray(lanes).astype(np.uint32)
    for f in fp.FP_FORMATS:
        sel = (afmts == int(f)) & lane_is_subnormal(lanes, int(f))
        sign = (lanes[sel] >> np.uint32(lane_sign_bit(int(f)))) & np.uint32(1)
        out[sel] = sign << np.uint32(31)
    return out


def convert_inputs(kind: str, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(lanes, afmts) of a conversion vector set.

    ``exhaustive``: every 16-bit lane for each of the four FP formats (so
    the FP8 formats see every low byte under all 256 upper bytes: junk
    there must be ignored), then 1024 lanes (every 64th pattern) for each
    code of :data:`NON_FP_AFMTS`. ``sample`` (Icarus-sized): every FP8 low
    byte under four upper bytes; for FP16 and BF16 every pattern whose
    exponent field is zero or all ones (subnormals, zeros, infinities,
    NaNs), the two exponents next to them and 2048 random others; 64 lanes
    per non-FP code.
    """
    rng = np.random.default_rng(seed)
    all16 = np.arange(1 << 16, dtype=np.uint32)
    lanes: list[np.ndarray] = []
    afmts: list[np.ndarray] = []

    def add(x: np.ndarray, afmt: int) -> None:
        lanes.append(_u32(x))
        afmts.append(np.full(len(x), afmt, dtype=np.uint32))

    if kind == "exhaustive":
        for f in fp.FP_FORMATS:
            add(all16, int(f))
        for a in NON_FP_AFMTS:
            add(all16[::64], a)
    elif kind == "sample":
        low = np.arange(256, dtype=np.uint32)
        for f in (AFmt.FP8_E4M3, AFmt.FP8_E5M2):
            add(np.concatenate([low | np.uint32(u << 8) for u in (0x00, 0x5A, 0xA5, 0xFF)]), int(f))
        for f, man_bits in ((AFmt.FP16, 10), (AFmt.BF16, 7)):
            e = (all16 >> np.uint32(man_bits)) & np.uint32((1 << (15 - man_bits)) - 1)
            emax = (1 << (15 - man_bits)) - 1
            edge = np.isin(e, (0, 1, emax - 1, emax))
            add(np.concatenate([all16[edge], rng.choice(all16[~edge], 2048)]), int(f))
        for a in NON_FP_AFMTS:
            add(rng.integers(0, 1 << 16, 64), a)
    else:
        raise ValueError(f"kind={kind!r} unknown; choose one of {UNITS['fcvt'].kinds}")
    return np.concatenate(lanes), np.concatenate(afmts)


# --------------------------------------------------------------------------- scaling


def check_max_shift(max_shift: int) -> int:
    """``max_shift`` if the vectors can check it (1..127); ValueError otherwise.

    2^127 is the largest power of two binary32 holds, so the reference's
    scale factor is exact only up to there.
    """
    if not 1 <= max_shift <= 127:
        raise ValueError(f"max_shift={max_shift} out of range [1, 127]")
    return max_shift


def _check_pow2_args(x: np.ndarray, neg: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, ...]:
    x, neg, shift = fpadd.aligned(x=x, neg=neg, shift=shift)
    if neg.size and (neg.min() < 0 or neg.max() > 1):
        raise ValueError("neg: values must be 0 or 1")
    if shift.size and (shift.min() < 0 or shift.max() > 127):
        raise ValueError("shift: values must lie in [0, 127]")
    return x.astype(np.uint32), neg.astype(np.uint32), shift.astype(np.int64)


def ref_pow2(x: np.ndarray, neg: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``(neg ? -x : x) * 2^shift`` by numpy float32 (the model's plane weighting), NaNs canonical.

    The negation flips the sign bit (numpy's float negation does exactly
    that, NaNs included); the product by the exact float32 ``2.0**shift`` is
    one IEEE multiplication, exact unless it overflows to infinity.
    """
    x, neg, shift = _check_pow2_args(x, neg, shift)
    v = x.view(np.float32)
    v = np.where(neg.astype(bool), -v, v)
    scale = np.ldexp(np.float32(1.0), shift.astype(np.int32)).astype(np.float32)
    with np.errstate(all="ignore"):
        return fp.bits((v * scale).astype(np.float32))


def pow2_bug_prediction(x: np.ndarray, neg: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``y_o`` of the scaler built with ``LUT_TC_BUG_FP_POW2_FTZ``: subnormal x gives a signed 0."""
    x = _u32(x)
    sub = ((x & np.uint32(fpadd.EXP_MASK)) == 0) & ((x & np.uint32(fpadd.FRAC_MASK)) != 0)
    zero = (x & np.uint32(SIGN)) ^ (_u32(neg) << np.uint32(31))
    return np.where(sub, zero, np.asarray(s, dtype=np.uint32)).astype(np.uint32)


def pow2_corner_magnitudes(max_shift: int = DEFAULT_MAX_SHIFT) -> np.ndarray:
    """Positive corner operands of the scaler (signs, ``neg`` and shifts added by the crossing).

    The adder's specials (zeros, subnormal bounds, smallest normal, largest
    finite, inf, every NaN kind), a subnormal with its leading one at every
    position (alone, with the lowest bit, all ones below), and at every
    exponent near the top the largest finite value and its next power of two
    (``2^(128-s)`` overflows at shift ``s``; the all-ones fraction one
    exponent lower is the largest that does not).
    """
    check_max_shift(max_shift)
    mags = list(fpadd.SPECIALS)
    for k in range(23):
        mags += [1 << k, (1 << k) | 1, (2 << k) - 1]
    for s in range(max_shift + 2):
        e = 254 - s
        if e >= 1:
            mags += [(e << 23) | fpadd.FRAC_MASK, ((e + 1) << 23) if e + 1 <= 254 else 0, e << 23]
    return np.unique(_u32(mags))


def pow2_corners(max_shift: int = DEFAULT_MAX_SHIFT) -> tuple[np.ndarray, ...]:
    """(x, neg, shift): every corner magnitude, both signs, both ``neg``, every shift."""
    m = pow2_corner_magnitudes(max_shift)
    x = np.concatenate([m, m | np.uint32(SIGN)])
    xx, nn, ss = np.meshgrid(x, np.arange(2), np.arange(max_shift + 1), indexing="ij")
    return xx.ravel().astype(np.uint32), nn.ravel().astype(np.uint32), ss.ravel()


def pow2_random(
    count: int, seed: int, max_shift: int = DEFAULT_MAX_SHIFT
) -> tuple[np.ndarray, ...]:
    """``count`` random (x, neg, shift): half uniform patterns, a quarter with exponent fields
    0..2 (subnormals crossing into the normal range), a quarter with 240..255 (overflow)."""
    if count < 1:
        raise ValueError(f"count={count} must be >= 1")
    check_max_shift(max_shift)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1 << 32, count, dtype=np.uint64).astype(np.uint32)
    q = count // 4
    low = rng.integers(0, 3, q).astype(np.uint32) << np.uint32(23)
    high = rng.integers(240, 256, q).astype(np.uint32) << np.uint32(23)
    keep = np.uint32(SIGN | fpadd.FRAC_MASK)
    x[:q] = (x[:q] & keep) | low
    x[q : 2 * q] = (x[q : 2 * q] & keep) | high
    neg = rng.integers(0, 2, count).astype(np.uint32)
    shift = rng.integers(0, max_shift + 1, count)
    order = rng.permutation(count)
    return x[order], neg[order], shift[order]


def pow2_control(neg: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Vector word 1 of the scaler's harness: ``neg`` at :data:`NEG_BIT`, the shift below
    (the multiplier's harness: the magnitude below)."""
    return ((_u32(neg) << np.uint32(NEG_BIT)) | _u32(shift)).astype(np.uint32)


# --------------------------------------------------------------------------- multiplication


def ref_fmul(x: np.ndarray, neg: np.ndarray, mag: np.ndarray) -> np.ndarray:
    """``x * (neg ? -mag : mag)`` by numpy float32 (the MAC model's product), NaNs canonical.

    ``x``: binary32 patterns of converted activations; ``mag``: odd, below
    ``2^FMUL_MAG_W``. One IEEE multiplication by an exact float32 integer.
    """
    x, neg, mag = fpadd.aligned(x=x, neg=neg, mag=mag)
    if neg.size and (neg.min() < 0 or neg.max() > 1):
        raise ValueError("neg: values must be 0 or 1")
    if mag.size and (mag.min() < 1 or mag.max() >= 1 << FMUL_MAG_W or not (mag & 1).all()):
        raise ValueError(f"mag: values must be odd, in [1, {(1 << FMUL_MAG_W) - 1}]")
    w = np.where(neg.astype(bool), -mag.astype(np.int64), mag.astype(np.int64))
    with np.errstate(all="ignore"):
        return fp.bits(_u32(x).view(np.float32) * w.astype(np.float32))


def fmul_inputs(kind: str, count: int = 0, seed: int = 1) -> tuple[np.ndarray, ...]:
    """(x, neg, mag) of a multiplier vector set; every x is a converted activation.

    ``corners``: every value of both FP8 formats and every FP16 and BF16
    pattern whose exponent field is zero, one, or next to or at all ones
    (subnormals, zeros, the largest values, infinities, NaNs), each times
    magnitudes 1, 3 and 2^8 - 1 and two random odd ones, ``neg`` random.
    ``random``: ``count`` lanes of random formats and patterns, random odd
    magnitudes and signs.
    """
    rng = np.random.default_rng(seed)
    if kind == "corners":
        all16 = np.arange(1 << 16, dtype=np.uint32)
        lanes, afmts = [], []
        for f in (AFmt.FP8_E4M3, AFmt.FP8_E5M2):
            lanes.append(np.arange(256, dtype=np.uint32))
            afmts.append(np.full(256, int(f)))
        for f, man_bits in ((AFmt.FP16, 10), (AFmt.BF16, 7)):
            e = (all16 >> np.uint32(man_bits)) & np.uint32((1 << (15 - man_bits)) - 1)
            emax = (1 << (15 - man_bits)) - 1
            edge = all16[np.isin(e, (0, 1, emax - 1, emax))]
            lanes.append(edge)
            afmts.append(np.full(edge.size, int(f)))
        x0 = ref_convert(np.concatenate(lanes), np.concatenate(afmts))
        top = (1 << FMUL_MAG_W) - 1
        mags = [np.full(x0.size, m) for m in (1, 3, top)]
        mags += [2 * rng.integers(0, 1 << (FMUL_MAG_W - 1), x0.size) + 1 for _ in range(2)]
        x = np.tile(x0, len(mags))
        mag = np.concatenate(mags)
    elif kind == "random":
        if count < 1:
            raise ValueError(f"count={count} must be >= 1")
        afmts = rng.choice([int(f) for f in fp.FP_FORMATS], count)
        x = ref_convert(rng.integers(0, 1 << 16, count), afmts)
        mag = 2 * rng.integers(0, 1 << (FMUL_MAG_W - 1), count) + 1
    else:
        raise ValueError(f"kind={kind!r} unknown; choose one of {UNITS['fmul'].kinds}")
    neg = rng.integers(0, 2, x.size).astype(np.uint32)
    return _u32(x), neg, mag.astype(np.int64)
