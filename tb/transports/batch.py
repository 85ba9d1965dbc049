# SPDX-License-Identifier: Apache-2.0
"""The ``batch`` transport: the SystemVerilog bridge (``tb/sv/lut_tc_bridge.sv``).

Python hands over whole batches and reads back whole segments of responses
(:mod:`tb.bridge` knows the pins and the files), so nothing crosses the
Python/simulator boundary per instruction: under Verilator a wake-up costs
about 12 us and a 4096-bit read about 20 us, more than the core spends on an
LMMA. The bridge issues every descriptor of a batch in order and never drops
one, so what was handed over is what the core accepted; ``end_checks``
confirms it with the bridge's own ``issued_o`` count. Every response record
carries its handshake cycle, the accepting cycle of its instruction and both
stall counts, so failures and coverage see the same timing as on ``pins``.
The bridge resets once, at the start: resets in flight are a ``pins`` scenario.
"""

from __future__ import annotations

import cocotb
import numpy as np

from models.batch import Batch
from models.config import CoreConfig
from tb import knobs
from tb.bridge import StreamBridge
from tb.records import Issued
from tb.transports.base import ProtocolError, Transport


class BatchTransport(Transport):
    name = "batch"
    poll_cycles = 256
    hang_cycles = 4096
    quiet_cycles = 160  # beyond the bridge's FlushIdle, so a late segment still arrives

    def __init__(self, dut, cfg: CoreConfig, period_ns: int = 10) -> None:
        super().__init__(dut, cfg, period_ns)
        self.bridge = StreamBridge(dut, cfg)
        self.item_size = knobs.stream_batch(1024)  # one bridge file per item
        self.expected_load_err = 0  #: malformed batch files a test offers on purpose
        self._task = None

    def set_traffic(self, bp_pct, gap_pct, seed, shapes=None) -> None:
        super().set_traffic(bp_pct, gap_pct, seed)
        self.bridge.set_knobs(bp_pct, gap_pct, seed)

    def start_clock(self) -> None:
        self.bridge.start_clock(self.period_ns)

    async def reset(self, cycles: int = 4) -> None:
        if self._task is not None:
            raise ValueError("the batch transport resets only at the start of a test")
        await self.bridge.reset(cycles)
        self._task = cocotb.start_soon(self._pull())

    async def send(self, batch: Batch) -> None:
        cap = self.bridge.params["MaxBatch"]
        for lo in range(0, len(batch), cap):
            part = batch[lo : lo + cap]
            await self.bridge.send(part)
            self.sent += len(part)
            n = len(part)
            idx = np.arange(self.issued, self.issued + n, dtype=np.int64)
            unknown = np.full(n, -1, dtype=np.int64)  # timing arrives with the responses
            self._issue(Issued(part, idx, unknown, unknown))

    async def _pull(self) -> None:
        async for seg in self.bridge.segments():
            errors = self.bridge.counter("proto_err")
            if errors:
                raise ProtocolError(
                    f"the bridge counted {errors} valid/ready violations of the core "
                    f"(proto_err_o) by response {self.observed + len(seg)}"
                )
            self._observe(seg)

    # --- state ------------------------------------------------------------------
    def busy(self) -> bool:
        return self.bridge.counter("issued") < self.sent

    def progress(self) -> tuple[int, ...]:
        return (self.bridge.counter("issued"), self.bridge.counter("retired"))

    def settled(self) -> bool:
        b = self.bridge
        return b.counter("issued") == self.sent and b.segments_read == b.counter("seg_done")

    def end_checks(self) -> list[tuple[str, str]]:
        b, out = self.bridge, []
        for name, want in (
            ("issued", self.sent),
            ("proto_err", 0),
            ("load_err", self.expected_load_err),
        ):
            got = b.counter(name)
            if got != want:
                out.append(("transport", f"bridge {name}_o = {got}, expected {want}"))
        return out
