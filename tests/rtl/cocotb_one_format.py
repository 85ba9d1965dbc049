# SPDX-License-Identifier: Apache-2.0
"""A one-format instance (``Formats`` with one bit, as ``make ppa`` builds them) answers
like the model: LUTGEN then LMMA of every width on its format, with FP-shaped or
integer operands, and every other format refused. Bit-exact against
``models.core.CoreModel`` (the MAC core's FP contract included).
"""

from __future__ import annotations

import cocotb
import numpy as np

from models import isa
from models.config import FP_AFMTS, AFmt, K, Opcode, Status
from models.core import CoreModel
from models.encoding import pack_codes
from models.isa import Instr
from models.lmma import pack_c
from models.tables import act_range, pack_a
from tests.rtl.cocotb_core_smoke import Bench, Txn, check
from tests.rtl.common import rng

#: binary32 C values worth meeting: zeros, +-1, a subnormal, the largest, inf, NaN.
C_SPECIALS = [0, 0x80000000, 0x3F800000, 0xBF800000, 0x00000001, 0x7F7FFFFF, 0x7F800000, 0x7FC00000]


def _lanes(r: np.random.Generator, afmt: AFmt, m: int) -> np.ndarray:
    """Activation lanes [m, 4]: random patterns of an FP format, values of an integer one."""
    if afmt in FP_AFMTS:
        raw = r.integers(0, 1 << 16, (m, K))
        near_one = {AFmt.FP16: 0x3C00, AFmt.BF16: 0x3F80}.get(afmt, 0x38)
        keep = r.random((m, K)) < 0.5  # half near one, so sums round rather than saturate
        raw = np.where(keep, near_one + r.integers(0, 16, (m, K)), raw)
        return raw.astype(np.uint16).view(np.int16).astype(np.int64)
    lo, hi = act_range(afmt)
    return r.integers(lo, hi + 1, (m, K))


def _c(r: np.random.Generator, afmt: AFmt, shape: tuple[int, int]) -> np.ndarray:
    if afmt in FP_AFMTS:
        c = np.where(
            r.random(shape) < 0.25,
            r.choice(np.array(C_SPECIALS, dtype=np.uint32), shape),
            np.uint32(0x3F800000) + r.integers(0, 1 << 20, shape).astype(np.uint32),
        )
        return c.astype(np.uint32).view(np.int32).astype(np.int64)
    return r.integers(-(1 << 31), 1 << 31, shape)


@cocotb.test()
async def its_format_every_width_others_refused(dut):
    bench = Bench(dut)
    await bench.reset()
    cfg, r = bench.cfg, rng()
    (afmt,) = cfg.afmts
    txns: list[Txn] = []
    for round_ in range(6):
        treg = round_ % cfg.T
        lanes = _lanes(r, afmt, cfg.M)
        if afmt not in FP_AFMTS and round_ < 2:  # all lanes at one end: the widest sums
            lanes = np.full_like(lanes, act_range(afmt)[round_])
        a = pack_a(lanes, cfg)
        txns.append(Txn(isa.lutgen(treg, afmt, tag=len(txns) & 0xFF, cfg=cfg), a=a))
        for b in range(1, cfg.W_BITS_MAX + 1):
            w = pack_codes(r.integers(0, 16, (cfg.W_BITS_MAX, cfg.N)), cfg)
            c = pack_c(_c(r, afmt, (cfg.M, cfg.N)), cfg)
            txns.append(Txn(isa.lmma(treg, afmt, b, tag=len(txns) & 0xFF, cfg=cfg), w=w, c=c))
    for other in AFmt:
        if other != afmt:
            word = isa.encode(Instr(Opcode.LUTGEN, 0, other, tag=len(txns) & 0xFF))
            txns.append(Txn(word, a=1))
    got = await bench.run(txns)
    check(CoreModel(cfg), txns, got)
    statuses = [g.status for g in got]
    assert statuses.count(Status.UNSUPPORTED) == len(AFmt) - 1
    assert sum(g.d.any() for g in got) > 10, "no LMMA gave a non-zero D"
