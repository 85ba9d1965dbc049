# SPDX-License-Identifier: Apache-2.0
"""The negative-test mixin both environments share."""

from __future__ import annotations

from pyuvm import ConfigDB


class ExpectErrors:
    """Mixin: the scoreboard logs but does not fail; ``check_phase`` asserts it caught something.

    The test class needs an ``sb`` property (its scoreboard); override
    :meth:`expect` for a stricter or different expectation.
    """

    def configure(self) -> None:
        ConfigDB().set(None, "*", "EXPECT_SB_ERRORS", True)

    def check_phase(self) -> None:
        counts = self.sb.counts
        self.logger.info(f"negative test: {type(self.sb).__name__} counted {counts}")
        self.expect(counts)

    def expect(self, counts: dict[str, int]) -> None:
        assert counts["mismatch"] > 0, f"the scoreboard missed the injected bug: {counts}"
