# SPDX-License-Identifier: Apache-2.0
"""Floating-point payload values: activation lanes and binary32 C lanes, many rows per call.

Values are bit patterns, as on the buses: 16-bit activation lanes (FP8 in
bits [7:0]) and 32-bit C lanes. Each *mode* aims at one part of the FP
contract (docs/architecture.md section 10). Rounding to a format is done by
numpy / ``ml_dtypes`` casts, and the special patterns of a format (NaNs,
infinities, the normal/subnormal border) are found by decoding every pattern
of the format once; the only pattern arithmetic left is the sign bit and
stepping a finite magnitude by a few ulps (pattern +- k), which no cast does.

FP draws use their own generator, :func:`fp_rng`, derived from the caller's
generator *without drawing from it*: the caller's generator makes the same
draws whatever FP values a stream asks for, and an integer-only stream is
the same as before FP existed.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from models.config import AFmt, K
from models.fp import FP_FORMATS

#: Activation modes of an FP LUTGEN (per format):
#: ``uniform`` every bit pattern equally likely (NaN/inf/subnormal at their natural rate);
#: ``llm`` N(0, sigma) rounded to the format, with 1 % outliers at 20-100 sigma;
#: ``subnormal`` mostly subnormals, plus zeros of both signs and the normal/subnormal border;
#: ``specials`` zeros, max finite, inf, NaNs of several payloads, smallest normal/subnormal;
#: ``cancel`` a3 = +-a2 and a1 = +-a0 up to a few ulps, so table entries cancel;
#: ``extreme`` the ends of the format's range: half the lanes its smallest subnormals
#: (1..3 ulps), a quarter max finite (down to 3 ulps below), a quarter zeros, either sign,
#: so a table often holds one near-max entry or only deep subnormal ones (BF16: binary32's
#: overflow and deep-subnormal scaling).
FP_MODES = ("uniform", "llm", "subnormal", "specials", "cancel", "extreme")
#: C modes of an FP LMMA (binary32 patterns):
#: ``zero`` +0 and -0; ``uniform`` any 32-bit pattern; ``normal`` magnitudes of table
#: entries and up to 2^24 times them (additions round and tie); ``subnormal``;
#: ``specials`` inf, -inf, NaNs, max finite, smallest subnormal; ``huge`` near FLT_MAX
#: (terms of BF16 range overflow to infinity, the smaller ones are absorbed).
FP_C_MODES = ("zero", "uniform", "normal", "subnormal", "specials", "huge")

_F32 = np.finfo(np.float32)
F32_SPECIALS = np.concatenate(
    [
        np.array(
            [np.inf, -np.inf, _F32.max, -_F32.max, _F32.smallest_subnormal]
            + [-_F32.smallest_subnormal, _F32.smallest_normal, -_F32.smallest_normal, 0.0, -0.0],
            dtype=np.float32,
        ).view(np.uint32),
        # NaNs: quiet, signalling with the smallest and largest payloads, both signs
        np.array([0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FBFFFFF, 0xFFFFFFFF], dtype=np.uint32),
    ]
)


def fp_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator for FP draws, seeded from a hash of ``rng``'s state.

    ``rng`` itself is not advanced, so the integer path's draw sequence does
    not depend on whether (or how much) FP stimulus is generated; the child
    is still a function of the state, so a stream stays reproducible from a
    seed or a saved state.
    """
    h = hashlib.sha256(b"tb.stimulus.fp")
    _hash_state(h, rng.bit_generator.state)
    return np.random.default_rng(int.from_bytes(h.digest(), "little"))


def _hash_state(h: hashlib._Hash, obj: object) -> None:
    """Feed a bit generator state (nested dicts of ints, strings and arrays) to ``h``."""
    if isinstance(obj, dict):
        for k in sorted(obj):
            h.update(str(k).encode())
            _hash_state(h, obj[k])
    elif isinstance(obj, np.ndarray):
        h.update(np.ascontiguousarray(obj).tobytes())
    else:
        h.update(repr(obj).encode())


