"""GEMM -> instruction stream for the core, and a model executor for it.

The paper's precompute split: each table (m-tile, k-group) is generated ONCE
and then reused by every n-tile, instead of once per LUT unit. Up to ``T``
groups are resident at a time, one per table register.

Partial sums live in host memory (:class:`HostMemory`), one ``[M, N]``
accumulator tile per (m-tile, n-tile): an LMMA step reads its C from the tile
and the D it returns is written back. The executor below and the testbench
share that class so both chain C the same way.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from models import isa
from models.config import DEFAULT, FIELD, AFmt, CoreConfig, K, Status
from models.core import CoreModel
from models.encoding import check_bits, check_int, check_ints, encode_weights, pack_codes
from models.lmma import ACC_MAX, ACC_MIN, pack_c, unpack_c
from models.tables import act_range, check_afmt, pack_a


@dataclass
class Step:
    """One instruction with its payload; ``acc`` = (m_tile, n_tile) for an LMMA."""

    word: int
    a_bus: int = 0
    w_bus: int = 0
    acc: tuple[int, int] | None = None


@dataclass
class Program:
    """The stream for one ``[Mt, Kt] x [Kt, Nt]`` GEMM on a core of shape ``cfg``."""

    cfg: CoreConfig
    Mt: int
    Nt: int
    steps: list[Step] = field(default_factory=list)

    @property
    def tiles(self) -> tuple[int, int]:
        """(m-tiles, n-tiles) after padding Mt, Nt up to multiples of M, N."""
        return -(-self.Mt // self.cfg.M), -(-self.Nt // self.cfg.N)


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
    LMMAs of one n-tile chain C through the same accumulator tile.
    """
    afmt = check_afmt(afmt)
    b = check_bits(b, hi=cfg.W_BITS_MAX)
    tag = check_int(tag_start, "tag_start", 0, FIELD["tag"].mask)
    a = check_ints(a, "a", *act_range(afmt), shape=(None, None))
    q = check_ints(q, "q", 0, (1 << b) - 1, shape=(None, None))
    (mt, kt), nt = a.shape, q.shape[1]
    if q.shape[0] != kt:
        raise ValueError(f"q has {q.shape[0]} rows, expected Kt={kt} (columns of a)")
    if kt == 0 or kt % K:
        raise ValueError(f"Kt={kt} must be a positive multiple of {K}")
    if mt == 0 or nt == 0:
        raise ValueError(f"Mt={mt}, Nt={nt} must be positive")

    prog = Program(cfg, mt, nt)
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
                a_bus = pack_a(a_pad[rows, g * K : (g + 1) * K], cfg)
                prog.steps.append(Step(isa.lutgen(r, afmt, next(tags), cfg), a_bus=a_bus))
            for n in range(n_tiles):
                cols = slice(n * cfg.N, (n + 1) * cfg.N)
                for r, g in batch:
                    word = isa.lmma(r, afmt, b, next(tags), cfg=cfg)
                    w_bus = pack_codes(codes[:, g, cols], cfg)
                    prog.steps.append(Step(word, w_bus=w_bus, acc=(m, n)))
    return prog


class HostMemory:
    """The host's accumulator tiles: C for an LMMA comes from here, its D goes back.

    A tile is busy from :meth:`c_for` until :meth:`write_back`; reading it again
    meanwhile is a read-after-write hazard (a pipelined issuer must wait for the
    previous D of that tile), so it raises instead of returning a stale C.
    """

    def __init__(self, cfg: CoreConfig, Mt: int, Nt: int) -> None:
        self.cfg, self.Mt, self.Nt = cfg, Mt, Nt
        self.m_tiles, self.n_tiles = -(-Mt // cfg.M), -(-Nt // cfg.N)
        self.acc = np.zeros((self.m_tiles, self.n_tiles, cfg.M, cfg.N), dtype=np.int64)
        self.busy: set[tuple[int, int]] = set()

    @classmethod
    def for_program(cls, program: Program) -> HostMemory:
        return cls(program.cfg, program.Mt, program.Nt)

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
        """int64 ``[Mt, Nt]``: the tiles stitched together, padding dropped."""
        full = self.acc.transpose(0, 2, 1, 3).reshape(
            self.m_tiles * self.cfg.M, self.n_tiles * self.cfg.N
        )
        return full[: self.Mt, : self.Nt].copy()


def c_for(step: Step, mem: HostMemory, cfg: CoreConfig) -> int:
    """Function form of :meth:`HostMemory.c_for`, checking ``cfg`` matches the memory."""
    if cfg != mem.cfg:
        raise ValueError(f"cfg={cfg.name} does not match the memory's {mem.cfg.name}")
    return mem.c_for(step)


def execute(program: Program, core: CoreModel | None = None) -> np.ndarray:
    """Run ``program`` on the model; int64 ``[Mt, Nt]``; RuntimeError on any non-OK status."""
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
