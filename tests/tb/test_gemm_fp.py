# SPDX-License-Identifier: Apache-2.0
"""FP GEMM layers of the stimulus (``tb.stimulus.gemm``) without a simulator.

The two layers the testbench runs, W_INT2 (scale, zero point) x A_FP16 and
ternary x A_BF16, at the testbench's shapes on both FP configurations and
several seeds: the model chain, ``BatchModel`` and ``CoreModel`` agree
instruction by instruction, ``check_dut`` accepts them, and every output is
within the rounding bound of float64 ``A64 @ W64``. The bound is shown to
hold on adversarial activations against exact sums, not to be vacuous, and
``check_dut`` to fail on a core one table entry off (by one ulp: bit for bit;
by many: the bound) and on a core that sums its planes pairwise.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from models import fp
from models.batch import BatchModel, from_bytes
from models.config import CONFIGS, AFmt, CoreConfig, Opcode
from models.core import CoreModel
from models.encoding import unpack_codes
from models.isa import decode
from models.tiler import execute_batch, tile_gemm
from tb import stimulus as st
from tb.stimulus.gemm import U32, GemmProgram, fp_bound_factor, gamma, llm_activations

FPC, FP64 = CONFIGS["M2N4FP"], CONFIGS["M2N64FP"]
LAYERS = [("int2_zp", AFmt.FP16), ("ternary", AFmt.BF16)]
LAYER_IDS = ["int2_fp16", "ternary_bf16"]


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def tb_shape(cfg: CoreConfig, scale: float) -> tuple[int, int, int]:
    """``GemmTernaryTest.shape()`` at ``LUT_TC_SCALE = scale`` (1: default, 8: nightly)."""
    groups = max(cfg.T + 1, round(8 * scale))
    return cfg.M * (4 if scale >= 2 else 2), 4 * groups, 2 * cfg.N


def dut(g: GemmProgram, hook=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A stand-in DUT: ``CoreModel`` fed the batch row by row (C as sent), int32 ``[B, M*N]``.

    ``hook(core, k)`` runs after instruction ``k``: the place to break the core.
    """
    core, b = CoreModel(g.cfg), g.batch
    out = np.zeros_like(g.d_model)
    for k in range(len(b)):
        buses = (from_bytes(b.a[k]), from_bytes(b.w[k]), from_bytes(b.c[k]))
        out[k] = core.step(int(b.words[k]), *buses).d.ravel()
        if hook is not None:
            hook(core, k)
    return out


