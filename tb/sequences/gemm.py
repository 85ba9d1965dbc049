"""A whole quantized GEMM through ``models.tiler``, checked end to end.

Weights are ``b``-bit codes ``q`` with a per-column scale ``s`` and zero
point ``z``: ternary {-1, 0, 1} stored as 2-bit ``q = w + 1`` (z = 1), or
INT4 with a random zero point per column. ``tile_gemm`` turns the GEMM into
LUTGEN/LMMA steps; partial sums are chained through ``HostMemory`` with the
D the model predicts (so issue never waits for the DUT; the scoreboard checks
every DUT D against the same model bit-exact). At the end the integer result
must equal ``symmetric_matmul`` exactly, and after the dequantization
epilogue (``dequant_from_symmetric``) the float GEMM ``dequant_matmul``.
"""

from __future__ import annotations

import numpy as np

from models.config import AFmt, Status
from models.core import CoreModel
from models.reference import dequant_from_symmetric, dequant_matmul, symmetric_matmul
from models.tables import act_range
from models.tiler import HostMemory, tile_gemm
from tb.sequences.base import LutTcBaseSeq


class GemmSeq(LutTcBaseSeq):
    """``[Mt, Kt] x [Kt, Nt]`` with ``weights`` in {"ternary", "int4"}."""

    def __init__(
        self,
        name: str = "gemm_seq",
        weights: str = "ternary",
        afmt: AFmt = AFmt.INT8,
        shape: tuple[int, int, int] | None = None,
    ) -> None:
        super().__init__(name)
        self.weights, self.afmt = weights, afmt
        cfg = self.cfg
        self.shape = shape or (4 * cfg.M, 256, 2 * cfg.N)  # M2N64: [8x256] x [256x128]
        self.result: np.ndarray | None = None
        self.lmmas = 0

    def operands(self) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
        """a, q, b, s, z for the configured weight kind."""
        rng = self.rng
        mt, kt, nt = self.shape
        lo, hi = act_range(self.afmt)
        a = rng.integers(lo, hi, size=(mt, kt), endpoint=True)
        s = rng.uniform(0.01, 0.1, size=nt)
        if self.weights == "ternary":
            q = rng.integers(-1, 1, size=(kt, nt), endpoint=True) + 1
            return a, q, 2, s, np.ones(nt)
        if self.weights == "int4":
            q = rng.integers(0, 15, size=(kt, nt), endpoint=True)
            return a, q, 4, s, rng.integers(0, 15, size=nt, endpoint=True).astype(np.float64)
        raise ValueError(f"weights={self.weights!r}; choose 'ternary' or 'int4'")

    async def body(self) -> None:
        cfg = self.cfg
        self.ops = a, q, b, s, z = self.operands()
        self.prog = prog = tile_gemm(a, q, b, self.afmt, cfg, tag_start=self.tags.next())
        for _ in range(len(prog.steps) - 1):  # the program numbers its own tags from there
            self.tags.next()
        mem = HostMemory.for_program(prog)
        model = CoreModel(cfg)  # the issuer's own view, used only to chain C
        for step in prog.steps:
            c_bus = mem.c_for(step) if step.acc is not None else None
            resp = model.step(step.word, step.a_bus, step.w_bus, c_bus or 0)
            assert resp.status == Status.OK, f"tiler produced a failing step: {resp.status}"
            mem.write_back(step, resp.d)
            if step.acc is None:
                await self.send(step.word, a_bus=step.a_bus)
            else:
                self.lmmas += 1
                await self.send(step.word, w_bus=step.w_bus, c_bus=c_bus)
        self.result = mem.result()
        self.check(self.result, "model chain")
        self.log.info(
            f"GEMM {self.weights} {self.afmt.name} {self.shape}: {len(prog.steps)} instructions, "
            f"{self.lmmas} LMMAs; the model chain matches the integer and dequantized GEMM"
        )

    def check(self, d_sym: np.ndarray, what: str) -> None:
        """``d_sym`` must equal ``a @ q'`` exactly, and dequantize to ``a @ (s * (q - z))``."""
        a, q, b, s, z = self.ops
        exact = symmetric_matmul(a, q, b)
        assert np.array_equal(d_sym, exact), f"{what}: GEMM differs from a @ (2q - (2^b - 1))"
        got = dequant_from_symmetric(d_sym, a, s, z, b)
        want = dequant_matmul(a, q, s, z)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-6), (
            f"{what}: dequantized GEMM off by up to {np.abs(got - want).max()}"
        )

    def check_dut(self, d_words: list[int]) -> None:
        """Rebuild the GEMM from the D the DUT answered (one per step, in order) and check it.

        Independent of the predictor: C chaining through ``HostMemory`` with
        the DUT's own D, then the same integer and dequantized checks.
        """
        prog = self.prog
        assert len(d_words) == len(prog.steps), (
            f"{len(d_words)} responses for {len(prog.steps)} GEMM instructions"
        )
        mem = HostMemory.for_program(prog)
        for step, d in zip(prog.steps, d_words, strict=True):
            if step.acc is not None:
                mem.c_for(step)
                mem.write_back(step, d)
        self.check(mem.result(), "DUT responses")
        self.log.info(f"GEMM {self.weights}: the DUT's own D chain gives the exact GEMM")
