# SPDX-License-Identifier: Apache-2.0
"""The positive tests: one small class per scenario, each on every transport unless it says so."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from models.config import AFmt, Opcode
from tb import knobs, patterns, stimulus
from tb.sequences import (
    DirectedSeq,
    ErrorInjectionSeq,
    GemmSeq,
    LongStreamSeq,
    PresetStreamSeq,
    RandomStreamSeq,
)
from tb.tests.base_test import BaseTest


class SmokeTest(BaseTest):
    """Directed: LUTGEN + LMMA for every activation format and weight width."""

    async def body(self) -> None:
        await DirectedSeq("directed").start(self.seqr)


class RandomStreamTest(BaseTest):
    """Constrained-random mix of LUTGEN, LMMA and illegal instructions."""

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs(n=knobs.scaled(100)).fitted(self.cfg)

    def describe(self) -> str:
        return str(self.knobs())

    async def body(self) -> None:
        await RandomStreamSeq("stream", self.knobs()).start(self.seqr)


class WideWeightStreamTest(RandomStreamTest):
    """Mostly LMMAs at the widest weights with extreme activations (the README's example)."""

    def knobs(self) -> stimulus.Knobs:
        w = self.cfg.W_BITS_MAX
        return stimulus.Knobs(
            n=knobs.scaled(100),
            mix={"lutgen": 20, "lmma": 80},
            wbits={w: 8, w - 1: 2} if w > 1 else {w: 1},
            act_modes={"extreme": 70, "uniform": 30},
        ).fitted(self.cfg)


class GemmTernaryTest(BaseTest):
    """Ternary weights stored as 2-bit codes, INT8 activations, per-column scales.

    [4 x 32] x [32 x 128] at M2N64 and scale 1 (2 m-tiles, 8 K-groups > T
    table registers, 2 n-tiles sharing each table); ``LUT_TC_SCALE=8`` gives
    [8 x 256] x [256 x 128].
    """

    weights, afmt = "ternary", AFmt.INT8

    async def body(self) -> None:
        self.seq = GemmSeq(f"gemm_{self.weights}", self.weights, self.afmt, shape=self.shape())
        self.d_rows: list[np.ndarray] = []
        self.transport.on_observed.append(lambda o: self.d_rows.append(o.resp.d))
        await self.seq.start(self.seqr)

    def check_phase(self) -> None:
        # End to end on the DUT's answers alone, beside the scoreboard's per-LMMA check.
        d = np.concatenate(self.d_rows) if self.d_rows else np.zeros((0, 1), np.int32)
        self.seq.check_dut(d)

    def shape(self) -> tuple[int, int, int]:
        cfg, scale = self.cfg, knobs.scale()
        groups = max(cfg.T + 1, round(8 * scale))
        return cfg.M * (4 if scale >= 2 else 2), 4 * groups, 2 * cfg.N


class GemmInt4Test(GemmTernaryTest):
    """The same GEMM shape with INT4 weights, per-column zero points, INT16 activations."""

    weights, afmt = "int4", AFmt.INT16


class FpSmokeTest(SmokeTest):
    """Directed on an FP configuration: LUTGEN + LMMA for every built format and width."""

    needs_fp = True


class FpRandomStreamTest(RandomStreamTest):
    """Constrained-random FP traffic (the ``fp`` preset, counted in LMMAs).

    Every built FP format, FP activation value mode (uniform bits, LLM-like
    with outliers, subnormal-heavy, specials, cancellation) and C mode, every
    width and error kind, a fifth of the tables integer.
    """

    needs_fp = True
    count = 40

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs.fp(knobs.scaled(self.count), pools=None).fitted(self.cfg)


class FpExtremeExponentTest(FpRandomStreamTest):
    """BF16 tables at both ends of binary32's exponent range, on the widest weights.

    BF16 is the one activation format with FP32's exponent range, so only its
    tables reach the LUT Tensor Core scaler's rare paths: an entry near FLT_MAX
    times 2^plane overflows to infinity, and a deep subnormal entry moves left
    by fewer places than its leading zeros (its exponent stops at 1). The
    ``extreme`` values (smallest subnormals, max finite, zeros), with subnormal
    and special ones beside them, on weights of ``WBitsMax`` and ``WBitsMax - 1``
    bits, so every plane scales them.
    """

    def knobs(self) -> stimulus.Knobs:
        w = self.cfg.W_BITS_MAX
        return dataclasses.replace(
            super().knobs(),
            afmt={"bf16": 1},
            fp_modes={"extreme": 4, "subnormal": 1, "specials": 2},
            wbits={w: 3, w - 1: 1} if w > 1 else {w: 1},
        )


class GemmFp16Int2Test(GemmTernaryTest):
    """W_INT2 with per-column scale and zero point x A_FP16 (LLM-like), FP32 accumulation.

    Checked end to end against the float64 product within the rounding bound
    of ``docs/verification_plan.md`` (and every partial sum), beside the
    scoreboard's bit-exact check of every LMMA.
    """

    weights, afmt = "int2_zp", AFmt.FP16
    needs_fp = True


class GemmTernaryBf16Test(GemmTernaryTest):
    """BitNet-style ternary weights {-1, 0, +1} (2-bit codes) x A_BF16, FP32 accumulation."""

    weights, afmt = "ternary", AFmt.BF16
    needs_fp = True


class ErrorInjectionTest(BaseTest):
    """Every illegal field, status priority, the status cross and random 32-bit words."""

    async def body(self) -> None:
        seq = ErrorInjectionSeq("errors", n_bins=knobs.scaled(60), n_random=knobs.scaled(60))
        await seq.start(self.seqr)


class BackpressureTest(RandomStreamTest):
    """Random stream under output back-pressure and input idle cycles.

    On ``pins`` the stalls follow :func:`tb.patterns.stall_mix` (every stall
    length bin up to 24 cycles) and idle bursts; on ``batch`` the bridge's
    generator holds ``out_ready_i`` low 30 % of cycles and idles after 20 % of accepts.
    """

    bp_pct, gap_pct = 30, 20

    def traffic(self):
        return (
            patterns.stall_mix(self.rng("out_ready")),
            patterns.bursts(self.rng("in_idle"), on=(0, 4), off=(1, 3)),
        )

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs(n=knobs.scaled(80), mix={"lutgen": 25, "lmma": 70, "illegal": 5})


class ResetInFlightTest(BaseTest):
    """Resets while instructions and stalled responses are in flight, then normal traffic.

    After each reset the model is reset, outstanding expectations are dropped,
    and any response that still shows up is an error (scoreboard: extra).
    """

    transports = ("pins",)
    transports_why = "resets in flight need the cycle-level BFM; the bridge resets once"
    resets = 3
    bp_pct = 40

    async def body(self) -> None:
        r = self.rng("reset_at")
        kn = stimulus.Knobs(n=knobs.scaled(100), mix={"lutgen": 30, "lmma": 65, "illegal": 5})
        task = cocotb.start_soon(RandomStreamSeq("stream", kn).start(self.seqr))
        clk = self.transport.clk
        for _ in range(self.resets):
            await self.cycles(r.randint(10, 60))
            for _ in range(200):  # prefer a moment with responses outstanding
                await ReadOnly()
                if self.sb.outstanding > 0:
                    break
                await RisingEdge(clk)
            await RisingEdge(clk)
            self.logger.info(f"reset with {self.sb.outstanding} responses outstanding")
            await self.transport.reset(cycles=r.randint(1, 5))
        await task
        await DirectedSeq("after_reset").start(self.seqr)


class StreamRandomTest(BaseTest):
    """A long stream of the ``full`` preset: every width and format, every status, INT32 wrap.

    2,000 LMMAs times ``LUT_TC_SCALE``; the batch transport runs it at simulator speed.
    """

    count = 2000

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs.full(knobs.scaled(self.count))

    def describe(self) -> str:
        return str(self.knobs())

    async def body(self) -> None:
        await LongStreamSeq("long_stream", self.knobs()).start(self.seqr)


class FpStreamTest(StreamRandomTest):
    """A long stream of the ``fp`` preset (2,000 LMMAs times ``LUT_TC_SCALE``)."""

    needs_fp = True

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs.fp(knobs.scaled(self.count)).fitted(self.cfg)


class StreamBackpressureTest(StreamRandomTest):
    """The long ``full`` stream with idle input cycles and a stalled response channel."""

    bp_pct, gap_pct = 30, 20


class StreamBadBatchFileTest(StreamRandomTest):
    """Malformed batch files are counted and change nothing; the bridge keeps working.

    Between two halves of the stream it offers a file with a wrong magic word,
    one cut short inside its second payload and one naming a payload slot
    beyond the store. The last two start with a valid write of all ones to C
    slot 0, which the first half filled and the second half reuses without
    resending: had the bridge applied part of a bad file, the second half
    would mismatch. The bridge must report exactly three malformed files.
    """

    transports = ("batch",)
    transports_why = "batch files exist only on the batch transport"

    async def body(self) -> None:
        from tb.bridge import MAGIC

        def words(*w: int) -> bytes:
            return np.array(w, dtype=">u4").tobytes()

        seq = LongStreamSeq("long_stream", self.knobs())
        stream = seq.stimulus()
        size = self.transport.item_size
        half = len(stream) // 2 // size * size or len(stream) // 2
        from tb.sequences import BatchSeq

        await BatchSeq("first", stream[:half]).start(self.seqr)
        c_write = [(2 << 30) | 0, *([0xFFFFFFFF] * (self.cfg.c_bits // 32))]
        bridge = self.transport.bridge
        slots = bridge.params["Slots"]
        bad = (
            words(0xDEADBEEF, 0, 1, 0x12, 0, 0, 0),  # wrong magic
            words(MAGIC, 2, 0, *c_write, (2 << 30) | 1, 1, 2),  # second payload cut short
            words(MAGIC, 1, 1, *c_write, Opcode.LMMA, 0, slots, 0),  # w slot outside the store
        )
        for data in bad:
            await bridge.send_file(lambda data=data: data)
        self.transport.expected_load_err = len(bad)
        await BatchSeq("second", stream[half:]).start(self.seqr)


class BenchTest(BaseTest):
    """The benchmark stream (``make bench``), timed from its first item to the verdict.

    ``LUT_TC_BENCH_COUNT`` (LMMAs, default 10000), ``_SEED`` (1), ``_MIX``
    (a preset: ``bench``, ``bench_fp16``, ``lmma``, ``full``...), ``_WBITS`` (2; 0 = the preset's),
    ``_POOLS`` (payload pools ``a,w,c``, default ``16,32,4``); the measurement
    goes to ``LUT_TC_BENCH_OUT`` as JSON.
    """

    def build_phase(self) -> None:
        super().build_phase()
        env = os.environ
        self.params = {
            "count": int(env.get("LUT_TC_BENCH_COUNT", "10000")),
            "seed": int(env.get("LUT_TC_BENCH_SEED", "1")),
            "mix": env.get("LUT_TC_BENCH_MIX", "bench"),
            "wbits": int(env.get("LUT_TC_BENCH_WBITS", "2")) or None,
            "pools": tuple(int(x) for x in env.get("LUT_TC_BENCH_POOLS", "16,32,4").split(",")),
        }

    async def body(self) -> None:
        p = self.params
        self.seq = PresetStreamSeq(  # the stream make replay writes for these numbers
            "bench", p["mix"], p["count"], p["seed"], p["wbits"], p["pools"]
        )
        await self.seq.start(self.seqr)

    def report_phase(self) -> None:
        sb, batch = self.sb, self.seq.batch
        op = (batch.words & 0xF).astype(np.int64)
        rec = {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params.items()},
            "config": knobs.config_name(),
            "transport": self.transport.name,
            "instructions": len(batch),
            "lmma": int((op == Opcode.LMMA).sum()),
            "matched": sb.matched,
            "errors": sb.errors,
            "wall_s": self.t_end - self.t_start,  # generation, prediction, checking included
            "gen_s": self.seq.gen_s,
            "coverage": knobs.cov_enabled(),
        }
        self.logger.info(f"bench: {rec}")
        out = os.environ.get("LUT_TC_BENCH_OUT")
        if out:
            Path(out).write_text(json.dumps(rec, indent=1))


class StreamBenchTest(BenchTest):
    """:class:`BenchTest` under the name ``make bench`` has long used for its batched runs."""
