# SPDX-License-Identifier: Apache-2.0
"""The agent: sequencer -> driver -> transport, and monitors of what the core accepted and answered.

Transport-agnostic: the driver hands each item to the run's transport, the
monitors turn the transport's reports (:mod:`tb.records`) into analysis-port
writes. The response monitor can be told to drop, duplicate or swap responses
(``drop_at`` / ``dup_at`` / ``swap_at``, response indices): that is how the
scoreboard's lost/extra/reordered checks are themselves tested, on every
transport.
"""

from __future__ import annotations

import numpy as np
from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_driver, uvm_monitor, uvm_sequencer

from tb.records import Issued, Observed
from tb.seq_item import LutTcItem
from tb.transports import Transport


class Driver(uvm_driver):
    def start_of_simulation_phase(self) -> None:
        self.transport: Transport = ConfigDB().get(self, "", "TRANSPORT")

    async def run_phase(self) -> None:
        while True:
            item: LutTcItem = await self.seq_item_port.get_next_item()
            await self.transport.send(item.batch)
            self.seq_item_port.item_done()


class IssuedMonitor(uvm_monitor):
    """Publishes :class:`Issued` records: what the core accepted, as the transport saw it."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "TRANSPORT").on_issued.append(self.ap.write)


class ObservedMonitor(uvm_monitor):
    """Publishes :class:`Observed` records: the core's responses."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0
        self.drop_at: set[int] = set()  #: response indices to swallow (self-test)
        self.dup_at: set[int] = set()  #: response indices to publish twice (self-test)
        self.swap_at: set[int] = set()  #: publish response k+1 before k (self-test)
        self._held: Observed | None = None

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "TRANSPORT").on_observed.append(self._observed)

    def _observed(self, rec: Observed) -> None:
        first = self.count
        self.count += len(rec)
        if self.drop_at or self.dup_at or self.swap_at:  # self-test: row by row
            for k in range(first, self.count):
                row = _rows(rec, np.array([k - first], dtype=np.intp))
                if k in self.drop_at:
                    self.logger.warning(f"self-test: dropping response #{k}")
                    continue
                if k in self.swap_at:
                    self.logger.warning(f"self-test: holding response #{k} back one place")
                    self._held = row
                    continue
                self.ap.write(row)
                if k in self.dup_at:
                    self.logger.warning(f"self-test: duplicating response #{k}")
                    self.ap.write(row)
                if self._held is not None:
                    self.ap.write(self._held)
                    self._held = None
            return
        if len(rec):
            self.ap.write(rec)


def _rows(rec: Observed, rows: np.ndarray) -> Observed:
    r = rec.resp
    resp = type(r)(r.tag[rows], r.status[rows], r.d[rows])
    return Observed(resp, rec.cycle[rows], rec.stall[rows], rec.in_cycle[rows], rec.in_stall[rows])


class LutTcAgent(uvm_agent):
    def build_phase(self) -> None:
        super().build_phase()
        self.sequencer = uvm_sequencer("sequencer", self)
        self.driver = Driver("driver", self)
        self.issued_monitor = IssuedMonitor("issued_monitor", self)
        self.observed_monitor = ObservedMonitor("observed_monitor", self)

    def connect_phase(self) -> None:
        self.driver.seq_item_port.connect(self.sequencer.seq_item_export)


__all__ = ["Driver", "Issued", "IssuedMonitor", "LutTcAgent", "Observed", "ObservedMonitor"]
