# SPDX-License-Identifier: Apache-2.0
"""FP functional coverage (``tb/coverage/fp.py``): classifiers, derived exclusions, binning, merge.

The adder classifier is held to Berkeley SoftFloat's exception flags (inexact,
overflow) and to exact rational arithmetic (ties) on TestFloat-style corner
pairs and random pairs; a float64 shortcut that misses exponent distances
beyond 29 must be caught by the same check. The collector is checked on a
hand-made stream whose every count is worked out below, against the model
(its replay of every FP LMMA must give the model's D), against itself over
record sizes, and through ``tools/covmerge.py``. Integer configurations must
keep exactly the bins they had (``coverage_int_bins.json``: regenerate with
``python -m tests.tb.test_coverage_fp`` only when integer bins change on purpose).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import softfloatpy as sf

from blocks.fpadd import corner_pairs, random_pairs
from flow.covdb import load_dumps, merge, read_ucis, text_report
from models import isa
from models.batch import Batch, BatchModel
from models.config import CONFIGS, AFmt, Status, config_by_name
from models.encoding import pack_codes
from tb import stimulus
from tb.coverage import fp as fpcov
from tb.coverage import fp_mac as fpcov_mac
from tb.coverage.bins import FP_ALIGN_BINS, FP_INPUT_BINS, FP_RESULT_BINS
from tb.coverage.collector import CoverageCounts
from tb.predictor import Prediction
from tb.records import Issued
from tools import covmerge

CFG = config_by_name("M2N4FP")
GOLDEN = Path(__file__).with_name("coverage_int_bins.json")
F32_MAX = float(np.finfo(np.float32).max)
FP_GROUPS = ("fp_input", "fp_acc", "fp_tablegen")


# --- references ------------------------------------------------------------------
def _value(bits: int) -> Fraction:
    return Fraction(float(np.array([bits], dtype=np.uint32).view(np.float32)[0]))


def ref_tie(x: Fraction) -> bool:
    """Exactly halfway between neighbours of the 24-bit grid (2^-149 below 2^-126),
    exponent range unbounded."""
    q = abs(x)
    if q == 0:
        return False
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    r = q / Fraction(2) ** (max(e, -126) - 24)
    return r.denominator == 1 and r.numerator % 2 == 1


def ref_classes(a: int, b: int) -> tuple[set[str], int]:
    """Result classes and alignment distance (-1: not binned) of binary32 ``a + b``.

    Inexact and overflow are SoftFloat's flags, the result's class its bits, the
    tie the exact rational sum.
    """
    ea, eb = (a >> 23) & 0xFF, (b >> 23) & 0xFF
    if ea == 0xFF or eb == 0xFF:
        return {"nonfinite"}, -1
    sf.set_exception_flags(0)
    r = sf.f32_add(
        sf.Float32.from_bytes(a.to_bytes(4, "big")), sf.Float32.from_bytes(b.to_bytes(4, "big"))
    )
    flags = sf.get_exception_flags()
    rb = int.from_bytes(r.to_bytes(), "big")
    out = {"inexact" if flags & sf.ExceptionFlag.INEXACT else "exact"}
    if flags & sf.ExceptionFlag.OVERFLOW:
        out.add("overflow")
    mag = rb & 0x7FFFFFFF
    if mag == 0 and a & 0x7FFFFFFF and b & 0x7FFFFFFF:
        out.add("cancel_zero")
    if 0 < mag < 0x00800000:
        out.add("subnormal")
    if ref_tie(_value(a) + _value(b)):
        out.add("tie")
    return out, abs(max(ea, 1) - max(eb, 1))


def mismatches(classify, a: np.ndarray, b: np.ndarray) -> list[tuple[int, int, set, set]]:
    """Pairs where ``classify(x, y) -> class masks`` disagrees with :func:`ref_classes`."""
    x, y = a.view(np.float32), b.view(np.float32)
    got = classify(x, y)
    old = sf.get_rounding_mode()
    sf.set_rounding_mode(sf.RoundingMode.NEAR_EVEN)
    try:
        bad = []
        for i, (ai, bi) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
            want, _ = ref_classes(ai, bi)
            have = {c for c in FP_RESULT_BINS if int(got[i]) & fpcov.RESULT_BIT[c]}
            if have != want:
                bad.append((ai, bi, have, want))
        return bad
    finally:
        sf.set_rounding_mode(old)


def _pairs() -> tuple[np.ndarray, np.ndarray]:
    """Corners, random pairs, and the ones this coverage cares about most."""
    ca, cb = corner_pairs()
    ra, rb = random_pairs(20000, seed=7)
    extra = np.array(
        [
            (0x7F7FFFFF, 0x73000000),  # FLT_MAX + 2^103: a tie that overflows
            (0xFF7FFFFF, 0x73000000),  # -FLT_MAX + 2^103: a tie, finite
            (0x3F800000, 0x33800000),  # 1 + 2^-24: tie, to even
            (0x3F800001, 0x33800000),  # odd lsb: tie, away
            (0x3F800000, 0xB3000000),  # 1 - 2^-25: below a power of two, a tie
            (0x3F800000, 0x2B800001),  # d = 40: float64 would call it exact
            (0x4B800000, 0x00000001),  # 2^24 + 2^-149: d = 150
            (0x00800000, 0x80000001),  # 2^-126 - 2^-149: a subnormal sum, exact
            (0x00000003, 0x80000003),  # subnormal cancellation
        ],
        dtype=np.uint32,
    ).T
    return np.concatenate([ca, ra, extra[0]]), np.concatenate([cb, rb, extra[1]])


# --- the classifier ---------------------------------------------------------------
def test_classifier_matches_softfloat_and_exact_arithmetic() -> None:
    a, b = _pairs()
    bad = mismatches(fpcov.add_classes, a, b)
    assert not bad, (
        f"{len(bad)} pairs disagree, e.g. {[(hex(x), hex(y), h, w) for x, y, h, w in bad[:5]]}"
    )
    masks = fpcov.add_classes(a.view(np.float32), b.view(np.float32))
    for c in FP_RESULT_BINS:  # the check saw every class
        assert np.count_nonzero(masks & fpcov.RESULT_BIT[c]) > 0, c


def test_fast_and_binary64_paths_agree_and_distances_are_the_adders() -> None:
    a, b = _pairs()
    x, y = a.view(np.float32), b.view(np.float32)
    with np.errstate(all="ignore"):
        s = x + y
    codes = fpcov.add_codes(x, y, s)
    assert np.array_equal(codes & 7, fpcov.kinds_exact(x, y, s))
    finite = np.isfinite(x) & np.isfinite(y)
    want = np.abs(np.maximum((a >> 23) & 0xFF, 1).astype(int) - np.maximum((b >> 23) & 0xFF, 1))
    assert np.array_equal((codes >> 3)[finite], want[finite])
    assert np.array_equal(fpcov.align_distance(x, y)[finite], want[finite])
    assert set(want[finite]) >= set(range(41)) | {253}


def test_a_broken_classifier_is_caught() -> None:
    """Exactness by a float64 sum (wrong beyond distance 29) and a tie test that ignores
    the finer binade below a power of two both disagree with the references."""
    a, b = _pairs()

    def float64_sum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = fpcov.add_classes(x, y)
        with np.errstate(all="ignore"):
            exact64 = (x.astype(np.float64) + y.astype(np.float64)) == (x + y)
        fin = np.isfinite(x) & np.isfinite(y)
        e, i = fpcov.RESULT_BIT["exact"], fpcov.RESULT_BIT["inexact"]
        out[fin & exact64] = (out[fin & exact64] & ~np.uint8(i)) | np.uint8(e)
        return out

    def tie_by_ulp(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = fpcov.add_classes(x, y)
        with np.errstate(all="ignore"):
            s = x + y
            err = (x.astype(np.float64) + y.astype(np.float64)) - s
            tie = np.abs(err) == np.spacing(np.abs(s)).astype(np.float64) / 2
        t = fpcov.RESULT_BIT["tie"]
        return np.where(tie & np.isfinite(s), out | t, out & ~np.uint8(t)).astype(np.uint8)

    for broken in (float64_sum, tie_by_ulp):
        assert len(mismatches(broken, a, b)) > 0, broken.__name__


# --- derived exclusions ----------------------------------------------------------
def test_unreachable_bins_are_derived_from_the_formats() -> None:
    assert fpcov.unreachable_input_bins(AFmt.FP8_E4M3).keys() == {"inf"}
    assert "256 lane patterns" in fpcov.unreachable_input_bins(AFmt.FP8_E4M3)["inf"]
    for f in (AFmt.FP16, AFmt.BF16, AFmt.FP8_E5M2):
        assert fpcov.unreachable_input_bins(f) == {}
    for b in range(1, 9):
        for f in (AFmt.FP8_E4M3, AFmt.FP16, AFmt.FP8_E5M2):
            no_class, no_dist = fpcov.acc_reach(f, b)
            assert no_class.keys() == {"overflow"} and "2^103" in no_class["overflow"]
            assert no_dist == {}
        assert fpcov.acc_reach(AFmt.BF16, b) == ({}, {})
    assert fpcov.tablegen_reach(AFmt.FP8_E4M3).keys() == {"inexact", "tie", "overflow", "subnormal"}
    for f in (AFmt.FP16, AFmt.FP8_E5M2):
        assert fpcov.tablegen_reach(f).keys() == {"overflow", "subnormal"}
    assert fpcov.tablegen_reach(AFmt.BF16) == {}
    # the proof's premises come from the patterns
    assert fpcov.format_facts(AFmt.FP8_E4M3) == {"q": 2.0**-9, "max": 448.0, "top_entry": 1792.0}
    assert fpcov.format_facts(AFmt.BF16)["top_entry"] == np.inf


def test_the_derivation_refuses_a_class_it_can_neither_witness_nor_rule_out(monkeypatch) -> None:
    fpcov.acc_reach.cache_clear()
    monkeypatch.setattr(fpcov, "addend_witnessed", lambda afmt, top: (frozenset(), frozenset()))
    try:
        with pytest.raises(RuntimeError, match="no witness"):
            fpcov.acc_reach(AFmt.FP16, 1)
    finally:
        fpcov.acc_reach.cache_clear()


# --- binning -------------------------------------------------------------------------
def _a_image(lanes: list[list[int]]) -> int:
    return int.from_bytes(np.array(lanes, dtype="<u2").tobytes(), "little")


def _c_image(values: list[list[float]]) -> int:
    return int.from_bytes(np.array(values, dtype="<f4").tobytes(), "little")


def _w_image(planes: list[int]) -> int:
    return pack_codes(np.array([[c] * CFG.N for c in planes]), CFG)


def _predict(cfg, words, a, w, c) -> Prediction:
    batch = Batch.from_buses(cfg, words, a, w, c)
    idx = np.arange(len(batch), dtype=np.int64)
    return Prediction(Issued(batch, idx, idx, idx * 0), BatchModel(cfg).step(batch))


def hand_made() -> Prediction:
    """A stream whose FP bins are worked out by hand (M2N4FP: M = 2, N = 4).

    0 LUTGEN t0 FP16, each row (1, 0, 0, 0): entries +-1, all 24 additions exact.
    1 LMMA t0 FP16 b=1, codes 1 (+1), C = -1, 2^24, 2^30, inf / 0.5, 2^-149, -0, 3:
      cancel (d0), tie (d24), inexact (d30), non-finite / exact d1, inexact d126,
      exact d126, exact d1.
    2 LUTGEN t1 BF16, rows (2^103, 0, 0, 0) and zeros: entries +-2^103, and +0.
    3 LMMA t1 BF16 b=2, codes 1 then 9 (terms 2^103, -2^104 / +0, -0),
      C = FLT_MAX, 1, 2^-140, -FLT_MAX / 2^-140, 5, 0, NaN: see the counts below.
    4 LUTGEN t2 E4M3 (junk in bits [15:8]): max, NaN, subnormal, -0 / four 1.0.
    5 LUTGEN t3 E5M2: inf, -inf, max, subnormal / zeros.
    6 LUTGEN t0 INT8, 7 LMMA t0 INT8 (not FP), 8 LMMA t0 FP16: TABLE_INVALID.
    """
    cfg = CFG
    one, b103 = 0x3C00, 0x7300  # FP16 1.0, BF16 2^103
    words = [
        isa.lutgen(0, AFmt.FP16, cfg=cfg),
        isa.lmma(0, AFmt.FP16, 1, cfg=cfg),
        isa.lutgen(1, AFmt.BF16, cfg=cfg),
        isa.lmma(1, AFmt.BF16, 2, cfg=cfg),
        isa.lutgen(2, AFmt.FP8_E4M3, cfg=cfg),
        isa.lutgen(3, AFmt.FP8_E5M2, cfg=cfg),
        isa.lutgen(0, AFmt.INT8, cfg=cfg),
        isa.lmma(0, AFmt.INT8, 1, cfg=cfg),
        isa.lmma(0, AFmt.FP16, 1, cfg=cfg),
    ]
    a = [
        _a_image([[one, 0, 0, 0], [one, 0, 0, 0]]),
        0,
        _a_image([[b103, 0, 0, 0], [0, 0, 0, 0]]),
        0,
        _a_image([[0xAB7E, 0xAB7F, 0xAB01, 0xAB80], [0x38, 0x38, 0x38, 0x38]]),
        _a_image([[0x7C, 0xFC, 0x7B, 0x01], [0, 0, 0, 0]]),
        0,
        0,
        0,
    ]
    w = [0, _w_image([1]), 0, _w_image([1, 9]), 0, 0, 0, _w_image([1]), _w_image([1])]
    c = [
        0,
        _c_image([[-1.0, 2.0**24, 2.0**30, np.inf], [0.5, 2.0**-149, -0.0, 3.0]]),
        0,
        _c_image([[F32_MAX, 1.0, 2.0**-140, -F32_MAX], [2.0**-140, 5.0, 0.0, np.nan]]),
        0,
        0,
        0,
        0,
        0,
    ]
    p = _predict(cfg, words, a, w, c)
    assert list(p.resp.status) == [0] * 8 + [Status.TABLE_INVALID]
    return p


def check_hand_made(h: dict) -> None:
    """The counts :func:`hand_made` must give (one sample)."""
    inp = h["fp_input"]["cross_afmt_class"]
    assert (inp["<fp16,normal>"], inp["<fp16,zero>"]) == (2, 6)
    assert (inp["<bf16,normal>"], inp["<bf16,zero>"]) == (1, 7)
    e4 = {c: inp[f"<fp8_e4m3,{c}>"] for c in FP_INPUT_BINS if c != "inf"}
    assert e4 == {"zero": 1, "subnormal": 1, "normal": 4, "max": 1, "nan": 1}
    e5 = {c: inp[f"<fp8_e5m2,{c}>"] for c in FP_INPUT_BINS}
    assert e5 == {"zero": 4, "subnormal": 1, "normal": 0, "max": 1, "inf": 2, "nan": 0}

    res = h["fp_acc"]["cross_afmt_wbits_result"]
    fp16 = {c: res[f"<fp16,w1,{c}>"] for c in FP_RESULT_BINS if c != "overflow"}
    assert fp16 == {
        "exact": 4,
        "inexact": 3,
        "tie": 1,
        "cancel_zero": 1,
        "subnormal": 0,
        "nonfinite": 1,
    }
    bf16 = {c: res[f"<bf16,w2,{c}>"] for c in FP_RESULT_BINS}
    assert bf16 == {
        "exact": 9,
        "inexact": 4,
        "tie": 2,
        "cancel_zero": 0,
        "overflow": 1,
        "subnormal": 2,
        "nonfinite": 3,
    }
    dist = h["fp_acc"]["cross_afmt_wbits_dist"]
    assert {d: dist[f"<fp16,w1,{d}>"] for d in FP_ALIGN_BINS if dist[f"<fp16,w1,{d}>"]} == {
        "d0": 1,
        "d1": 2,
        "d24_25": 1,
        "d26_up": 3,
    }
    assert {d: dist[f"<bf16,w2,{d}>"] for d in FP_ALIGN_BINS if dist[f"<bf16,w2,{d}>"]} == {
        "d0": 4,
        "d1": 2,
        "d16_23": 1,
        "d24_25": 2,
        "d26_up": 4,
    }
    assert h["fp_acc"]["cp_afmt"] == {"fp8_e4m3": 0, "fp16": 8, "bf16": 16, "fp8_e5m2": 0}
    assert h["fp_acc"]["cp_wbits"] == {"w1": 8, "w2": 16, "w3": 0, "w4": 0}

    gen = h["fp_tablegen"]["cross_afmt_result"]
    nonzero = {k: v for k, v in gen.items() if v}
    assert nonzero == {
        "<fp16,exact>": 24,
        "<bf16,exact>": 24,
        "<fp8_e4m3,exact>": 14,
        "<fp8_e4m3,cancel_zero>": 3,
        "<fp8_e4m3,nonfinite>": 10,
        "<fp8_e5m2,exact>": 12,
        "<fp8_e5m2,inexact>": 2,
        "<fp8_e5m2,nonfinite>": 10,
    }


def test_a_hand_made_stream_is_binned_as_worked_out() -> None:
    p = hand_made()
    cov = CoverageCounts(CFG)
    cov.fp.trace = []
    cov.sample_prediction(p)
    h = cov.hits()
    check_hand_made(h)
    # the replay is the model's D, and INT32 wrap saw the one integer LMMA only
    ((pos, d),) = cov.fp.trace
    assert list(pos) == [3, 1] and np.array_equal(d, p.resp.d[pos].view(np.uint32))
    assert sum(h["wrap"]["cp_wrap"].values()) == 1
    # excluded bins are not among the hits, and are listed with their reason
    assert "<fp8_e4m3,inf>" not in h["fp_input"]["cross_afmt_class"]
    why = h["_excluded"]["fp_input"]["cross_afmt_class"]["<fp8_e4m3,inf>"]
    assert "decodes to inf" in why
    assert "<fp16,w1,overflow>" in h["_excluded"]["fp_acc"]["cross_afmt_wbits_result"]
    # a reset bins what is pending first, and forgets the tables
    cov.sample_reset()
    cov.sample_prediction(_predict(CFG, [isa.lmma(1, AFmt.BF16, 1, cfg=CFG)], [0], [0], [0]))
    assert cov.hits()["fp_acc"]["cp_afmt"]["bf16"] == 16  # TABLE_INVALID after the reset


def test_an_excluded_bin_that_is_hit_is_shown() -> None:
    cov = CoverageCounts(CFG)
    cov.fp.input[list(cov.fp.fmts).index("fp8_e4m3"), FP_INPUT_BINS.index("inf")] = 1
    assert cov.hits()["fp_input"]["cross_afmt_class"]["<fp8_e4m3,inf>"] == 1


def test_a_collector_with_a_stale_table_is_caught(monkeypatch) -> None:
    """A collector that keeps the first table a register got (across records) bins
    other operands than the core adds: its replay is not the model's D."""
    monkeypatch.setattr(fpcov, "FLUSH", 1)  # every record binned as it comes
    orig = fpcov.FpCoverage._sample_now

    def stale(self, batch, status) -> None:
        keep = self.bank.copy()
        orig(self, batch, status)
        if keep.any():
            self.bank[:] = keep

    words = [
        isa.lutgen(0, AFmt.FP16, cfg=CFG),
        isa.lutgen(0, AFmt.FP16, cfg=CFG),
        isa.lmma(0, AFmt.FP16, 1, cfg=CFG),
    ]
    a = [_a_image([[0x3C00, 0, 0, 0]] * 2), _a_image([[0x4000, 0, 0, 0]] * 2), 0]
    batch = Batch.from_buses(CFG, words, a, [0, 0, _w_image([1])], [0, 0, 0])
    for collector, same in ((orig, True), (stale, False)):
        monkeypatch.setattr(fpcov.FpCoverage, "_sample_now", collector)
        cov = CoverageCounts(CFG)
        cov.fp.trace = []
        recs = _records(CFG, batch, 1)
        for r in recs:
            cov.sample_prediction(r)
        ((pos, d),) = cov.fp.trace
        assert np.array_equal(d[0], recs[2].resp.d[0].view(np.uint32)) == same


