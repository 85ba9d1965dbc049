# SPDX-License-Identifier: Apache-2.0
"""Payload images of the a/w/c buses, many rows per numpy call.

Modes pick value *distributions*, so a knob says "extremes" and the data hits
-128/127/-32768/32767, the table-entry limits or INT32 wrap-around. Images
are the little-endian bytes the ports carry (``models.batch``), built with
array operations: no bus ints, no per-row Python.

A bus is filled from per-row integer *keys* (mode, format, width, dirty).
Fresh payloads build one image per row; a pool builds a few images per key
and lets rows share them, so the stream transport's payload store sends each
image once.

Floating-point rows (``tb.stimulus.fp_payloads``) have keys of their own,
above every integer key, and draw their values from the FP generator
(:func:`~tb.stimulus.fp_payloads.fp_rng`), never from the caller's: which FP
values a stream asks for does not move any draw of the integer rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.batch import bus_bytes
from models.config import AFmt, CoreConfig, FpAcc, K
from models.encoding import encode_weights
from models.lmma import ACC_MAX, ACC_MIN
from tb.stimulus.fp_payloads import FP_C_MODES, FP_MODES, fp_c_values, fp_lanes, fp_rng

#: ``raw``: any 16-bit lane pattern (full INT16 range; junk in the INT8 upper byte)
ACT_MODES = ("uniform", "extreme", "small", "entry_min", "entry_max", "raw")
#: ``near_max``/``near_min``/``max``/``min`` make ``C + sum`` wrap
C_MODES = ("zero", "uniform", "near_max", "near_min", "small", "max", "min")

ZERO, GARBAGE = 0, 1  #: key codes shared by every bus: an all-zero image, random bytes
_MODE0 = 2  #: first key code of a real mode
FP_KEY0 = 1 << 10  #: FP keys of the a and c buses start here, above every integer key
_U64 = np.iinfo(np.uint64).max


def random_bytes(rng: np.random.Generator, rows: int, nbytes: int) -> np.ndarray:
    """uint8 ``[rows, nbytes]`` uniform (64-bit draws: several times faster than rng.bytes)."""
    total = rows * nbytes
    raw = rng.integers(0, _U64, size=(total + 7) // 8, dtype=np.uint64, endpoint=True)
    return raw.view(np.uint8)[:total].reshape(rows, nbytes)


# --- activations (in_a_i) ---------------------------------------------------------
def act_values(rng: np.random.Generator, afmt: np.ndarray, mode: str, m: int) -> np.ndarray:
    """Activations int64 ``[rows, m, 4]``, row ``r`` in the range of ``afmt[r]``."""
    afmt = np.asarray(afmt)
    rows = len(afmt)
    out = np.zeros((rows, m, K), dtype=np.int64)
    for fmt, bits in ((AFmt.INT8, 8), (AFmt.INT16, 16)):
        sel = np.flatnonzero(afmt == fmt)
        if not sel.size:
            continue
        if mode == "raw":  # the lane pattern is the point, whatever the format reads
            bits = 16
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        shape = (sel.size, m, K)
        if mode in ("uniform", "raw"):
            v = rng.integers(lo, hi, size=shape, endpoint=True)
        elif mode == "extreme":
            v = np.array([lo, hi, 0, -1, 1, lo + 1, hi - 1])[rng.integers(0, 7, size=shape)]
        elif mode == "small":
            v = rng.integers(-3, 3, size=shape, endpoint=True)
        elif mode == "entry_min":  # a3 + a2 + a1 + a0 at its most negative
            v = np.full(shape, lo)
        elif mode == "entry_max":  # a3 - a2 - a1 - a0 at its most positive
            v = np.full(shape, lo)
            v[..., 3] = hi
        else:
            raise ValueError(f"act mode {mode!r} unknown; choose from {list(ACT_MODES)}")
        out[sel] = v
    return out


def a_images(
    cfg: CoreConfig, values: np.ndarray, dirty: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``in_a_i`` images of ``values [rows, M, 4]``: 16-bit two's-complement lanes.

    In-range INT8 values come out sign-extended; a ``dirty`` row gets a random
    upper byte instead (the hardware ignores bits [15:8] for INT8).
    """
    rows = len(values)
    lanes = values.reshape(rows, cfg.M * K).astype(np.int64) & 0xFFFF
    d = np.flatnonzero(dirty)
    if d.size:
        junk = rng.integers(0, 256, size=(d.size, lanes.shape[1]), dtype=np.int64)
        lanes[d] = (lanes[d] & 0xFF) | (junk << 8)
    return lanes.astype("<u2").view(np.uint8).reshape(rows, bus_bytes(cfg)["a"])


