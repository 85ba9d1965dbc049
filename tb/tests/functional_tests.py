"""The positive tests: one small class per scenario."""

from __future__ import annotations

import cocotb
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from models.config import AFmt
from tb import knobs, patterns
from tb.sequences import DirectedSeq, ErrorInjectionSeq, GemmSeq, RandomStreamSeq, StreamKnobs
from tb.tests.base_test import BaseTest


class SmokeTest(BaseTest):
    """Directed: LUTGEN + LMMA for every activation format and weight width."""

    async def body(self) -> None:
        await DirectedSeq("directed").start(self.seqr)


class RandomStreamTest(BaseTest):
    """Constrained-random mix of LUTGEN, LMMA and illegal instructions."""

    def knobs(self) -> StreamKnobs:
        return StreamKnobs(n=knobs.scaled(100))

    async def body(self) -> None:
        await RandomStreamSeq("stream", self.knobs()).start(self.seqr)


class GemmTernaryTest(BaseTest):
    """Ternary weights stored as 2-bit codes, INT8 activations, per-column scales.

    [4 x 32] x [32 x 128] at M2N64 and scale 1 (2 m-tiles, 8 K-groups > T
    table registers, 2 n-tiles sharing each table); ``LUT_TC_SCALE=8`` gives
    [8 x 256] x [256 x 128]. Icarus evaluates the M2N64 array slowly, hence
    the small default.
    """

    weights, afmt = "ternary", AFmt.INT8

    async def body(self) -> None:
        self.seq = GemmSeq(f"gemm_{self.weights}", self.weights, self.afmt, shape=self.shape())
        self.d_words: list[int] = []
        self.bfm.on_response.append(lambda beat: self.d_words.append(beat.d))
        await self.seq.start(self.seqr)

    def check_phase(self) -> None:
        # End to end on the DUT's answers alone, beside the scoreboard's per-LMMA check.
        self.seq.check_dut(self.d_words)

    def shape(self) -> tuple[int, int, int]:
        cfg, scale = self.cfg, knobs.scale()
        groups = max(cfg.T + 1, round(8 * scale))
        return cfg.M * (4 if scale >= 2 else 2), 4 * groups, 2 * cfg.N


class GemmInt4Test(GemmTernaryTest):
    """The same GEMM shape with INT4 weights, per-column zero points, INT16 activations."""

    weights, afmt = "int4", AFmt.INT16


class ErrorInjectionTest(BaseTest):
    """Every illegal field, status priority, field-bin sweep and random 32-bit words."""

    async def body(self) -> None:
        seq = ErrorInjectionSeq("errors", n_bins=knobs.scaled(60), n_random=knobs.scaled(60))
        await seq.start(self.seqr)


class BackpressureTest(RandomStreamTest):
    """Random stream under random output back-pressure and input idle bursts."""

    def configure_bfm(self) -> None:
        self.bfm.set_out_ready(patterns.stall_mix(self.rng("out_ready")))
        self.bfm.set_in_idle(patterns.bursts(self.rng("in_idle"), on=(0, 4), off=(1, 3)))

    def knobs(self) -> StreamKnobs:
        return StreamKnobs(n=knobs.scaled(80), mix=(25, 70, 5))


class ResetInFlightTest(BaseTest):
    """Resets while instructions and stalled responses are in flight, then normal traffic.

    After each reset the model is reset, outstanding expectations are dropped,
    and any response that still shows up is an error (scoreboard: extra).
    """

    resets = 3

    def configure_bfm(self) -> None:
        self.bfm.set_out_ready(patterns.random_pattern(self.rng("out_ready"), 0.6))

    async def body(self) -> None:
        r = self.rng("reset_at")
        stream = RandomStreamSeq("stream", StreamKnobs(n=knobs.scaled(100), mix=(30, 65, 5)))
        task = cocotb.start_soon(stream.start(self.seqr))
        for _ in range(self.resets):
            await ClockCycles(self.bfm.clk, r.randint(10, 60))
            for _ in range(200):  # prefer a moment with responses outstanding
                await ReadOnly()
                if self.sb.outstanding > 0:
                    break
                await RisingEdge(self.bfm.clk)
            await RisingEdge(self.bfm.clk)
            self.logger.info(f"reset with {self.sb.outstanding} responses outstanding")
            await self.bfm.reset(cycles=r.randint(1, 5))
        await task
        await DirectedSeq("after_reset").start(self.seqr)


class WideWeightStreamTest(RandomStreamTest):
    """Mostly LMMAs at the widest weights with extreme activations (the README's example)."""

    def knobs(self) -> StreamKnobs:
        w = self.cfg.W_BITS_MAX
        return StreamKnobs(
            n=knobs.scaled(100),
            mix=(20, 80, 0),
            b_weights={w: 8, max(1, w - 1): 2},
            act_modes={"extreme": 70, "uniform": 30},
        )
