# SPDX-License-Identifier: Apache-2.0
"""IEEE binary16 addition and scaling: the binary16 adders (``rtl/lut_fp32_add.sv`` with ExpW = 5,
FracW = 10), units ``fpadd16`` (IEEE) and ``fpadd16z`` (FTZ), and the binary16 scaler
(``rtl/lut_fp32_pow2.sv``, same widths), unit ``fpow2h``: references and operands.

* :func:`ref_add16` computes the expected sums with Berkeley SoftFloat's
  ``f16_add`` (rounding near-even unless a negative test asks for another
  mode), every NaN as :data:`QNAN16`; with ``ftz`` the operands and the sum
  are flushed around the call (a subnormal as a zero of its sign), the
  contract of ``Ftz = 1``. :func:`model_add16` is the model's binary16
  addition (``models.fp16.add``, numpy), the independent cross-check.
* :func:`corner_pairs16`: every pair of a set of boundary magnitudes (three
  fractions at every exponent, so every alignment distance, ties and
  near-ties, subnormals, overflow, infinities and NaNs), crossed over signs.
* :func:`random_pairs16`: a seeded mix of distributions.
* :func:`ref_pow2h` and :func:`pow2h_inputs`: the scaler's reference (the model's
  plane term) and inputs (every pattern at every shift).
* :func:`ref_fmul16` and :func:`fmul16_inputs`: the binary16 MAC's product
  (``rtl/mac_fp_mul.sv`` at ExpW = 5, FracW = 10), units ``fmul16`` (IEEE) and
  ``fmul16z`` (FTZ): the model's ``models.fp16.mul``, every pattern against
  odd weight magnitudes up to 255.

Patterns travel as ``uint32`` words holding the binary16 pattern in bits
[15:0], the form of the harness's vector files.
"""

from __future__ import annotations

import numpy as np
import softfloatpy as sf

from blocks.fpadd import aligned
from models import fp16

QNAN16 = fp16.CANONICAL_NAN16  #: the one NaN the binary16 adder delivers (0x7E00)
SIGN16 = 0x8000
EXP16 = 0x7C00
FRAC16 = 0x03FF


def _check16(name: str, v: np.ndarray) -> np.ndarray:
    if v.size and (v.min() < 0 or int(v.max()) > 0xFFFF):
        raise ValueError(f"{name}: binary16 patterns must lie in [0, 2^16)")
    return v.astype(np.uint16)


def flush16(x: np.ndarray) -> np.ndarray:
    """Subnormal patterns as the zero of their sign (FTZ's reading and result)."""
    x = np.asarray(x, dtype=np.uint16)
    sub = ((x & EXP16) == 0) & ((x & FRAC16) != 0)
    return np.where(sub, x & np.uint16(SIGN16), x).astype(np.uint16)


def ref_add16(
    a: np.ndarray,
    b: np.ndarray,
    ftz: bool = False,
    rounding: sf.RoundingMode = sf.RoundingMode.NEAR_EVEN,
) -> np.ndarray:
    """Binary16 sums of bit patterns by SoftFloat (uint32 words), NaNs as :data:`QNAN16`.

    SoftFloat's rounding mode is global state: set for the loop, restored after.
    """
    if not isinstance(rounding, sf.RoundingMode):
        raise ValueError(f"rounding={rounding!r}: expected a softfloatpy.RoundingMode")
    a, b = aligned(a=a, b=b)
    a, b = _check16("a", a), _check16("b", b)
    if ftz:
        a, b = flush16(a), flush16(b)
    ab, bb = a.astype(">u2").tobytes(), b.astype(">u2").tobytes()
    out = bytearray(2 * a.size)
    frm, add = sf.Float16.from_bytes, sf.f16_add
    old = sf.get_rounding_mode()
    sf.set_rounding_mode(rounding)
    try:
        for i in range(0, 2 * a.size, 2):
            out[i : i + 2] = add(frm(ab[i : i + 2]), frm(bb[i : i + 2])).to_bytes()
    finally:
        sf.set_rounding_mode(old)
    s = np.frombuffer(bytes(out), dtype=">u2").astype(np.uint16)
    s = np.where(((s & EXP16) == EXP16) & ((s & FRAC16) != 0), np.uint16(QNAN16), s)
    return (flush16(s) if ftz else s).astype(np.uint32)


