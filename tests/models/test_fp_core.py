# SPDX-License-Identifier: Apache-2.0
"""FP activations in the two core models (docs section 10).

``CoreModel`` against the FP contract functions (``models.fp``, which
``test_fp.py`` holds to SoftFloat) through the buses; ``BatchModel`` against
``CoreModel`` response by response on long random streams over every field
value, with the same comparison as ``test_batch.py``; the contract's corner
rules directed; and broken FP variants that the comparison must catch.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import models.batch
from models import isa
from models.batch import Batch, BatchModel, unpack_codes_batch
from models.config import (
    ACCFMT_OF,
    ALL_FORMATS,
    CONFIGS,
    FP_AFMTS,
    AccFmt,
    AFmt,
    CoreConfig,
    Opcode,
    Status,
)
from models.core import CoreModel
from models.encoding import pack_codes
from models.fp import CANONICAL_NAN, FP_FORMATS, bits, fp_lmma, fp_tables, mac_fp_lmma, to_f32
from models.isa import Instr, encode
from models.lmma import pack_c
from models.tables import pack_a
from tests.models.test_batch import mismatches

FP = CONFIGS["M2N4FP"]  # all formats, T=4, W_BITS_MAX=4
FP_W8 = CoreConfig(M=2, N=4, W_BITS_MAX=8, formats=ALL_FORMATS)
INT8_FP16 = CoreConfig(M=2, N=4, formats=0b001001)
NEG_ZERO, POS_INF, NEG_INF = 0x80000000, 0x7F800000, 0xFF800000

#: binary32 patterns the accumulator must treat right: zeros, infinities, NaNs
#: with payloads, the smallest and largest subnormal and normal, +-1.
C_SPECIALS = np.array(
    [
        0,
        NEG_ZERO,
        POS_INF,
        NEG_INF,
        CANONICAL_NAN,
        0xFFC00001,
        0x7F800001,
        0x00000001,
        0x807FFFFF,
        0x00800000,
        0x7F7FFFFF,
        0xFF7FFFFF,
        0x3F800000,
        0xBF800000,
    ],
    dtype=np.uint32,
)


# --- bus helpers --------------------------------------------------------------


def a_bus_of(lanes: np.ndarray, cfg: CoreConfig) -> int:
    """uint16 lane bit patterns ``[M, 4]`` -> ``in_a_i``."""
    return pack_a(np.asarray(lanes, dtype=np.uint16).view(np.int16), cfg)


def c_bus_of(c_bits: np.ndarray, cfg: CoreConfig) -> int:
    """uint32 binary32 patterns ``[M, N]`` -> ``in_c_i``."""
    return pack_c(np.asarray(c_bits, dtype=np.uint32).view(np.int32), cfg)


def d_bits(d: np.ndarray) -> np.ndarray:
    """``Response.d`` (int64 holding int32 values) -> uint32 bit patterns."""
    return d.astype(np.int32).view(np.uint32)


def fp_lanes(rng: np.random.Generator, afmt: AFmt, shape: tuple[int, ...]) -> np.ndarray:
    """Activation lanes of an FP format: near one, wide range, zeros, specials or raw.

    Signed zeros give zero entries, so a -0 C meets zero terms; FP8 lanes
    carry random junk in bits [15:8], which the core must ignore.
    """
    dtype, width = FP_FORMATS[afmt]
    mode = rng.integers(5)
    if mode == 0:  # raw patterns: every exponent, NaNs and infinities included
        raw = rng.integers(0, 1 << 16, shape).astype(np.uint16)
    else:
        if mode == 1:
            v = rng.standard_normal(shape) * 2.0 ** rng.integers(-3, 4, shape)
        elif mode == 2:
            v = rng.standard_normal(shape) * 2.0 ** rng.integers(-140, 128, shape)
        elif mode == 3:
            v = rng.choice(np.array([0.0, -0.0]), shape)
        else:
            v = rng.choice(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, 3e38]), shape)
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.asarray(v, dtype=np.float32).astype(dtype)
        raw = x.view(np.uint8 if width == 8 else np.uint16).astype(np.uint16)
    if width == 8:
        raw = (raw & 0xFF) | (rng.integers(0, 256, shape).astype(np.uint16) << 8)
    return raw


def c_lanes(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """binary32 C patterns, lane by lane: table-sized, signed zeros, specials or raw.

    Table-sized values make every plane's addition round, which is what tells
    the contract's order from any other.
    """
    near = (
        (rng.standard_normal(shape) * 2.0 ** rng.integers(-2, 6, shape))
        .astype(np.float32)
        .view(np.uint32)
    )
    zero = np.where(rng.random(shape) < 0.7, NEG_ZERO, 0).astype(np.uint32)
    special = rng.choice(C_SPECIALS, shape)
    raw = rng.integers(0, 1 << 32, shape, dtype=np.uint64).astype(np.uint32)
    pick = rng.choice(4, shape, p=[0.6, 0.15, 0.1, 0.15])
    return np.choose(pick, [near, zero, special, raw]).astype(np.uint32)


def fp_stream(cfg: CoreConfig, rng: np.random.Generator, n: int) -> Batch:
    """A random mix over every field value, biased so that OK FP LMMAs are common.

    Opcodes, afmt codes 0..15, accfmt 0..3, wbits 0..15, treg 0..15 and rsvd
    all take every value; mostly, though, a LUTGEN of a built format and an
    LMMA whose afmt and accfmt match the last table written to its register
    (tracked here, approximately: it ignores which of those LUTGENs failed).
    A lanes are FP-shaped for the word's format, C lanes FP-shaped always
    (INT LMMAs get the same patterns as plain INT32 values), W lanes raw.
    """
    built = list(cfg.afmts)
    last: dict[int, int] = {}
    words, a, w, c = [], [], [], []
    for _ in range(n):
        r = rng.random()
        op = Opcode.LUTGEN if r < 0.3 else Opcode.LMMA if r < 0.9 else int(rng.integers(16))
        treg = int(rng.integers(cfg.T)) if rng.random() < 0.92 else int(rng.integers(16))
        if op == Opcode.LMMA and treg in last and rng.random() < 0.8:
            afmt = last[treg]
        elif rng.random() < 0.8:
            afmt = int(rng.choice(built))
        else:
            afmt = int(rng.integers(16))
        accfmt = int(rng.integers(4)) if rng.random() < 0.1 else 0
        wbits = int(rng.integers(16)) if rng.random() < 0.05 else 0
        if op == Opcode.LMMA:
            if rng.random() < 0.9:
                accfmt = int(cfg.accfmt_of(afmt)) if afmt < len(AFmt) else 0
                wbits = int(rng.integers(1, cfg.W_BITS_MAX + 1))
        rsvd = int(rng.integers(16)) if rng.random() < 0.03 else 0
        if op == Opcode.LUTGEN and treg < cfg.T:
            last[treg] = afmt
        words.append(encode(Instr(op, treg, afmt, wbits, accfmt, rsvd, int(rng.integers(256)))))
        if afmt in FP_AFMTS:
            lanes = fp_lanes(rng, AFmt(afmt), (cfg.M, 4))
        else:
            lanes = rng.integers(0, 1 << 16, (cfg.M, 4)).astype(np.uint16)
        a.append(a_bus_of(lanes, cfg))
        w.append(int.from_bytes(rng.bytes(cfg.w_bits // 8), "little"))
        c.append(c_bus_of(c_lanes(rng, (cfg.M, cfg.N)), cfg))
    return Batch.from_buses(cfg, words, a, w, c)


# --- CoreModel against the contract functions ---------------------------------


@pytest.mark.parametrize("afmt", FP_AFMTS, ids=lambda f: f.name)
@pytest.mark.parametrize("b", range(1, FP_W8.W_BITS_MAX + 1))
def test_core_fp_lutgen_lmma_equals_contract(afmt: AFmt, b: int) -> None:
    cfg = FP_W8
    rng = np.random.default_rng(1000 * int(afmt) + b)
    for trial in range(20):
        core = CoreModel(cfg)
        lanes = fp_lanes(rng, afmt, (cfg.M, 4))
        codes = rng.integers(0, 16, (cfg.W_BITS_MAX, cfg.N))  # planes >= b are junk
        c = c_lanes(rng, (cfg.M, cfg.N))
        treg, tag = trial % cfg.T, int(rng.integers(256))
        r1 = core.step(isa.lutgen(treg, afmt, tag, cfg), a_bus_of(lanes, cfg))
        assert (r1.tag, r1.status, r1.d.any()) == (tag, Status.OK, False)
        tables = fp_tables(to_f32(lanes, afmt))
        assert np.array_equal(bits(core.tables[treg][1]), bits(tables))  # type: ignore[index]
        word = isa.lmma(treg, afmt, b, tag ^ 1, cfg=cfg)
        r2 = core.step(word, 0, pack_codes(codes, cfg), c_bus_of(c, cfg))
        assert (r2.tag, r2.status) == (tag ^ 1, Status.OK)
        assert r2.d.dtype == np.int64 and r2.d.shape == (cfg.M, cfg.N)
        assert np.array_equal(d_bits(r2.d), fp_lmma(tables, codes[:b], c)), trial
        assert np.array_equal(r2.d, r2.d.astype(np.int32)), "D lanes are signed int32 values"


# --- BatchModel equals CoreModel ----------------------------------------------


@pytest.mark.parametrize("afmt", FP_AFMTS, ids=lambda f: f.name)
@pytest.mark.parametrize("b", [1, 4, 8])
def test_mac_core_fp_lmma_equals_its_contract(afmt: AFmt, b: int) -> None:
    """The MAC core keeps the converted activations and answers ``fp.mac_fp_lmma``."""
    cfg = FP_W8.with_core("mac")
    rng = np.random.default_rng(2000 * int(afmt) + b)
    core = CoreModel(cfg)
    for trial in range(20):
        lanes = fp_lanes(rng, afmt, (cfg.M, 4))
        codes = rng.integers(0, 16, (cfg.W_BITS_MAX, cfg.N))  # planes >= b are junk
        c = c_lanes(rng, (cfg.M, cfg.N))
        treg = trial % cfg.T
        assert core.step(isa.lutgen(treg, afmt, cfg=cfg), a_bus_of(lanes, cfg)).status == Status.OK
        acts = to_f32(lanes, afmt)
        assert np.array_equal(bits(core.tables[treg][1]), bits(acts))  # type: ignore[index]
        r = core.step(isa.lmma(treg, afmt, b, cfg=cfg), 0, pack_codes(codes, cfg), c_bus_of(c, cfg))
        assert r.status == Status.OK
        assert np.array_equal(d_bits(r.d), mac_fp_lmma(acts, codes[:b], c)), trial


MAC_FP = [FP.with_core("mac"), INT8_FP16.with_core("mac"), FP_W8.with_core("mac")]


@pytest.mark.parametrize(
    "cfg", [FP, CONFIGS["M2N4"], INT8_FP16, FP_W8, *MAC_FP], ids=lambda c: c.name
)
@pytest.mark.parametrize("seed", range(3))
def test_batch_equals_core_on_fp_streams(cfg: CoreConfig, seed: int) -> None:
    rng = np.random.default_rng(seed)
    stream = fp_stream(cfg, rng, 2500)
    cuts = sorted(int(x) for x in rng.integers(0, len(stream), 4))
    assert mismatches(BatchModel(cfg), cfg, stream, cuts) == []
    # and the stream is worth it: every status, OK LMMAs of every built format
    resp = BatchModel(cfg).step(stream)
    assert set(resp.status.tolist()) == set(Status)
    words = stream.words.astype(np.int64)
    ok_mm = (resp.status == Status.OK) & ((words & 0xF) == Opcode.LMMA)
    afmt = (words >> 8) & 0xF
    for f in AFmt:
        hit = int(np.count_nonzero(ok_mm & (afmt == f)))
        assert (hit > 10) if cfg.builds(f) else (hit == 0), (f.name, hit)
    refused = {Status.ILLEGAL_INSTR, Status.UNSUPPORTED}
    for f in range(16):
        if not cfg.builds(f):
            assert set(resp.status[afmt == f].tolist()) <= refused, f


@pytest.mark.parametrize("core", ["lut_tc", "mac"])
@pytest.mark.parametrize("name", ["M2N64", "M2N64FP"])
def test_batch_equals_core_on_m2n64(name: str, core: str) -> None:
    cfg = CONFIGS[name].with_core(core)
    stream = fp_stream(cfg, np.random.default_rng(11), 600)
    assert mismatches(BatchModel(cfg), cfg, stream, [1, 300]) == []


@pytest.mark.parametrize("cfg", [FP, INT8_FP16, CONFIGS["M2N4"]], ids=lambda c: c.name)
def test_status_rules_exhaustive_over_formats(cfg: CoreConfig) -> None:
    """Every afmt and accfmt code against every status-relevant field value.

    As in ``test_batch``, after no LUTGEN and after LUTGENs that leave each
    register in turn with each built format.
    """
    combos = itertools.product(
        [0, Opcode.LUTGEN, Opcode.LMMA, 15],  # opcode
        [0, cfg.T - 1, cfg.T],  # treg
        range(16),  # afmt
        [0, 1, cfg.W_BITS_MAX, cfg.W_BITS_MAX + 1],  # wbits
        range(4),  # accfmt
        [0, 1],  # rsvd
    )
    words = [encode(Instr(*c)) for c in combos]
    built = cfg.afmts
    for k in (None, *range(len(built))):
        pre = (
            []
            if k is None
            else [isa.lutgen(t, built[(t + k) % len(built)], 0, cfg) for t in range(cfg.T)]
        )
        stream = fp_stream(cfg, np.random.default_rng(k or 0), len(pre) + len(words))
        stream.words[:] = pre + words
        assert mismatches(BatchModel(cfg), cfg, stream, [len(pre)]) == [], k


# --- contract corner rules, both models ---------------------------------------


def both(cfg: CoreConfig, steps: list[tuple[int, int, int, int]]) -> list[tuple[int, np.ndarray]]:
    """Run ``(word, a, w, c)`` steps through both models (one batch); (status, D bits) each."""
    core = CoreModel(cfg)
    ref = [core.step(*s) for s in steps]
    got = BatchModel(cfg).step(Batch.from_buses(cfg, *zip(*steps, strict=True)))
    out = []
    for i, r in enumerate(ref):
        assert (got.tag[i], got.status[i]) == (r.tag, r.status), i
        assert np.array_equal(got.d[i], r.d.reshape(-1)), i
        out.append((int(r.status), d_bits(r.d)))
    return out


def lanes_of(*values: int) -> np.ndarray:
    """One row's four lanes a0..a3, repeated for every row."""
    return np.tile(np.array(values, dtype=np.uint16), (FP.M, 1))


