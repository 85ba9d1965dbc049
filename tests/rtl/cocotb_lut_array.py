# SPDX-License-Identifier: Apache-2.0
"""``lut_array`` against ``models.lmma.lmma``, every b in 1..WBitsMax.

The test plays the core's sequencing: C is loaded (``load_i``) one cycle
before plane 0, planes 0..b-2 accumulate (``acc_en_i``), and the last
plane's ``sum_o`` is read combinationally while the next LMMA's C is loaded
in the same cycle, exactly as ``lut_tensor_core`` overlaps back-to-back LMMAs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from models.config import CODE_BITS, AFmt, K
from models.encoding import encode_weights
from models.lmma import ACC_MAX, ACC_MIN, lmma, pack_c, unpack_c
from models.tables import act_range, make_tables
from tests.rtl.common import config, pack_tables, read_int, rng


@dataclass
class Job:
    tables: np.ndarray  # [M, 8]
    codes: np.ndarray  # [b, N]
    c: np.ndarray  # [M, N]


def plane_word(codes: np.ndarray) -> int:
    word = 0
    for n, code in enumerate(codes):
        word |= int(code) << (n * CODE_BITS)
    return word


async def run_jobs(dut, jobs: list[Job]) -> None:
    """Issue the jobs back to back and compare each D with the model."""
    cfg = config()
    dut.load_i.value = 1
    dut.acc_en_i.value = 0
    dut.c_i.value = pack_c(jobs[0].c, cfg)
    dut.codes_i.value = 0
    dut.plane_i.value = 0
    dut.tables_i.value = 0
    await RisingEdge(dut.clk_i)
    for k, job in enumerate(jobs):
        b = job.codes.shape[0]
        want = lmma(job.tables, job.codes, job.c)
        for i in range(b):
            last = i == b - 1
            dut.tables_i.value = pack_tables(job.tables)
            dut.codes_i.value = plane_word(job.codes[i])
            dut.plane_i.value = i
            dut.acc_en_i.value = 0 if last else 1
            nxt = jobs[k + 1] if last and k + 1 < len(jobs) else None
            dut.load_i.value = 1 if nxt is not None else 0
            dut.c_i.value = pack_c(nxt.c, cfg) if nxt is not None else 0
            if last:
                await ReadOnly()
                got = unpack_c(read_int(dut.sum_o), cfg)
                if not np.array_equal(got, want):
                    raise AssertionError(
                        f"job {k} b={b}\ntables={job.tables.tolist()}\ncodes={job.codes.tolist()}\n"
                        f"c={job.c.tolist()}\n got={got.tolist()}\nwant={want.tolist()}"
                    )
            await RisingEdge(dut.clk_i)
    dut.load_i.value = 0
    dut.acc_en_i.value = 0


def random_job(r: np.random.Generator, b: int, afmt: AFmt = AFmt.INT16) -> Job:
    cfg = config()
    lo, hi = act_range(afmt)
    tables = make_tables(r.integers(lo, hi + 1, size=(cfg.M, K)), afmt)
    q = r.integers(0, 1 << b, size=(K, cfg.N))
    codes = encode_weights(q, b)[:, 0, :].astype(np.int64)
    c = r.integers(ACC_MIN, ACC_MAX + 1, size=(cfg.M, cfg.N))
    return Job(tables, codes, c)


async def start(dut) -> None:
    Clock(dut.clk_i, 10, unit="ns").start()
    await RisingEdge(dut.clk_i)


@cocotb.test()
async def every_b_random(dut):
    """Random tables, codes and C for every b, INT8 and INT16 tables, back to back."""
    await start(dut)
    cfg, r = config(), rng()
    jobs = []
    for b in range(1, cfg.W_BITS_MAX + 1):
        for afmt in (AFmt.INT8, AFmt.INT16):
            jobs += [random_job(r, b, afmt) for _ in range(6)]
    r.shuffle(jobs)
    await run_jobs(dut, jobs)


@cocotb.test()
async def raw_codes(dut):
    """Arbitrary 4-bit codes (every {neg, sel}) with small C, every b."""
    await start(dut)
    cfg, r = config(), rng()
    jobs = []
    for b in range(1, cfg.W_BITS_MAX + 1):
        for _ in range(4):
            tables = make_tables(r.integers(-32768, 32768, size=(cfg.M, K)), AFmt.INT16)
            codes = r.integers(0, 1 << CODE_BITS, size=(b, cfg.N))
            c = r.integers(-1000, 1000, size=(cfg.M, cfg.N))
            jobs.append(Job(tables, codes, c))
    # Each code value at least once in every column, for the widest b.
    b = cfg.W_BITS_MAX
    for start_code in range(0, 16, b):
        codes = np.array([[(start_code + i + n) % 16 for n in range(cfg.N)] for i in range(b)])
        tables = make_tables(r.integers(-128, 128, size=(cfg.M, K)), AFmt.INT8)
        jobs.append(Job(tables, codes, np.zeros((cfg.M, cfg.N), dtype=np.int64)))
    await run_jobs(dut, jobs)


@cocotb.test()
async def extremes_and_wrap(dut):
    """Largest |entries| with all-ones / all-zeros weights, and C near +-2^31 so D wraps."""
    await start(dut)
    cfg, r = config(), rng()
    jobs = []
    near = [ACC_MAX, ACC_MAX - 1, ACC_MIN, ACC_MIN + 1, 0, -1]
    for b in range(1, cfg.W_BITS_MAX + 1):
        for v in (-32768, 32767):
            tables = make_tables(np.full((cfg.M, K), v), AFmt.INT16)
            for qv in (0, (1 << b) - 1):
                q = np.full((K, cfg.N), qv)
                codes = encode_weights(q, b)[:, 0, :].astype(np.int64)
                c = r.choice(near, size=(cfg.M, cfg.N))
                jobs.append(Job(tables, codes, c))
    await run_jobs(dut, jobs)
    # Show that wrapping really happened for at least one lane.
    wrapped = 0
    for job in jobs:
        exact = job.c + (lmma(job.tables, job.codes, np.zeros_like(job.c)))
        wrapped += int(np.count_nonzero((exact > ACC_MAX) | (exact < ACC_MIN)))
    assert wrapped > 0, "no lane wrapped: the INT32 wrap test is vacuous"
    dut._log.info("lanes that wrapped around INT32: %d", wrapped)
