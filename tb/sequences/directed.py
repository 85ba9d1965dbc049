"""Directed smoke: one LUTGEN + LMMA for every activation format and weight width."""

from __future__ import annotations

from models import isa
from models.config import AFmt
from tb.sequences import data
from tb.sequences.base import LutTcBaseSeq


class DirectedSeq(LutTcBaseSeq):
    """For afmt in (INT8, INT16) and b in 1..WBitsMax: LUTGEN then LMMA on a rotating register.

    The first pair of each format uses extreme activations and C near INT32
    max (wrap-around); later pairs use uniform values, garbage in the ignored
    bus bits (INT8 upper bytes, planes >= b), and a second LMMA re-using the
    table with fresh weights.
    """

    def __init__(self, name: str = "directed_seq") -> None:
        super().__init__(name)

    async def body(self) -> None:
        cfg, rng = self.cfg, self.rng
        k = 0
        for afmt in (AFmt.INT8, AFmt.INT16):
            for b in range(1, cfg.W_BITS_MAX + 1):
                treg = k % cfg.T
                first = b == 1
                a = data.acts(rng, afmt, cfg.M, "extreme" if first else "uniform")
                a_bus = data.a_bus(a, cfg, afmt, None if first else rng)
                await self.send(isa.lutgen(treg, afmt, self.tags.next(), cfg), a_bus=a_bus)
                for rep in range(1 if b % 2 else 2):
                    c = data.c_matrix(rng, cfg, "near_max" if first else "uniform")
                    codes = data.codes(rng, cfg, b, from_weights=bool(rep))
                    await self.send(
                        isa.lmma(treg, afmt, b, self.tags.next(), cfg=cfg),
                        w_bus=data.w_bus(codes, cfg, None if first else rng),
                        c_bus=data.c_bus(c, cfg),
                    )
                k += 1
