# SPDX-License-Identifier: Apache-2.0
"""IEEE-754 binary32 addition for ``rtl/lut_fp32_add.sv``: bit helpers, reference, operands.

The adder's contract is ``sum = RNE(a + b)`` with full IEEE behaviour (no
flush to zero) and every NaN result delivered as :data:`QNAN`. This module

* computes the expected sums with Berkeley SoftFloat (``softfloatpy``),
  rounding mode set to near-even around the calls, every NaN result mapped
  to :data:`QNAN` (:func:`ref_add`); :func:`numpy_add` (the host's float32
  addition, RNE on x86, as the model ``models.fp`` accumulates) is the
  independent cross-check the tests run;
* makes the operand pairs: TestFloat-style corners crossed over signs and
  operand order (:func:`corner_pairs`) and a random mix of distributions
  drawn with numpy (:func:`random_pairs`);
* holds the binary32 bit helpers and special values the other blocks'
  operands (:mod:`blocks.fpops`) are built from.

The vector sets (files, cache) are :mod:`blocks.vectors`'; the harness run is
:mod:`blocks.harness`'. Operands and sums are ``uint32`` bit patterns
throughout, never floats.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import softfloatpy as sf

from models import fp

QNAN = fp.CANONICAL_NAN  #: the one NaN the adder delivers (0x7FC00000, the model's)
SIGN = 0x80000000
EXP_MASK = 0x7F800000
FRAC_MASK = 0x007FFFFF


def _u32(x: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.uint64).astype(np.uint32)


def is_nan(x: np.ndarray) -> np.ndarray:
    """Exponent all ones and a non-zero fraction, quiet or signalling, either sign."""
    x = np.asarray(x, dtype=np.uint32)
    return ((x & EXP_MASK) == EXP_MASK) & ((x & FRAC_MASK) != 0)


def canonical_nan(x: np.ndarray) -> np.ndarray:
    """Every NaN pattern replaced by :data:`QNAN`: the adder's NaN contract."""
    x = np.asarray(x, dtype=np.uint32)
    return np.where(is_nan(x), np.uint32(QNAN), x).astype(np.uint32)


# --------------------------------------------------------------------------- reference


def aligned(**arrays: Sequence[int] | np.ndarray) -> list[np.ndarray]:
    """The arrays, the first 1-D and every other of its shape; ValueError names the first
    that is not (the inputs of one vector, side by side)."""
    (first, a0), *rest = ((k, np.asarray(v)) for k, v in arrays.items())
    if a0.ndim != 1:
        raise ValueError(f"{first}: expected a 1-D array, got shape {a0.shape}")
    for name, v in rest:
        if v.shape != a0.shape:
            raise ValueError(f"{name}: shape {v.shape} differs from {first}'s {a0.shape}")
    return [a0, *(v for _, v in rest)]


def _check_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = aligned(a=a, b=b)
    for name, v in (("a", a), ("b", b)):
        if v.size and (v.min() < 0 or int(v.max()) > 0xFFFFFFFF):
            raise ValueError(f"{name}: bit patterns must lie in [0, 2^32)")
    return a.astype(np.uint32), b.astype(np.uint32)


def ref_add(
    a: np.ndarray, b: np.ndarray, rounding: sf.RoundingMode = sf.RoundingMode.NEAR_EVEN
) -> np.ndarray:
    """Binary32 sums of bit patterns by Berkeley SoftFloat, NaNs as :data:`QNAN`.

    ``rounding`` is near-even (the adder's contract) unless a negative test
    asks what a wrongly rounding adder would give (``MIN_MAG`` for the
    planted round-toward-zero bug). SoftFloat's rounding mode is global state
    of the C library, so it is set for the loop and restored after. One C
    call per pair keeps 10^6 pairs near a second; the operands cross as
    big-endian bytes, the form ``Float32.from_bytes`` takes.
    """
    if not isinstance(rounding, sf.RoundingMode):
        raise ValueError(f"rounding={rounding!r}: expected a softfloatpy.RoundingMode")
    a, b = _check_pair(a, b)
    ab = a.astype(">u4").tobytes()
    bb = b.astype(">u4").tobytes()
    out = bytearray(4 * a.size)
    frm, add = sf.Float32.from_bytes, sf.f32_add
    old = sf.get_rounding_mode()
    sf.set_rounding_mode(rounding)
    try:
        for i in range(0, 4 * a.size, 4):
            out[i : i + 4] = add(frm(ab[i : i + 4]), frm(bb[i : i + 4])).to_bytes()
    finally:
        sf.set_rounding_mode(old)
    return canonical_nan(np.frombuffer(bytes(out), dtype=">u4").astype(np.uint32))