def codes_bus(*planes: int, cfg: CoreConfig = FP) -> int:
    """One code per plane, the same for every column."""
    return pack_codes(np.repeat(np.array(planes)[:, None], cfg.N, axis=1), cfg)


def full_c(pattern: int, cfg: CoreConfig = FP) -> int:
    return c_bus_of(np.full((cfg.M, cfg.N), pattern, dtype=np.uint32), cfg)


def test_negative_zero_c_survives_planes_beyond_b() -> None:
    """All entries +0; plane 0 negated (-0 + -0 = -0), planes 1..3 would add +0."""
    gen = isa.lutgen(0, AFmt.FP16, cfg=FP)
    w = codes_bus(8, 0, 0, 0)
    out = both(
        FP,
        [
            (gen, a_bus_of(lanes_of(0, 0, 0, 0), FP), 0, 0),
            (isa.lmma(0, AFmt.FP16, 1, cfg=FP), 0, w, full_c(NEG_ZERO)),
            (isa.lmma(0, AFmt.FP16, 4, cfg=FP), 0, w, full_c(NEG_ZERO)),  # mixed b in one batch
            (isa.lmma(0, AFmt.FP16, 2, cfg=FP), 0, codes_bus(8, 8, 0, 0), full_c(NEG_ZERO)),
        ],
    )
    assert [s for s, _ in out] == [Status.OK] * 4
    assert (out[1][1] == NEG_ZERO).all()
    assert (out[2][1] == 0).all(), "-0 + +0 = +0 under RNE"
    assert (out[3][1] == NEG_ZERO).all()


