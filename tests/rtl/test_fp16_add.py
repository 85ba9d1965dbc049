# SPDX-License-Identifier: Apache-2.0
"""The binary16 adders (rtl/lut_fp32_add.sv at ExpW 5, FracW 10; IEEE and Ftz) against SoftFloat.

* The reference (``blocks.fpadd16.ref_add16``: SoftFloat ``f16_add``, FTZ as a
  flush around it) is held to hand-worked sums and to the model's binary16
  addition (``models.fp16.add``, numpy) on every corner and on random pairs.
* The corner set contains each family it claims.
* The pure-SV harness on both units (``fpadd16``, ``fpadd16z``): the corners on
  both simulators, 10^5 random pairs on Verilator and 10^4 on Icarus.
* The checker bites: ``LUT_TC_BUG_FP16_TRUNC`` fails the corners of both units
  with exactly the mismatches SoftFloat's round-toward-zero predicts, and one
  flipped expected bit fails exactly that vector. (The binary32 adder's
  vectors, and that it ignores this define, are tests/rtl/test_fp32_add.py's.)

Nothing here measures time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import softfloatpy as sf

from blocks import fpadd16, harness, vectors
from blocks.units import UNITS
from flow import simrun
from tests.needs import needs
from tests.rtl.bench_checks import MAX_ERRORS, assert_fails_as_predicted

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
UNITS16 = {"fpadd16": False, "fpadd16z": True}  #: unit -> flush-to-zero
RANDOM_COUNT = {"verilator": 100_000, "icarus": 10_000}
SEED = 1
QNAN = fpadd16.QNAN16

#: Hand-worked binary16 sums (a, b, IEEE sum, FTZ sum), each with the rule it shows.
KNOWN = [
    (0x3C00, 0x1000, 0x3C00, 0x3C00),  # 1 + 2^-11: tie, even lsb stays
    (0x3C01, 0x1000, 0x3C02, 0x3C02),  # tie, odd lsb rounds up
    (0x3C00, 0x9000, 0x3BFF, 0x3BFF),  # 1 - 2^-11: exact below the binade
    (0x3FFF, 0x1000, 0x4000, 0x4000),  # tie on all ones: rounding carries
    (0x7BFF, 0x7BFF, 0x7C00, 0x7C00),  # 65504 + 65504 overflows to inf
    (0x7BFF, 0x4C00, 0x7C00, 0x7C00),  # 65504 + 16 (half its ulp: a tie, odd): inf
    (0x7BFF, 0x4BFF, 0x7BFF, 0x7BFF),  # just below that tie: 65504
    (0x0401, 0x8400, 0x0001, 0x0000),  # normal - normal = smallest subnormal; FTZ: +0
    (0x8401, 0x0400, 0x8001, 0x8000),  # ... negative; FTZ: -0
    (0x03FF, 0x0001, 0x0400, 0x0000),  # subnormal + subnormal = smallest normal; FTZ: 0 + 0
    (0x0200, 0x3C00, 0x3C00, 0x3C00),  # a subnormal beside 1.0 rounds away
    (0x0001, 0x0000, 0x0001, 0x0000),  # FTZ reads a subnormal operand as zero
    (0x8001, 0x0000, 0x8001, 0x0000),  # -subnormal as -0, and -0 + +0 = +0
    (0x8001, 0x8000, 0x8001, 0x8000),  # -0 + -0 = -0
    (0x3C00, 0xBC00, 0x0000, 0x0000),  # x + (-x) = +0
    (0x7C00, 0xFC00, QNAN, QNAN),  # inf - inf = NaN
    (0x7C01, 0x3C00, QNAN, QNAN),  # signalling NaN
    (0xFE01, 0x0000, QNAN, QNAN),  # negative quiet NaN with a payload
    (0xFC00, 0x0001, 0xFC00, 0xFC00),  # -inf + x = -inf
]


@pytest.fixture(scope="module")
def corners() -> dict[str, vectors.VectorSet]:
    return {u: vectors.vector_set(u, "corners", seed=SEED) for u in UNITS16}


# --------------------------------------------------------------------------- the reference


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
def test_reference_known_values(ftz: bool) -> None:
    a, b = (np.array(c, dtype=np.uint32) for c in list(zip(*KNOWN, strict=True))[:2])
    want = np.array([k[3 if ftz else 2] for k in KNOWN], dtype=np.uint32)
    for name, got in (
        ("SoftFloat", fpadd16.ref_add16(a, b, ftz)),
        ("model", fpadd16.model_add16(a, b, ftz)),
    ):
        rows = zip(a.tolist(), b.tolist(), got.tolist(), want.tolist(), strict=True)
        bad = [(hex(x), hex(y), hex(g), hex(w)) for x, y, g, w in rows if g != w]
        assert not bad, f"{name} (a, b, got, expected): {bad}"


@pytest.mark.parametrize("unit", UNITS16)
def test_reference_matches_the_model(unit: str, corners: dict[str, vectors.VectorSet]) -> None:
    ftz = UNITS16[unit]
    rnd = vectors.vector_set(unit, "random", RANDOM_COUNT["verilator"], SEED)
    for vs in (corners[unit], rnd):
        vec = vs.arrays()
        model = fpadd16.model_add16(vec[:, 0], vec[:, 1], ftz)
        diff = np.flatnonzero(model != vec[:, 2])
        assert diff.size == 0, f"{diff.size} of {vs.n} differ from the model: {vec[diff[:4]]}"


def test_corner_set_covers_every_family(corners: dict[str, vectors.VectorSet]) -> None:
    vec = corners["fpadd16"].arrays()
    a, b, s = vec[:, 0], vec[:, 1], vec[:, 2]
    assert (vec >> 16 == 0).all()
    ea, eb = (a >> 10) & 0x1F, (b >> 10) & 0x1F
    finite = (ea != 0x1F) & (eb != 0x1F)
    nonzero = ((a & 0x7FFF) != 0) & ((b & 0x7FFF) != 0)
    d = np.abs(np.maximum(ea, 1).astype(np.int64) - np.maximum(eb, 1))
    sub = ((a ^ b) >> 15).astype(bool)
    for dist in range(30):  # effective exponents 1..30
        for op in (False, True):
            assert (finite & nonzero & (d == dist) & (sub == op)).any(), (dist, op)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    assert {(x, y) for x, y, _, _ in KNOWN} <= pairs
    es, fs = (s >> 10) & 0x1F, s & 0x3FF
    normal_ops = finite & (ea != 0) & (eb != 0)
    assert np.count_nonzero(normal_ops & (es == 0) & (fs != 0)) >= 50  # subnormal results
    assert np.count_nonzero(finite & (es == 0x1F)) >= 20  # overflow
    assert np.count_nonzero(finite & nonzero & (s == 0)) >= 100  # total cancellation
    assert np.count_nonzero(s == QNAN) >= 100 and np.count_nonzero(s == 0x8000) >= 1
    z = corners["fpadd16z"].arrays()[:, 2]
    assert not (((z & 0x7C00) == 0) & ((z & 0x3FF) != 0)).any(), "FTZ delivered a subnormal"


# --------------------------------------------------------------------------- the RTL


def _check_pass(r: harness.RunResult, n: int) -> None:
    assert r.passed, f"{r.errors} mismatches, first {r.mismatches[:3]} (log: {r.log})"
    assert r.n == n and r.errors == 0 and r.returncode == 0


@pytest.mark.parametrize("unit", UNITS16)
@pytest.mark.parametrize("sim", SIMS)
def test_corners_pass(sim: str, unit: str, corners: dict[str, vectors.VectorSet]) -> None:
    vs = corners[unit]
    _check_pass(harness.run(harness.build(unit, sim), vs), vs.n)


@pytest.mark.parametrize("unit", UNITS16)
@pytest.mark.parametrize("sim", SIMS)
def test_random_pairs_pass(sim: str, unit: str) -> None:
    vs = vectors.vector_set(unit, "random", RANDOM_COUNT[sim], SEED)
    _check_pass(harness.run(harness.build(unit, sim, n=vs.n), vs), vs.n)


@pytest.mark.parametrize("unit", UNITS16)
@pytest.mark.parametrize("sim", SIMS)
def test_planted_bug_fails_the_corners(
    sim: str, unit: str, corners: dict[str, vectors.VectorSet]
) -> None:
    """A truncating binary16 adder: exactly the vectors where round-toward-zero differs fail,
    each showing SoftFloat's round-toward-zero sum."""
    vs = corners[unit]
    vec = vs.arrays()
    (define,) = UNITS[unit].bugs
    predicted = fpadd16.ref_add16(vec[:, 0], vec[:, 1], UNITS16[unit], sf.RoundingMode.MIN_MAG)
    differ = np.flatnonzero(predicted != vec[:, 2])
    assert differ.size > 1000
    r = harness.run(harness.build(unit, sim, (define,)), vs, max_errors=MAX_ERRORS)
    assert_fails_as_predicted(r, vs.n, vec, predicted)


