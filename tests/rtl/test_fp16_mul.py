# SPDX-License-Identifier: Apache-2.0
"""The binary16 MAC's multiplier (rtl/mac_fp_mul.sv at ExpW 5, FracW 10) against the model
and SoftFloat.

* The reference (``blocks.fpadd16.ref_fmul16``: the model's ``models.fp16.mul``)
  is held to SoftFloat ``f16_mul`` by the integer weight on every vector of the
  sample (every binary16 pattern six times: a random odd magnitude, then 1, 3,
  129, 253 and 255), IEEE and FTZ (SoftFloat between flushes).
* The pure-SV harness (units ``fmul16``, ``fmul16z``): the sample on both simulators.
* The checker bites: ``LUT_TC_BUG_FP_MUL_FTZ`` (a subnormal x multiplies as a
  zero) fails the IEEE unit with exactly the predicted mismatches. The
  netlists run in ``tests/rtl/test_fp_units.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import softfloatpy as sf

from blocks import fpadd16, fpops, harness, vectors
from blocks.units import UNITS
from flow import simrun
from tests.needs import needs
from tests.rtl.bench_checks import MAX_ERRORS, assert_fails_as_predicted

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
SEED = 1
UNITS16 = {"fmul16": False, "fmul16z": True}  #: unit -> flush-to-zero


def _flush(v: int) -> int:
    return v & 0x8000 if (v & 0x7C00) == 0 else v


def _sf_mul(x: np.ndarray, w: np.ndarray, ftz: bool) -> np.ndarray:
    """SoftFloat ``f16_mul(x, w)`` (w an integer, exact in binary16), NaNs canonical."""
    frm, mul = sf.Float16.from_bytes, sf.f16_mul
    ws = {v: frm(int(np.float16(v).view(np.uint16)).to_bytes(2, "big")) for v in set(w.tolist())}
    out = []
    for v, m in zip(x.tolist(), w.tolist(), strict=True):
        o = int.from_bytes(mul(frm((_flush(v) if ftz else v).to_bytes(2, "big")), ws[m]).to_bytes())
        o = _flush(o) if ftz else o
        out.append(fpadd16.QNAN16 if (o & 0x7C00) == 0x7C00 and o & 0x3FF else o)
    return np.array(out, dtype=np.uint32)


def _fields(vec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(neg, mag) of the control words."""
    return (vec[:, 1] >> fpops.NEG_BIT) & 1, vec[:, 1] & 0xFF


@pytest.mark.parametrize("unit", UNITS16)
def test_reference_is_softfloat_on_every_vector(unit: str) -> None:
    vs = vectors.vector_set(unit, "sample", seed=SEED)
    vec = vs.arrays()
    neg, mag = _fields(vec)
    assert vs.n == 6 << 16 and set(mag.tolist()) == set(range(1, 256, 2))
    w = np.where(neg == 1, -mag.astype(np.int64), mag.astype(np.int64))
    want = _sf_mul(vec[:, 0], w, UNITS16[unit])
    diff = np.flatnonzero(want != vec[:, 2])
    assert diff.size == 0, f"{diff.size} differ from SoftFloat, first {vec[diff[:4]]}"
    with np.errstate(invalid="ignore"):  # inf * 0 never occurs (w odd); NaN inputs do
        exact = vec[:, 0].astype(np.uint16).view(np.float16).astype(np.float64) * w
    got = vec[:, 2].astype(np.uint16).view(np.float16).astype(np.float64)
    assert np.count_nonzero(np.isfinite(got) & (got != exact)) > 10000  # products rounded
    finite_in = (vec[:, 0] & 0x7C00) != 0x7C00
    assert np.count_nonzero(finite_in & ((vec[:, 2] & 0x7FFF) == 0x7C00)) > 1000  # overflow


def _check_pass(r: harness.RunResult, n: int) -> None:
    assert r.passed, f"{r.errors} mismatches, first {r.mismatches[:3]} (log: {r.log})"
    assert r.n == n and r.errors == 0 and r.returncode == 0


@pytest.mark.parametrize("unit", UNITS16)
@pytest.mark.parametrize("sim", SIMS)
def test_sample_passes(sim: str, unit: str) -> None:
    vs = vectors.vector_set(unit, "sample", seed=SEED)
    _check_pass(harness.run(harness.build(unit, sim), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_planted_bug_fails_as_predicted(sim: str) -> None:
    """A subnormal x multiplies as a zero of the product's sign: exactly those vectors fail."""
    vs = vectors.vector_set("fmul16", "sample", seed=SEED)
    vec = vs.arrays()
    neg, _ = _fields(vec)
    x = vec[:, 0]
    subnormal = ((x & 0x7C00) == 0) & ((x & 0x3FF) != 0)
    predicted = np.where(subnormal, ((x >> 15) ^ neg) << 15, vec[:, 2]).astype(np.uint32)
    assert np.count_nonzero(predicted != vec[:, 2]) > 1000
    (define,) = UNITS["fmul16"].bugs
    r = harness.run(harness.build("fmul16", sim, (define,)), vs, max_errors=MAX_ERRORS)
    assert_fails_as_predicted(r, vs.n, vec, predicted, ("in0", "in1"))