def test_nan_in_gives_canonical_nan() -> None:
    fp16_nan, bf16_nan, e4m3_nan = 0xFE01, 0x7F81, 0x7F  # payloads, one negative
    steps = [
        (isa.lutgen(0, AFmt.FP16, cfg=FP), a_bus_of(lanes_of(fp16_nan, 0, 0, 0), FP), 0, 0),
        (isa.lutgen(1, AFmt.BF16, cfg=FP), a_bus_of(lanes_of(0, 0, bf16_nan, 0), FP), 0, 0),
        (isa.lutgen(2, AFmt.FP8_E4M3, cfg=FP), a_bus_of(lanes_of(0, 0, 0, e4m3_nan), FP), 0, 0),
        (isa.lutgen(3, AFmt.FP16, cfg=FP), a_bus_of(lanes_of(0x3C00, 0, 0, 0), FP), 0, 0),
    ]
    steps += [
        (isa.lmma(t, f, 2, cfg=FP), 0, codes_bus(t, 9, 0, 0), full_c(0x3F800000))
        for t, f in enumerate((AFmt.FP16, AFmt.BF16, AFmt.FP8_E4M3))
    ]
    steps.append((isa.lmma(3, AFmt.FP16, 1, cfg=FP), 0, codes_bus(0), full_c(0xFFC00001)))
    out = both(FP, steps)
    assert [s for s, _ in out] == [Status.OK] * len(steps)
    for _, d in out[4:]:
        assert (d == CANONICAL_NAN).all()