@pytest.mark.parametrize("sim", SIMS)
def test_corrupted_expected_fails_there(
    sim: str, corners: dict[str, vectors.VectorSet], tmp_path: Path
) -> None:
    """One flipped bit of one expected sum: one mismatch, at that index, showing the true sum."""
    vs = corners["fpadd16z"]
    index, bit = vs.n // 3, 4
    bad = vectors.corrupted_copy(vs, index, bit, tmp_path / "corrupt")
    r = harness.run(harness.build("fpadd16z", sim), bad)
    assert not r.passed and r.errors == 1 and len(r.mismatches) == 1
    true_sum = int(vs.arrays()[index, 2])
    m = r.mismatches[0]
    assert m["index"] == index and m["got"] == true_sum and m["expected"] == true_sum ^ (1 << bit)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: fpadd16.ref_add16(np.array([0x10000]), np.array([0])), "a"),
        (lambda: fpadd16.ref_add16(np.zeros(2), np.zeros(3)), "b"),
        (lambda: fpadd16.ref_add16(np.zeros(1), np.zeros(1), rounding=0), "rounding"),
        (lambda: fpadd16.random_pairs16(0, 1), "count"),
        (lambda: harness.build("fpadd16", "icarus", ("LUT_TC_BUG_FP_RTZ",)), "defines"),
    ],
)
def test_bad_inputs_name_the_field(call, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        call()
