"""Error injection: every illegal field of docs section 6, status priority, then random words.

Phase 1 (directed) walks each rule: illegal opcodes, every non-zero
``rsvd``, LUTGEN with ``wbits``/``accfmt`` set, reserved/unknown ``afmt``,
LMMA ``wbits`` 0 or above ``WBitsMax``, LMMA ``accfmt``, ``treg >= T``, and
TABLE_INVALID (never written / written in the other format). Combinations
check the priority order, and legal instructions in between prove that an
error changes no state (a failing LUTGEN must not overwrite the table).

Phase 2 sweeps the instruction coverage cross: for every reachable
(opcode, wbits, afmt, treg, status) bin it builds a word that lands there,
setting up the table register first when the status depends on it (a mirror
``CoreModel`` of the stream checks each candidate). One run closes the cross.

Phase 3 spreads field values evenly over the coverage bins (pyvsc ``dist``
over bin ranges), phase 4 sends uniformly random 32-bit words, all with
random payloads.
"""

from __future__ import annotations

import time

import vsc

from models import isa
from models.config import AFmt, Opcode, Status
from models.core import CoreModel
from tb import rand
from tb.covergroups import (
    STATUS_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)
from tb.sequences import data
from tb.sequences.base import LutTcBaseSeq


@vsc.randobj
class FieldBins:
    """Each field uniform over its coverage bins (a range bin weighs as much as a value bin)."""

    def __init__(self, T: int, W: int) -> None:
        self.opcode = vsc.rand_bit_t(4)
        self.treg = vsc.rand_bit_t(4)
        self.afmt = vsc.rand_bit_t(4)
        self.wbits = vsc.rand_bit_t(4)
        self.accfmt = vsc.rand_bit_t(4)
        self.rsvd = vsc.rand_bit_t(4)
        self.T, self.W = T, W

    @vsc.constraint
    def c_bins(self):
        vsc.dist(
            self.opcode,
            [vsc.weight(1, 1), vsc.weight(2, 1), vsc.weight(0, 1), vsc.weight(vsc.rng(3, 15), 1)],
        )
        vsc.dist(
            self.afmt,
            [
                vsc.weight(0, 1),
                vsc.weight(1, 1),
                vsc.weight(vsc.rng(2, 3), 1),
                vsc.weight(vsc.rng(4, 15), 1),
            ],
        )
        wb = [vsc.weight(i, 1) for i in range(self.W + 1)]
        if self.W < 15:
            wb.append(vsc.weight(vsc.rng(self.W + 1, 15), 1))
        vsc.dist(self.wbits, wb)
        tr = [vsc.weight(i, 1) for i in range(self.T)]
        if self.T < 16:
            tr.append(vsc.weight(vsc.rng(self.T, 15), 1))
        vsc.dist(self.treg, tr)
        vsc.dist(self.accfmt, [vsc.weight(0, 6), vsc.weight(vsc.rng(1, 15), 1)])
        vsc.dist(self.rsvd, [vsc.weight(0, 6), vsc.weight(vsc.rng(1, 15), 1)])