def test_a_collector_that_drops_a_plane_is_caught(monkeypatch) -> None:
    """Dropping the last plane of every LMMA: the hand-made counts fail, fewer additions
    are counted than the LMMAs make, and the replay is not the model's D."""
    orig = fpcov.FpCoverage._replay_sorted

    def short(self, tables, w, c, b, af, want_d=True):
        return orig(self, tables, w, c, np.maximum(b - 1, 1), af, want_d)

    monkeypatch.setattr(fpcov.FpCoverage, "_replay_sorted", short)
    p = hand_made()
    cov = CoverageCounts(CFG)
    cov.fp.trace = []
    cov.sample_prediction(p)
    h = cov.hits()
    with pytest.raises(AssertionError):
        check_hand_made(h)
    assert sum(h["fp_acc"]["cp_afmt"].values()) < additions(p)
    ((pos, d),) = cov.fp.trace
    assert not np.array_equal(d, p.resp.d[pos].view(np.uint32))


def additions(p: Prediction) -> int:
    """Plane additions of the OK FP LMMAs of a record: b * M * N each."""
    w = p.issued.batch.words.astype(np.int64)
    fp_mm = ((w & 15) == 2) & (p.resp.status == 0) & np.isin((w >> 8) & 15, [2, 3, 4, 5])
    return int(((w >> 12) & 15)[fp_mm].sum()) * CFG.M * CFG.N


