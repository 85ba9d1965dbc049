# SPDX-License-Identifier: Apache-2.0
"""Traffic for the valid/ready assertions of ``lut_tensor_core`` (``tests/rtl/test_assertions.py``).

``in_valid_withdrawn`` is a sender that breaks the rule: it lets the core
stall it (out_ready_i low fills both stages, in_ready_o drops), then takes
in_valid_i back before the accept. ``in_valid_held`` is the same traffic
from a sender that keeps in_valid_i up. ``stalled_responses`` holds
out_ready_i low while responses pile up, then drains them and checks each
against the model: clean on a correct core, and on a core built with
``LUT_TC_BUG_DROP_STALLED`` or ``LUT_TC_BUG_OVERWRITE_STALLED`` it breaks
the output rule. Every test logs :data:`END` when its traffic ran to the
end; an assertion that fires stops the simulation ($fatal) before that.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from models.config import AFmt
from models.core import CoreModel
from tests.rtl.cocotb_core_smoke import Bench, Txn, check, lmma_txn, lutgen_txn
from tests.rtl.common import rng

#: Logged by each test after its traffic; absent when an assertion stopped the run.
END = "traffic ran to the end"
#: Cycles out_ready_i stays low in ``stalled_responses``.
STALL_CYCLES = 8


def _traffic(bench: Bench) -> list[Txn]:
    """A LUTGEN and LMMAs of several widths (distinct tags, so responses differ)."""
    cfg, r = bench.cfg, rng()
    txns = [lutgen_txn(r, cfg, 0, AFmt.INT8, 0)]
    for tag, b in enumerate((1, 2, cfg.W_BITS_MAX, 1), start=1):
        txns.append(lmma_txn(r, cfg, 0, AFmt.INT8, b, tag))
    return txns


class _Stall:
    """Set once the sender has seen in_ready_o low under its instruction."""

    seen = False


class _Stalls:
    """Cycles each channel spent stalled: the controls show their traffic hit the rules."""

    def __init__(self, dut) -> None:
        self.out = 0  # out_valid_o high, out_ready_i low
        self.inp = 0  # in_valid_i high, in_ready_o low
        cocotb.start_soon(self._count(dut))

    async def _count(self, dut) -> None:
        while True:
            await ReadOnly()
            self.out += int(dut.out_valid_o.value) and not int(dut.out_ready_i.value)
            self.inp += int(dut.in_valid_i.value) and not int(dut.in_ready_o.value)
            await RisingEdge(dut.clk_i)


async def _send(bench: Bench, txns: list[Txn], stall: _Stall, withdraw: bool) -> None:
    """Offer each instruction until accepted; at the first stall, misbehave if ``withdraw``.

    ``withdraw``: in_valid_i drops for two cycles while the instruction is
    still pending (the InValidHeld violation), then it is offered again.
    """
    dut = bench.dut
    for t in txns:
        dut.in_valid_i.value = 1
        dut.in_instr_i.value = t.word
        dut.in_a_i.value = t.a
        dut.in_w_i.value = t.w
        dut.in_c_i.value = t.c
        while True:
            await ReadOnly()
            ready = int(dut.in_ready_o.value)
            await RisingEdge(dut.clk_i)
            if ready:
                break
            if not stall.seen:  # in_valid_i high, in_ready_o low at this edge
                stall.seen = True
                if withdraw:
                    dut.in_valid_i.value = 0
                    for _ in range(2):
                        await RisingEdge(dut.clk_i)
                    dut.in_valid_i.value = 1
    dut.in_valid_i.value = 0


async def _stall_traffic(bench: Bench, withdraw: bool) -> tuple[list[Txn], list]:
    """out_ready_i low until the sender stalls, then high; returns (sent, responses).

    The stall: the output register holds an untaken response and the execute
    stage a finished instruction, so in_ready_o drops under the next one.
    """
    txns = _traffic(bench)
    stall = _Stall()
    mon = cocotb.start_soon(bench.monitor(len(txns), ready=lambda: stall.seen))
    await _send(bench, txns, stall, withdraw)
    await mon
    assert stall.seen, "in_ready_o never dropped: the traffic does not stall the sender"
    return txns, [r for _, r in bench.log.responses]


@cocotb.test(timeout_time=20, timeout_unit="us")
async def in_valid_withdrawn(dut):
    """Negative: the sender drops in_valid_i while stalled; InValidHeld must stop the run."""
    bench = Bench(dut)
    await bench.reset()
    await _stall_traffic(bench, withdraw=True)
    dut._log.info(END)
    raise AssertionError("in_valid_i was withdrawn during a stall and no assertion stopped the run")


@cocotb.test(timeout_time=20, timeout_unit="us")
async def in_valid_held(dut):
    """Positive control: the same stall, in_valid_i held until the accept; responses right."""
    bench = Bench(dut)
    await bench.reset()
    stalls = _Stalls(dut)
    txns, got = await _stall_traffic(bench, withdraw=False)
    check(CoreModel(bench.cfg), txns, got)
    assert stalls.inp > 0 and stalls.out > 0, f"no stall: in {stalls.inp}, out {stalls.out}"
    dut._log.info(f"stalled cycles: in {stalls.inp}, out {stalls.out}")
    dut._log.info(END)


@cocotb.test(timeout_time=20, timeout_unit="us")
async def stalled_responses(dut):
    """Responses wait STALL_CYCLES for out_ready_i, then drain: each must be right, in order."""
    bench = Bench(dut)
    await bench.reset()
    model = CoreModel(bench.cfg)
    cycle = 0

    def ready() -> bool:
        nonlocal cycle
        cycle += 1
        return cycle > STALL_CYCLES

    txns = _traffic(bench)
    stalls = _Stalls(dut)
    got = await bench.run(txns, ready=ready)
    check(model, txns, got)
    # The first response waits out the stall while the execute stage holds a
    # finished instruction behind it (in_ready_o low under the next one).
    assert stalls.out >= STALL_CYCLES - 3, f"out_valid_o stalled {stalls.out} cycles only"
    assert stalls.inp > 0, "the execute stage never backed up into the input"
    dut._log.info(f"stalled cycles: in {stalls.inp}, out {stalls.out}")
    dut._log.info(END)
