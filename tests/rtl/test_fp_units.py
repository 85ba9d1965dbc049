# SPDX-License-Identifier: Apache-2.0
"""The FP converter (rtl/lut_fp_to_f32.sv), scaler (rtl/lut_fp32_pow2.sv) and the MAC
core's multiplier (rtl/mac_fp_mul.sv) against the model.

* The references (``blocks.fpops``: the model's ``to_f32`` + ``bits``, numpy
  float32 times ``2.0**i`` or times an odd integer) are held to Berkeley
  SoftFloat: every FP16 and BF16 pattern through ``f16_to_f32`` /
  ``bf16_to_f32``, E5M2 as the top byte of an FP16, E4M3 against a hand
  decode, a sample of the scaler's and the multiplier's vectors through
  ``f32_mul``. So a wrong reference cannot pass silently.
* The vector sets contain what they claim (every lane of every format,
  non-FP codes, every shift with overflow at each, subnormals crossing
  into the normal range).
* The pure-SV harnesses: the exhaustive conversion set and 10^5 random
  scaler and multiplier vectors on Verilator, the Icarus-sized sets on both
  simulators, and the scaler at other ``MaxShift`` values.
* The checker bites: each planted bug fails with exactly the predicted
  mismatches; one flipped expected bit fails exactly that vector.

Nothing here measures time (a test never asserts a wall-clock figure).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import softfloatpy as sf

from blocks import fpadd, fpops, harness, vectors
from blocks.units import ADDERS, BINARY16, DEFAULT_MAX_SHIFT, FMUL_MAG_W, UNITS
from flow import simrun, synth
from models.config import AFmt
from tests.needs import needs
from tests.rtl.bench_checks import MAX_ERRORS, assert_fails_as_predicted

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
SEED = 1
RANDOM_COUNT = {"verilator": 100_000, "icarus": 10_000}
#: Conversion set per simulator: Icarus runs the sample (every FP8 byte, FP16/BF16 edges).
CONVERT_KIND = {"verilator": "exhaustive", "icarus": "sample"}
#: The units of this file (the adders' are tests/rtl/test_fp32_add.py and test_fp16_add.py,
#: the binary16 scaler's tests/rtl/test_fp16_pow2.py); all of them as netlists.
OTHERS = sorted(set(UNITS) - set(ADDERS) - set(BINARY16))
ALL16 = np.arange(1 << 16, dtype=np.uint32)


def _sf_convert(lanes: np.ndarray, frm, conv) -> np.ndarray:
    """SoftFloat conversion of 16-bit patterns, NaNs canonical."""
    out = [
        int.from_bytes(conv(frm(int(v).to_bytes(2, "big"))).to_bytes(), "big")
        for v in lanes.tolist()
    ]
    return fpadd.canonical_nan(np.array(out, dtype=np.uint32))


def _e4m3_by_hand(byte: int) -> int:
    """OCP E4M3fn decoded from its definition (bias 7, no inf, NaN only S.1111.111)."""
    s, e, m = byte >> 7, (byte >> 3) & 0xF, byte & 7
    if e == 15 and m == 7:
        return fpadd.QNAN
    v = (m / 8) * 2.0**-6 if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
    return int(np.array([np.float32(-v if s else v)]).view(np.uint32)[0])


# --------------------------------------------------------------------------- the references


def test_fp16_bf16_reference_is_softfloat() -> None:
    for f, frm, conv in (
        (AFmt.FP16, sf.Float16.from_bytes, sf.f16_to_f32),
        (AFmt.BF16, sf.BFloat16.from_bytes, sf.bf16_to_f32),
    ):
        ref = fpops.ref_convert(ALL16, np.full(ALL16.size, int(f)))
        soft = _sf_convert(ALL16, frm, conv)
        bad = np.flatnonzero(ref != soft)
        assert bad.size == 0, f"{f.name}: {bad.size} lanes differ, first {ALL16[bad[:4]]}"


def test_fp8_reference_is_independent_decode() -> None:
    """E5M2 is the top byte of an FP16 (SoftFloat); E4M3 against its definition."""
    low = np.arange(256, dtype=np.uint32)
    e5 = fpops.ref_convert(low, np.full(256, int(AFmt.FP8_E5M2)))
    assert np.array_equal(e5, _sf_convert(low << 8, sf.Float16.from_bytes, sf.f16_to_f32))
    e4 = fpops.ref_convert(low, np.full(256, int(AFmt.FP8_E4M3)))
    assert e4.tolist() == [_e4m3_by_hand(b) for b in range(256)]
    assert e4[0x7E] == 0x43E00000  # 448, the largest E4M3
    assert e4[0x78] == 0x43800000  # S.1111.000 is 256, not infinity
    assert e4[0x01] == 0x3B000000  # 2^-9, the smallest subnormal, normal in binary32


def test_non_fp_codes_give_zero() -> None:
    for a in fpops.NON_FP_AFMTS:
        assert not fpops.ref_convert(ALL16[::7], np.full(ALL16[::7].size, a)).any()


def test_rtl_afmt_codes_are_the_models() -> None:
    """The converter keeps its afmt codes locally; they must be the model's."""
    text = (simrun.RTL / "lut_fp_to_f32.sv").read_text()
    for name, f in (
        ("AFmtFp8E4m3", AFmt.FP8_E4M3),
        ("AFmtFp16", AFmt.FP16),
        ("AFmtBf16", AFmt.BF16),
        ("AFmtFp8E5m2", AFmt.FP8_E5M2),
    ):
        assert f"{name:<11s} = 4'h{int(f):x};" in text, name


