# SPDX-License-Identifier: Apache-2.0
"""GEMM tiling: results equal the math, tables are generated once, tags, host memory."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import isa
from models.config import CONFIGS, AFmt, CoreConfig, Opcode
from models.core import CoreModel
from models.lmma import pack_c, unpack_c, wrap
from models.reference import symmetric_matmul
from models.tables import unpack_a
from models.tiler import HostMemory, Program, Step, c_for, execute, tile_gemm
from tests.models.strategies import acts, afmts, weights

TILER_CONFIGS = [
    CONFIGS["M2N4"],
    CONFIGS["M4N16"],
    CONFIGS["M2N64"],
    CONFIGS["M2N4W8"],
    CoreConfig(M=3, N=5, T=2, W_BITS_MAX=3),
]


@given(cfg=st.sampled_from(TILER_CONFIGS), afmt=afmts, data=st.data())
def test_ragged_gemm_equals_math(cfg: CoreConfig, afmt: AFmt, data: st.DataObject) -> None:
    b = data.draw(st.integers(1, cfg.W_BITS_MAX))
    mt = data.draw(st.integers(1, 3 * cfg.M + 1))
    nt = data.draw(st.integers(1, 2 * cfg.N + 3))
    kt = 4 * data.draw(st.integers(1, 2 * cfg.T + 1))
    a, q = data.draw(acts((mt, kt), afmt)), data.draw(weights((kt, nt), b))
    got = execute(tile_gemm(a, q, b, afmt, cfg))
    assert got.shape == (mt, nt) and got.dtype == np.int64
    assert np.array_equal(got, wrap(symmetric_matmul(a, q, b)))


@pytest.mark.parametrize("cfg", TILER_CONFIGS, ids=lambda c: c.name)
def test_each_table_generated_exactly_once(cfg: CoreConfig) -> None:
    """Distinct activations per (m-tile, k-group) let each LUTGEN be traced back to its slice."""
    mt, kt, nt = 2 * cfg.M + 1, 4 * (cfg.T + 2), 3 * cfg.N + 1
    a = np.arange(mt * kt).reshape(mt, kt) - 100
    q = np.ones((kt, nt), dtype=np.int64)
    prog = tile_gemm(a, q, 1, AFmt.INT16, cfg)
    m_tiles, n_tiles = prog.tiles
    a_pad = np.zeros((m_tiles * cfg.M, kt), dtype=np.int64)
    a_pad[:mt] = a
    slices = {
        a_pad[m * cfg.M : (m + 1) * cfg.M, 4 * g : 4 * g + 4].tobytes(): (m, g)
        for m in range(m_tiles)
        for g in range(kt // 4)
    }
    seen = Counter(
        slices[unpack_a(s.a_bus, cfg, AFmt.INT16).tobytes()]
        for s in prog.steps
        if isa.decode(s.word).opcode == Opcode.LUTGEN
    )
    assert seen == Counter({key: 1 for key in slices.values()})
    lmmas = [s for s in prog.steps if isa.decode(s.word).opcode == Opcode.LMMA]
    assert len(lmmas) == m_tiles * n_tiles * (kt // 4)
    assert Counter(s.acc for s in lmmas) == Counter(
        {(m, n): kt // 4 for m in range(m_tiles) for n in range(n_tiles)}
    )
    assert all(s.acc is None and s.w_bus == 0 for s in prog.steps if s not in lmmas)
    assert np.array_equal(execute(prog), a @ np.ones((kt, nt), dtype=np.int64))


def test_tables_are_reused_across_n_tiles() -> None:
    """LUTGEN count does not grow with Nt: the paper's precompute split."""
    cfg = CONFIGS["M2N4"]
    a = np.ones((2, 8), dtype=np.int64)

    def lutgens(nt: int) -> int:
        prog = tile_gemm(a, np.zeros((8, nt), dtype=np.int64), 2, AFmt.INT8, cfg)
        return sum(isa.decode(s.word).opcode == Opcode.LUTGEN for s in prog.steps)

    assert lutgens(4) == lutgens(40) == 2


def test_tags_increment_mod_256() -> None:
    cfg = CONFIGS["M2N4"]
    prog = tile_gemm(
        np.ones((3, 16), dtype=np.int64),
        np.ones((16, 9), dtype=np.int64),
        1,
        AFmt.INT8,
        cfg,
        tag_start=250,
    )
    tags = [isa.decode(s.word).tag for s in prog.steps]
    assert tags == [(250 + k) % 256 for k in range(len(prog.steps))]
    assert len(tags) > 6, "the stream must cross the wrap"


