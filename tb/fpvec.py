"""IEEE-754 binary32 addition vectors for ``rtl/lut_fp32_add.sv``: reference, sets, harness.

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
* writes and caches vector sets under ``build/fpadd/`` keyed by what
  determines them (kind, count, seed, this file, the SoftFloat release), so
  10^6 vectors are predicted once (:func:`vector_set`);
* builds the pure-SV harness ``tb/sv/lut_fp32_add_tb.sv`` through
  :func:`tb.simrun.build_target` (``binary=True``) and runs and parses it
  (:func:`build`, :func:`run`).

Operands and sums are ``uint32`` bit patterns throughout, never floats.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import softfloatpy as sf

from flow import simrun
from flow.measure import harness_command, run_captured
from flow.replay.vectors import hex_lines
from models import fp

QNAN = fp.CANONICAL_NAN  #: the one NaN the adder delivers (0x7FC00000, the model's)
SIGN = 0x80000000
EXP_MASK = 0x7F800000
FRAC_MASK = 0x007FFFFF
MAGIC = 0x46414444  #: meta.hex word 0, "FADD"
FORMAT_VERSION = 1  #: meta.hex word 1

VECTORS = simrun.ROOT / "build" / "fpadd"
ADDER = simrun.RTL / "lut_fp32_add.sv"
HARNESS = simrun.TB_SV / "lut_fp32_add_tb.sv"
SOURCES = (ADDER, HARNESS)
TOP = "lut_fp32_add_tb"
#: Planted bugs of the adder (its header), for the negative tests.
BUG_DEFINES = ("LUT_TC_BUG_FP_RTZ", "LUT_TC_BUG_FP_FTZ")
#: Harness capacity in vectors: one build takes both the corners and 10^6 random pairs.
DEFAULT_MAX_VEC = 1 << 20
KINDS = ("corners", "random")


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


def _check_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a)
    b = np.asarray(b)
    for name, v in (("a", a), ("b", b)):
        if v.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array of bit patterns, got shape {v.shape}")
        if v.size and (v.min() < 0 or int(v.max()) > 0xFFFFFFFF):
            raise ValueError(f"{name}: bit patterns must lie in [0, 2^32)")
    if a.shape != b.shape:
        raise ValueError(f"b: shape {b.shape} differs from a's {a.shape}")
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


# --------------------------------------------------------------------------- vector sets


@dataclass
class VectorSet:
    """A vector directory (``meta.hex``, ``vec.hex``, ``vec.npy``) and how it was made."""

    path: Path
    n: int
    gen_s: float = 0.0  #: pair generation + reference + files; 0 when the cache was used
    cached: bool = False

    def arrays(self) -> np.ndarray:
        """``uint32 [n, 3]``: a, b, expected sum of every vector (as the harness reads them)."""
        return np.load(self.path / "vec.npy")


def write_vectors(path: Path, a: np.ndarray, b: np.ndarray, s: np.ndarray) -> None:
    """The harness's files (format in ``tb/sv/lut_fp32_add_tb.sv``) plus ``vec.npy``."""
    a, b = _check_pair(a, b)
    s = np.asarray(s, dtype=np.uint32)
    if s.shape != a.shape:
        raise ValueError(f"s: shape {s.shape} differs from the operands' {a.shape}")
    if a.size < 1:
        raise ValueError("a: a vector set needs at least one vector")
    path.mkdir(parents=True, exist_ok=True)
    vec = np.stack([a, b, s], axis=1).astype(np.uint32)
    np.save(path / "vec.npy", vec)
    (path / "vec.hex").write_bytes(hex_lines(vec.ravel()))
    (path / "meta.hex").write_bytes(hex_lines(np.array([MAGIC, FORMAT_VERSION, a.size])))