def a_key(mode: np.ndarray, afmt: np.ndarray, dirty: np.ndarray) -> np.ndarray:
    """Key of an activation row: ``mode`` is an index into ACT_MODES."""
    return ((mode.astype(np.int64) + _MODE0) << 2) | (afmt.astype(np.int64) << 1) | dirty


def fp_a_key(mode: np.ndarray, afmt: np.ndarray, dirty: np.ndarray) -> np.ndarray:
    """Key of an FP activation row: ``mode`` indexes FP_MODES; ``dirty`` (FP8 only): junk
    in the ignored bits [15:8]."""
    m, f = mode.astype(np.int64), afmt.astype(np.int64)
    return FP_KEY0 | (m << 4) | (f << 1) | dirty.astype(np.int64)


def make_a(
    cfg: CoreConfig,
    rng: np.random.Generator,
    keys: np.ndarray,
    fp_gen: np.random.Generator | None = None,
) -> np.ndarray:
    """Images for ``a`` keys (ZERO, GARBAGE, :func:`a_key` or :func:`fp_a_key`).

    FP rows draw from ``fp_gen`` (default: :func:`fp_rng` of ``rng``), never from ``rng``.
    """
    nb = bus_bytes(cfg)["a"]
    out = np.zeros((len(keys), nb), dtype=np.uint8)
    code, afmt, dirty = keys >> 2, (keys >> 1) & 1, (keys & 1).astype(bool)
    g = np.flatnonzero(keys == GARBAGE)
    out[g] = random_bytes(rng, g.size, nb)
    for i, mode in enumerate(ACT_MODES):
        sel = np.flatnonzero(code == _MODE0 + i)
        if sel.size:
            v = act_values(rng, afmt[sel], mode, cfg.M)
            out[sel] = a_images(cfg, v, dirty[sel] & (afmt[sel] == AFmt.INT8), rng)
    fp = np.flatnonzero(keys >= FP_KEY0)
    if fp.size:
        frng = fp_rng(rng) if fp_gen is None else fp_gen
        k = keys[fp]
        mode, fmt, junk = (k >> 4) & 63, (k >> 1) & 7, (k & 1).astype(bool)
        for i, name in enumerate(FP_MODES):
            sel = np.flatnonzero(mode == i)
            if sel.size:
                lanes = fp_lanes(frng, fmt[sel], name, cfg.M)
                out[fp[sel]] = a_images(cfg, lanes, junk[sel], frng)
    return out


# --- weight codes (in_w_i) --------------------------------------------------------
def w_images(cfg: CoreConfig, codes: np.ndarray) -> np.ndarray:
    """Codes uint8 ``[rows, WBitsMax, N]`` (lane ``i*N + n``) -> ``in_w_i`` images."""
    rows = len(codes)
    lanes = codes.reshape(rows, -1).astype(np.uint8) & 0xF
    if lanes.shape[1] % 2:
        lanes = np.concatenate([lanes, np.zeros((rows, 1), np.uint8)], axis=1)
    return lanes[:, 0::2] | (lanes[:, 1::2] << 4)