def model_add16(a: np.ndarray, b: np.ndarray, ftz: bool = False) -> np.ndarray:
    """The model's binary16 addition (``models.fp16.add``: numpy), as uint32 words."""
    a, b = aligned(a=a, b=b)
    a, b = _check16("a", a), _check16("b", b)
    s = fp16.add(a.view(np.float16), b.view(np.float16), ftz)
    return fp16.bits16(s).astype(np.uint32)


#: Fractions at every exponent: zero (even lsb, half an ulp of the next binades up),
#: one (odd lsb, just above a tie) and all ones (odd, just below the next power of two).
CORNER_FRACS = (0x000, 0x001, 0x3FF)
#: Further magnitudes: the top fraction bit alone (quiet NaN, half-way subnormal), an
#: alternating pattern, near the largest finite and 1.0.
CORNER_EXTRA = (0x0200, 0x0155, 0x02AA, 0x0201, 0x3C01, 0x7BFE, 0x7E00, 0x7E01, 0x7DFF)


def corner_pairs16() -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of the corner magnitudes, crossed over the four sign pairs.

    Three fractions at each of the 32 exponents give every alignment distance
    0..29 both ways, ties to even on even and odd lsbs (half an ulp is a
    power of two a binade group below), the next values on either side of a
    tie, carries out of all-ones significands, subnormal operands and
    results, overflow past 65504, infinities, signalling and quiet NaNs, and
    with the signs crossed every subtraction and total cancellation.
    """
    mags = np.array(
        sorted({(e << 10) | f for e in range(32) for f in CORNER_FRACS} | set(CORNER_EXTRA)),
        dtype=np.uint32,
    )
    ia, ib = np.meshgrid(np.arange(mags.size), np.arange(mags.size), indexing="ij")
    a, b = mags[ia.ravel()], mags[ib.ravel()]
    s = np.uint32(SIGN16)
    return np.concatenate([a, a, a | s, a | s]), np.concatenate([b, b | s, b, b | s])


def random_pairs16(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random pairs: a quarter each of uniform patterns, close exponents
    (within +-12: the alignment shifter and sticky), cancellation (b = -a with a few
    low bits changed) and tiny operands (exponent field 0..2: subnormals)."""
    if count < 1:
        raise ValueError(f"count={count} must be >= 1")
    rng = np.random.default_rng(seed)
    q = count // 4
    sizes = (count - 3 * q, q, q, q)

    def pat(n: int) -> np.ndarray:
        return rng.integers(0, 1 << 16, n).astype(np.uint32)

    uni = (pat(sizes[0]), pat(sizes[0]))
    ea = rng.integers(0, 31, sizes[1])
    eb = np.clip(ea + rng.integers(-12, 13, sizes[1]), 0, 30)
    close = (
        (pat(sizes[1]) & 0x83FF) | (ea << 10).astype(np.uint32),
        (pat(sizes[1]) & 0x83FF) | (eb << 10).astype(np.uint32),
    )
    x = pat(sizes[2]) & 0xFBFF  # finite: exponent field below 31
    cancel = (x, (x ^ SIGN16) ^ (pat(sizes[2]) & rng.choice([0, 1, 7, 0xFF], sizes[2])))
    tiny = (pat(sizes[3]) & 0x8BFF, pat(sizes[3]) & 0x8BFF)  # exponent fields 0..2
    a = np.concatenate([uni[0], close[0], cancel[0], tiny[0]]).astype(np.uint32)
    b = np.concatenate([uni[1], close[1], cancel[1], tiny[1]]).astype(np.uint32)
    order = rng.permutation(count)
    return a[order], b[order]


