# SPDX-License-Identifier: Apache-2.0
"""Hypothesis strategies shared by the model tests.

Arrays come from a seeded numpy generator in one of a few modes, so large
shapes stay cheap and the extremes (all minimum, all maximum, all zero, mixed
extremes) are hit on purpose rather than by luck.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from models.config import CONFIGS, AFmt, CoreConfig
from models.tables import act_range

MODES = ("random", "lo", "hi", "extremes", "zero")
INT_AFMTS = (AFmt.INT8, AFmt.INT16)


@st.composite
def int_arrays(draw: st.DrawFn, shape: tuple[int, ...], lo: int, hi: int) -> np.ndarray:
    """int64 array of ``shape`` with values in ``[lo, hi]``."""
    mode = draw(st.sampled_from(MODES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if mode == "lo":
        return np.full(shape, lo, dtype=np.int64)
    if mode == "hi":
        return np.full(shape, hi, dtype=np.int64)
    if mode == "zero":
        return np.full(shape, min(max(0, lo), hi), dtype=np.int64)
    if mode == "extremes":
        return rng.choice(np.array([lo, hi], dtype=np.int64), size=shape)
    return rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)


def acts(shape: tuple[int, ...], afmt: AFmt) -> st.SearchStrategy[np.ndarray]:
    return int_arrays(shape, *act_range(afmt))


def weights(shape: tuple[int, ...], b: int) -> st.SearchStrategy[np.ndarray]:
    """Unsigned ``b``-bit codes; "zero" and "hi" are the all-zero and all-one (max code) cases."""
    return int_arrays(shape, 0, (1 << b) - 1)


afmts = st.sampled_from(INT_AFMTS)
bits = st.integers(1, 8)
configs: st.SearchStrategy[CoreConfig] = st.sampled_from(list(CONFIGS.values()))
small_configs: st.SearchStrategy[CoreConfig] = st.sampled_from(
    [CONFIGS["M2N4"], CONFIGS["M4N16"], CONFIGS["M2N4W8"], CoreConfig(M=3, N=5, T=2, W_BITS_MAX=3)]
)
