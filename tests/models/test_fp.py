# SPDX-License-Identifier: Apache-2.0
"""The FP contract model (``models.fp``) against independent references.

Conversions against Berkeley SoftFloat (FP16, BF16) and a hand decoder of the
FP8 encodings; table entries and LMMA accumulation against a scalar loop of
SoftFloat additions in the contract's order, on random, subnormal-heavy,
special-heavy and cancellation-heavy values; the MAC core's FP LMMA against
SoftFloat products and additions in its order. A model that sums in another
order or rounds once at the end must be caught (negative tests).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import softfloatpy as sf

from models.config import FP_AFMTS, AFmt
from models.encoding import encode_weights
from models.fp import (
    CANONICAL_NAN,
    FP_FORMATS,
    bits,
    check_fp_afmt,
    dequantize,
    fp_lmma,
    fp_tables,
    mac_fp_lmma,
    to_f32,
)

RNG = np.random.default_rng(20261201)


def sf_add(a: int, b: int) -> int:
    """binary32 a + b by SoftFloat (RNE), any NaN canonical."""
    r = sf.f32_add(
        sf.Float32.from_bytes(a.to_bytes(4, "big")), sf.Float32.from_bytes(b.to_bytes(4, "big"))
    )
    out = int.from_bytes(r.to_bytes(), "big")
    return CANONICAL_NAN if (out & 0x7F800000) == 0x7F800000 and out & 0x7FFFFF else out


def sf_neg(a: int) -> int:
    return a ^ 0x80000000


def sf_scale(a: int, i: int) -> int:
    """a * 2^i by SoftFloat multiplication (exact unless it overflows)."""
    two = sf.Float32.from_bytes(np.float32(2.0**i).tobytes()[::-1])
    r = sf.f32_mul(sf.Float32.from_bytes(a.to_bytes(4, "big")), two)
    return int.from_bytes(r.to_bytes(), "big")


def fp8_decode(byte: int, exp_bits: int, man_bits: int, fn: bool) -> float:
    """An FP8 pattern's value, from the encoding's definition (no library)."""
    s = -1.0 if byte >> 7 else 1.0
    e = (byte >> man_bits) & ((1 << exp_bits) - 1)
    m = byte & ((1 << man_bits) - 1)
    bias = (1 << (exp_bits - 1)) - 1
    top = (1 << exp_bits) - 1
    if fn and e == top and m == (1 << man_bits) - 1:
        return math.nan  # E4M3 "fn": only S.1111.111 is NaN, no infinities
    if not fn and e == top:
        return s * math.inf if m == 0 else math.nan
    if e == 0:
        return s * m * 2.0 ** (1 - bias - man_bits)
    return s * (1 + m / (1 << man_bits)) * 2.0 ** (e - bias)


@pytest.mark.parametrize(
    ("afmt", "exp_bits", "man_bits", "fn"),
    [
        (AFmt.FP8_E4M3, 4, 3, True),
        (AFmt.FP8_E5M2, 5, 2, False),
    ],
)
def test_fp8_converts_exactly_every_pattern(
    afmt: AFmt, exp_bits: int, man_bits: int, fn: bool
) -> None:
    lanes = np.arange(1 << 16, dtype=np.uint16)  # upper byte junk: ignored
    got = to_f32(lanes, afmt)
    for v in range(1 << 16):
        want = fp8_decode(v & 0xFF, exp_bits, man_bits, fn)
        g = float(got[v])
        assert (math.isnan(g) and math.isnan(want)) or (
            g == want and math.copysign(1, g) == math.copysign(1, want)
        ), (v, g, want)


@pytest.mark.parametrize(
    ("afmt", "convert"), [(AFmt.FP16, sf.f16_to_f32), (AFmt.BF16, sf.bf16_to_f32)]
)
def test_16_bit_formats_convert_exactly_every_pattern(afmt: AFmt, convert) -> None:
    lanes = np.arange(1 << 16, dtype=np.uint16)
    got = bits(to_f32(lanes, afmt))
    src = sf.Float16 if afmt == AFmt.FP16 else sf.BFloat16
    for v in range(1 << 16):
        r = int.from_bytes(convert(src.from_bytes(v.to_bytes(2, "big"))).to_bytes(), "big")
        if (r & 0x7F800000) == 0x7F800000 and r & 0x7FFFFF:
            r = CANONICAL_NAN
        assert int(got[v]) == r, (hex(v), hex(int(got[v])), hex(r))


def _values(n: int) -> np.ndarray:
    """binary32 patterns: uniform bits, subnormals, specials, close magnitudes."""
    u = RNG.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32)
    sub = (RNG.integers(0, 1 << 23, n) | (RNG.integers(0, 2, n) << 31)).astype(np.uint32)
    special = RNG.choice(
        np.array(
            [
                0,
                0x80000000,
                0x7F800000,
                0xFF800000,
                0x7FC00000,
                0x7F800001,
                0x00000001,
                0x007FFFFF,
                0x00800000,
                0x7F7FFFFF,
                0xFF7FFFFF,
                0x3F800000,
                0xBF800000,
            ],
            dtype=np.uint32,
        ),
        n,
    )
    near = (np.uint32(0x3F800000) + RNG.integers(0, 64, n).astype(np.uint32)) | (
        RNG.integers(0, 2, n).astype(np.uint32) << np.uint32(31)
    )
    pick = RNG.integers(0, 4, n)
    return np.choose(pick, [u, sub, special, near]).astype(np.uint32)


def _ref_tables(a_bits: np.ndarray) -> list[int]:
    a0, a1, a2, a3 = (int(x) for x in a_bits)
    hi = (sf_add(a3, sf_neg(a2)), sf_add(a3, a2))
    lo = (sf_add(a1, sf_neg(a0)), sf_add(a1, a0))
    out = []
    for j in range(8):
        j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
        out.append(sf_add(hi[j2], lo[j0]) if j1 else sf_add(hi[j2], sf_neg(lo[1 - j0])))
    return out


def test_tables_follow_the_pairing_with_rne_additions() -> None:
    a_bits = _values(4 * 3000).reshape(3000, 4)
    got = bits(fp_tables(a_bits.view(np.float32)))
    for r in range(len(a_bits)):
        assert [int(x) for x in got[r]] == _ref_tables(a_bits[r]), r


def _ref_lmma(table_bits: np.ndarray, codes: np.ndarray, c: int, m: int, n: int) -> int:
    acc = c
    for i in range(codes.shape[0]):
        code = int(codes[i, n])
        e = int(table_bits[m, code & 7])
        term = sf_scale(sf_neg(e) if code >> 3 else e, i)
        acc = sf_add(acc, term)
    return acc


@pytest.mark.parametrize("b", [1, 2, 4, 8])
def test_lmma_accumulates_plane_by_plane_in_order(b: int) -> None:
    M, N = 2, 16
    for _ in range(60):
        t_bits = _values(M * 8).reshape(M, 8)
        codes = RNG.integers(0, 16, (b, N))
        c = _values(M * N).reshape(M, N)
        got = fp_lmma(t_bits.view(np.float32), codes, c)
        for m in range(M):
            for n in range(N):
                assert int(got[m, n]) == _ref_lmma(t_bits, codes, int(c[m, n]), m, n)


def test_contract_corner_rules() -> None:
    f = np.float32
    t = np.array([[1.0, -1.0, 0.0, -0.0, np.inf, 1e-45, 3e38, 2.0]], dtype=f)  # one row

    def one(code: int, c: float, b: int = 1) -> int:
        return int(
            fp_lmma(t, np.full((b, 1), code), np.array([[c]], dtype=f).view(np.uint32))[0, 0]
        )

    assert one(0, -1.0) == 0x00000000  # x + (-x) = +0 under RNE
    assert one(3, -0.0) == 0x80000000  # (-0) + (-0) = -0
    assert one(2, -0.0) == 0x00000000  # (+0) + (-0) = +0
    assert one(4, -np.inf) == CANONICAL_NAN  # inf - inf
    assert one(4 | 8, np.nan) == CANONICAL_NAN  # NaN in, canonical NaN out
    assert one(5, 0.0, b=4) == int(f(1e-45).view(np.uint32)) * 15  # subnormal x (1+2+4+8), exact
    assert one(6, 3e38, b=2) == 0x7F800000  # 3e38 + 3e38 + 2*3e38 overflows to +inf
    assert check_fp_afmt(AFmt.BF16) == AFmt.BF16
    with pytest.raises(ValueError, match="afmt=0 is not a floating-point format"):
        check_fp_afmt(AFmt.INT8)
    assert set(FP_FORMATS) == {AFmt.FP8_E4M3, AFmt.FP16, AFmt.BF16, AFmt.FP8_E5M2}


def test_a_model_that_rounds_once_at_the_end_is_caught() -> None:
    """Negative: the per-plane order matters; float64 accumulation then one rounding differs."""
    M, N, b = 2, 64, 8
    t_bits = _values(M * 8).reshape(M, 8)
    codes = RNG.integers(0, 16, (b, N))
    c = _values(M * N).reshape(M, N)
    good = fp_lmma(t_bits.view(np.float32), codes, c)
    with np.errstate(invalid="ignore", over="ignore"):
        tab = t_bits.view(np.float32).astype(np.float64)
        acc = c.view(np.float32).astype(np.float64)
        for i in range(b):
            e = tab[:, codes[i] & 7]
            acc = acc + np.where((codes[i] >> 3).astype(bool)[None, :], -e, e) * 2.0**i
        wrong = bits(acc.astype(np.float32))
    assert (good != wrong).any(), "a once-rounded model went unnoticed: the check cannot fail"


# --- the MAC core's FP LMMA ---------------------------------------------------


def sf_mul(a: int, b: int) -> int:
    """binary32 a * b by SoftFloat (RNE), any NaN canonical."""
    r = sf.f32_mul(
        sf.Float32.from_bytes(a.to_bytes(4, "big")), sf.Float32.from_bytes(b.to_bytes(4, "big"))
    )
    out = int.from_bytes(r.to_bytes(), "big")
    return CANONICAL_NAN if (out & 0x7F800000) == 0x7F800000 and out & 0x7FFFFF else out


@pytest.mark.parametrize("b", [1, 2, 3, 4, 8])
def test_dequantize_inverts_the_offline_encoding(b: int) -> None:
    q = RNG.integers(0, 1 << b, (4, 32))
    codes = encode_weights(q, b)[:, 0, :]  # [b, N] of one group
    assert np.array_equal(dequantize(codes), 2 * q - ((1 << b) - 1))


def _act_lanes(afmt: AFmt, shape: tuple[int, ...]) -> np.ndarray:
    """Raw lanes of ``afmt``: uniform patterns, a third of them forced to the widest
    exponents (BF16's top exponents overflow once multiplied), zeros and subnormals."""
    raw = RNG.integers(0, 1 << 16, shape).astype(np.uint16)
    pick = RNG.integers(0, 6, shape)
    hi = {AFmt.BF16: 0x7F00, AFmt.FP16: 0x7800}.get(afmt, 0x0078)
    raw = np.where(pick == 0, raw | np.uint16(hi), raw)
    raw = np.where(pick == 1, raw & np.uint16(0x8007), raw)  # zeros and subnormals
    return raw.astype(np.uint16)


def _ref_mac(acts: np.ndarray, w: np.ndarray, c: int, m: int, n: int) -> int:
    p = [sf_mul(int(acts[m, k]), int(np.float32(w[k, n]).view(np.uint32))) for k in range(4)]
    return sf_add(c, sf_add(sf_add(p[0], p[1]), sf_add(p[2], p[3])))


@pytest.mark.parametrize("afmt", FP_AFMTS, ids=lambda f: f.name)
@pytest.mark.parametrize("b", [1, 3, 4, 8])
def test_mac_lmma_is_exact_products_then_the_tree_then_c(afmt: AFmt, b: int) -> None:
    M, N = 2, 16
    for _ in range(25):
        acts = bits(to_f32(_act_lanes(afmt, (M, 4)), afmt))
        codes = RNG.integers(0, 16, (b, N))
        c = _values(M * N).reshape(M, N)
        w = dequantize(codes)
        got = mac_fp_lmma(acts.view(np.float32), codes, c)
        for m in range(M):
            for n in range(N):
                assert int(got[m, n]) == _ref_mac(acts, w, int(c[m, n]), m, n), (m, n)


def test_mac_products_need_no_rounding() -> None:
    """Every activation of every FP format times every odd weight up to 255 is exact
    in binary32 or overflows: the MAC core's multipliers have no rounding step."""
    w = np.arange(1, 256, 2, dtype=np.float64)
    for afmt in FP_AFMTS:
        a = to_f32(np.arange(1 << 16, dtype=np.uint16), afmt).astype(np.float64)
        a = a[np.isfinite(a)]
        exact = a[:, None] * w[None, :]  # float64 holds these products exactly
        with np.errstate(over="ignore"):
            f32 = exact.astype(np.float32)
        fin = np.abs(exact) < 2.0**128
        assert np.array_equal(f32[fin].astype(np.float64), exact[fin]), afmt.name
        assert np.isinf(f32[~fin]).all(), afmt.name


def test_a_mac_model_that_accumulates_in_order_is_caught() -> None:
    """Negative: ((C + p0) + p1) + ... is another contract; the tree must be told apart."""
    M, N, b = 16, 64, 4
    rng = np.random.default_rng(7)
    lanes = rng.integers(0x0400, 0x7BFF, (M, 4)).astype(np.uint16)  # normal FP16, any exponent
    acts = to_f32(lanes, AFmt.FP16)
    codes = rng.integers(0, 16, (b, N))
    c = np.full((M, N), 0x3F800000, dtype=np.uint32)  # C = 1.0
    good = mac_fp_lmma(acts, codes, c)
    w = dequantize(codes).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        acc = c.view(np.float32)
        for k in range(4):
            acc = acc + acts[:, k, None] * w[None, k, :]
    assert (good != bits(acc)).any(), "an in-order model went unnoticed: the check cannot fail"
