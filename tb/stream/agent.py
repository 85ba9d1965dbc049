"""Stream agent: sequencer -> driver -> bridge, and a monitor of response segments.

Items are whole batches (:class:`StreamItem`), so pyuvm's sequencer, driver
and analysis ports run once per few hundred instructions. The bridge issues
every descriptor of a batch in order and never drops one (it has no reset
path), so the driver publishes the batches it handed over and the predictor
steps the model on exactly that stream; the scoreboard checks at the end
that the bridge's own ``issued_o`` count agrees.
"""

from __future__ import annotations

from pyuvm import (
    ConfigDB,
    uvm_agent,
    uvm_analysis_port,
    uvm_component,
    uvm_driver,
    uvm_sequence_item,
    uvm_sequencer,
)

from models.batch import Batch, BatchResponse
from tb.bridge import StreamBridge


class StreamItem(uvm_sequence_item):
    """One batch of instructions with their payload images."""

    def __init__(self, name: str, batch: Batch) -> None:
        super().__init__(name)
        self.batch = batch

    def __str__(self) -> str:
        return f"{self.get_name()}: {len(self.batch)} instructions"


class StreamDriver(uvm_driver):
    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)

    def start_of_simulation_phase(self) -> None:
        self.bridge: StreamBridge = ConfigDB().get(self, "", "BRIDGE")

    async def run_phase(self) -> None:
        while True:
            item: StreamItem = await self.seq_item_port.get_next_item()
            await self.bridge.send(item.batch)
            self.ap.write(item.batch)
            self.seq_item_port.item_done()


class StreamMonitor(uvm_component):
    """Publishes each response segment (:class:`BatchResponse`) on ``ap``.

    ``drop_at``: indices of responses to swallow (scoreboard self-test only).
    """

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0
        self.drop_at: set[int] = set()

    def start_of_simulation_phase(self) -> None:
        self.bridge: StreamBridge = ConfigDB().get(self, "", "BRIDGE")

    async def run_phase(self) -> None:
        async for seg in self.bridge.segments():
            first = self.count
            self.count += len(seg)
            drop = [i - first for i in self.drop_at if first <= i < self.count]
            if drop:
                keep = [i for i in range(len(seg)) if i not in drop]
                seg = BatchResponse(seg.tag[keep], seg.status[keep], seg.d[keep])
            self.ap.write(seg)


class StreamAgent(uvm_agent):
    def build_phase(self) -> None:
        self.sequencer = uvm_sequencer("sequencer", self)
        self.driver = StreamDriver("driver", self)
        self.monitor = StreamMonitor("monitor", self)

    def connect_phase(self) -> None:
        self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