@dataclass(frozen=True)
class FpFormat:
    """What the generators need to know about one FP activation format."""

    afmt: AFmt
    dtype: type
    bits: int  #: lane bits used: 8 or 16
    nmant: int  #: stored mantissa bits
    sign: int  #: the sign bit of a lane
    max_pat: int  #: pattern of the largest finite value
    min_normal: int  #: pattern of the smallest normal value (the one below: largest subnormal)
    nan: np.ndarray  #: every NaN pattern
    inf: np.ndarray  #: the infinity patterns (empty for E4M3)
    specials: np.ndarray  #: the patterns of the ``specials`` mode

    @property
    def uint(self) -> type:
        return np.uint8 if self.bits == 8 else np.uint16

    def patterns(self, x: np.ndarray) -> np.ndarray:
        """Real values -> int64 lane patterns, rounded to the format by a cast (RNE)."""
        with np.errstate(over="ignore", invalid="ignore"):
            f = np.asarray(x, dtype=np.float32).astype(self.dtype)
        return f.view(self.uint).astype(np.int64)

    def decode(self, pat: np.ndarray) -> np.ndarray:
        """Lane patterns -> float32 (bits above the format ignored)."""
        raw = (np.asarray(pat).astype(np.int64) & ((1 << self.bits) - 1)).astype(self.uint)
        return raw.view(self.dtype).astype(np.float32)


@functools.cache
def fp_format(afmt: int) -> FpFormat:
    """Format facts of ``afmt``, from decoding every pattern of the format once."""
    f = AFmt(afmt)
    dtype, bits = FP_FORMATS[f]
    info = ml_dtypes.finfo(dtype)
    uint = np.uint8 if bits == 8 else np.uint16
    every = np.arange(1 << bits, dtype=np.int64)
    vals = every.astype(uint).view(dtype).astype(np.float32)
    nan, inf = every[np.isnan(vals)], every[np.isinf(vals)]

    def pat(v: float) -> int:
        return int(np.array([v], dtype=np.float32).astype(dtype).view(uint)[0])

    sign, nmant = 1 << (bits - 1), int(info.nmant)
    max_pat, min_normal = pat(float(info.max)), pat(float(info.smallest_normal))
    # +0, max finite, smallest normal, largest and smallest subnormal, 1.0, +inf; then negated
    signed = [0, max_pat, min_normal, min_normal - 1, 1, pat(1.0), *inf[inf < sign]]
    pos_nan, neg_nan = nan[nan < sign], nan[nan >= sign]
    quiet = pos_nan[(pos_nan >> (nmant - 1)) & 1 == 1][:1]  # the quiet NaN with payload 0
    # NaNs with the smallest and largest payloads of either sign, and the quiet ones
    nans = [pos_nan[0], pos_nan[-1], neg_nan[0], neg_nan[-1], *quiet, *(quiet | sign)]
    specials = np.unique(np.array(signed + [v | sign for v in signed] + nans, dtype=np.int64))
    return FpFormat(f, dtype, bits, nmant, sign, max_pat, min_normal, nan, inf, specials)


def _signs(rng: np.random.Generator, fmt: FpFormat, shape: tuple[int, ...]) -> np.ndarray:
    return np.where(rng.random(shape) < 0.5, fmt.sign, 0)


def _lanes(rng: np.random.Generator, fmt: FpFormat, mode: str, shape: tuple) -> np.ndarray:
    """int64 lane patterns ``shape = (rows, m, 4)`` of one format in one mode."""
    if mode == "uniform":
        return rng.integers(0, 1 << fmt.bits, size=shape)
    if mode == "llm":
        # a per-row scale, so rows differ in magnitude as layers do; 100 sigma < E4M3's 448
        sigma = 2.0 ** rng.uniform(-4.0, 1.0, size=(*shape[:-1], 1))
        x = rng.standard_normal(shape) * sigma
        out = rng.random(shape) < 0.01
        sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        big = rng.uniform(20.0, 100.0, size=shape) * sigma * sign
        return fmt.patterns(np.where(out, big, x))
    if mode == "subnormal":
        info = ml_dtypes.finfo(fmt.dtype)
        k = rng.integers(1, 1 << fmt.nmant, size=shape)  # k * smallest subnormal: exact
        x = fmt.patterns(k * float(info.smallest_subnormal))
        mn = fmt.min_normal
        border = np.array([mn, mn - 1, mn + 1, 1], dtype=np.int64)  # both sides of the border
        r = rng.random(shape)
        pick = np.where(r < 0.15, 0, np.where(r < 0.25, border[rng.integers(0, 4, size=shape)], x))
        return pick | _signs(rng, fmt, shape)
    if mode == "specials":
        # a quarter NaNs (half of them with any payload), so that a table of four lanes
        # is NaN-free often enough for its infinities and zeros to meet
        is_nan = np.isnan(fmt.decode(fmt.specials))
        num, nan_fixed = fmt.specials[~is_nan], fmt.specials[is_nan]
        v = num[rng.integers(0, num.size, size=shape)]
        nan = np.where(
            rng.random(shape) < 0.5,
            nan_fixed[rng.integers(0, nan_fixed.size, size=shape)],
            fmt.nan[rng.integers(0, fmt.nan.size, size=shape)],
        )
        return np.where(rng.random(shape) < 0.25, nan, v)
    if mode == "cancel":
        return _cancel(rng, fmt, shape)
    if mode == "extreme":
        r = rng.random(shape)
        tiny = rng.integers(1, 4, size=shape)  # patterns 1..3: the smallest subnormals
        top = fmt.max_pat - rng.integers(0, 4, size=shape)
        pick = np.where(r < 0.5, tiny, np.where(r < 0.75, top, 0))
        return pick | _signs(rng, fmt, shape)
    raise ValueError(f"fp mode {mode!r} unknown; choose from {list(FP_MODES)}")


