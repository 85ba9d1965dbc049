# SPDX-License-Identifier: Apache-2.0
"""Offline weight encoding: bit planes and the 4-bit ``{neg, sel}`` codes.

The inversion of the three index bits for negative entries is done here, once,
so the hardware only muxes and conditionally negates (docs section 3).

The argument checks shared by every model module live here too, the lowest
layer, so all of them raise the same ``ValueError`` text naming the argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.config import CODE_BITS, CoreConfig, K

MAX_WEIGHT_BITS = 8  #: widest weight the model (and the W8 RTL variants) support


# --- shared argument checks -------------------------------------------------


def check_int(value: Any, name: str, lo: int, hi: int) -> int:
    """A Python int in ``[lo, hi]``, else ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} must be an integer")
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value} out of range [{lo}, {hi}]")
    return int(value)


def check_ints(
    x: Any, name: str, lo: int, hi: int, shape: tuple[int | None, ...] | None = None
) -> np.ndarray:
    """An int64 array with every value in ``[lo, hi]`` (and the given shape; None = any)."""
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            s is None or s == d for s, d in zip(shape, arr.shape, strict=True)
        )
        if not ok:
            want = "[" + ", ".join("*" if s is None else str(s) for s in shape) + "]"
            raise ValueError(f"{name} has shape {list(arr.shape)}, expected {want}")
    if arr.size and (arr.min() < lo or arr.max() > hi):
        bad = arr[(arr < lo) | (arr > hi)].flat[0]
        raise ValueError(f"{name} holds {int(bad)}, out of range [{lo}, {hi}]")
    return arr.astype(np.int64)


def check_word(word: Any, name: str, bits: int) -> int:
    """A bus or instruction word: a non-negative int below ``2**bits``."""
    return check_int(word, name, 0, (1 << bits) - 1)


def check_bits(b: Any, hi: int = MAX_WEIGHT_BITS, name: str = "b") -> int:
    """Weight bit width ``b`` in ``1..hi``."""
    return check_int(b, name, 1, hi)


# --- bit planes and codes ---------------------------------------------------


def bit_planes(q: np.ndarray, b: int) -> np.ndarray:
    """uint8 ``[b, *q.shape]``, plane ``i`` = bit ``i`` of ``q``: the bit-serial view."""
    b = check_bits(b)
    q = check_ints(q, "q", 0, (1 << b) - 1)
    shifts = np.arange(b, dtype=np.int64).reshape((b,) + (1,) * q.ndim)
    return ((q[None] >> shifts) & 1).astype(np.uint8)


def _idx_to_code(idx: np.ndarray) -> np.ndarray:
    # idx[3] == 1: {0, idx[2:0]};  idx[3] == 0: {1, ~idx[2:0]}  (F[~idx] = -F[idx])
    neg = (idx >> 3) == 0
    sel = np.where(neg, ~idx & 7, idx & 7)
    return ((neg.astype(np.int64) << 3) | sel).astype(np.uint8)


def _code_to_idx(code: np.ndarray) -> np.ndarray:
    neg = (code >> 3) & 1
    sel = code & 7
    return np.where(neg == 1, ~sel & 7, 8 | sel).astype(np.int64)


def encode_weights(q: np.ndarray, b: int) -> np.ndarray:
    """``q [Kt, N]`` -> codes uint8 ``[b, Kt//4, N]``, the form the LMMA bus carries."""
    b = check_bits(b)
    q = check_ints(q, "q", 0, (1 << b) - 1, shape=(None, None))
    kt, n = q.shape
    if kt % K:
        raise ValueError(f"Kt={kt} (rows of q) must be a multiple of {K}")
    planes = bit_planes(q, b).astype(np.int64).reshape(b, kt // K, K, n)
    idx = (planes << np.arange(K).reshape(1, 1, K, 1)).sum(axis=2)
    return _idx_to_code(idx)


def decode_weights(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`encode_weights`: codes ``[b, G, N]`` -> ``q [G*4, N]``."""
    codes = check_ints(codes, "codes", 0, (1 << CODE_BITS) - 1, shape=(None, None, None))
    b, g, n = codes.shape
    check_bits(b, name="b (codes.shape[0])")
    idx = _code_to_idx(codes)  # [b, G, N]
    bits = (idx[:, :, None, :] >> np.arange(K).reshape(1, 1, K, 1)) & 1  # [b, G, K, N]
    q = (bits << np.arange(b).reshape(b, 1, 1, 1)).sum(axis=0)
    return q.reshape(g * K, n)


# --- the weight-code bus ----------------------------------------------------


def _pack_nibbles(lanes: np.ndarray) -> int:
    lanes = lanes.astype(np.uint8).ravel()
    if lanes.size % 2:
        lanes = np.append(lanes, np.uint8(0))
    return int.from_bytes((lanes[0::2] | (lanes[1::2] << 4)).tobytes(), "little")


def _unpack_nibbles(word: int, count: int) -> np.ndarray:
    raw = np.frombuffer(word.to_bytes((count + 1) // 2, "little"), dtype=np.uint8)
    return np.stack([raw & 0xF, raw >> 4], axis=1).ravel()[:count]


def pack_codes(codes: np.ndarray, cfg: CoreConfig) -> int:
    """Codes ``[b, N]`` of one group -> ``in_w_i``: lane ``i*N + n``; planes ``>= b`` are 0."""
    codes = check_ints(codes, "codes", 0, (1 << CODE_BITS) - 1, shape=(None, cfg.N))
    check_bits(codes.shape[0], hi=cfg.W_BITS_MAX, name="b (codes.shape[0])")
    lanes = np.zeros((cfg.W_BITS_MAX, cfg.N), dtype=np.uint8)
    lanes[: codes.shape[0]] = codes
    return _pack_nibbles(lanes)


def unpack_codes(word: int, b: int, cfg: CoreConfig) -> np.ndarray:
    """``in_w_i`` -> codes uint8 ``[b, N]``; lanes of planes ``>= b`` are ignored like the RTL."""
    word = check_word(word, "word", cfg.w_bits)
    b = check_bits(b, hi=cfg.W_BITS_MAX)
    lanes = _unpack_nibbles(word, cfg.W_BITS_MAX * cfg.N).reshape(cfg.W_BITS_MAX, cfg.N)
    return lanes[:b].copy()
