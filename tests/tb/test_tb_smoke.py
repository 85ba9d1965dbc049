# SPDX-License-Identifier: Apache-2.0
"""The one environment end to end on both simulators and both transports, with its negative tests.

One simulator process per (simulator, transport) runs the directed smoke, a
random stream, the long ``full`` stream and the two checker self-tests (a
wrong predictor, a swallowed and a duplicated response); a core built with a
bug-injection define must make ``BrokenDutTest`` see mismatches, and one that
breaks valid/ready must trip the transport's protocol check
(``ProtocolBugTest``, registered with ``expect_error=ProtocolError``).
"""

from __future__ import annotations

import pytest

from flow import simrun
from flow.build import TEST_MODULE, build_for, build_name_for, tb_env, toplevel_for
from models.config import config_by_name
from tb.transports import TRANSPORTS
from tests.needs import needs

CONFIG = "M2N4"
SEED = 12345
SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]
TESTS = {
    "pins": [
        "SmokeTest",
        "RandomStreamTest",
        "BrokenPredictionTest",
        "ScoreboardSelfTest",
        "ReorderSelfTest",
        "BrokenDriverTest",
    ],
    "batch": [
        "SmokeTest",
        "StreamRandomTest",
        "StreamBadBatchFileTest",
        "BrokenPredictionTest",
        "ScoreboardSelfTest",
        "StreamScoreboardSelfTest",
        "ReorderSelfTest",
    ],
}


def _run(sim: str, transport: str, tests: list[str], bug: str | None = None) -> None:
    cfg = config_by_name(CONFIG)
    runner = build_for(sim, cfg, transport, bug)
    test_dir = simrun.build_dir_for(sim, build_name_for(transport, cfg, bug)) / "run_pytest"
    xml = simrun.run(
        runner,
        sim,
        toplevel_for(transport),
        TEST_MODULE,
        testcase=tests,
        seed=SEED,
        extra_env=tb_env(CONFIG, transport, bug),
        test_dir=test_dir,
        results_xml=str(test_dir / "results.xml"),
    )
    passed, failed = simrun.results_ok(xml)
    assert (passed, failed) == (len(tests), 0), f"{sim}: {passed} passed, {failed} failed ({xml})"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("sim", SIMS)
def test_tb(sim: str, transport: str) -> None:
    _run(sim, transport, TESTS[transport])


BUGS = [
    ("LUT_TC_BUG_NO_NEGATE", "BrokenDutTest"),
    ("LUT_TC_BUG_SWAP_ENTRIES", "BrokenDutTest"),
    ("LUT_TC_BUG_OVERWRITE_STALLED", "ProtocolBugTest"),
]


@pytest.mark.parametrize(
    "sim, bug, test",
    # Every planted bug on Icarus; one on Verilator (the define reaches its build too): a
    # Verilator build per define costs half a minute, and the smoke regression runs all three
    # on Verilator (make regress SUITE=smoke SIM=verilator).
    [pytest.param("icarus", b, t, marks=needs("icarus")) for b, t in BUGS]
    + [pytest.param("verilator", *BUGS[0], marks=needs("verilator"))],
)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_tb_catches_a_broken_dut(sim: str, transport: str, bug: str, test: str) -> None:
    _run(sim, transport, [test], bug)


@needs("icarus")
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_wrong_predictor_test_fails_on_a_wrong_dut(transport: str) -> None:
    """``BrokenPredictionTest`` expects exactly the mismatches its predictor planted: on a DUT
    that is wrong as well it sees more and fails, on the pins transport (a record per
    instruction) as on the batch one."""
    bug = "LUT_TC_BUG_NO_NEGATE"
    cfg = config_by_name(CONFIG)
    runner = build_for("icarus", cfg, transport, bug)
    test_dir = simrun.build_dir_for("icarus", build_name_for(transport, cfg, bug)) / "run_wrong"
    xml = test_dir / "results.xml"
    with pytest.raises(SystemExit):  # cocotb's runner exits when a test fails
        simrun.run(
            runner,
            "icarus",
            toplevel_for(transport),
            TEST_MODULE,
            testcase=["BrokenPredictionTest"],
            seed=SEED,
            extra_env=tb_env(CONFIG, transport, bug),
            test_dir=test_dir,
            results_xml=str(xml),
        )
    assert simrun.results_ok(xml) == (0, 1)
