# SPDX-License-Identifier: Apache-2.0
"""The stimulus library (``tb.stimulus``) without a simulator: knobs do what they say, and
every scenario gets the statuses it promises from the model."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from models import isa
from models.batch import (
    Batch,
    BatchModel,
    BatchResponse,
    activations_batch,
    from_bytes,
    unpack_codes_batch,
)
from models.config import AFmt, CoreConfig, Opcode, Status, config_by_name
from models.core import CoreModel
from models.lmma import ACC_MAX
from models.tables import SIGNS
from tb import stimulus as st
from tb.coverage.bins import (
    STATUS_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)

ROOT = Path(__file__).resolve().parents[2]
CFG = config_by_name("M2N4")
OK, ILL, UNS, TRR, TIV = (
    Status.OK,
    Status.ILLEGAL_INSTR,
    Status.UNSUPPORTED,
    Status.TREG_RANGE,
    Status.TABLE_INVALID,
)


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def run(batch: Batch, cfg: CoreConfig = CFG) -> tuple[dict[str, np.ndarray], BatchResponse]:
    """Decoded fields and the model's responses."""
    return st.decode_words(batch.words), BatchModel(cfg).step(batch)


def ok_rows(f: dict[str, np.ndarray], r: BatchResponse, op: Opcode) -> np.ndarray:
    return np.flatnonzero((f["opcode"] == op) & (r.status == OK))


def c_lanes(batch: Batch, rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(batch.c[rows]).view("<i4").astype(np.int64)


def same(a: Batch, b: Batch) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("words", "a", "w", "c"))


