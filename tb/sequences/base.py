# SPDX-License-Identifier: Apache-2.0
"""Base sequence: a prepared stream, tagged, sent in items of the transport's size."""

from __future__ import annotations

import logging
import time

import numpy as np
from pyuvm import ConfigDB, UVMConfigItemNotFound, uvm_sequence

from models.batch import Batch
from models.config import FIELD, CoreConfig
from tb import rand
from tb.seq_item import LutTcItem
from tb.stimulus import retag

TAG_MOD = FIELD["tag"].mask + 1


class TagAllocator:
    """Sequential tags shared by all sequences of a test (unique among 256 in flight)."""

    def __init__(self, start: int = 0) -> None:
        self._next = start

    def take(self, n: int) -> int:
        """The first of ``n`` consecutive tags (mod 256)."""
        first = self._next
        self._next = (self._next + n) % TAG_MOD
        return first


class BatchSeq(uvm_sequence):
    """Sends :meth:`stimulus` (a :class:`Batch`) with the test's next tags.

    Subclasses override :meth:`stimulus`; it runs once, when the sequence
    starts, from the sequence's own named random stream (``rng``).
    """

    def __init__(
        self, name: str = "batch_seq", batch: Batch | None = None, seed: int | None = None
    ) -> None:
        super().__init__(name)
        self.cfg: CoreConfig = ConfigDB().get(None, "", "CFG")
        #: the test's seed and the sequence name, or an explicit ``seed`` (replayable streams)
        self.rng: np.random.Generator = (
            rand.np_rng(name) if seed is None else np.random.default_rng(seed)
        )
        try:
            self.tags: TagAllocator = ConfigDB().get(None, "", "TAGS")
        except UVMConfigItemNotFound:
            self.tags = TagAllocator()
        try:
            self.item_size = ConfigDB().get(None, "", "TRANSPORT").item_size
        except UVMConfigItemNotFound:
            self.item_size = 64
        self._batch = batch
        self.sent = 0
        # uvm_object loggers have no handler outside components; this one reaches cocotb's.
        self.log = logging.getLogger(f"cocotb.tb.seq.{name}")

    def stimulus(self) -> Batch:
        if self._batch is None:
            raise NotImplementedError(f"{type(self).__name__} has no stimulus")
        return self._batch

    async def body(self) -> None:
        t0 = time.perf_counter()
        batch = self.stimulus()
        self.gen_s = time.perf_counter() - t0
        self.batch = batch = retag(batch, self.tags.take(len(batch)))
        size = self.item_size
        for k, lo in enumerate(range(0, len(batch), size)):
            item = LutTcItem(f"{self.get_name()}[{k}]", batch[lo : lo + size])
            await self.start_item(item)
            await self.finish_item(item)
            self.sent += len(item)
