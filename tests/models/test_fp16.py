# SPDX-License-Identifier: Apache-2.0
"""The binary16 FP datapath model (``models.fp16``) against Berkeley SoftFloat.

Additions, tables and LMMA accumulation against scalar loops of SoftFloat's
``f16_add`` (and ``f16_mul`` for the plane scaling) in the contract's order,
IEEE and flush-to-zero (FTZ: SoftFloat's addition between a flush of its
operands and of its sum); the core and batch models on binary16 instances;
the configuration rules; and the rounding bound of an FP16-accumulate GEMM,
with its negatives (a model that accumulates in binary32 and rounds once, a
few-ulp table entry, and the IEEE bound applied to an FTZ datapath are caught).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import softfloatpy as sf

from models import fp, fp16, isa
from models.batch import Batch, BatchModel
from models.config import (
    ALL_FORMATS,
    CONFIGS,
    FP16_ACC_AFMTS,
    AccFmt,
    AFmt,
    CoreConfig,
    FpAcc,
    Opcode,
    Status,
    config_by_name,
    formats_mask,
)
from models.core import CoreModel
from models.encoding import encode_weights, pack_codes
from models.isa import Instr, encode
from tests.models.test_batch import mismatches
from tests.models.test_fp_core import a_bus_of, fp_lanes, fp_stream

RNG = np.random.default_rng(20261206)
NAN16 = fp16.CANONICAL_NAN16
FMTS16 = formats_mask([AFmt.INT8, *FP16_ACC_AFMTS])
H = CoreConfig(M=2, N=4, formats=FMTS16, fp_acc=FpAcc.FP16)
HZ = CoreConfig(M=2, N=4, formats=FMTS16, fp_acc=FpAcc.FP16_FTZ)


# --- SoftFloat references -----------------------------------------------------------


def _f16(x: int) -> sf.Float16:
    return sf.Float16.from_bytes(int(x).to_bytes(2, "big"))


def _out(r: sf.Float16) -> int:
    v = int.from_bytes(r.to_bytes(), "big")
    return NAN16 if (v & 0x7C00) == 0x7C00 and v & 0x3FF else v


def flush16(x: int) -> int:
    """A subnormal binary16 pattern -> the zero of its sign."""
    return x & 0x8000 if (x & 0x7C00) == 0 else x


def sf_add(a: int, b: int, ftz: bool = False) -> int:
    """binary16 a + b by SoftFloat (RNE); FTZ flushes the operands and the sum."""
    if ftz:
        return flush16(_out(sf.f16_add(_f16(flush16(a)), _f16(flush16(b)))))
    return _out(sf.f16_add(_f16(a), _f16(b)))


def sf_scale(a: int, i: int) -> int:
    """a * 2^i by SoftFloat multiplication (exact unless it overflows)."""
    return _out(sf.f16_mul(_f16(a), _f16(int(np.float16(2.0**i).view(np.uint16)))))


def values16(n: int) -> np.ndarray:
    """binary16 patterns: uniform, subnormal, specials, near one, near the normal boundary."""
    u = RNG.integers(0, 1 << 16, n).astype(np.uint16)
    sign = (RNG.integers(0, 2, n) << 15).astype(np.uint16)
    sub = RNG.integers(0, 1 << 10, n).astype(np.uint16) | sign
    special = RNG.choice(
        np.array(
            [0, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF]
            + [0x3C00, 0xBC00],
            dtype=np.uint16,
        ),
        n,
    )
    near = (np.uint16(0x3C00) + RNG.integers(0, 32, n).astype(np.uint16)) | sign
    edge = (np.uint16(0x0400) + RNG.integers(-16, 16, n).astype(np.int64)).astype(np.uint16) | sign
    pick = RNG.integers(0, 5, n)
    return np.choose(pick, [u, sub, special, near, edge]).astype(np.uint16)


def as16(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.uint16).view(np.float16)


# --- the arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
def test_add_equals_softfloat(ftz: bool) -> None:
    a, b = values16(40000), values16(40000)
    got = fp16.bits16(fp16.add(as16(a), as16(b), ftz))
    for x, y, g in zip(a.tolist(), b.tolist(), got.tolist(), strict=True):
        assert g == sf_add(x, y, ftz), (hex(x), hex(y), hex(g))


@pytest.mark.parametrize("afmt", FP16_ACC_AFMTS, ids=lambda f: f.name)
def test_activations_embed_exactly(afmt: AFmt) -> None:
    lanes = np.arange(1 << 16, dtype=np.uint16)
    got = fp16.to_f16(lanes, afmt).astype(np.float32)
    assert np.array_equal(fp.bits(got), fp.bits(fp.to_f32(lanes, afmt)))
    with pytest.raises(ValueError, match="afmt=BF16 has no binary16 datapath"):
        fp16.to_f16(lanes, AFmt.BF16)


def _ref_tables(a: list[int], ftz: bool) -> list[int]:
    a0, a1, a2, a3 = a
    hi = (sf_add(a3, a2 ^ 0x8000, ftz), sf_add(a3, a2, ftz))
    lo = (sf_add(a1, a0 ^ 0x8000, ftz), sf_add(a1, a0, ftz))
    out = []
    for j in range(8):
        j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
        out.append(sf_add(hi[j2], lo[j0], ftz) if j1 else sf_add(hi[j2], lo[1 - j0] ^ 0x8000, ftz))
    return out


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
def test_tables_follow_the_pairing_in_binary16(ftz: bool) -> None:
    a = values16(4 * 2000).reshape(2000, 4)
    got = fp16.bits16(fp16.tables(as16(a), ftz))
    for r in range(len(a)):
        assert got[r].tolist() == _ref_tables(a[r].tolist(), ftz), r


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
@pytest.mark.parametrize("b", [1, 2, 4, 8])
def test_lmma_accumulates_plane_by_plane_in_binary16(b: int, ftz: bool) -> None:
    M, N = 2, 16
    for _ in range(25):
        t = values16(M * 8).reshape(M, 8)
        codes = RNG.integers(0, 16, (b, N))
        junk = RNG.integers(0, 1 << 16, (M, N)).astype(np.uint32) << np.uint32(16)
        c = values16(M * N).reshape(M, N).astype(np.uint32) | junk  # [31:16] is ignored
        got = fp16.lmma(as16(t), codes, c, ftz)
        assert (got >> 16 == 0).all(), "D's upper half must be zero"
        for m in range(M):
            for n in range(N):
                acc = int(c[m, n]) & 0xFFFF
                for i in range(b):
                    code = int(codes[i, n])
                    e = int(t[m, code & 7]) ^ (0x8000 if code >> 3 else 0)
                    acc = sf_add(acc, sf_scale(e, i), ftz)
                assert int(got[m, n]) == acc, (m, n)


def test_corner_rules_ieee_and_ftz() -> None:
    t = as16(np.array([[0x3C00, 0xBC00, 0, 0x8000, 0x7C00, 0x0001, 0x7800, 0x0400]]))

    def one(code: int, c: int, b: int = 1, ftz: bool = False) -> int:
        return int(fp16.lmma(t, np.full((b, 1), code), np.array([[c]]), ftz)[0, 0])

    assert one(0, 0xBC00) == 0x0000  # x + (-x) = +0 under RNE
    assert one(3, 0x8000) == 0x8000  # (-0) + (-0) = -0
    assert one(4, 0xFC00) == NAN16  # inf - inf, canonical NaN
    assert one(0, 0x7D00) == NAN16  # a NaN C with a payload comes out canonical
    assert one(6, 0x7800, b=2) == 0x7C00  # 32768 + 32768 + 65536 overflows to +inf
    assert one(5, 0, b=4) == 15  # a subnormal entry x (1+2+4+8): exact
    assert one(5, 0, b=4, ftz=True) == 0  # FTZ: the subnormal entry reads as zero
    assert one(2, 0x0001) == 0x0001 and one(2, 0x0001, ftz=True) == 0  # subnormal C: DAZ
    # 2^-14 - 1.5 * 2^-14 = -2^-15: subnormal, kept by IEEE, flushed to -0 by FTZ
    assert one(7, 0x8600) == 0x8200 and one(7, 0x8600, ftz=True) == 0x8000


def test_a_model_that_rounds_once_at_the_end_is_caught() -> None:
    """Negative: binary32 accumulation with one rounding to binary16 differs."""
    M, N, b = 2, 64, 8
    t = values16(M * 8).reshape(M, 8)
    codes = RNG.integers(0, 16, (b, N))
    c = values16(M * N).reshape(M, N).astype(np.uint32)
    good = fp16.lmma(as16(t), codes, c)
    with np.errstate(invalid="ignore", over="ignore"):
        tab = as16(t).astype(np.float32)
        acc = as16(c.astype(np.uint16)).astype(np.float32)
        for i in range(b):
            e = tab[:, codes[i] & 7]
            acc = acc + np.where((codes[i] >> 3).astype(bool)[None, :], -e, e) * np.float32(2**i)
        wrong = fp16.bits16(acc.astype(np.float16)).astype(np.uint32)
    assert (good != wrong).any(), "a once-rounded model went unnoticed: the check cannot fail"


# --- the binary16 MAC ----------------------------------------------------------------


def sf_mul(x: int, w: int, ftz: bool = False) -> int:
    """binary16 x times the integer w (exact in binary16: |w| <= 255) by SoftFloat (RNE)."""
    ww = int(np.float16(w).view(np.uint16))
    if ftz:
        return flush16(_out(sf.f16_mul(_f16(flush16(x)), _f16(ww))))
    return _out(sf.f16_mul(_f16(x), _f16(ww)))


def _mac_sample(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` lanes: activations uint16 ``[n, 1, 4]``, odd weights ``[n, 4, 1]`` of 1..8 bits,
    C uint16 ``[n, 1, 1]``."""
    acts = values16(4 * n).reshape(n, 1, 4)
    b = RNG.integers(1, 9, (n, 1, 1))
    w = 2 * RNG.integers(0, 1 << 8, (n, 4, 1)) % (1 << b) - ((1 << b) - 1)
    big = RNG.random(n) < 0.25  # the widest weights, where products round most
    w[big] = RNG.choice([-255, 255, -253, 253, -129, 129], (int(big.sum()), 4, 1))
    return acts, w, values16(n).reshape(n, 1, 1)


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
def test_mac_products_and_sums_equal_softfloat(ftz: bool) -> None:
    """Every value the binary16 MAC forms, against SoftFloat's f16_mul and f16_add."""
    acts, w, c = _mac_sample(4000)
    t = fp16.mac_sums(as16(acts), w, as16(c), ftz)
    got = [fp16.bits16(v)[:, 0, 0] for v in (*t.p, t.s01, t.s23, t.s, t.d)]
    for r in range(len(acts)):
        p = [sf_mul(int(acts[r, 0, k]), int(w[r, k, 0]), ftz) for k in range(4)]
        s01, s23 = sf_add(p[0], p[1], ftz), sf_add(p[2], p[3], ftz)
        s = sf_add(s01, s23, ftz)
        want = [*p, s01, s23, s, sf_add(int(c[r, 0, 0]), s, ftz)]
        assert [int(g[r]) for g in got] == want, (r, acts[r], w[r].T, c[r])
    exact = as16(acts[:, 0, 0]).astype(np.float64) * w[:, 0, 0]
    inexact = np.isfinite(exact) & (t.p[0][:, 0, 0].astype(np.float64) != exact)
    assert np.count_nonzero(inexact) > 100  # the sample exercises the product's rounding


