# SPDX-License-Identifier: Apache-2.0
"""The sequence item: a run of instructions with their payloads (a :class:`models.batch.Batch`).

An item holds as many instructions as suit the transport (a few on ``pins``,
hundreds on ``batch``), so pyuvm's sequencer and driver handshake runs once
per item, not once per instruction.
"""

from __future__ import annotations

from pyuvm import uvm_sequence_item

from models import isa
from models.batch import Batch


class LutTcItem(uvm_sequence_item):
    def __init__(self, name: str, batch: Batch) -> None:
        super().__init__(name)
        self.batch = batch

    def __len__(self) -> int:
        return len(self.batch)

    def __str__(self) -> str:
        first = isa.disasm(int(self.batch.words[0])) if len(self.batch) else "-"
        return f"{self.get_name()}: {len(self.batch)} instructions from {first}"
