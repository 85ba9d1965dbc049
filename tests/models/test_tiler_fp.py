# SPDX-License-Identifier: Apache-2.0
"""FP GEMM tiling: the stream, C chained as binary32 through host memory, both models equal.

The tiler's FP result is held to an independent emulation of the contract
over the whole GEMM (no tiles, no buses, no padding: K-groups in order, planes
in order, one binary32 addition each), and ``execute`` on ``CoreModel`` to
``execute_batch`` on ``BatchModel``, response by response. The bound against
float64 math is tested with the stimulus (``tests/tb/test_gemm_fp.py``).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import isa
from models.batch import BatchModel, from_bytes
from models.config import CONFIGS, FP_AFMTS, AccFmt, AFmt, CoreConfig, Opcode
from models.core import CoreModel
from models.encoding import encode_weights
from models.fp import CANONICAL_NAN, FP_FORMATS, bits, fp_tables, to_f32
from models.tiler import HostMemory, Step, execute, execute_batch, fp_patterns, tile_gemm

FPC = CONFIGS["M2N4FP"]
FP64 = CONFIGS["M2N64FP"]
FP_CONFIGS = [FPC, FP64, CoreConfig(M=3, N=5, T=2, W_BITS_MAX=3, formats=0b111100)]


def llm_like(rng: np.random.Generator, afmt: AFmt, shape: tuple[int, int]) -> np.ndarray:
    """Normal activations with a per-row scale and a few outliers, as values of ``afmt``."""
    dtype, _ = FP_FORMATS[afmt]
    x = rng.standard_normal(shape) * 2.0 ** rng.uniform(-3, 1, size=(shape[0], 1))
    x = np.where(rng.random(shape) < 0.02, x * 30, x)
    top = float(ml_dtypes.finfo(dtype).max) / 2
    return np.clip(x, -top, top).astype(np.float32).astype(dtype)


def contract_gemm(a_pat: np.ndarray, q: np.ndarray, b: int, afmt: AFmt) -> np.ndarray:
    """uint32 ``[Mt, Nt]``: the FP contract over a whole GEMM, with no tiling at all.

    ``acc = +0.0``; for each K-group in order, the group's eight entries, then
    for each plane in order ``acc = RNE(acc + (neg ? -entry : entry) * 2^i)``.
    """
    a32 = to_f32(a_pat, afmt)
    codes = encode_weights(q, b)  # [b, G, Nt]
    acc = np.zeros((a_pat.shape[0], q.shape[1]), dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        for g in range(codes.shape[1]):
            tab = fp_tables(a32[:, 4 * g : 4 * g + 4])  # [Mt, 8]
            for i in range(b):
                code = codes[i, g].astype(np.int64)
                e = tab[:, code & 7]
                acc = acc + np.where((code >> 3).astype(bool), -e, e) * np.float32(2.0**i)
    return bits(acc)


def per_instruction(run, cfg: CoreConfig) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``CoreModel`` fed the batch's rows (C as the batch carries it): int32 ``[B, M*N]``."""
    core, b = CoreModel(cfg), run.batch
    rows = [
        core.step(int(b.words[k]), from_bytes(b.a[k]), from_bytes(b.w[k]), from_bytes(b.c[k])).d
        for k in range(len(b))
    ]
    return np.array(rows).reshape(len(b), -1).astype(np.int32)


def tb_shape(cfg: CoreConfig, scale: float) -> tuple[int, int, int]:
    """``GemmTernaryTest.shape()`` at ``LUT_TC_SCALE = scale``."""
    groups = max(cfg.T + 1, round(8 * scale))
    return cfg.M * (4 if scale >= 2 else 2), 4 * groups, 2 * cfg.N


@pytest.mark.parametrize("cfg", [FPC, FP64], ids=lambda c: c.name)
@pytest.mark.parametrize("scale", [1, 8])
@pytest.mark.parametrize("afmt", FP_AFMTS, ids=lambda f: f.name)
@pytest.mark.parametrize("seed", [0, 1])
def test_fp_gemm_models_agree_and_equal_the_contract(
    cfg: CoreConfig, scale: int, afmt: AFmt, seed: int
) -> None:
    """At the testbench's shapes: CoreModel == BatchModel step by step == untiled contract."""
    rng = np.random.default_rng(seed)
    mt, kt, nt = tb_shape(cfg, scale)
    a = llm_like(rng, afmt, (mt, kt))
    q = rng.integers(0, 3, size=(kt, nt), endpoint=True)
    prog = tile_gemm(a, q, 2, afmt, cfg)
    run = execute_batch(prog)
    assert run.result.dtype == np.float32 and run.result.shape == (mt, nt)
    want = contract_gemm(fp_patterns(a, afmt), q, 2, afmt)
    assert np.array_equal(run.result.view(np.uint32), want)
    assert np.array_equal(per_instruction(run, cfg), run.resp.d)
    assert np.array_equal(execute(prog).view(np.uint32), want)


