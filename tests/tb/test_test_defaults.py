# SPDX-License-Identifier: Apache-2.0
"""Every test's default stimulus fits every named configuration the test runs on.

A user may force any named configuration on any suite (``CONFIG=``): a test
either refuses it in one line (``BaseTest.refusal``: a format or an FP
datapath its stimulus needs) or runs its defaults there, fitted to what the
instance builds (``Knobs.fitted``); it never fails on its own knobs.
"""

from __future__ import annotations

import inspect

import pytest

import tb.tests.functional_tests as functional
import tb.tests.negative_tests as negative
from models.config import CONFIGS, config_by_name
from tb import stimulus
from tb.tests.base_test import BaseTest

TESTS = sorted(
    {
        c
        for m in (functional, negative)
        for _, c in inspect.getmembers(m, inspect.isclass)
        if issubclass(c, BaseTest) and "knobs" in dir(c)
    },
    key=lambda c: c.__name__,
)


def _defaults(test: type[BaseTest], name: str) -> stimulus.Knobs:
    """The knobs ``test`` gives itself on configuration ``name`` (no simulator needed)."""
    obj = test.__new__(test)
    obj.cfg = config_by_name(name)
    return obj.knobs()


@pytest.mark.parametrize("test", TESTS, ids=lambda c: c.__name__)
def test_defaults_pass_their_check_where_the_test_runs(test: type[BaseTest]) -> None:
    ran = 0
    for name, cfg in CONFIGS.items():
        if test.refusal(cfg) is None:
            _defaults(test, name).check(cfg)
            ran += 1
    assert ran > 0


def test_an_unfitted_preset_is_refused_on_a_one_format_instance() -> None:
    cfg = config_by_name("M2N4I8")
    with pytest.raises(ValueError, match="afmt: 'int16' is not built by M2N4I8"):
        stimulus.Knobs.full(100).check(cfg)
    fitted = stimulus.Knobs.full(100).fitted(cfg)
    assert fitted.afmt == {"int8": 6}
    fitted.check(cfg)


def test_a_test_needing_an_unbuilt_format_says_where_it_runs() -> None:
    why = functional.GemmInt4Test.refusal(config_by_name("M2N4I8"))
    assert why is not None and why.startswith(
        "GemmInt4Test needs a configuration that builds INT16"
    )
    assert "M2N4" in why and "M2N4I8" not in why
    assert functional.GemmInt4Test.refusal(config_by_name("M2N4")) is None
