# SPDX-License-Identifier: Apache-2.0
"""Hypothesis profiles for the model tests.

``fast`` (the default) keeps the whole suite well under a minute on two cores;
``nightly`` digs deeper: ``pytest tests/models --hypothesis-profile=nightly``.
No example database: runs leave no files behind, and a failure prints the
``@reproduce_failure`` blob instead.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "fast",
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("nightly", parent=settings.get_profile("fast"), max_examples=1000)


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("fast")