def test_mac_corner_rules() -> None:
    def d(a: list[int], c: int, ftz: bool = False, b: int = 2, q: int = 3) -> int:
        codes = encode_weights(np.full((4, 1), q), b)[:, 0, :]
        return int(fp16.mac_lmma(as16(np.array([a])), codes, np.array([[c]]), ftz)[0, 0])

    one = 0x3C00
    assert d([one, 0, 0, 0], 0) == 0x4200  # 1 * 3 = 3
    assert d([0x7BFF, 0, 0, 0], 0) == 0x7C00  # 65504 * 3 overflows to +inf
    assert d([0x7C00, 0xFC00, 0, 0], 0) == NAN16  # inf + (-inf) in the tree
    assert d([0x0001, 0, 0, 0], 0) == 0x0003  # a subnormal product, exact
    assert d([0x0001, 0, 0, 0], 0, ftz=True) == 0x0000  # FTZ: the activation reads as +0
    assert d([0x8000, 0x8000, 0x8000, 0x8000], 0x8000) == 0x8000  # (-0) * 3 sums to -0
    assert d([one, 0, 0, 0], 0, q=0) == 0xC200  # w = -3
    # 2050 * 3 = 6150, a tie between 6148 and 6152 (ulp 4): to even, 6152
    assert d([0x6801, 0, 0, 0], 0) == int(np.float16(6152).view(np.uint16))