def test_inf_minus_inf_is_nan_and_overflow_is_inf() -> None:
    inf16, max_bf16 = 0x7C00, 0x7F7F  # FP16 +inf; BF16 largest finite (~3.39e38)
    out = both(
        FP,
        [
            (isa.lutgen(0, AFmt.FP16, cfg=FP), a_bus_of(lanes_of(0, 0, 0, inf16), FP), 0, 0),
            (isa.lutgen(1, AFmt.FP16, cfg=FP), a_bus_of(lanes_of(0, 0, inf16, inf16), FP), 0, 0),
            (isa.lutgen(2, AFmt.BF16, cfg=FP), a_bus_of(lanes_of(0, 0, 0, max_bf16), FP), 0, 0),
            (isa.lmma(0, AFmt.FP16, 1, cfg=FP), 0, codes_bus(8), full_c(POS_INF)),  # inf - inf
            (isa.lmma(0, AFmt.FP16, 2, cfg=FP), 0, codes_bus(0, 8), full_c(0)),  # inf - 2inf
            (isa.lmma(1, AFmt.FP16, 1, cfg=FP), 0, codes_bus(0), full_c(0)),  # entry inf - inf
            (isa.lmma(1, AFmt.FP16, 1, cfg=FP), 0, codes_bus(7), full_c(0)),  # entry inf + inf
            (isa.lmma(2, AFmt.BF16, 2, cfg=FP), 0, codes_bus(8, 0), full_c(0)),  # -x + 2x: 2x = inf
            (isa.lmma(2, AFmt.BF16, 2, cfg=FP), 0, codes_bus(8, 8), full_c(0)),  # -x - 2x
            (isa.lmma(2, AFmt.BF16, 1, cfg=FP), 0, codes_bus(0), full_c(0x7F7FFFFF)),  # C + x
            (isa.lmma(2, AFmt.BF16, 1, cfg=FP), 0, codes_bus(0), full_c(0)),  # x, finite
        ],
    )
    d = [x for _, x in out[3:]]
    assert (d[0] == CANONICAL_NAN).all() and (d[1] == CANONICAL_NAN).all()
    assert (d[2] == CANONICAL_NAN).all() and (d[3] == POS_INF).all()
    assert (d[4] == POS_INF).all() and (d[5] == NEG_INF).all()
    assert (d[6] == POS_INF).all(), "a finite sum too large for binary32 rounds to inf"
    assert (d[7] == 0x7F7F0000).all()


