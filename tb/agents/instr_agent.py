"""Instruction-channel agent: sequencer -> driver -> BFM, and a monitor of accepted instructions.

The monitor reports what the core *accepted* (not what was sent): the
predictor steps the model on exactly that stream, so back-pressure, idle
cycles and resets never desynchronise the prediction.
"""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_driver, uvm_monitor, uvm_sequencer

from tb.bfm import Accepted, BusTxn, LutTcBfm
from tb.seq_item import LutTcItem


class InstrDriver(uvm_driver):
    """Hands each item to the BFM queue; the BFM drives it as one transfer."""

    def start_of_simulation_phase(self) -> None:
        self.bfm: LutTcBfm = ConfigDB().get(self, "", "BFM")

    async def run_phase(self) -> None:
        while True:
            item: LutTcItem = await self.seq_item_port.get_next_item()
            await self.bfm.send(BusTxn(item.word, item.a_bus, item.w_bus, item.c_bus))
            self.seq_item_port.item_done()


class InstrMonitor(uvm_monitor):
    """Publishes a :class:`LutTcItem` per accepted instruction on ``ap``."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)

    def start_of_simulation_phase(self) -> None:
        bfm: LutTcBfm = ConfigDB().get(self, "", "BFM")
        bfm.on_accept.append(self._accepted)

    def _accepted(self, acc: Accepted) -> None:
        item = LutTcItem("accepted", acc.word, acc.a_bus, acc.w_bus, acc.c_bus)
        item.cycle, item.stall = acc.cycle, acc.stall
        self.ap.write(item)


class InstrAgent(uvm_agent):
    """Active by default; a passive copy (monitor only) needs just the BFM."""

    def build_phase(self) -> None:
        super().build_phase()
        self.monitor = InstrMonitor("monitor", self)
        if self.active():
            self.sequencer = uvm_sequencer("sequencer", self)
            self.driver = InstrDriver("driver", self)

    def connect_phase(self) -> None:
        if self.active():
            self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
