"""The cocotb test module of the LUT Tensor Core (``test_module="tb.test_lut_tc"``).

Importing it registers every test; the testcase name is the test class name.
Environment knobs: see :mod:`tb.knobs` (``LUT_TC_CONFIG``, ``LUT_TC_SCALE``,
``LUT_TC_COV_DIR``, ``LUT_TC_COV_STRICT``, ``LUT_TC_EXPECT_DUT_BUG``).
"""

from __future__ import annotations

import pyuvm

from tb import knobs
from tb.bfm import ProtocolError
from tb.tests.functional_tests import (
    BackpressureTest,
    ErrorInjectionTest,
    GemmInt4Test,
    GemmTernaryTest,
    RandomStreamTest,
    ResetInFlightTest,
    SmokeTest,
    WideWeightStreamTest,
)
from tb.tests.negative_tests import (
    BrokenDutTest,
    BrokenPredictionTest,
    ProtocolBugTest,
    ScoreboardSelfTest,
)

# Sim-time ceiling per test; the base test's watchdog reports hangs much sooner.
_TIMEOUT_US = 20_000 * max(1.0, knobs.scale())

_BUG_BUILD = knobs.expect_dut_bug()
for _cls in (
    SmokeTest,
    RandomStreamTest,
    GemmTernaryTest,
    GemmInt4Test,
    ErrorInjectionTest,
    BackpressureTest,
    ResetInFlightTest,
    BrokenPredictionTest,
    ScoreboardSelfTest,
    WideWeightStreamTest,
):
    # On a deliberately broken DUT only BrokenDutTest (data bugs) or ProtocolBugTest
    # (LUT_TC_EXPECT_DUT_BUG=protocol) is meaningful.
    pyuvm.test(timeout_time=_TIMEOUT_US, timeout_unit="us", skip=_BUG_BUILD)(_cls)
_PROTOCOL_BUG = knobs.expect_protocol_bug()
pyuvm.test(timeout_time=_TIMEOUT_US, timeout_unit="us", skip=not _BUG_BUILD or _PROTOCOL_BUG)(
    BrokenDutTest
)
pyuvm.test(
    timeout_time=_TIMEOUT_US,
    timeout_unit="us",
    skip=not _PROTOCOL_BUG,
    expect_error=ProtocolError,
)(ProtocolBugTest)
