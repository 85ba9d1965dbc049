"""Tests: a base test and one small class per scenario, in the modules below.

Every concrete subclass of :class:`~tb.tests.base_test.BaseTest` defined in
these modules is a test, registered by :mod:`tb.test_lut_tc` under its class
name; a new test is one class here plus one line of suite data.
"""

from __future__ import annotations

import importlib
import inspect

MODULES = ("tb.tests.functional_tests", "tb.tests.negative_tests")
#: Tests of the regression runner (a hang, a crash): only the runner's own tests run them.
SELFTEST_MODULES = ("tb.tests.runner_selftests",)


def catalog(selftests: bool = False) -> dict[str, type]:
    """Test name -> class, every test of :data:`MODULES` (importable without a simulator)."""
    from tb.tests.base_test import BaseTest

    out: dict[str, type] = {}
    for mod in MODULES + (SELFTEST_MODULES if selftests else ()):
        for name, cls in inspect.getmembers(importlib.import_module(mod), inspect.isclass):
            if issubclass(cls, BaseTest) and cls is not BaseTest and cls.__module__ == mod:
                out[name] = cls
    return out


def test_class(name: str) -> type:
    """The class of test ``name``; ValueError naming the valid choices."""
    tests = catalog()
    try:
        return tests.get(name) or catalog(selftests=True)[name]
    except KeyError:
        raise ValueError(
            f"test={name!r} unknown; choose one of {', '.join(sorted(tests))}"
        ) from None
