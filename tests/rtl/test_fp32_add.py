# SPDX-License-Identifier: Apache-2.0
"""The FP32 adder (rtl/lut_fp32_add.sv) against Berkeley SoftFloat, and the checks of the check.

* The reference (``blocks.fpadd.ref_add``, SoftFloat) is held to hand-worked
  values and to the host's float32 addition (numpy) on every corner and on
  10^6 random pairs, so a wrong reference cannot pass silently.
* The corner set is shown to contain each family it claims (every alignment
  distance 0..40 added and subtracted, ties both ways, subnormal results,
  overflow, signed zeros, every NaN kind).
* The pure-SV harness on the adder: corners on both simulators, 10^6
  random pairs on Verilator and 10^4 on Icarus.
* The checker bites: each planted bug fails the corner set with exactly
  the mismatches the reference predicts for it, and one flipped expected bit
  fails exactly that vector. A bad vector set is refused.

Nothing here measures time (a test never asserts a wall-clock figure).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import softfloatpy as sf

from blocks import fpadd, harness, vectors
from blocks.units import UNITS
from flow import simrun
from tests.needs import needs
from tests.rtl.bench_checks import MAX_ERRORS, assert_fails_as_predicted

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
#: Random pairs per simulator: Verilator takes 10^6 in about a second, Icarus is ~100x slower.
RANDOM_COUNT = {"verilator": 1_000_000, "icarus": 10_000}
SEED = 1

#: Hand-worked sums (a, b, RNE sum), each with the rule it shows.
KNOWN = [
    (0x3F800000, 0x33800000, 0x3F800000),  # 1 + 2^-24: tie, even lsb stays
    (0x3F800001, 0x33800000, 0x3F800002),  # tie, odd lsb rounds up
    (0x3F800001, 0xB3800000, 0x3F800000),  # subtraction tie: 1 + 2^-24 -> even 1.0
    (0x3F800000, 0xB3800000, 0x3F7FFFFF),  # 1 - 2^-24: exact below the binade
    (0x3FFFFFFF, 0x33800000, 0x40000000),  # tie on an odd all-ones: rounding carries
    (0x4B800000, 0x3F800000, 0x4B800000),  # 2^24 + 1: tie, even
    (0x4B800000, 0xBF800000, 0x4B7FFFFF),  # 2^24 - 1: exact
    (0x3F800000, 0x3F800000, 0x40000000),  # carry into the next exponent
    (0x7F7FFFFF, 0x7F7FFFFF, 0x7F800000),  # overflow to inf
    (0x7F7FFFFF, 0x73000000, 0x7F800000),  # tie above max finite, odd: inf
    (0x7F7FFFFF, 0x72FFFFFF, 0x7F7FFFFF),  # just below that tie: max finite
    (0xFF7FFFFF, 0xFF7FFFFF, 0xFF800000),  # overflow to -inf
    (0x00800001, 0x80800000, 0x00000001),  # normal - normal = smallest subnormal
    (0x007FFFFF, 0x00000001, 0x00800000),  # subnormal + subnormal = smallest normal
    (0x00000003, 0x80000001, 0x00000002),  # subnormal arithmetic is exact
    (0x3F800000, 0xBF800000, 0x00000000),  # x + (-x) = +0
    (0xBF800000, 0x3F800000, 0x00000000),
    (0x00000001, 0x80000001, 0x00000000),
    (0x80000000, 0x80000000, 0x80000000),  # (-0) + (-0) = -0
    (0x00000000, 0x80000000, 0x00000000),  # (+0) + (-0) = +0
    (0x80000000, 0x00000000, 0x00000000),
    (0x80000000, 0x00000001, 0x00000001),  # -0 + x = x
    (0x7F800000, 0x7F800000, 0x7F800000),  # inf + inf = inf
    (0x7F800000, 0xFF800000, fpadd.QNAN),  # inf - inf = NaN
    (0xFF800000, 0x3F800000, 0xFF800000),  # -inf + finite = -inf
    (0x7F800001, 0x3F800000, fpadd.QNAN),  # signalling NaN
    (0xFFC00001, 0x00000000, fpadd.QNAN),  # negative quiet NaN with a payload
    (0x7FC00000, 0x7F800000, fpadd.QNAN),  # NaN beats inf
    (0x3F800000, 0xFFBFFFFF, fpadd.QNAN),  # negative signalling NaN second
]


def _known() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, s = (np.array(c, dtype=np.uint32) for c in zip(*KNOWN, strict=True))
    return a, b, s


@pytest.fixture(scope="module")
def corners() -> vectors.VectorSet:
    return vectors.vector_set("fpadd", "corners", seed=SEED)


# --------------------------------------------------------------------------- the reference


def test_reference_known_values() -> None:
    a, b, s = _known()
    ref = fpadd.ref_add(a, b)
    rows = zip(a.tolist(), b.tolist(), ref.tolist(), s.tolist(), strict=True)
    bad = [(hex(x), hex(y), hex(g), hex(e)) for x, y, g, e in rows if g != e]
    assert not bad, f"SoftFloat (a, b, got, expected): {bad}"
    assert np.array_equal(fpadd.numpy_add(a, b), s)


def test_reference_matches_numpy_on_corners(corners: vectors.VectorSet) -> None:
    vec = corners.arrays()
    host = fpadd.numpy_add(vec[:, 0], vec[:, 1])
    diff = np.flatnonzero(host != vec[:, 2])
    assert diff.size == 0, f"{diff.size} corners differ from numpy, first {vec[diff[:4]]}"


def test_reference_matches_numpy_on_random() -> None:
    vs = vectors.vector_set("fpadd", "random", RANDOM_COUNT["verilator"], SEED)
    vec = vs.arrays()
    assert vec.shape == (RANDOM_COUNT["verilator"], 3)
    host = fpadd.numpy_add(vec[:, 0], vec[:, 1])
    diff = np.flatnonzero(host != vec[:, 2])
    assert diff.size == 0, f"{diff.size} random pairs differ from numpy, first {vec[diff[:4]]}"


def test_reference_restores_the_rounding_mode() -> None:
    """SoftFloat's mode is global: a directed-rounding call must not leak into later ones."""
    a, b, s = _known()
    before = sf.get_rounding_mode()
    fpadd.ref_add(a, b, sf.RoundingMode.MIN_MAG)
    assert sf.get_rounding_mode() == before
    assert np.array_equal(fpadd.ref_add(a, b), s)