def _stream(cfg, seed: int, lmmas: int, pools=None) -> Batch:
    kn = stimulus.Knobs.fp(lmmas, pools=pools)
    return stimulus.random_stream(cfg, np.random.default_rng(seed), kn)


def _records(cfg, batch: Batch, size: int) -> list[Prediction]:
    model = BatchModel(cfg)
    out = []
    for lo in range(0, len(batch), size):
        part = batch[lo : lo + size]
        idx = np.arange(lo, lo + len(part), dtype=np.int64)
        out.append(Prediction(Issued(part, idx, idx, idx * 0), model.step(part)))
    return out


def test_counts_do_not_depend_on_record_sizes_and_replay_the_model(monkeypatch) -> None:
    """A random FP stream: one record, records of 37, records of one (binned as they come
    and buffered): the same counts, every replayed D the model's, every addition counted."""
    batch = _stream(CFG, 11, 300)
    results = []
    for size, flush in ((len(batch), fpcov.FLUSH), (37, fpcov.FLUSH), (1, 1), (1, fpcov.FLUSH)):
        monkeypatch.setattr(fpcov, "FLUSH", flush)
        recs = _records(CFG, batch, size)
        cov = CoverageCounts(CFG)
        cov.fp.trace = []
        for r in recs:
            cov.sample_prediction(r)
        h = cov.hits()
        d_all = np.concatenate([r.resp.d for r in recs]).view(np.uint32)
        for pos, d in cov.fp.trace:
            assert np.array_equal(d, d_all[pos])
        total = sum(additions(r) for r in recs)
        acc = h["fp_acc"]
        assert sum(acc["cp_afmt"].values()) == total > 0
        assert (
            acc["cp_result"]["exact"] + acc["cp_result"]["inexact"] + acc["cp_result"]["nonfinite"]
            == total
        )
        assert sum(acc["cp_dist"].values()) == total - acc["cp_result"]["nonfinite"]
        results.append({g: h[g] for g in FP_GROUPS})
    assert all(r == results[0] for r in results[1:])