def test_subnormal_entries_are_kept_and_scaled_exactly() -> None:
    """BF16 0x0001 is 2^-133, a binary32 subnormal: 15 x it over planes 0..3, no flush."""
    cfg = FP
    tiny = 2.0**-133
    out = both(
        cfg,
        [
            (isa.lutgen(0, AFmt.BF16, cfg=cfg), a_bus_of(lanes_of(0, 0, 0, 0x0001), cfg), 0, 0),
            (isa.lmma(0, AFmt.BF16, 4, cfg=cfg), 0, codes_bus(7, 7, 7, 7), full_c(0)),
            (isa.lmma(0, AFmt.BF16, 4, cfg=cfg), 0, codes_bus(7, 7, 7, 15), full_c(0)),
            (isa.lmma(0, AFmt.BF16, 1, cfg=cfg), 0, codes_bus(15), full_c(0x00000001)),
        ],
    )
    as_f = [x.view(np.float32).astype(np.float64) for _, x in out]
    assert (as_f[1] == 15 * tiny).all() and (out[1][1] == 0x000F0000).all()
    assert (as_f[2] == -tiny).all()
    assert (as_f[3] == 2.0**-149 - tiny).all()


def test_e4m3_and_e5m2_ignore_upper_lane_bits() -> None:
    cfg = FP
    rng = np.random.default_rng(5)
    for afmt in (AFmt.FP8_E4M3, AFmt.FP8_E5M2):
        low = rng.integers(0, 256, (cfg.M, 4)).astype(np.uint16)
        junk = low | (rng.integers(1, 256, (cfg.M, 4)).astype(np.uint16) << 8)
        c = c_lanes(rng, (cfg.M, cfg.N))
        w = int.from_bytes(rng.bytes(cfg.w_bits // 8), "little")
        mm = isa.lmma(0, afmt, cfg.W_BITS_MAX, cfg=cfg)
        gen = isa.lutgen(0, afmt, cfg=cfg)
        clean = both(cfg, [(gen, a_bus_of(low, cfg), 0, 0), (mm, 0, w, c_bus_of(c, cfg))])
        dirty = both(cfg, [(gen, a_bus_of(junk, cfg), 0, 0), (mm, 0, w, c_bus_of(c, cfg))])
        assert np.array_equal(clean[1][1], dirty[1][1])
        core = CoreModel(cfg)
        core.step(gen, a_bus_of(junk, cfg))
        tables = core.tables[0][1]  # type: ignore[index]
        assert np.array_equal(bits(tables), bits(fp_tables(to_f32(low, afmt))))


def test_table_of_another_fp_format_is_invalid() -> None:
    cfg = FP
    a = a_bus_of(lanes_of(0x3C00, 0x4000, 0, 0), cfg)
    steps = [(isa.lutgen(t, f, cfg=cfg), a, 0, 0) for t, f in enumerate(FP_AFMTS)]
    expected = [Status.OK] * len(FP_AFMTS)
    for t, f in enumerate(FP_AFMTS):
        for g in (*FP_AFMTS, AFmt.INT8, AFmt.INT16):
            word = encode(Instr(Opcode.LMMA, t, g, 1, ACCFMT_OF[g]))
            steps.append((word, 0, 0, 0))
            expected.append(Status.OK if g == f else Status.TABLE_INVALID)
    # an integer table read as FP, too
    steps.append((isa.lutgen(0, AFmt.INT16, cfg=cfg), a, 0, 0))
    steps.append((isa.lmma(0, AFmt.FP16, 1, cfg=cfg), 0, 0, 0))
    expected += [Status.OK, Status.TABLE_INVALID]
    assert [s for s, _ in both(cfg, steps)] == expected


FP_STATUS_CASES = [
    # (why, cfg, word, expected), on a core whose registers all hold FP16 tables
    ("fp afmt, int32 accfmt", FP, Instr(Opcode.LMMA, 0, AFmt.FP16, 1, AccFmt.INT32), 2),
    ("int afmt, fp32 accfmt", FP, Instr(Opcode.LMMA, 0, AFmt.INT8, 1, AccFmt.FP32), 2),
    ("accfmt 2", FP, Instr(Opcode.LMMA, 0, AFmt.FP16, 1, 2), 2),
    ("accfmt 3", FP, Instr(Opcode.LMMA, 0, AFmt.BF16, 1, 3), 2),
    ("fp lutgen accfmt", FP, Instr(Opcode.LUTGEN, 0, AFmt.FP16, 0, AccFmt.FP32), 1),
    ("fp wbits 0", FP, Instr(Opcode.LMMA, 0, AFmt.FP16, 0, AccFmt.FP32), 2),
    ("fp wbits > max", FP, Instr(Opcode.LMMA, 0, AFmt.FP16, 5, AccFmt.FP32), 2),
    ("reserved 6, all built", FP, Instr(Opcode.LMMA, 0, 6, 1, AccFmt.FP32), 2),
    ("reserved 15 lutgen", FP, Instr(Opcode.LUTGEN, 0, 15), 2),
    ("unsupported beats treg", FP, Instr(Opcode.LMMA, 9, AFmt.FP16, 1, AccFmt.INT32), 2),
    ("fp treg range", FP, Instr(Opcode.LMMA, 4, AFmt.FP16, 1, AccFmt.FP32), 3),
    ("fp ok", FP, Instr(Opcode.LMMA, 0, AFmt.FP16, 1, AccFmt.FP32), 0),
    ("bf16 not built", INT8_FP16, Instr(Opcode.LUTGEN, 0, AFmt.BF16), 2),
    ("e4m3 not built", INT8_FP16, Instr(Opcode.LMMA, 0, AFmt.FP8_E4M3, 1, AccFmt.FP32), 2),
    ("int16 not built", INT8_FP16, Instr(Opcode.LMMA, 0, AFmt.INT16, 1, AccFmt.INT32), 2),
    ("int16 lutgen not built", INT8_FP16, Instr(Opcode.LUTGEN, 0, AFmt.INT16), 2),
    ("fp16 built", INT8_FP16, Instr(Opcode.LMMA, 1, AFmt.FP16, 1, AccFmt.FP32), 0),
    ("fp16 on int-only", CONFIGS["M2N4"], Instr(Opcode.LUTGEN, 0, AFmt.FP16), 2),
]


@pytest.mark.parametrize(
    ("why", "cfg", "instr", "expected"), FP_STATUS_CASES, ids=[c[0] for c in FP_STATUS_CASES]
)
def test_fp_status_rules(why: str, cfg: CoreConfig, instr: Instr, expected: int) -> None:
    setup = [
        (isa.lutgen(t, AFmt.FP16, cfg=cfg), 0, 0, 0) for t in range(cfg.T) if cfg.builds(AFmt.FP16)
    ]
    core = CoreModel(cfg)
    for s in setup:
        core.step(*s)
    word = encode(instr)
    assert core.check(word) == expected
    out = both(cfg, [*setup, (word, 0, 0, full_c(NEG_ZERO, cfg))])
    assert out[-1][0] == expected
    # an error carries D = 0; an OK LMMA here adds entry +0 (code 0) to C = -0: +0 too
    assert not out[-1][1].any()


# --- negative: the comparison catches broken FP variants ----------------------


def _terms(
    model: BatchModel, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b
) -> tuple[np.ndarray, list[np.ndarray]]:
    """C and every plane's term as float32 ``[L, M, N]``; -0 for planes >= b."""
    cfg = model.cfg
    tab = bank[ver].astype(np.uint32).view(np.float32)  # [L, M, 8]
    codes = unpack_codes_batch(batch.w[rows], cfg).astype(np.int64)  # [L, W, N]
    c = np.ascontiguousarray(batch.c[rows]).view("<f4").reshape(len(rows), cfg.M, cfg.N)
    terms = []
    for p in range(cfg.W_BITS_MAX):
        code = np.broadcast_to(codes[:, p][:, None, :], (len(rows), cfg.M, cfg.N))
        entry = np.take_along_axis(tab, code & 7, axis=2)
        term = np.where(code >> 3 == 1, -entry, entry) * np.float32(2.0**p)
        terms.append(np.where((p < b)[:, None, None], term, np.float32(-0.0)))
    return c, terms


class _RoundOnce(BatchModel):
    """Broken on purpose: exact (float64) accumulation, one rounding at the end."""

    def _lmma_fp(self, bank, ver, batch, rows, b):
        with np.errstate(over="ignore", invalid="ignore"):
            c, terms = _terms(self, bank, ver, batch, rows, b)
            acc = c.astype(np.float64) + sum(t.astype(np.float64) for t in terms)
            return bits(acc.astype(np.float32)).reshape(len(rows), -1).view(np.int32)


class _Pairwise(BatchModel):
    """Broken on purpose: the planes summed as a tree, then added to C."""

    def _lmma_fp(self, bank, ver, batch, rows, b):
        with np.errstate(over="ignore", invalid="ignore"):
            c, terms = _terms(self, bank, ver, batch, rows, b)
            while len(terms) > 1:
                terms = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)] + (
                    terms[-1:] if len(terms) % 2 else []
                )
            return bits(c + terms[0]).reshape(len(rows), -1).view(np.int32)


