# SPDX-License-Identifier: Apache-2.0
"""A whole quantized GEMM through ``models.tiler`` as one Batch, checked end to end.

Weights are ``b``-bit codes ``q`` with a per-column scale ``s`` and zero
point ``z`` (``w = s * (q - z)``): ternary {-1, 0, 1} stored as 2-bit
``q = w + 1`` (z = 1, BitNet-style), INT2 or INT4 with a random zero point per
column. The core computes the symmetric part ``a @ (2q - (2^b - 1))``; the host
epilogue ``s/2 * (D - z' * rowsum(a))`` with ``z' = 2z + 1 - 2^b`` turns it into
``a @ w`` (``models.reference``). ``tile_gemm`` turns the GEMM into LUTGEN/LMMA
steps; each LMMA's C is the D the model answered for the previous LMMA of its
accumulator tile (so issue never waits for the DUT).

Integer activations (INT8, INT16) give an exact GEMM. Two checks, both raising
AssertionError with the element and instruction that differ: at construction
the model chain must give ``a @ q'`` exactly and dequantize to
``a @ (s * (q - z))``; :meth:`GemmProgram.check_dut` rebuilds the GEMM from
the DUT's own D rows alone, so it holds whatever the predictor says.

FP activations (FP16, BF16, FP8) are drawn like a transformer layer's inputs
(:func:`llm_activations`) and accumulate in binary32, so the GEMM is judged
against float64 math with a bound derived from the roundings on each output's
path (:func:`fp_bound_factor`): every LMMA's D against its exact partial sum,
the dequantized GEMM against ``A64 @ W64``; the DUT's D stream must also equal
the model's bit for bit. The epilogue runs in float64.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from models import isa
from models.batch import Batch, BatchModel, bus_bytes, to_bytes
from models.config import FP_AFMTS, AFmt, CoreConfig, K, Status
from models.fp import FP_FORMATS
from models.reference import dequant_from_symmetric, dequant_matmul, symmetric_matmul
from models.tables import act_range, check_afmt, check_any_afmt
from models.tiler import HostMemory, Program, execute_batch, tile_gemm
from tb.stimulus.payloads import c_images

WEIGHTS = ("ternary", "int2_zp", "int4")

#: Unit roundoff of binary32 and binary64 under round to nearest: 2^-24, 2^-53.
U32, U64 = 2.0**-24, 2.0**-53


def gamma(n: int | np.ndarray, u: float = U32) -> np.ndarray:
    """``gamma_n = n u / (1 - n u)``: bound on ``|prod (1 + d_i)^(+-1) - 1|``, ``|d_i| <= u``."""
    nu = np.asarray(n, dtype=np.float64) * u
    if np.any(nu >= 1):
        raise ValueError(f"n={n}: n * u >= 1, no rounding bound")
    return nu / (1 - nu)


def _wrap32(x: np.ndarray) -> np.ndarray:
    """int64 two's-complement wrap to INT32, like the accumulator."""
    return ((x.astype(np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _f32(lanes: np.ndarray) -> np.ndarray:
    """32-bit lane values (signed int32, as ``Response.d``) -> their binary32 values."""
    return np.asarray(lanes).astype(np.int64).astype(np.int32).view(np.float32)


@dataclass
class GemmProgram:
    """The Batch of one GEMM plus what it takes to judge the DUT's answers."""

    cfg: CoreConfig
    weights: str
    afmt: AFmt
    shape: tuple[int, int, int]  #: (Mt, Kt, Nt)
    #: activations [Mt, Kt]: int64 for an integer format; for an FP format the
    #: format's values as float64 (exactly: every format embeds in float64)
    a: np.ndarray
    q: np.ndarray  #: weight codes [Kt, Nt]
    b: int  #: weight bits
    s: np.ndarray  #: scale per column [Nt]
    z: np.ndarray  #: zero point per column [Nt]
    program: Program
    batch: Batch
    tile: np.ndarray  #: accumulator tile (m * n_tiles + n) of each LMMA, -1 for a LUTGEN
    d_model: np.ndarray  #: int32 [n_instr, M*N]: the model's D of every instruction
    #: the model chain's symmetric GEMM ``a @ (2q - (2^b - 1))`` [Mt, Nt]: int64 INT32
    #: values, or float32 (binary32) for an FP format
    result: np.ndarray
    #: FP only: max over the GEMM of |error| / bound for the model chain (how tight
    #: the bound is; 1 would be the bound reached)
    ratio: float | None = None

    @property
    def fp(self) -> bool:
        return self.afmt in FP_AFMTS

    @property
    def n_lmma(self) -> int:
        return int((self.tile >= 0).sum())

    @functools.cached_property
    def group(self) -> np.ndarray:
        """K-group of each LMMA (-1 for a LUTGEN): the partial sum its D must hold."""
        return np.array([-1 if st.group is None else st.group for st in self.program.steps])

    @property
    def n_roundings(self) -> int:
        """Binary32 roundings on the longest path to a GEMM output (FP): ``b * Kt / 4 + 1``.

        Two in the table entry (``hi``/``lo``, then the entry), ``b`` per K-group
        in the accumulator, less one: the first addition lands on C = +0.0 and is exact.
        """
        return self.b * self.shape[1] // K + 1

    def describe(self) -> str:
        mt, kt, nt = self.shape
        text = (
            f"GEMM {self.weights} ({self.b}-bit) {self.afmt.name} [{mt}x{kt}] x [{kt}x{nt}] "
            f"on {self.cfg.name}: {len(self.batch)} instructions, {self.n_lmma} LMMAs"
        )
        if self.ratio is not None:
            text += (
                f"; binary32 roundings per output n = {self.n_roundings}, "
                f"max |error| / bound = {self.ratio:.3g}"
            )
        return text

    # --- the float64 side of an FP GEMM ------------------------------------------------
    def dequantize(self, d_sym: np.ndarray) -> np.ndarray:
        """Host epilogue, float64: ``s/2 * (d_sym - z' * rowsum(a))``, ``z' = 2z + 1 - 2^b``."""
        d = np.asarray(d_sym, dtype=np.float64)
        z2 = 2 * self.z + 1 - (1 << self.b)
        return self.s / 2 * (d - z2 * self.a.sum(axis=1, dtype=np.float64)[:, None])

    def reference(self) -> np.ndarray:
        """float64 ``A64 @ W64``, ``W64 = s * (q - z)``: what the layer means."""
        return self.a.astype(np.float64) @ (self.s * (self.q - self.z))

    def bound(self, d_sym: np.ndarray) -> np.ndarray:
        """Largest ``|dequantize(d_sym) - reference()|`` a correct core allows, per element.

        ``|s/2| gamma_n (2^b - 1) sum_k |a_k|`` for the core (:func:`fp_bound_factor`)
        plus ``gamma_{Kt+2}`` (binary64) of the float64 epilogue's and reference's
        own magnitudes: ``|s/2| (|D| + |z'| sum_k |a_k|) + sum_k |a_k w_k|``.
        """
        kt = self.shape[1]
        abs_a = np.abs(self.a).sum(axis=1, dtype=np.float64)[:, None]  # [Mt, 1]
        half = np.abs(self.s) / 2
        z2 = np.abs(2 * self.z + 1 - (1 << self.b))
        core = half * fp_bound_factor(self.b, kt) * abs_a
        host = half * (np.abs(np.asarray(d_sym, dtype=np.float64)) + z2 * abs_a)
        host += np.abs(self.a) @ np.abs(self.s * (self.q - self.z))
        return core + gamma(kt + 2, U64) * host

    # --- checks ---------------------------------------------------------------------------
    def check(self, d_sym: np.ndarray, what: str) -> float | None:
        """The symmetric GEMM ``d_sym [Mt, Nt]`` judged against the math.

        Integer: ``a @ q'`` exactly, dequantizing to ``a @ (s * (q - z))``.
        FP (``d_sym`` the binary32 results): ``dequantize(d_sym)`` within
        :meth:`bound` of :meth:`reference` everywhere; returns max |error| / bound.
        """
        if self.fp:
            return self._check_fp_gemm(d_sym, what)
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
        return None

    def check_partials(self, d: np.ndarray, what: str) -> None:
        """FP: every LMMA's D (rows of ``d``, int32 ``[n_instr, M*N]``) holds its partial sum.

        The D of the LMMA of K-group ``g`` of a tile is ``sum_{k < 4(g+1)} a_k c_k``
        (``c = 2q - (2^b - 1)``) after ``b (g+1) + 1`` roundings, so it must lie
        within ``(gamma_{b(g+1)+1} + gamma64_Kt) (2^b - 1) sum_{k < 4(g+1)} |a_k|``
        of the float64 partial sum (the binary64 term covers computing that sum).
        Padding lanes are checked too: the core computes them like any other.
        """
        cfg, (mt, kt, nt) = self.cfg, self.shape
        m_tiles, n_tiles = self.program.tiles
        groups, top = kt // K, (1 << self.b) - 1
        a = np.zeros((m_tiles * cfg.M, kt))
        a[:mt] = self.a
        c = np.full((kt, n_tiles * cfg.N), -float(top))  # padding columns: q = 0
        c[:, :nt] = 2 * self.q - top
        per_group = np.einsum("mgk,gkn->gmn", a.reshape(-1, groups, K), c.reshape(groups, K, -1))
        partial = np.cumsum(per_group, axis=0)  # [G, Mp, Np]
        abs_a = np.cumsum(np.abs(a).reshape(-1, groups, K).sum(axis=2), axis=1).T  # [G, Mp]

        rows = np.flatnonzero(self.tile >= 0)
        g = self.group[rows]
        m_t, n_t = self.tile[rows] // n_tiles, self.tile[rows] % n_tiles
        r_idx = m_t[:, None] * cfg.M + np.arange(cfg.M)  # [L, M]
        c_idx = n_t[:, None] * cfg.N + np.arange(cfg.N)  # [L, N]
        want = partial[g[:, None, None], r_idx[:, :, None], c_idx[:, None, :]]
        n_g = self.b * (g + 1) + 1
        lim = (gamma(n_g) + gamma(kt, U64))[:, None] * top * abs_a[g[:, None], r_idx]  # [L, M]
        got = _f32(d[rows]).reshape(len(rows), cfg.M, cfg.N).astype(np.float64)
        err = np.abs(got - want)
        bad = np.argwhere(~(err <= lim[:, :, None]))
        if bad.size:
            j, mm, nn = (int(x) for x in bad[0])
            k, lane = int(rows[j]), mm * cfg.N + nn
            raise AssertionError(
                f"{what}: {len(bad)} LMMA lanes outside their partial-sum bound; first: "
                f"instruction {k} ({isa.disasm(int(self.batch.words[k]))}) lane {lane} "
                f"(m={mm}, n={nn}) of tile ({int(m_t[j])}, {int(n_t[j])}) after K-groups "
                f"0..{int(g[j])}: D = {float(got[j, mm, nn])!r} ({_hex(d[k, lane])}), "
                f"exact partial sum {float(want[j, mm, nn])!r}, |error| {err[j, mm, nn]:.4g} "
                f"> bound "
                f"{lim[j, mm]:.4g} (n = {int(n_g[j])} binary32 roundings)"
            )

    def check_bits(self, d: np.ndarray, what: str) -> None:
        """Every lane of ``d`` equals the model chain's D bit for bit (the FP contract is exact)."""
        diff = np.argwhere(_wrap32(np.asarray(d)) != self.d_model.astype(np.int64))
        if diff.size:
            raise AssertionError(
                f"{what}: {len(diff)} lanes differ bit for bit from the model"
                f"{self._first_difference(d)}"
            )

    def check_dut(self, d: np.ndarray) -> None:
        """Judge the DUT's D rows (int32 ``[n_instr, M*N]``, one per instruction in order).

        Integer: rebuild the GEMM from the rows and check it like the model chain;
        each LMMA adds ``D - C`` (C as sent) to its tile, so a wrong lane in any
        LMMA, not only the last of a tile, changes the GEMM.

        FP: the last D of each tile is the GEMM; it must pass :meth:`check` (the
        float64 reference within the bound), every LMMA's D must pass
        :meth:`check_partials`, and every lane must equal the model's bit for
        bit (:meth:`check_bits`). LUTGEN rows must be 0 either way.
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
        try:
            if self.fp:
                self.check(self._last_d(d), "DUT responses")
                self.check_partials(d, "DUT responses")
            else:
                c_sent = np.ascontiguousarray(self.batch.c).view("<i4").astype(np.int64)
                self.check(self._stitch(_wrap32(d - c_sent)), "DUT responses")
        except AssertionError as err:
            raise AssertionError(f"{err}{self._first_difference(d)}") from None
        if self.fp:
            self.check_bits(d, "DUT responses")

    # --- helpers ----------------------------------------------------------------
    def _check_fp_gemm(self, d_sym: np.ndarray, what: str) -> float:
        mt, _, nt = self.shape
        d_sym = np.asarray(d_sym)
        if d_sym.shape != (mt, nt):
            raise AssertionError(f"{what}: GEMM has shape {d_sym.shape}, want {(mt, nt)}")
        got, want = self.dequantize(d_sym), self.reference()
        lim = self.bound(np.where(np.isfinite(d_sym), d_sym, 0))
        err = np.abs(got - want)
        bad = np.argwhere(~(err <= lim))
        if bad.size:
            r, c = (int(x) for x in bad[0])
            raise AssertionError(
                f"{what}: dequantized GEMM outside the rounding bound in {len(bad)} of "
                f"{err.size} elements; first [{r}, {c}]: {float(got[r, c])!r} vs float64 reference "
                f"{float(want[r, c])!r}, |error| {err[r, c]:.4g} > bound {lim[r, c]:.4g} "
                f"(core D = {float(d_sym[r, c])!r}, n = {self.n_roundings} binary32 roundings, "
                f"gamma_n = {float(gamma(self.n_roundings)):.4g})"
            )
        return float((err / np.where(lim > 0, lim, np.inf)).max())

    def _last_d(self, d: np.ndarray) -> np.ndarray:
        """FP: the binary32 GEMM from the last LMMA's D of every tile (padding dropped)."""
        mem = HostMemory.for_program(self.program)
        for t in np.unique(self.tile[self.tile >= 0]):
            last = int(np.flatnonzero(self.tile == t)[-1])
            mem.acc[t // mem.n_tiles, t % mem.n_tiles] = d[last].reshape(self.cfg.M, self.cfg.N)
        return mem.result()

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
        diff = np.argwhere(_wrap32(np.asarray(d)) != self.d_model.astype(np.int64))
        if not diff.size:
            return ""
        k, lane = (int(x) for x in diff[0])
        n = self.cfg.N
        got, model = int(d[k, lane]), int(self.d_model[k, lane])
        if self.fp:
            shown = (
                f"D={_hex(got)} ({float(_f32(got))!r}), "
                f"model chain {_hex(model)} ({float(_f32(model))!r})"
            )
        else:
            shown = f"D={got}, model chain {model}"
        return (
            f"; first differing response: instruction {k} "
            f"({isa.disasm(int(self.batch.words[k]))}) lane {lane} (m={lane // n}, "
            f"n={lane % n}): {shown}"
        )


def _hex(lane: int | np.integer) -> str:
    return f"0x{int(lane) & 0xFFFFFFFF:08X}"


def fp_bound_factor(b: int, kt: int) -> float:
    """``gamma_n (2^b - 1)``, ``n = b Kt / 4 + 1``: an output's core error per ``sum_k |a_k|``.

    Each activation reaches the accumulator as a leaf ``+-2^i a_k`` of plane
    ``i`` (``(2^b - 1) sum_k |a_k|`` over all leaves of one output) through two
    roundings in its table entry and at most ``b Kt / 4 - 1`` accumulator
    additions (``b`` per K-group, the very first onto C = +0.0 exact), so
    ``|D - sum_k a_k c_k| <= gamma_n (2^b - 1) sum_k |a_k|`` (docs/verification_plan.md).
    """
    return float(gamma(b * kt // K + 1)) * ((1 << b) - 1)


def llm_activations(rng: np.random.Generator, afmt: AFmt, shape: tuple[int, int]) -> np.ndarray:
    """float64 ``[Mt, Kt]`` values of FP format ``afmt``, drawn like a transformer layer's inputs.

    Rows are tokens with a scale of their own (``2^U(-3, 1)``), entries normal;
    a few channels (columns, one in 32) are outliers 8-32x larger, as in LLM
    activations, and 0.5 % of entries are isolated spikes 20-100x larger.
    Magnitudes are clipped to half the format's largest finite value (FP8), and
    every value is rounded to the format by its cast, so the float64 copy is
    exactly what the core converts.
    """
    dtype, _ = FP_FORMATS[afmt]
    mt, kt = shape
    sigma = 2.0 ** rng.uniform(-3.0, 1.0, size=(mt, 1))
    x = rng.standard_normal((mt, kt)) * sigma
    cols = rng.choice(kt, size=max(1, kt // 32), replace=False)
    x[:, cols] *= rng.uniform(8.0, 32.0, size=cols.size)
    spike = rng.random((mt, kt)) < 0.005
    x = np.where(spike, x * rng.uniform(20.0, 100.0, size=(mt, kt)), x)
    top = float(ml_dtypes.finfo(dtype).max) / 2
    x = np.clip(x, -top, top)
    return x.astype(np.float32).astype(dtype).astype(np.float64)


def operands(
    rng: np.random.Generator, weights: str, afmt: AFmt, shape: tuple[int, int, int]
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
    """a, q, b, s, z for the weight kind (``a`` LLM-like values for an FP format)."""
    mt, kt, nt = shape
    if afmt in FP_AFMTS:
        a = llm_activations(rng, afmt, (mt, kt))
    else:
        lo, hi = act_range(afmt)
        a = rng.integers(lo, hi, size=(mt, kt), endpoint=True)
    s = rng.uniform(0.01, 0.1, size=nt)
    if weights == "ternary":
        q = rng.integers(-1, 1, size=(kt, nt), endpoint=True) + 1
        return a, q, 2, s, np.ones(nt)
    if weights == "int2_zp":
        q = rng.integers(0, 3, size=(kt, nt), endpoint=True)
        return a, q, 2, s, rng.integers(0, 3, size=nt, endpoint=True).astype(np.float64)
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
    """``[Mt, Kt] x [Kt, Nt]`` (default ``[4M x 256] x [256 x 2N]``) as a checked program.

    ``afmt`` may be an integer format or, on a configuration that builds it, an
    FP one (``weights="int2_zp", afmt=AFmt.FP16`` or ``"ternary", AFmt.BF16``).
    """
    fmt = check_any_afmt(afmt)
    if fmt in FP_AFMTS:
        return _gemm_fp(cfg, rng, weights, fmt, shape)
    afmt = check_afmt(afmt)
    shape = tuple(shape) if shape is not None else (4 * cfg.M, 256, 2 * cfg.N)
    a, q, b, s, z = operands(rng, weights, afmt, shape)
    prog = tile_gemm(a, q, b, afmt, cfg)
    steps = prog.steps
    nb = bus_bytes(cfg)
    words = np.array([st.word for st in steps], dtype=np.uint32)
    a_img = to_bytes([st.a_bus for st in steps], nb["a"], "a")
    w_img = to_bytes([st.w_bus for st in steps], nb["w"], "w")
    tile = _tiles(prog)

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
    _check_chain(batch, resp.d, tile)
    g = GemmProgram(cfg, weights, afmt, shape, a, q, b, s, z, prog, batch, tile, resp.d, None)
    g.result = g._stitch(_wrap32(resp.d.astype(np.int64) - c))
    g.check(g.result, "model chain")
    return g


def _gemm_fp(
    cfg: CoreConfig,
    rng: np.random.Generator,
    weights: str,
    afmt: AFmt,
    shape: tuple[int, int, int] | None,
) -> GemmProgram:
    """The FP GEMM: C chained one LMMA at a time (``execute_batch``), checked by the bound."""
    shape = tuple(shape) if shape is not None else (4 * cfg.M, 256, 2 * cfg.N)
    a, q, b, s, z = operands(rng, weights, afmt, shape)
    prog = tile_gemm(a, q, b, afmt, cfg)
    run = execute_batch(prog, BatchModel(cfg))
    tile = _tiles(prog)
    _check_chain(run.batch, run.resp.d, tile)
    g = GemmProgram(
        cfg, weights, afmt, shape, a, q, b, s, z, prog, run.batch, tile, run.resp.d, run.result
    )
    g.ratio = g.check(g.result, "model chain")
    g.check_partials(run.resp.d, "model chain")
    return g


def _tiles(prog: Program) -> np.ndarray:
    """Accumulator tile of each step (``m * n_tiles + n``), -1 for a LUTGEN."""
    n_tiles = prog.tiles[1]
    return np.array(
        [-1 if st.acc is None else st.acc[0] * n_tiles + st.acc[1] for st in prog.steps]
    )


def _check_chain(batch: Batch, d: np.ndarray, tile: np.ndarray) -> None:
    """C of each LMMA is the D of the previous LMMA of its tile, and 0 (+0.0) for the first."""
    c = np.ascontiguousarray(batch.c).view("<i4")
    for t in np.unique(tile[tile >= 0]):
        rows = np.flatnonzero(tile == t)
        if c[rows[0]].any() or not np.array_equal(d[rows[:-1]], c[rows[1:]]):
            raise AssertionError(f"model chain: tile {t} C is not the previous LMMA's D")


def _all_ok(status: np.ndarray, words: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(status != Status.OK)
    if bad.size:
        k = int(bad[0])
        raise AssertionError(
            f"{what}: instruction {k} ({isa.disasm(int(words[k]))}) answered "
            f"{Status(int(status[k])).name}"
        )
