"""The cocotb test module of the batched testbench (``test_module="tb.test_stream"``).

Toplevel ``lut_tc_bridge`` (``tb/sv/lut_tc_bridge.sv``), built by
:func:`tb.build.build_stream`. Knobs: :mod:`tb.knobs`; the benchmark test
also reads ``LUT_TC_BENCH_*`` (see :mod:`tb.replay.bench_test`).
"""

from __future__ import annotations

import pyuvm

from tb import knobs
from tb.stream.tests import (
    StreamBackpressureTest,
    StreamBadBatchFileTest,
    StreamBenchTest,
    StreamBrokenDutTest,
    StreamBrokenPredictionTest,
    StreamProtocolBugTest,
    StreamRandomTest,
    StreamScoreboardSelfTest,
)

_TIMEOUT_US = 50_000 * max(1.0, knobs.scale())
_BUG_BUILD = knobs.expect_dut_bug()

for _cls in (
    StreamRandomTest,
    StreamBackpressureTest,
    StreamBadBatchFileTest,
    StreamBrokenPredictionTest,
    StreamScoreboardSelfTest,
):
    pyuvm.test(timeout_time=_TIMEOUT_US, timeout_unit="us", skip=_BUG_BUILD)(_cls)
pyuvm.test(timeout_time=10_000_000, timeout_unit="us", skip=_BUG_BUILD)(StreamBenchTest)
_PROTOCOL_BUG = knobs.expect_protocol_bug()
pyuvm.test(timeout_time=_TIMEOUT_US, timeout_unit="us", skip=not _BUG_BUILD or _PROTOCOL_BUG)(
    StreamBrokenDutTest
)
pyuvm.test(timeout_time=_TIMEOUT_US, timeout_unit="us", skip=not _PROTOCOL_BUG)(
    StreamProtocolBugTest
)
