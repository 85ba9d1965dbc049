# SPDX-License-Identifier: Apache-2.0
"""Symmetrized tables (entry order, symmetry, widths) and the activation bus."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.config import CONFIGS, TABLE_W, AFmt, CoreConfig
from models.tables import (
    act_range,
    check_afmt,
    check_any_afmt,
    make_tables,
    pack_a,
    unpack_a,
    unpack_lanes,
)
from tests.models.strategies import acts, afmts, configs

#: docs section 2, row by row: signs of (a0, a1, a2, a3) for entry j
DOC_ENTRY_SIGNS = [
    (-1, -1, -1, +1),
    (+1, -1, -1, +1),
    (-1, +1, -1, +1),
    (+1, +1, -1, +1),
    (-1, -1, +1, +1),
    (+1, -1, +1, +1),
    (-1, +1, +1, +1),
    (+1, +1, +1, +1),
]


def full_f(a: np.ndarray) -> np.ndarray:
    """F[m, idx] = sum_k (2 idx_k - 1) a[m, k], straight from the definition."""
    idx_bits = (np.arange(16)[:, None] >> np.arange(4)[None, :]) & 1  # [16, 4]
    return a @ (2 * idx_bits - 1).T


def test_entry_order_matches_doc() -> None:
    a = np.array([[1, 10, 100, 1000]])
    expected = [sum(s * v for s, v in zip(signs, a[0], strict=False)) for signs in DOC_ENTRY_SIGNS]
    assert make_tables(a, AFmt.INT16)[0].tolist() == expected
    assert expected == [889, 891, 909, 911, 1089, 1091, 1109, 1111]


@given(afmt=afmts, data=st.data())
def test_tables_are_the_upper_half_of_f(afmt: AFmt, data: st.DataObject) -> None:
    a = data.draw(acts((data.draw(st.integers(1, 8)), 4), afmt))
    t, f = make_tables(a, afmt), full_f(a)
    assert t.dtype == np.int64 and t.shape == (a.shape[0], 8)
    assert np.array_equal(t, f[:, 8:])  # T[j] = F[8 | j]
    assert np.array_equal(f[:, 15 - np.arange(16)], -f)  # F[~idx] = -F[idx]
    assert np.array_equal(t[:, 7], a.sum(axis=1))  # entry 7 is the row sum (zero-point term)


@pytest.mark.parametrize("afmt", [AFmt.INT8, AFmt.INT16])
def test_extremes_fit_table_width(afmt: AFmt) -> None:
    """Stored entries span [4*lo, hi - 3*lo]; the negated minimum must fit TableW too."""
    lo, hi = act_range(afmt)
    a = np.array([[lo] * 4, [hi] * 4, [lo, lo, lo, hi], [hi, hi, hi, lo]])
    t = make_tables(a, afmt)
    # a3 always enters with +, so the extremes are asymmetric: [4*lo, hi + 3*(-lo)]
    assert t.min() == 4 * lo and t.max() == hi - 3 * lo
    # the LUT unit negates: -(4*lo) = 512 (INT8) / 131072 (INT16) must fit TableW signed
    assert -4 * lo <= (1 << (TABLE_W - 1)) - 1
    if afmt == AFmt.INT16:  # ... and needs all of it
        assert -4 * lo > (1 << (TABLE_W - 2)) - 1


@given(cfg=configs, afmt=afmts, data=st.data())
def test_pack_unpack_a_round_trip(cfg: CoreConfig, afmt: AFmt, data: st.DataObject) -> None:
    a = data.draw(acts((cfg.M, 4), afmt))
    word = pack_a(a, cfg)
    assert 0 <= word < 1 << cfg.a_bits
    assert np.array_equal(unpack_a(word, cfg, afmt), a)


@given(cfg=configs, data=st.data())
def test_int8_unpack_ignores_upper_lane_bits(cfg: CoreConfig, data: st.DataObject) -> None:
    a = data.draw(acts((cfg.M, 4), AFmt.INT8))
    junk = data.draw(st.lists(st.integers(0, 255), min_size=cfg.M * 4, max_size=cfg.M * 4))
    word = pack_a(a, cfg)
    for lane, j in enumerate(junk):
        word = (word & ~(0xFF00 << 16 * lane)) | (j << (16 * lane + 8))
    assert np.array_equal(unpack_a(word, cfg, AFmt.INT8), a)


def test_a_lane_position_and_sign_extension() -> None:
    cfg = CONFIGS["M2N4"]
    a = np.zeros((2, 4), dtype=np.int64)
    a[1, 2] = -2  # lane 1*4 + 2 = 6
    assert pack_a(a, cfg) == 0xFFFE << (16 * 6)


def test_unpack_lanes_gives_raw_patterns() -> None:
    """FP formats read the lanes as bit patterns: no sign extension, all 16 bits."""
    cfg = CONFIGS["M2N4"]
    word = (0xFE01 << (16 * 6)) | 0x3C00
    lanes = unpack_lanes(word, cfg)
    assert lanes.dtype == np.uint16 and lanes.shape == (cfg.M, 4)
    assert (lanes[0, 0], lanes[1, 2]) == (0x3C00, 0xFE01) and lanes.sum() == 0x3C00 + 0xFE01
    assert unpack_a(word, cfg, AFmt.INT16)[1, 2] == 0xFE01 - (1 << 16)


def test_check_any_afmt_takes_every_format() -> None:
    assert [check_any_afmt(int(f)) for f in AFmt] == list(AFmt)
    assert check_afmt(AFmt.INT16) == AFmt.INT16


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: make_tables(np.array([[128, 0, 0, 0]]), AFmt.INT8), "a"),
        (lambda: make_tables(np.array([[-32769, 0, 0, 0]]), AFmt.INT16), "a"),
        (lambda: make_tables(np.zeros((2, 3), dtype=int), AFmt.INT8), "a"),
        (lambda: make_tables(np.zeros((2, 4)), AFmt.INT8), "a"),
        (lambda: make_tables(np.zeros((2, 4), dtype=int), AFmt.FP8_E4M3), "afmt"),
        (lambda: make_tables(np.zeros((2, 4), dtype=int), 7), "afmt"),
        (lambda: pack_a(np.zeros((3, 4), dtype=int), CONFIGS["M2N4"]), "a"),
        (lambda: pack_a(np.full((2, 4), 1 << 15), CONFIGS["M2N4"]), "a"),
        (lambda: unpack_a(1 << 128, CONFIGS["M2N4"], AFmt.INT8), "word"),
        (lambda: unpack_a(0, CONFIGS["M2N4"], AFmt.FP16), "afmt"),
        (lambda: unpack_lanes(1 << 128, CONFIGS["M2N4"]), "word"),
        (lambda: check_any_afmt(6), "afmt"),
        (lambda: check_any_afmt("FP16"), "afmt"),
        (lambda: check_afmt(AFmt.BF16), "afmt"),
    ],
)
def test_errors_name_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
