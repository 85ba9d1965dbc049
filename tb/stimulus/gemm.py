"""A whole quantized GEMM through ``models.tiler`` as one Batch, checked end to end.

Weights are ``b``-bit codes ``q`` with a per-column scale ``s`` and zero
point ``z``: ternary {-1, 0, 1} stored as 2-bit ``q = w + 1`` (z = 1), or
INT4 with a random zero point per column. ``tile_gemm`` turns the GEMM into
LUTGEN/LMMA steps; each LMMA's C is the D the model answered for the
previous LMMA of its accumulator tile (so issue never waits for the DUT).

Two checks, both raising AssertionError with the element and instruction
that differ: at construction the model chain must give ``a @ q'`` exactly
and dequantize to ``a @ (s * (q - z))``; :meth:`GemmProgram.check_dut`
rebuilds the GEMM from the DUT's own D rows alone, so it holds whatever the
predictor says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import isa
from models.batch import Batch, BatchModel, bus_bytes, to_bytes
from models.config import AFmt, CoreConfig, Status
from models.reference import dequant_from_symmetric, dequant_matmul, symmetric_matmul
from models.tables import act_range, check_afmt
from models.tiler import HostMemory, Program, tile_gemm
from tb.stimulus.payloads import c_images

WEIGHTS = ("ternary", "int4")


def _wrap32(x: np.ndarray) -> np.ndarray:
    """int64 two's-complement wrap to INT32, like the accumulator."""
    return ((x.astype(np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


@dataclass
class GemmProgram:
    """The Batch of one GEMM plus what it takes to judge the DUT's answers."""

    cfg: CoreConfig
    weights: str
    afmt: AFmt
    shape: tuple[int, int, int]  #: (Mt, Kt, Nt)
    a: np.ndarray  #: activations [Mt, Kt]
    q: np.ndarray  #: weight codes [Kt, Nt]
    b: int  #: weight bits
    s: np.ndarray  #: scale per column [Nt]
    z: np.ndarray  #: zero point per column [Nt]
    program: Program
    batch: Batch
    tile: np.ndarray  #: accumulator tile (m * n_tiles + n) of each LMMA, -1 for a LUTGEN
    d_model: np.ndarray  #: int32 [n_instr, M*N]: the model's D of every instruction
    result: np.ndarray  #: int64 [Mt, Nt]: the model chain's GEMM

    @property
    def n_lmma(self) -> int:
        return int((self.tile >= 0).sum())

    def describe(self) -> str:
        mt, kt, nt = self.shape
        return (
            f"GEMM {self.weights} ({self.b}-bit) {self.afmt.name} [{mt}x{kt}] x [{kt}x{nt}] "
            f"on {self.cfg.name}: {len(self.batch)} instructions, {self.n_lmma} LMMAs"
        )

    def check(self, d_sym: np.ndarray, what: str) -> None:
        """``d_sym`` must equal ``a @ q'`` exactly, and dequantize to ``a @ (s * (q - z))``."""
        exact = symmetric_matmul(self.a, self.q, self.b)
        if d_sym.shape != exact.shape or not np.array_equal(d_sym, exact):
            if d_sym.shape != exact.shape:
                raise AssertionError(f"{what}: GEMM has shape {d_sym.shape}, want {exact.shape}")
            bad = np.argwhere(d_sym != exact)
            r, c = (int(x) for x in bad[0])
            raise AssertionError(
                f"{what}: GEMM differs from a @ (2q - (2^b - 1)) in {len(bad)} of "
                f"{exact.size} elements; first [{r}, {c}]: {d_sym[r, c]} != {exact[r, c]}"
            )
        got = dequant_from_symmetric(d_sym, self.a, self.s, self.z, self.b)
        want = dequant_matmul(self.a, self.q, self.s, self.z)
        if not np.allclose(got, want, rtol=1e-9, atol=1e-6):
            raise AssertionError(
                f"{what}: dequantized GEMM off by up to {np.abs(got - want).max()}"
            )

    def check_dut(self, d: np.ndarray) -> None:
        """Rebuild the GEMM from the DUT's D rows (int32 ``[n_instr, M*N]``, one per
        instruction in order) and check it like the model chain.

        Each LMMA adds ``D - C`` (C as sent) to its tile, so a wrong lane in any
        LMMA, not only the last of a tile, changes the GEMM. LUTGEN rows must be 0.
        """
        cfg, n = self.cfg, len(self.batch)
        d = np.asarray(d)
        lanes = cfg.M * cfg.N
        if d.shape != (n, lanes) or not np.issubdtype(d.dtype, np.integer):
            raise AssertionError(
                f"DUT responses: D has {d.dtype} {list(d.shape)}, want int32 [{n}, {lanes}] "
                "(one row per GEMM instruction, in order)"
            )
        d = _wrap32(d)
        gen = np.flatnonzero(self.tile < 0)
        nz = gen[(d[gen] != 0).any(axis=1)]
        if nz.size:
            k = int(nz[0])
            raise AssertionError(
                f"DUT responses: {nz.size} LUTGEN responses with D != 0, first instruction "
                f"{k} ({isa.disasm(int(self.batch.words[k]))})"
            )
        c_sent = np.ascontiguousarray(self.batch.c).view("<i4").astype(np.int64)
        inc = _wrap32(d - c_sent)
        try:
            self.check(self._stitch(inc), "DUT responses")
        except AssertionError as err:
            raise AssertionError(f"{err}{self._first_difference(d)}") from None

    # --- helpers ----------------------------------------------------------------
    def _stitch(self, inc: np.ndarray) -> np.ndarray:
        """Sum the per-LMMA increments of every tile (INT32 wrap) into the GEMM."""
        mem = HostMemory.for_program(self.program)
        sums = np.zeros((mem.m_tiles * mem.n_tiles, inc.shape[1]), dtype=np.int64)
        rows = np.flatnonzero(self.tile >= 0)
        np.add.at(sums, self.tile[rows], inc[rows])
        mem.acc[...] = _wrap32(sums).reshape(mem.acc.shape)
        return mem.result()

    def _first_difference(self, d: np.ndarray) -> str:
        """Where the DUT first left the model chain (diagnosis only)."""
        diff = np.argwhere(d != self.d_model.astype(np.int64))
        if not diff.size:
            return ""
        k, lane = (int(x) for x in diff[0])
        n = self.cfg.N
        return (
            f"; first differing response: instruction {k} "
            f"({isa.disasm(int(self.batch.words[k]))}) lane {lane} (m={lane // n}, "
            f"n={lane % n}): D={int(d[k, lane])}, model chain {int(self.d_model[k, lane])}"
        )


def operands(
    rng: np.random.Generator, weights: str, afmt: AFmt, shape: tuple[int, int, int]
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
    """a, q, b, s, z for the weight kind."""
    mt, kt, nt = shape
    lo, hi = act_range(afmt)
    a = rng.integers(lo, hi, size=(mt, kt), endpoint=True)
    s = rng.uniform(0.01, 0.1, size=nt)
    if weights == "ternary":
        q = rng.integers(-1, 1, size=(kt, nt), endpoint=True) + 1
        return a, q, 2, s, np.ones(nt)
    if weights == "int4":
        q = rng.integers(0, 15, size=(kt, nt), endpoint=True)
        return a, q, 4, s, rng.integers(0, 15, size=nt, endpoint=True).astype(np.float64)
    raise ValueError(f"weights={weights!r} unknown; choose from {list(WEIGHTS)}")


def gemm(
    cfg: CoreConfig,
    rng: np.random.Generator,
    weights: str = "ternary",
    afmt: AFmt = AFmt.INT8,
    shape: tuple[int, int, int] | None = None,
) -> GemmProgram:
    """``[Mt, Kt] x [Kt, Nt]`` (default ``[4M x 256] x [256 x 2N]``) as a checked program."""
    afmt = check_afmt(afmt)
    shape = tuple(shape) if shape is not None else (4 * cfg.M, 256, 2 * cfg.N)
    a, q, b, s, z = operands(rng, weights, afmt, shape)
    prog = tile_gemm(a, q, b, afmt, cfg)
    steps = prog.steps
    nb = bus_bytes(cfg)
    words = np.array([st.word for st in steps], dtype=np.uint32)
    a_img = to_bytes([st.a_bus for st in steps], nb["a"], "a")
    w_img = to_bytes([st.w_bus for st in steps], nb["w"], "w")
    n_tiles = prog.tiles[1]
    tile = np.array([-1 if st.acc is None else st.acc[0] * n_tiles + st.acc[1] for st in steps])

    # D = wrap(C + lookups) and the lookups do not depend on C, so the chained C of
    # every LMMA is the running sum of its tile's earlier increments (C = 0 run).
    zero_c = np.zeros((len(steps), nb["c"]), dtype=np.uint8)
    inc = BatchModel(cfg).step(Batch(words, a_img, w_img, zero_c))
    _all_ok(inc.status, words, "tiler program")
    c = np.zeros((len(steps), cfg.M * cfg.N), dtype=np.int64)
    for t in np.unique(tile[tile >= 0]):
        rows = np.flatnonzero(tile == t)
        d_t = inc.d[rows].astype(np.int64)
        c[rows] = np.cumsum(d_t, axis=0) - d_t
    batch = Batch(words, a_img, w_img, c_images(_wrap32(c)))
    batch.check(cfg)
    resp = BatchModel(cfg).step(batch)
    _all_ok(resp.status, words, "GEMM batch")
    for t in np.unique(tile[tile >= 0]):  # C of each LMMA = D of the previous one of its tile
        rows = np.flatnonzero(tile == t)
        if not np.array_equal(resp.d[rows[:-1]].astype(np.int64), _wrap32(c[rows[1:]])):
            raise AssertionError(f"model chain: tile {t} C is not the previous LMMA's D")
    g = GemmProgram(cfg, weights, afmt, shape, a, q, b, s, z, prog, batch, tile, resp.d, None)
    g.result = g._stitch(_wrap32(resp.d.astype(np.int64) - c))
    g.check(g.result, "model chain")
    return g


def _all_ok(status: np.ndarray, words: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(status != Status.OK)
    if bad.size:
        k = int(bad[0])
        raise AssertionError(
            f"{what}: instruction {k} ({isa.disasm(int(words[k]))}) answered "
            f"{Status(int(status[k])).name}"
        )