# --- integer configurations keep their bins ------------------------------------------
def bin_digests(h: dict) -> dict[str, list]:
    """Per covergroup point (and excluded point): bin count and a digest of the names."""
    points: dict[str, list[str]] = {}
    for g, pts in h.items():
        if g == "_excluded":
            for eg, epts in pts.items():
                for p, bins in epts.items():
                    points[f"_excluded.{eg}.{p}"] = list(bins)
        elif not g.startswith("_"):
            for p, bins in pts.items():
                points[f"{g}.{p}"] = list(bins)
    return {
        k: [len(v), hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()[:16]]
        for k, v in sorted(points.items())
    }


def golden() -> dict:
    return {n: bin_digests(CoverageCounts(c).hits()) for n, c in CONFIGS.items() if not c.has_fp}


def test_integer_configurations_keep_exactly_their_bins() -> None:
    want = json.loads(GOLDEN.read_text())
    assert golden() == want
    for name, cfg in CONFIGS.items():
        groups = set(CoverageCounts(cfg).hits())
        assert (set(FP_GROUPS) <= groups) == cfg.has_fp, name


def test_fp_configurations_add_only_fp_groups() -> None:
    want = json.loads(GOLDEN.read_text())["M2N4"]
    # the same shape without FP formats: the integer points, then only fp_* ones
    int_twin = dataclasses.replace(CFG, formats=CONFIGS["M2N4"].formats)
    assert bin_digests(CoverageCounts(int_twin).hits()) == want
    fp = bin_digests(CoverageCounts(CFG).hits())
    new = {
        k.split(".")[0] if not k.startswith("_") else k.split(".")[1]
        for k in fp.keys() - want.keys()
    }
    assert new == set(FP_GROUPS)


