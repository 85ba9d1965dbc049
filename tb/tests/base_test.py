# SPDX-License-Identifier: Apache-2.0
"""Base test: builds the env on the run's transport, resets, runs ``body()``, drains, checks.

A test is one small subclass that overrides ``body()`` (usually: start one
sequence) and maybe ``configure()`` (factory overrides, ConfigDB),
``traffic()`` (back-pressure and idle gaps) or ``transports`` (where it makes
sense; every transport by default). Nothing in a test names a transport's
pins or files: the same class runs on ``pins`` and ``batch``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import cocotb
from cocotb.triggers import Timer
from pyuvm import ConfigDB, uvm_test

from models.config import CONFIGS, AFmt, CoreConfig
from tb import knobs, rand
from tb.env import LutTcEnv
from tb.sequences import TagAllocator
from tb.transports import TRANSPORTS, make_transport


class DutHang(AssertionError):
    """Neither channel moved for the watchdog's cycles while instructions waited to go in."""


class TransportRefused(ValueError):
    """The test does not make sense on this run's transport."""


class ConfigRefused(ValueError):
    """The test does not make sense on this run's configuration."""


def fp_configs() -> list[str]:
    """The named configurations that build a floating-point format."""
    return [n for n, c in CONFIGS.items() if c.has_fp]


def configs_building(afmts: tuple[AFmt, ...]) -> list[str]:
    """The named configurations that build one or more of ``afmts``."""
    return [n for n, c in CONFIGS.items() if any(c.builds(f) for f in afmts)]


class BaseTest(uvm_test):
    #: transports this test makes sense on (one line says so; the runner refuses the others)
    transports: tuple[str, ...] = TRANSPORTS
    #: why, when it is only some of them (printed with the refusal)
    transports_why = ""
    #: percent of cycles with out_ready_i low, of accepts followed by an idle cycle
    bp_pct = 0
    gap_pct = 0
    #: the test needs a configuration that builds an FP format (refused on the others)
    needs_fp = False
    #: activation formats the test's stimulus can use: a configuration that builds none of
    #: them is refused (a GEMM of INT16 activations has no meaning on an INT8-only core)
    needs_afmts: tuple[AFmt, ...] = ()
    #: which kind of bug-injection build the test expects (None: a clean core)
    needs_bug: str | None = None
    #: exception the test must end with (registered with cocotb's ``expect_error``)
    expect_error: type[BaseException] | tuple = ()

    @classmethod
    def refusal(cls, cfg: CoreConfig) -> str | None:
        """Why this test does not run on ``cfg`` (one line naming where it does), or None."""
        name = cls.__name__
        if cls.needs_fp and not cfg.has_fp:
            return (
                f"{name} needs a configuration that builds FP formats ({', '.join(fp_configs())})"
            )
        if cls.needs_afmts and not any(cfg.builds(f) for f in cls.needs_afmts):
            fmts = " or ".join(f.name for f in cls.needs_afmts)
            where = ", ".join(configs_building(cls.needs_afmts))
            return f"{name} needs a configuration that builds {fmts} ({where})"
        return None

    # --- hooks ------------------------------------------------------------------
    def configure(self) -> None:
        """Before the env is built: factory overrides, ConfigDB knobs."""

    def traffic(self) -> tuple[Iterator[int], Iterator[int]] | None:
        """Explicit ``(out_ready, in_idle)`` patterns for ``pins``; None: from bp/gap percent."""
        return None

    async def body(self) -> None:
        """The stimulus; runs after reset. Default: nothing."""

    def describe(self) -> str:
        """What the stimulus is (printed at the start): e.g. a knob set."""
        return ""

    # --- helpers ------------------------------------------------------------------
    @property
    def seqr(self):
        return self.env.agent.sequencer

    @property
    def sb(self):
        return self.env.scoreboard

    def rng(self, stream: str):
        return rand.py_rng(f"{type(self).__name__}.{stream}")

    async def cycles(self, n: int) -> None:
        """Sleep ``n`` clock periods in one wake-up (``ClockCycles`` wakes Python every edge)."""
        await Timer(n * self.transport.period_ns, unit="ns")

    # --- phases ------------------------------------------------------------------
    def build_phase(self) -> None:
        name = type(self).__name__
        self.cfg = knobs.config()
        t = knobs.transport()
        if t not in self.transports:
            why = f" ({self.transports_why})" if self.transports_why else ""
            raise TransportRefused(
                f"{name} runs on transport {' or '.join(self.transports)} only{why}; "
                f"this run asked for {t}"
            )
        why = self.refusal(self.cfg)
        if why:
            raise ConfigRefused(f"{why}; this run has {knobs.config_name()}")
        self.transport = make_transport(t, cocotb.top, self.cfg)
        cdb = ConfigDB()
        cdb.set(None, "*", "CFG", self.cfg)
        cdb.set(None, "*", "TRANSPORT", self.transport)
        cdb.set(None, "*", "TEST_NAME", name)
        cdb.set(None, "*", "TAGS", TagAllocator())
        self.gave_up = False
        self.configure()
        self.env = LutTcEnv("env", self)

    def end_of_elaboration_phase(self) -> None:
        self.bp_pct = knobs.traffic_percent("bp", self.bp_pct)
        self.gap_pct = knobs.traffic_percent("gap", self.gap_pct)
        what = self.describe()
        self.logger.info(
            f"{type(self).__name__}: transport {self.transport.name}, config {self.cfg.name}, "
            f"seed {rand.given_seed()}, scale {knobs.scale()}, "
            f"bp {self.bp_pct}% gap {self.gap_pct}%" + (f"\n  stimulus: {what}" if what else "")
        )

    async def run_phase(self) -> None:
        self.raise_objection()
        tr = self.transport
        tr.start_clock()
        seed = rand.py_rng("traffic").getrandbits(32)
        tr.set_traffic(self.bp_pct, self.gap_pct, seed, self.traffic())
        await tr.reset()
        dog = cocotb.start_soon(self._watchdog())
        self.t_start = time.perf_counter()
        await self.body()
        await self.drain()
        self.t_end = time.perf_counter()
        dog.cancel()
        self.drop_objection()

    async def drain(self) -> None:
        """Until everything sent was answered, or the rest stopped coming (the scoreboard: lost)."""
        tr = self.transport
        while not self.gave_up:
            await self.cycles(tr.poll_cycles)
            if tr.settled() and self.sb.outstanding == 0:
                break
        await self.cycles(tr.quiet_cycles)  # a response beyond the stream would show up here

    async def _watchdog(self) -> None:
        """No instruction and no response moved for ``hang_cycles`` with work pending.

        With every instruction accepted it only ends the drain: the responses
        the core never gave are lost, which the scoreboard reports. Before
        that, the stream itself is stuck: :class:`DutHang`.
        """
        tr, step = self.transport, self.transport.poll_cycles
        last, still = None, 0
        while True:
            await self.cycles(step)
            now = (*tr.progress(), self.env.predictor.count, self.env.agent.observed_monitor.count)
            still = still + step if now == last else 0
            last = now
            pending = tr.busy() or self.sb.outstanding > 0
            if still < tr.hang_cycles or not pending or getattr(tr, "in_reset", False):
                continue
            state = (
                f"{self.sb.outstanding} responses outstanding, {tr.sent} sent, "
                f"{tr.issued} accepted, {tr.observed} answered"
            )
            if tr.settled():
                self.logger.error(f"no response for {still} cycles: {state}")
                self.gave_up = True
                return
            raise DutHang(f"no transfer for {still} cycles: {state}")