def numpy_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The host's float32 addition (SSE on x86: RNE, no flush to zero), NaNs as :data:`QNAN`.

    This is the FP32 accumulation step of the model (``models.fp``: numpy
    float32 addition, then :func:`models.fp.bits` for the canonical NaN),
    and it is independent of SoftFloat: the tests hold :func:`ref_add` equal
    to it, so the reference is itself checked and the adder's vectors say
    what the model computes.
    """
    a, b = _check_pair(a, b)
    with np.errstate(all="ignore"):
        s = a.view(np.float32) + b.view(np.float32)
    return fp.bits(s)


# --------------------------------------------------------------------------- operands


def f32_bits(sign: int, exp: int, frac: int) -> int:
    """One bit pattern from its fields; ValueError names a field out of range."""
    for name, v, hi in (("sign", sign, 1), ("exp", exp, 0xFF), ("frac", frac, FRAC_MASK)):
        if not 0 <= v <= hi:
            raise ValueError(f"{name}={v} out of range [0, {hi}]")
    return (sign << 31) | (exp << 23) | frac


def pow2_bits(k: int) -> int:
    """+2^k as binary32 (subnormal below 2^-126); ValueError if it is not representable."""
    if not -149 <= k <= 127:
        raise ValueError(f"k={k}: 2^k is not a finite binary32 (k in [-149, 127])")
    if k >= -126:
        return (k + 127) << 23
    return 1 << (k + 149)


#: Special and boundary magnitudes (sign added by the crossing).
SPECIALS = (
    0x00000000,  # zero
    0x00000001,  # smallest subnormal
    0x00000002,
    0x00000003,
    0x00400000,  # subnormal, top fraction bit only
    0x00400001,
    0x007FFFFE,
    0x007FFFFF,  # largest subnormal
    0x00800000,  # smallest normal
    0x00800001,
    0x00FFFFFF,
    0x01000000,
    0x33800000,  # 2^-24: half an ulp of 1.0
    0x34000000,  # 2^-23: one ulp of 1.0
    0x3F7FFFFF,  # 1 - 2^-24
    0x3F800000,  # 1.0
    0x3F800001,
    0x3FC00000,  # 1.5
    0x3FFFFFFF,  # 2 - 2^-23
    0x40000000,  # 2.0
    0x4B800000,  # 2^24
    0x73000000,  # 2^103: half an ulp of the largest finite
    0x7EFFFFFF,
    0x7F000000,  # 2^127
    0x7F7FFFFE,
    0x7F7FFFFF,  # largest finite
    0x7F800000,  # infinity
    0x7F800001,  # signalling NaN, smallest payload
    0x7FBFFFFF,  # signalling NaN, largest payload
    0x7FC00000,  # quiet NaN, canonical
    0x7FC00001,  # quiet NaN with a payload
    0x7FFFFFFF,  # quiet NaN, all ones
)

_SIG_PATTERNS = (0x800000, 0x800001, 0xAAAAAA, 0xC00000, 0xFFFFFE, 0xFFFFFF)


def _f32_of(x: float) -> int:
    """The pattern of a float64 that binary32 holds exactly (checked: no rounding here)."""
    v = np.float32(x)
    if float(v) != x:
        raise ValueError(f"x={x!r} is not exactly a binary32")
    return int(np.array([v]).view(np.uint32)[0])


def cross_signs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair four times (++ +- -+ --), then each with its operands swapped."""
    a = _u32(a) & np.uint32(~SIGN & 0xFFFFFFFF)
    b = _u32(b) & np.uint32(~SIGN & 0xFFFFFFFF)
    s = np.uint32(SIGN)
    xa = np.concatenate([a, a, a | s, a | s])
    xb = np.concatenate([b, b | s, b, b | s])
    return np.concatenate([xa, xb]), np.concatenate([xb, xa])


