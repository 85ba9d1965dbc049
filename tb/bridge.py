# SPDX-License-Identifier: Apache-2.0
"""All pin wiggling and file formats of the stream bridge (``lut_tc_bridge.sv``).

The batched testbench moves data in bulk: a batch of instructions goes to
the bridge as one file, responses come back as one file per segment. A
cocotb wake-up costs about 12 us under Verilator and a 4096-bit signal read
about 20 us, more than the core spends on an LMMA, so the per-instruction
path has no Python in it at all. File formats are described in the header
of the SystemVerilog bridge; this module is the only Python that knows them.

Every response record carries its timing: the handshake time, the accept
time of the instruction it answers and both stall counts, which
:func:`decode_segment` turns into a :class:`tb.records.Observed` in clock
cycles, the same record the pins transport produces.

Payloads are deduplicated into a payload store on the bridge: an image
already in a slot is named by its slot, not sent again. Streams that reuse
operands (tables, weight tiles, accumulators) then cost a 16-byte
descriptor per instruction; fully random payloads still work, each sent once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import Event, RisingEdge

from models.batch import Batch, BatchResponse, bus_bytes
from models.config import CoreConfig
from tb import timebase
from tb.records import Observed
from tb.transports.base import STREAM_PARAMS

MAGIC = 0x4C545331  # "LTS1"
REC_MARK = 0x5354  # "ST" in every response record
IN_FILE = "lut_tc_stream_in.bin"
BUSES = ("a", "w", "c")


class BridgeError(AssertionError):
    """The bridge reported a malformed batch file or a bad response record."""


def out_file(segment: int) -> str:
    return f"lut_tc_stream_out{segment % 2}.bin"


class PayloadStore:
    """The Python side of one bus's payload store: which image sits in which slot.

    Images are matched by a 64-bit hash and then compared in full, so a hash
    collision costs a resend, never a wrong payload.
    """

    def __init__(self, slots: int, nbytes: int, seed: int) -> None:
        self.slots, self.nbytes = slots, nbytes
        self.padded = (nbytes + 7) // 8 * 8
        rng = np.random.default_rng(seed)
        self._mul = rng.integers(1, 1 << 63, self.padded // 8, dtype=np.uint64) | np.uint64(1)
        self._where: dict[int, int] = {}  # hash -> slot
        self._held = np.zeros((slots, self.padded // 8), dtype=np.uint64)  # images, as words
        self._hash_of: list[int | None] = [None] * slots
        self._next = 0
        self.sent = 0  #: payload images written so far (statistics)

    def _words(self, rows: np.ndarray) -> np.ndarray:
        if self.padded != self.nbytes:
            rows = np.pad(rows, ((0, 0), (0, self.padded - self.nbytes)))
        return np.ascontiguousarray(rows).view("<u8")

    def place(self, rows: np.ndarray) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
        """Slot of each row, and the (slot, image) writes that must precede the batch."""
        words = self._words(rows)
        with np.errstate(over="ignore"):
            hashes = words @ self._mul  # wraps mod 2^64
        uniq, first, inv = np.unique(hashes, return_index=True, return_inverse=True)
        slot_of_uniq = np.empty(len(uniq), dtype=np.int64)
        pinned: set[int] = set()
        fresh: list[int] = []
        for u, h in enumerate(uniq.tolist()):
            s = self._where.get(h)
            if s is None:
                fresh.append(u)
            else:
                slot_of_uniq[u] = s
                pinned.add(s)
        writes: list[int] = []
        for u in fresh:
            s = self._claim(pinned, int(uniq[u]), words[first[u]])
            slot_of_uniq[u] = s
            writes.append(int(first[u]))
        slots = slot_of_uniq[inv]
        # Exact check of every row against its slot: a hash collision (with an
        # older image or inside this batch) gets its own slot and a resend.
        for r in np.flatnonzero(np.any(self._held[slots] != words, axis=1)).tolist():
            slots[r] = self._claim(pinned, None, words[r])
            writes.append(r)
        self.sent += len(writes)
        return slots, [(int(slots[r]), rows[r]) for r in writes]

    def _claim(self, pinned: set[int], h: int | None, image: np.ndarray) -> int:
        """Next slot not used by this batch, now holding ``image`` (hash ``h``)."""
        if len(pinned) >= self.slots:
            raise ValueError(f"a batch needs more than {self.slots} payload slots")
        while self._next in pinned:
            self._next = (self._next + 1) % self.slots
        s = self._next
        self._next = (self._next + 1) % self.slots
        old = self._hash_of[s]
        if old is not None and self._where.get(old) == s:
            del self._where[old]
        self._held[s] = image
        self._hash_of[s] = h
        if h is not None:
            self._where[h] = s
        pinned.add(s)
        return s


def encode_batch(batch: Batch, stores: dict[str, PayloadStore]) -> bytes:
    """The batch file: header, payload-store writes, descriptors (big-endian words)."""
    parts: list[np.ndarray] = []
    slots = {}
    n_pay = 0
    for bus_id, name in enumerate(BUSES):
        store = stores[name]
        slots[name], writes = store.place(getattr(batch, name))
        if not writes:
            continue
        lanes = (store.nbytes + 3) // 4
        imgs = np.zeros((len(writes), lanes * 4), dtype=np.uint8)
        imgs[:, : store.nbytes] = np.stack([w for _, w in writes])
        hdr = np.array([(bus_id << 30) | s for s, _ in writes], dtype=np.uint32)
        parts.append(np.concatenate([hdr[:, None], imgs.view("<u4")], axis=1).ravel())
        n_pay += len(writes)
    desc = np.stack([batch.words, slots["a"], slots["w"], slots["c"]], axis=1).astype(np.uint32)
    words = np.concatenate(
        [np.array([MAGIC, n_pay, len(batch)], dtype=np.uint32), *parts, desc.ravel()]
    )
    return words.astype(">u4").tobytes()


#: Record words before ``out_d_o``: header, response time, accept time, output stall,
#: input stall (layout in the bridge's header).
REC_HEAD = 5
NO_TIME = 0xFFFFFFFF  #: accept time / input stall of a response with no accept to pair


def decode_segment(
    raw: bytes, cfg: CoreConfig, period_ns: int = 10, origin_ns: int = 0
) -> Observed:
    """One response segment file -> responses with their timing.

    Times come as the bridge's ``$time`` in ns (32 bits); cycles count clock
    periods from ``origin_ns``, the job's time 0 (:mod:`tb.timebase`: 0 in a
    lone run, the test's start in a group run). A response the bridge could not pair
    with an accept has ``in_cycle`` and ``in_stall`` -1. BridgeError on a torn
    or unmarked record.
    """
    if period_ns < 1:
        raise ValueError(f"period_ns={period_ns} must be >= 1")
    lanes = REC_HEAD + bus_bytes(cfg)["c"] // 4
    if len(raw) % (4 * lanes):
        raise BridgeError(f"segment of {len(raw)} bytes is not whole {4 * lanes}-byte records")
    rec = np.frombuffer(raw, dtype="<u4").reshape(-1, lanes)
    hdr = rec[:, 0]
    if np.any(hdr >> 16 != REC_MARK):
        raise BridgeError(f"response record without its marker: {hdr[hdr >> 16 != REC_MARK][:4]}")
    t_resp, t_acc, out_stall, in_stall = (rec[:, k].astype(np.int64) for k in range(1, 5))
    unpaired = t_acc == NO_TIME
    t_resp, t_acc = t_resp - origin_ns, t_acc - origin_ns
    in_cycle = np.where(unpaired, -1, t_acc // period_ns)
    resp = BatchResponse(
        (hdr & 0xFF).astype(np.uint8),
        ((hdr >> 8) & 0xF).astype(np.uint8),
        rec[:, REC_HEAD:].view("<i4"),
    )
    return Observed(
        resp,
        cycle=t_resp // period_ns,
        stall=out_stall,
        in_cycle=in_cycle,
        in_stall=np.where(unpaired, -1, in_stall),
    )


class StreamBridge:
    """Owns the bridge's pins; the driver sends batches, the monitor iterates segments."""

    def __init__(self, dut, cfg: CoreConfig, params: dict[str, int] | None = None) -> None:
        self.dut, self.cfg = dut, cfg
        self.params = {**STREAM_PARAMS, **(params or {})}
        self.log = logging.getLogger("cocotb.tb.bridge")
        self.clk = dut.clk_i
        self.dir = Path(os.getcwd())  # the simulator opens the files relative to its cwd
        nb = bus_bytes(cfg)
        self.stores = {
            name: PayloadStore(self.params["Slots"], nb[name], seed=i)
            for i, name in enumerate(BUSES)
        }
        self.period_ns = 10
        self.sent_batches = 0
        self.sent = 0  #: instructions handed to the bridge
        self.segments_read = 0
        # The bridge's counts are stale (a previous test) until this test's reset.
        self.out_of_reset = Event()
        dut.rst_ni.value = 0
        dut.batch_req_i.value = 0
        dut.seg_ack_i.value = 0
        self.set_knobs()

    def set_knobs(self, bp_pct: int = 0, gap_pct: int = 0, seed: int = 1) -> None:
        """Back-pressure and idle-gap percentages (0..100) and their generator's seed."""
        for name, v in (("bp_pct", bp_pct), ("gap_pct", gap_pct)):
            if not 0 <= v <= 100:
                raise ValueError(f"{name}={v} out of range [0, 100]")
        self.dut.bp_pct_i.value = bp_pct
        self.dut.gap_pct_i.value = gap_pct
        self.dut.seed_i.value = seed & 0xFFFFFFFF

    def start_clock(self, period_ns: int = 10) -> None:
        self.period_ns = period_ns
        Clock(self.clk, period_ns, unit="ns").start()

    async def reset(self, cycles: int = 4) -> None:
        """Reset once at the start; the stream bridge does not abandon work mid-run."""
        self.dut.rst_ni.value = 0
        for _ in range(cycles):
            await RisingEdge(self.clk)
        self.dut.rst_ni.value = 1
        self.out_of_reset.set()

    # --- counters the bridge exports ----------------------------------------------
    def counter(self, name: str) -> int:
        return int(getattr(self.dut, f"{name}_o").value)

    # --- batches in ---------------------------------------------------------------
    async def send(self, batch: Batch) -> None:
        """Hand over one batch; waits while the previous one is not yet loaded."""
        if not 1 <= len(batch) <= self.params["MaxBatch"]:
            raise ValueError(
                f"batch of {len(batch)} not in [1, MaxBatch={self.params['MaxBatch']}]"
            )
        batch.check(self.cfg)
        await self.send_file(lambda: encode_batch(batch, self.stores))
        self.sent += len(batch)

    async def send_file(self, content: Callable[[], bytes]) -> None:
        """Offer one batch file; ``content`` runs once the previous file was loaded.

        Used directly only by negative tests, to offer malformed files.
        """
        await self.out_of_reset.wait()
        done = self.dut.batch_done_o
        while int(done.value) != self.sent_batches:
            await done.value_change
        (self.dir / IN_FILE).write_bytes(content())
        self.sent_batches += 1
        self.dut.batch_req_i.value = self.sent_batches

    # --- responses out ------------------------------------------------------------
    async def segments(self) -> AsyncIterator[Observed]:
        """Every closed response segment with its timing, in order, acknowledged once read."""
        await self.out_of_reset.wait()
        done = self.dut.seg_done_o
        while True:
            while self.segments_read < int(done.value):
                path = self.dir / out_file(self.segments_read)
                raw = path.read_bytes()
                seg = decode_segment(raw, self.cfg, self.period_ns, timebase.origin_ns())
                self.segments_read += 1
                self.dut.seg_ack_i.value = self.segments_read
                yield seg
            await done.value_change