def _cancel(rng: np.random.Generator, fmt: FpFormat, shape: tuple) -> np.ndarray:
    """a2 = x, a3 = +-(x moved by 0..2 ulps); a0 = y, a1 = +-(y moved likewise), with y = x
    (mostly), x moved by a few ulps, or unrelated: hi/lo pairs cancel, and so do hi +- lo."""
    info = ml_dtypes.finfo(fmt.dtype)
    lo_e = max(-8, int(np.log2(float(info.smallest_normal))))
    hi_e = min(8, int(np.log2(float(info.max))) - 2)
    pair = (*shape[:-1], 2)

    def base(size: tuple) -> np.ndarray:  # a normal value with every mantissa bit random
        e = rng.integers(lo_e, hi_e, size=size, endpoint=True)
        return fmt.patterns(np.ldexp(1.0 + rng.random(size), e))

    def nudge(p: np.ndarray, p0: float) -> np.ndarray:
        """Move magnitude patterns by -2..2 ulps (0 with probability ``p0``)."""
        d = np.where(rng.random(p.shape) < p0, 0, rng.choice([-2, -1, 1, 2], size=p.shape))
        return np.clip(p + d, 1, fmt.max_pat)

    x = base(pair[:-1])
    r = rng.random(x.shape)
    y = np.where(r < 0.65, x, np.where(r < 0.85, nudge(x, 0.0), base(x.shape)))
    a = np.empty(shape, dtype=np.int64)
    a[..., 2], a[..., 0] = x, y
    a[..., 3], a[..., 1] = nudge(x, 0.7), nudge(y, 0.7)
    return a | _signs(rng, fmt, shape)


def fp_lanes(rng: np.random.Generator, afmt: np.ndarray, mode: str, m: int) -> np.ndarray:
    """Activation lane patterns int64 ``[rows, m, 4]``, row ``r`` in FP format ``afmt[r]``."""
    afmt = np.asarray(afmt)
    out = np.zeros((len(afmt), m, K), dtype=np.int64)
    if mode not in FP_MODES:
        raise ValueError(f"fp mode {mode!r} unknown; choose from {list(FP_MODES)}")
    for f in FP_FORMATS:
        sel = np.flatnonzero(afmt == f)
        if sel.size:
            out[sel] = _lanes(rng, fp_format(f), mode, (sel.size, m, K))
    return out


