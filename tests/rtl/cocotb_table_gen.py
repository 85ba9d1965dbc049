# SPDX-License-Identifier: Apache-2.0
"""``lut_table_gen`` against ``models.tables.make_tables`` (combinational block)."""

from __future__ import annotations

import itertools

import cocotb
import numpy as np
from cocotb.triggers import Timer

from models.config import ACT_LANE_BITS, AFmt, K
from models.tables import act_range, make_tables, pack_a
from tests.rtl.common import config, read_int, rng, unpack_tables


async def check(dut, a: np.ndarray, afmt: AFmt, word: int | None = None) -> None:
    """Drive ``a [M, 4]`` (or a raw bus ``word`` that holds it) and compare all entries."""
    m_rows = a.shape[0]
    cfg = config()
    dut.a_i.value = pack_a(a, cfg) if word is None else word
    dut.afmt_i.value = int(afmt)
    await Timer(1, unit="ns")
    got = unpack_tables(read_int(dut.tables_o), m_rows)
    want = make_tables(a, afmt)
    if not np.array_equal(got, want):
        raise AssertionError(
            f"{afmt.name} a={a.tolist()}\n got={got.tolist()}\nwant={want.tolist()}"
        )


def rows_of(values: list[list[int]], m_rows: int):
    """Group activation 4-tuples into [M, 4] blocks (the last one padded with zeros)."""
    for i in range(0, len(values), m_rows):
        block = values[i : i + m_rows]
        block += [[0] * K] * (m_rows - len(block))
        yield np.array(block, dtype=np.int64)


@cocotb.test()
async def random_values(dut):
    """Uniform random activations, both formats."""
    cfg, r = config(), rng()
    for afmt in (AFmt.INT8, AFmt.INT16):
        lo, hi = act_range(afmt)
        for _ in range(200):
            await check(dut, r.integers(lo, hi + 1, size=(cfg.M, K)), afmt)


@cocotb.test()
async def extremes(dut):
    """Every 4-tuple of {min, min+1, -1, 0, 1, max} per format: sums reach +-2^17."""
    cfg = config()
    for afmt in (AFmt.INT8, AFmt.INT16):
        lo, hi = act_range(afmt)
        corners = [lo, lo + 1, -1, 0, 1, hi]
        tuples = [list(t) for t in itertools.product(corners, repeat=K)]
        for a in rows_of(tuples, cfg.M):
            await check(dut, a, afmt)
    # The widest entries explicitly: all-min and all-max rows.
    for afmt in (AFmt.INT8, AFmt.INT16):
        lo, hi = act_range(afmt)
        for v in (lo, hi):
            await check(dut, np.full((cfg.M, K), v, dtype=np.int64), afmt)


@cocotb.test()
async def int8_ignores_high_byte(dut):
    """INT8 lanes carry garbage in bits [15:8]; the hardware must use bits [7:0] only."""
    cfg, r = config(), rng()
    lanes = cfg.M * K
    for _ in range(200):
        a = r.integers(-128, 128, size=(cfg.M, K))
        word = pack_a(a, cfg)
        garbage = 0
        for lane in range(lanes):
            garbage |= int(r.integers(0, 256)) << (lane * ACT_LANE_BITS + 8)
        high = sum(0xFF << (lane * ACT_LANE_BITS + 8) for lane in range(lanes))
        await check(dut, a, AFmt.INT8, word=(word & ~high) | garbage)


@cocotb.test()
async def entry_order(dut):
    """One-hot activations pin the entry order of docs section 2 exactly."""
    cfg = config()
    for k in range(K):
        a = np.zeros((cfg.M, K), dtype=np.int64)
        a[:, k] = 1
        a[cfg.M - 1, k] = 100  # rows differ, so a row swap shows too
        await check(dut, a, AFmt.INT16)