def test_every_nan_is_canonical(corners: vectors.VectorSet) -> None:
    vec = corners.arrays()
    nan_out = fpadd.is_nan(vec[:, 2])
    assert nan_out.any()
    assert np.all(vec[nan_out, 2] == fpadd.QNAN)


# --------------------------------------------------------------------------- the vector sets


def _eff_exp(x: np.ndarray) -> np.ndarray:
    e = ((x >> 23) & 0xFF).astype(np.int64)
    return np.maximum(e, 1)


def test_corner_set_covers_every_family(corners: vectors.VectorSet) -> None:
    vec = corners.arrays().astype(np.uint32)
    a, b, s = vec[:, 0], vec[:, 1], vec[:, 2]
    a_exp, b_exp = (a >> 23) & 0xFF, (b >> 23) & 0xFF
    finite = (a_exp != 0xFF) & (b_exp != 0xFF)
    d = np.abs(_eff_exp(a) - _eff_exp(b))
    sub = ((a ^ b) >> 31).astype(bool)
    nonzero = ((a & 0x7FFFFFFF) != 0) & ((b & 0x7FFFFFFF) != 0)
    for dist in range(41):
        for op, name in ((False, "add"), (True, "sub")):
            hit = finite & nonzero & (d == dist) & (sub == op)
            assert hit.any(), f"no {name} at alignment distance {dist}"
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    missing = [(hex(x), hex(y)) for x, y, _ in KNOWN if (x, y) not in pairs]
    assert not missing, f"hand-worked corners missing from the set: {missing}"
    s_exp, s_frac = (s >> 23) & 0xFF, s & 0x7FFFFF
    normal_ops = finite & (a_exp != 0) & (b_exp != 0)
    assert np.count_nonzero(normal_ops & (s_exp == 0) & (s_frac != 0)) >= 100  # subnormal results
    assert np.count_nonzero(finite & (s_exp == 0xFF)) >= 20  # overflow to inf
    assert np.count_nonzero(finite & (s == 0x80000000)) >= 1  # -0
    assert np.count_nonzero(finite & nonzero & (s == 0)) >= 100  # total cancellation
    for nan in (0x7F800001, 0xFF800001, 0x7FC00000, 0xFFC00000, 0x7FFFFFFF, 0xFFFFFFFF):
        assert np.any(a == nan) and np.any(b == nan), f"NaN pattern {nan:#x} not used"
    # Both operand orders of every pair: the swap is exercised both ways.
    assert pairs == set(zip(b.tolist(), a.tolist(), strict=True))


