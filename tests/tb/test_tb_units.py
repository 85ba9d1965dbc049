"""Simulator-free checks of testbench pieces: coverage exclusions, merge, patterns, data."""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pytest

from models.config import AFmt, Status, config_by_name
from models.core import CoreModel
from models.lmma import ACC_MAX, ACC_MIN
from models.tables import make_tables
from tb import patterns
from tb.covergroups import STATUS_BINS, reachable_statuses, unreachable_instr_bins
from tb.sequences import data
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


@pytest.mark.parametrize("afmt", [AFmt.INT8, AFmt.INT16])
def test_data_extremes(afmt: AFmt) -> None:
    rng = np.random.default_rng(0)
    lo, hi = (-128, 127) if afmt == AFmt.INT8 else (-32768, 32767)
    assert data.acts(rng, afmt, 2, "extreme").min() >= lo
    assert make_tables(data.acts(rng, afmt, 2, "entry_min"), afmt).min() == 4 * lo
    assert make_tables(data.acts(rng, afmt, 2, "entry_max"), afmt).max() == hi - 3 * lo
    c = data.c_matrix(rng, CFG, "near_max")
    assert c.max() <= ACC_MAX and c.min() > ACC_MAX - (1 << 21)
    assert data.c_matrix(rng, CFG, "near_min").min() >= ACC_MIN


def test_dirty_buses_decode_like_clean_ones() -> None:
    """Garbage in ignored bits (INT8 upper bytes, planes >= b) leaves the model's answer alone."""
    from models import isa

    rng = np.random.default_rng(1)
    a = data.acts(rng, AFmt.INT8, CFG.M)
    codes = data.codes(rng, CFG, 2)
    c = data.c_bus(data.c_matrix(rng, CFG), CFG)
    out = []
    for dirty in (None, rng):
        m = CoreModel(CFG)
        m.step(isa.lutgen(0, AFmt.INT8, cfg=CFG), a_bus=data.a_bus(a, CFG, AFmt.INT8, dirty))
        out.append(
            m.step(isa.lmma(0, AFmt.INT8, 2, cfg=CFG), w_bus=data.w_bus(codes, CFG, dirty), c_bus=c)
        )
    assert out[0] == out[1]
