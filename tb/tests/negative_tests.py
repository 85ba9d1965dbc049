"""Negative tests: each proves a checker can fail (it must report errors to pass)."""

from __future__ import annotations

from pyuvm import uvm_factory

from tb.predictor import BrokenPredictor, Predictor
from tb.tests.expect import ExpectErrors
from tb.tests.functional_tests import BackpressureTest, RandomStreamTest, SmokeTest


class BrokenPredictionTest(ExpectErrors, SmokeTest):
    """The predictor is wrong on purpose (factory override): the scoreboard must object."""

    def configure(self) -> None:
        super().configure()
        uvm_factory().set_type_override_by_type(Predictor, BrokenPredictor)


class BrokenDutTest(ExpectErrors, RandomStreamTest):
    """Run on a DUT built with ``LUT_TC_BUG_*`` (runner sets ``LUT_TC_EXPECT_DUT_BUG=1``)."""


class ScoreboardSelfTest(ExpectErrors, SmokeTest):
    """The response monitor swallows one response and duplicates another: lost + extra."""

    def connect_phase(self) -> None:
        mon = self.env.resp_agent.monitor
        mon.drop_at, mon.dup_at = {3}, {7}

    def expect(self, counts: dict[str, int]) -> None:
        assert counts["lost"] >= 1, f"a dropped response went unnoticed: {counts}"
        assert counts["extra"] >= 1, f"a duplicated response went unnoticed: {counts}"
        assert counts["mismatch"] == 0, f"self-test should not disturb data: {counts}"


class ProtocolBugTest(BackpressureTest):
    """Run on a ``LUT_TC_BUG_OVERWRITE_STALLED`` core (``LUT_TC_EXPECT_DUT_BUG=protocol``).

    A new response overwrites one that waits for ``out_ready_i``. The BFM's
    response monitor must raise :class:`tb.bfm.ProtocolError`; the test is
    registered with ``expect_error`` so it passes only if it does.
    """