def test_a_mac_that_rounds_once_or_accumulates_in_order_is_caught() -> None:
    """Negatives: binary32 products and sums rounded once at the end, and C first in order."""
    acts, w, c = _mac_sample(4000)
    good = fp16.bits16(fp16.mac_sums(as16(acts), w, as16(c)).d)
    with np.errstate(invalid="ignore", over="ignore"):
        a32, w32 = as16(acts).astype(np.float32), w.astype(np.float32)
        p32 = [a32[..., k, None] * w32[..., None, k, :] for k in range(4)]
        once = ((p32[0] + p32[1]) + (p32[2] + p32[3]) + as16(c).astype(np.float32)).astype(
            np.float16
        )
        p16 = [fp16.mul(as16(acts)[..., k, None], w[..., None, k, :]) for k in range(4)]
        acc = as16(c)
        for k in range(4):
            acc = fp16.add(acc, p16[k])
    assert (good != fp16.bits16(once)).any(), "a once-rounded MAC model went unnoticed"
    assert (good != fp16.bits16(acc)).any(), "an in-order MAC model went unnoticed"


# --- configuration and the instruction set --------------------------------------------


def test_configuration_rules() -> None:
    assert H.accfmt_of(AFmt.FP16) == AccFmt.FP16 and H.accfmt_of(AFmt.INT8) == AccFmt.INT32
    assert CoreConfig(formats=ALL_FORMATS).accfmt_of(AFmt.FP16) == AccFmt.FP32
    assert H.name == "M2N4T4W4F2DH" and HZ.name == "M2N4T4W4F2DHZ"
    assert CoreConfig(fp_acc=1, formats=FMTS16).fp_acc is FpAcc.FP16  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fp_acc='fp16' unknown; choose one of FP32, FP16, FP16"):
        CoreConfig(formats=FMTS16, fp_acc="fp16")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fp_acc=FP16 with formats=0x3F: build one or more"):
        CoreConfig(formats=ALL_FORMATS, fp_acc=FpAcc.FP16)  # BF16 does not embed
    with pytest.raises(ValueError, match="fp_acc=FP16_FTZ with formats=0x03"):
        CoreConfig(fp_acc=FpAcc.FP16_FTZ)  # no FP format: the option would do nothing
    with pytest.raises(ValueError, match="formats=0x2D: core lut_conv builds INT8, INT16 only"):
        CoreConfig(M=2, N=4, formats=FMTS16, core="lut_conv", fp_acc=FpAcc.FP16)
    with pytest.raises(ValueError, match="config='M2N4H' builds formats core lut_conv does not"):
        config_by_name("M2N4H", "lut_conv")
    assert config_by_name("M2N4HZ", "mac") == CoreConfig(
        M=2, N=4, formats=formats_mask([AFmt.FP16]), core="mac", fp_acc=FpAcc.FP16_FTZ
    )
    assert H.with_core("mac").rtl_parameters()["FpAcc"] == 1
    assert HZ.with_core("mac").rtl_parameters()["Core"] == 2 and HZ.with_core("mac").name == (
        "mac_M2N4T4W4F2DHZ"
    )
    assert HZ.rtl_parameters()["FpAcc"] == 2 and H.rtl_parameters()["Formats"] == FMTS16
    assert H.fits("mac") and H.fits("lut_tc") and not H.fits("lut_conv")
    assert CoreConfig(M=2, N=4, formats=FMTS16).rtl_parameters()["Formats"] == FMTS16
    assert "FpAcc" not in CONFIGS["M2N4F16"].rtl_parameters()  # binary32 builds unchanged
    assert CONFIGS["M2N4H"].rtl_parameters()["FpAcc"] == 1
    assert CONFIGS["M2N4HZ"].rtl_parameters()["FpAcc"] == 2
    with pytest.raises(ValueError, match="accfmt=FP32 unsupported with afmt=FP16; use FP16"):
        isa.lmma(0, AFmt.FP16, 2, accfmt=AccFmt.FP32, cfg=H)
    with pytest.raises(ValueError, match="accfmt=FP16 unsupported with afmt=FP16; use FP32"):
        isa.lmma(0, AFmt.FP16, 2, accfmt=AccFmt.FP16, cfg=CoreConfig(M=2, N=4, formats=FMTS16))