@given(cfg=st.sampled_from(FP_CONFIGS), afmt=st.sampled_from(FP_AFMTS), data=st.data())
def test_ragged_fp_gemm_equals_the_contract(
    cfg: CoreConfig, afmt: AFmt, data: st.DataObject
) -> None:
    """Padding in M, N and K-groups beyond T; any width; any bit pattern (NaN, inf, subnormal)."""
    if not cfg.builds(afmt):
        afmt = cfg.afmts[-1]
    b = data.draw(st.integers(1, cfg.W_BITS_MAX))
    mt = data.draw(st.integers(1, 2 * cfg.M + 1))
    nt = data.draw(st.integers(1, 2 * cfg.N + 3))
    kt = 4 * data.draw(st.integers(1, 2 * cfg.T + 1))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    lane_bits = FP_FORMATS[afmt][1]
    if data.draw(st.booleans()):
        a = rng.integers(0, 1 << lane_bits, size=(mt, kt))  # raw patterns
    else:
        a = fp_patterns(llm_like(rng, afmt, (mt, kt)), afmt)
    q = rng.integers(0, (1 << b) - 1, size=(kt, nt), endpoint=True)
    prog = tile_gemm(a, q, b, afmt, cfg)
    got = execute(prog).view(np.uint32)
    assert np.array_equal(got, contract_gemm(a, q, b, afmt))
    assert np.array_equal(execute_batch(prog).result.view(np.uint32), got)
    assert np.all(got[np.isnan(got.view(np.float32))] == CANONICAL_NAN)


