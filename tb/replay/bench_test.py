"""cocotb test module of the throughput benchmark (``test_module="tb.replay.bench_test"``).

``BenchStreamTest`` runs the exact instruction stream that ``tools/replay.py``
replays in pure SystemVerilog, through the whole pyuvm environment of
``tb.tests.base_test.BaseTest``: sequencer, driver, BFM, both monitors,
predictor (``CoreModel``), scoreboard and (unless ``LUT_TC_COV=0``) coverage.
So the benchmark compares the testbench and the replay harness on identical
work. The stream is generated before the clock starts (stimulus generation is
not what is measured); the timed window runs from the first ``send`` to the
end of the drain, when every response has been checked.

Environment knobs (set by ``tools/bench.py``):

=========================  =====================================================
``LUT_TC_CONFIG``          configuration name (tb knob, default M2N64)
``LUT_TC_BENCH_COUNT``     LMMA instructions in the stream (default 10000)
``LUT_TC_BENCH_SEED``      stream seed (default 1)
``LUT_TC_BENCH_MIX``       ``bench`` (default), ``lmma`` or ``full`` (tools/replay.py)
``LUT_TC_BENCH_WBITS``     weight bits of every LMMA (default 2; ``0`` = mix default)
``LUT_TC_BENCH_POOLS``     payload pool sizes ``a,w,c`` (default ``16,32,4``)
``LUT_TC_BENCH_OUT``       write the measurement here as JSON
=========================  =====================================================
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyuvm

from tb import knobs
from tb.sequences.base import LutTcBaseSeq
from tb.tests.base_test import BaseTest


def stream_params() -> dict:
    pools = tuple(int(x) for x in os.environ.get("LUT_TC_BENCH_POOLS", "16,32,4").split(","))
    wbits = int(os.environ.get("LUT_TC_BENCH_WBITS", "2"))
    return dict(
        count=int(os.environ.get("LUT_TC_BENCH_COUNT", "10000")),
        seed=int(os.environ.get("LUT_TC_BENCH_SEED", "1")),
        mix=os.environ.get("LUT_TC_BENCH_MIX", "bench"),
        wbits=wbits or None,
        pools=pools,
    )


class StreamSeq(LutTcBaseSeq):
    """Sends a prepared :class:`tools.replay.Stream` item by item (tags are in the words)."""

    def __init__(self, name: str, stream) -> None:
        super().__init__(name)
        self.stream = stream

    async def body(self) -> None:
        s = self.stream
        for i in range(len(s)):
            await self.send(*s.buses(i))


class BenchStreamTest(BaseTest):
    """The benchmark stream through the full environment, timed."""

    def build_phase(self) -> None:
        from tools.replay import gen_stream

        super().build_phase()
        p = stream_params()
        t0 = time.perf_counter()
        self.stream = gen_stream(
            knobs.config(), p["count"], p["seed"], p["mix"], p["wbits"], *p["pools"]
        )
        self.gen_s = time.perf_counter() - t0
        self.params = p

    async def body(self) -> None:
        self.t_start = time.perf_counter()
        await StreamSeq("bench_stream", self.stream).start(self.seqr)

    async def drain(self) -> None:
        await super().drain()
        self.t_end = time.perf_counter()

    def report_phase(self) -> None:
        super().report_phase()
        out = os.environ.get("LUT_TC_BENCH_OUT")
        wall = self.t_end - self.t_start
        sb = self.sb
        rec = {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params.items()},
            "config": knobs.config_name(),
            "instructions": len(self.stream),
            "lmma": self.stream.n_lmma(),
            "matched": sb.matched,
            "errors": sb.errors,
            "wall_s": wall,  # first send -> drain done (includes quiet_cycles)
            "gen_s": self.gen_s,
            "coverage": knobs.cov_enabled(),
        }
        self.logger.info(f"bench: {rec}")
        if out:
            Path(out).write_text(json.dumps(rec, indent=1))


pyuvm.test(timeout_time=10_000_000, timeout_unit="us")(BenchStreamTest)