class _PlaneOrder(BatchModel):
    """Control for the helpers above: the contract's order, rebuilt from ``_terms``."""

    def _lmma_fp(self, bank, ver, batch, rows, b):
        with np.errstate(over="ignore", invalid="ignore"):
            acc, terms = _terms(self, bank, ver, batch, rows, b)
            for t in terms:
                acc = acc + t
            return bits(acc).reshape(len(rows), -1).view(np.int32)


@pytest.mark.parametrize("broken", [_RoundOnce, _Pairwise])
def test_fp_cross_check_catches_wrong_rounding_or_order(broken: type[BatchModel]) -> None:
    """Negative test: the comparison that passes above fails on a model that sums otherwise."""
    stream = fp_stream(FP, np.random.default_rng(3), 600)
    assert mismatches(_PlaneOrder(FP), FP, stream, [100, 400]) == []
    assert len(mismatches(broken(FP), FP, stream, [100, 400])) > 10


def test_fp_cross_check_catches_a_positive_zero_pad(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planes >= b padded with +0 instead of -0: a -0 C turns into +0."""
    stream = fp_stream(FP, np.random.default_rng(4), 600)
    monkeypatch.setattr(models.batch, "_NEG_ZERO", 0)
    assert len(mismatches(BatchModel(FP), FP, stream, [100, 400])) > 0


def test_fp_cross_check_catches_a_wrong_accfmt_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """FP LMMAs accepted with accfmt INT32 (and refused with FP32)."""
    stream = fp_stream(FP, np.random.default_rng(5), 600)
    model = BatchModel(FP)
    model._accfmt_need[list(FP_AFMTS)] = AccFmt.INT32
    assert len(mismatches(model, FP, stream, [100, 400])) > 0