def codes_for(
    rng: np.random.Generator,
    cfg: CoreConfig,
    b: int,
    from_weights: bool = False,
    junk: bool = False,
) -> np.ndarray:
    """Codes ``[WBitsMax, N]`` of one K-group: uniform codes or encoded random ``b``-bit
    weights in planes < b; planes >= b zero, or random junk the core must ignore."""
    full = rng.integers(0, 16, size=(cfg.W_BITS_MAX, cfg.N)) if junk else None
    out = np.zeros((cfg.W_BITS_MAX, cfg.N), dtype=np.int64) if full is None else full
    if from_weights:
        out[:b] = encode_weights(rng.integers(0, 1 << b, size=(K, cfg.N)), b)[:, 0, :]
    else:
        out[:b] = rng.integers(0, 16, size=(b, cfg.N))
    return out


def w_key(b: np.ndarray, dirty: np.ndarray) -> np.ndarray:
    """Key of an LMMA's codes: uniform codes in planes < ``b``; planes >= b junk if dirty."""
    return (np.int64(_MODE0) << 5) | (b.astype(np.int64) << 1) | dirty


def _w_mask(cfg: CoreConfig, key: int) -> np.ndarray:
    lanes = cfg.W_BITS_MAX * cfg.N
    b, dirty = (key >> 1) & 15, key & 1
    keep = np.arange(lanes + lanes % 2) < lanes  # never a bit beyond the bus
    if key == ZERO:
        keep[:] = False
    elif key != GARBAGE and not dirty:
        keep &= np.arange(keep.size) < b * cfg.N
    return (keep[0::2] * np.uint8(0x0F)) | (keep[1::2] * np.uint8(0xF0))


def make_w(cfg: CoreConfig, rng: np.random.Generator, keys: np.ndarray) -> np.ndarray:
    """Images for ``w`` keys (ZERO, GARBAGE or :func:`w_key`): random nibbles, masked."""
    out = random_bytes(rng, len(keys), bus_bytes(cfg)["w"])
    uniq, inv = np.unique(keys, return_inverse=True)
    for j, k in enumerate(uniq):  # in place, one pass per key: no [rows, bytes] temporaries
        np.bitwise_and(out, _w_mask(cfg, int(k))[None, :], out=out, where=(inv == j)[:, None])
    return out


# --- accumulator input (in_c_i) ---------------------------------------------------
def c_values(rng: np.random.Generator, cfg: CoreConfig, mode: str, rows: int) -> np.ndarray:
    """C lanes int32 ``[rows, M*N]`` (lane ``m*N + n``)."""
    shape, i32 = (rows, cfg.M * cfg.N), np.int32
    if mode == "zero":
        return np.zeros(shape, dtype=i32)
    if mode == "uniform":
        return rng.integers(ACC_MIN, ACC_MAX, size=shape, endpoint=True, dtype=i32)
    if mode == "near_max":
        return ACC_MAX - rng.integers(0, 1 << 20, size=shape, dtype=i32)
    if mode == "near_min":
        return ACC_MIN + rng.integers(0, 1 << 20, size=shape, dtype=i32)
    if mode == "small":
        return rng.integers(-1000, 1000, size=shape, endpoint=True, dtype=i32)
    if mode == "max":
        return np.full(shape, ACC_MAX, dtype=i32)
    if mode == "min":
        return np.full(shape, ACC_MIN, dtype=i32)
    raise ValueError(f"C mode {mode!r} unknown; choose from {list(C_MODES)}")


def c_images(values: np.ndarray) -> np.ndarray:
    """C lanes ``[rows, M*N]`` -> ``in_c_i`` images (32-bit two's complement)."""
    return values.astype("<i4").view(np.uint8).reshape(len(values), -1)


def c_key(mode: np.ndarray) -> np.ndarray:
    """Key of an LMMA's C: ``mode`` is an index into C_MODES."""
    return mode.astype(np.int64) + _MODE0


def fp_c_key(mode: np.ndarray) -> np.ndarray:
    """Key of an FP LMMA's C: ``mode`` is an index into FP_C_MODES."""
    return mode.astype(np.int64) + FP_KEY0


def fp_c_images(lanes: np.ndarray) -> np.ndarray:
    """binary32 patterns uint32 ``[rows, M*N]`` -> ``in_c_i`` images."""
    return np.ascontiguousarray(lanes, dtype="<u4").view(np.uint8).reshape(len(lanes), -1)


