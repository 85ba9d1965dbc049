"""The batched testbench end to end on both simulators, with its negative tests.

One simulator process per build runs the random and back-pressure streams,
the malformed-batch-file test and the two checker self-tests (a wrong
predictor, a swallowed response);
a core built with a bug-injection define must make ``StreamBrokenDutTest``
see mismatches, and one that breaks valid/ready must trip the bridge's
protocol check (``StreamProtocolBugTest``).
"""

from __future__ import annotations

import pytest

from models.config import config_by_name
from tb import simrun
from tb.build import STREAM_TEST_MODULE, STREAM_TOPLEVEL, build_name, build_stream, tb_env

CONFIG = "M2N4"
SEED = 4242
SIMS = [
    pytest.param(s, marks=pytest.mark.skipif(not simrun.have_sim(s), reason=f"{s} missing"))
    for s in simrun.SIMS
]


def _run(sim: str, tests: list[str], bug: str | None = None) -> None:
    cfg = config_by_name(CONFIG)
    runner = build_stream(sim, cfg, bug)
    test_dir = simrun.build_dir_for(sim, "stream_" + build_name(cfg, bug)) / "run_pytest"
    xml = simrun.run(
        runner,
        sim,
        STREAM_TOPLEVEL,
        STREAM_TEST_MODULE,
        testcase=tests,
        seed=SEED,
        extra_env=tb_env(CONFIG, bug),
        test_dir=test_dir,
        results_xml=str(test_dir / "results.xml"),
    )
    passed, failed = simrun.results_ok(xml)
    assert (passed, failed) == (len(tests), 0), f"{sim}: {passed} passed, {failed} failed ({xml})"


@pytest.mark.parametrize("sim", SIMS)
def test_stream_tb(sim: str) -> None:
    _run(
        sim,
        [
            "StreamRandomTest",
            "StreamBackpressureTest",
            "StreamBadBatchFileTest",
            "StreamBrokenPredictionTest",
            "StreamScoreboardSelfTest",
        ],
    )


@pytest.mark.parametrize(
    "bug, test",
    [
        ("LUT_TC_BUG_NO_NEGATE", "StreamBrokenDutTest"),
        ("LUT_TC_BUG_SWAP_ENTRIES", "StreamBrokenDutTest"),
        ("LUT_TC_BUG_OVERWRITE_STALLED", "StreamProtocolBugTest"),  # the bridge's valid/ready check
    ],
)
@pytest.mark.parametrize("sim", SIMS)
def test_stream_tb_catches_broken_dut(sim: str, bug: str, test: str) -> None:
    _run(sim, [test], bug)
