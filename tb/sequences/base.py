"""Base sequence: config, seeded generators, tags, and a one-line ``send``."""

from __future__ import annotations

import itertools
import logging

import numpy as np
from pyuvm import ConfigDB, UVMConfigItemNotFound, uvm_sequence

from models.config import FIELD, CoreConfig
from tb import rand
from tb.seq_item import LutTcItem

TAG_MOD = FIELD["tag"].mask + 1


class TagAllocator:
    """Sequential tags shared by all sequences of a test (unique among 256 in flight)."""

    def __init__(self, start: int = 0) -> None:
        self._it = itertools.count(start)

    def next(self) -> int:
        return next(self._it) % TAG_MOD


class LutTcBaseSeq(uvm_sequence):
    """Gives every sequence ``cfg``, ``rng`` (numpy, named stream), ``tags`` and ``send``."""

    def __init__(self, name: str = "lut_tc_seq") -> None:
        super().__init__(name)
        self.cfg: CoreConfig = ConfigDB().get(None, "", "CFG")
        self.rng: np.random.Generator = rand.np_rng(name)
        self.pyrng = rand.py_rng(name)
        try:
            self.tags: TagAllocator = ConfigDB().get(None, "", "TAGS")
        except UVMConfigItemNotFound:
            self.tags = TagAllocator()
        try:
            self.bfm = ConfigDB().get(None, "", "BFM")
        except UVMConfigItemNotFound:
            self.bfm = None
        self.sent = 0
        # uvm_object loggers have no handler outside components; this one reaches cocotb's.
        self.log = logging.getLogger(f"cocotb.tb.seq.{name}")

    async def send(
        self,
        word: int,
        a_bus: int | None = None,
        w_bus: int | None = None,
        c_bus: int | None = None,
    ) -> LutTcItem:
        item = LutTcItem("item", word, a_bus, w_bus, c_bus)
        await self.start_item(item)
        await self.finish_item(item)
        self.sent += 1
        return item

    def resets_seen(self) -> int:
        """BFM reset count: sequences that track table state drop it when this changes."""
        return 0 if self.bfm is None else self.bfm.resets
