# SPDX-License-Identifier: Apache-2.0
"""GEMM -> instruction stream for the core, and model executors for it.

The paper's precompute split: each table (m-tile, k-group) is generated ONCE
and then reused by every n-tile, instead of once per LUT unit. Up to ``T``
groups are resident at a time, one per table register.

Partial sums live in host memory (:class:`HostMemory`), one ``[M, N]``
accumulator tile per (m-tile, n-tile): an LMMA step reads its C from the tile
and the D it returns is written back. The executors below and the testbench
share that class so all of them chain C the same way.

Integer and FP GEMMs take the same path. With an FP activation format the
LUTGENs name that format, the LMMAs accumulate in FP32, and the tiles hold
binary32 bit patterns (as signed int32 lane values, like ``Response.d``):
a fresh tile is all zeros, i.e. C = +0.0 for the first LMMA of every output
tile, and each later K-group's LMMA gets the previous D as C. FP addition
does not associate, so the order is part of the result: K-groups are
accumulated in increasing order, one LMMA after the other, for every tile.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import ml_dtypes
import numpy as np

from models import isa
from models.batch import Batch, BatchModel, BatchResponse, bus_bytes, to_bytes
from models.config import DEFAULT, FIELD, FP_AFMTS, AFmt, CoreConfig, K, Status
from models.core import CoreModel
from models.encoding import check_bits, check_int, check_ints, encode_weights, pack_codes
from models.fp import FP_FORMATS
from models.lmma import ACC_MAX, ACC_MIN, pack_c, unpack_c
from models.tables import act_range, check_any_afmt, pack_a

#: dtypes whose values :func:`fp_patterns` rounds to an FP format (integer arrays are patterns).
_FLOAT_DTYPES = {np.dtype(d) for d, _ in FP_FORMATS.values()}


@dataclass
class Step:
    """One instruction with its payload; ``acc`` = (m_tile, n_tile) for an LMMA."""

    word: int
    a_bus: int = 0
    w_bus: int = 0
    acc: tuple[int, int] | None = None
    #: K-group of an LMMA (its activations are ``a[:, 4g : 4g + 4]``), so a checker can
    #: name the partial sum each D must hold; None for a LUTGEN.
    group: int | None = None


@dataclass
class Program:
    """The stream for one ``[Mt, Kt] x [Kt, Nt]`` GEMM on a core of shape ``cfg``.

    ``afmt`` is the activation format of every instruction; it decides what the
    accumulator tiles hold (INT32 values or binary32 bit patterns).
    """

    cfg: CoreConfig
    Mt: int
    Nt: int
    steps: list[Step] = field(default_factory=list)
    afmt: AFmt = AFmt.INT8

    @property
    def tiles(self) -> tuple[int, int]:
        """(m-tiles, n-tiles) after padding Mt, Nt up to multiples of M, N."""
        return -(-self.Mt // self.cfg.M), -(-self.Nt // self.cfg.N)

    @property
    def fp(self) -> bool:
        """Whether the GEMM accumulates in FP32 (an FP activation format)."""
        return self.afmt in FP_AFMTS


def fp_patterns(a: object, afmt: AFmt, name: str = "a") -> np.ndarray:
    """FP activations -> int64 lane bit patterns of format ``afmt`` (FP8 in bits [7:0]).

    An integer array is taken as bit patterns (checked to fit the format's lane
    bits); a floating array (numpy floats, or the format's own ``ml_dtypes``
    dtype) holds values, rounded to the format by its cast (round to nearest
    even; an ``ml_dtypes`` cast from float64 goes through float32 and may round
    twice, so pass values already in the format when every bit matters). A
    finite value that the cast turns into an infinity or NaN is refused: the
    format cannot hold it, and a silent infinity would only show up as a wrong
    GEMM.
    """
    fmt = check_any_afmt(afmt)
    if fmt not in FP_FORMATS:
        raise ValueError(f"afmt={fmt.name} is not a floating-point format")
    dtype, bits = FP_FORMATS[fmt]
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise ValueError(f"{name} has shape {list(arr.shape)}, expected [*, *]")
    uint = np.uint8 if bits == 8 else np.uint16
    if arr.dtype != np.bool_ and np.issubdtype(arr.dtype, np.integer):
        return check_ints(arr, f"{name} (bit patterns)", 0, (1 << bits) - 1)
    if arr.dtype.kind != "f" and arr.dtype not in _FLOAT_DTYPES:
        raise ValueError(
            f"{name} must hold {fmt.name} values (a floating dtype) or bit patterns "
            f"(an integer dtype), got dtype {arr.dtype}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        cast = arr.astype(dtype)
        lost = np.isfinite(arr.astype(np.float64)) & ~np.isfinite(cast.astype(np.float64))
    if lost.any():
        bad = float(arr[lost].flat[0])
        top = float(ml_dtypes.finfo(dtype).max)
        raise ValueError(f"{name} holds {bad!r}, beyond {fmt.name}'s largest finite {top}")
    return cast.view(uint).astype(np.int64)


def _pack_lanes(lanes: np.ndarray, cfg: CoreConfig) -> int:
    """Lane patterns ``[M, 4]`` -> ``in_a_i`` (lane ``m*4 + k``, 16 bits each).

    ``cfg`` only to share :func:`models.tables.pack_a`'s signature; the tiler
    hands over ``[M, 4]`` rows already.
    """
    return int.from_bytes(lanes.astype("<u2").tobytes(), "little")


def tile_gemm(
    a: np.ndarray,
    q: np.ndarray,
    b: int,
    afmt: AFmt,
    cfg: CoreConfig = DEFAULT,
    tag_start: int = 0,
) -> Program:
    """``a [Mt, Kt]`` (format ``afmt``) x ``b``-bit codes ``q [Kt, Nt]`` as LUTGEN/LMMA steps.

    Order: per m-tile, per batch of up to T k-groups, LUTGEN each group into
    its own register, then for each n-tile LMMA over the batch. Consecutive
    LMMAs of one n-tile chain C through the same accumulator tile, K-groups in
    increasing order.

    ``afmt`` may be any format ``cfg`` builds. Integer activations are ints in
    the format's range; FP ones are values or bit patterns (:func:`fp_patterns`),
    and their LMMAs accumulate in FP32. The core computes the symmetric form
    ``a @ (2q - (2^b - 1))`` either way (``models.reference``).
    """
    afmt = check_any_afmt(afmt)
    if not cfg.builds(afmt):
        built = ", ".join(f.name for f in cfg.afmts)
        raise ValueError(f"afmt={afmt.name} is not built by {cfg.name}; it builds {built}")
    b = check_bits(b, hi=cfg.W_BITS_MAX)
    tag = check_int(tag_start, "tag_start", 0, FIELD["tag"].mask)
    if afmt in FP_AFMTS:
        a, pack = fp_patterns(a, afmt), _pack_lanes
    else:
        a = check_ints(a, "a", *act_range(afmt), shape=(None, None))
        pack = pack_a
    q = check_ints(q, "q", 0, (1 << b) - 1, shape=(None, None))
    (mt, kt), nt = a.shape, q.shape[1]
    if q.shape[0] != kt:
        raise ValueError(f"q has {q.shape[0]} rows, expected Kt={kt} (columns of a)")
    if kt == 0 or kt % K:
        raise ValueError(f"Kt={kt} must be a positive multiple of {K}")
    if mt == 0 or nt == 0:
        raise ValueError(f"Mt={mt}, Nt={nt} must be positive")

    prog = Program(cfg, mt, nt, afmt=afmt)
    m_tiles, n_tiles = prog.tiles
    a_pad = np.zeros((m_tiles * cfg.M, kt), dtype=np.int64)
    a_pad[:mt] = a
    q_pad = np.zeros((kt, n_tiles * cfg.N), dtype=np.int64)
    q_pad[:, :nt] = q
    codes = encode_weights(q_pad, b)  # [b, G, n_tiles*N]
    groups = kt // K

    tags = (t % (FIELD["tag"].mask + 1) for t in itertools.count(tag))
    for m in range(m_tiles):
        rows = slice(m * cfg.M, (m + 1) * cfg.M)
        for g0 in range(0, groups, cfg.T):
            batch = list(enumerate(range(g0, min(g0 + cfg.T, groups))))  # (treg, group)
            for r, g in batch:
                a_bus = pack(a_pad[rows, g * K : (g + 1) * K], cfg)
                prog.steps.append(Step(isa.lutgen(r, afmt, next(tags), cfg), a_bus=a_bus))
            for n in range(n_tiles):
                cols = slice(n * cfg.N, (n + 1) * cfg.N)
                for r, g in batch:
                    word = isa.lmma(r, afmt, b, next(tags), cfg=cfg)
                    w_bus = pack_codes(codes[:, g, cols], cfg)
                    prog.steps.append(Step(word, w_bus=w_bus, acc=(m, n), group=g))
    return prog


class HostMemory:
    """The host's accumulator tiles: C for an LMMA comes from here, its D goes back.

    A tile is busy from :meth:`c_for` until :meth:`write_back`; reading it again
    meanwhile is a read-after-write hazard (a pipelined issuer must wait for the
    previous D of that tile), so it raises instead of returning a stale C.

    ``acc`` holds the 32-bit lanes as signed int32 values in either case; with
    ``fp`` they are binary32 bit patterns, and all zeros is +0.0, the C of the
    first LMMA of every tile.
    """

    def __init__(self, cfg: CoreConfig, Mt: int, Nt: int, fp: bool = False) -> None:
        self.cfg, self.Mt, self.Nt, self.fp = cfg, Mt, Nt, bool(fp)
        self.m_tiles, self.n_tiles = -(-Mt // cfg.M), -(-Nt // cfg.N)
        self.acc = np.zeros((self.m_tiles, self.n_tiles, cfg.M, cfg.N), dtype=np.int64)
        self.busy: set[tuple[int, int]] = set()

    @classmethod
    def for_program(cls, program: Program) -> HostMemory:
        return cls(program.cfg, program.Mt, program.Nt, fp=program.fp)

    def ready(self, step: Step) -> bool:
        """True when ``step`` may be issued now (its tile has no D outstanding)."""
        return step.acc is None or step.acc not in self.busy

    def c_for(self, step: Step) -> int:
        """The ``in_c_i`` value for ``step`` (0 for LUTGEN); marks its tile busy."""
        if step.acc is None:
            return 0
        if step.acc in self.busy:
            raise RuntimeError(f"tile {step.acc} read before its previous D was written back")
        self.busy.add(step.acc)
        m, n = step.acc
        return pack_c(self.acc[m, n], self.cfg)

    def write_back(self, step: Step, d: np.ndarray | int) -> None:
        """Store the D answered for ``step`` (array ``[M, N]`` or the ``out_d_o`` int)."""
        if step.acc is None:
            return
        if step.acc not in self.busy:
            raise RuntimeError(f"tile {step.acc} written back without a matching c_for")
        m, n = step.acc
        if isinstance(d, (int, np.integer)):
            self.acc[m, n] = unpack_c(int(d), self.cfg)
        else:
            self.acc[m, n] = check_ints(d, "d", ACC_MIN, ACC_MAX, shape=(self.cfg.M, self.cfg.N))
        self.busy.discard(step.acc)

    def result(self) -> np.ndarray:
        """``[Mt, Nt]``: the tiles stitched together, padding dropped.

        int64 INT32 values, or with ``fp`` float32: the binary32 results, bit
        for bit (``.view(np.uint32)`` gives the patterns, NaNs canonical).
        """
        full = self.acc.transpose(0, 2, 1, 3).reshape(
            self.m_tiles * self.cfg.M, self.n_tiles * self.cfg.N
        )
        out = full[: self.Mt, : self.Nt].copy()
        return out.astype(np.int32).view(np.float32) if self.fp else out


def c_for(step: Step, mem: HostMemory, cfg: CoreConfig) -> int:
    """Function form of :meth:`HostMemory.c_for`, checking ``cfg`` matches the memory."""
    if cfg != mem.cfg:
        raise ValueError(f"cfg={cfg.name} does not match the memory's {mem.cfg.name}")
    return mem.c_for(step)


def execute(program: Program, core: CoreModel | None = None) -> np.ndarray:
    """Run ``program`` on the model, one ``CoreModel.step`` per instruction.

    Returns :meth:`HostMemory.result`: int64 ``[Mt, Nt]``, or float32 for an FP
    program. RuntimeError on any non-OK status.
    """
    core = CoreModel(program.cfg) if core is None else core
    if core.cfg != program.cfg:
        raise ValueError(
            f"core.cfg={core.cfg.name} does not match the program's {program.cfg.name}"
        )
    mem = HostMemory.for_program(program)
    for k, step in enumerate(program.steps):
        resp = core.step(step.word, step.a_bus, step.w_bus, mem.c_for(step))
        if resp.status != Status.OK:
            raise RuntimeError(
                f"step {k} ({isa.disasm(step.word)}) answered {Status(resp.status).name}"
            )
        mem.write_back(step, resp.d)
    return mem.result()


@dataclass
class BatchRun:
    """A program as the batch transport carries it, with the model's answers."""

    batch: Batch  #: every step's word and bus images, C the chained one it was given
    resp: BatchResponse  #: what the model answered, step by step
    result: np.ndarray  #: :meth:`HostMemory.result` after the last step


