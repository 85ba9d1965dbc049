# SPDX-License-Identifier: Apache-2.0
"""The LUT path equals the plain math; C accumulation wraps like INT32; epilogue.

``check_lut_equals_math`` is the one property; the negative tests feed it a
deliberately broken encoder to prove it can fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import encoding, tables
from models.config import CONFIGS, AFmt, CoreConfig
from models.lmma import ACC_MAX, ACC_MIN, lmma, lut_lookup, pack_c, unpack_c, wrap
from models.reference import (
    dequant_from_symmetric,
    dequant_matmul,
    lut_matmul,
    symmetric_matmul,
)
from tests.models.strategies import acts, afmts, bits, configs, int_arrays, weights

ALL_B = range(1, 9)


def check_lut_equals_math(a: np.ndarray, q: np.ndarray, b: int) -> None:
    """One group through tables + codes + LMMA must equal ``a @ (2q - (2^b - 1))``.

    Looks the encoder up on the module at call time so a test can swap it.
    """
    afmt = AFmt.INT8 if -128 <= a.min() and a.max() <= 127 else AFmt.INT16
    t = tables.make_tables(a, afmt)
    codes = encoding.encode_weights(q, b)[:, 0, :]
    d = lmma(t, codes, np.zeros((a.shape[0], q.shape[1]), dtype=np.int64))
    expected = symmetric_matmul(a, q, b)
    assert np.array_equal(d, expected), f"LUT path {d.tolist()} != math {expected.tolist()}"


@st.composite
def lut_cases(draw: st.DrawFn, b: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    b = draw(bits) if b is None else b
    m, n = draw(st.integers(1, 6)), draw(st.integers(1, 70))
    return draw(acts((m, 4), draw(afmts))), draw(weights((4, n), b)), b


@pytest.mark.parametrize("b", ALL_B)
@given(data=st.data())
def test_lut_equals_math(b: int, data: st.DataObject) -> None:
    check_lut_equals_math(*data.draw(lut_cases(b)))


@pytest.mark.parametrize("b", ALL_B)
@pytest.mark.parametrize("fill", ["lo", "hi"])
@pytest.mark.parametrize("qfill", ["zero", "max"])
@pytest.mark.parametrize("afmt", [AFmt.INT8, AFmt.INT16])
def test_lut_equals_math_extremes(b: int, fill: str, qfill: str, afmt: AFmt) -> None:
    lo, hi = tables.act_range(afmt)
    a = np.array([[lo if fill == "lo" else hi] * 4, [lo, hi, lo, hi]])
    q = np.full((4, 3), 0 if qfill == "zero" else (1 << b) - 1)
    check_lut_equals_math(a, q, b)


def test_every_index_reaches_f() -> None:
    """All 16 bit-plane patterns: lookup of the encoded code equals F[idx] (neg + inverted sel)."""
    a = np.array([[3, -5, 7, 11], [-128, 127, 1, -1]])
    idx = np.arange(16)
    q = (idx[None, :] >> np.arange(4)[:, None]) & 1
    f = a @ (2 * q - 1)  # F[m, idx]
    got = lut_lookup(tables.make_tables(a, AFmt.INT8), encoding.encode_weights(q, 1)[0, 0])
    assert np.array_equal(got, f)


@given(data=st.data())
def test_multi_group_gemm_equals_math(data: st.DataObject) -> None:
    b, afmt = data.draw(bits), data.draw(afmts)
    mt, kt, nt = (
        data.draw(st.integers(1, 5)),
        4 * data.draw(st.integers(1, 8)),
        data.draw(st.integers(1, 20)),
    )
    a, q = data.draw(acts((mt, kt), afmt)), data.draw(weights((kt, nt), b))
    assert np.array_equal(lut_matmul(a, q, b, afmt), wrap(symmetric_matmul(a, q, b)))


near_limits = st.one_of(
    st.integers(ACC_MAX - (1 << 26), ACC_MAX),
    st.integers(ACC_MIN, ACC_MIN + (1 << 26)),
    st.integers(ACC_MIN, ACC_MAX),
)


@given(case=lut_cases(), data=st.data())
def test_c_accumulates_and_wraps_int32(
    case: tuple[np.ndarray, np.ndarray, int], data: st.DataObject
) -> None:
    a, q, b = case
    c = data.draw(
        int_arrays((a.shape[0], q.shape[1]), ACC_MIN, ACC_MAX)
        | near_limits.map(lambda v: np.full((a.shape[0], q.shape[1]), v, dtype=np.int64))
    )
    d = lmma(tables.make_tables(a, AFmt.INT16), encoding.encode_weights(q, b)[:, 0, :], c)
    s = symmetric_matmul(a, q, b)
    expected = [
        [((int(ci) + int(si) + 2**31) % 2**32) - 2**31 for ci, si in zip(cr, sr, strict=False)]
        for cr, sr in zip(c, s, strict=False)
    ]
    assert d.tolist() == expected


def test_wrap_directed() -> None:
    a = np.array([[32767] * 4])
    q = np.full((4, 1), 255)
    c = np.array([[ACC_MAX]])
    d = lmma(tables.make_tables(a, AFmt.INT16), encoding.encode_weights(q, 8)[:, 0, :], c)
    assert d[0, 0] == ACC_MAX + 4 * 32767 * 255 - 2**32 < 0  # wrapped to negative
    assert wrap(2**31) == ACC_MIN and wrap(ACC_MIN - 1) == ACC_MAX and wrap(-1) == -1
    assert wrap(np.array([2**31, 2**32 + 5, -(2**31) - 1])).tolist() == [ACC_MIN, 5, ACC_MAX]
    assert wrap(0x1FF, bits=8) == -1 and isinstance(wrap(3), int)


@given(cfg=configs, data=st.data())
def test_pack_unpack_c_round_trip(cfg: CoreConfig, data: st.DataObject) -> None:
    c = data.draw(int_arrays((cfg.M, cfg.N), ACC_MIN, ACC_MAX))
    word = pack_c(c, cfg)
    assert 0 <= word < 1 << cfg.c_bits
    assert np.array_equal(unpack_c(word, cfg), c)


def test_c_lane_position() -> None:
    cfg = CONFIGS["M2N4"]
    c = np.zeros((2, 4), dtype=np.int64)
    c[1, 3] = -1  # lane 1*4 + 3 = 7
    assert pack_c(c, cfg) == 0xFFFFFFFF << (32 * 7)


@given(data=st.data())
def test_dequant_from_symmetric_equals_dequant(data: st.DataObject) -> None:
    b, afmt = data.draw(bits), data.draw(afmts)
    mt, kt, nt = (
        data.draw(st.integers(1, 6)),
        data.draw(st.integers(1, 24)),
        data.draw(st.integers(1, 12)),
    )
    a, q = data.draw(acts((mt, kt), afmt)), data.draw(weights((kt, nt), b))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    s = rng.uniform(1e-3, 2.0, nt)
    z = rng.uniform(0, (1 << b) - 1, nt)
    got = dequant_from_symmetric(symmetric_matmul(a, q, b), a, s, z, b)
    assert np.allclose(got, dequant_matmul(a, q, s, z), rtol=1e-9, atol=1e-6)


# --- negative tests: the property must bite --------------------------------


def _encoder_without_inversion(q: np.ndarray, b: int) -> np.ndarray:
    """Bug: negative entries keep sel = idx[2:0] instead of ~idx[2:0]."""
    planes = encoding.bit_planes(q, b).astype(np.int64).reshape(b, -1, 4, q.shape[1])
    idx = (planes << np.arange(4).reshape(1, 1, 4, 1)).sum(axis=2)
    return ((((idx >> 3) == 0) << 3) | (idx & 7)).astype(np.uint8)


def _encoder_without_negation(q: np.ndarray, b: int) -> np.ndarray:
    """Bug: the neg bit is dropped, so F[idx] for idx < 8 comes out with the wrong sign."""
    return _REAL_ENCODE(q, b) & 0x7


_REAL_ENCODE = encoding.encode_weights
MUTANTS = [_encoder_without_inversion, _encoder_without_negation]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda f: f.__name__)
def test_wrong_encoder_fails_directed(mutant, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(encoding, "encode_weights", mutant)
    a = np.array([[1, 2, 4, 8]])
    q = (np.arange(16)[None, :] >> np.arange(4)[:, None]) & 1
    with pytest.raises(AssertionError):
        check_lut_equals_math(a, q, 1)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda f: f.__name__)
def test_wrong_encoder_fails_property(mutant, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The same hypothesis property, run against the mutant, finds a counterexample."""
    monkeypatch.setattr(encoding, "encode_weights", mutant)

    @settings(max_examples=200)
    @given(case=lut_cases())
    def prop(case: tuple[np.ndarray, np.ndarray, int]) -> None:
        check_lut_equals_math(*case)

    with pytest.raises(AssertionError):
        prop()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: lut_lookup(np.zeros((2, 7), dtype=int), np.zeros(3, dtype=int)), "tables"),
        (lambda: lut_lookup(np.full((2, 8), 1 << 18), np.zeros(3, dtype=int)), "tables"),
        (lambda: lut_lookup(np.zeros((2, 8), dtype=int), np.array([16])), "code"),
        (
            lambda: lmma(
                np.zeros((2, 8), dtype=int),
                np.zeros((9, 3), dtype=int),
                np.zeros((2, 3), dtype=int),
            ),
            "b",
        ),
        (
            lambda: lmma(
                np.zeros((2, 8), dtype=int),
                np.zeros((2, 3), dtype=int),
                np.zeros((2, 4), dtype=int),
            ),
            "c",
        ),
        (
            lambda: lmma(
                np.zeros((2, 8), dtype=int), np.zeros((2, 3), dtype=int), np.full((2, 3), 2**31)
            ),
            "c",
        ),
        (lambda: pack_c(np.zeros((2, 5), dtype=int), CONFIGS["M2N4"]), "c"),
        (lambda: unpack_c(1 << 256, CONFIGS["M2N4"]), "word"),
        (lambda: symmetric_matmul(np.zeros((2, 4), dtype=int), np.full((4, 2), 4), 2), "q"),
        (
            lambda: symmetric_matmul(np.zeros((2, 4), dtype=int), np.zeros((3, 2), dtype=int), 2),
            "q",
        ),
        (
            lambda: symmetric_matmul(np.zeros((2, 4), dtype=int), np.zeros((4, 2), dtype=int), 0),
            "b",
        ),
        (
            lambda: dequant_matmul(
                np.zeros((2, 4), dtype=int), np.zeros((4, 2), dtype=int), np.ones(3), np.ones(2)
            ),
            "s",
        ),
        (
            lambda: dequant_from_symmetric(
                np.zeros((2, 2)), np.zeros((2, 4), dtype=int), np.ones(2), np.ones(1), 2
            ),
            "z",
        ),
        (lambda: lut_matmul(np.full((1, 4), 200), np.zeros((4, 1), dtype=int), 2, AFmt.INT8), "a"),
        (
            lambda: lut_matmul(
                np.zeros((1, 6), dtype=int), np.zeros((6, 1), dtype=int), 2, AFmt.INT8
            ),
            "Kt",
        ),
        (lambda: wrap(3, bits=0), "bits"),
    ],
)
def test_errors_name_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