def test_random_mix_has_each_distribution() -> None:
    n = 100_000
    a, b = fpadd.random_pairs(n, SEED)
    assert a.dtype == np.uint32 and a.size == b.size == n
    exact_cancel = (a ^ b) == 0x80000000
    d = np.abs(_eff_exp(a) - _eff_exp(b))
    tiny = (((a >> 23) & 0xFF) <= 8) & (((b >> 23) & 0xFF) <= 8)
    assert np.count_nonzero(exact_cancel) > 0.04 * n
    assert np.count_nonzero(d <= 30) > 0.3 * n
    assert np.count_nonzero(tiny) > 0.14 * n
    assert np.count_nonzero(fpadd.is_nan(a)) > 0.001 * n  # uniform patterns include NaNs
    # Same seed, same pairs; another seed, other pairs.
    a2, b2 = fpadd.random_pairs(n, SEED)
    assert np.array_equal(a, a2) and np.array_equal(b, b2)
    assert not np.array_equal(a, fpadd.random_pairs(n, SEED + 1)[0])


def test_vector_files_hold_the_arrays(corners: vectors.VectorSet) -> None:
    """The hex files the harness reads say what ``vec.npy`` (the Python side) says."""
    words = [int(w, 16) for w in (corners.path / "vec.hex").read_text().split()]
    meta = [int(w, 16) for w in (corners.path / "meta.hex").read_text().split()]
    assert meta == [UNITS["fpadd"].magic, vectors.FORMAT_VERSION, corners.n]
    assert np.array_equal(np.array(words, dtype=np.uint32).reshape(-1, 3), corners.arrays())