def test_pow2_reference_is_softfloat() -> None:
    x, neg, shift = fpops.pow2_corners()
    rx, rn, rs = fpops.pow2_random(20_000, SEED)
    x, neg, shift = np.concatenate([x, rx]), np.concatenate([neg, rn]), np.concatenate([shift, rs])
    ref = fpops.ref_pow2(x, neg, shift)
    xs = (x ^ (neg << np.uint32(31))).astype(np.uint32)
    soft = []
    for v, s in zip(xs.tolist(), shift.tolist(), strict=True):
        a = sf.Float32.from_bytes(v.to_bytes(4, "big"))
        b = sf.Float32.from_bytes(fpadd.pow2_bits(int(s)).to_bytes(4, "big"))
        soft.append(int.from_bytes(sf.f32_mul(a, b).to_bytes(), "big"))
    soft_bits = fpadd.canonical_nan(np.array(soft, dtype=np.uint32))
    bad = np.flatnonzero(ref != soft_bits)
    assert bad.size == 0, (
        f"{bad.size} differ, first {list(zip(x[bad[:4]], shift[bad[:4]], strict=True))}"
    )


def test_fmul_reference_is_softfloat() -> None:
    x, neg, mag = fpops.fmul_inputs("random", 20_000, SEED)
    cx, cn, cm = fpops.fmul_inputs("corners", seed=SEED)
    x, neg, mag = (
        np.concatenate([x, cx[::5]]),
        np.concatenate([neg, cn[::5]]),
        np.concatenate([mag, cm[::5]]),
    )
    ref = fpops.ref_fmul(x, neg, mag)
    w = np.where(neg == 1, -mag, mag).astype(np.float32).view(np.uint32)
    soft = [
        int.from_bytes(
            sf.f32_mul(
                sf.Float32.from_bytes(a.to_bytes(4, "big")),
                sf.Float32.from_bytes(b.to_bytes(4, "big")),
            ).to_bytes(),
            "big",
        )
        for a, b in zip(x.tolist(), w.tolist(), strict=True)
    ]
    soft_bits = fpadd.canonical_nan(np.array(soft, dtype=np.uint32))
    bad = np.flatnonzero(ref != soft_bits)
    assert bad.size == 0, (
        f"{bad.size} differ, first {list(zip(x[bad[:4]], w[bad[:4]], strict=True))}"
    )


def test_fmul_corners_cover_the_claims() -> None:
    """Overflow (bfloat16 only), subnormal products in and out of the normal range,
    signed zeros, infinities and NaNs, every magnitude bit."""
    x, neg, mag = fpops.fmul_inputs("corners", seed=SEED)
    y = fpops.ref_fmul(x, neg, mag)
    fin = (x & 0x7F800000) != 0x7F800000
    assert np.count_nonzero(fin & ((y & 0x7FFFFFFF) == 0x7F800000)) >= 100  # overflow
    sub_in = ((x & 0x7F800000) == 0) & ((x & 0x7FFFFF) != 0)
    assert np.count_nonzero(sub_in & ((y & 0x7F800000) != 0)) >= 100  # into the normal range
    assert np.count_nonzero(sub_in & ((y & 0x7F800000) == 0)) >= 100  # still subnormal
    for sx in (0, 0x80000000):
        for n in (0, 1):
            assert np.any((x == sx) & (neg == n) & (y == (sx ^ (n << 31))))  # signed zeros
    assert np.all(y[fpadd.is_nan(x)] == fpadd.QNAN)
    assert np.bitwise_or.reduce(mag) == (1 << FMUL_MAG_W) - 1


# --------------------------------------------------------------------------- the vector sets


def test_exhaustive_set_covers_every_lane() -> None:
    vec = vectors.vector_set("fcvt", "exhaustive", seed=SEED).arrays()
    for f in fpops.fp.FP_FORMATS:
        lanes = vec[vec[:, 1] == int(f), 0]
        assert np.array_equal(np.sort(lanes), ALL16), f.name
    assert set(fpops.NON_FP_AFMTS) <= set(vec[:, 1].tolist())