def test_fp_bin_counts() -> None:
    """The bins a nightly must hit, per FP configuration (M2N4FP and M2N64FP alike)."""
    for name in ("M2N4FP", "M2N64FP"):
        h = CoverageCounts(config_by_name(name)).hits()
        n = {f"{g}.{p}": len(b) for g in FP_GROUPS for p, b in h[g].items()}
        assert n == {
            "fp_input.cp_afmt": 4,
            "fp_input.cp_class": 6,
            "fp_input.cross_afmt_class": 23,
            "fp_acc.cp_afmt": 4,
            "fp_acc.cp_wbits": 4,
            "fp_acc.cp_result": 7,
            "fp_acc.cp_dist": 8,
            "fp_acc.cross_afmt_wbits_result": 100,
            "fp_acc.cross_afmt_wbits_dist": 128,
            "fp_tablegen.cp_afmt": 4,
            "fp_tablegen.cp_result": 7,
            "fp_tablegen.cross_afmt_result": 20,
        }, name


# --- merge -----------------------------------------------------------------------------
def _dump(path: Path, cfg_name: str, seed: int, lmmas: int) -> dict:
    cfg = config_by_name(cfg_name)
    cov = CoverageCounts(cfg)
    for r in _records(
        cfg, _stream(cfg, seed, lmmas) if cfg.has_fp else _int_stream(cfg, seed), 256
    ):
        cov.sample_prediction(r)
    h = cov.hits()
    meta = {"test": "FpUnit", "seed": seed, "config": cfg_name, "sim": "none", "transport": "none"}
    path.write_text(json.dumps({"_meta": meta, **h}, sort_keys=True))
    return h


