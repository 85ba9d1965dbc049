# SPDX-License-Identifier: Apache-2.0
"""One LMMA: lookup, conditional negation, bit-serial shift-accumulate (docs section 1).

Mirrors the LUT unit: ``v = T[sel]; if neg: v = -v``, plane ``i`` shifted by
``i``, summed onto C with INT32 two's-complement wrap.
"""

from __future__ import annotations

from typing import overload

import numpy as np

from models.config import ACC_W, CODE_BITS, TABLE_ENTRIES, TABLE_W, CoreConfig
from models.encoding import check_bits, check_int, check_ints, check_word

ACC_MIN, ACC_MAX = -(1 << (ACC_W - 1)), (1 << (ACC_W - 1)) - 1
TABLE_MIN, TABLE_MAX = -(1 << (TABLE_W - 1)), (1 << (TABLE_W - 1)) - 1


@overload
def wrap(x: int, bits: int = ACC_W) -> int: ...
@overload
def wrap(x: np.ndarray, bits: int = ACC_W) -> np.ndarray: ...
def wrap(x, bits=ACC_W):
    """Two's-complement wrap to a signed ``bits``-bit value, like the hardware adder."""
    bits = check_int(bits, "bits", 1, 63)
    half, mask = 1 << (bits - 1), (1 << bits) - 1
    if isinstance(x, np.ndarray):
        return ((x.astype(np.int64) + half) & mask) - half
    return ((int(x) + half) & mask) - half


def _check_tables(tables: np.ndarray) -> np.ndarray:
    return check_ints(tables, "tables", TABLE_MIN, TABLE_MAX, shape=(None, TABLE_ENTRIES))


def lut_lookup(tables: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``tables [M, 8]``, ``code [N]`` -> int64 ``[M, N]``: one bit plane through the LUT units."""
    tables = _check_tables(tables)
    code = check_ints(code, "code", 0, (1 << CODE_BITS) - 1, shape=(None,))
    v = tables[:, code & 7]
    return np.where((code >> 3) == 1, -v, v)


def lmma(tables: np.ndarray, codes: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``D = wrap(C + sum_i lut_lookup(tables, codes[i]) << i)``; codes ``[b, N]``, C ``[M, N]``."""
    tables = _check_tables(tables)
    codes = check_ints(codes, "codes", 0, (1 << CODE_BITS) - 1, shape=(None, None))
    check_bits(codes.shape[0], name="b (codes.shape[0])")
    c = check_ints(c, "c", ACC_MIN, ACC_MAX, shape=(tables.shape[0], codes.shape[1]))
    acc = np.zeros_like(c)
    for i, plane in enumerate(codes):
        acc += lut_lookup(tables, plane) << i
    return wrap(c + acc)


def pack_c(c: np.ndarray, cfg: CoreConfig) -> int:
    """C or D ``[M, N]`` -> bus int: lane ``m*N + n``, 32-bit two's complement."""
    c = check_ints(c, "c", ACC_MIN, ACC_MAX, shape=(cfg.M, cfg.N))
    return int.from_bytes(c.astype("<i4").tobytes(), "little")


def unpack_c(word: int, cfg: CoreConfig) -> np.ndarray:
    """Bus int -> int64 signed ``[M, N]`` (``in_c_i`` or ``out_d_o``)."""
    word = check_word(word, "word", cfg.c_bits)
    raw = np.frombuffer(word.to_bytes(cfg.c_bits // 8, "little"), dtype="<i4")
    return raw.astype(np.int64).reshape(cfg.M, cfg.N)