def test_fp_stream_words_and_chain() -> None:
    """FP LUTGENs and FP32 LMMAs; C = +0.0 for a tile's first LMMA, then the previous D."""
    cfg = FPC
    rng = np.random.default_rng(3)
    mt, kt, nt = 3, 4 * (cfg.T + 2), 2 * cfg.N + 1
    a = llm_like(rng, AFmt.BF16, (mt, kt))
    q = rng.integers(0, 3, size=(kt, nt), endpoint=True)
    prog = tile_gemm(a, q, 2, AFmt.BF16, cfg)
    assert prog.fp and prog.afmt == AFmt.BF16
    for step in prog.steps:
        i = isa.decode(step.word)
        assert i.afmt == AFmt.BF16
        if i.opcode == Opcode.LMMA:
            assert i.accfmt == AccFmt.FP32 and i.wbits == 2 and step.group is not None
        else:
            assert i.accfmt == 0 and step.acc is None and step.group is None
    run = execute_batch(prog)
    c = np.ascontiguousarray(run.batch.c).view("<i4")
    for tile in {s.acc for s in prog.steps if s.acc is not None}:
        rows = [k for k, s in enumerate(prog.steps) if s.acc == tile]
        assert [prog.steps[k].group for k in rows] == list(range(kt // 4)), "groups in order"
        assert not c[rows[0]].any(), "first C is +0.0"
        assert np.array_equal(c[rows[1:]], run.resp.d[rows[:-1]]), "then the previous D"


def test_values_and_patterns_give_the_same_program() -> None:
    """float64, the format's own dtype, or its bit patterns: one stream."""
    rng = np.random.default_rng(4)
    for afmt in FP_AFMTS:
        vals = llm_like(rng, afmt, (2, 8))
        q = rng.integers(0, 3, size=(8, 4), endpoint=True)
        pat = fp_patterns(vals, afmt)
        progs = [
            tile_gemm(x, q, 2, afmt, FPC)
            for x in (vals, vals.astype(np.float64), pat, pat.astype(np.uint16))
        ]
        assert all(p.steps == progs[0].steps for p in progs[1:]), afmt.name


def test_float_values_are_rounded_to_the_format() -> None:
    x = np.array([[1 + 2**-12, 1 + 2**-10, 3e-8, -0.0]])
    assert fp_patterns(x, AFmt.FP16).tolist() == [[0x3C00, 0x3C01, 0x0001, 0x8000]]
    assert fp_patterns(np.array([[1.0, -2.0]]), AFmt.FP8_E4M3).tolist() == [[0x38, 0xC0]]


def test_non_finite_inputs_pass_and_nan_is_canonical() -> None:
    """An explicit infinity is an activation like any other; inf - inf gives the canonical NaN."""
    a = np.zeros((2, 4))
    a[0, 3], a[0, 2] = np.inf, np.inf  # hi[0] = a3 - a2 = NaN
    q = np.full((4, 4), 2)
    got = execute(tile_gemm(a, q, 2, AFmt.FP16, FPC)).view(np.uint32)
    assert np.array_equal(got, contract_gemm(fp_patterns(a, AFmt.FP16), q, 2, AFmt.FP16))
    assert (got[0] == CANONICAL_NAN).all() and not got[1].any()


def test_host_memory_fp_result_is_binary32() -> None:
    cfg = FPC
    mem = HostMemory(cfg, Mt=3, Nt=5, fp=True)
    step = Step(isa.lmma(0, AFmt.FP16, 1, cfg=cfg), acc=(1, 1), group=0)
    assert mem.c_for(step) == 0  # +0.0 in every lane
    d = np.array([-0.0, 1.5, -2.25, np.inf, 3.0, 5.0, 7.0, 9.0], dtype=np.float32)
    mem.write_back(step, d.view(np.int32).astype(np.int64).reshape(2, 4))
    r = mem.result()
    assert r.dtype == np.float32 and r.shape == (3, 5)
    assert r[2, 4].view(np.uint32) == 0x80000000, "-0.0 kept bit for bit"
    assert not HostMemory(cfg, 3, 5).fp and HostMemory(cfg, 3, 5).result().dtype == np.int64


def test_integer_programs_are_unchanged_and_batch_executor_agrees() -> None:
    cfg = CONFIGS["M2N4"]
    rng = np.random.default_rng(5)
    a = rng.integers(-128, 127, size=(5, 24), endpoint=True)
    q = rng.integers(0, 3, size=(24, 7), endpoint=True)
    prog = tile_gemm(a, q, 2, AFmt.INT8, cfg)
    assert not prog.fp and prog.afmt == AFmt.INT8
    run = execute_batch(prog)
    assert run.result.dtype == np.int64
    assert np.array_equal(run.result, execute(prog))
    assert np.array_equal(per_instruction(run, cfg), run.resp.d)


def test_execute_batch_errors() -> None:
    prog = tile_gemm(np.ones((2, 4)), np.ones((4, 4), dtype=np.int64), 1, AFmt.FP16, FPC)
    with pytest.raises(ValueError, match="model.cfg"):
        execute_batch(prog, BatchModel(FP64))
    last = prog.steps[-1]
    prog.steps[-1] = Step(isa.lmma(0, AFmt.BF16, 1, cfg=FPC), w_bus=last.w_bus, acc=last.acc)
    with pytest.raises(RuntimeError, match=r"step 1 \(lmma t0, bf16.*TABLE_INVALID"):
        execute_batch(prog)
    with pytest.raises(RuntimeError, match="TABLE_INVALID"):
        execute(prog)


def _q(kt: int = 4, nt: int = 4) -> np.ndarray:
    return np.zeros((kt, nt), dtype=np.int64)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: tile_gemm(np.ones((2, 4)), _q(), 1, AFmt.FP16), r"afmt=FP16 is not built by"),
        (lambda: tile_gemm(np.full((2, 4), 7e4), _q(), 1, AFmt.FP16, FPC), r"a holds 70000\.0"),
        (lambda: tile_gemm(np.full((2, 4), 500.0), _q(), 1, AFmt.FP8_E4M3, FPC), r"a holds 500"),
        (lambda: tile_gemm(np.full((2, 4), 256), _q(), 1, AFmt.FP8_E5M2, FPC), r"a \(bit patt"),
        (lambda: tile_gemm(np.full((2, 4), -1), _q(), 1, AFmt.BF16, FPC), r"a \(bit patterns"),
        (lambda: tile_gemm(np.ones((2, 4), bool), _q(), 1, AFmt.FP16, FPC), r"a must hold FP16"),
        (lambda: tile_gemm(np.ones((2, 4), complex), _q(), 1, AFmt.FP16, FPC), r"a must hold"),
        (lambda: tile_gemm(np.ones(4), _q(), 1, AFmt.FP16, FPC), r"a has shape \[4\]"),
        (lambda: tile_gemm(np.ones((2, 6)), _q(kt=6), 1, AFmt.FP16, FPC), r"\bKt\b"),
        (lambda: tile_gemm(np.ones((2, 4)), _q() + 2, 1, AFmt.FP16, FPC), r"\bq\b"),
        (lambda: fp_patterns(np.ones((2, 4)), AFmt.INT8), r"afmt=INT8 is not a floating-point"),
    ],
)
def test_fp_errors_name_the_argument(call, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        call()