# --------------------------------------------------------------------------- the scaler


def ref_pow2h(x: np.ndarray, neg: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``(neg ? -x : x) * 2^shift`` of binary16 patterns by the model (``models.fp16.term``),
    as uint32 words, NaNs as :data:`QNAN16`; the tests hold it to SoftFloat ``f16_mul``."""
    x, neg, shift = aligned(x=x, neg=neg, shift=shift)
    x = _check16("x", x)
    out = np.empty(x.size, dtype=np.uint16)
    for i in np.unique(shift).tolist():
        sel = shift == i
        out[sel] = fp16.bits16(fp16.term(x[sel].view(np.float16), neg[sel].astype(bool), i))
    return out.astype(np.uint32)


def pow2h_inputs(kind: str, seed: int, max_shift: int = 7) -> tuple[np.ndarray, ...]:
    """(x, neg, shift): ``exhaustive``, every binary16 pattern at every shift 0..max_shift
    with both negations; ``sample``, every pattern once, shift and negation drawn."""
    pats = np.arange(1 << 16, dtype=np.uint32)
    if kind == "exhaustive":
        x = np.tile(pats, 2 * (max_shift + 1))
        shift = np.repeat(np.arange(max_shift + 1, dtype=np.uint32), 2 << 16)
        neg = np.tile(np.repeat(np.array([0, 1], dtype=np.uint32), 1 << 16), max_shift + 1)
        return x, neg, shift
    rng = np.random.default_rng(seed)
    shift = rng.integers(0, max_shift + 1, pats.size).astype(np.uint32)
    return pats, rng.integers(0, 2, pats.size).astype(np.uint32), shift


# --------------------------------------------------------------------------- the multiplier

#: Magnitudes every pattern also meets in the multiplier's sample: the extremes and
#: the ones whose products round most often (wide odd integers).
FMUL16_MAGS = (1, 3, 129, 253, 255)


def ref_fmul16(x: np.ndarray, neg: np.ndarray, mag: np.ndarray, ftz: bool = False) -> np.ndarray:
    """``RNE16(x * (neg ? -mag : mag))`` of binary16 patterns by the model (``models.fp16.mul``),
    as uint32 words, NaNs as :data:`QNAN16`; the tests hold it to SoftFloat ``f16_mul``."""
    x, neg, mag = aligned(x=x, neg=neg, mag=mag)
    x = _check16("x", x)
    if mag.size and (mag.min() < 1 or mag.max() > 255 or not (mag & 1).all()):
        raise ValueError("mag: values must be odd, in [1, 255]")
    w = np.where(neg.astype(bool), -mag.astype(np.int64), mag.astype(np.int64))
    return fp16.bits16(fp16.mul(x.view(np.float16), w, ftz)).astype(np.uint32)


def fmul16_inputs(kind: str, count: int = 0, seed: int = 1) -> tuple[np.ndarray, ...]:
    """(x, neg, mag): ``sample``, every binary16 pattern with a random odd magnitude and
    once with each of :data:`FMUL16_MAGS`; ``random``, ``count`` random patterns and
    magnitudes. Signs drawn."""
    rng = np.random.default_rng(seed)
    if kind == "sample":
        pats = np.arange(1 << 16, dtype=np.uint32)
        x = np.tile(pats, 1 + len(FMUL16_MAGS))
        mag = np.concatenate(
            [2 * rng.integers(0, 128, pats.size) + 1] + [np.full(pats.size, m) for m in FMUL16_MAGS]
        )
    elif kind == "random":
        if count < 1:
            raise ValueError(f"count={count} must be >= 1")
        x = rng.integers(0, 1 << 16, count).astype(np.uint32)
        mag = 2 * rng.integers(0, 128, count) + 1
    else:
        raise ValueError(f"kind={kind!r} unknown; choose one of ('sample', 'random')")
    neg = rng.integers(0, 2, x.size).astype(np.uint32)
    return x, neg, mag.astype(np.int64)