@pytest.mark.parametrize("cfg", [H, HZ], ids=lambda c: c.name)
def test_status_rules_of_the_accumulation_format(cfg: CoreConfig) -> None:
    core = CoreModel(cfg)
    core.step(isa.lutgen(0, AFmt.FP16, cfg=cfg), a_bus_of(np.full((2, 4), 0x3C00), cfg))
    lmma = {acc: encode(Instr(Opcode.LMMA, 0, AFmt.FP16, 1, acc)) for acc in range(4)}
    assert core.check(lmma[AccFmt.FP16]) == Status.OK
    for acc in (AccFmt.INT32, AccFmt.FP32, 3):
        assert core.check(lmma[acc]) == Status.UNSUPPORTED, acc
    fp32 = CoreModel(CoreConfig(M=2, N=4, formats=FMTS16))
    fp32.step(isa.lutgen(0, AFmt.FP16, cfg=fp32.cfg), a_bus_of(np.full((2, 4), 0x3C00), cfg))
    assert fp32.check(lmma[AccFmt.FP32]) == Status.OK
    assert fp32.check(lmma[AccFmt.FP16]) == Status.UNSUPPORTED


def test_core_model_runs_the_binary16_contract() -> None:
    cfg = HZ
    core = CoreModel(cfg)
    lanes = fp_lanes(RNG, AFmt.FP16, (cfg.M, 4))
    core.step(isa.lutgen(1, AFmt.FP16, cfg=cfg), a_bus_of(lanes, cfg))
    codes = RNG.integers(0, 16, (3, cfg.N))
    c = values16(cfg.M * cfg.N).reshape(cfg.M, cfg.N).astype(np.uint32)
    c_bus = sum(int(v) << (32 * k) for k, v in enumerate(c.reshape(-1)))
    r = core.step(isa.lmma(1, AFmt.FP16, 3, cfg=cfg), 0, pack_codes(codes, cfg), c_bus)
    assert r.status == Status.OK
    want = fp16.lmma(fp16.tables(as16(lanes), ftz=True), codes, c, ftz=True)
    assert np.array_equal(r.d, want.astype(np.int64))


