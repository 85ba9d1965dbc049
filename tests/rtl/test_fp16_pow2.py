# SPDX-License-Identifier: Apache-2.0
"""The binary16 scaler (rtl/lut_fp32_pow2.sv at ExpW 5, FracW 10) against the model and SoftFloat.

* The reference (``blocks.fpadd16.ref_pow2h``: the model's plane term,
  ``models.fp16.term``) is held to SoftFloat ``f16_mul`` by ``2^shift`` on every
  vector of the exhaustive set (every pattern at every shift 0..7, both negations).
* The pure-SV harness (unit ``fpow2h``): the exhaustive set (2^20 vectors) on
  Verilator, every pattern once (random shift and negation) on both simulators.
* The checker bites: ``LUT_TC_BUG_FP_POW2_FTZ`` (a subnormal x scales to a zero)
  fails with exactly the predicted mismatches. The netlist runs in
  ``tests/rtl/test_fp_units.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import softfloatpy as sf

from blocks import fpadd16, fpops, harness, vectors
from blocks.units import UNITS
from flow import simrun
from tests.needs import needs

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
SEED = 1


def _sf_scale(x: np.ndarray, neg: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """SoftFloat ``f16_mul((neg ? -x : x), 2^shift)``, NaNs canonical."""
    frm, mul = sf.Float16.from_bytes, sf.f16_mul
    twos = [frm(int(np.float16(2.0**i).view(np.uint16)).to_bytes(2, "big")) for i in range(8)]
    out = []
    for v, n, i in zip(x.tolist(), neg.tolist(), shift.tolist(), strict=True):
        o = int.from_bytes(mul(frm((v ^ (n << 15)).to_bytes(2, "big")), twos[i]).to_bytes(), "big")
        out.append(fpadd16.QNAN16 if (o & 0x7C00) == 0x7C00 and o & 0x3FF else o)
    return np.array(out, dtype=np.uint32)


def test_reference_is_softfloat_on_every_vector() -> None:
    vs = vectors.vector_set("fpow2h", "exhaustive", seed=SEED)
    vec = vs.arrays()
    assert vs.n == 1 << 20
    neg, shift = (vec[:, 1] >> fpops.NEG_BIT) & 1, vec[:, 1] & 0xFF
    assert set(zip(neg.tolist(), shift.tolist(), strict=True)) == {
        (n, i) for n in (0, 1) for i in range(8)
    }
    want = _sf_scale(vec[:, 0], neg, shift)
    diff = np.flatnonzero(want != vec[:, 2])
    assert diff.size == 0, f"{diff.size} differ from SoftFloat, first {vec[diff[:4]]}"
    subnormal_in = ((vec[:, 0] & 0x7C00) == 0) & ((vec[:, 0] & 0x3FF) != 0)
    normal_out = ((vec[:, 2] & 0x7C00) != 0) & ((vec[:, 2] & 0x7C00) != 0x7C00)
    assert np.count_nonzero(subnormal_in & normal_out) > 1000  # subnormals normalized
    finite_in = (vec[:, 0] & 0x7C00) != 0x7C00
    assert np.count_nonzero(finite_in & ((vec[:, 2] & 0x7FFF) == 0x7C00)) > 1000  # overflow


def _check_pass(r: harness.RunResult, n: int) -> None:
    assert r.passed, f"{r.errors} mismatches, first {r.mismatches[:3]} (log: {r.log})"
    assert r.n == n and r.errors == 0 and r.returncode == 0


@needs("verilator")
def test_exhaustive_set_passes() -> None:
    vs = vectors.vector_set("fpow2h", "exhaustive", seed=SEED)
    _check_pass(harness.run(harness.build("fpow2h", "verilator", n=vs.n), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_sample_passes(sim: str) -> None:
    vs = vectors.vector_set("fpow2h", "sample", seed=SEED)
    _check_pass(harness.run(harness.build("fpow2h", sim), vs), vs.n)


@pytest.mark.parametrize("sim", SIMS)
def test_planted_bug_fails_as_predicted(sim: str) -> None:
    """A subnormal x scales to a zero of the result's sign: exactly those vectors fail."""
    vs = vectors.vector_set("fpow2h", "sample", seed=SEED)
    vec = vs.arrays()
    neg = (vec[:, 1] >> fpops.NEG_BIT) & 1
    x = vec[:, 0]
    subnormal = ((x & 0x7C00) == 0) & ((x & 0x3FF) != 0)
    predicted = np.where(subnormal, ((x >> 15) ^ neg) << 15, vec[:, 2]).astype(np.uint32)
    differ = np.flatnonzero(predicted != vec[:, 2])
    assert differ.size > 1000
    (define,) = UNITS["fpow2h"].bugs
    r = harness.run(harness.build("fpow2h", sim, (define,)), vs, max_errors=20)
    assert not r.passed and r.returncode != 0
    assert r.n == vs.n and r.errors == differ.size
    assert [m["index"] for m in r.mismatches] == differ[:20].tolist()
    assert all(m["got"] == int(predicted[m["index"]]) for m in r.mismatches)
