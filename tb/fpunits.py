"""Vectors for the FP conversion and scaling units: reference, sets, harnesses.

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
makes the inputs (exhaustive lanes, corner and random scaler operands),
writes and caches vector sets under ``build/fpunits/`` keyed by what
determines them, builds each pure-SV harness through
:func:`tb.simrun.build_target` (``binary=True``), runs it and parses its
lines. The vector-file layout and hex writer are those of :mod:`tb.fpvec`
(the adder's), three 32-bit words per vector here: two inputs and the
expected binary32 pattern.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flow import simrun
from flow.replay.vectors import hex_lines
from models import fp
from models.config import AFmt
from tb import fpvec

QNAN = fp.CANONICAL_NAN
SIGN = fpvec.SIGN
FORMAT_VERSION = 1  #: meta.hex word 1 of both harnesses
VECTORS = simrun.ROOT / "build" / "fpunits"
#: afmt codes the converter treats as "not FP" in the vector sets (it outputs 0).
NON_FP_AFMTS = (int(AFmt.INT8), int(AFmt.INT16), 6, 15)
#: The scaler's default MaxShift (rtl/lut_fp32_pow2.sv): planes 0..7 of an 8-bit weight.
DEFAULT_MAX_SHIFT = 7
#: Bit of the scaler's control word (vector word 1) that carries ``neg``.
NEG_BIT = 8


@dataclass(frozen=True)
class Unit:
    """One unit under test: its harness, file format and planted bugs."""

    name: str
    top: str  #: harness module
    sources: tuple[Path, ...]
    magic: int  #: meta.hex word 0
    prefix: str  #: of the harness's output lines
    bugs: tuple[str, ...]
    kinds: tuple[str, ...]  #: vector sets :func:`vector_set` makes
    default_max_vec: int = 1 << 19


UNITS: dict[str, Unit] = {
    "fcvt": Unit(
        "fcvt",
        "lut_fp_to_f32_tb",
        (simrun.RTL / "lut_fp_to_f32.sv", simrun.TB_SV / "lut_fp_to_f32_tb.sv"),
        0x46435654,  # "FCVT"
        "FCVT",
        ("LUT_TC_BUG_FP_SUBNORMAL_IN",),
        ("exhaustive", "sample"),
    ),
    "fpow2": Unit(
        "fpow2",
        "lut_fp32_pow2_tb",
        (simrun.RTL / "lut_fp32_pow2.sv", simrun.TB_SV / "lut_fp32_pow2_tb.sv"),
        0x46505732,  # "FPW2"
        "FPOW2",
        ("LUT_TC_BUG_FP_POW2_FTZ",),
        ("corners", "random"),
    ),
    "fmul": Unit(
        "fmul",
        "mac_fp_mul_tb",
        (simrun.RTL / "mac_fp_mul.sv", simrun.TB_SV / "mac_fp_mul_tb.sv"),
        0x464D554C,  # "FMUL"
        "FMUL",
        ("LUT_TC_BUG_FP_MUL_FTZ",),
        ("corners", "random"),
    ),
}
#: The multiplier's widths in its harness (tb/sv/mac_fp_mul_tb.sv): FP16's 11
#: significant bits, which every format's converted value fits, and 8-bit magnitudes.
FMUL_MAG_W = 8


def check_unit(unit: str) -> Unit:
    """The :class:`Unit` named ``unit``; ValueError naming the known ones."""
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r} unknown; choose one of {sorted(UNITS)}")
    return UNITS[unit]


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
    lanes = np.asarray(lanes)
    afmts = np.asarray(afmts)
    if lanes.shape != afmts.shape or lanes.ndim != 1:
        raise ValueError(f"afmts: shape {afmts.shape} must equal the lanes' 1-D {lanes.shape}")
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
    x, neg, shift = (np.asarray(v) for v in (x, neg, shift))
    if x.ndim != 1:
        raise ValueError(f"x: expected a 1-D array of bit patterns, got shape {x.shape}")
    for name, v in (("neg", neg), ("shift", shift)):
        if v.shape != x.shape:
            raise ValueError(f"{name}: shape {v.shape} differs from x's {x.shape}")
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
    sub = ((x & np.uint32(fpvec.EXP_MASK)) == 0) & ((x & np.uint32(fpvec.FRAC_MASK)) != 0)
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
    mags = list(fpvec.SPECIALS)
    for k in range(23):
        mags += [1 << k, (1 << k) | 1, (2 << k) - 1]
    for s in range(max_shift + 2):
        e = 254 - s
        if e >= 1:
            mags += [(e << 23) | fpvec.FRAC_MASK, ((e + 1) << 23) if e + 1 <= 254 else 0, e << 23]
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
    keep = np.uint32(SIGN | fpvec.FRAC_MASK)
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
    x, neg, mag = (np.asarray(v) for v in (x, neg, mag))
    if x.ndim != 1:
        raise ValueError(f"x: expected a 1-D array of bit patterns, got shape {x.shape}")
    for name, v in (("neg", neg), ("mag", mag)):
        if v.shape != x.shape:
            raise ValueError(f"{name}: shape {v.shape} differs from x's {x.shape}")
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


# --------------------------------------------------------------------------- vector sets


@dataclass
class VectorSet:
    """A vector directory (``meta.hex``, ``vec.hex``, ``vec.npy``) and how it was made."""

    unit: str
    path: Path
    n: int
    gen_s: float = 0.0  #: inputs + reference + files; 0 when the cache was used
    cached: bool = False

    def arrays(self) -> np.ndarray:
        """``uint32 [n, 3]``: input 0, input 1, expected output (as the harness reads them)."""
        return np.load(self.path / "vec.npy")


def write_vectors(unit: str, path: Path, in0: np.ndarray, in1: np.ndarray, s: np.ndarray) -> None:
    """The harness's files (format in its header) plus ``vec.npy`` for the Python side."""
    u = check_unit(unit)
    vec = np.stack([_u32(in0), _u32(in1), _u32(s)], axis=1)
    if vec.shape[0] < 1:
        raise ValueError("in0: a vector set needs at least one vector")
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "vec.npy", vec)
    # The adder's hex writer: one 8-digit word per line, vectorized.
    (path / "vec.hex").write_bytes(hex_lines(vec.ravel()))
    meta = np.array([u.magic, FORMAT_VERSION, vec.shape[0]])
    (path / "meta.hex").write_bytes(hex_lines(meta))


