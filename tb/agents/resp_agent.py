"""Response-channel agent: passive; the back-pressure pattern lives in the BFM.

The monitor can be told to drop or duplicate a response before publishing it
(``drop_at`` / ``dup_at``): that is how the scoreboard's lost/extra checks are
themselves tested, without touching the DUT.
"""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_monitor

from tb.bfm import Beat, LutTcBfm
from tb.seq_item import LutTcResp


class RespMonitor(uvm_monitor):
    """Publishes a :class:`LutTcResp` per response transfer on ``ap``."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0
        self.drop_at: set[int] = set()  #: response indices to swallow (self-test)
        self.dup_at: set[int] = set()  #: response indices to publish twice (self-test)

    def start_of_simulation_phase(self) -> None:
        bfm: LutTcBfm = ConfigDB().get(self, "", "BFM")
        bfm.on_response.append(self._beat)

    def _beat(self, beat: Beat) -> None:
        k = self.count
        self.count += 1
        if k in self.drop_at:
            self.logger.warning(f"self-test: dropping response #{k} (tag {beat.tag})")
            return
        resp = LutTcResp(beat.tag, beat.status, beat.d, beat.cycle, beat.stall)
        self.ap.write(resp)
        if k in self.dup_at:
            self.logger.warning(f"self-test: duplicating response #{k} (tag {beat.tag})")
            self.ap.write(resp)


class RespAgent(uvm_agent):
    def build_phase(self) -> None:
        super().build_phase()
        self.monitor = RespMonitor("monitor", self)
