# SPDX-License-Identifier: Apache-2.0
"""Negative tests: each proves a checker can fail (it must catch its planted bug to pass)."""

from __future__ import annotations

from pyuvm import uvm_factory

from tb.predictor import BrokenPredictor, Predictor
from tb.tests.expect import ExpectErrors
from tb.tests.functional_tests import (
    BackpressureTest,
    FpRandomStreamTest,
    RandomStreamTest,
    SmokeTest,
    StreamBackpressureTest,
    StreamRandomTest,
)
from tb.transports import ProtocolError


class BrokenPrediction(ExpectErrors):
    """The predictor is wrong on purpose (factory override): one lane of one OK LMMA per record.

    The scoreboard must report exactly as many mismatches as the predictor broke.
    """

    def configure(self) -> None:
        super().configure()
        uvm_factory().set_type_override_by_type(Predictor, BrokenPredictor)

    def expect(self, counts: dict[str, int]) -> None:
        broken = self.env.predictor.broken
        assert broken > 0, "the broken predictor broke nothing: the test proves nothing"
        assert counts["mismatch"] == broken, f"expected {broken} mismatches: {counts}"
        assert counts["lost"] == counts["extra"] == 0, f"only data was broken: {counts}"


class BrokenPredictionTest(BrokenPrediction, SmokeTest):
    """:class:`BrokenPrediction` on the directed smoke stream."""


class MonitorDropsAndDuplicates(ExpectErrors):
    """The response monitor swallows one response and duplicates another: lost + extra."""

    drop_at, dup_at = {3}, {7}

    def connect_phase(self) -> None:
        mon = self.env.agent.observed_monitor
        mon.drop_at, mon.dup_at = set(self.drop_at), set(self.dup_at)

    def expect(self, counts: dict[str, int]) -> None:
        assert counts["lost"] == len(self.drop_at), f"a dropped response went unnoticed: {counts}"
        assert counts["extra"] == len(self.dup_at), f"a duplicate went unnoticed: {counts}"
        assert counts["mismatch"] == 0, f"the self-test should not disturb data: {counts}"


class ScoreboardSelfTest(MonitorDropsAndDuplicates, SmokeTest):
    """:class:`MonitorDropsAndDuplicates` on the directed smoke stream."""


class ReorderSelfTest(ExpectErrors, SmokeTest):
    """The response monitor publishes two responses in swapped order: one reordered, no loss."""

    def connect_phase(self) -> None:
        self.env.agent.observed_monitor.swap_at = {5}

    def expect(self, counts: dict[str, int]) -> None:
        assert counts["reordered"] == 1, f"a swapped pair went unnoticed: {counts}"
        others = {k: v for k, v in counts.items() if k != "reordered" and v}
        assert not others, f"a swap is only a reorder: {counts}"


class BrokenDriverTest(ExpectErrors, SmokeTest):
    """The BFM flips one bit of the C bus it drives for one instruction (a planted driver bug).

    The transport's driver check must report exactly that instruction, and
    the scoreboard nothing: the predictor learned what the core really got
    from the pins, so the core, which computed on that, is right.
    """

    transports = ("pins",)
    transports_why = "a pin-level driver bug"

    def connect_phase(self) -> None:
        self.transport.bfm.corrupt_at = {3}  # an OK LMMA of the directed stream

    def expect(self, counts: dict[str, int]) -> None:
        errs = self.transport.driver_errors
        assert len(errs) == 1 and "instruction 3 " in errs[0] and "C" in errs[0], errs
        assert counts["transport"] == 1, f"the driver check missed the bug: {counts}"
        assert counts["mismatch"] == counts["lost"] == counts["extra"] == 0, counts


class BrokenDutTest(ExpectErrors, RandomStreamTest):
    """Run on a DUT built with ``LUT_TC_BUG_*`` (runner sets ``LUT_TC_EXPECT_DUT_BUG=1``)."""

    needs_bug = "data"


class FpBrokenDutTest(ExpectErrors, FpRandomStreamTest):
    """Run on an FP core built with a planted FP bug (``LUT_TC_BUG_FP_RTZ`` and the like)."""

    needs_bug = "data"


class ProtocolBugTest(BackpressureTest):
    """Run on a ``LUT_TC_BUG_OVERWRITE_STALLED`` core (``LUT_TC_EXPECT_DUT_BUG=protocol``).

    A new response overwrites one that waits for ``out_ready_i``. The
    transport must raise :class:`tb.transports.ProtocolError`: on ``pins`` the
    BFM's response monitor sees the stalled response change, on ``batch`` the
    bridge's valid/ready check counts it. Registered with ``expect_error``, so
    it passes only if that happens.
    """

    needs_bug = "protocol"
    expect_error = ProtocolError


# The batched environment's names, kept for suites that use them: the same
# checks on the long ``full`` stream.
class StreamBrokenPredictionTest(BrokenPrediction, StreamRandomTest):
    """:class:`BrokenPredictionTest` on the long ``full`` stream."""


class StreamScoreboardSelfTest(MonitorDropsAndDuplicates, StreamRandomTest):
    """:class:`ScoreboardSelfTest` on the long ``full`` stream (one response dropped)."""

    drop_at, dup_at = {300}, set()


class StreamBrokenDutTest(ExpectErrors, StreamRandomTest):
    """:class:`BrokenDutTest` on the long ``full`` stream."""

    needs_bug = "data"


class StreamProtocolBugTest(StreamBackpressureTest):
    """:class:`ProtocolBugTest` on the long ``full`` stream."""

    needs_bug = "protocol"
    expect_error = ProtocolError
