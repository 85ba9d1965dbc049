# SPDX-License-Identifier: Apache-2.0
"""Bit planes, the {neg, sel} weight codes and the weight-code bus."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.config import CONFIGS, CoreConfig
from models.encoding import (
    bit_planes,
    decode_weights,
    encode_weights,
    pack_codes,
    unpack_codes,
)
from tests.models.strategies import bits, configs, int_arrays, weights

ALL_B = range(1, 9)


@pytest.mark.parametrize("b", ALL_B)
@given(data=st.data())
def test_bit_planes_recompose_q(b: int, data: st.DataObject) -> None:
    shape = data.draw(st.lists(st.integers(1, 7), min_size=1, max_size=3).map(tuple))
    q = data.draw(weights(shape, b))
    planes = bit_planes(q, b)
    assert planes.shape == (b, *q.shape) and planes.dtype == np.uint8
    assert set(np.unique(planes)) <= {0, 1}
    weights_of_planes = (1 << np.arange(b)).reshape((b,) + (1,) * q.ndim)
    assert np.array_equal((planes.astype(np.int64) * weights_of_planes).sum(axis=0), q)


@pytest.mark.parametrize("b", ALL_B)
@given(data=st.data())
def test_encode_decode_round_trip(b: int, data: st.DataObject) -> None:
    g, n = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 40))
    q = data.draw(weights((4 * g, n), b))
    codes = encode_weights(q, b)
    assert codes.shape == (b, g, n) and codes.dtype == np.uint8
    assert codes.max() < 16
    assert np.array_equal(decode_weights(codes), q)


def test_code_table_directed() -> None:
    """One plane, the 16 index patterns: idx >= 8 -> {0, idx[2:0]}, idx < 8 -> {1, ~idx[2:0]}."""
    idx = np.arange(16)
    q = (idx[None, :] >> np.arange(4)[:, None]) & 1  # q[k, col] = bit k of idx
    codes = encode_weights(q, 1)[0, 0]
    expected = [8 | (~i & 7) if i < 8 else i & 7 for i in range(16)]
    assert codes.tolist() == expected


@given(data=st.data())
def test_every_code_is_reachable_and_decode_is_inverse(data: st.DataObject) -> None:
    b = data.draw(bits)
    codes = data.draw(int_arrays((b, data.draw(st.integers(1, 5)), 16), 0, 15))
    assert np.array_equal(encode_weights(decode_weights(codes), b), codes)


@given(cfg=configs, data=st.data())
def test_pack_unpack_codes_round_trip(cfg: CoreConfig, data: st.DataObject) -> None:
    b = data.draw(st.integers(1, cfg.W_BITS_MAX))
    codes = data.draw(int_arrays((b, cfg.N), 0, 15))
    word = pack_codes(codes, cfg)
    assert 0 <= word < 1 << cfg.w_bits
    assert word >> (b * cfg.N * 4) == 0, "planes >= b must be packed as zero"
    assert np.array_equal(unpack_codes(word, b, cfg), codes)


@given(cfg=configs, data=st.data())
def test_unpack_ignores_planes_beyond_b(cfg: CoreConfig, data: st.DataObject) -> None:
    word = data.draw(st.integers(0, (1 << cfg.w_bits) - 1))
    b = data.draw(st.integers(1, cfg.W_BITS_MAX))
    low = word & ((1 << (b * cfg.N * 4)) - 1)
    assert np.array_equal(unpack_codes(word, b, cfg), unpack_codes(low, b, cfg))


def test_code_lane_position() -> None:
    """Lane i*N + n holds codes[i, n]."""
    cfg = CoreConfig(M=2, N=5, W_BITS_MAX=3)
    for i in range(3):
        for n in range(5):
            codes = np.zeros((3, 5), dtype=np.int64)
            codes[i, n] = 0xB
            assert pack_codes(codes, cfg) == 0xB << (4 * (i * 5 + n))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: bit_planes(np.array([4]), 2), "q"),
        (lambda: bit_planes(np.array([0]), 0), "b"),
        (lambda: bit_planes(np.array([0]), 9), "b"),
        (lambda: bit_planes(np.array([0.5]), 2), "q"),
        (lambda: encode_weights(np.zeros((6, 2), dtype=int), 2), "Kt"),
        (lambda: encode_weights(np.full((4, 2), -1), 2), "q"),
        (lambda: encode_weights(np.zeros(4, dtype=int), 2), "q"),
        (lambda: decode_weights(np.full((1, 1, 1), 16)), "codes"),
        (lambda: decode_weights(np.zeros((9, 1, 1), dtype=int)), "b"),
        (lambda: pack_codes(np.zeros((5, 4), dtype=int), CONFIGS["M2N4"]), "b"),
        (lambda: pack_codes(np.zeros((2, 3), dtype=int), CONFIGS["M2N4"]), "codes"),
        (lambda: pack_codes(np.full((2, 4), 16), CONFIGS["M2N4"]), "codes"),
        (lambda: unpack_codes(1 << 64, 2, CONFIGS["M2N4"]), "word"),
        (lambda: unpack_codes(-1, 2, CONFIGS["M2N4"]), "word"),
        (lambda: unpack_codes(0, 5, CONFIGS["M2N4"]), "b"),
    ],
)
def test_errors_name_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
