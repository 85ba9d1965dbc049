# SPDX-License-Identifier: Apache-2.0
"""The scenario sequences: each names its stimulus from :mod:`tb.stimulus`."""

from __future__ import annotations

import numpy as np

from models.batch import Batch
from models.config import AFmt
from tb import stimulus
from tb.sequences.base import BatchSeq


class DirectedSeq(BatchSeq):
    """LUTGEN + LMMA for every activation format and weight width, extremes, wrap."""

    def __init__(self, name: str = "directed") -> None:
        super().__init__(name)

    def stimulus(self) -> Batch:
        return stimulus.directed(self.cfg, self.rng)


class RandomStreamSeq(BatchSeq):
    """Constrained-random instructions steered by :class:`tb.stimulus.Knobs`."""

    def __init__(self, name: str = "random_stream", knobs: stimulus.Knobs | None = None) -> None:
        super().__init__(name)
        self.knobs = knobs or stimulus.Knobs()

    def stimulus(self) -> Batch:
        return stimulus.random_stream(self.cfg, self.rng, self.knobs)


class LongStreamSeq(BatchSeq):
    """A long stream of a preset (``full``: every width, format, status and wrap)."""

    def __init__(self, name: str, knobs: stimulus.Knobs, seed: int | None = None) -> None:
        super().__init__(name, seed=seed)
        self.knobs = knobs

    def stimulus(self) -> Batch:
        return stimulus.long_stream(self.cfg, self.rng, self.knobs)


class PresetStreamSeq(BatchSeq):
    """Preset ``mix`` from an explicit seed: the very stream ``make replay`` writes as vectors."""

    def __init__(
        self,
        name: str,
        mix: str,
        count: int,
        seed: int,
        wbits: int | None = None,
        pools: tuple[int, int, int] | None = (16, 32, 4),
    ) -> None:
        super().__init__(name)
        self.args = (mix, count, seed, wbits, pools)

    def stimulus(self) -> Batch:
        return stimulus.seeded_stream(self.cfg, *self.args)


class ErrorInjectionSeq(BatchSeq):
    """Every illegal field, status priority, one word per reachable cross bin, random words."""

    def __init__(self, name: str = "errors", n_bins: int = 60, n_random: int = 60) -> None:
        super().__init__(name)
        self.n_bins, self.n_random = n_bins, n_random

    def stimulus(self) -> Batch:
        return stimulus.error_injection(self.cfg, self.rng, self.n_bins, self.n_random)


class GemmSeq(BatchSeq):
    """A quantized GEMM through ``models.tiler``; ``check_dut`` judges it on the DUT's D.

    ``weights`` is one of ``tb.stimulus.WEIGHTS``; ``afmt`` an integer format
    (exact GEMM, rebuilt from the DUT's D) or an FP one the configuration
    builds (FP32 accumulation: the DUT's D stream bit for bit against the
    model, and the GEMM against float64 math within its rounding bound).
    """

    def __init__(
        self,
        name: str = "gemm",
        weights: str = "ternary",
        afmt: AFmt = AFmt.INT8,
        shape: tuple[int, int, int] | None = None,
    ) -> None:
        super().__init__(name)
        self.weights, self.afmt, self.shape = weights, afmt, shape
        self.program = None

    def stimulus(self) -> Batch:
        self.program = stimulus.gemm(self.cfg, self.rng, self.weights, self.afmt, self.shape)
        return self.program.batch

    def check_dut(self, d: np.ndarray) -> None:
        """``d``: the DUT's D rows, one per instruction of this GEMM, in order."""
        self.program.check_dut(d)
