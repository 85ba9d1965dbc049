# SPDX-License-Identifier: Apache-2.0
"""Simulator-free checks of testbench pieces: coverage bins and counts, merge, patterns."""

from __future__ import annotations

import itertools
import json
import random

import numpy as np

from models import isa
from models.batch import Batch, BatchModel
from models.config import AFmt, Status, config_by_name
from models.core import CoreModel
from models.lmma import pack_c
from tb import patterns
from tb.coverage.bins import STATUS_BINS, reachable_statuses, unreachable_instr_bins
from tb.coverage.collector import CoverageCounts
from tb.predictor import Prediction
from tb.records import Issued, Observed
from tools import covmerge

CFG = config_by_name("M2N4")


def test_unreachable_bins_follow_the_status_rules() -> None:
    un = unreachable_instr_bins(CFG)
    names = {s.name.lower() for s in Status}
    # an illegal opcode answers ILLEGAL_INSTR only, whatever the other fields
    assert ("illegal", "w1", "int8", "t0", "ok") in un
    assert ("illegal", "w1", "int8", "t0", "illegal_instr") not in un
    # LUTGEN never reads a table; a legal LMMA can be OK or TABLE_INVALID
    assert all(("lutgen", "w0", "int8", f"t{t}", "table_invalid") in un for t in range(CFG.T))
    assert ("lmma", "w2", "int16", "t1", "ok") not in un
    assert ("lmma", "w2", "int16", "t1", "table_invalid") not in un
    # TREG_RANGE only out of range; reasons are spelled out
    assert ("lmma", "w2", "int16", "t1", "treg_range") in un
    assert all("can only answer" in why for why in un.values())
    assert set(k[4] for k in un) <= names


def test_reachable_statuses_match_the_model() -> None:
    m = CoreModel(CFG)
    assert reachable_statuses(CFG, 2, 1, 0, 0) == {
        Status.ILLEGAL_INSTR,
        Status.UNSUPPORTED,
        Status.TABLE_INVALID,
        Status.OK,
    }
    assert m.check(0) == Status.ILLEGAL_INSTR
    assert STATUS_BINS["ok"] == 0


