# SPDX-License-Identifier: Apache-2.0
"""FP stimulus (``tb.stimulus`` with FP formats built): the knobs, the value modes, the
accfmt and error rules of docs sections 6 and 10, and integer streams left exactly as
they were.

Statuses come from ``models.batch.BatchModel``; the format facts used to judge the
values (NaN/inf/subnormal patterns) come from decoding with ``ml_dtypes``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter

import ml_dtypes
import numpy as np
import pytest

from models.batch import Batch, BatchModel, BatchResponse, from_bytes
from models.config import (
    ACCFMT_OF,
    ALL_FORMATS,
    FP_AFMTS,
    AccFmt,
    AFmt,
    CoreConfig,
    Opcode,
    Status,
    config_by_name,
)
from models.core import CoreModel
from models.fp import fp_tables
from models.lmma import ACC_MAX
from tb import stimulus as st
from tb.coverage.bins import STATUS_BINS, afmt_bins, op_bins, treg_bins, wbits_bins
from tb.stimulus.fp_payloads import fp_format

FPC = config_by_name("M2N4FP")
INT = config_by_name("M2N4")
INT8_FP16 = CoreConfig(M=2, N=4, formats=0b001001)
FP16_ONLY = CoreConfig(M=2, N=4, formats=0b001000)
OK, ILL, UNS, TRR, TIV = (
    Status.OK,
    Status.ILLEGAL_INSTR,
    Status.UNSUPPORTED,
    Status.TREG_RANGE,
    Status.TABLE_INVALID,
)
FP8 = (AFmt.FP8_E4M3, AFmt.FP8_E5M2)


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def run(batch: Batch, cfg: CoreConfig = FPC) -> tuple[dict[str, np.ndarray], BatchResponse]:
    return st.decode_words(batch.words), BatchModel(cfg).step(batch)


def same(a: Batch, b: Batch) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("words", "a", "w", "c"))


def ok_rows(f: dict, r: BatchResponse, op: Opcode, afmts: tuple = tuple(AFmt)) -> np.ndarray:
    sel = (f["opcode"] == op) & (r.status == OK) & np.isin(f["afmt"], [int(a) for a in afmts])
    return np.flatnonzero(sel)


def raw_lanes(batch: Batch, rows: np.ndarray, cfg: CoreConfig = FPC) -> np.ndarray:
    """uint16 activation lanes ``[rows, M, 4]`` as on the bus (upper byte included)."""
    return np.ascontiguousarray(batch.a[rows]).view("<u2").reshape(len(rows), cfg.M, 4)


def values(batch: Batch, rows: np.ndarray, afmt: AFmt, cfg: CoreConfig = FPC) -> np.ndarray:
    """float32 activations of FP LUTGEN rows (the format's lane bits only)."""
    return fp_format(afmt).decode(raw_lanes(batch, rows, cfg))


def c_f32(batch: Batch, rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(batch.c[rows]).view("<f4")


def smallest_normal(afmt: AFmt) -> float:
    return float(ml_dtypes.finfo(fp_format(afmt).dtype).smallest_normal)


def fp_stream(mode: str, n: int = 1200, **kw) -> tuple[Batch, dict, BatchResponse]:
    """LUTGENs only, every FP format, one FP value mode."""
    kn = st.Knobs(n=n, mix={"lutgen": 1}, afmt={"fp": 1}, fp_modes={mode: 1}, **kw)
    b = st.random_stream(FPC, rng(), kn)
    return (b, *run(b))


# --- knobs --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(fp_modes={"tiny": 1}), r"fp_modes: 'tiny' unknown; choose from \['uniform', 'llm'"),
        (dict(fp_c_modes={"max": 1}), r"fp_c_modes: 'max' unknown; choose from \['zero'"),
        (dict(fp_modes={"llm": -1}), r"fp_modes\['llm'\]=-1: a weight must be >= 0"),
        (dict(afmt={"fp32": 1}), r"afmt: 'fp32' unknown; choose from \['int8', .*'fp16'.*'fp'\]"),
        (dict(afmt={"fp16": 0}), "afmt=.*all weights are zero"),
    ],
)
def test_bad_fp_knobs_raise(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        st.Knobs(**kw)


def test_fp_knobs_against_the_config() -> None:
    with pytest.raises(ValueError, match=r"afmt: 'fp16' is not built by M2N4 \(formats int8, "):
        st.random_stream(INT, rng(), st.Knobs(afmt={"int8": 1, "fp16": 1}))
    with pytest.raises(ValueError, match=r"afmt: 'fp' asks for floating-point formats, but M2N4"):
        st.random_stream(INT, rng(), st.Knobs(afmt={"fp": 1}))
    with pytest.raises(ValueError, match="afmt: 'fp'"):
        st.long_stream(INT, rng(), "fp", 100)
    # a zero weight switches a format off, built or not
    st.random_stream(INT, rng(), st.Knobs(n=50, afmt={"int8": 1, "bf16": 0}))
    not_built = r"afmt: 'int16' is not built by .* \(formats int8, fp16\)"
    with pytest.raises(ValueError, match=not_built):
        st.random_stream(INT8_FP16, rng(), st.Knobs(afmt={"int16": 1}))
    f, r = run(st.random_stream(INT8_FP16, rng(), st.Knobs(n=600)), INT8_FP16)
    assert set(f["afmt"][ok_rows(f, r, Opcode.LUTGEN)].tolist()) == {AFmt.INT8, AFmt.FP16}
    # the FP modes may be all zero only in a stream without FP rows
    with pytest.raises(ValueError, match=r"fp_modes=\{'llm': 0\}: all weights are zero, but"):
        st.random_stream(FPC, rng(), st.Knobs(afmt={"fp16": 1}, fp_modes={"llm": 0}))
    with pytest.raises(ValueError, match=r"fp_c_modes=\{\}: all weights are zero"):
        st.random_stream(FPC, rng(), st.Knobs(fp_c_modes={}))
    st.random_stream(FPC, rng(), st.Knobs(n=50, afmt={"int": 1}, fp_modes={}, fp_c_modes={}))
    # one built format: no other one for an LMMA to name
    with pytest.raises(ValueError, match="p_wrong_afmt: .* builds one format"):
        st.random_stream(FP16_ONLY, rng(), st.Knobs())
    kn = st.Knobs(n=300, p_wrong_afmt=0.0, errors={"rsvd": 1, "afmt": 1})
    f, r = run(st.random_stream(FP16_ONLY, rng(), kn), FP16_ONLY)
    assert set(f["afmt"][r.status == OK].tolist()) == {AFmt.FP16}
    text = st.Knobs().describe(FPC)
    assert "fp8_e4m3 17%" in text and "FP activations uniform 20%" in text and "FP C zero" in text
    assert "FP" not in st.Knobs().describe(INT)


def test_default_knobs_draw_every_built_format_with_its_accfmt() -> None:
    kn = st.Knobs(n=4000, mix={"lutgen": 1, "lmma": 2}, p_wrong_afmt=0.0)
    b = st.random_stream(FPC, rng(), kn)
    f, r = run(b)
    assert (r.status == OK).all()
    gen, mm = ok_rows(f, r, Opcode.LUTGEN), ok_rows(f, r, Opcode.LMMA)
    shares = Counter(f["afmt"][gen].tolist())
    assert set(shares) == set(AFmt) and min(shares.values()) > len(gen) / 6 * 0.8
    assert set(f["afmt"][mm].tolist()) == set(AFmt)
    want = np.array([ACCFMT_OF[AFmt(a)] for a in f["afmt"][mm]])
    assert np.array_equal(f["accfmt"][mm], want)  # FP32 on FP tables, INT32 on integer ones
    assert (f["accfmt"][gen] == 0).all()
    fp_mm = mm[np.isin(f["afmt"][mm], [int(a) for a in FP_AFMTS])]
    assert (f["accfmt"][fp_mm] == AccFmt.FP32).all() and len(fp_mm) > 1000


# --- FP activation modes ---------------------------------------------------------------------
def test_mode_uniform_hits_every_pattern_at_its_natural_rate() -> None:
    b, f, r = fp_stream("uniform", n=2400)
    for afmt in FP_AFMTS:
        g = ok_rows(f, r, Opcode.LUTGEN, (afmt,))
        fmt = fp_format(afmt)
        lanes = raw_lanes(b, g) & ((1 << fmt.bits) - 1)
        if fmt.bits == 8:
            assert len(np.unique(lanes)) == 256
        nan_rate = np.isnan(fmt.decode(lanes)).mean()
        natural = fmt.nan.size / (1 << fmt.bits)
        assert abs(nan_rate - natural) < 0.01 + natural / 2, (afmt.name, nan_rate, natural)


def test_mode_llm_normal_values_with_rare_outliers() -> None:
    b, f, r = fp_stream("llm", n=4000)
    for afmt in FP_AFMTS:
        a = values(b, ok_rows(f, r, Opcode.LUTGEN, (afmt,)), afmt)
        assert np.isfinite(a).all()
        assert (np.abs(a) >= smallest_normal(afmt)).mean() > 0.9  # mostly normal numbers
        med = np.median(np.abs(a), axis=-1)  # a row's four lanes share one scale
        outlier = (np.abs(a) > 15 * med[..., None]).mean()
        assert 0.002 < outlier < 0.03, (afmt.name, outlier)
        assert 2.0**-7 < np.median(np.abs(a)) < 2.0


def test_mode_subnormal_mostly_subnormals_and_both_zeros() -> None:
    b, f, r = fp_stream("subnormal")
    for afmt in FP_AFMTS:
        g = ok_rows(f, r, Opcode.LUTGEN, (afmt,))
        a = values(b, g, afmt)
        sub = (a != 0) & (np.abs(a) < smallest_normal(afmt))
        assert sub.mean() > 0.6, (afmt.name, sub.mean())
        lanes = raw_lanes(b, g) & ((1 << fp_format(afmt).bits) - 1)
        assert (lanes == 0).any() and (lanes == fp_format(afmt).sign).any()  # +0 and -0


def test_mode_specials_has_every_special() -> None:
    b, f, r = fp_stream("specials")
    for afmt in FP_AFMTS:
        fmt = fp_format(afmt)
        g = ok_rows(f, r, Opcode.LUTGEN, (afmt,))
        lanes = raw_lanes(b, g) & ((1 << fmt.bits) - 1)
        a = fmt.decode(lanes)
        info = ml_dtypes.finfo(fmt.dtype)
        assert (lanes == 0).any() and (lanes == fmt.sign).any()
        n_nan = min(4, fmt.nan.size)  # E4M3 has two NaN patterns, the others many
        assert len(np.unique(lanes[np.isnan(a)])) >= n_nan  # NaNs of several payloads
        for v in (float(info.max), -float(info.max), float(info.smallest_subnormal), 1.0):
            assert (a == np.float32(v)).any(), (afmt.name, v)
        assert (a == np.float32(info.smallest_normal)).any()
        assert np.isinf(a).any() == (afmt != AFmt.FP8_E4M3)  # E4M3 "fn" has no infinity
        assert np.isinf(a).any() or afmt == AFmt.FP8_E4M3


def test_mode_extreme_tables_reach_both_ends_of_the_range() -> None:
    """BF16 tables hold near-FLT_MAX entries (the scaler overflows them on plane >= 1) and
    deep subnormal ones; every format's lanes are its extremes and zeros only."""
    b, f, r = fp_stream("extreme")
    for afmt in FP_AFMTS:
        fmt = fp_format(afmt)
        raw = raw_lanes(b, ok_rows(f, r, Opcode.LUTGEN, (afmt,))).astype(np.int64)
        lanes = raw & (fmt.sign - 1)  # the magnitude: below the sign bit
        assert set(np.unique(lanes)) <= {0, 1, 2, 3, *range(fmt.max_pat - 3, fmt.max_pat + 1)}
        assert (lanes == 0).any() and (lanes <= 3).any() and (lanes == fmt.max_pat).any()
    t = np.abs(fp_tables(values(b, ok_rows(f, r, Opcode.LUTGEN, (AFmt.BF16,)), AFmt.BF16)))
    f32 = np.finfo(np.float32)
    assert ((t > f32.max / 2) & np.isfinite(t)).mean() > 0.1  # doubled by plane 1: infinity
    deep = (t > 0) & (t < f32.smallest_normal * 2.0**-3)  # 4+ leading zeros in binary32
    assert deep.mean() > 0.1


def test_mode_cancel_tables_cancel() -> None:
    b, f, r = fp_stream("cancel", n=2000)
    bl, fl, rl = fp_stream("llm", n=2000)
    for afmt in FP_AFMTS:
        a = values(b, ok_rows(f, r, Opcode.LUTGEN, (afmt,)), afmt)
        t = fp_tables(a)
        assert np.isfinite(t).all()
        scale = np.abs(a).max(axis=-1, keepdims=True)
        zero = (t == 0).mean()
        tiny = (np.abs(t) <= scale * 2.0 ** (2 - fp_format(afmt).nmant)).mean()
        assert zero > 0.12 and tiny > 0.3, (afmt.name, zero, tiny)
        assert (np.abs(a[..., 3]) == np.abs(a[..., 2])).mean() > 0.6  # a3 = +-a2
        assert (np.abs(a[..., 1]) == np.abs(a[..., 0])).mean() > 0.6  # a1 = +-a0
        control = fp_tables(values(bl, ok_rows(fl, rl, Opcode.LUTGEN, (afmt,)), afmt))
        assert (control == 0).mean() < 0.03


def test_fp8_upper_byte_junk_follows_p_dirty() -> None:
    for p, want in ((0.0, False), (1.0, True)):
        b, f, r = fp_stream("llm", n=600, p_dirty=p)
        g = ok_rows(f, r, Opcode.LUTGEN, FP8)
        dirty = (raw_lanes(b, g) >> 8).any(axis=(1, 2))
        assert dirty.all() if want else not dirty.any()


# --- FP C modes ---------------------------------------------------------------------------
def c_stream(mode: str, **kw) -> tuple[Batch, dict, BatchResponse, np.ndarray]:
    kn = st.Knobs(
        n=1500,
        mix={"lutgen": 1, "lmma": 3},
        fp_c_modes={mode: 1},
        c_modes={"max": 1},
        p_wrong_afmt=0.0,
        **kw,
    )
    b = st.random_stream(FPC, rng(), kn)
    f, r = run(b)
    return b, f, r, ok_rows(f, r, Opcode.LMMA, FP_AFMTS)


def test_fp_c_modes() -> None:
    f32 = np.finfo(np.float32)
    b, f, r, mm = c_stream("zero")
    c = np.ascontiguousarray(b.c[mm]).view("<u4")
    assert set(np.unique(c).tolist()) == {0, 0x80000000}
    ints = ok_rows(f, r, Opcode.LMMA, (AFmt.INT8, AFmt.INT16))  # integer LMMAs keep c_modes
    assert (np.ascontiguousarray(b.c[ints]).view("<i4") == ACC_MAX).all() and len(ints)
    b, f, r, mm = c_stream("normal")
    c = np.abs(c_f32(b, mm))
    assert ((c >= 2.0**-12) & (c < 2.0**21)).all()
    b, f, r, mm = c_stream("subnormal")
    c = np.abs(c_f32(b, mm))
    assert ((c > 0) & (c < f32.smallest_normal)).mean() > 0.8
    b, f, r, mm = c_stream("specials")
    c = c_f32(b, mm)
    for v in (np.inf, -np.inf, f32.max, f32.smallest_subnormal):
        assert (c == v).any(), v
    assert np.isnan(c).any()
    b, f, r, mm = c_stream("huge", afmt={"bf16": 1, "fp16": 1}, fp_modes={"uniform": 1})
    c = c_f32(b, mm)
    assert np.isfinite(c).all() and (np.abs(c) >= f32.max / 4).all()
    d = np.ascontiguousarray(r.d[mm].astype(np.int32)).view(np.float32)
    bf16 = f["afmt"][mm] == AFmt.BF16
    assert np.isinf(d[bf16]).mean() > 0.01  # BF16-range terms push C over FLT_MAX
    fin = np.isfinite(d) & ~bf16[:, None]  # FP16 terms (< 2^22) are absorbed: D = C
    assert fin.mean() > 0.3 and (d[fin] == c[fin]).all()
    b, f, r, mm = c_stream("uniform")
    e = (np.ascontiguousarray(b.c[mm]).view("<u4") >> 23) & 0xFF
    assert len(np.unique(e)) == 256


# --- statuses ---------------------------------------------------------------------------
def table_afmt_before(f: dict, r: BatchResponse, T: int) -> np.ndarray:
    """Per row: the afmt of the table its treg held before it (-1: never written)."""
    out = np.full(len(f["opcode"]), -1)
    held = [-1] * T
    for i in range(len(out)):
        t = int(f["treg"][i])
        out[i] = held[t] if t < T else -1
        if f["opcode"][i] == Opcode.LUTGEN and r.status[i] == OK:
            held[t] = int(f["afmt"][i])
    return out


@pytest.mark.parametrize(
    "kind, statuses",
    [
        ("opcode", {ILL}),
        ("rsvd", {ILL}),
        ("afmt", {UNS}),
        ("treg", {TRR}),
        ("wbits", {ILL, UNS}),
        ("accfmt", {ILL, UNS}),
        ("wrong_afmt", {TIV}),
    ],
)
def test_each_error_kind_gets_its_status_on_fp(kind: str, statuses: set[Status]) -> None:
    kn = st.Knobs(n=1500, mix={"lutgen": 1, "illegal": 2}, errors={kind: 1})
    f, r = run(st.random_stream(FPC, rng(), kn))
    bad = r.status != OK
    assert 900 < bad.sum() < 1100
    assert set(r.status[bad].tolist()) == {int(s) for s in statuses}
    assert (f["opcode"][~bad] == Opcode.LUTGEN).all()
    mm = bad & (f["opcode"] == Opcode.LMMA)
    if kind == "afmt":
        assert set(f["afmt"][bad].tolist()) == set(range(6, 16))  # never a built format
    if kind == "accfmt":
        af = f["afmt"][mm]
        need = np.array([ACCFMT_OF[AFmt(a)] for a in af])
        assert (f["accfmt"][mm] != need).all()
        is_fp = np.isin(af, [int(a) for a in FP_AFMTS])
        assert (f["accfmt"][mm][is_fp] == AccFmt.INT32).any()  # INT32 on an FP LMMA
        assert (f["accfmt"][mm][~is_fp] == AccFmt.FP32).any()  # FP32 on an integer LMMA
        assert (f["accfmt"][mm] >= 2).any()
    if kind == "wrong_afmt":
        held = table_afmt_before(f, r, FPC.T)[mm]
        af = f["afmt"][mm]
        assert np.isin(af, [int(a) for a in FPC.afmts]).all()  # another built format
        assert (af != held).all()
        assert np.array_equal(f["accfmt"][mm], [ACCFMT_OF[AFmt(a)] for a in af])
        written = held >= 0
        kinds = set(
            zip(np.isin(held[written], FP_AFMTS), np.isin(af[written], FP_AFMTS), strict=True)
        )
        assert kinds == {(True, True), (True, False), (False, True), (False, False)}


def test_afmt_error_on_an_integer_config_uses_the_fp_codes_too() -> None:
    kn = st.Knobs(n=1500, mix={"lutgen": 1, "illegal": 2}, errors={"afmt": 1})
    f, r = run(st.random_stream(INT, rng(), kn), INT)
    assert set(f["afmt"][r.status != OK].tolist()) == set(range(2, 16))


def test_p_wrong_afmt_names_another_built_format() -> None:
    kn = st.Knobs(n=3000, mix={"lutgen": 1, "lmma": 2}, p_wrong_afmt=0.25)
    f, r = run(st.random_stream(FPC, rng(), kn))
    mm = np.flatnonzero(f["opcode"] == Opcode.LMMA)
    assert set(r.status[mm].tolist()) == {OK, TIV}
    assert 0.2 < (r.status[mm] == TIV).mean() < 0.3
    tiv = mm[r.status[mm] == TIV]
    assert len(set(f["afmt"][tiv].tolist())) == 6


# --- integer streams unchanged ---------------------------------------------------------------
def test_fp_knobs_do_not_change_integer_streams() -> None:
    base = st.Knobs(n=1500, errors={k: 1 for k in st.ERROR_KINDS}, pools=(8, 16, 6))
    variants = [
        dataclasses.replace(base, fp_modes={"specials": 1}, fp_c_modes={"huge": 1}),
        dataclasses.replace(base, afmt={"int8": 1, "int16": 1, "fp16": 0, "fp": 0}),
        dataclasses.replace(base, afmt={"int": 1}),
    ]
    g0 = rng(9)
    ref = st.random_stream(INT, g0, base)
    for kn in variants:
        g = rng(9)
        assert same(st.random_stream(INT, g, kn), ref)
        assert g.bit_generator.state == g0.bit_generator.state
    # on an FP config an integer-only stream is the integer config's stream, as long as
    # no rule differs between them (the unbuilt codes and the formats to name wrongly do)
    kn = st.Knobs(n=1500, afmt={"int8": 1, "int16": 1}, p_wrong_afmt=0.0)
    kn = dataclasses.replace(kn, errors={k: 1 for k in ("opcode", "rsvd", "treg", "wbits")})
    kn = dataclasses.replace(kn, errors={**kn.errors, "accfmt": 1})
    assert same(st.random_stream(INT, rng(3), kn), st.random_stream(FPC, rng(3), kn))
    d_int, d_fp = st.directed(INT, rng(4)), st.directed(FPC, rng(4))
    assert same(d_int, d_fp[: len(d_int)])  # integer formats first, FP draws on the side


def test_fp_draws_leave_the_callers_generator_alone() -> None:
    """Two FP streams that differ only in FP values advance the caller's generator alike,
    and their integer rows and instruction words are the same."""
    kn = st.Knobs(n=1500, errors={k: 1 for k in st.ERROR_KINDS})
    g1, g2 = rng(2), rng(2)
    b1 = st.random_stream(FPC, g1, kn)
    b2 = st.random_stream(FPC, g2, dataclasses.replace(kn, fp_modes={"cancel": 1}))
    assert g1.bit_generator.state == g2.bit_generator.state
    assert np.array_equal(b1.words, b2.words)
    f, r = run(b1)
    ints = ok_rows(f, r, Opcode.LUTGEN, (AFmt.INT8, AFmt.INT16))
    assert np.array_equal(b1.a[ints], b2.a[ints])


# --- directed, errors, preset ------------------------------------------------------------------
@pytest.mark.parametrize(
    "cfg",
    [FPC, CoreConfig(M=2, N=4, W_BITS_MAX=8, formats=ALL_FORMATS), INT8_FP16],
    ids=["M2N4FP", "M2N4W8FP", "INT8_FP16"],
)
def test_directed_covers_every_built_format(cfg: CoreConfig) -> None:
    b = st.directed(cfg, rng())
    f, r = run(b, cfg)
    assert (r.status == OK).all()
    mm = f["opcode"] == Opcode.LMMA
    pairs = set(zip(f["afmt"][mm].tolist(), f["wbits"][mm].tolist(), strict=True))
    assert pairs == {(int(a), w) for a in cfg.afmts for w in range(1, cfg.W_BITS_MAX + 1)}
    assert np.array_equal(f["accfmt"][mm], [ACCFMT_OF[AFmt(a)] for a in f["afmt"][mm]])
    fp_mm = np.flatnonzero(mm & np.isin(f["afmt"], [int(a) for a in FP_AFMTS]))
    d = np.ascontiguousarray(r.d[fp_mm].astype(np.int32)).view(np.float32)
    assert (~np.isfinite(d)).any() and np.isfinite(d).any()


def bin_of(bins: dict[str, list[int]], v: np.ndarray) -> np.ndarray:
    table = np.empty(16, dtype=object)
    for name, vals in bins.items():
        table[vals] = name
    return table[v]


@pytest.mark.parametrize("name", ["M2N4I8", "M2N4F16"])
def test_error_injection_on_a_one_format_instance_closes_the_cross(name: str) -> None:
    """A written table stays valid when one format is built: its TABLE_INVALID bins are
    swept from reset, before any LUTGEN."""
    cfg = config_by_name(name)
    f, r = run(st.error_injection(cfg, rng(3), n_bins=60, n_random=60), cfg)
    names = {v: k for k, v in STATUS_BINS.items()}
    bins = [op_bins(), wbits_bins(cfg), afmt_bins(cfg), treg_bins(cfg)]
    cols = [
        bin_of(bb, f[k]) for bb, k in zip(bins, ("opcode", "wbits", "afmt", "treg"), strict=True)
    ]
    hit = set(zip(*cols, (names[int(s)] for s in r.status), strict=True))
    assert not set(st.cross_keys(cfg)) - hit
    assert r.status[0] == TIV  # the first instruction reads a register never written


@pytest.mark.parametrize("cfg", [FPC, INT8_FP16], ids=["M2N4FP", "INT8_FP16"])
def test_error_injection_on_fp_closes_the_cross(cfg: CoreConfig) -> None:
    b = st.error_injection(cfg, rng(3), n_bins=60, n_random=60)
    f, r = run(b, cfg)
    names = {v: k for k, v in STATUS_BINS.items()}
    bins = [op_bins(), wbits_bins(cfg), afmt_bins(cfg), treg_bins(cfg)]
    fields = ("opcode", "wbits", "afmt", "treg")
    cols = [bin_of(bb, f[k]) for bb, k in zip(bins, fields, strict=True)]
    hit = set(zip(*cols, (names[int(s)] for s in r.status), strict=True))
    every = set(st.cross_keys(cfg))
    assert every <= set(itertools.product(*bins, STATUS_BINS))
    missed = every - hit
    assert not missed, f"{len(missed)} reachable bins missed, e.g. {sorted(missed)[:3]}"
    # the FP rules, each seen: FP32 on FP LMMAs, INT32 there, kinds crossed
    fp_mm = (f["opcode"] == Opcode.LMMA) & np.isin(f["afmt"], [int(a) for a in FP_AFMTS])
    assert (r.status[fp_mm & (f["accfmt"] == AccFmt.FP32)] == OK).any()
    legal_but_acc = (f["rsvd"] == 0) & (f["wbits"] >= 1) & (f["wbits"] <= cfg.W_BITS_MAX)
    assert (r.status[fp_mm & legal_but_acc & (f["accfmt"] == AccFmt.INT32)] == UNS).all()
    held = table_afmt_before(f, r, cfg.T)
    on_int = fp_mm & np.isin(held, [0, 1]) & (f["accfmt"] == AccFmt.FP32) & (f["rsvd"] == 0)
    assert on_int.any() and (r.status[on_int & (f["wbits"] == 1)] == TIV).all()
    assert set(r.status.tolist()) == {int(s) for s in Status}


def test_fp_preset() -> None:
    count = 3000
    kn = st.preset("fp", count)
    print(kn.describe(FPC))
    b = st.long_stream(FPC, rng(), kn)
    f, r = run(b)
    assert (f["opcode"] == Opcode.LMMA).sum() == count and f["opcode"][-1] == Opcode.LMMA
    assert set(r.status.tolist()) == {int(s) for s in Status}
    gen, mm = ok_rows(f, r, Opcode.LUTGEN), ok_rows(f, r, Opcode.LMMA)
    assert set(f["afmt"][gen].tolist()) == set(AFmt) == set(f["afmt"][mm].tolist())
    is_int = np.isin(f["afmt"][mm], [0, 1])
    assert 0.1 < is_int.mean() < 0.3  # integer traffic mixed in
    assert set(f["wbits"][mm].tolist()) == set(range(1, FPC.W_BITS_MAX + 1))
    fp_mm = mm[~is_int]
    d = np.ascontiguousarray(r.d[fp_mm].astype(np.int32)).view(np.float32)
    for what, hit in (
        ("nan", np.isnan(d)),
        ("inf", np.isinf(d)),
        ("-0", (d == 0) & np.signbit(d)),
        ("subnormal", (d != 0) & (np.abs(d) < np.finfo(np.float32).smallest_normal)),
    ):
        assert hit.any(), what
    assert "FP activations" in kn.describe(FPC)
    for name in ("full", "bench", "lmma"):  # the integer presets still run on an FP build
        st.long_stream(FPC, rng(), name, 200)


def test_fp_preset_on_a_config_without_integer_formats() -> None:
    cfg = CoreConfig(M=2, N=4, formats=0b111100)
    f, r = run(st.long_stream(cfg, rng(), "fp", 500), cfg)
    assert set(f["afmt"][ok_rows(f, r, Opcode.LUTGEN)].tolist()) == set(FP_AFMTS)


@pytest.mark.parametrize(
    "make",
    [
        lambda g: st.random_stream(FPC, g, st.Knobs(n=300)),
        lambda g: st.long_stream(FPC, g, "fp", 300),
        lambda g: st.directed(FPC, g),
        lambda g: st.error_injection(FPC, g, n_bins=20, n_random=20),
    ],
    ids=["random", "fp", "directed", "errors"],
)
def test_same_seed_same_fp_batch(make) -> None:
    a, b, c = make(rng(5)), make(rng(5)), make(rng(6))
    a.check(FPC)
    assert same(a, b) and not same(a, c)


def test_fp_images_are_bus_values_the_transaction_model_accepts() -> None:
    cfg = CoreConfig(M=1, N=3, T=2, W_BITS_MAX=3, formats=ALL_FORMATS)
    g = rng(4)
    for b in (
        st.random_stream(cfg, g, st.Knobs(n=300)),
        st.long_stream(cfg, g, "fp", 200),
        st.directed(cfg, g),
    ):
        want = BatchModel(cfg).step(b)
        core = CoreModel(cfg)
        for i in range(len(b)):
            buses = (from_bytes(b.a[i]), from_bytes(b.w[i]), from_bytes(b.c[i]))
            got = core.step(int(b.words[i]), *buses)
            assert got.status == want.status[i] and np.array_equal(got.d.ravel(), want.d[i]), i


# --- directed FP corners (tb/stimulus/fp_corners.py) --------------------------------------
def _corner_hits(cfg_name: str, seed: int = 1) -> dict:
    from tb.coverage.collector import CoverageCounts
    from tb.predictor import Prediction
    from tb.records import Issued
    from tb.stimulus.directed import directed

    cfg = config_by_name(cfg_name)
    batch = directed(cfg, np.random.default_rng(seed))
    idx = np.arange(len(batch))
    resp = BatchModel(cfg).step(batch)
    assert (resp.status == 0).all(), "every directed response is OK"
    cc = CoverageCounts(cfg)
    cc.sample_prediction(Prediction(Issued(batch, idx, idx, idx * 0), resp))
    return cc.hits()


@pytest.mark.parametrize("cfg_name", ["M2N4FP", "M2N64FP"])
def test_fp_corners_hit_the_rare_bins_on_every_seed(cfg_name: str) -> None:
    """The corners reach, by construction, what random FP traffic reaches only by luck."""
    for seed in (1, 2, 3):
        h = _corner_hits(cfg_name, seed)
        acc, gen, inp = h["fp_acc"], h["fp_tablegen"], h["fp_input"]
        missed = []
        for f in ("fp8_e4m3", "fp16", "bf16", "fp8_e5m2"):
            for w in range(1, 5):
                for r in ("cancel_zero", "subnormal"):
                    if not acc["cross_afmt_wbits_result"][f"<{f},w{w},{r}>"]:
                        missed.append(f"acc <{f},w{w},{r}>")
            for c in ("zero", "subnormal", "normal", "max", "nan"):
                if not inp["cross_afmt_class"][f"<{f},{c}>"]:
                    missed.append(f"input <{f},{c}>")
        for w in range(1, 5):
            if not acc["cross_afmt_wbits_result"][f"<bf16,w{w},overflow>"]:
                missed.append(f"acc <bf16,w{w},overflow>")
        for f in ("fp16", "bf16", "fp8_e5m2"):
            if not gen["cross_afmt_result"][f"<{f},tie>"]:
                missed.append(f"tablegen <{f},tie>")
            if not inp["cross_afmt_class"][f"<{f},inf>"]:
                missed.append(f"input <{f},inf>")
        if not gen["cross_afmt_result"]["<bf16,overflow>"]:
            missed.append("tablegen <bf16,overflow>")
        assert not missed, f"seed {seed}: {missed}"


def test_fp_corners_are_absent_on_an_integer_core() -> None:
    from tb.stimulus.fp_corners import fp_corners

    assert fp_corners(config_by_name("M2N4"), np.random.default_rng(1)) == []
