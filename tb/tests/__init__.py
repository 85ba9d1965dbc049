# SPDX-License-Identifier: Apache-2.0
"""Tests: a base test and one small class per scenario, in the modules of this package.

Every concrete subclass of :class:`~tb.tests.base_test.BaseTest` defined in
any module of this package (found with :mod:`pkgutil`, so a new file such as
``tb/tests/my_tests.py`` needs no list to be edited) is a test, registered by
:mod:`tb.test_lut_tc` under its class name; a new test is one class plus one
line of suite data. A class counts in the module that defines it, not in one
that imports it, and two modules may not define tests of the same name.

A module that sets ``RUNNER_SELFTESTS = True`` holds tests of the regression
runner itself (a hang, a crash: :mod:`tb.tests.runner_selftests`); they stay
out of the catalogue suites and command lines choose from, and only the
runner's own tests (``catalog(selftests=True)``) run them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

#: Where tests are looked for (named in the error for an unknown test).
TESTS_DIR = "tb/tests/"


def _modules() -> list:
    """Every module of this package, imported; one ValueError line if one cannot be."""
    out = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg or info.name.startswith("_"):
            continue
        name = f"{__name__}.{info.name}"
        try:
            out.append(importlib.import_module(name))
        except Exception as exc:  # a user's module with a typo: one line, not a traceback
            where = f"{TESTS_DIR}{info.name}.py"
            raise ValueError(f"{where}: cannot import: {type(exc).__name__}: {exc}") from None
    return out


def catalog(selftests: bool = False) -> dict[str, type]:
    """Test name -> class, every test of every module here (importable without a simulator).

    ``selftests``: the runner's self-tests too (modules with ``RUNNER_SELFTESTS = True``).
    """
    from tb.tests.base_test import BaseTest

    out: dict[str, type] = {}
    for mod in _modules():
        if getattr(mod, "RUNNER_SELFTESTS", False) and not selftests:
            continue
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if not (issubclass(cls, BaseTest) and cls is not BaseTest):
                continue
            if cls.__module__ != mod.__name__:
                continue  # imported here, defined (and counted) elsewhere
            if name in out:
                first = Path(inspect.getfile(out[name])).name
                raise ValueError(
                    f"test {name} is defined twice, in {TESTS_DIR}{first} and "
                    f"{TESTS_DIR}{Path(inspect.getfile(cls)).name}; rename one"
                )
            out[name] = cls
    return out


def test_class(name: str) -> type:
    """The class of test ``name``; ValueError naming the valid choices and where tests live."""
    tests = catalog()
    try:
        return tests.get(name) or catalog(selftests=True)[name]
    except KeyError:
        raise ValueError(
            f"test={name!r} unknown; choose one of {', '.join(sorted(tests))} "
            f"(every BaseTest subclass in {TESTS_DIR}*.py)"
        ) from None
