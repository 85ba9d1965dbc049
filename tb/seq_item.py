"""Sequence items: one instruction with its payload, and one response.

Buses are plain ints in the exact bit layout of docs section 4 (built with the
vectorized ``models`` packers), so the BFM drives them as they are.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from pyuvm import uvm_sequence_item

from models import isa
from models.config import CoreConfig, Status
from models.lmma import unpack_c


class LutTcItem(uvm_sequence_item):
    """An instruction word plus the A, W and C buses it is issued with.

    ``None`` for a bus means "whatever the pins hold": the BFM leaves it, and
    the monitor reports what was actually there.
    """

    def __init__(
        self,
        name: str = "lut_tc_item",
        word: int = 0,
        a_bus: int | None = None,
        w_bus: int | None = None,
        c_bus: int | None = None,
    ) -> None:
        super().__init__(name)
        self.word, self.a_bus, self.w_bus, self.c_bus = word, a_bus, w_bus, c_bus
        self.cycle = -1  #: accepting clock cycle (monitor side)
        self.stall = 0  #: cycles waited for in_ready_o (monitor side)

    @cached_property
    def instr(self) -> isa.Instr:
        """Decoded fields, for logging, coverage and sequences."""
        return isa.decode(self.word)

    @property
    def tag(self) -> int:
        return self.instr.tag

    def __str__(self) -> str:
        return f"{isa.disasm(self.word)} @{self.cycle}"


class LutTcResp(uvm_sequence_item):
    """A response as seen on the output pins."""

    def __init__(self, tag: int, status: int, d: int, cycle: int = -1, stall: int = 0) -> None:
        super().__init__("lut_tc_resp")
        self.tag, self.status, self.d, self.cycle, self.stall = tag, status, d, cycle, stall

    def d_array(self, cfg: CoreConfig) -> np.ndarray:
        return unpack_c(self.d, cfg)

    def __str__(self) -> str:
        try:
            st = Status(self.status).name
        except ValueError:
            st = f"?{self.status}"
        return f"resp tag={self.tag} {st} @{self.cycle}"