def make_vectors(
    unit: str, kind: str, count: int = 0, seed: int = 1, max_shift: int = DEFAULT_MAX_SHIFT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in0, in1, expected) of one set, computed now (no files)."""
    u = check_unit(unit)
    if kind not in u.kinds:
        raise ValueError(f"kind={kind!r} unknown for {unit}; choose one of {u.kinds}")
    if unit == "fcvt":
        lanes, afmts = convert_inputs(kind, seed)
        return lanes, afmts, ref_convert(lanes, afmts)
    if unit == "fmul":
        x, neg, mag = fmul_inputs(kind, count, seed)
        return x, pow2_control(neg, mag), ref_fmul(x, neg, mag)
    if kind == "corners":
        x, neg, shift = pow2_corners(max_shift)
    else:
        x, neg, shift = pow2_random(count, seed, max_shift)
    return x, pow2_control(neg, shift), ref_pow2(x, neg, shift)


def _cache_key(doc: dict[str, object]) -> str:
    """What determines a set, plus this generator's and the model's source and numpy."""
    doc = {
        **doc,
        "generator": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "model": hashlib.sha256(Path(fp.__file__).read_bytes()).hexdigest(),
        "numpy": np.__version__,
        "ml_dtypes": importlib.metadata.version("ml_dtypes"),
        "format": FORMAT_VERSION,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def vector_set(
    unit: str,
    kind: str,
    count: int = 0,
    seed: int = 1,
    max_shift: int = DEFAULT_MAX_SHIFT,
    root: Path = VECTORS,
) -> VectorSet:
    """The cached vector set (unit, kind, count, seed, max_shift), made once under ``root``.

    As :func:`tb.fpvec.vector_set`: reused while its key matches, older keys
    of the same name removed, a file lock so parallel workers wait for one
    writer.
    """
    u = check_unit(unit)
    if kind not in u.kinds:
        raise ValueError(f"kind={kind!r} unknown for {unit}; choose one of {u.kinds}")
    if kind == "random" and count < 1:
        raise ValueError(f"count={count}: a random set needs count >= 1")
    if kind != "random":
        count = 0
    if unit in ("fcvt", "fmul"):
        max_shift = 0
    else:
        check_max_shift(max_shift)
    name = f"{unit}_{kind}_{count}_{seed}_s{max_shift}"
    key = _cache_key({"unit": unit, "kind": kind, "count": count, "seed": seed, "ms": max_shift})
    path = root / f"{name}_{key}"
    done = path / "done.json"
    root.mkdir(parents=True, exist_ok=True)
    with simrun.file_lock(root / f".{path.name}.lock"):
        if done.exists():
            return VectorSet(unit, path, int(json.loads(done.read_text())["n"]), cached=True)
        t0 = time.perf_counter()
        for stale in root.glob(f"{name}_*"):  # made by an older generator
            shutil.rmtree(stale, ignore_errors=True)
        in0, in1, s = make_vectors(unit, kind, count, seed, max_shift)
        write_vectors(unit, path, in0, in1, s)
        gen_s = time.perf_counter() - t0
        done.write_text(json.dumps({"n": int(in0.size), "gen_s": gen_s}))
    return VectorSet(unit, path, int(in0.size), gen_s=gen_s)


def corrupted_copy(vs: VectorSet, index: int, bit: int, dest: Path) -> VectorSet:
    """A copy of ``vs`` in ``dest`` whose expected output ``index`` has bit ``bit`` flipped."""
    if not 0 <= index < vs.n:
        raise ValueError(f"index={index} out of range [0, {vs.n})")
    if not 0 <= bit < 32:
        raise ValueError(f"bit={bit} out of range [0, 32)")
    vec = vs.arrays().copy()
    vec[index, 2] ^= np.uint32(1 << bit)
    write_vectors(vs.unit, dest, vec[:, 0], vec[:, 1], vec[:, 2])
    return VectorSet(vs.unit, dest, vs.n)


# --------------------------------------------------------------------------- harness


def build(
    unit: str,
    sim: str,
    defines: Sequence[str] = (),
    n: int = 0,
    max_shift: int = DEFAULT_MAX_SHIFT,
    clean: bool = False,
    jobs: int | None = None,
) -> simrun.Build:
    """The harness + unit for (sim, defines[, max_shift]), for up to ``n`` vectors; reused.

    Combinational units: no clock, no assertions (built without ``LUT_TC_ASSERTIONS``).
    """
    u = check_unit(unit)
    unknown = sorted(set(defines) - set(u.bugs))
    if unknown:
        raise ValueError(f"defines: unknown {unknown}; known {list(u.bugs)}")
    max_vec = max(u.default_max_vec, 1 << max(0, (n - 1).bit_length()))
    params: dict[str, object] = {"MaxVec": max_vec}
    name = unit + "".join(f"_{d}" for d in defines)
    if max_vec != u.default_max_vec:
        name += f"_MaxVec{max_vec}"
    if unit == "fpow2":
        params["MaxShift"] = check_max_shift(max_shift)
        if max_shift != DEFAULT_MAX_SHIFT:
            name += f"_MaxShift{max_shift}"
    return simrun.build_target(
        sim,
        u.top,
        name,
        sources=u.sources,
        parameters=params,
        defines={d: 1 for d in defines},
        assertions=False,
        binary=True,
        clean=clean,
        jobs=jobs,
    )


#: One harness run (the adder's record: verdict, counts, mismatches, timings).
RunResult = fpvec.RunResult


def run(
    b: simrun.Build, vs: VectorSet, max_errors: int = 10, timeout_s: float = 600.0
) -> RunResult:
    """Run a built harness on a vector set (``tb.fpvec.run`` with this unit's line prefix).

    A run still going after ``timeout_s`` is killed (a hung simulator must not
    hang the caller): it fails with no result line.
    """
    prefix = check_unit(vs.unit).prefix
    return fpvec.run(b, vs, max_errors, timeout_s, prefix, ("in0", "in1"))


def parse(res: RunResult, lines: list[str], prefix: str) -> None:
    """Fill ``res`` from the output: PASS needs the line, errors=0 and exit status 0."""
    fpvec.parse(res, lines, prefix, ("in0", "in1"))
