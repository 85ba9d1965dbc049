# SPDX-License-Identifier: Apache-2.0
"""Tests that need an OS tool say so with ``@pytest.mark.needs(...)`` (``tests/needs.py``):
a missing tool fails them with the command that installs it, it never skips them."""

from __future__ import annotations

import pytest

from tests.needs import require


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs(*tools): the OS tools (tools/os_packages.txt, or verilator) the test needs; "
        "a missing one fails the test with its install command",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs"):
        require(*mark.args)
