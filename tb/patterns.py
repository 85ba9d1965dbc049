# SPDX-License-Identifier: Apache-2.0
"""Idle and back-pressure patterns: plain generators handed to the BFM.

cocotbext-axi style: a pattern is an infinite iterator of 0/1, one value per
clock cycle the BFM spends on that channel, so a test changes traffic shape by
passing a different generator, never by editing the BFM.

* ``out_ready`` patterns: 1 = the response consumer is ready this cycle.
* ``in_idle`` patterns: 1 = the instruction driver inserts an idle cycle
  (``in_valid_i`` low) before the next instruction.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator


def always(value: int = 1) -> Iterator[int]:
    """Constant pattern: ``always(1)`` = always ready, ``always(0)`` = never idle."""
    return itertools.repeat(value)


def never() -> Iterator[int]:
    return itertools.repeat(0)


def random_pattern(rng: random.Random, p_one: float) -> Iterator[int]:
    """Independent cycles, 1 with probability ``p_one``."""
    while True:
        yield 1 if rng.random() < p_one else 0


def bursts(rng: random.Random, on: tuple[int, int], off: tuple[int, int]) -> Iterator[int]:
    """Runs of 1s and 0s with lengths drawn uniformly from ``on`` / ``off`` (inclusive)."""
    while True:
        yield from itertools.repeat(1, rng.randint(*on))
        yield from itertools.repeat(0, rng.randint(*off))


def stall_mix(rng: random.Random) -> Iterator[int]:
    """Back-pressure that reaches every stall-length coverage bin (0, 1, 2-3, 4-15, 16+).

    Mostly ready, with stalls of 1, 2-3, 4-15 and 16-24 cycles mixed in.
    """
    while True:
        yield from itertools.repeat(1, rng.randint(1, 6))
        kind = rng.random()
        if kind < 0.35:
            stall = 1
        elif kind < 0.65:
            stall = rng.randint(2, 3)
        elif kind < 0.9:
            stall = rng.randint(4, 15)
        else:
            stall = rng.randint(16, 24)
        yield from itertools.repeat(0, stall)