def test_pow2_corners_cover_the_claims() -> None:
    x, neg, shift = fpops.pow2_corners()
    y = fpops.ref_pow2(x, neg, shift)
    fin = (x & 0x7F800000) != 0x7F800000
    for s in range(DEFAULT_MAX_SHIFT + 1):
        at = fin & (shift == s)
        if s > 0:  # a finite x times 2^0 never overflows
            assert np.any(at & ((y & 0x7FFFFFFF) == 0x7F800000)), f"no overflow at shift {s}"
        assert np.any(at & ((y & 0x7FFFFFFF) == 0x7F7FFFFF)), f"no max finite at shift {s}"
        for n in (0, 1):
            assert np.any((shift == s) & (neg == n) & (x == 0x80000000))
    sub_in = ((x & 0x7F800000) == 0) & ((x & 0x7FFFFF) != 0)
    assert np.count_nonzero(sub_in & ((y & 0x7F800000) != 0)) >= 100  # into the normal range
    assert np.count_nonzero(sub_in & ((y & 0x7F800000) == 0)) >= 100  # still subnormal
    assert np.all(y[fpadd.is_nan(x)] == fpadd.QNAN)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: vectors.vector_set("nope", "corners"), "unit"),
        (lambda: vectors.vector_set("fcvt", "random"), "kind"),
        (lambda: vectors.vector_set("fpow2", "random", 0), "count"),
        (lambda: fpops.pow2_corners(0), "max_shift"),
        (lambda: fpops.ref_pow2(np.zeros(2), np.zeros(2), np.full(2, 200)), "shift"),
        (lambda: fpops.ref_pow2(np.zeros(2), np.zeros(3), np.zeros(2)), "neg"),
        (lambda: fpops.ref_convert(np.zeros(2), np.zeros(3)), "afmts"),
        (lambda: fpops.ref_fmul(np.zeros(2), np.zeros(2), np.full(2, 2)), "mag"),
        (lambda: fpops.ref_fmul(np.zeros(2), np.full(2, 2), np.ones(2)), "neg"),
        (lambda: fpops.fmul_inputs("random", 0), "count"),
        (lambda: fpops.ref_convert(np.full(1, 1 << 16), np.zeros(1)), "lanes"),
        (lambda: harness.build("fcvt", "icarus", ("LUT_TC_BUG_NOPE",)), "defines"),
    ],
)
def test_bad_inputs_name_the_field(call, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        call()


# --------------------------------------------------------------------------- the RTL


def _check_pass(r: harness.RunResult, n: int) -> None:
    assert r.passed, f"{r.errors} mismatches, first {r.mismatches[:3]} (log: {r.log})"
    assert r.n == n and r.errors == 0 and r.returncode == 0


#: The binary16 multipliers' netlists: a random set (their sample, 6 x 2^16, takes a minute
#: per netlist under Icarus; tests/rtl/test_fp16_mul.py runs it on the RTL).
FMUL16_NETLIST_COUNT = 20_000


def _small_set(unit: str) -> vectors.VectorSet:
    if unit in ("fmul16", "fmul16z"):
        return vectors.vector_set(unit, "random", FMUL16_NETLIST_COUNT, SEED)
    kind = "sample" if unit in ("fcvt", "fpow2h") else "corners"
    return vectors.vector_set(unit, kind, seed=SEED)


@pytest.mark.parametrize("sim", SIMS)
def test_convert_passes(sim: str) -> None:
    vs = vectors.vector_set("fcvt", CONVERT_KIND[sim], seed=SEED)
    _check_pass(harness.run(harness.build("fcvt", sim, n=vs.n), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_pow2_corners_pass(sim: str) -> None:
    vs = _small_set("fpow2")
    _check_pass(harness.run(harness.build("fpow2", sim), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_pow2_random_pass(sim: str) -> None:
    vs = vectors.vector_set("fpow2", "random", RANDOM_COUNT[sim], SEED)
    _check_pass(harness.run(harness.build("fpow2", sim, n=vs.n), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_fmul_corners_pass(sim: str) -> None:
    vs = _small_set("fmul")
    _check_pass(harness.run(harness.build("fmul", sim, n=vs.n), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_fmul_random_pass(sim: str) -> None:
    vs = vectors.vector_set("fmul", "random", RANDOM_COUNT[sim], SEED)
    _check_pass(harness.run(harness.build("fmul", sim, n=vs.n), vs), vs.n)


@needs("icarus")
@pytest.mark.parametrize("max_shift", [1, 15])
def test_pow2_other_max_shift_passes(max_shift: int) -> None:
    """Other port widths (1 bit, 4 bits): corners at every shift of the range (Icarus)."""
    vs = vectors.vector_set("fpow2", "corners", seed=SEED, max_shift=max_shift)
    b = harness.build("fpow2", "icarus", max_shift=max_shift)
    _check_pass(harness.run(b, vs), vs.n)


def _prediction(unit: str, vec: np.ndarray) -> np.ndarray:
    if unit == "fcvt":
        return fpops.convert_bug_prediction(vec[:, 0], vec[:, 1], vec[:, 2])
    neg = (vec[:, 1] >> fpops.NEG_BIT) & 1
    return fpops.pow2_bug_prediction(vec[:, 0], neg, vec[:, 2])


@pytest.mark.parametrize("unit", OTHERS)
@pytest.mark.parametrize("sim", SIMS)
def test_planted_bug_fails_as_predicted(sim: str, unit: str) -> None:
    """Exactly the vectors where the bug changes the output fail, each showing the bug's value."""
    vs = _small_set(unit)
    vec = vs.arrays()
    predicted = _prediction(unit, vec)
    differ = np.flatnonzero(predicted != vec[:, 2])
    assert differ.size > 0
    (define,) = UNITS[unit].bugs
    r = harness.run(harness.build(unit, sim, (define,)), vs, max_errors=MAX_ERRORS)
    assert_fails_as_predicted(r, vs.n, vec, predicted, ("in0", "in1"))


@pytest.mark.parametrize("unit", OTHERS)
@pytest.mark.parametrize("sim", SIMS)
def test_corrupted_expected_fails_there(sim: str, unit: str, tmp_path: Path) -> None:
    """One flipped bit of one expected value: one mismatch, at that index, showing the true one."""
    vs = _small_set(unit)
    index, bit = vs.n * 2 // 3, 31
    bad = vectors.corrupted_copy(vs, index, bit, tmp_path / "corrupt")
    r = harness.run(harness.build(unit, sim), bad)
    assert not r.passed and r.returncode != 0
    assert r.errors == 1 and len(r.mismatches) == 1
    true_val = int(vs.arrays()[index, 2])
    m = r.mismatches[0]
    assert m["index"] == index and m["got"] == true_val and m["expected"] == true_val ^ (1 << bit)


@pytest.mark.parametrize("unit", OTHERS)
@pytest.mark.parametrize("sim", SIMS)
def test_harness_refuses_a_foreign_file(sim: str, unit: str, tmp_path: Path) -> None:
    vec = _small_set(unit).arrays()[:8]
    vectors.write_vectors(unit, tmp_path, vec[:, 0], vec[:, 1], vec[:, 2])
    (tmp_path / "meta.hex").write_text(f"{UNITS['fpadd'].magic:08x}\n00000001\n00000008\n")
    r = harness.run(harness.build(unit, sim), vectors.VectorSet(unit, tmp_path, 8))
    prefix = UNITS[unit].prefix
    assert not r.passed and r.returncode != 0
    assert any(ln.startswith(f"{prefix}_ERROR") and "magic" in ln for ln in r.lines), r.lines


# --------------------------------------------------------------------------- the netlists


@needs("yosys", "icarus")
@pytest.mark.parametrize("unit", sorted(UNITS))
def test_the_block_netlist_passes_its_vectors(unit: str) -> None:
    """Each FP block's gate-level netlist (the ``make ppa`` flow) under its own harness and
    Icarus-sized vectors: a construct Yosys reads otherwise than the simulators fails here
    (Yosys 0.23 widened a size cast inside a concatenation and dropped the sign)."""
    r, vs = _run_block_netlist(unit)
    _check_pass(r, vs.n)


@needs("yosys", "icarus")
def test_a_block_netlist_of_broken_rtl_fails_as_predicted() -> None:
    """Negative: the netlist of the multiplier built with its planted bug fails exactly
    where the bug changes the output, so the harness checks the synthesized gates."""
    (define,) = UNITS["fmul"].bugs
    r, vs = _run_block_netlist("fmul", (define,))
    vec = vs.arrays()
    neg = (vec[:, 1] >> fpops.NEG_BIT) & 1
    differ = np.flatnonzero(fpops.pow2_bug_prediction(vec[:, 0], neg, vec[:, 2]) != vec[:, 2])
    assert not r.passed and differ.size > 0 and r.errors == differ.size


def _run_block_netlist(
    unit: str, defines: tuple[str, ...] = ()
) -> tuple[harness.RunResult, vectors.VectorSet]:
    u = UNITS[unit]
    name = unit + "".join(f"_{d}" for d in defines)
    out = simrun.SIM_BUILD / "netlist" / f"unit_{name}"
    net = synth.synthesize_unit(u.block, u.rtl, out, u.block_params, defines)
    vs = vectors.vector_set("fpadd", "corners") if unit == "fpadd" else _small_set(unit)
    return harness.run(harness.build(unit, "icarus", defines, vs.n, netlist=net), vs, 1), vs
