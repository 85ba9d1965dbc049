# SPDX-License-Identifier: Apache-2.0
"""What every transport offers the environment (the agent's driver and monitors use it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from models.batch import Batch
from models.config import CoreConfig
from tb.records import Issued, Observed

TRANSPORTS = ("pins", "batch")
#: The batch transport's bridge capacities (``sv/lut_tc_bridge.sv`` parameters):
#: :mod:`tb.bridge` sizes its files by them, and the flow builds the bridge with them.
STREAM_PARAMS = {"MaxBatch": 1024, "Slots": 1024, "SegLen": 1024}


class ProtocolError(AssertionError):
    """The DUT broke the valid/ready rules of docs section 5."""


def check_transport(name: str) -> str:
    if name not in TRANSPORTS:
        raise ValueError(f"transport={name!r} unknown; choose one of {', '.join(TRANSPORTS)}")
    return name


class Transport:
    """Moves instructions to the core and reports what it accepted and answered.

    Observers register plain callbacks: ``on_issued`` (:class:`Issued`, what
    the core accepted), ``on_observed`` (:class:`Observed`, its responses) and
    ``on_reset`` (a reset abandoned everything in flight). The agent's
    monitors turn them into analysis-port writes.
    """

    name = "?"
    #: instructions per sequence item that suit this transport
    item_size = 64
    #: clock cycles between checks of the drain loop and the watchdog
    poll_cycles = 8
    #: cycles without progress, with work pending, that count as a hang
    hang_cycles = 2048
    #: cycles the drain stays after the last response (an extra one would show)
    quiet_cycles = 32

    def __init__(self, dut, cfg: CoreConfig, period_ns: int = 10) -> None:
        self.dut, self.cfg, self.period_ns = dut, cfg, period_ns
        self.clk = dut.clk_i
        self.log = logging.getLogger(f"cocotb.tb.{self.name}")
        self.on_issued: list[Callable[[Issued], None]] = []
        self.on_observed: list[Callable[[Observed], None]] = []
        self.on_reset: list[Callable[[], None]] = []
        self.sent = 0  #: instructions handed to the transport
        self.issued = 0  #: instructions the core accepted (reported)
        self.observed = 0  #: responses reported

    # --- traffic shape --------------------------------------------------------
    def set_traffic(
        self,
        bp_pct: int,
        gap_pct: int,
        seed: int,
        shapes: tuple[Iterator[int], Iterator[int]] | None = None,
    ) -> None:
        """Percent of cycles with ``out_ready_i`` low and of accepts followed by an idle cycle.

        ``shapes`` (pins only): explicit ``(out_ready, in_idle)`` pattern generators.
        """
        for name, v in (("bp_pct", bp_pct), ("gap_pct", gap_pct)):
            if not 0 <= v <= 100:
                raise ValueError(f"{name}={v} out of range [0, 100]")

    # --- lifecycle --------------------------------------------------------------
    def start_clock(self) -> None:
        raise NotImplementedError

    async def reset(self, cycles: int = 4) -> None:
        raise NotImplementedError

    async def send(self, batch: Batch) -> None:
        """Hand ``batch`` over; returns once the transport can take more."""
        raise NotImplementedError

    # --- state --------------------------------------------------------------
    def busy(self) -> bool:
        """Instructions handed over that the core has not accepted yet."""
        return self.issued < self.sent

    def progress(self) -> tuple[int, ...]:
        """Changes whenever an instruction or a response moves (watchdog)."""
        return (self.issued, self.observed)

    def settled(self) -> bool:
        """Nothing more can arrive that the transport has not reported yet."""
        return not self.busy()

    def end_checks(self) -> list[tuple[str, str]]:
        """End-of-test problems only the transport can see: ``(kind, message)``."""
        return []

    # --- reporting helpers for subclasses -------------------------------------
    def _issue(self, rec: Issued) -> None:
        self.issued += len(rec)
        for cb in self.on_issued:
            cb(rec)

    def _observe(self, rec: Observed) -> None:
        self.observed += len(rec)
        for cb in self.on_observed:
            cb(rec)

    def _reset_observers(self) -> None:
        for cb in self.on_reset:
            cb()