# --- the library itself -------------------------------------------------------------
def test_no_simulator_import() -> None:
    code = (
        "import sys, tb.stimulus\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('cocotb', 'pyuvm', 'vsc'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"tb.stimulus pulled in {out.stdout.strip()}"


@pytest.mark.parametrize(
    "make",
    [
        lambda g: st.random_stream(CFG, g, st.Knobs(n=300)),
        lambda g: st.long_stream(CFG, g, "full", 300),
        lambda g: st.directed(CFG, g),
        lambda g: st.error_injection(CFG, g, n_bins=20, n_random=20),
        lambda g: st.gemm(CFG, g, shape=(4, 16, 8)).batch,
    ],
    ids=["random", "full", "directed", "errors", "gemm"],
)
def test_same_seed_same_batch(make) -> None:
    a, b, c = make(rng(5)), make(rng(5)), make(rng(6))
    a.check(CFG)
    assert same(a, b)
    assert not same(a, c)


def test_words_encode_decode_and_retag() -> None:
    b = st.random_stream(CFG, rng(), st.Knobs(n=600))
    f = st.decode_words(b.words)
    for k in range(0, 600, 37):
        assert isa.decode(int(b.words[k])) == isa.Instr(**{n: int(v[k]) for n, v in f.items()})
    assert np.array_equal(st.encode_words(**f), b.words)
    assert np.array_equal(f["tag"], np.arange(600) % 256)
    r = st.retag(b, 250)
    g = st.decode_words(r.words)
    assert np.array_equal(g["tag"], (np.arange(600) + 250) % 256)
    assert all(np.array_equal(g[n], f[n]) for n in f if n != "tag")
    j = st.concat([st.directed(CFG, rng()), b], start=3)
    assert np.array_equal(st.decode_words(j.words)["tag"], (np.arange(len(j)) + 3) % 256)
    with pytest.raises(ValueError, match="tag"):
        st.encode_words(tag=[256])


# --- knobs do what they say -----------------------------------------------------------
def test_knobs_describe_replace_subclass() -> None:
    kn = st.Knobs(n=50, wbits={4: 8, 3: 2})
    text = kn.describe(CFG)
    print(text)
    assert "50 instructions" in text and "w3 20%" in text and "w4 80%" in text
    print(st.Knobs.full(1000))
    assert "1000 LMMAs" in str(st.Knobs.full(1000))
    assert dataclasses.replace(kn, n=7).n == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        kn.n = 3  # type: ignore[misc]
    mine = {"lutgen": 1, "lmma": 1}
    kn2 = st.Knobs(mix=mine)
    mine["illegal"] = 5
    assert "illegal" not in kn2.mix

    @dataclasses.dataclass(frozen=True)
    class WideKnobs(st.Knobs):
        n: int = 40
        wbits: dict = dataclasses.field(default_factory=lambda: {4: 1})

    w = dataclasses.replace(WideKnobs(), p_dirty=0.0)
    assert isinstance(w, WideKnobs) and w.n == 40 and w.wbits == {4: 1}
    with pytest.raises(ValueError, match="p_dirty"):
        dataclasses.replace(w, p_dirty=2.0)


def test_wbits_only_listed_widths_in_their_shares() -> None:
    kn = st.Knobs(n=4000, wbits={4: 8, 3: 2})
    f, r = run(st.random_stream(CFG, rng(), kn))
    mm = ok_rows(f, r, Opcode.LMMA)
    assert len(mm) > 1500
    assert set(f["wbits"][mm]) == {3, 4}  # nothing unlisted is drawn
    share = (f["wbits"][mm] == 4).mean()
    assert 0.77 < share < 0.83, share
    # default: uniform over 1..WBitsMax
    f, r = run(st.random_stream(CFG, rng(), st.Knobs(n=3000, mix={"lutgen": 1, "lmma": 4})))
    counts = Counter(f["wbits"][ok_rows(f, r, Opcode.LMMA)].tolist())
    assert set(counts) == set(range(1, CFG.W_BITS_MAX + 1))
    assert max(counts.values()) / min(counts.values()) < 1.25


def test_afmt_mix_and_unlisted_values_never_drawn() -> None:
    kn = st.Knobs(n=3000, afmt={"int8": 3, "int16": 1}, p_wrong_afmt=0.0)
    f, r = run(st.random_stream(CFG, rng(), kn))
    gen = ok_rows(f, r, Opcode.LUTGEN)
    assert 0.72 < (f["afmt"][gen] == AFmt.INT8).mean() < 0.78
    kn = st.Knobs(n=2000, mix={"lutgen": 1, "lmma": 3}, afmt={"int16": 1}, p_wrong_afmt=0.0)
    f, r = run(st.random_stream(CFG, rng(), kn))
    assert (r.status == OK).all()  # nothing illegal listed: nothing rejected
    assert set(f["afmt"]) == {AFmt.INT16}
    kn = st.Knobs(n=500, c_modes={"max": 1}, act_modes={"entry_min": 1}, p_dirty=0.0)
    b = st.random_stream(CFG, rng(), kn)
    f, r = run(b)
    mm, gen = ok_rows(f, r, Opcode.LMMA), ok_rows(f, r, Opcode.LUTGEN)
    assert (c_lanes(b, mm) == ACC_MAX).all()
    a = activations_batch(b.a[gen], f["afmt"][gen], CFG)
    lo = np.where(f["afmt"][gen] == AFmt.INT8, -128, -32768)
    assert (a == lo[:, None, None]).all()


def test_mix_shares() -> None:
    kn = st.Knobs(n=6000, p_wrong_afmt=0.0)  # lutgen 30, lmma 60, illegal 10
    f, r = run(st.random_stream(CFG, rng(), kn))
    gen, mm = ok_rows(f, r, Opcode.LUTGEN), ok_rows(f, r, Opcode.LMMA)
    assert abs(len(gen) / 6000 - 0.3) < 0.02
    assert abs(len(mm) / 6000 - 0.6) < 0.02
    assert abs((r.status != OK).mean() - 0.1) < 0.015
    assert TIV not in r.status  # "wrong_afmt" is not in the default error kinds
    kn = st.Knobs(n=400, mix={"lmma": 1}, lutgen_first=True, p_wrong_afmt=0.0)
    f, r = run(st.random_stream(CFG, rng(), kn))
    assert (f["opcode"][: CFG.T] == Opcode.LUTGEN).all() and (r.status == OK).all()
    assert (f["opcode"][CFG.T :] == Opcode.LMMA).all()


@pytest.mark.parametrize(
    "kind, statuses",
    [
        ("opcode", {ILL}),
        ("rsvd", {ILL}),
        ("afmt", {UNS}),
        ("treg", {TRR}),
        ("wbits", {ILL, UNS}),  # LUTGEN with wbits set / LMMA wbits 0 or too wide
        ("accfmt", {ILL, UNS}),
        ("wrong_afmt", {TIV}),
    ],
)
def test_each_error_kind_gets_its_status(kind: str, statuses: set[Status]) -> None:
    kn = st.Knobs(n=600, mix={"lutgen": 1, "illegal": 2}, errors={kind: 1})
    f, r = run(st.random_stream(CFG, rng(), kn))
    bad = r.status != OK
    assert 350 < bad.sum() < 450
    assert set(r.status[bad].tolist()) == {int(s) for s in statuses}
    assert (f["opcode"][~bad] == Opcode.LUTGEN).all()


def test_p_dirty_p_reuse_latest_p_wrong_afmt() -> None:
    base = st.Knobs(n=3000, mix={"lutgen": 1, "lmma": 2}, afmt={"int8": 1}, p_wrong_afmt=0.0)
    for p, want in ((0.0, False), (1.0, True)):
        b = st.random_stream(CFG, rng(), dataclasses.replace(base, p_dirty=p))
        f, r = run(b)
        gen, mm = ok_rows(f, r, Opcode.LUTGEN), ok_rows(f, r, Opcode.LMMA)
        raw = np.ascontiguousarray(b.a[gen]).view("<i2")
        dirty_a = (raw != ((raw & 0xFF) ^ 0x80) - 0x80).any(axis=1)
        assert dirty_a.all() if want else not dirty_a.any()
        codes = unpack_codes_batch(b.w[mm], CFG)
        junk = codes * (np.arange(CFG.W_BITS_MAX)[None, :, None] >= f["wbits"][mm, None, None])
        narrow = f["wbits"][mm] < CFG.W_BITS_MAX
        assert (junk.any(axis=(1, 2))[narrow]).mean() > 0.9 if want else not junk.any()
        assert b.w[gen].any() == want and b.c[gen].any() == want  # ignored buses
    b = st.random_stream(CFG, rng(), dataclasses.replace(base, p_reuse_latest=1.0))
    f, r = run(b)
    last = np.maximum.accumulate(np.where(f["opcode"] == Opcode.LUTGEN, np.arange(3000), -1))
    mm = ok_rows(f, r, Opcode.LMMA)
    assert np.array_equal(f["treg"][mm], f["treg"][last[mm]])
    f, r = run(st.random_stream(CFG, rng(), dataclasses.replace(base, p_wrong_afmt=0.25)))
    mm = np.flatnonzero(f["opcode"] == Opcode.LMMA)
    assert 0.2 < (r.status[mm] == TIV).mean() < 0.3
    assert set(r.status[mm].tolist()) == {OK, TIV}


def test_pools_bound_distinct_images() -> None:
    kn = st.Knobs(n=3000, pools=(8, 16, 6))
    b = st.random_stream(CFG, rng(), kn)
    f, r = run(b)
    for bus, cap in (("a", 8), ("w", 16), ("c", 6)):
        distinct = len(np.unique(getattr(b, bus), axis=0))
        assert distinct <= cap + 24, (bus, distinct)  # a pool keeps one image per key drawn
    fresh = st.random_stream(CFG, rng(), dataclasses.replace(kn, pools=None))
    gen = np.flatnonzero(st.decode_words(fresh.words)["opcode"] == Opcode.LUTGEN)
    assert len(np.unique(fresh.a[gen], axis=0)) > 0.8 * len(gen)
    assert set(r.status.tolist()) == {OK, ILL, UNS, TRR, TIV}


# --- presets: the long streams ---------------------------------------------------------
def wraps(batch: Batch, f: dict[str, np.ndarray], r: BatchResponse) -> set[str]:
    mm = ok_rows(f, r, Opcode.LMMA)
    diff = r.d[mm].astype(np.int64) - c_lanes(batch, mm)
    out = set()
    if (diff < -(1 << 31)).any():
        out.add("wrap_up")
    if (diff > (1 << 31)).any():
        out.add("wrap_down")
    return out


def extremes(batch: Batch, f: dict[str, np.ndarray], r: BatchResponse, cfg: CoreConfig) -> set:
    """The EXTREME_BINS of tb/coverage/collector.py that the OK LUTGENs hit."""
    hits = set()
    for fmt, p in ((AFmt.INT8, "i8"), (AFmt.INT16, "i16")):
        g = ok_rows(f, r, Opcode.LUTGEN)
        g = g[f["afmt"][g] == fmt]
        a = activations_batch(batch.a[g], f["afmt"][g], cfg)
        lo, hi = (-128, 127) if fmt == AFmt.INT8 else (-32768, 32767)
        hits |= {
            n for n, v in ((f"{p}_min", lo), (f"{p}_max", hi), (f"{p}_zero", 0)) if (a == v).any()
        }
        if fmt == AFmt.INT8:
            raw = np.ascontiguousarray(batch.a[g]).view("<i2").reshape(a.shape)
            if (raw != a).any():
                hits.add("i8_dirty_upper_byte")
        else:
            t = a @ SIGNS.T
            hits |= {"entry_min"} if (t == -131072).any() else set()
            hits |= {"entry_max"} if (t == 131071).any() else set()
    return hits


@pytest.mark.parametrize("name", ["M2N4", "M2N64", "M2N4W8"])
def test_full_preset_hits_everything(name: str) -> None:
    cfg = config_by_name(name)
    count = 3000
    kn = st.Knobs.full(count)
    print(kn.describe(cfg))
    b = st.long_stream(cfg, rng(), kn)
    f, r = run(b, cfg)
    assert (f["opcode"] == Opcode.LMMA).sum() == count and f["opcode"][-1] == Opcode.LMMA
    assert set(r.status.tolist()) == {int(s) for s in Status}
    assert list(r.status[:2]) == [TIV, TIV]  # two LMMAs right after reset
    assert (f["opcode"][2 : 2 + cfg.T] == Opcode.LUTGEN).all() and (
        r.status[2 : 2 + cfg.T] == OK
    ).all()
    assert np.array_equal(f["treg"][2 : 2 + cfg.T], np.arange(cfg.T))
    body = slice(2 + cfg.T, None)
    gen = (f["opcode"][body] == Opcode.LUTGEN) & (r.status[body] == OK)
    assert 0.055 < gen.mean() < 0.085
    assert 0.03 < (r.status[body] != OK).mean() < 0.05
    mm = ok_rows(f, r, Opcode.LMMA)
    assert set(f["wbits"][mm].tolist()) == set(range(1, cfg.W_BITS_MAX + 1))
    assert set(f["afmt"][mm].tolist()) == {AFmt.INT8, AFmt.INT16}
    assert wraps(b, f, r) == {"wrap_up", "wrap_down"}
    want = {"i8_min", "i8_max", "i8_zero", "i8_dirty_upper_byte", "i16_min", "i16_max"}
    assert extremes(b, f, r, cfg) >= want | {"entry_min", "entry_max"}


def test_bench_and_lmma_presets() -> None:
    count, T = 800, CFG.T
    f, r = run(st.long_stream(CFG, rng(), "bench", count))
    assert (r.status == OK).all()
    assert set(f["afmt"].tolist()) == {AFmt.INT8}
    is_mm = f["opcode"] == Opcode.LMMA
    assert is_mm.sum() == count and set(f["wbits"][is_mm].tolist()) == {2}
    assert (~is_mm[:T]).all()
    j = np.cumsum(is_mm) - 1  # body LMMA number
    gens = np.flatnonzero(~is_mm[T:]) + T
    assert np.array_equal(j[gens + 1], np.arange(1, len(gens) + 1) * 16)  # one per 16 LMMAs
    f, r = run(st.long_stream(CFG, rng(), st.Knobs.lmma(count, wbits=4)))
    assert (r.status == OK).all() and len(f["opcode"]) == count + T
    assert (f["opcode"][T:] == Opcode.LMMA).all() and set(f["wbits"].tolist()) == {0, 4}
    with pytest.raises(ValueError, match="unknown; choose from"):
        st.long_stream(CFG, rng(), "fast")


# --- directed, errors, GEMM --------------------------------------------------------------
@pytest.mark.parametrize("name", ["M2N4", "M2N4W8"])
def test_directed_all_ok_every_format_and_width(name: str) -> None:
    cfg = config_by_name(name)
    f, r = run(st.directed(cfg, rng()), cfg)
    assert (r.status == OK).all()
    mm = f["opcode"] == Opcode.LMMA
    pairs = set(zip(f["afmt"][mm].tolist(), f["wbits"][mm].tolist(), strict=True))
    assert pairs == {(a, b) for a in (0, 1) for b in range(1, cfg.W_BITS_MAX + 1)}


def bin_of(bins: dict[str, list[int]], values: np.ndarray) -> np.ndarray:
    table = np.empty(16, dtype=object)
    for name, vals in bins.items():
        table[vals] = name
    return table[values]


@pytest.mark.parametrize("name", ["M2N4", "M2N64", "M2N4W8", "M4N16", "M2N4I8"])
def test_error_injection_closes_the_cross(name: str) -> None:
    cfg = config_by_name(name)
    b = st.error_injection(cfg, rng(3), n_bins=60, n_random=60)
    f, r = run(b, cfg)
    st_name = {v: k for k, v in STATUS_BINS.items()}
    hit = set(
        zip(
            bin_of(op_bins(), f["opcode"]),
            bin_of(wbits_bins(cfg), f["wbits"]),
            bin_of(afmt_bins(cfg), f["afmt"]),
            bin_of(treg_bins(cfg), f["treg"]),
            (st_name[int(s)] for s in r.status),
            strict=True,
        )
    )
    bins = [op_bins(), wbits_bins(cfg), afmt_bins(cfg), treg_bins(cfg), STATUS_BINS]
    every = set(itertools.product(*bins)) - set(unreachable_instr_bins(cfg))
    assert set(st.cross_keys(cfg)) == every
    missed = every - hit
    assert not missed, f"{len(missed)} reachable bins missed, e.g. {sorted(missed)[:3]}"
    assert set(r.status.tolist()) == {int(s) for s in Status}
    with pytest.raises(ValueError, match="n_bins"):
        st.error_injection(cfg, rng(), n_bins=-1)


@pytest.mark.parametrize(
    "weights, afmt", [("ternary", AFmt.INT8), ("int4", AFmt.INT16)], ids=["ternary", "int4"]
)
def test_gemm_check_dut(weights: str, afmt: AFmt) -> None:
    g = st.gemm(CFG, rng(), weights, afmt, shape=(6, 48, 9))  # padding in M and N
    print(g.describe())
    d = BatchModel(CFG).step(g.batch).d
    assert np.array_equal(d, g.d_model)
    g.check_dut(d)
    lmmas = np.flatnonzero(g.tile >= 0)
    k = int(lmmas[len(lmmas) // 3])  # not the last LMMA of its tile: its C came from the model
    bad = d.copy()
    bad[k, 1] += 1
    with pytest.raises(AssertionError, match=f"first differing response: instruction {k} "):
        g.check_dut(bad)
    gen = int(np.flatnonzero(g.tile < 0)[1])
    bad = d.copy()
    bad[gen, 0] = 5
    with pytest.raises(
        AssertionError, match=f"LUTGEN responses with D != 0, first instruction {gen}"
    ):
        g.check_dut(bad)
    with pytest.raises(AssertionError, match="one row per GEMM instruction"):
        g.check_dut(d[:-1])
    with pytest.raises(AssertionError, match="GEMM differs"):
        g.check(g.result + 1, "model chain")


def test_gemm_default_shape_on_the_default_config() -> None:
    cfg = config_by_name("M2N64")
    g = st.gemm(cfg, rng(), "int4")
    assert g.shape == (8, 256, 128) and g.n_lmma == 4 * 64 * 2
    g.check_dut(BatchModel(cfg).step(g.batch).d)


# --- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(n=-1), "n=-1"),
        (dict(unit="words"), r"unit='words' unknown; choose from \['instr', 'lmma'\]"),
        (dict(mix=(30, 60, 10)), "mix=.*need a dict"),
        (dict(mix={"lutgen": 1, "lmmaa": 1}), r"mix: 'lmmaa' unknown; choose from \['lutgen'"),
        (dict(mix={"lutgen": 0, "lmma": 0}), "mix=.*all weights are zero"),
        (dict(mix={"lutgen": -1, "lmma": 2}), r"mix\['lutgen'\]=-1: a weight must be >= 0"),
        (dict(mix={"lmma": 1}), "no LUTGEN"),
        (dict(act_modes={"extremes": 1}), r"act_modes: 'extremes' unknown; choose from"),
        (dict(c_modes={"near_max": 1, "huge": 1}), r"c_modes: 'huge' unknown"),
        (
            dict(afmt={"fp8": 1}),
            r"afmt: 'fp8' unknown; choose from \['int8', 'int16', 'fp8_e4m3', 'fp16', 'bf16'",
        ),
        (dict(wbits={0: 1}), "wbits: 0 is not a weight width"),
        (dict(wbits={9: 1}), "wbits: 9 is not a weight width"),
        (dict(wbits={}), "wbits=.*all weights are zero"),
        (dict(errors={"tag": 1}), r"errors: 'tag' unknown; choose from \['opcode'"),
        (dict(errors={"rsvd": 0}), "errors=.*all weights are zero"),
        (dict(p_dirty=1.5), "p_dirty=1.5"),
        (dict(p_reuse_latest=-0.1), "p_reuse_latest"),
        (dict(pools=(1, 2)), "pools="),
        (dict(pools=(4, 0, 4)), r"pools\[w\]=0"),
        (dict(unit="lmma", mix={"lutgen": 1, "illegal": 1}), "unit='lmma' counts LMMAs"),
        (dict(refresh_every=-16), "refresh_every"),
    ],
)
def test_bad_knobs_raise(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        st.Knobs(**kw)


def test_bad_knobs_for_the_config_raise() -> None:
    with pytest.raises(ValueError, match=r"wbits: \[5\] above WBitsMax=4 of M2N4;"):
        st.random_stream(CFG, rng(), st.Knobs(wbits={4: 1, 5: 1}))
    st.random_stream(config_by_name("M2N4W8"), rng(), st.Knobs(wbits={8: 1}))
    t16 = CoreConfig(M=2, N=4, T=16)
    with pytest.raises(ValueError, match=r"errors\['treg'\]: .*T=16"):
        st.random_stream(t16, rng(), st.Knobs())
    b = st.random_stream(t16, rng(), st.Knobs(errors={"rsvd": 1, "treg": 0}))
    assert TRR not in BatchModel(t16).step(b).status
    with pytest.raises(ValueError, match=r"weights='int8' unknown; choose from"):
        st.gemm(CFG, rng(), "int8")
    with pytest.raises(ValueError, match="preset 'x' unknown"):
        st.preset("x")


def test_errors_and_ignored_buses_carry_garbage() -> None:
    for pools in (None, (16, 32, 4)):
        b = st.random_stream(CFG, rng(), st.Knobs(n=2000, pools=pools, p_wrong_afmt=0.0))
        f, r = run(b)
        bad = np.flatnonzero(r.status != OK)
        for bus in ("a", "w", "c"):
            assert getattr(b, bus)[bad].any(axis=1).mean() > 0.9, (pools, bus)


def test_long_stream_pools_serve_the_payloads() -> None:
    b = st.long_stream(CFG, rng(), st.Knobs.full(4000))
    f, r = run(b)
    gen = ok_rows(f, r, Opcode.LUTGEN)
    assert 12 <= len(np.unique(b.a[gen], axis=0)) <= 20  # pool a = 16, mostly for the LUTGENs
    assert len(np.unique(b.a, axis=0)) <= 20
    assert len(np.unique(b.c, axis=0)) <= 8


def test_images_are_bus_values_the_transaction_model_accepts() -> None:
    """Odd lane counts (a half-used last byte of in_w_i): CoreModel, which rejects a bus
    value wider than its port, answers every row like BatchModel."""
    cfg = CoreConfig(M=1, N=3, T=2, W_BITS_MAX=3)
    g = rng(4)
    for b in (
        st.random_stream(cfg, g, st.Knobs(n=300)),
        st.long_stream(cfg, g, "full", 200),
        st.error_injection(cfg, g, n_bins=16, n_random=16),
        st.gemm(cfg, g, shape=(3, 8, 5)).batch,
    ):
        want = BatchModel(cfg).step(b)
        core = CoreModel(cfg)
        for i in range(len(b)):
            buses = (from_bytes(b.a[i]), from_bytes(b.w[i]), from_bytes(b.c[i]))
            r = core.step(int(b.words[i]), *buses)
            assert r.status == want.status[i] and np.array_equal(r.d.ravel(), want.d[i]), i
