"""Constrained-random instruction stream with knobs.

Fields come from a pyvsc ``randobj`` (instruction mix, weight-width
distribution); state-dependent choices (which table register an LMMA reads,
i.e. the reuse distance) and all bulk data come from numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import vsc

from models import isa
from models.config import AFmt, Opcode
from tb import rand
from tb.sequences import data
from tb.sequences.base import LutTcBaseSeq


@vsc.randobj
class InstrFields:
    """kind 0 = LUTGEN, 1 = LMMA, 2 = an instruction with one field made illegal.

    Weights are plain ints fixed at construction (the constraint model is
    elaborated then): ``mix`` = (LUTGEN, LMMA, illegal), ``b_weights[b-1]``.
    """

    def __init__(self, T: int, W: int, mix: tuple[int, int, int], b_weights: list[int]) -> None:
        self.kind = vsc.rand_uint8_t()
        self.treg = vsc.rand_uint8_t()
        self.afmt = vsc.rand_uint8_t()
        self.wbits = vsc.rand_uint8_t()
        self.T, self.W, self.mix, self.b_weights = T, W, mix, b_weights

    @vsc.constraint
    def c_mix(self):
        vsc.dist(self.kind, [vsc.weight(k, w) for k, w in enumerate(self.mix) if w > 0])
        self.afmt.inside(vsc.rangelist(0, 1))
        self.treg < self.T  # noqa: B015 (pyvsc constraint expression)

    @vsc.constraint
    def c_wbits(self):
        vsc.solve_order(self.kind, self.wbits)
        with vsc.if_then(self.kind == 1):
            vsc.dist(
                self.wbits, [vsc.weight(b + 1, w) for b, w in enumerate(self.b_weights) if w > 0]
            )
        with vsc.else_then:
            self.wbits == 0  # noqa: B015 (pyvsc constraint expression)


@dataclass
class StreamKnobs:
    """What a test can turn; defaults give a balanced, mostly-legal stream."""

    n: int = 200
    mix: tuple[int, int, int] = (30, 60, 10)  #: weights LUTGEN, LMMA, illegal
    b_weights: dict[int, int] = field(default_factory=dict)  #: b -> weight (default flat)
    act_modes: dict[str, int] = field(
        default_factory=lambda: {
            "uniform": 50,
            "extreme": 25,
            "small": 10,
            "entry_min": 5,
            "entry_max": 5,
        }
    )
    c_modes: dict[str, int] = field(
        default_factory=lambda: {
            "zero": 15,
            "uniform": 40,
            "near_max": 15,
            "near_min": 15,
            "small": 15,
        }
    )
    p_dirty: float = 0.3  #: garbage in ignored bus bits
    p_reuse_latest: float = 0.5  #: LMMA reads the register written last (reuse distance 0..)
    p_wrong_afmt: float = 0.05  #: LMMA with the other format (TABLE_INVALID)


class RandomStreamSeq(LutTcBaseSeq):
    def __init__(self, name: str = "random_stream_seq", knobs: StreamKnobs | None = None) -> None:
        super().__init__(name)
        self.knobs = knobs or StreamKnobs()
        cfg = self.cfg
        b_weights = [self.knobs.b_weights.get(b, 10) for b in range(1, cfg.W_BITS_MAX + 1)]
        self.fields = InstrFields(cfg.T, cfg.W_BITS_MAX, self.knobs.mix, b_weights)
        self.fields.set_randstate(rand.vsc_state(name))
        self.written: dict[int, AFmt] = {}  # treg -> afmt of the table the DUT holds
        self.last_written: int | None = None

    def _pick(self, weights: dict[str, int]) -> str:
        names = list(weights)
        p = [weights[n] for n in names]
        return names[self.pyrng.choices(range(len(names)), weights=p)[0]]

    async def body(self) -> None:
        cfg, rng, kn = self.cfg, self.rng, self.knobs
        resets = self.resets_seen()
        for _ in range(kn.n):
            if self.resets_seen() != resets:  # tables are gone
                resets = self.resets_seen()
                self.written.clear()
                self.last_written = None
            f = self.fields
            f.randomize()
            kind, treg, afmt, b = int(f.kind), int(f.treg), AFmt(int(f.afmt)), int(f.wbits)
            if kind == 1 and not self.written:
                kind = 0  # nothing to read yet
            if kind == 0:
                a = data.acts(rng, afmt, cfg.M, self._pick(kn.act_modes))
                dirty = rng if self.pyrng.random() < kn.p_dirty else None
                await self.send(
                    isa.lutgen(treg, afmt, self.tags.next(), cfg),
                    a_bus=data.a_bus(a, cfg, afmt, dirty),
                )
                self.written[treg] = afmt
                self.last_written = treg
            elif kind == 1:
                if self.last_written is not None and self.pyrng.random() < kn.p_reuse_latest:
                    treg = self.last_written
                else:
                    treg = self.pyrng.choice(sorted(self.written))
                afmt = self.written[treg]
                if self.pyrng.random() < kn.p_wrong_afmt:
                    afmt = AFmt.INT16 if afmt == AFmt.INT8 else AFmt.INT8
                dirty = rng if self.pyrng.random() < kn.p_dirty else None
                codes = data.codes(rng, cfg, b, from_weights=self.pyrng.random() < 0.3)
                c = data.c_matrix(rng, cfg, self._pick(kn.c_modes))
                await self.send(
                    isa.lmma(treg, afmt, b, self.tags.next(), cfg=cfg),
                    w_bus=data.w_bus(codes, cfg, dirty),
                    c_bus=data.c_bus(c, cfg),
                )
            else:
                await self.send(self._illegal(treg, afmt), c_bus=None)

    def _illegal(self, treg: int, afmt: AFmt) -> int:
        """A LUTGEN/LMMA word with exactly one field broken (docs section 6)."""
        cfg, r = self.cfg, self.pyrng
        op = r.choice([Opcode.LUTGEN, Opcode.LMMA])
        f = dict(
            opcode=int(op),
            treg=treg,
            afmt=int(afmt),
            wbits=0 if op == Opcode.LUTGEN else r.randint(1, cfg.W_BITS_MAX),
            accfmt=0,
            rsvd=0,
            tag=self.tags.next(),
        )
        broken = r.choice(["opcode", "rsvd", "afmt", "treg", "wbits", "accfmt"])
        if broken == "opcode":
            f["opcode"] = r.choice([0] + list(range(3, 16)))
        elif broken == "rsvd":
            f["rsvd"] = r.randint(1, 15)
        elif broken == "afmt":
            f["afmt"] = r.randint(2, 15)
        elif broken == "treg":
            f["treg"] = r.randint(cfg.T, 15) if cfg.T < 16 else 0
        elif broken == "wbits":
            f["wbits"] = (
                r.randint(1, 15)
                if op == Opcode.LUTGEN
                else r.choice([0] + list(range(cfg.W_BITS_MAX + 1, 16)))
            )
        else:
            f["accfmt"] = r.randint(1, 15)
        return isa.encode(isa.Instr(**f))
