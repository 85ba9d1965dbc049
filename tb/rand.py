# SPDX-License-Identifier: Apache-2.0
"""Seeding: every random stream of a test derives from ``cocotb.RANDOM_SEED``.

cocotb combines the run's seed with the test name (:func:`derived`), so each
test is reproducible alone (``COCOTB_RANDOM_SEED=<seed>``) and tests of one
run differ. A group run (several tests in one simulator process, each with
its own seed) sets the same derived value per test, so a test draws the same
numbers alone and in a group. Each consumer asks for a named stream, so adding
a sequence does not shift the numbers another one sees.
"""

from __future__ import annotations

import hashlib
import os
import random
import zlib

import numpy as np

#: The seed the current test was given (a group run sets it per test).
_given: int | None = None


def seed() -> int:
    import cocotb

    return int(getattr(cocotb, "RANDOM_SEED", 0) or 0)


def given_seed() -> int:
    """The seed as the user gave it (``SEED=``), not the derived number streams use."""
    if _given is not None:
        return _given
    return int(os.environ.get("COCOTB_RANDOM_SEED", "0") or 0)


def derived(given: int, fullname: str) -> int:
    """cocotb's per-test seed: the run's seed plus sha1 of ``module.test``."""
    return given + int(hashlib.sha1(fullname.encode()).hexdigest(), 16)


def set_test_seed(given: int, fullname: str) -> None:
    """Seed the running test as a lone run of ``fullname`` with seed ``given`` would be."""
    import cocotb

    global _given
    _given = given
    s = derived(given, fullname)
    cocotb.RANDOM_SEED = s
    random.seed(s)


def clear_test_seed() -> None:
    """After a group test: :func:`given_seed` reads the run's seed again."""
    global _given
    _given = None


def _key(stream: str) -> int:
    return zlib.crc32(stream.encode())


def np_rng(stream: str) -> np.random.Generator:
    """numpy Generator for bulk data (matrices, buses)."""
    return np.random.default_rng([seed() & 0xFFFFFFFF, _key(stream)])


def py_rng(stream: str) -> random.Random:
    """Python Random for patterns and small choices."""
    return random.Random(f"{seed()}:{stream}")
