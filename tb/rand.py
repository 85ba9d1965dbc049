"""Seeding: every random stream of a test derives from ``cocotb.RANDOM_SEED``.

cocotb combines the run's seed with the test name, so each test is
reproducible alone (``COCOTB_RANDOM_SEED=<seed>``) and tests of one run
differ. Each consumer asks for a named stream, so adding a sequence does not
shift the numbers another one sees.
"""

from __future__ import annotations

import random
import zlib

import numpy as np


def seed() -> int:
    import cocotb

    return int(getattr(cocotb, "RANDOM_SEED", 0) or 0)


def _key(stream: str) -> int:
    return zlib.crc32(stream.encode())


def np_rng(stream: str) -> np.random.Generator:
    """numpy Generator for bulk data (matrices, buses)."""
    return np.random.default_rng([seed() & 0xFFFFFFFF, _key(stream)])


def py_rng(stream: str) -> random.Random:
    """Python Random for patterns and small choices."""
    return random.Random(f"{seed()}:{stream}")