def _u32(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Uniform uint32 ``shape`` from 64-bit draws (C buses are wide: this is the hot path)."""
    total = shape[0] * shape[1]
    raw = rng.integers(0, 1 << 64, size=(total + 1) // 2, dtype=np.uint64, endpoint=False)
    return raw.view(np.uint32)[:total].reshape(shape)


def _pick(u: np.ndarray, n: int) -> np.ndarray:
    """16 random bits of ``u`` -> an index in [0, n) (multiply-shift)."""
    return ((u & 0xFFFF) * np.uint32(n)) >> np.uint32(16)


def fp_c_values(
    rng: np.random.Generator, mode: str, rows: int, lanes: int, fp16: bool = False
) -> np.ndarray:
    """C lanes uint32 ``[rows, lanes]``: binary32 patterns, or with ``fp16`` binary16 ones.

    Built from random words with integer operations (no float draws): a wide
    C bus is millions of lanes per long stream. No value is rounded here, so
    the patterns are written directly.
    """
    shape = (rows, lanes)
    if mode not in FP_C_MODES:
        raise ValueError(f"fp C mode {mode!r} unknown; choose from {list(FP_C_MODES)}")
    if fp16:
        return _fp16_c_values(rng, mode, shape)
    u = _u32(rng, shape)
    sign = u & np.uint32(1 << 31)
    if mode == "zero":
        return sign
    if mode == "uniform":
        return u
    v = _u32(rng, shape)
    if mode == "normal":
        # an nb-bit significand (nb = 1..24: short ones meet the few-bit table entries of
        # the narrow formats at a half ulp, long ones round) times 2^e, e = -12..20
        nb = _pick(v, 24) + np.uint32(1)
        biased_e = _pick(v >> np.uint32(16), 33) + np.uint32(127 - 12)
        keep = ~((np.uint32(1) << (np.uint32(24) - nb)) - np.uint32(1))
        return sign | (biased_e << np.uint32(23)) | (u & np.uint32(0x7FFFFF) & keep)
    if mode == "subnormal":  # a tenth at the edges: zero, smallest normal, largest/smallest
        mag = np.maximum(u & np.uint32(0x7FFFFF), np.uint32(1))
        edge = np.array([0, 0x00800000, 0x007FFFFF, 1], dtype=np.uint32)
        return sign | np.where(_pick(v, 10) == 0, edge[(v >> np.uint32(16)) & np.uint32(3)], mag)
    if mode == "specials":
        return F32_SPECIALS[_pick(v, F32_SPECIALS.size)]
    # huge: within 1/4 of FLT_MAX. Only a sum reaching FLT_MAX + ulp/2 = 2^128 - 2^103
    # overflows, so terms of BF16 range (or C at FLT_MAX itself) overflow, the narrower
    # formats' terms are absorbed (C + term = C)
    top = np.array([_F32.max], dtype=np.float32).view(np.uint32)[0]
    return sign | (top - (v & np.uint32((1 << 21) - 1)))


#: binary16 specials for C: infinities, the largest finite, the smallest subnormal and
#: normal, zeros, the canonical quiet NaN and a signalling one (each with either sign).
F16_SPECIALS = np.array(
    [0x7C00, 0xFC00, 0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x0400, 0x8400, 0x0000, 0x8000]
    + [0x7E00, 0x7C01],
    dtype=np.uint32,
)


def _fp16_c_values(rng: np.random.Generator, mode: str, shape: tuple[int, int]) -> np.ndarray:
    """The C modes of :func:`fp_c_values` for a binary16 datapath (docs section 10): the
    pattern in bits [15:0]; bits [31:16] random (the core ignores them) in every mode."""
    u = _u32(rng, shape)
    junk = u & np.uint32(0xFFFF0000)
    sign = (u >> np.uint32(15)) & np.uint32(0x8000)
    if mode == "uniform":
        return u
    v = _u32(rng, shape)
    if mode == "zero":
        low = sign
    elif mode == "normal":  # an nb-bit significand (1..11) times 2^e, e = -12..14
        nb = _pick(v, 11) + np.uint32(1)
        biased_e = _pick(v >> np.uint32(16), 27) + np.uint32(15 - 12)
        keep = ~((np.uint32(1) << (np.uint32(11) - nb)) - np.uint32(1))
        low = sign | (biased_e << np.uint32(10)) | (u & np.uint32(0x3FF) & keep)
    elif mode == "subnormal":  # a tenth at the edges: zero, smallest normal, largest/smallest
        mag = np.maximum(u & np.uint32(0x3FF), np.uint32(1))
        edge = np.array([0, 0x0400, 0x03FF, 1], dtype=np.uint32)
        low = sign | np.where(_pick(v, 10) == 0, edge[(v >> np.uint32(16)) & np.uint32(3)], mag)
    elif mode == "specials":
        low = F16_SPECIALS[_pick(v, F16_SPECIALS.size)]
    else:  # huge: within 128 ulps of 65504, where a plane's term overflows the sum
        low = sign | (np.uint32(0x7BFF) - (v & np.uint32(0x7F)))
    return junk | low
