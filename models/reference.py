# SPDX-License-Identifier: Apache-2.0
"""The plain math the LUT path must reproduce: no tables, no codes, no buses.

``symmetric_matmul`` is what the core computes; ``dequant_matmul`` is what the
user wants; ``dequant_from_symmetric`` is the epilogue that links them. The
one LUT-based helper, ``lut_matmul``, is here so a whole GEMM can be checked
against the math without a tiler or a bus.
"""

from __future__ import annotations

import numpy as np

from models.config import AFmt
from models.encoding import check_bits, check_ints, encode_weights
from models.lmma import lmma
from models.tables import act_range, make_tables

_I64 = np.iinfo(np.int64)


def _gemm_operands(a: np.ndarray, q: np.ndarray, b: int | None) -> tuple[np.ndarray, np.ndarray]:
    a = check_ints(a, "a", _I64.min, _I64.max, shape=(None, None))
    hi = _I64.max if b is None else (1 << b) - 1
    q = check_ints(q, "q", 0, hi, shape=(a.shape[1], None))
    return a, q


def symmetric_matmul(a: np.ndarray, q: np.ndarray, b: int) -> np.ndarray:
    """int64 ``a @ (2q - (2^b - 1))``: the odd, zero-centred weights of the paper."""
    b = check_bits(b)
    a, q = _gemm_operands(a, q, b)
    return a @ (2 * q - ((1 << b) - 1))


def dequant_matmul(a: np.ndarray, q: np.ndarray, s: np.ndarray, z: np.ndarray) -> np.ndarray:
    """float64 ``a @ (s * (q - z))`` with scale and zero point per column."""
    a, q = _gemm_operands(a, q, None)
    s, z = _per_column(s, "s", q.shape[1]), _per_column(z, "z", q.shape[1])
    return a.astype(np.float64) @ (s * (q - z))


def dequant_from_symmetric(
    d_sym: np.ndarray, a: np.ndarray, s: np.ndarray, z: np.ndarray, b: int
) -> np.ndarray:
    """The epilogue outside the array: ``s' * (d_sym - z' * rowsum(a))``.

    ``s' = s/2``, ``z' = 2z + 1 - 2^b``; the row sum is table entry 7, so the
    hardware already has it.
    """
    b = check_bits(b)
    a = check_ints(a, "a", _I64.min, _I64.max, shape=(None, None))
    d_sym = np.asarray(d_sym, dtype=np.float64)
    if d_sym.ndim != 2 or d_sym.shape[0] != a.shape[0]:
        raise ValueError(f"d_sym has shape {list(d_sym.shape)}, expected [{a.shape[0]}, *]")
    n = d_sym.shape[1]
    s, z = _per_column(s, "s", n), _per_column(z, "z", n)
    s2, z2 = s / 2, 2 * z + 1 - (1 << b)
    return s2 * (d_sym - z2 * a.sum(axis=1, dtype=np.float64)[:, None])


def lut_matmul(a: np.ndarray, q: np.ndarray, b: int, afmt: AFmt) -> np.ndarray:
    """The LUT path over a whole ``[Mt, Kt] x [Kt, Nt]`` GEMM, C chained per group (INT32 wrap)."""
    a = check_ints(a, "a", *act_range(afmt), shape=(None, None))
    codes = encode_weights(q, b)  # checks q, b and Kt % 4
    if a.shape[1] != 4 * codes.shape[1]:
        raise ValueError(f"a has {a.shape[1]} columns, q has {4 * codes.shape[1]} rows")
    d = np.zeros((a.shape[0], codes.shape[2]), dtype=np.int64)
    for g in range(codes.shape[1]):
        d = lmma(make_tables(a[:, 4 * g : 4 * g + 4], afmt), codes[:, g, :], d)
    return d


def _per_column(v: np.ndarray, name: str, n: int) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (n,):
        raise ValueError(f"{name} has shape {list(v.shape)}, expected [{n}] (one per column)")
    return v
