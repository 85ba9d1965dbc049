"""Payload generators: numpy only (pyvsc costs ~2 ms per randomize, fine for
fields, far too slow for matrices), packed with the ``models`` bus packers.

Modes pick value *distributions*, so a sequence knob says "extremes" and the
data hits -128/127/-32768/32767, INT32 wrap-around or the table-entry limits.
"""

from __future__ import annotations

import numpy as np

from models.config import AFmt, CoreConfig, K
from models.encoding import encode_weights, pack_codes
from models.lmma import ACC_MAX, ACC_MIN, pack_c
from models.tables import act_range, pack_a

ACT_MODES = ("uniform", "extreme", "small", "entry_min", "entry_max")
C_MODES = ("zero", "uniform", "near_max", "near_min", "small")


def acts(rng: np.random.Generator, afmt: AFmt, rows: int, mode: str = "uniform") -> np.ndarray:
    """Activations ``[rows, 4]`` in ``afmt``'s range."""
    lo, hi = act_range(afmt)
    if mode == "uniform":
        return rng.integers(lo, hi, size=(rows, K), endpoint=True)
    if mode == "extreme":
        return rng.choice(np.array([lo, hi, 0, -1, 1, lo + 1, hi - 1]), size=(rows, K))
    if mode == "small":
        return rng.integers(-3, 3, size=(rows, K), endpoint=True)
    if mode == "entry_min":  # a3 + a2 + a1 + a0 at its most negative
        return np.full((rows, K), lo)
    if mode == "entry_max":  # a3 - a2 - a1 - a0 at its most positive
        a = np.full((rows, K), lo)
        a[:, 3] = hi
        return a
    raise ValueError(f"act mode {mode!r} unknown; choose one of {ACT_MODES}")


def a_bus(
    a: np.ndarray, cfg: CoreConfig, afmt: AFmt, rng: np.random.Generator | None = None
) -> int:
    """``in_a_i`` for ``a``; with ``rng`` and INT8, the ignored upper bytes carry garbage."""
    if rng is None or afmt != AFmt.INT8:
        return pack_a(a, cfg)
    lanes = (a.astype(np.int64) & 0xFF) | (rng.integers(0, 256, size=a.shape) << 8)
    return int.from_bytes(lanes.astype("<u2").tobytes(), "little")


def c_matrix(rng: np.random.Generator, cfg: CoreConfig, mode: str = "uniform") -> np.ndarray:
    """Accumulator input ``[M, N]``; near_max/near_min make ``C + sum`` wrap."""
    shape = (cfg.M, cfg.N)
    if mode == "zero":
        return np.zeros(shape, dtype=np.int64)
    if mode == "uniform":
        return rng.integers(ACC_MIN, ACC_MAX, size=shape, endpoint=True)
    if mode == "near_max":
        return ACC_MAX - rng.integers(0, 1 << 20, size=shape)
    if mode == "near_min":
        return ACC_MIN + rng.integers(0, 1 << 20, size=shape)
    if mode == "small":
        return rng.integers(-1000, 1000, size=shape, endpoint=True)
    raise ValueError(f"C mode {mode!r} unknown; choose one of {C_MODES}")


def codes(
    rng: np.random.Generator, cfg: CoreConfig, b: int, from_weights: bool = False
) -> np.ndarray:
    """Weight codes ``[b, N]`` for one K-group: uniform codes, or encoded random weights."""
    if from_weights:
        q = rng.integers(0, 1 << b, size=(K, cfg.N))
        return encode_weights(q, b)[:, 0, :]
    return rng.integers(0, 16, size=(b, cfg.N))


def w_bus(codes_bn: np.ndarray, cfg: CoreConfig, rng: np.random.Generator | None = None) -> int:
    """``in_w_i`` for codes ``[b, N]``; with ``rng`` the ignored planes ``>= b`` carry garbage."""
    b = codes_bn.shape[0]
    if rng is None or b == cfg.W_BITS_MAX:
        return pack_codes(codes_bn, cfg)
    full = rng.integers(0, 16, size=(cfg.W_BITS_MAX, cfg.N))
    full[:b] = codes_bn
    return pack_codes(full, cfg)


def c_bus(c: np.ndarray, cfg: CoreConfig) -> int:
    return pack_c(c, cfg)


def random_bus(rng: np.random.Generator, bits: int) -> int:
    """Any ``bits``-wide value (error injection payloads)."""
    return int.from_bytes(rng.bytes((bits + 7) // 8), "little") & ((1 << bits) - 1)
