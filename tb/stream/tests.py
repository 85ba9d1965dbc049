"""Tests of the batched testbench (toplevel ``lut_tc_bridge``, module ``tb.test_stream``).

A test says which stream to run (``make_stream``) and with which gaps and
back-pressure (``bp_pct``/``gap_pct``); the base test resets, sends it in
batches, waits for every response and lets the scoreboard judge. The
streams are those of ``tools/replay.py`` (mixes ``full``, ``bench``,
``lmma``), so a failure here can be replayed in pure SystemVerilog too.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
from cocotb.triggers import Timer
from pyuvm import ConfigDB, uvm_factory, uvm_test

from models.batch import Batch
from models.config import Opcode
from tb import knobs, rand
from tb.bridge import StreamBridge
from tb.stream.env import StreamEnv
from tb.stream.predictor import BrokenStreamPredictor, StreamPredictor
from tb.stream.sequences import StreamSeq, batch_of
from tb.tests.expect import ExpectErrors


class StreamHang(AssertionError):
    """No response retired for ``hang_cycles`` while responses were outstanding."""


class StreamBaseTest(uvm_test):
    batch_size = 512  #: instructions per item (and per bridge file)
    count = 2000  #: LMMAs in the stream, times LUT_TC_SCALE
    mix = "full"  #: tools/replay.py stream mix
    wbits: int | None = None  #: None: the mix's default
    pools = (64, 256, 64)  #: distinct a / w / c payloads in the stream
    bp_pct = 0  #: percent of cycles with out_ready_i low
    gap_pct = 0  #: percent of accepts followed by an idle cycle
    hang_cycles = 4096

    # --- hooks ------------------------------------------------------------------
    def configure(self) -> None:
        """Before the env is built: factory overrides, ConfigDB knobs."""

    def make_stream(self) -> Batch:
        from tools.replay import gen_stream

        seed = int(rand.np_rng(f"{type(self).__name__}.stream").integers(1 << 31))
        s = gen_stream(self.cfg, knobs.scaled(self.count), seed, self.mix, self.wbits, *self.pools)
        return batch_of(s)

    async def send_stream(self) -> None:
        """After reset: the stream, in batches of ``batch_size``."""
        await StreamSeq("stream", self.stream, self.batch_size).start(self.env.agent.sequencer)

    # --- phases -----------------------------------------------------------------
    @property
    def sb(self):
        return self.env.scoreboard

    def build_phase(self) -> None:
        self.cfg = knobs.config()
        self.gave_up = False
        self.bridge = StreamBridge(cocotb.top, self.cfg)
        cdb = ConfigDB()
        cdb.set(None, "*", "CFG", self.cfg)
        cdb.set(None, "*", "BRIDGE", self.bridge)
        self.configure()
        self.env = StreamEnv("env", self)
        self.batch_size = knobs.stream_batch(self.batch_size)
        t0 = time.perf_counter()
        self.stream = self.make_stream()
        self.gen_s = time.perf_counter() - t0

    def end_of_elaboration_phase(self) -> None:
        self.logger.info(
            f"{type(self).__name__}: config {self.cfg.name}, seed {rand.seed()}, "
            f"{len(self.stream)} instructions, bp {self.bp_pct}% gap {self.gap_pct}%"
        )

    async def run_phase(self) -> None:
        self.raise_objection()
        b = self.bridge
        b.start_clock()
        self.bp_pct = knobs.stream_percent("bp", self.bp_pct)
        self.gap_pct = knobs.stream_percent("gap", self.gap_pct)
        b.set_knobs(self.bp_pct, self.gap_pct, rand.py_rng("stream.knobs").getrandbits(32))
        await b.reset()
        dog = cocotb.start_soon(self._watchdog())
        self.t_start = time.perf_counter()
        await self.send_stream()
        await self.drain()
        self.t_end = time.perf_counter()
        dog.cancel()
        self.drop_objection()

    def _state(self) -> str:
        b = self.bridge
        counters = ", ".join(
            f"{n} {b.counter(n)}" for n in ("issued", "retired", "batch_done", "seg_done")
        )
        return (
            f"sent {b.sent} in {b.sent_batches} batches, {counters}, "
            f"segments read {b.segments_read}, received {self.sb.n_act}"
        )

    def _finished(self) -> bool:
        b = self.bridge
        return (
            b.sent == len(self.stream)
            and b.counter("retired") >= b.sent
            and b.segments_read == b.counter("seg_done")
        )

    def _given_up(self) -> bool:
        """Everything was issued and read, and the missing responses stopped coming."""
        b = self.bridge
        return (
            self.gave_up
            and b.counter("issued") == b.sent == len(self.stream)
            and b.segments_read == b.counter("seg_done")
        )

    async def cycles(self, n: int) -> None:
        """Sleep ``n`` clock periods in one wake-up (``ClockCycles`` wakes Python every edge)."""
        await Timer(n * self.bridge.period_ns, unit="ns")

    async def drain(self) -> None:
        """Until every response arrived, or the rest stopped coming (the scoreboard: lost)."""
        while not (self._finished() or self._given_up()):
            await self.cycles(256)
        await self.cycles(32)  # a response beyond the stream would show up here

    async def _watchdog(self) -> None:
        """No accept and no response for ``hang_cycles`` with work pending.

        With every instruction issued it only stops the drain: the responses
        the core never gave are lost, which the scoreboard reports. Before
        that, the stream itself is stuck: :class:`StreamHang`.
        """
        b, last, still = self.bridge, None, 0
        while True:
            await self.cycles(256)
            now = (b.counter("issued"), b.counter("retired"))
            still = still + 256 if now == last else 0
            last = now
            if still >= self.hang_cycles and not self._finished():
                if b.sent == len(self.stream) and now[0] == b.sent:
                    self.logger.error(f"no response for {still} cycles: {self._state()}")
                    self.gave_up = True
                    return
                raise StreamHang(f"no transfer for {still} cycles: {self._state()}")


class StreamRandomTest(StreamBaseTest):
    """The full mix: every weight width, both formats, every error status, INT32 wrap."""


class StreamBackpressureTest(StreamBaseTest):
    """The full mix with idle input cycles and a stalled response channel."""

    bp_pct = 30
    gap_pct = 20


class StreamBadBatchFileTest(StreamRandomTest):
    """Malformed batch files are counted and change nothing; the bridge keeps working.

    Between two halves of the stream it offers a file with a wrong magic word,
    one cut short inside its second payload and one naming a payload slot
    beyond the store. The last two start with a valid write of all ones to C
    slot 0, which the first half filled and the second half reuses without
    resending: had the bridge applied part of a bad file, the second half
    would mismatch. The bridge must report exactly three malformed files.
    """

    async def send_stream(self) -> None:
        import numpy as np

        from tb.bridge import MAGIC

        def words(*w: int) -> bytes:
            return np.array(w, dtype=">u4").tobytes()

        half = len(self.stream) // 2 // self.batch_size * self.batch_size or len(self.stream) // 2
        seqr = self.env.agent.sequencer
        await StreamSeq("first", self.stream[:half], self.batch_size).start(seqr)
        c_write = [(2 << 30) | 0, *([0xFFFFFFFF] * (self.cfg.c_bits // 32))]
        slots = self.bridge.params["Slots"]
        bad = (
            words(0xDEADBEEF, 0, 1, 0x12, 0, 0, 0),  # wrong magic
            words(MAGIC, 2, 0, *c_write, (2 << 30) | 1, 1, 2),  # second payload cut short
            words(MAGIC, 1, 1, *c_write, Opcode.LMMA, 0, slots, 0),  # w slot outside the store
        )
        for data in bad:
            await self.bridge.send_file(lambda data=data: data)
        self.sb.expect_load_err = len(bad)
        await StreamSeq("second", self.stream[half:], self.batch_size).start(seqr)


class StreamBenchTest(StreamBaseTest):
    """The benchmark stream (tools/bench.py), timed from first batch to last response."""

    def make_stream(self) -> Batch:
        from tb.replay.bench_test import stream_params
        from tools.replay import gen_stream

        p = self.params = stream_params()
        self.batch_size = knobs.stream_batch(1024)
        return batch_of(
            gen_stream(self.cfg, p["count"], p["seed"], p["mix"], p["wbits"], *p["pools"])
        )

    def report_phase(self) -> None:
        sb = self.sb
        rec = {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params.items()},
            "config": knobs.config_name(),
            "instructions": len(self.stream),
            "lmma": int(((self.stream.words & 0xF) == 2).sum()),
            "matched": sb.matched,
            "errors": sb.errors,
            "wall_s": self.t_end - self.t_start,
            "gen_s": self.gen_s,
            "batch": self.batch_size,
            "payloads_sent": {k: s.sent for k, s in self.bridge.stores.items()},
        }
        self.logger.info(f"bench: {rec}")
        out = os.environ.get("LUT_TC_BENCH_OUT")
        if out:
            Path(out).write_text(json.dumps(rec, indent=1))


# --- negative tests: each passes only if a checker fired ------------------------------


class StreamBrokenPredictionTest(ExpectErrors, StreamRandomTest):
    """One wrong D lane per batch from the predictor: the scoreboard must count each."""

    def configure(self) -> None:
        super().configure()
        uvm_factory().set_type_override_by_type(StreamPredictor, BrokenStreamPredictor)

    def expect(self, counts: dict[str, int]) -> None:
        batches = -(-len(self.stream) // self.batch_size)
        assert counts["mismatch"] == batches, f"expected {batches} mismatches: {counts}"


class StreamScoreboardSelfTest(ExpectErrors, StreamRandomTest):
    """The monitor swallows one response: the stream shifts, and one is lost at the end."""

    def connect_phase(self) -> None:
        self.env.agent.monitor.drop_at = {300}

    def expect(self, counts: dict[str, int]) -> None:
        assert counts["lost"] == 1, f"a dropped response went unnoticed: {counts}"
        assert counts["mismatch"] > 0, f"the shift after the drop went unnoticed: {counts}"


class StreamBrokenDutTest(ExpectErrors, StreamRandomTest):
    """Run on a core built with ``LUT_TC_BUG_*`` (``LUT_TC_EXPECT_DUT_BUG=1``)."""


class StreamProtocolBugTest(ExpectErrors, StreamBackpressureTest):
    """Run on a ``LUT_TC_BUG_OVERWRITE_STALLED`` core (``LUT_TC_EXPECT_DUT_BUG=protocol``).

    A new response overwrites one that waits for ``out_ready_i``: the bridge's
    valid/ready check must count it (``proto_err_o``) and the scoreboard must
    miss the overwritten responses.
    """

    def expect(self, counts: dict[str, int]) -> None:
        proto = self.bridge.counter("proto_err")
        assert proto > 0, f"the bridge missed the overwritten responses: {counts}"
        assert counts["bridge"] > 0 and counts["lost"] > 0, f"scoreboard: {counts}"