def test_vector_set_is_cached(corners: vectors.VectorSet) -> None:
    again = vectors.vector_set("fpadd", "corners", seed=SEED)
    assert again.cached and again.path == corners.path and again.n == corners.n


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: vectors.vector_set("fpadd", "bogus"), "kind"),
        (lambda: vectors.vector_set("fpadd", "random", 0), "count"),
        (lambda: fpadd.random_pairs(0, 1), "count"),
        (lambda: fpadd.ref_add(np.zeros(2, np.uint32), np.zeros(3, np.uint32)), "b"),
        (lambda: fpadd.ref_add(np.zeros((2, 2), np.uint32), np.zeros(4, np.uint32)), "a"),
        (lambda: fpadd.ref_add(np.zeros(1, np.uint32), np.zeros(1, np.uint32), 0), "rounding"),
        (lambda: fpadd.f32_bits(0, 256, 0), "exp"),
        (lambda: fpadd.pow2_bits(-150), "k"),
        (lambda: harness.build("fpadd", "icarus", ("LUT_TC_BUG_NOPE",)), "defines"),
    ],
)
def test_bad_inputs_name_the_field(call, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        call()


# --------------------------------------------------------------------------- the RTL


def _check_pass(r: harness.RunResult, n: int) -> None:
    assert r.passed, f"{r.errors} mismatches, first {r.mismatches[:3]} (log: {r.log})"
    assert r.n == n and r.errors == 0 and r.returncode == 0


@pytest.mark.parametrize("sim", SIMS)
def test_corners_pass(sim: str, corners: vectors.VectorSet) -> None:
    r = harness.run(harness.build("fpadd", sim), corners)
    _check_pass(r, corners.n)


@pytest.mark.parametrize("sim", SIMS)
def test_random_pairs_pass(sim: str) -> None:
    vs = vectors.vector_set("fpadd", "random", RANDOM_COUNT[sim], SEED)
    r = harness.run(harness.build("fpadd", sim, n=vs.n), vs)
    _check_pass(r, vs.n)


def _bug_prediction(define: str, vec: np.ndarray) -> np.ndarray:
    """What the adder with the planted bug returns for every vector (from its header)."""
    a, b, s = vec[:, 0], vec[:, 1], vec[:, 2]
    if define == "LUT_TC_BUG_FP_RTZ":
        return fpadd.ref_add(a, b, sf.RoundingMode.MIN_MAG)
    assert define == "LUT_TC_BUG_FP_FTZ"
    subnormal = ((s & 0x7F800000) == 0) & ((s & 0x007FFFFF) != 0)
    return np.where(subnormal, s & np.uint32(0x80000000), s).astype(np.uint32)


@pytest.mark.parametrize("define", UNITS["fpadd"].bugs)
@pytest.mark.parametrize("sim", SIMS)
def test_planted_bug_fails_the_corners(sim: str, define: str, corners: vectors.VectorSet) -> None:
    """Exactly the vectors where the bug changes the sum fail, each showing the bug's sum."""
    vec = corners.arrays()
    predicted = _bug_prediction(define, vec)
    differ = np.flatnonzero(predicted != vec[:, 2])
    assert differ.size > 0
    r = harness.run(harness.build("fpadd", sim, (define,)), corners, max_errors=MAX_ERRORS)
    assert_fails_as_predicted(r, corners.n, vec, predicted)


@pytest.mark.parametrize("sim", SIMS)
def test_corrupted_expected_fails_there(
    sim: str, corners: vectors.VectorSet, tmp_path: Path
) -> None:
    """One flipped bit of one expected sum: one mismatch, at that index, showing the true sum."""
    index, bit = corners.n * 2 // 3, 0
    bad = vectors.corrupted_copy(corners, index, bit, tmp_path / "corrupt")
    r = harness.run(harness.build("fpadd", sim), bad)
    assert not r.passed and r.returncode != 0
    assert r.errors == 1 and len(r.mismatches) == 1
    m = r.mismatches[0]
    true_sum = int(corners.arrays()[index, 2])
    assert m["index"] == index
    assert m["got"] == true_sum and m["expected"] == true_sum ^ (1 << bit)


@pytest.mark.parametrize("sim", SIMS)
def test_harness_refuses_a_foreign_file(
    sim: str, corners: vectors.VectorSet, tmp_path: Path
) -> None:
    vec = corners.arrays()[:8]
    vectors.write_vectors("fpadd", tmp_path, vec[:, 0], vec[:, 1], vec[:, 2])
    (tmp_path / "meta.hex").write_text("12345678\n00000001\n00000008\n")
    r = harness.run(harness.build("fpadd", sim), vectors.VectorSet("fpadd", tmp_path, 8))
    assert not r.passed and r.returncode != 0
    assert any(ln.startswith("FPADD_ERROR") and "magic" in ln for ln in r.lines), r.lines