def test_covmerge_sums_and_strict(tmp_path) -> None:
    a = {"_meta": {"config": "M2N4"}, "g": {"cp": {"x": 1, "y": 0}}, "_excluded": {}}
    b = {"_meta": {"config": "M2N4"}, "g": {"cp": {"x": 0, "y": 0}}}
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    assert covmerge.main([str(tmp_path)]) == 0
    assert covmerge.main([str(tmp_path), "--strict"]) == 1
    b["g"]["cp"]["y"] = 3
    (tmp_path / "b.json").write_text(json.dumps(b))
    out = tmp_path / "merged.json"
    assert covmerge.main([str(tmp_path), "--strict", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["M2N4"]["g"]["cp"] == {"x": 1, "y": 3}


def test_patterns() -> None:
    r = random.Random(1)
    assert list(itertools.islice(patterns.always(), 5)) == [1] * 5
    assert list(itertools.islice(patterns.never(), 5)) == [0] * 5
    stalls = [
        len(list(g))
        for k, g in itertools.groupby(itertools.islice(patterns.stall_mix(r), 5000))
        if k == 0
    ]
    assert min(stalls) == 1 and max(stalls) >= 16
    burst = list(itertools.islice(patterns.bursts(r, (2, 2), (1, 1)), 6))
    assert burst == [1, 1, 0, 1, 1, 0]


def _predict(cfg, words, a, w, c) -> Prediction:
    batch = Batch.from_buses(cfg, words, a, w, c)
    n = len(batch)
    idx = np.arange(n, dtype=np.int64)
    return Prediction(Issued(batch, idx, idx, idx * 0), BatchModel(cfg).step(batch))


def test_coverage_counts_bin_a_record_as_the_spec_says() -> None:
    """Hand-made stream: every count is known; a second sample doubles what it should."""
    cfg = CFG
    lanes = np.full((cfg.M, 4), -128)
    a_i8 = int.from_bytes((lanes & 0xFFFF).astype("<u2").tobytes(), "little")
    c_max = pack_c(np.full((cfg.M, cfg.N), 0x7FFFFFFF, dtype=np.int64), cfg)
    words = [
        isa.lutgen(1, AFmt.INT8, cfg=cfg),  # 0: OK, i8_min
        isa.lmma(1, AFmt.INT8, 2, cfg=cfg),  # 1: OK, distance 0, codes 0 in planes 0,1
        isa.lmma(1, AFmt.INT8, 1, cfg=cfg),  # 2: OK, distance 1, wraps up from INT32_MAX
        isa.lmma(2, AFmt.INT8, 1, cfg=cfg),  # 3: TABLE_INVALID
        0,  # 4: ILLEGAL_INSTR
    ]
    p = _predict(cfg, words, [a_i8, 0, 0, 0, 0], [0, 0, 0x1, 0, 0], [0, 0, c_max, 0, 0])
    assert list(p.resp.status) == [0, 0, 0, Status.TABLE_INVALID, Status.ILLEGAL_INSTR]
    cov = CoverageCounts(cfg)
    cov.sample_prediction(p)
    h = cov.hits()
    assert h["instr"]["cp_op"] == {"lutgen": 1, "lmma": 3, "illegal": 1}
    assert h["instr"]["cross_op_wbits_afmt_treg_status"]["<lmma,w1,int8,t2,table_invalid>"] == 1
    assert h["hazard"]["cross_treg_dist"]["<t1,d0>"] == 1
    assert h["hazard"]["cross_treg_dist"]["<t1,d1>"] == 1
    assert h["extremes"]["cp_value"]["i8_min"] == 1
    assert h["wrap"]["cp_wrap"] == {"none": 1, "wrap_up": 1, "wrap_down": 0}
    # LMMA 1 looks up code 0 in planes 0 and 1; LMMA 2 code 1 (lane 0) and 0 in plane 0
    assert h["lookup"]["cross_plane_code"]["<p0,pos_s0>"] == 2
    assert h["lookup"]["cross_plane_code"]["<p0,pos_s1>"] == 1
    assert h["lookup"]["cross_plane_code"]["<p1,pos_s0>"] == 1
    assert h["hazard"]["cp_b2b_cycle"]["lutgen_lmma_b2b"] == 0
    # responses: accepted on consecutive cycles, so the distance-0 LMMA counts as back to back
    cyc = np.arange(5, dtype=np.int64)
    cov.sample_observed(Observed(p.resp, cyc + 3, cyc * 0 + 2, cyc, cyc * 0))
    h = cov.hits()
    assert h["hazard"]["cp_b2b_cycle"]["lutgen_lmma_b2b"] == 1
    assert h["stall"]["cp_out_stall"]["s2_3"] == 5 and h["stall"]["cp_in_stall"]["s0"] == 5
    # a reset with a response outstanding, then the same record again: distances restart
    cov.sample_prediction(p)
    cov.sample_reset()
    assert cov.hits()["reset"]["cp_reset"] == {"reset_idle": 0, "reset_in_flight": 1}
    assert cov.hits()["hazard"]["cross_treg_dist"]["<t1,d0>"] == 2


def test_coverage_counts_agree_with_a_row_by_row_count() -> None:
    """One record of 300 against 300 records of one: the same counts (binning is exact)."""
    cfg = CFG
    rng = np.random.default_rng(3)
    words, a, w, c = [], [], [], []
    for i in range(300):
        t = int(rng.integers(cfg.T + 1))
        if i % 5 == 0:
            words.append(isa.lutgen(min(t, cfg.T - 1), AFmt(int(rng.integers(2))), cfg=cfg))
        else:
            b = int(rng.integers(1, cfg.W_BITS_MAX + 1))
            words.append(isa.encode(isa.Instr(2, t, int(rng.integers(2)), b, 0, 0, i & 0xFF)))
        a.append(int(rng.integers(1 << 62)) << 2)
        w.append(int(rng.integers(1 << 62)))
        c.append(int(rng.integers(1 << 62)) << 60)
    whole = CoverageCounts(cfg)
    whole.sample_prediction(_predict(cfg, words, a, w, c))
    single = CoverageCounts(cfg)
    model = BatchModel(cfg)
    for i in range(300):
        batch = Batch.from_buses(cfg, words[i : i + 1], a[i : i + 1], w[i : i + 1], c[i : i + 1])
        one = np.array([i], dtype=np.int64)
        single.sample_prediction(Prediction(Issued(batch, one, one, one), model.step(batch)))
    assert whole.hits() == single.hits()
    assert sum(whole.hits()["lookup"]["cp_plane"].values()) > 0


def test_fp_lanes_are_reported_as_values_and_bits() -> None:
    """An FP32 LMMA's D lanes read as floats (a one-ulp or signed-zero difference visible)."""
    from models import isa
    from models.config import AFmt, config_by_name
    from tb.scoreboard import _fp_lanes, lane_text

    cfg = config_by_name("M2N4FP")
    assert _fp_lanes(isa.lmma(0, AFmt.FP16, 2, cfg=cfg))
    assert not _fp_lanes(isa.lmma(0, AFmt.INT8, 2, cfg=cfg))
    assert lane_text(0x3FC00000, True) == "1.5 (0x3fc00000)"
    assert lane_text(-0x80000000, True) == "-0.0 (0x80000000)"
    assert lane_text(0x7FC00000, True) == "nan (0x7fc00000)"
    assert lane_text(0x3FC00001, True) != lane_text(0x3FC00000, True)
    assert lane_text(-5, False) == "-5 (0xfffffffb)"


def test_fp16_lanes_are_reported_as_binary16_values() -> None:
    """A binary16 instance's FP LMMA (accfmt FP16) shows bits [15:0] as a binary16 value."""
    from models import isa
    from models.config import AccFmt, AFmt, config_by_name
    from tb.scoreboard import _fp_lanes, lane_text

    cfg = config_by_name("M2N4H")
    assert _fp_lanes(isa.lmma(0, AFmt.FP16, 2, cfg=cfg)) is AccFmt.FP16
    assert lane_text(0x3E00, AccFmt.FP16) == "1.5 (0x00003e00)"
    assert lane_text(0x8000, AccFmt.FP16) == "-0.0 (0x00008000)"
    assert lane_text(0x7E00, AccFmt.FP16) == "nan (0x00007e00)"
    assert lane_text(0x7BFF, AccFmt.FP16) == "65504.0 (0x00007bff)"
    assert lane_text(0x13E00, AccFmt.FP16) == "1.5 (0x00013e00)"  # upper half shown in hex
    assert lane_text(0x3E00, AccFmt.FP32) != lane_text(0x3E00, AccFmt.FP16)
