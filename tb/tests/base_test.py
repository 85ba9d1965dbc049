"""Base test: builds the env, resets, runs ``body()``, drains, checks.

A test is one small subclass that overrides ``body()`` (which sequences) and
maybe ``configure()`` (factory overrides, ConfigDB) or ``configure_bfm()``
(idle / back-pressure patterns). Nothing else.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ClockCycles, ReadOnly, Timer
from pyuvm import ConfigDB, uvm_test

from tb import knobs, rand
from tb.bfm import LutTcBfm
from tb.env import LutTcEnv
from tb.sequences import TagAllocator


class DutHang(AssertionError):
    """Neither channel moved for ``watchdog_cycles`` with work pending."""


class BaseTest(uvm_test):
    drain_cycles = 5000  #: max cycles to wait for the last responses
    quiet_cycles = 32  #: cycles after the drain in which no response may appear
    watchdog_cycles = 2048  #: a pending channel that does not move this long is a hang

    # --- hooks ------------------------------------------------------------------
    def configure(self) -> None:
        """Before the env is built: factory overrides, ConfigDB knobs."""

    def configure_bfm(self) -> None:
        """Before reset: idle / back-pressure patterns (``self.bfm.set_...``)."""

    async def body(self) -> None:
        """The stimulus; runs after reset. Default: nothing."""

    # --- helpers ------------------------------------------------------------------
    @property
    def seqr(self):
        return self.env.instr_agent.sequencer

    @property
    def sb(self):
        return self.env.scoreboard

    def rng(self, stream: str):
        return rand.py_rng(f"{type(self).__name__}.{stream}")

    # --- phases ------------------------------------------------------------------
    def build_phase(self) -> None:
        self.cfg = knobs.config()
        self.bfm = LutTcBfm(cocotb.top, self.cfg)
        cdb = ConfigDB()
        cdb.set(None, "*", "CFG", self.cfg)
        cdb.set(None, "*", "BFM", self.bfm)
        cdb.set(None, "*", "TEST_NAME", type(self).__name__)
        cdb.set(None, "*", "TAGS", TagAllocator())
        self.configure()
        self.env = LutTcEnv("env", self)

    def end_of_elaboration_phase(self) -> None:
        self.logger.info(
            f"{type(self).__name__}: config {self.cfg.name}, seed {rand.seed()}, "
            f"scale {knobs.scale()}"
        )

    async def run_phase(self) -> None:
        self.raise_objection()
        self.bfm.start_clock()
        self.configure_bfm()
        await self.bfm.reset()
        dog = cocotb.start_soon(self._watchdog())
        await self.body()
        await self.drain()
        dog.cancel()
        self.drop_objection()

    async def drain(self) -> None:
        """Wait until everything sent was accepted and answered, then stay quiet a while."""
        clk = self.bfm.clk
        for _ in range(self.drain_cycles // 8):
            await ClockCycles(clk, 8)
            await ReadOnly()  # every monitor of this edge has reported
            if not self.bfm.busy() and self.sb.outstanding == 0:
                break
        else:
            self.logger.error(
                f"drain: {self.sb.outstanding} responses still outstanding "
                f"after {self.drain_cycles} cycles"
            )
        await ClockCycles(clk, self.quiet_cycles)

    async def _watchdog(self) -> None:
        pred, resp = self.env.predictor, self.env.resp_agent.monitor
        last = (-1, -1)
        while True:
            # One Timer, not ClockCycles: that wakes Python on every clock edge,
            # which cost about 12 us per cycle under Verilator.
            await Timer(self.watchdog_cycles * self.bfm.period_ns, unit="ns")
            now = (pred.count, resp.count)
            pending = self.bfm.busy() or self.sb.outstanding > 0
            if now == last and pending and not self.bfm.in_reset:
                raise DutHang(
                    f"no transfer for {self.watchdog_cycles} cycles: "
                    f"{self.sb.outstanding} outstanding, "
                    f"driver busy={self.bfm.busy()}"
                )
            last = now