def make_c(
    cfg: CoreConfig,
    rng: np.random.Generator,
    keys: np.ndarray,
    fp_gen: np.random.Generator | None = None,
) -> np.ndarray:
    """Images for ``c`` keys (ZERO, GARBAGE, :func:`c_key` or :func:`fp_c_key`).

    Starts from random bytes (GARBAGE and ``uniform`` rows keep them: any bit
    pattern is a valid INT32, and a valid binary32) and overwrites the other
    rows in place; FP rows draw from ``fp_gen`` (default: :func:`fp_rng` of ``rng``).
    """
    out = random_bytes(rng, len(keys), bus_bytes(cfg)["c"])
    lanes = out.view("<i4")
    lanes[keys == ZERO] = 0
    for i, mode in enumerate(C_MODES):
        sel = np.flatnonzero(keys == _MODE0 + i)
        if sel.size and mode != "uniform":
            lanes[sel] = c_values(rng, cfg, mode, sel.size)
    fp = keys >= FP_KEY0
    if fp.any():
        frng = fp_rng(rng) if fp_gen is None else fp_gen
        for i, mode in enumerate(FP_C_MODES):
            sel = np.flatnonzero(keys == FP_KEY0 + i)
            if sel.size and mode != "uniform":
                vals = fp_c_values(frng, mode, sel.size, cfg.M * cfg.N, cfg.fp_acc != FpAcc.FP32)
                lanes[sel] = vals.view(np.int32)
    return out


FIXED_C = {ZERO} | {_MODE0 + C_MODES.index(m) for m in ("zero", "max", "min")}
FIXED_A = {ZERO}
FIXED_W = {ZERO}


# --- one bus, fresh or pooled ---------------------------------------------------
def fill_bus(
    rng: np.random.Generator,
    keys: np.ndarray,
    make: Callable[[np.random.Generator, np.ndarray], np.ndarray],
    pool: int | None,
    fixed: set[int] = frozenset(),
) -> np.ndarray:
    """Images for every row of ``keys``: fresh (``pool`` None) or from a pool of about
    ``pool`` images.

    The pool goes to the keys rows ask for, in proportion to how many rows
    ask, with at least one image per key (one only for a ``fixed`` key, whose
    image never changes), so a knob value is never lost to a small pool; the
    pool may therefore be larger. An eighth of it is random bytes; GARBAGE
    rows (buses the instruction ignores) pick any image of the pool that is
    not a constant one (zero, INT32 limits).
    """
    keys = np.asarray(keys, dtype=np.int64)
    if pool is None or not len(keys):
        return make(rng, keys)
    junk = keys == GARBAGE
    n_junk = max(1, pool // 8) if junk.any() else 0
    uniq, inv, counts = np.unique(keys[~junk], return_inverse=True, return_counts=True)
    alloc = np.ones(len(uniq), dtype=np.int64)
    var = ~np.isin(uniq, list(fixed))
    if var.any():
        budget = max(0, pool - n_junk - int((~var).sum()))
        share = counts[var] / counts[var].sum()
        alloc[var] = np.maximum(1, np.round(budget * share)).astype(np.int64)
    start = np.cumsum(alloc) - alloc
    pool_keys = np.concatenate([np.repeat(uniq, alloc), np.full(n_junk, GARBAGE)])
    images = make(rng, pool_keys)
    pick = np.empty(len(keys), dtype=np.int64)
    pick[~junk] = start[inv] + (rng.random(inv.size) * alloc[inv]).astype(np.int64)
    varied = np.flatnonzero(~np.isin(pool_keys, list(fixed)))  # never a constant image
    pick[junk] = varied[rng.integers(0, varied.size, size=int(junk.sum()))]
    return images[pick]


def hold(images: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Rows not ``given`` repeat the last given row (zeros before the first): what
    "leave the pins as they are" means for a batch."""
    idx = np.maximum.accumulate(np.where(given, np.arange(len(given)), -1))
    out = images[np.maximum(idx, 0)]
    out[idx < 0] = 0
    return out
