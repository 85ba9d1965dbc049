# SPDX-License-Identifier: Apache-2.0
"""``lut_tensor_core`` smoke: LUTGEN + LMMA for every afmt and b, errors,
back-pressure, and the latency/throughput of the execute stage, all checked
bit-exactly against ``models.core.CoreModel``.

A minimal driver/monitor lives here on purpose: the full pyuvm testbench is
in ``tb/``; this file only proves the block works before that runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge, Timer

from models import isa
from models.config import AFmt, K, Opcode, Status
from models.core import CoreModel, Response
from models.encoding import encode_weights, pack_codes
from models.isa import Instr
from models.lmma import ACC_MAX, ACC_MIN, pack_c, unpack_c
from models.tables import act_range, pack_a
from tests.rtl.common import config, read_int, rng


@dataclass
class Txn:
    word: int
    a: int = 0
    w: int = 0
    c: int = 0


@dataclass
class Log:
    """What the bench saw, with rising-edge numbers."""

    accepted: list[int] = field(default_factory=list)  # edge of each accept
    responses: list[tuple[int, Response]] = field(default_factory=list)  # edge it appeared


class Bench:
    def __init__(self, dut) -> None:
        self.dut = dut
        self.cfg = config()
        self.edge = 0
        self.log = Log()

    async def reset(self) -> None:
        dut = self.dut
        dut.in_valid_i.value = 0
        dut.in_instr_i.value = 0
        dut.in_a_i.value = 0
        dut.in_w_i.value = 0
        dut.in_c_i.value = 0
        dut.out_ready_i.value = 1
        dut.rst_ni.value = 0
        Clock(dut.clk_i, 10, unit="ns").start()
        await Timer(25, unit="ns")
        # Outputs must be known and idle while in reset.
        await ReadOnly()
        self.check_idle_known()
        await RisingEdge(dut.clk_i)
        dut.rst_ni.value = 1
        await RisingEdge(dut.clk_i)
        await ReadOnly()
        self.check_idle_known()
        await RisingEdge(dut.clk_i)
        cocotb.start_soon(self._count_edges())

    def check_idle_known(self) -> None:
        dut = self.dut
        for h in (dut.in_ready_o, dut.out_valid_o, dut.out_tag_o, dut.out_status_o, dut.out_d_o):
            read_int(h)  # raises on X/Z
        assert int(dut.out_valid_o.value) == 0, "spurious response after reset"

    async def _count_edges(self) -> None:
        while True:
            await RisingEdge(self.dut.clk_i)
            self.edge += 1

    async def drive(self, txns: list[Txn], idle: Callable[[], bool] = lambda: False) -> None:
        """One transaction per accept; ``idle()`` true inserts an empty cycle before it."""
        dut = self.dut
        for t in txns:
            while idle():
                dut.in_valid_i.value = 0
                await RisingEdge(dut.clk_i)
            dut.in_valid_i.value = 1
            dut.in_instr_i.value = t.word
            dut.in_a_i.value = t.a
            dut.in_w_i.value = t.w
            dut.in_c_i.value = t.c
            while True:
                await ReadOnly()
                ready = int(dut.in_ready_o.value)
                edge = self.edge + 1  # the edge that ends this cycle
                await RisingEdge(dut.clk_i)
                if ready:
                    self.log.accepted.append(edge)
                    break
        dut.in_valid_i.value = 0

    async def monitor(self, count: int, ready: Callable[[], bool] = lambda: True) -> None:
        """Collect ``count`` responses; ``ready()`` draws out_ready_i each cycle."""
        dut = self.dut
        first_seen: int | None = None
        while len(self.log.responses) < count:
            dut.out_ready_i.value = 1 if ready() else 0
            await ReadOnly()
            if int(dut.out_valid_o.value):
                if first_seen is None:
                    first_seen = self.edge  # the edge that loaded the output register
                if int(dut.out_ready_i.value):
                    d = unpack_c(read_int(dut.out_d_o), self.cfg)
                    resp = Response(read_int(dut.out_tag_o), Status(read_int(dut.out_status_o)), d)
                    self.log.responses.append((first_seen, resp))
                    first_seen = None
            await RisingEdge(dut.clk_i)
        dut.out_ready_i.value = 1

    async def run(
        self,
        txns: list[Txn],
        idle: Callable[[], bool] = lambda: False,
        ready: Callable[[], bool] = lambda: True,
    ) -> list[Response]:
        n0 = len(self.log.responses)
        mon = cocotb.start_soon(self.monitor(n0 + len(txns), ready))
        await self.drive(txns, idle)
        await mon
        for _ in range(4):  # nothing extra may follow
            await RisingEdge(self.dut.clk_i)
            await ReadOnly()
            assert int(self.dut.out_valid_o.value) == 0, "response without an instruction"
        await RisingEdge(self.dut.clk_i)
        return [r for _, r in self.log.responses[n0:]]


def check(model: CoreModel, txns: list[Txn], got: list[Response]) -> None:
    want = [model.step(t.word, t.a, t.w, t.c) for t in txns]
    assert len(got) == len(want), f"{len(got)} responses for {len(want)} instructions"
    for i, (g, w, t) in enumerate(zip(got, want, txns, strict=False)):
        if g != w:
            raise AssertionError(
                f"response {i} to `{isa.disasm(t.word)}`:\n"
                f" got tag={g.tag} status={g.status.name} d={g.d.tolist()}\n"
                f"want tag={w.tag} status={w.status.name} d={w.d.tolist()}"
            )


def lutgen_txn(r, cfg, treg: int, afmt: AFmt, tag: int) -> Txn:
    lo, hi = act_range(afmt)
    a = r.integers(lo, hi + 1, size=(cfg.M, K))
    return Txn(isa.lutgen(treg, afmt, tag=tag, cfg=cfg), a=pack_a(a, cfg))


def lmma_txn(r, cfg, treg: int, afmt: AFmt, b: int, tag: int, c_lo=ACC_MIN, c_hi=ACC_MAX) -> Txn:
    q = r.integers(0, 1 << b, size=(K, cfg.N))
    codes = encode_weights(q, b)[:, 0, :]
    # Lanes of planes >= b carry garbage: the core must ignore them.
    w = pack_codes(codes, cfg)
    for lane in range(b * cfg.N, cfg.W_BITS_MAX * cfg.N):
        w |= int(r.integers(0, 16)) << (4 * lane)
    c = r.integers(c_lo, c_hi + 1, size=(cfg.M, cfg.N))
    return Txn(isa.lmma(treg, afmt, b, tag=tag, cfg=cfg), w=w, c=pack_c(c, cfg))


@cocotb.test()
async def lutgen_lmma_every_afmt_and_b(dut):
    """LUTGEN then LMMA for each afmt and b, plus error responses, out_ready always high."""
    bench = Bench(dut)
    await bench.reset()
    cfg, r = bench.cfg, rng()
    model = CoreModel(cfg)
    txns: list[Txn] = []
    tag = 0
    for afmt in (AFmt.INT8, AFmt.INT16):
        treg = int(afmt) % cfg.T
        txns.append(lutgen_txn(r, cfg, treg, afmt, tag))
        tag += 1
        for b in range(1, cfg.W_BITS_MAX + 1):
            txns.append(lmma_txn(r, cfg, treg, afmt, b, tag))
            tag += 1
    # Errors: TABLE_INVALID (format mismatch), ILLEGAL_INSTR, UNSUPPORTED, TREG_RANGE;
    # then an LMMA proving the error changed nothing.
    txns.append(Txn(isa.encode(Instr(Opcode.LMMA, 0, AFmt.INT16, 1, tag=tag)), w=0, c=5))
    txns.append(Txn(isa.encode(Instr(0xF, 0, 0, 0, tag=tag + 1)), a=123, c=7))
    txns.append(Txn(isa.encode(Instr(Opcode.LUTGEN, 0, AFmt.FP16, tag=tag + 2)), a=99))
    if cfg.T < 16:
        txns.append(Txn(isa.encode(Instr(Opcode.LUTGEN, cfg.T, AFmt.INT8, tag=tag + 3)), a=1))
    txns.append(lmma_txn(r, cfg, 0, AFmt.INT8, 1, tag + 4))
    got = await bench.run(txns)
    check(model, txns, got)
    statuses = [g.status for g in got]
    assert Status.OK in statuses and Status.TABLE_INVALID in statuses
    assert Status.ILLEGAL_INSTR in statuses and Status.UNSUPPORTED in statuses


@cocotb.test()
async def latency_and_throughput(dut):
    """LUTGEN answers 1 cycle after accept, LMMA after the core's own latency (b cycles on the
    bit-serial cores, 1 on the MAC core, ``CoreConfig.lmma_cycles``); back-to-back LMMAs
    issue at that interval."""
    bench = Bench(dut)
    await bench.reset()
    cfg, r = bench.cfg, rng()
    model = CoreModel(cfg)
    txns = [lutgen_txn(r, cfg, 0, AFmt.INT16, 0)]
    expect_latency = [1]
    for b in range(1, cfg.W_BITS_MAX + 1):
        for _ in range(3):
            txns.append(lmma_txn(r, cfg, 0, AFmt.INT16, b, len(txns)))
            expect_latency.append(cfg.lmma_cycles(b))
    got = await bench.run(txns)
    check(model, txns, got)
    seen = [e for e, _ in bench.log.responses]
    latency = [s - a for s, a in zip(seen, bench.log.accepted, strict=False)]
    assert latency == expect_latency, f"latency {latency}, want {expect_latency}"
    gaps = np.diff(bench.log.accepted).tolist()
    assert gaps == expect_latency[:-1], f"accept-to-accept {gaps}, want {expect_latency[:-1]}"
    dut._log.info("latency (cycles, accept -> response valid): LUTGEN 1, LMMA b=%s", latency[1:])
    dut._log.info("issue interval (cycles): %s", gaps)


@cocotb.test()
async def backpressure_and_idles(dut):
    """Random stream, idle cycles, random out_ready: no loss, no duplicate, in order."""
    bench = Bench(dut)
    await bench.reset()
    cfg, r = bench.cfg, rng()
    model = CoreModel(cfg)
    txns: list[Txn] = []
    for tag in range(160):
        kind = r.integers(0, 10)
        afmt = AFmt(int(r.integers(0, 2)))
        treg = int(r.integers(0, cfg.T))
        if kind < 3:
            txns.append(lutgen_txn(r, cfg, treg, afmt, tag))
        elif kind < 9:
            b = int(r.integers(1, cfg.W_BITS_MAX + 1))
            txns.append(lmma_txn(r, cfg, treg, afmt, b, tag))
        else:
            txns.append(Txn(int(r.integers(0, 1 << 32))))  # almost surely an error
    got = await bench.run(
        txns, idle=lambda: bool(r.random() < 0.2), ready=lambda: bool(r.random() < 0.6)
    )
    check(model, txns, got)
    ok = sum(g.status == Status.OK for g in got)
    dut._log.info("%d responses, %d OK", len(got), ok)
    assert ok > 20, "too few OK responses for the stream to mean anything"