def _c16_stream(cfg: CoreConfig, seed: int, n: int) -> Batch:
    """``fp_stream`` with binary16-shaped C lanes (upper halves random: ignored)."""
    rng = np.random.default_rng(seed)
    stream = fp_stream(cfg, rng, n)
    c = values16(n * cfg.M * cfg.N).astype(np.uint32)
    c |= rng.integers(0, 1 << 16, c.shape).astype(np.uint32) << np.uint32(16)
    c_img = np.ascontiguousarray(c.reshape(n, -1)).view(np.uint8)
    return Batch(stream.words, stream.a, stream.w, c_img)


@pytest.mark.parametrize(
    "cfg", [H, HZ, H.with_core("mac"), HZ.with_core("mac")], ids=lambda c: c.name
)
@pytest.mark.parametrize("seed", range(2))
def test_batch_equals_core_on_binary16_streams(cfg: CoreConfig, seed: int) -> None:
    stream = _c16_stream(cfg, seed, 1500)
    assert mismatches(BatchModel(cfg), cfg, stream, [3, 700]) == []
    resp = BatchModel(cfg).step(stream)
    words = stream.words.astype(np.int64)
    ok_mm = (resp.status == Status.OK) & ((words & 0xF) == Opcode.LMMA)
    for f in cfg.afmts:
        assert np.count_nonzero(ok_mm & ((words >> 8) & 0xF == f)) > 10, f.name
    fp_mm = ok_mm & np.isin((words >> 8) & 0xF, FP16_ACC_AFMTS)
    assert (resp.d[fp_mm].view(np.uint32) >> 16 == 0).all()


