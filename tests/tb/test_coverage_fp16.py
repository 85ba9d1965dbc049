# SPDX-License-Identifier: Apache-2.0
"""The FP coverage of the binary16 instances (``tb.coverage.fp16``), both FP cores.

* The binary16 classifier (``add_codes16``) against SoftFloat ``f16_add``, its
  exception flags and exact rational arithmetic, IEEE and FTZ (SoftFloat between
  flushes), on random, subnormal-range, near-tie and overflow pairs; negative: the
  binary32 classifier calls a binary16 tie exact.
* The collectors of M2N4H and M2N4HZ on the LUT Tensor Core and the MAC core
  replay every FP LMMA to the model's D (a stale table or a binary32 replay would
  differ) and count every addition.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import softfloatpy as sf

from models.batch import BatchModel
from models.config import config_by_name
from tb.coverage import fp as fpcov
from tb.coverage import fp16 as fpcov16
from tb.coverage.bins import FP_RESULT_BINS
from tb.coverage.collector import CoverageCounts
from tb.coverage.fp_mac import MacFp16Coverage
from tb.predictor import Prediction
from tb.records import Issued
from tests.models.test_fp16 import _c16_stream as c16_stream
from tests.models.test_fp16 import flush16, values16

RNG = np.random.default_rng(16)
F = sf.ExceptionFlag


def _f16(v: int) -> sf.Float16:
    return sf.Float16.from_bytes(int(v).to_bytes(2, "big"))


def _classes(x: int, y: int, ftz: bool) -> tuple[set[str], int]:
    """The result classes of binary16 ``x + y`` by SoftFloat and fractions, and ``d``."""
    if ftz:
        x, y = flush16(x), flush16(y)
    fx, fy = _f16(x), _f16(y)
    ex, ey = max((x >> 10) & 31, 1), max((y >> 10) & 31, 1)
    if ((x >> 10) & 31) == 31 or ((y >> 10) & 31) == 31:
        return {"nonfinite"}, abs(ex - ey)
    sf.set_exception_flags(0)
    r = int.from_bytes(sf.f16_add(fx, fy).to_bytes(), "big")
    flags = sf.get_exception_flags()
    exact = Fraction(float(np.uint16(x).view(np.float16))) + Fraction(
        float(np.uint16(y).view(np.float16))
    )
    out = {"inexact"} if flags & F.INEXACT else {"exact"}
    if flags & F.OVERFLOW:
        out.add("overflow")
    if (r & 0x7C00) != 0x7C00:
        rv = Fraction(float(np.uint16(r).view(np.float16)))
        if rv != exact:  # a tie: the neighbour on the exact sum's other side is as near
            step = np.float16(np.inf) if exact > rv else np.float16(-np.inf)
            with np.errstate(over="ignore"):
                nb = np.nextafter(np.uint16(r).view(np.float16), step)
            out |= (
                {"tie"} if np.isfinite(nb) and Fraction(float(nb)) - exact == exact - rv else set()
            )
    elif abs(exact) == 65520:
        out.add("tie")
    if exact == 0 and (x & 0x7FFF):
        out.add("cancel_zero")
    if exact != 0 and abs(exact) < Fraction(1, 1 << 14):
        out.add("subnormal")
    return out, abs(ex - ey)


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs, and pairs built to tie, cancel, overflow and land subnormal."""
    x, y = values16(n), values16(n)
    big = np.full(n // 8, 0x7BFF, dtype=np.uint16)  # 65504: + 16 (a tie) or more overflows
    tie = (RNG.integers(0x6000, 0x6800, n // 8)).astype(np.uint16)  # 512..2048, + 0.5 ulp
    xs = np.concatenate([x, big, tie, x[: n // 8]])
    ys = np.concatenate(
        [
            y,
            (RNG.integers(0x4C00, 0x5400, n // 8)).astype(np.uint16),
            np.full(n // 8, 0x3800, dtype=np.uint16),
            x[: n // 8] ^ np.uint16(0x8000),
        ]
    )
    return xs, ys


@pytest.mark.parametrize("ftz", [False, True], ids=["ieee", "ftz"])
def test_binary16_classes_are_softfloats(ftz: bool) -> None:
    x, y = _pairs(16000)
    codes = fpcov16.add_codes16(x.view(np.float16), y.view(np.float16), ftz)
    masks = fpcov.KIND_MASK[codes & 7]
    seen: set[str] = set()
    for i in range(x.size):
        want, d = _classes(int(x[i]), int(y[i]), ftz)
        got = {c for c in FP_RESULT_BINS if masks[i] & fpcov.RESULT_BIT[c]}
        assert got == want and int(codes[i] >> 3) == d, (hex(x[i]), hex(y[i]), got, want)
        seen |= got
    assert seen == set(FP_RESULT_BINS)


def test_the_binary32_classifier_misses_a_binary16_tie() -> None:
    """Negative: 2048 + 1 is exact in binary32 and a tie in binary16."""
    x, y = np.float16(2048), np.float16(1)
    k16 = int(fpcov16.add_codes16(np.array([x]), np.array([y]))[0]) & 7
    k32 = int(fpcov.add_codes(np.array([x], np.float32), np.array([y], np.float32))[0]) & 7
    assert fpcov.KINDS[k16] == ("inexact", "tie") and fpcov.KINDS[k32] == ("exact",)


@pytest.mark.parametrize("core", ["lut_tc", "mac"])
@pytest.mark.parametrize("config", ["M2N4H", "M2N4HZ"])
def test_collector_replays_the_binary16_model(config: str, core: str) -> None:
    cfg = config_by_name(config, core)
    batch = c16_stream(cfg, 5, 600)
    model = BatchModel(cfg)
    recs = []
    for lo in range(0, len(batch), 64):
        part = batch[lo : lo + 64]
        idx = np.arange(lo, lo + len(part), dtype=np.int64)
        recs.append(Prediction(Issued(part, idx, idx, idx * 0), model.step(part)))
    cov = CoverageCounts(cfg)
    assert isinstance(cov.fp, fpcov16.Fp16Coverage if core == "lut_tc" else MacFp16Coverage)
    cov.fp.trace = []
    for r in recs:
        cov.sample_prediction(r)
    h = cov.hits()
    d_all = np.concatenate([r.resp.d for r in recs]).view(np.uint32)
    assert cov.fp.trace
    for pos, d in cov.fp.trace:
        assert np.array_equal(d, d_all[pos])
    res = h["fp_acc"]["cp_result"]
    assert res["exact"] > 0 and res["inexact"] > 0 and res["tie"] > 0, res
    if core == "lut_tc":
        assert sum(h["fp_tablegen"]["cross_afmt_result"].values()) > 0
