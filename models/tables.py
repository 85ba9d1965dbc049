# SPDX-License-Identifier: Apache-2.0
"""Symmetrized lookup tables and the activation bus (docs sections 2 and 4).

Only the 8 entries with index bit 3 set are stored; the other half of ``F`` is
their negation, reached through the ``neg`` bit of a weight code.
"""

from __future__ import annotations

import numpy as np

from models.config import ACT_LANE_BITS, INT_AFMT_BITS, TABLE_ENTRIES, AFmt, CoreConfig, K
from models.encoding import check_ints, check_word

#: SIGNS[j, k] = 2*j_k - 1 for k < 3, and +1 for a_3: T[m] = a[m] @ SIGNS.T
SIGNS = np.array(
    [[2 * ((j >> k) & 1) - 1 for k in range(K - 1)] + [1] for j in range(TABLE_ENTRIES)],
    dtype=np.int64,
)


def check_any_afmt(afmt: object, name: str = "afmt") -> AFmt:
    """Any activation format an instruction can name, integer or FP (codes 0..5).

    Instruction builders use this one; whether an instance builds the format
    is a property of its ``CoreConfig`` (``cfg.builds``), checked separately.
    """
    try:
        return AFmt(afmt)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{name}={afmt!r} is not an activation format") from None


def check_afmt(afmt: object, name: str = "afmt") -> AFmt:
    """The integer activation formats, the ones :func:`make_tables` builds tables for.

    FP tables follow another contract (``models.fp``); :func:`check_any_afmt`
    accepts every format.
    """
    fmt = check_any_afmt(afmt, name)
    if fmt not in INT_AFMT_BITS:
        raise ValueError(f"{name}={fmt.name} is not an integer format; choose INT8 or INT16")
    return fmt


def act_range(afmt: AFmt) -> tuple[int, int]:
    """Inclusive value range of a format, e.g. (-128, 127) for INT8."""
    bits = INT_AFMT_BITS[check_afmt(afmt)]
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def check_act(a: object, afmt: AFmt, rows: int | None = None, name: str = "a") -> np.ndarray:
    """Activations ``[rows, 4]`` within the format's range."""
    lo, hi = act_range(afmt)
    return check_ints(a, name, lo, hi, shape=(rows, K))


def make_tables(a: np.ndarray, afmt: AFmt) -> np.ndarray:
    """``a [M, 4]`` -> int64 ``[M, 8]``, ``T[m][j] = a3 + sum_{k<3} (2 j_k - 1) a_k``."""
    a = check_act(a, afmt)
    return a @ SIGNS.T


def pack_a(a: np.ndarray, cfg: CoreConfig) -> int:
    """``a [M, 4]`` -> ``in_a_i``: lane ``m*4 + k``, 16-bit two's complement.

    INT8 values are therefore sign-extended into bits [15:8], which the RTL ignores.
    """
    a = check_act(a, AFmt.INT16, rows=cfg.M)
    return int.from_bytes(a.astype("<i2").tobytes(), "little")


def unpack_lanes(word: int, cfg: CoreConfig) -> np.ndarray:
    """``in_a_i`` -> the raw 16-bit lanes, uint16 ``[M, 4]`` (FP formats read bit patterns)."""
    word = check_word(word, "word", cfg.a_bits)
    raw = np.frombuffer(word.to_bytes(cfg.a_bits // 8, "little"), dtype="<u2")
    return raw.astype(np.uint16).reshape(cfg.M, K)


def unpack_a(word: int, cfg: CoreConfig, afmt: AFmt) -> np.ndarray:
    """``in_a_i`` -> int64 ``[M, 4]`` as the hardware reads it: INT8 uses only bits [7:0]."""
    afmt = check_afmt(afmt)
    raw = unpack_lanes(word, cfg).view(np.int16).astype(np.int64).reshape(-1)
    bits = INT_AFMT_BITS[afmt]
    if bits < ACT_LANE_BITS:
        half = 1 << (bits - 1)
        raw = ((raw & ((1 << bits) - 1)) ^ half) - half
    return raw.reshape(cfg.M, K)
