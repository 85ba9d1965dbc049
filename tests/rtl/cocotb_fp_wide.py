# SPDX-License-Identifier: Apache-2.0
"""A core that builds every format with 8-bit weights (``M2N4FPW8``) answers like the model:
LUTGEN then LMMA at every width 1..8 for every format, random weight codes plus, at
8 bits, columns of ``w = +255`` and ``w = -255`` (the MAC core's widest FP products),
FP-shaped activations and special C values. Bit-exact against ``models.core.CoreModel``, which
follows the MAC core's own FP order (``models.fp.mac_fp_lmma``) on that core.
"""

from __future__ import annotations

import cocotb

from models import isa
from models.config import Status
from models.core import CoreModel
from models.encoding import pack_codes
from models.lmma import pack_c
from models.tables import pack_a
from tests.rtl.cocotb_core_smoke import Bench, Txn, check
from tests.rtl.cocotb_one_format import _c, _lanes
from tests.rtl.common import rng

ROUNDS = 2  #: LUTGENs per format, each followed by an LMMA of every width


@cocotb.test()
async def every_format_every_width(dut):
    bench = Bench(dut)
    await bench.reset()
    cfg, r = bench.cfg, rng()
    assert cfg.W_BITS_MAX == 8 and cfg.has_fp, f"{cfg.name}: not an FP core with 8-bit weights"
    txns: list[Txn] = []
    for afmt in cfg.afmts:
        for round_ in range(ROUNDS):
            treg = (int(afmt) + round_) % cfg.T
            a = pack_a(_lanes(r, afmt, cfg.M), cfg)
            txns.append(Txn(isa.lutgen(treg, afmt, tag=len(txns) & 0xFF, cfg=cfg), a=a))
            for b in range(1, cfg.W_BITS_MAX + 1):
                codes = r.integers(0, 16, (cfg.W_BITS_MAX, cfg.N))
                if b == cfg.W_BITS_MAX and round_ == 0:
                    # Code 0x7 in every plane is q = 255 for all four weights (w = +255),
                    # code 0xF is q = 0 (w = -255): the widest products, certainly.
                    codes[:, 0], codes[:, 1] = 0x7, 0xF
                w = pack_codes(codes, cfg)
                c = pack_c(_c(r, afmt, (cfg.M, cfg.N)), cfg)
                word = isa.lmma(treg, afmt, b, tag=len(txns) & 0xFF, cfg=cfg)
                txns.append(Txn(word, w=w, c=c))
    got = await bench.run(txns)
    check(CoreModel(cfg), txns, got)
    assert all(g.status == Status.OK for g in got), "an instruction of the stream was refused"
    n_lmma = len(cfg.afmts) * ROUNDS * cfg.W_BITS_MAX
    dut._log.info(
        "%s: %d LMMAs over %d formats, b = 1..8, all bit-exact", cfg.name, n_lmma, len(cfg.afmts)
    )
