# SPDX-License-Identifier: Apache-2.0
"""Named long streams (the mixes of ``tools/replay.py``), counted in LMMAs.

``full`` exercises everything the integer core does in one stream; ``fp``
does the same for the FP formats a configuration builds (with integer
tables mixed in); ``bench`` is the throughput benchmark's stream (INT8),
``bench_fp16`` the same with FP16 activations and FP32 accumulation; ``lmma``
keeps the array busy with nothing but LMMAs. Each is a :class:`Knobs`
preset, so a test can start from one and change a field with
``dataclasses.replace``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.batch import Batch
from models.config import CoreConfig
from tb.stimulus.knobs import Knobs
from tb.stimulus.random_stream import random_stream

PRESETS: dict[str, Callable[..., Knobs]] = {
    "full": Knobs.full,
    "fp": Knobs.fp,
    "bench": Knobs.bench,
    "bench_fp16": Knobs.bench_fp16,
    "lmma": Knobs.lmma,
}


def preset(name: str, count: int = 2000, **kw) -> Knobs:
    """``PRESETS[name](count, **kw)``; ValueError naming the presets for an unknown name."""
    try:
        make = PRESETS[name]
    except KeyError:
        raise ValueError(f"preset {name!r} unknown; choose from {sorted(PRESETS)}") from None
    return make(count, **kw)


def long_stream(
    cfg: CoreConfig, rng: np.random.Generator, knobs: Knobs | str = "full", count: int = 2000
) -> Batch:
    """A long stream: ``knobs`` (a preset name with ``count`` LMMAs, or any :class:`Knobs`)."""
    kn = preset(knobs, count) if isinstance(knobs, str) else knobs
    return random_stream(cfg, rng, kn)


def seeded_stream(
    cfg: CoreConfig,
    mix: str,
    count: int,
    seed: int,
    wbits: int | None = None,
    pools: tuple[int, int, int] | None = (16, 32, 4),
) -> Batch:
    """Preset ``mix`` with ``count`` LMMAs from ``numpy.random.default_rng(seed)``.

    One definition for every place that must produce the same stream from
    the same numbers: the benchmark test on either transport and the replay.
    ``wbits`` None keeps the preset's own width(s).
    """
    kw = {"wbits": wbits} if wbits else {}
    knobs = preset(mix, count, pools=tuple(pools) if pools else None, **kw).fitted(cfg)
    return long_stream(cfg, np.random.default_rng(seed), knobs)