def test_accumulation_wraps_int32_across_groups() -> None:
    """128 groups of max INT16 x max 8-bit codes overflow INT32: the tiled result wraps."""
    cfg = CONFIGS["M2N4W8"]
    kt = 512
    a = np.full((2, kt), 32767)
    q = np.full((kt, 4), 255)
    exact = symmetric_matmul(a, q, 8)
    assert exact.max() > 2**31
    assert np.array_equal(execute(tile_gemm(a, q, 8, AFmt.INT16, cfg)), wrap(exact))


def test_execute_raises_on_error_status() -> None:
    cfg = CONFIGS["M2N4"]
    prog = tile_gemm(
        np.ones((2, 4), dtype=np.int64), np.ones((4, 4), dtype=np.int64), 1, AFmt.INT8, cfg
    )
    lmma_step = prog.steps[-1]
    bad = isa.lmma(0, AFmt.INT16, 1, tag=isa.decode(lmma_step.word).tag)  # table is INT8
    prog.steps[-1] = Step(bad, w_bus=lmma_step.w_bus, acc=lmma_step.acc)
    with pytest.raises(RuntimeError, match="TABLE_INVALID"):
        execute(prog)


def test_execute_on_given_core_and_cfg_mismatch() -> None:
    cfg = CONFIGS["M2N4"]
    a, q = np.ones((2, 4), dtype=np.int64), np.ones((4, 4), dtype=np.int64)
    core = CoreModel(cfg)
    assert np.array_equal(execute(tile_gemm(a, q, 1, AFmt.INT8, cfg), core), a @ q)
    assert core.tables[0] is not None, "the given core was used"
    with pytest.raises(ValueError, match="cfg"):
        execute(tile_gemm(a, q, 1, AFmt.INT8, cfg), CoreModel(CONFIGS["M4N16"]))


def test_host_memory_chains_c_and_detects_hazards() -> None:
    cfg = CONFIGS["M2N4"]
    mem = HostMemory(cfg, Mt=3, Nt=5)
    step = Step(isa.lmma(0, AFmt.INT8, 1), acc=(1, 1))
    lutgen = Step(isa.lutgen(0, AFmt.INT8))
    assert c_for(lutgen, mem, cfg) == 0 and mem.ready(lutgen)
    assert c_for(step, mem, cfg) == 0  # zeros at first
    assert not mem.ready(step)
    with pytest.raises(RuntimeError, match="before its previous D"):
        mem.c_for(step)
    d = np.arange(8).reshape(2, 4) - 4
    mem.write_back(step, d)
    assert mem.ready(step) and np.array_equal(unpack_c(mem.c_for(step), cfg), d)
    mem.write_back(step, pack_c(d + 1, cfg))  # the out_d_o int works too
    assert mem.result()[2, 4] == d[0, 0] + 1 and mem.result().shape == (3, 5)
    with pytest.raises(RuntimeError, match="without a matching c_for"):
        mem.write_back(step, d)
    with pytest.raises(ValueError, match="cfg"):
        c_for(step, mem, CONFIGS["M4N16"])


def test_program_tiles() -> None:
    assert Program(CONFIGS["M2N4"], Mt=5, Nt=4, steps=[]).tiles == (3, 1)


def _a(mt: int = 2, kt: int = 4) -> np.ndarray:
    return np.zeros((mt, kt), dtype=np.int64)


def _q(kt: int = 4, nt: int = 4, v: int = 0) -> np.ndarray:
    return np.full((kt, nt), v, dtype=np.int64)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: tile_gemm(_a(kt=6), _q(kt=6), 1, AFmt.INT8), "Kt"),
        (lambda: tile_gemm(_a(kt=0), _q(kt=0), 1, AFmt.INT8), "Kt"),
        (lambda: tile_gemm(_a(kt=8), _q(kt=4), 1, AFmt.INT8), "Kt"),
        (lambda: tile_gemm(_a(), _q(v=4), 2, AFmt.INT8), "q"),
        (lambda: tile_gemm(_a(), _q(), 5, AFmt.INT8), "b"),
        (lambda: tile_gemm(_a(), _q(), 0, AFmt.INT8), "b"),
        (lambda: tile_gemm(_a() + 200, _q(), 1, AFmt.INT8), "a"),
        (lambda: tile_gemm(_a(), _q(), 1, AFmt.FP8_E4M3), "afmt"),
        (lambda: tile_gemm(_a(mt=0), _q(), 1, AFmt.INT8), "Mt"),
        (lambda: tile_gemm(_a(), _q(nt=0), 1, AFmt.INT8), "Nt"),
        (lambda: tile_gemm(_a(), _q(), 1, AFmt.INT8, tag_start=256), "tag_start"),
    ],
)
def test_errors_name_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


def test_default_config_b_above_w_bits_max_is_rejected_not_split() -> None:
    with pytest.raises(ValueError, match=r"^b=8 out of range \[1, 4\]"):
        tile_gemm(_a(), _q(), 8, AFmt.INT8)
