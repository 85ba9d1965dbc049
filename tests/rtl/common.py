# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the cocotb block tests (simulator side, no pytest).

The configuration reaches a test through ``LUT_TC_CONFIG`` (a name of
``models.config.CONFIGS``), ``LUT_TC_CORE`` and optionally ``LUT_TC_FORMATS``
(another ``Formats`` mask on that shape); seeds come from cocotb's
``RANDOM_SEED``.
"""

from __future__ import annotations

import dataclasses
import os

import cocotb
import numpy as np

from models.config import TABLE_ENTRIES, TABLE_W, CoreConfig, config_by_name

CONFIG_ENV = "LUT_TC_CONFIG"
CORE_ENV = "LUT_TC_CORE"
#: Optional: the named configuration's shape with this ``Formats`` mask instead.
FORMATS_ENV = "LUT_TC_FORMATS"


def config() -> CoreConfig:
    cfg = config_by_name(os.environ.get(CONFIG_ENV, "M2N4"), os.environ.get(CORE_ENV, "lut_tc"))
    formats = os.environ.get(FORMATS_ENV)
    return dataclasses.replace(cfg, formats=int(formats)) if formats else cfg


def rng() -> np.random.Generator:
    return np.random.default_rng(cocotb.RANDOM_SEED)


def to_signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def unpack_tables(word: int, rows: int) -> np.ndarray:
    """``tables_o`` bus -> int64 ``[rows, 8]``: entry j of row m at lane m*8 + j."""
    out = np.zeros((rows, TABLE_ENTRIES), dtype=np.int64)
    for m in range(rows):
        for j in range(TABLE_ENTRIES):
            out[m, j] = to_signed(word >> ((m * TABLE_ENTRIES + j) * TABLE_W), TABLE_W)
    return out


def pack_tables(tables: np.ndarray) -> int:
    """Inverse of :func:`unpack_tables`."""
    word = 0
    mask = (1 << TABLE_W) - 1
    for lane, v in enumerate(np.asarray(tables).ravel()):
        word |= (int(v) & mask) << (lane * TABLE_W)
    return word


def read_int(handle) -> int:
    """A resolved bus value as an unsigned int (fails on X/Z)."""
    value = handle.value
    assert value.is_resolvable, f"{handle._name} has X/Z bits: {value}"
    return int(value)
