"""Stream sequences: a prepared instruction stream, cut into batch items."""

from __future__ import annotations

import numpy as np
from pyuvm import uvm_sequence

from models.batch import Batch, bus_bytes, to_bytes
from tb.stream.agent import StreamItem


def batch_of(stream) -> Batch:
    """A :class:`tools.replay.Stream` (payload pools + indices) as one :class:`Batch`."""
    cfg = stream.cfg
    nb = bus_bytes(cfg)
    pools = {
        name: to_bytes(getattr(stream, f"{name}_pool"), nb[name], name) for name in ("a", "w", "c")
    }
    return Batch(
        np.asarray(stream.words, dtype=np.uint32),
        pools["a"][np.asarray(stream.a_idx, dtype=np.intp)],
        pools["w"][np.asarray(stream.w_idx, dtype=np.intp)],
        pools["c"][np.asarray(stream.c_idx, dtype=np.intp)],
    )


class StreamSeq(uvm_sequence):
    """Sends ``stream`` in items of ``batch_size`` instructions."""

    def __init__(self, name: str, stream: Batch, batch_size: int) -> None:
        super().__init__(name)
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size} must be >= 1")
        self.stream, self.batch_size = stream, batch_size

    async def body(self) -> None:
        for k, lo in enumerate(range(0, len(self.stream), self.batch_size)):
            item = StreamItem(f"batch{k}", self.stream[lo : lo + self.batch_size])
            await self.start_item(item)
            await self.finish_item(item)