class ErrorInjectionSeq(LutTcBaseSeq):
    def __init__(
        self,
        name: str = "error_injection_seq",
        n_bins: int = 60,
        n_random: int = 60,
        sweep: bool = True,
    ) -> None:
        super().__init__(name)
        self.n_bins, self.n_random, self.sweep = n_bins, n_random, sweep
        self.mirror = CoreModel(
            self.cfg
        )  # table state as the DUT sees it (stream owned since reset)

    async def send(
        self,
        word: int,
        a_bus: int | None = None,
        w_bus: int | None = None,
        c_bus: int | None = None,
    ):
        item = await super().send(word, a_bus, w_bus, c_bus)
        self.mirror.step(word, a_bus or 0, w_bus or 0, c_bus or 0)
        return item

    def _word(
        self,
        opcode: int,
        treg: int = 0,
        afmt: int = 0,
        wbits: int = 0,
        accfmt: int = 0,
        rsvd: int = 0,
    ) -> int:
        return isa.encode(isa.Instr(opcode, treg, afmt, wbits, accfmt, rsvd, self.tags.next()))

    async def _lutgen(self, treg: int, afmt: AFmt) -> None:
        a = data.acts(self.rng, afmt, self.cfg.M, "uniform")
        await self.send(
            isa.lutgen(treg, afmt, self.tags.next(), self.cfg), a_bus=data.a_bus(a, self.cfg, afmt)
        )

    async def _payload_send(self, word: int) -> None:
        cfg, rng = self.cfg, self.rng
        await self.send(
            word,
            a_bus=data.random_bus(rng, cfg.a_bits),
            w_bus=data.random_bus(rng, cfg.w_bits),
            c_bus=data.random_bus(rng, cfg.c_bits),
        )

    async def _lmma_ok(self, treg: int, afmt: AFmt, b: int = 1) -> None:
        await self._payload_send(isa.lmma(treg, afmt, b, self.tags.next(), cfg=self.cfg))

    async def body(self) -> None:
        await self._phase("directed", self.directed())
        if self.sweep:
            await self._phase("status-cross sweep", self.sweep_cross())
        await self._phase("field-bin random", self.field_bins())
        await self._phase("random words", self.random_words())

    async def _phase(self, name: str, coro) -> None:
        t0, n0 = time.perf_counter(), self.sent
        await coro
        self.log.info(f"{name}: {self.sent - n0} instructions ({time.perf_counter() - t0:.1f} s)")

    async def random_words(self) -> None:
        for _ in range(self.n_random):
            await self._payload_send(int(self.rng.integers(0, 1 << 32)))

    async def directed(self) -> None:
        cfg = self.cfg
        W, T = cfg.W_BITS_MAX, cfg.T
        LG, LM = int(Opcode.LUTGEN), int(Opcode.LMMA)
        hi_treg = T - 1
        await self._lutgen(0, AFmt.INT8)
        await self._lutgen(hi_treg, AFmt.INT16)
        send = self._payload_send
        # ILLEGAL_INSTR
        for op in [0] + list(range(3, 16)):
            await send(self._word(op, 0, 0, 1))
        for rsvd in range(1, 16):
            await send(self._word(LG, 0, 0, 0, 0, rsvd))
            await send(self._word(LM, 0, 0, 1, 0, rsvd))
        for wb in range(1, 16):
            await send(self._word(LG, 0, 0, wb))
        for acc in range(1, 16):
            await send(self._word(LG, 0, 0, 0, acc))
        await self._lmma_ok(0, AFmt.INT8)  # table 0 survived all of that
        # UNSUPPORTED
        for af in range(2, 16):
            await send(self._word(LG, 0, af))
            await send(self._word(LM, 0, af, 1))
        for wb in [0] + list(range(W + 1, 16)):
            await send(self._word(LM, 0, 0, wb))
        for acc in range(1, 16):
            await send(self._word(LM, 0, 0, 1, acc))
        await self._lmma_ok(hi_treg, AFmt.INT16, W)
        # TREG_RANGE
        for tr in range(T, 16):
            await send(self._word(LG, tr, 0))
            await send(self._word(LM, tr, 1, 1))
        # TABLE_INVALID: never written, and written in the other format
        for tr in range(1, T - 1):
            await send(self._word(LM, tr, 0, 1))
        await send(self._word(LM, 0, 1, 1))
        await send(self._word(LM, hi_treg, 0, 1))
        # Priority: the first rule that applies wins
        oor = min(T, 15)
        await send(self._word(5, oor, 7, 0, 3, 2))  # everything wrong -> ILLEGAL_INSTR
        await send(self._word(LG, oor, 9, 3))  # LUTGEN wbits beats afmt/treg -> ILLEGAL_INSTR
        await send(self._word(LM, oor, 2, 0, 1))  # afmt/wbits/accfmt beat treg -> UNSUPPORTED
        await send(self._word(LM, oor, 0, 1))  # treg beats table state -> TREG_RANGE
        # A failing LUTGEN changes no state; a failing LMMA neither
        await self._lutgen(0, AFmt.INT8)
        a = data.acts(self.rng, AFmt.INT8, cfg.M, "extreme")
        await self.send(self._word(LG, 0, 0, 0, 0, 1), a_bus=data.a_bus(a, cfg, AFmt.INT8))
        await self.send(self._word(LG, 0, 1, 2), a_bus=data.a_bus(a, cfg, AFmt.INT8))
        await self._lmma_ok(0, AFmt.INT8, W)  # must still use the first table
        await self._lmma_ok(0, AFmt.INT8, 1)

    async def sweep_cross(self) -> None:
        """One instruction per reachable bin of the coverage cross, in random order."""
        cfg, r = self.cfg, self.pyrng
        bins = [op_bins(), wbits_bins(cfg), afmt_bins(), treg_bins(cfg)]
        unreachable = unreachable_instr_bins(cfg)
        keys = [
            (o, w, a, t, st)
            for o in bins[0]
            for w in bins[1]
            for a in bins[2]
            for t in bins[3]
            for st in STATUS_BINS
            if (o, w, a, t, st) not in unreachable
        ]
        r.shuffle(keys)
        # Grouped by table register: a new treg re-evaluates the whole array in
        # the simulator (Icarus is slow at that); order inside a group stays random.
        keys.sort(key=lambda k: k[3])
        for o, w, a, t, st in keys:
            target = STATUS_BINS[st]
            op, wb, af, tr = (r.choice(b[k]) for b, k in zip(bins, (o, w, a, t), strict=True))
            if op == Opcode.LMMA and target in (Status.OK, Status.TABLE_INVALID) and af in (0, 1):
                entry = self.mirror.tables[tr]
                valid = entry is not None and entry[0] == af
                if valid != (target == Status.OK):  # set the table state the bin needs
                    await self._lutgen(tr, AFmt(af) if target == Status.OK else AFmt(1 - af))
            for _ in range(256):
                acc = 0 if r.random() < 0.5 else r.randint(1, 15)
                rsvd = 0 if r.random() < 0.5 else r.randint(1, 15)
                word = isa.encode(isa.Instr(op, tr, af, wb, acc, rsvd, 0))
                if self.mirror.check(word) == target:
                    break
            else:
                raise AssertionError(f"no word found for reachable bin {(o, w, a, t, st)}")
            word = self._word(op, tr, af, wb, acc, rsvd)
            if target == Status.OK or r.random() < 0.125:
                await self._payload_send(word)
            else:  # payload unchanged: cheaper to simulate, and errors must ignore it anyway
                await self.send(word)

    async def field_bins(self) -> None:
        f = FieldBins(self.cfg.T, self.cfg.W_BITS_MAX)
        f.set_randstate(rand.vsc_state(self.get_name() + ".fields"))
        for k in range(self.n_bins):
            if k % 16 == 0:  # keep some tables valid so LMMAs can also pass
                await self._lutgen(self.pyrng.randrange(self.cfg.T), AFmt(self.pyrng.randint(0, 1)))
            f.randomize()
            await self._payload_send(
                self._word(
                    int(f.opcode),
                    int(f.treg),
                    int(f.afmt),
                    int(f.wbits),
                    int(f.accfmt),
                    int(f.rsvd),
                )
            )
