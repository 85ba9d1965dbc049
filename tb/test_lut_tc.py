"""The cocotb test module of the LUT Tensor Core (``tb.test_lut_tc``), every transport.

Importing it registers every test of :func:`tb.tests.catalog` under its class
name, on the toplevel of the run's transport (``lut_tensor_core`` for
``pins``, ``lut_tc_bridge`` for ``batch``). Knobs: :mod:`tb.knobs`.
On a bug-injection build (``LUT_TC_EXPECT_DUT_BUG``) only the tests that
expect that kind of bug run; on a clean build they are skipped.
"""

from __future__ import annotations

import pyuvm

from tb import knobs
from tb.tests import catalog

_TIMEOUT_US = 50_000 * max(1.0, knobs.scale())
_BUG = "protocol" if knobs.expect_protocol_bug() else ("data" if knobs.expect_dut_bug() else None)

for _name, _cls in sorted(catalog().items()):
    pyuvm.test(
        timeout_time=10_000_000 if _name.endswith("BenchTest") else _TIMEOUT_US,
        timeout_unit="us",
        skip=_cls.needs_bug != _BUG,
        expect_error=_cls.expect_error,
    )(_cls)