def _normal(exp: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """Positive numbers from exponent fields and 24-bit significands (the hidden bit implied).

    An exponent field of 0 gives the subnormal (or zero) with that fraction.
    """
    return ((_u32(exp) << np.uint32(23)) | (_u32(sig) & np.uint32(FRAC_MASK))).astype(np.uint32)


def corner_pairs(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """TestFloat-style corner pairs, every family crossed over signs and operand order.

    Families: the special/boundary magnitudes against each other (zeros,
    subnormal bounds, smallest normal, largest finite, inf, quiet and
    signalling NaNs); ties to even (half an ulp on an even and an odd lsb,
    just above and below the tie, 1.5 ulp); every alignment distance 0..40
    on several significand patterns, plus subnormal small operands;
    carries into the next exponent (by the addition and by rounding);
    overflow to inf (and just below it); subnormal + subnormal; subnormal
    results of normal operands; total cancellation x + (-x). The crossing
    over signs turns every addition family into a subtraction one too.
    ``seed`` draws the few random significands of some families.
    """
    rng = np.random.default_rng(seed)
    fa: list[np.ndarray] = []
    fb: list[np.ndarray] = []

    def fam(x: Sequence[int] | np.ndarray, y: Sequence[int] | np.ndarray) -> None:
        fa.append(_u32(x))
        fb.append(_u32(y))

    # Specials against specials.
    sp = _u32(SPECIALS)
    ia, ib = np.meshgrid(np.arange(sp.size), np.arange(sp.size), indexing="ij")
    fam(sp[ia.ravel()], sp[ib.ravel()])

    # Ties and near-ties: b is half an ulp of a (the tie), the next number above and
    # below it, 3/4 ulp and 1.5 ulp (a tie one bit up). Crossed over signs, the
    # subtractions tie too; an even lsb of a stays, an odd one rounds up.
    sigs = np.array([*_SIG_PATTERNS, *(rng.integers(0, 1 << 23, 6) | (1 << 23))], dtype=np.int64)
    xs: list[int] = []
    ys: list[int] = []
    for e in (2, 3, 24, 25, 26, 27, 50, 126, 127, 128, 200, 253, 254):
        k = e - 151  # a's ulp is 2^(e-150): half an ulp is 2^k
        half = pow2_bits(k)
        near = [half, half + 1, half - 1, _f32_of(1.5 * 2.0 ** (k + 1))]
        if k > -149:  # 3/4 ulp = 1.5 * 2^k: one bit below the smallest subnormal at k = -149
            near.append(_f32_of(1.5 * 2.0**k))
        for m in sigs:
            a = int(_normal(np.array([e]), np.array([m]))[0])
            xs += [a] * len(near)
            ys += near
    fam(xs, ys)

    # Every alignment distance 0..40 (normal small operand), several significands.
    d = np.arange(41)
    ps = np.array(_SIG_PATTERNS, dtype=np.int64)
    for e_big in (41, 127, 254):
        dd, mb, ms = np.meshgrid(d, ps, ps, indexing="ij")
        fam(_normal(e_big, mb.ravel()), _normal(e_big - dd.ravel(), ms.ravel()))
        r = rng.integers(0, 1 << 23, (2, d.size)) | (1 << 23)
        fam(_normal(e_big, r[0]), _normal(e_big - d, r[1]))
    # ... and subnormal small operands below normal ones of exponent 1..41.
    e_big = np.arange(1, 42)
    for frac in (0x000001, 0x400000, 0x7FFFFF, 0x2AAAAA):
        for mb in (0x800000, 0xFFFFFF):
            fam(_normal(e_big, np.full(e_big.size, mb)), np.full(e_big.size, frac))

    # Carries into the next exponent: by the addition, by rounding (all ones + half ulp).
    e = np.array([1, 2, 23, 24, 100, 127, 253, 254])
    ones = np.full(e.size, 0xFFFFFF)
    fam(_normal(e, ones), _normal(e, ones))
    fam(_normal(e, ones), _normal(e, np.full(e.size, 0x800000)))
    fam(_normal(e, np.full(e.size, 0xC00000)), _normal(e, np.full(e.size, 0xC00000)))
    fam(_normal(e, ones), _normal(np.maximum(e - 24, 0), np.full(e.size, 0x800000)))
    fam(_normal(e, ones), _normal(np.maximum(e - 23, 0), np.full(e.size, 0x800000)))

    # Overflow: to inf, at the tie over the largest finite, and just below it.
    fam(
        [0x7F7FFFFF, 0x7F7FFFFF, 0x7F7FFFFF, 0x7F7FFFFF, 0x7F000000, 0x7F400000, 0x7F7FFFFE],
        [0x7F7FFFFF, 0x73000000, 0x72FFFFFF, 0x73000001, 0x7F000000, 0x7F400000, 0x73800000],
    )

    # Subnormal + subnormal (and a sum that becomes the smallest normal).
    r = rng.integers(0, 1 << 23, (2, 64))
    fam(r[0], r[1])
    fam(
        [0x007FFFFF, 0x00400000, 0x00000001, 0x007FFFFF],
        [0x00000001, 0x00400000, 0x00000001, 0x007FFFFF],
    )

    # Subnormal results of normal operands: close numbers at the bottom exponents.
    for e_a in (1, 2, 3):
        for e_b in (1, 2, 3):
            r = rng.integers(0, 1 << 23, (2, 16)) | (1 << 23)
            fam(_normal(e_a, r[0]), _normal(e_b, r[1]))
    fam(
        [0x00800001, 0x00800000, 0x00FFFFFF, 0x01000000],
        [0x00800000, 0x007FFFFF, 0x00800000, 0x00FFFFFF],
    )

    # Total cancellation: x against itself (crossed, x + (-x) both ways).
    r = rng.integers(0, 0x7F800000, 64)
    fam(np.concatenate([sp, r]), np.concatenate([sp, r]))

    return cross_signs(np.concatenate(fa), np.concatenate(fb))


#: The random mix: (name, share of the pairs). See :func:`random_pairs`.
RANDOM_MIX = (("uniform", 0.40), ("close", 0.30), ("cancel", 0.15), ("tiny", 0.15))


def random_pairs(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random pairs from a fixed mix of distributions, in shuffled order.

    * ``uniform``: both operands uniform over all 2^32 patterns (NaN, inf,
      subnormal in their natural share);
    * ``close``: b's exponent within +-30 of a's (finite), random fractions
      and signs: the alignment shifter and sticky at every distance;
    * ``cancel``: b = -a, a third exactly, the rest with up to 24 low bits
      of b changed: deep cancellation and the leading-zero count;
    * ``tiny``: both exponents in 0..8: subnormal operands and results.
    """
    if count < 1:
        raise ValueError(f"count={count} must be >= 1")
    rng = np.random.default_rng(seed)
    sizes = [int(count * share) for _, share in RANDOM_MIX]
    sizes[0] += count - sum(sizes)
    n_uni, n_close, n_cancel, n_tiny = sizes
    u32 = np.uint32

    def bits(n: int) -> np.ndarray:
        return rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(u32)

    def signs(n: int) -> np.ndarray:
        return (rng.integers(0, 2, n, dtype=np.uint32) << u32(31)).astype(u32)

    def fracs(n: int) -> np.ndarray:
        return bits(n) & u32(FRAC_MASK)

    ua, ub = bits(n_uni), bits(n_uni)

    ea = rng.integers(0, 255, n_close)
    eb = np.clip(ea + rng.integers(-30, 31, n_close), 0, 254)
    ca = signs(n_close) | (ea.astype(u32) << u32(23)) | fracs(n_close)
    cb = signs(n_close) | (eb.astype(u32) << u32(23)) | fracs(n_close)

    xa = signs(n_cancel) | (rng.integers(0, 255, n_cancel).astype(u32) << u32(23))
    xa |= fracs(n_cancel)
    width = rng.integers(0, 25, n_cancel).astype(u32)
    width[: n_cancel // 3] = 0
    low = bits(n_cancel) & ((u32(1) << width) - u32(1)).astype(u32)
    xb = (xa ^ u32(SIGN)) ^ low

    ta = signs(n_tiny) | (rng.integers(0, 9, n_tiny).astype(u32) << u32(23)) | fracs(n_tiny)
    tb = signs(n_tiny) | (rng.integers(0, 9, n_tiny).astype(u32) << u32(23)) | fracs(n_tiny)

    a = np.concatenate([ua, ca, xa, ta]).astype(u32)
    b = np.concatenate([ub, cb, xb, tb]).astype(u32)
    order = rng.permutation(count)
    return a[order], b[order]