def execute_batch(program: Program, model: BatchModel | None = None) -> BatchRun:
    """Run ``program`` on :class:`BatchModel`, chaining C through :class:`HostMemory`.

    The vectorized twin of :func:`execute`, and what the testbench sends: the
    returned batch carries, for every LMMA, the C it was given (the D of the
    previous LMMA of its tile). The stream is cut into runs with at most one
    LMMA per tile, so each run's C values are known before it is stepped; FP
    C depends on the previous D, so no prefix-sum shortcut exists as for INT32.
    RuntimeError on any non-OK status.
    """
    cfg = program.cfg
    model = BatchModel(cfg) if model is None else model
    if model.cfg != cfg:
        raise ValueError(f"model.cfg={model.cfg.name} does not match the program's {cfg.name}")
    steps, nb = program.steps, bus_bytes(cfg)
    words = np.array([st.word for st in steps], dtype=np.uint32)
    a_img = to_bytes([st.a_bus for st in steps], nb["a"], "a")
    w_img = to_bytes([st.w_bus for st in steps], nb["w"], "w")
    c_img = np.zeros((len(steps), nb["c"]), dtype=np.uint8)
    d = np.zeros((len(steps), cfg.M * cfg.N), dtype=np.int32)
    tags, status = np.zeros(len(steps), np.uint8), np.zeros(len(steps), np.uint8)
    mem = HostMemory.for_program(program)

    def run(lo: int, hi: int) -> None:
        for k in range(lo, hi):
            c_img[k] = np.frombuffer(mem.c_for(steps[k]).to_bytes(nb["c"], "little"), np.uint8)
        resp = model.step(Batch(words[lo:hi], a_img[lo:hi], w_img[lo:hi], c_img[lo:hi]))
        bad = np.flatnonzero(resp.status != Status.OK)
        if bad.size:
            k = lo + int(bad[0])
            raise RuntimeError(
                f"step {k} ({isa.disasm(int(words[k]))}) answered "
                f"{Status(int(resp.status[k - lo])).name}"
            )
        tags[lo:hi], status[lo:hi], d[lo:hi] = resp.tag, resp.status, resp.d
        for k in range(lo, hi):
            mem.write_back(steps[k], d[k].reshape(cfg.M, cfg.N))

    lo, open_tiles = 0, set()
    for k, st in enumerate(steps):
        if st.acc is not None and st.acc in open_tiles:
            run(lo, k)
            lo, open_tiles = k, set()
        if st.acc is not None:
            open_tiles.add(st.acc)
    run(lo, len(steps))
    batch = Batch(words, a_img, w_img, c_img)
    return BatchRun(batch, BatchResponse(tags, status, d), mem.result())