def _int_stream(cfg, seed: int) -> Batch:
    return stimulus.random_stream(cfg, np.random.default_rng(seed), stimulus.Knobs(n=200))


def test_covmerge_takes_the_fp_groups(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    dumps = tmp_path / "cov"
    dumps.mkdir()
    h1 = _dump(dumps / "a.json", "M2N4FP", 1, 200)
    h2 = _dump(dumps / "b.json", "M2N4FP", 2, 200)
    _dump(dumps / "c.json", "M2N4", 3, 0)
    out = tmp_path / "merged.json"
    assert covmerge.main([str(dumps), "--out", str(out)]) == 0
    merged = json.loads(out.read_text())
    assert set(FP_GROUPS) <= set(merged["M2N4FP"]) and not set(FP_GROUPS) & set(merged["M2N4"])
    got = merged["M2N4FP"]["fp_acc"]["cross_afmt_wbits_result"]
    want = h1["fp_acc"]["cross_afmt_wbits_result"]
    assert got == {k: v + h2["fp_acc"]["cross_afmt_wbits_result"][k] for k, v in want.items()}
    excl = merged["M2N4FP"]["_excluded"]["fp_acc"]["cross_afmt_wbits_result"]
    assert len(excl) == 12 and all("2^103" in why for why in excl.values())

    covs = {c.config: c for c in merge(load_dumps([dumps]))}
    cov = covs["M2N4FP"]
    acc = cov.groups["fp_acc"]
    assert acc.points["cross_afmt_wbits_result"].crossed == ("cp_afmt", "cp_wbits", "cp_result")
    assert acc.points["cross_afmt_wbits_dist"].crossed == ("cp_afmt", "cp_wbits", "cp_dist")
    assert cov.groups["fp_input"].points["cross_afmt_class"].crossed == ("cp_afmt", "cp_class")
    assert not cov.excluded_hit()
    back = read_ucis(dumps / "merged" / "M2N4FP.xml")
    pt = back.groups["fp_tablegen"].points["cross_afmt_result"]
    assert pt.excluded["<fp8_e4m3,tie>"].startswith("fp8_e4m3: table sums are multiples")
    assert pt.bins == cov.groups["fp_tablegen"].points["cross_afmt_result"].bins
    report = text_report(list(covs.values()), max_holes=None)
    for hole in cov.holes():
        assert f"{hole.bin}" in report
    html = (dumps / "report" / "index.html").read_text()
    assert "fp_acc" in html and "fp_tablegen" in html
    capsys.readouterr()


def test_covmerge_says_when_an_fp_exclusion_is_hit(tmp_path: Path) -> None:
    _dump(tmp_path / "a.json", "M2N4FP", 1, 20)
    doc = json.loads((tmp_path / "a.json").read_text())
    doc["fp_input"]["cross_afmt_class"]["<fp8_e4m3,inf>"] = 2  # what a wrong exclusion gives
    (tmp_path / "a.json").write_text(json.dumps(doc))
    (cov,) = merge(load_dumps([tmp_path]))
    assert [(str(hole), n) for hole, n in cov.excluded_hit()] == [
        ("fp_input.cross_afmt_class.<fp8_e4m3,inf>", 2)
    ]
    assert "<fp8_e4m3,inf>" in text_report([cov])


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(golden(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


# --- the MAC core's FP coverage ------------------------------------------------------
MAC = CFG.with_core("mac")


def test_mac_exclusions_are_derived_from_its_sums() -> None:
    for b in range(1, 9):
        for f in (AFmt.FP8_E4M3, AFmt.FP16, AFmt.FP8_E5M2):
            no_class, no_dist = fpcov_mac.mac_acc_reach(f, b)
            assert no_class.keys() == {"overflow"} and "largest sum" in no_class["overflow"]
            assert no_dist == {}
        assert fpcov_mac.mac_acc_reach(AFmt.BF16, b) == ({}, {})
    assert fpcov_mac.top_sum(AFmt.FP16, 2) == 65504.0 * 3 * 4
    assert fpcov_mac.top_sum(AFmt.BF16, 1) == np.inf


def mac_additions(p: Prediction) -> int:
    """Additions of the OK FP LMMAs of a record on the MAC core: 4 * M * N each."""
    w = p.issued.batch.words.astype(np.int64)
    fp_mm = ((w & 15) == 2) & (p.resp.status == 0) & np.isin((w >> 8) & 15, [2, 3, 4, 5])
    return int(np.count_nonzero(fp_mm)) * 4 * MAC.M * MAC.N


def test_mac_counts_replay_its_model_and_have_no_tablegen(monkeypatch) -> None:
    """The MAC collector bins the four additions of every lane, in records of any size,
    and its replay is the MAC model's D; it has no table-generator group."""
    batch = _stream(MAC, 12, 300)
    results = []
    for size, flush in ((len(batch), fpcov.FLUSH), (1, 1)):
        monkeypatch.setattr(fpcov, "FLUSH", flush)
        recs = _records(MAC, batch, size)
        cov = CoverageCounts(MAC)
        assert isinstance(cov.fp, fpcov_mac.MacFpCoverage)
        cov.fp.trace = []
        for r in recs:
            cov.sample_prediction(r)
        h = cov.hits()
        assert "fp_tablegen" not in h and {"fp_input", "fp_acc"} <= h.keys()
        d_all = np.concatenate([r.resp.d for r in recs]).view(np.uint32)
        assert cov.fp.trace
        for pos, d in cov.fp.trace:
            assert np.array_equal(d, d_all[pos])
        assert sum(h["fp_acc"]["cp_afmt"].values()) == sum(mac_additions(r) for r in recs) > 0
        results.append({g: h[g] for g in ("fp_input", "fp_acc")})
    assert results[0] == results[1]


def test_a_mac_collector_replaying_the_lut_contract_is_caught() -> None:
    """Negative: binning the LUT Tensor Core's plane additions on the MAC core's
    registers replays another D than the MAC model's."""

    class Wrong(fpcov_mac.MacFpCoverage):
        _replay_sorted = fpcov.FpCoverage._replay_sorted

    recs = _records(MAC, _stream(MAC, 13, 100), 10_000)
    cov = Wrong(MAC)
    cov.trace = []
    for r in recs:
        cov.sample(r.issued.batch, r.resp.status)
    cov.flush()
    d_all = np.concatenate([r.resp.d for r in recs]).view(np.uint32)
    assert any(not np.array_equal(d, d_all[pos]) for pos, d in cov.trace)
