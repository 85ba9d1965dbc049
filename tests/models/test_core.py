# SPDX-License-Identifier: Apache-2.0
"""Transaction-level core model: LUTGEN/LMMA semantics, status rules, no state change on error."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import isa
from models.config import CONFIGS, AFmt, CoreConfig, Opcode, Status
from models.core import CoreModel, Response
from models.encoding import pack_codes
from models.isa import Instr, encode
from models.lmma import ACC_MAX, ACC_MIN, lmma, pack_c, unpack_c
from models.tables import make_tables, pack_a
from tests.models.strategies import acts, afmts, int_arrays, small_configs

CFG = CONFIGS["M2N4"]  # T=4, W_BITS_MAX=4


def word(**fields: int) -> int:
    return encode(Instr(**{"opcode": Opcode.LMMA, "wbits": 1, **fields}))


def a_bus(cfg: CoreConfig = CFG, v: int = 1) -> int:
    return pack_a(np.full((cfg.M, 4), v), cfg)


def loaded(cfg: CoreConfig = CFG, afmt: AFmt = AFmt.INT8, tregs: range | None = None) -> CoreModel:
    core = CoreModel(cfg)
    for t in tregs if tregs is not None else range(cfg.T):
        assert core.step(isa.lutgen(t, afmt, cfg=cfg), a_bus(cfg, t + 1)).status == Status.OK
    return core


def snapshot(core: CoreModel) -> list[tuple[AFmt, list[list[int]]] | None]:
    return [None if e is None else (e[0], e[1].tolist()) for e in core.tables]


@given(cfg=small_configs, afmt=afmts, data=st.data())
def test_lutgen_then_lmma_equals_lmma(cfg: CoreConfig, afmt: AFmt, data: st.DataObject) -> None:
    a = data.draw(acts((cfg.M, 4), afmt))
    b = data.draw(st.integers(1, cfg.W_BITS_MAX))
    codes = data.draw(int_arrays((b, cfg.N), 0, 15))
    c = data.draw(int_arrays((cfg.M, cfg.N), ACC_MIN, ACC_MAX))
    treg, tag = data.draw(st.integers(0, cfg.T - 1)), data.draw(st.integers(0, 255))
    core = CoreModel(cfg)
    r1 = core.step(isa.lutgen(treg, afmt, tag, cfg), pack_a(a, cfg))
    assert r1 == Response(tag, Status.OK, np.zeros((cfg.M, cfg.N), dtype=np.int64))
    r2 = core.step(
        isa.lmma(treg, afmt, b, tag ^ 1, cfg=cfg), 0, pack_codes(codes, cfg), pack_c(c, cfg)
    )
    assert r2.status == Status.OK and r2.tag == tag ^ 1
    assert np.array_equal(r2.d, lmma(make_tables(a, afmt), codes, c))
    assert np.array_equal(unpack_c(pack_c(r2.d, cfg), cfg), r2.d), "D must fit the out_d_o bus"


def test_lmma_ignores_planes_beyond_wbits() -> None:
    core = loaded()
    codes = np.arange(16).reshape(4, 4) % 16
    w_full = pack_codes(codes, CFG)
    w_low = pack_codes(codes[:2], CFG)
    d1 = core.step(isa.lmma(0, AFmt.INT8, 2), 0, w_full, 0).d
    d2 = core.step(isa.lmma(0, AFmt.INT8, 2), 0, w_low, 0).d
    assert np.array_equal(d1, d2)


def test_int8_lutgen_ignores_upper_a_bits() -> None:
    core = CoreModel(CFG)
    junk = sum(0xAB00 << (16 * lane) for lane in range(CFG.M * 4))
    core.step(isa.lutgen(0, AFmt.INT8), a_bus(v=3) & ~junk | junk)
    assert np.array_equal(core.tables[0][1], make_tables(np.full((2, 4), 3), AFmt.INT8))  # type: ignore[index]


# --- status rules (docs section 6), one directed case per row ---------------

LUTGEN = Opcode.LUTGEN
STATUS_CASES = [
    # (why, word, expected) on a core whose registers 0..2 hold INT8 tables, 3 is empty
    ("ok lutgen", isa.lutgen(3, AFmt.INT16), Status.OK),
    ("ok lmma", isa.lmma(0, AFmt.INT8, 4), Status.OK),
    ("opcode 0", word(opcode=0), Status.ILLEGAL_INSTR),
    ("opcode 3", word(opcode=3), Status.ILLEGAL_INSTR),
    ("opcode 15", word(opcode=15), Status.ILLEGAL_INSTR),
    ("rsvd lmma", word(rsvd=1), Status.ILLEGAL_INSTR),
    ("rsvd lutgen", word(opcode=LUTGEN, wbits=0, rsvd=8), Status.ILLEGAL_INSTR),
    ("lutgen wbits", word(opcode=LUTGEN, wbits=2), Status.ILLEGAL_INSTR),
    ("lutgen accfmt", word(opcode=LUTGEN, wbits=0, accfmt=1), Status.ILLEGAL_INSTR),
    ("afmt fp8", word(afmt=AFmt.FP8_E4M3), Status.UNSUPPORTED),
    ("afmt fp16 lutgen", word(opcode=LUTGEN, wbits=0, afmt=AFmt.FP16), Status.UNSUPPORTED),
    ("afmt 15", word(afmt=15), Status.UNSUPPORTED),
    ("wbits 0", word(wbits=0), Status.UNSUPPORTED),
    ("wbits > max", word(wbits=5), Status.UNSUPPORTED),
    ("accfmt", word(accfmt=2), Status.UNSUPPORTED),
    ("treg lmma", word(treg=4), Status.TREG_RANGE),
    ("treg lutgen", word(opcode=LUTGEN, wbits=0, treg=15), Status.TREG_RANGE),
    ("never written", word(treg=3), Status.TABLE_INVALID),
    ("other afmt", word(treg=1, afmt=AFmt.INT16), Status.TABLE_INVALID),
    # precedence: the first rule in the table wins
    (
        "illegal beats unsupported",
        word(opcode=0, afmt=AFmt.FP8_E4M3, wbits=0),
        Status.ILLEGAL_INSTR,
    ),
    ("rsvd beats treg", word(rsvd=1, treg=9), Status.ILLEGAL_INSTR),
    (
        "lutgen wbits beats afmt",
        word(opcode=LUTGEN, wbits=9, afmt=AFmt.FP8_E4M3),
        Status.ILLEGAL_INSTR,
    ),
    ("unsupported beats treg", word(afmt=AFmt.FP8_E4M3, treg=9), Status.UNSUPPORTED),
    ("wbits beats treg", word(wbits=0, treg=9), Status.UNSUPPORTED),
    ("treg beats table", word(treg=12, afmt=AFmt.INT16), Status.TREG_RANGE),
]


def status_core() -> CoreModel:
    return loaded(tregs=range(3))


@pytest.mark.parametrize(("why", "w", "expected"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_status_rules(why: str, w: int, expected: Status) -> None:
    core = status_core()
    before = snapshot(core)
    assert core.check(w) == expected
    assert snapshot(core) == before, "check() must not change state"
    r = core.step(
        w, a_bus(v=-7), pack_codes(np.full((4, 4), 5), CFG), pack_c(np.full((2, 4), 9), CFG)
    )
    assert r.status == expected and r.tag == w >> 24
    if expected != Status.OK:
        assert not r.d.any(), "error responses carry D = 0"
        assert snapshot(core) == before, "an error changes no state"


def test_every_status_code_is_produced() -> None:
    assert {c[2] for c in STATUS_CASES} == set(Status)


@given(w=st.integers(0, 2**32 - 1), data=st.data())
def test_errors_change_no_state(w: int, data: st.DataObject) -> None:
    core = status_core()
    before = snapshot(core)
    r = core.step(w, data.draw(st.integers(0, (1 << CFG.a_bits) - 1)), 0, 0)
    if r.status != Status.OK:
        assert snapshot(core) == before and not r.d.any()
        ok = isa.lmma(0, AFmt.INT8, 1, tag=3)
        assert core.step(ok).status == Status.OK, "the next instruction proceeds normally"


@given(w=st.integers(0, 2**32 - 1))
def test_check_agrees_with_step(w: int) -> None:
    core = status_core()
    assert core.check(w) == core.step(w).status


def test_table_rewritten_with_other_afmt_invalidates_old_format() -> None:
    core = loaded(tregs=range(1))
    assert core.step(isa.lmma(0, AFmt.INT8, 1)).status == Status.OK
    assert core.step(isa.lutgen(0, AFmt.INT16), a_bus(v=-300)).status == Status.OK
    assert core.step(isa.lmma(0, AFmt.INT8, 1)).status == Status.TABLE_INVALID
    assert core.step(isa.lmma(0, AFmt.INT16, 1)).status == Status.OK


def test_reset_invalidates_all_tables() -> None:
    core = loaded()
    core.reset()
    assert core.tables == [None] * CFG.T
    for t in range(CFG.T):
        assert core.step(isa.lmma(t, AFmt.INT8, 1)).status == Status.TABLE_INVALID


def test_w8_config_accepts_eight_planes() -> None:
    cfg = CONFIGS["M2N4W8"]
    core = loaded(cfg)
    assert core.check(isa.lmma(0, AFmt.INT8, 8, cfg=cfg)) == Status.OK
    assert core.check(word(wbits=9)) == Status.UNSUPPORTED
    assert CoreModel(CFG).check(word(wbits=8)) == Status.UNSUPPORTED


def test_responses_compare_by_value() -> None:
    z = np.zeros((2, 4), dtype=np.int64)
    assert Response(1, Status.OK, z) == Response(1, Status.OK, z.copy())
    assert Response(1, Status.OK, z) != Response(1, Status.OK, z + 1)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"a_bus": 1 << CFG.a_bits}, "a_bus"),
        ({"w_bus": -1}, "w_bus"),
        ({"c_bus": 1 << CFG.c_bits}, "c_bus"),
        ({"word": 1 << 32}, "word"),
    ],
)
def test_step_rejects_out_of_range_buses(kw: dict[str, int], name: str) -> None:
    core = loaded()
    before = copy.deepcopy(snapshot(core))
    args = {"word": isa.lmma(0, AFmt.INT8, 1), **kw}
    with pytest.raises(ValueError, match=rf"^{name}="):
        core.step(**args)
    assert snapshot(core) == before
