# SPDX-License-Identifier: Apache-2.0
"""The binary16 FP datapath (``FpAcc``) of both FP cores under the environment, on Icarus.

The FP smoke and random stream are bit-exact against ``models.fp16`` on the
IEEE (``M2N4H``) and flush-to-zero (``M2N4HZ``) instances of the LUT Tensor
Core and the MAC core, and the same random stream fails on a core whose
binary16 adders truncate (``LUT_TC_BUG_FP16_TRUNC``): the scoreboard can see
a binary16 rounding error, and ``FpBrokenDutTest`` (which expects
mismatches) passes there.
Verilator and the batch transport run the same tests in the suites
(``regressions/smoke.toml``, ``nightly.toml``).
"""

from __future__ import annotations

import pytest

from flow import simrun
from flow.build import TEST_MODULE, build_for, build_name_for, tb_env, toplevel_for
from models.config import config_by_name
from tests.needs import needs

SEED = 7
BUG = "LUT_TC_BUG_FP16_TRUNC"


def _run(
    config: str, core: str, tests: list[str], bug: str | None = None, expect_bug: bool = True
) -> tuple[int, int]:
    """(passed, failed) of ``tests`` in one Icarus process on ``config`` (pins) on ``core``,
    built with ``bug``; ``expect_bug=False`` runs them as on a correct core."""
    cfg = config_by_name(config, core)
    runner = build_for("icarus", cfg, "pins", bug)
    test_dir = simrun.build_dir_for("icarus", build_name_for("pins", cfg, bug)) / "run_fp16"
    xml = test_dir / "results.xml"
    try:
        simrun.run(
            runner,
            "icarus",
            toplevel_for("pins"),
            TEST_MODULE,
            testcase=tests,
            seed=SEED,
            extra_env=tb_env(config, "pins", bug if expect_bug else None, core),
            test_dir=test_dir,
            results_xml=str(xml),
        )
    except SystemExit:  # cocotb's runner exits when a test fails
        pass
    return simrun.results_ok(xml)


CORES = ["lut_tc", "mac"]


@needs("icarus")
@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("config", ["M2N4H", "M2N4HZ"])
def test_fp16_core_is_bit_exact(config: str, core: str) -> None:
    assert _run(config, core, ["FpSmokeTest", "FpRandomStreamTest"]) == (2, 0)


@needs("icarus")
@pytest.mark.parametrize("core", CORES)
def test_a_truncating_fp16_adder_is_caught(core: str) -> None:
    """The stream that passes above fails on the planted bug, and the negative test passes."""
    assert _run("M2N4H", core, ["FpRandomStreamTest"], BUG, expect_bug=False) == (0, 1)
    assert _run("M2N4H", core, ["FpBrokenDutTest"], BUG) == (1, 0)