# --- the layers at the testbench's shapes -------------------------------------------------
@pytest.mark.parametrize("cfg", [FPC, FP64], ids=lambda c: c.name)
@pytest.mark.parametrize("scale", [1, 8])
@pytest.mark.parametrize(("weights", "afmt"), LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fp_layer_end_to_end(
    cfg: CoreConfig, scale: int, weights: str, afmt: AFmt, seed: int
) -> None:
    g = st.gemm(cfg, rng(seed), weights, afmt, shape=tb_shape(cfg, scale))
    print(g.describe())
    assert g.fp and g.result.dtype == np.float32 and g.ratio is not None and g.ratio < 1
    d = BatchModel(cfg).step(g.batch).d
    assert np.array_equal(d, g.d_model), "BatchModel on the batch as sent = the model chain"
    assert np.array_equal(dut(g), d), "CoreModel, instruction by instruction"
    g.check_dut(d)
    got, want = g.dequantize(g.result), g.reference()
    assert np.all(np.abs(got - want) <= g.bound(g.result))


@pytest.mark.parametrize(("weights", "afmt"), LAYERS, ids=LAYER_IDS)
def test_bound_is_not_vacuous_on_the_nightly_layer(weights: str, afmt: AFmt) -> None:
    """[8 x 256] x [256 x 128]: binary32 rounds on the way, and the worst output shows it.

    A bound a thousand times the worst error seen would pass a much worse core.
    (At Kt = 32 the binary32 chain is often exact for these draws: the ratio
    is then float64 noise, ~1e-10.)
    """
    ratios = [st.gemm(FP64, rng(s), weights, afmt, shape=tb_shape(FP64, 8)).ratio for s in range(3)]
    print(weights, afmt.name, [f"{r:.3g}" for r in ratios])
    assert all(1e-3 <= r < 1 for r in ratios)  # type: ignore[operator]


@pytest.mark.parametrize("afmt", [AFmt.FP16, AFmt.BF16], ids=lambda f: f.name)
def test_bound_holds_on_adversarial_activations(afmt: AFmt) -> None:
    """Magnitudes over many binades (absorption on every addition) against exact sums.

    The core part of the bound, ``gamma_n (2^b - 1) sum |a_k|``, against
    ``math.fsum`` of the exact float64 products, for every width.
    """
    dtype = fp.FP_FORMATS[afmt][0]
    span = 14 if afmt == AFmt.FP16 else 40
    worst = 0.0
    for seed in range(40):
        r = rng(seed)
        kt, b = 4 * int(r.integers(1, 65)), int(r.integers(1, 5))
        sign = np.where(r.random((2, kt)) < 0.5, -1.0, 1.0)
        a = (sign * 2.0 ** r.uniform(-span, span, (2, kt))).astype(np.float32).astype(dtype)
        a64 = a.astype(np.float64)
        q = r.integers(0, 1 << b, size=(kt, 4))
        got = execute_batch(tile_gemm(a, q, b, afmt, FPC)).result.astype(np.float64)
        c = 2 * q - ((1 << b) - 1)
        exact = np.array([[math.fsum(a64[i] * c[:, j]) for j in range(4)] for i in range(2)])
        bound = fp_bound_factor(b, kt) * np.abs(a64).sum(axis=1)[:, None]
        worst = max(worst, float((np.abs(got - exact) / bound).max()))
    print(f"{afmt.name}: worst |error| / bound {worst:.3g}")
    assert 0.01 < worst <= 1


def test_rounding_count_and_gamma() -> None:
    g = st.gemm(FPC, rng(), "int2_zp", AFmt.FP16, shape=(4, 32, 8))
    assert g.n_roundings == 2 * 32 // 4 + 1 == 17
    assert fp_bound_factor(2, 32) == pytest.approx(3 * 17 * U32 / (1 - 17 * U32), rel=1e-15)
    assert gamma(1) == pytest.approx(2.0**-24, rel=1e-6)
    with pytest.raises(ValueError, match=r"n \* u >= 1"):
        gamma(1 << 24)
    assert "n = 17" in g.describe() and "max |error| / bound" in g.describe()


def test_llm_activations_are_format_values_with_outliers() -> None:
    for afmt in (AFmt.FP16, AFmt.BF16, AFmt.FP8_E4M3, AFmt.FP8_E5M2):
        dtype = fp.FP_FORMATS[afmt][0]
        a = llm_activations(rng(7), afmt, (8, 256))
        assert np.isfinite(a).all()
        assert np.array_equal(a.astype(dtype).astype(np.float64), a), "exact format values"
        assert np.abs(a).max() <= float(ml_dtypes.finfo(dtype).max) / 2
        col = np.abs(a).mean(axis=0)
        assert col.max() > 5 * np.median(col), "outlier channels"
        row = np.abs(a).mean(axis=1)
        assert row.max() > 2 * row.min(), "tokens differ in scale"


def test_other_weight_kinds_with_fp_and_int2_with_int() -> None:
    """The weight kinds and formats combine freely: INT4 x E4M3, INT2 (zero point) x INT8."""
    g = st.gemm(FPC, rng(), "int4", AFmt.FP8_E4M3, shape=(3, 24, 5))
    assert g.b == 4 and g.fp
    g.check_dut(BatchModel(FPC).step(g.batch).d)
    g = st.gemm(CONFIGS["M2N4"], rng(), "int2_zp", AFmt.INT8, shape=(3, 24, 5))
    assert g.b == 2 and not g.fp and g.ratio is None
    g.check_dut(BatchModel(CONFIGS["M2N4"]).step(g.batch).d)
    assert set(g.z.tolist()) <= {0.0, 1.0, 2.0, 3.0}


def test_fp_layer_on_an_integer_config_names_afmt() -> None:
    with pytest.raises(ValueError, match=r"afmt=FP16 is not built by M2N4;"):
        st.gemm(CONFIGS["M2N4"], rng(), "int2_zp", AFmt.FP16)


# --- check_dut must be able to fail -------------------------------------------------------
def _break_entry(g: GemmProgram, ulps: int):  # type: ignore[no-untyped-def]
    """Hook: after the first LUTGEN, the entry the first LMMA's top plane uses most heavily
    (row 0, the largest magnitude among its lanes) is moved by ``ulps`` ulps."""
    first = int(np.flatnonzero(g.tile >= 0)[0])
    treg = decode(int(g.batch.words[first])).treg
    codes = unpack_codes(from_bytes(g.batch.w[first]), g.b, g.cfg)

    def hook(core: CoreModel, k: int) -> None:
        if k != 0:
            return
        afmt, tab = core.tables[treg]  # type: ignore[misc]
        sels = codes[g.b - 1] & 7
        sel = int(sels[np.argmax(np.abs(tab[0, sels]))])
        tab = tab.copy()
        tab[0, sel] += np.float32(ulps) * np.spacing(tab[0, sel])
        core.tables[treg] = (afmt, tab)

    assert decode(int(g.batch.words[0])).opcode == Opcode.LUTGEN
    return hook


@pytest.mark.parametrize(("weights", "afmt"), LAYERS, ids=LAYER_IDS)
def test_one_ulp_table_entry_fails_bit_for_bit(weights: str, afmt: AFmt) -> None:
    """Within the bound (a correct-looking GEMM), but not the contract: caught bit for bit."""
    g = st.gemm(FP64, rng(), weights, afmt, shape=tb_shape(FP64, 1))
    d = dut(g, _break_entry(g, 1))
    g.check(g._last_d(d), "bound only")  # the bound alone would let it pass
    g.check_partials(d, "bound only")
    with pytest.raises(AssertionError, match=r"lanes differ bit for bit from the model; first "):
        g.check_dut(d)


@pytest.mark.parametrize(("weights", "afmt"), LAYERS, ids=LAYER_IDS)
def test_far_off_table_entry_fails_the_bound(weights: str, afmt: AFmt) -> None:
    """2^14 ulps: the partial sums of the LMMAs using that table leave their bound."""
    g = st.gemm(FP64, rng(), weights, afmt, shape=tb_shape(FP64, 1))
    d = dut(g, _break_entry(g, 1 << 14))
    with pytest.raises(AssertionError) as err:
        g.check_dut(d)
    msg = str(err.value)
    print(msg)
    assert "LMMA lanes outside their partial-sum bound; first: instruction " in msg
    assert "after K-groups 0..0: D = " in msg and "exact partial sum" in msg and "> bound" in msg
    assert "; first differing response: instruction " in msg


def test_wrong_output_names_element_value_reference_and_bound() -> None:
    g = st.gemm(FPC, rng(), "int2_zp", AFmt.FP16, shape=(5, 32, 7))  # padding in M and N
    d = g.d_model.copy()
    last = int(np.flatnonzero(g.tile == 0)[-1])  # tile (0, 0): element [1, 2] is lane 1*N + 2
    lane = 1 * FPC.N + 2
    v = d[last, lane : lane + 1].view(np.float32)
    d[last, lane] = (v * np.float32(1 + 2**-8)).view(np.int32)[0]
    with pytest.raises(AssertionError) as err:
        g.check_dut(d)
    msg = str(err.value)
    print(msg)
    assert msg.startswith("DUT responses: dequantized GEMM outside the rounding bound in 1 of 35")
    assert "first [1, 2]: " in msg and "vs float64 reference " in msg and "> bound " in msg
    assert "n = 17 binary32 roundings" in msg
    assert f"first differing response: instruction {last} " in msg


def test_pairwise_plane_sum_fails_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A core adding its planes as a tree (fewer roundings: inside the bound) is not the core."""

    def pairwise(tables: np.ndarray, codes: np.ndarray, c_bits: np.ndarray) -> np.ndarray:
        tables, codes = np.asarray(tables, np.float32), np.asarray(codes, np.int64)
        terms = []
        for i in range(codes.shape[0]):
            e = tables[:, codes[i] & 7]
            terms.append(np.where((codes[i] >> 3).astype(bool), -e, e) * np.float32(2.0**i))
        while len(terms) > 1:
            terms = [sum(terms[j : j + 2]) for j in range(0, len(terms), 2)]
        return fp.bits(np.asarray(c_bits, np.uint32).view(np.float32) + terms[0])

    g = st.gemm(FP64, rng(), "int2_zp", AFmt.FP16, shape=tb_shape(FP64, 8))
    monkeypatch.setattr(fp, "fp_lmma", pairwise)
    d = dut(g)
    assert not np.array_equal(d, g.d_model)
    g.check(g._last_d(d), "bound only")
    with pytest.raises(AssertionError, match="lanes differ bit for bit from the model"):
        g.check_dut(d)


def test_fp_check_dut_rejects_bad_rows() -> None:
    g = st.gemm(FPC, rng(), "ternary", AFmt.BF16, shape=(4, 32, 8))
    d = g.d_model.copy()
    with pytest.raises(AssertionError, match="one row per GEMM instruction"):
        g.check_dut(d[:-1])
    gen = int(np.flatnonzero(g.tile < 0)[2])
    d[gen, 3] = 1
    with pytest.raises(
        AssertionError, match=f"LUTGEN responses with D != 0, first instruction {gen}"
    ):
        g.check_dut(d)
    d = g.d_model.copy()
    d[int(np.flatnonzero(g.tile >= 0)[-1]), 0] = fp.CANONICAL_NAN  # a NaN result
    with pytest.raises(AssertionError, match=r"outside the rounding bound .*: nan vs float64"):
        g.check_dut(d)