# --- the rounding bound of an FP16-accumulate GEMM -------------------------------------


def gemm16(a: np.ndarray, q: np.ndarray, b: int, ftz: bool) -> np.ndarray:
    """``D`` float16 ``[M, N]`` of ``a [M, Kt]`` x weights ``q [Kt, N]``: Kt/4 LMMAs from +0."""
    codes = encode_weights(q, b)  # [b, G, N]
    acc = np.zeros((a.shape[0], q.shape[1]), dtype=np.uint32)
    for g in range(codes.shape[1]):
        acc = fp16.lmma(fp16.tables(a[:, 4 * g : 4 * g + 4], ftz), codes[:, g, :], acc, ftz)
    return as16(acc.astype(np.uint16))


def bound_ratio(
    a: np.ndarray, q: np.ndarray, b: int, ftz: bool, *, check_ftz: bool | None = None
) -> float:
    """max |D - exact| / bound over the outputs; D from ``gemm16``, exact by ``math.fsum``."""
    check_ftz = ftz if check_ftz is None else check_ftz
    d = gemm16(a, q, b, ftz).astype(np.float64)
    assert np.isfinite(d).all()
    c = (2 * q - ((1 << b) - 1)).astype(np.float64)
    a64 = a.astype(np.float64)
    exact = np.array(
        [[math.fsum(a64[m] * c[:, n]) for n in range(c.shape[1])] for m in range(len(a))]
    )
    sub = ((a64 != 0) & (np.abs(a64) < 2.0**-14)).sum(axis=1, keepdims=True)
    groups = q.shape[0] // 4
    bound = fp16.gemm_bound(np.abs(a64).sum(axis=1, keepdims=True), b, groups, check_ftz, sub)
    return float((np.abs(d - exact) / (bound + 2.0**-52 * np.abs(exact))).max())


def activations(kind: str, shape: tuple[int, int]) -> np.ndarray:
    """float16 activations: LLM-like, spread over binades, or around the subnormal range."""
    sign = RNG.choice([-1.0, 1.0], shape)
    if kind == "llm":
        v = RNG.standard_normal(shape) * 2.0 ** RNG.integers(-3, 2, shape)
    elif kind == "spread":
        v = sign * 2.0 ** RNG.uniform(-14, 3, shape)
    else:
        v = sign * 2.0 ** RNG.uniform(-22, -10, shape)
    return v.astype(np.float16)


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
@pytest.mark.parametrize("kind", ["llm", "spread", "tiny"])
def test_gemm_stays_within_the_rounding_bound(kind: str, ftz: bool) -> None:
    worst = 0.0
    for b, kt in ((1, 64), (2, 64), (4, 32), (2, 256)):
        a = activations(kind, (4, kt))
        q = RNG.integers(0, 1 << b, (kt, 24))
        worst = max(worst, bound_ratio(a, q, b, ftz))
    assert worst <= 1.0
    assert worst > 0.01, f"bound vacuous here: worst error/bound {worst:.4f}"


def test_the_bound_can_be_exceeded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negatives: table entries 2^8 ulps off, and FTZ results held to the IEEE bound."""
    a = activations("llm", (4, 64))
    q = RNG.integers(0, 4, (64, 24))
    assert bound_ratio(a, q, 2, ftz=False) <= 1.0
    good = fp16.tables

    def off(x: np.ndarray, ftz: bool = False) -> np.ndarray:
        t = good(x, ftz)
        return (t.view(np.uint16) + np.uint16(256)).view(np.float16)

    with monkeypatch.context() as mp:
        mp.setattr(fp16, "tables", off)
        assert bound_ratio(a, q, 2, ftz=False) > 1.0
    tiny = activations("tiny", (4, 64))
    assert bound_ratio(tiny, q, 2, ftz=True) <= 1.0
    assert bound_ratio(tiny, q, 2, ftz=True, check_ftz=False) > 1.0