def _cache_key(kind: str, count: int, seed: int) -> str:
    """What determines a set: its kind, count and seed, this generator, the SoftFloat release."""
    doc = {
        "kind": kind,
        "count": count,
        "seed": seed,
        "generator": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "softfloatpy": importlib.metadata.version("softfloatpy"),
        "format": FORMAT_VERSION,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def vector_set(kind: str, count: int = 0, seed: int = 1, root: Path = VECTORS) -> VectorSet:
    """The cached vector set ``kind`` (``corners``, or ``random`` of ``count`` pairs).

    Made once under ``root/<kind>_<count>_<seed>_<key>`` and reused while
    the key (kind, count, seed, this file, the SoftFloat release) matches;
    making it removes the sets of the same kind, count and seed under older
    keys (a 10^6 set is about 40 MB). A file lock makes parallel workers
    wait for one writer.
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} unknown; choose one of {KINDS}")
    if kind == "random" and count < 1:
        raise ValueError(f"count={count}: a random set needs count >= 1")
    if kind == "corners":
        count = 0
    path = root / f"{kind}_{count}_{seed}_{_cache_key(kind, count, seed)}"
    done = path / "done.json"
    with simrun.file_lock(root / f".{path.name}.lock"):
        if done.exists():
            info = json.loads(done.read_text())
            return VectorSet(path, int(info["n"]), cached=True)
        t0 = time.perf_counter()
        shutil.rmtree(path, ignore_errors=True)
        for stale in root.glob(f"{kind}_{count}_{seed}_*"):  # made by an older generator
            shutil.rmtree(stale, ignore_errors=True)
        a, b = corner_pairs(seed) if kind == "corners" else random_pairs(count, seed)
        s = ref_add(a, b)
        write_vectors(path, a, b, s)
        gen_s = time.perf_counter() - t0
        done.write_text(json.dumps({"n": int(a.size), "gen_s": gen_s}))
    return VectorSet(path, int(a.size), gen_s=gen_s)


def corrupted_copy(vs: VectorSet, index: int, bit: int, dest: Path) -> VectorSet:
    """A copy of ``vs`` in ``dest`` whose expected sum ``index`` has bit ``bit`` flipped."""
    if not 0 <= index < vs.n:
        raise ValueError(f"index={index} out of range [0, {vs.n})")
    if not 0 <= bit < 32:
        raise ValueError(f"bit={bit} out of range [0, 32)")
    vec = vs.arrays().copy()
    vec[index, 2] ^= np.uint32(1 << bit)
    write_vectors(dest, vec[:, 0], vec[:, 1], vec[:, 2])
    return VectorSet(dest, vs.n)


# --------------------------------------------------------------------------- harness


def _pow2_at_least(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def build_name(defines: Sequence[str] = (), max_vec: int = DEFAULT_MAX_VEC) -> str:
    """``fpadd`` plus each define and a raised capacity."""
    name = "fpadd" + "".join(f"_{d}" for d in defines)
    return name + (f"_MaxVec{max_vec}" if max_vec != DEFAULT_MAX_VEC else "")


def build(
    sim: str,
    defines: Sequence[str] = (),
    n: int = 0,
    clean: bool = False,
    jobs: int | None = None,
) -> simrun.Build:
    """The harness + adder for (sim, defines), for sets of up to ``n`` vectors; reused once built.

    The adder has no clock and so no assertions: built without
    ``LUT_TC_ASSERTIONS``.
    """
    unknown = sorted(set(defines) - set(BUG_DEFINES))
    if unknown:
        raise ValueError(f"defines: unknown {unknown}; known {list(BUG_DEFINES)}")
    max_vec = max(DEFAULT_MAX_VEC, _pow2_at_least(n))
    return simrun.build_target(
        sim,
        TOP,
        build_name(tuple(defines), max_vec),
        sources=SOURCES,
        parameters={"MaxVec": max_vec},
        defines={d: 1 for d in defines},
        assertions=False,
        binary=True,
        clean=clean,
        jobs=jobs,
    )


@dataclass
class RunResult:
    """One harness run: verdict, counts, the printed mismatches, where the time went."""

    sim: str
    passed: bool = False
    n: int = -1
    errors: int = -1
    mismatches: list[dict[str, int]] = field(default_factory=list)
    load_s: float = 0.0  #: process start -> vectors loaded (<PREFIX>_LOADED)
    sim_s: float = 0.0  #: vectors loaded -> process exit: the comparison loop
    run_s: float = 0.0  #: whole process
    maxrss_mb: float = 0.0
    returncode: int = 0
    log: str = ""
    lines: list[str] = field(default_factory=list)


def command(b: simrun.Build, vectors: Path, max_errors: int = 10) -> list[str]:
    """The simulator command line of one run (plusargs in the harness header)."""
    if max_errors < 0:
        raise ValueError(f"max_errors={max_errors} must be >= 0")
    return [*harness_command(b.sim, b.exe), f"+dir={vectors}", f"+max_errors={max_errors}"]


def run(
    b: simrun.Build,
    vs: VectorSet,
    max_errors: int = 10,
    timeout_s: float = 600.0,
    prefix: str = "FPADD",
    operands: tuple[str, str] = ("a", "b"),
) -> RunResult:
    """Run a built harness on a vector set; the log goes next to the vectors.

    A run still going after ``timeout_s`` is killed (a zero-delay loop in a
    simulator would otherwise hang the caller): it fails with no result line.
    ``prefix`` and ``operands`` name the harness's output lines and the two
    input fields of its mismatch lines (``tb.fpunits`` runs its harnesses here).
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s={timeout_s} must be > 0")
    cmd = command(b, vs.path, max_errors)
    res = RunResult(b.sim)
    log = vs.path / f"run_{b.sim}_{b.path.name}.log"
    out = run_captured(cmd, b.path, f"{prefix}_LOADED", log, timeout_s)
    res.run_s, res.load_s, res.sim_s = out.run_s, out.load_s, out.sim_s
    res.maxrss_mb, res.returncode, res.log = out.maxrss_mb, out.returncode, str(log)
    parse(res, out.lines, prefix, operands)
    return res


def parse(
    res: RunResult,
    lines: list[str],
    prefix: str = "FPADD",
    operands: tuple[str, str] = ("a", "b"),
) -> None:
    """Fill ``res`` from the output: PASS needs the line, errors=0 and exit status 0."""
    x, y = operands
    mismatch = re.compile(
        rf"{prefix}_MISMATCH index=(\d+) {x}=([0-9a-f]{{8}}) {y}=([0-9a-f]{{8}}) "
        r"got=([0-9a-fxz]{8}) expected=([0-9a-f]{8})"
    )
    result = re.compile(rf"{prefix}_RESULT (PASS|FAIL) n=(\d+) errors=(\d+)")
    res.lines = [ln.rstrip("\n") for ln in lines]
    verdict = None
    for line in lines:
        if m := mismatch.search(line):
            idx, a, b, got, exp = m.groups()
            res.mismatches.append(
                {
                    "index": int(idx),
                    x: int(a, 16),
                    y: int(b, 16),
                    "got": int(got, 16) if re.fullmatch(r"[0-9a-f]{8}", got) else -1,
                    "expected": int(exp, 16),
                }
            )
        elif m := result.search(line):
            verdict, res.n, res.errors = m.group(1), int(m.group(2)), int(m.group(3))
    res.passed = verdict == "PASS" and res.errors == 0 and res.returncode == 0
