# SPDX-License-Identifier: Apache-2.0
"""All pin wiggling of ``lut_tensor_core`` (TinyALU-style BFM).

Drivers and monitors above this layer deal in plain ints and records; only
this file knows port names, so a port rename touches one place.

Timing model (identical on Icarus and Verilator): every coroutine writes
right after a rising clock edge and samples handshakes in the ``ReadOnly``
phase of that same time step, i.e. the values the next rising edge will
register. Sampling *after* ``RisingEdge`` would read pre-edge values on
Icarus but post-edge values on Verilator (cocotb timing-model docs).

Cost per transfer is one ``ReadOnly`` plus one ``RisingEdge`` per coroutine;
a stalled instruction sleeps on a rising edge of ``in_ready_o`` and an idle
response channel on one of ``out_valid_o``, so nothing polls in Python while
a channel waits.

Coroutines running while out of reset:

* ``_drive``: pops :class:`BusTxn` from a queue, applies the idle pattern,
  drives instruction + all payload buses in one go, holds them until
  ``in_ready_o``, and reports the accepted instruction (:class:`Accepted`).
* ``_monitor_in`` (only with ``passive_in_monitor``): the same report from a
  fully passive monitor that re-reads every input pin (slower).
* ``_monitor_out``: drives ``out_ready_i`` from the back-pressure pattern and
  reports every response transfer (:class:`Beat`); checks that a stalled
  response is held stable.

Observers register plain callbacks (``on_accept``, ``on_response``,
``on_reset``); they run synchronously in the monitor coroutine, so a reset
can cut the stream at an exact point without queues holding stale records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cocotb
from cocotb.clock import Clock
from cocotb.queue import Queue
from cocotb.triggers import ReadOnly, RisingEdge, current_gpi_trigger

from models.config import CoreConfig
from tb import patterns, timebase
from tb.transports.base import ProtocolError


@dataclass
class BusTxn:
    """What the driver puts on the input pins in one transfer; None = leave bus as is."""

    word: int
    a_bus: int | None = None
    w_bus: int | None = None
    c_bus: int | None = None


@dataclass
class Accepted:
    """One instruction the core accepted, with the payload its pins carried."""

    word: int
    a_bus: int
    w_bus: int
    c_bus: int
    cycle: int  #: clock cycle index of the accepting edge
    stall: int  #: cycles ``in_valid_i`` waited for ``in_ready_o``


@dataclass
class Beat:
    """One response transfer on the output channel."""

    tag: int
    status: int
    d: int
    cycle: int
    stall: int  #: cycles ``out_valid_o`` waited for ``out_ready_i``


class LutTcBfm:
    """Owns the DUT pins; everything else talks to it through methods and callbacks."""

    def __init__(self, dut, cfg: CoreConfig, period_ns: int = 10, depth: int = 2) -> None:
        self.dut, self.cfg, self.period_ns = dut, cfg, period_ns
        self.log = logging.getLogger("cocotb.tb.bfm")
        self.clk = dut.clk_i
        self._q: Queue[BusTxn] = Queue(maxsize=depth)
        self._current: BusTxn | None = None  # driven, not yet accepted
        # Shadow of what the driver last put on each payload bus: the DUT reads
        # the pins, and the pins hold these values (the BFM is the only writer).
        self._pins = {"a": 0, "w": 0, "c": 0}
        self._out_ready: Iterator[int] = patterns.always(1)
        self._in_idle: Iterator[int] = patterns.never()
        self.on_accept: list[Callable[[Accepted], None]] = []
        self.on_response: list[Callable[[Beat], None]] = []
        self.on_reset: list[Callable[[], None]] = []
        self._tasks: list[cocotb.task.Task] = []
        self.in_reset = False
        self.resets = 0  #: completed resets (sequences drop tracked state on change)
        #: True: a separate monitor reads every input pin at each accept (slower);
        #: False: the driver reports what it drove, from the same handshake sample.
        self.passive_in_monitor = False
        self.driven = -1  #: index of the instruction on the pins (counted from 0)
        #: self-test of the driver check: instruction indices driven with C bit 0 flipped
        self.corrupt_at: set[int] = set()
        # Known values on every input from time 0, so the payload shadow is exact.
        dut.in_valid_i.value = 0
        dut.in_instr_i.value = 0
        dut.in_a_i.value = 0
        dut.in_w_i.value = 0
        dut.in_c_i.value = 0
        dut.out_ready_i.value = 0

    # --- configuration ---------------------------------------------------
    def set_out_ready(self, pattern: Iterator[int]) -> None:
        """Back-pressure on the response channel: 1 = ready this cycle."""
        self._out_ready = pattern

    def set_in_idle(self, pattern: Iterator[int]) -> None:
        """Idle cycles before each instruction: 1 = leave ``in_valid_i`` low one cycle."""
        self._in_idle = pattern

    # --- lifecycle -------------------------------------------------------
    def start_clock(self) -> None:
        Clock(self.clk, self.period_ns, unit="ns").start()

    def _cycle(self) -> int:
        """Clock cycle of now, counted from the job's start (:mod:`tb.timebase`)."""
        return timebase.cycle(self.period_ns)

    def _start_tasks(self) -> None:
        self._tasks = [cocotb.start_soon(self._drive()), cocotb.start_soon(self._monitor_out())]
        if self.passive_in_monitor:
            self._tasks.append(cocotb.start_soon(self._monitor_in()))

    def _stop_tasks(self) -> None:
        for t in self._tasks:
            t.cancel()
        self._tasks = []

    async def reset(self, cycles: int = 4) -> None:
        """Assert ``rst_ni`` for ``cycles`` clock edges, then restart the BFM.

        Callable at any time, also with instructions in flight: monitors stop
        first, so a transfer on the edge that precedes reset is either fully
        reported or not at all; ``on_reset`` observers then drop their state.
        An instruction driven but not accepted is driven again afterwards.
        A response while in reset is a :class:`ProtocolError`.
        """
        dut = self.dut
        self._stop_tasks()
        self.in_reset = True
        if self._is_read_only():
            await RisingEdge(self.clk)
        dut.rst_ni.value = 0
        dut.in_valid_i.value = 0
        dut.out_ready_i.value = 0
        for cb in self.on_reset:
            cb()
        for _ in range(cycles):
            await RisingEdge(self.clk)
            await ReadOnly()
            if dut.out_valid_o.value != 0:
                raise ProtocolError(f"out_valid_o={dut.out_valid_o.value} during reset")
        await RisingEdge(self.clk)  # leave ReadOnly; release right after an edge
        dut.rst_ni.value = 1
        self.in_reset = False
        self.resets += 1
        self._start_tasks()

    # --- producer side ---------------------------------------------------
    async def send(self, txn: BusTxn) -> None:
        """Queue one instruction; blocks while ``depth`` are already waiting."""
        await self._q.put(txn)

    def held(self) -> int:
        """Instructions queued or on the pins and not yet accepted (driven after a reset)."""
        return (self._current is not None) + self._q.qsize()

    def busy(self) -> bool:
        """True while an instruction is queued or on the pins and not yet accepted."""
        return self._current is not None or not self._q.empty()

    # --- coroutines --------------------------------------------------------
    @staticmethod
    def _is_read_only() -> bool:
        try:
            return isinstance(current_gpi_trigger(), ReadOnly)
        except RuntimeError:  # before the first trigger fired
            return False

    def _apply(self, txn: BusTxn) -> None:
        dut, pins = self.dut, self._pins
        if self.driven in self.corrupt_at and txn.c_bus is not None:  # planted driver bug
            self.log.warning(f"self-test: driving instruction #{self.driven} with C bit 0 flipped")
            txn = BusTxn(txn.word, txn.a_bus, txn.w_bus, txn.c_bus ^ 1)
        dut.in_instr_i.value = txn.word
        if txn.a_bus is not None and txn.a_bus != pins["a"]:
            dut.in_a_i.value = pins["a"] = txn.a_bus
        if txn.w_bus is not None and txn.w_bus != pins["w"]:
            dut.in_w_i.value = pins["w"] = txn.w_bus
        if txn.c_bus is not None and txn.c_bus != pins["c"]:
            dut.in_c_i.value = pins["c"] = txn.c_bus
        dut.in_valid_i.value = 1

    async def _drive(self) -> None:
        dut, clk, ready_sig = self.dut, self.clk, self.dut.in_ready_o
        valid = 0
        while True:
            txn = self._current
            if txn is None:
                if self._q.empty():
                    if valid:
                        dut.in_valid_i.value = valid = 0
                    txn = self._current = await self._q.get()
                    self.driven += 1
                    if self._is_read_only():  # producer woke us late in a step
                        await RisingEdge(clk)
                else:
                    txn = self._current = self._q.get_nowait()
                    self.driven += 1
            while next(self._in_idle):
                if valid:
                    dut.in_valid_i.value = valid = 0
                await RisingEdge(clk)
            self._apply(txn)
            valid = 1
            start = self._cycle()
            await ReadOnly()
            while ready_sig.value != 1:
                await RisingEdge(ready_sig)  # sleep through the stall, no per-cycle wake-up
                await ReadOnly()  # settled value of the cycle (in_ready_o is combinational)
            await RisingEdge(clk)
            self._current = None
            if not self.passive_in_monitor:
                pins = self._pins
                cycle = self._cycle()
                acc = Accepted(txn.word, pins["a"], pins["w"], pins["c"], cycle, cycle - start - 1)
                for cb in self.on_accept:
                    cb(acc)

    async def _monitor_in(self) -> None:
        """Passive twin of the driver's own accept report, reading every pin."""
        dut, clk = self.dut, self.clk
        valid_sig, ready_sig = dut.in_valid_i, dut.in_ready_o
        while True:
            await ReadOnly()
            if valid_sig.value != 1:
                await RisingEdge(valid_sig)
                continue
            start = self._cycle()
            while ready_sig.value != 1:
                await RisingEdge(ready_sig)
                await ReadOnly()
            word = int(dut.in_instr_i.value)
            a, w, c = int(dut.in_a_i.value), int(dut.in_w_i.value), int(dut.in_c_i.value)
            await RisingEdge(clk)
            cycle = self._cycle()
            acc = Accepted(word, a, w, c, cycle, cycle - start - 1)
            for cb in self.on_accept:
                cb(acc)

    async def _monitor_out(self) -> None:
        dut, clk = self.dut, self.clk
        valid_sig = dut.out_valid_o
        ready = next(self._out_ready)
        dut.out_ready_i.value = ready
        stall = 0
        held: tuple[int, int, int] | None = None  # the pending response as first seen
        while True:
            await ReadOnly()
            v = valid_sig.value
            if v != 1:
                if v != 0:
                    raise ProtocolError(f"out_valid_o={v} out of reset")
                if held is not None:
                    raise ProtocolError(f"response tag {held[0]} withdrawn while stalled")
                await RisingEdge(valid_sig)
                continue
            # Read every valid cycle: a stalled response is checked to be held.
            now = (int(dut.out_tag_o.value), int(dut.out_status_o.value), int(dut.out_d_o.value))
            if held is None:
                held = now
            elif now != held:
                raise ProtocolError(
                    f"response changed while stalled: tag {held[0]}->{now[0]}, "
                    f"status {held[1]}->{now[1]}, d changed: {held[2] != now[2]}"
                )
            await RisingEdge(clk)
            if ready:
                beat = Beat(now[0], now[1], now[2], self._cycle(), stall)
                stall, held = 0, None
                for cb in self.on_response:
                    cb(beat)
            else:
                stall += 1
            ready = next(self._out_ready)
            dut.out_ready_i.value = ready
