"""The pyuvm testbench end to end, quickly: SmokeTest and the checker's negative test.

Builds the core at M2N4 (the fast configuration) on both simulators and runs
``SmokeTest`` (directed LUTGEN + LMMA per format and width) and
``BrokenPredictionTest`` (a deliberately wrong predictor: passes only if the
scoreboard reports mismatches) in one simulator process each.
"""

from __future__ import annotations

import pytest

from models.config import config_by_name
from tb import simrun
from tb.build import TEST_MODULE, TOPLEVEL, build_core, build_name, tb_env

CONFIG = "M2N4"
TESTS = ["SmokeTest", "BrokenPredictionTest"]
SEED = 12345


@pytest.mark.parametrize(
    "sim",
    [
        pytest.param(s, marks=pytest.mark.skipif(not simrun.have_sim(s), reason=f"{s} missing"))
        for s in simrun.SIMS
    ],
)
def test_tb_smoke(sim: str) -> None:
    cfg = config_by_name(CONFIG)
    runner = build_core(sim, cfg)
    test_dir = simrun.build_dir_for(sim, build_name(cfg)) / "run_tb_smoke"
    xml = simrun.run(
        runner,
        sim,
        TOPLEVEL,
        TEST_MODULE,
        testcase=TESTS,
        seed=SEED,
        extra_env=tb_env(CONFIG),
        test_dir=test_dir,
        results_xml=str(test_dir / "results.xml"),
    )
    passed, failed = simrun.results_ok(xml)
    assert (passed, failed) == (len(TESTS), 0), f"{sim}: {passed} passed, {failed} failed ({xml})"


@pytest.mark.parametrize(
    "sim",
    [
        pytest.param(s, marks=pytest.mark.skipif(not simrun.have_sim(s), reason=f"{s} missing"))
        for s in simrun.SIMS
    ],
)
def test_bfm_catches_a_protocol_bug(sim: str) -> None:
    """A core that overwrites a stalled response must make the BFM raise ProtocolError."""
    bug = "LUT_TC_BUG_OVERWRITE_STALLED"
    cfg = config_by_name(CONFIG)
    runner = build_core(sim, cfg, bug)
    test_dir = simrun.build_dir_for(sim, build_name(cfg, bug)) / "run_protocol_bug"
    xml = simrun.run(
        runner,
        sim,
        TOPLEVEL,
        TEST_MODULE,
        testcase="ProtocolBugTest",  # registered with expect_error=ProtocolError
        seed=SEED,
        extra_env=tb_env(CONFIG, bug),
        test_dir=test_dir,
        results_xml=str(test_dir / "results.xml"),
    )
    assert simrun.results_ok(xml) == (1, 0), f"{sim}: the protocol bug went unnoticed ({xml})"
