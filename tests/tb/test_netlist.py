# SPDX-License-Identifier: Apache-2.0
"""The synthesized netlist answers like the RTL: Yosys reads our SystemVerilog as the simulators do.

For each core, a small configuration (M2 N4, and on the MAC core also M2 N4
with every FP format and the binary16 M2N4H) goes through the same Yosys flow ``make ppa`` counts
(:mod:`flow.synth`, hierarchy kept), and its gate-level netlist
(``write_verilog``: NAND, NOR, NOT and D flip-flops) runs the directed smoke
and a random stream under Icarus on the pins transport. Every response, in
order, must be the one the RTL gave for the same seed (the response digest
of :mod:`tb.responses`), and the scoreboard must pass it as usual. A netlist
synthesized with a bug-injection define must give other responses: the
comparison can fail. The FP blocks of both FP cores are also checked as
blocks, each netlist under its own vectors (``tests/rtl/test_fp_units.py``);
the LUT Tensor Core's whole FP netlist takes minutes to simulate, so it is
checked that way only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flow import simrun, synth
from flow.build import TEST_MODULE, TOPLEVEL, build_for, build_name, tb_env
from models.config import config_by_name
from tb.responses import SUMMARY_FILE
from tests.needs import needs

CONFIG = "M2N4"
SEED = 4242
SCALE = "0.3"  # a shorter random stream: a gate-level netlist simulates slowly
#: The FP stream shorter still: the MAC core's FP netlist (four multipliers and four
#: binary32 adders per unit) simulates several times slower than its integer one.
FP_SCALE = "0.2"
TESTS = ("SmokeTest", "RandomStreamTest")
#: On the FP configuration (every format): the FP datapaths, a random stream of FP LMMAs.
FP_TESTS = ("FpRandomStreamTest",)
NETLISTS = simrun.SIM_BUILD / "netlist"

pytestmark = needs("yosys", "icarus")


def _netlist_runner(core: str, bug: str | None = None, config: str = CONFIG):
    """Synthesize the configuration (once per content: the build stamp) and compile its netlist."""
    cfg = config_by_name(config, core)
    name = build_name(cfg, bug)
    with simrun.file_lock(NETLISTS / f".{name}.lock"):
        res = synth.synthesize(cfg, NETLISTS / name, netlist=True, defines=(bug,) if bug else ())
    assert res.netlist is not None and res.gates > 0
    return simrun.build(
        "icarus",
        TOPLEVEL,
        f"netlist_{name}",
        sources=[res.netlist],
        parameters={},
        assertions=False,
    )


def _responses(
    runner, core: str, test: str, where: Path, config: str = CONFIG
) -> tuple[dict, bool]:
    """(response summary, scoreboard verdict) of one test on one build."""
    where.mkdir(parents=True, exist_ok=True)
    xml = where / "results.xml"
    try:
        simrun.run(
            runner,
            "icarus",
            TOPLEVEL,
            TEST_MODULE,
            testcase=test,
            seed=SEED,
            extra_env={
                **tb_env(
                    config, "pins", core=core, LUT_TC_SCALE=FP_SCALE if test in FP_TESTS else SCALE
                ),
                "LUT_TC_JOB_DIR": str(where),
            },
            test_dir=where,
            results_xml=str(xml),
        )
    except SystemExit:  # cocotb's runner exits when a test fails; the results file says which
        pass
    passed, failed = simrun.results_ok(xml)
    return json.loads((where / SUMMARY_FILE).read_text()), (passed, failed) == (1, 0)


@pytest.mark.parametrize(
    ("core", "config", "tests"),
    [
        # The LUT Tensor Core's netlist simulates at about 20 ns of core time per
        # second under Icarus (the baselines' several times faster): the directed
        # smoke only, every format and width.
        ("lut_tc", CONFIG, TESTS[:1]),
        ("lut_conv", CONFIG, TESTS),
        ("mac", CONFIG, TESTS),
        ("mac", "M2N4FP", FP_TESTS),
        # The binary16 MAC (its rounding multiplier, binary16 tree), make ppa's FP16 baseline.
        ("mac", "M2N4H", FP_TESTS),
    ],
)
def test_the_netlist_gives_the_rtl_responses(
    core: str, config: str, tests: tuple[str, ...], tmp_path: Path
) -> None:
    rtl = build_for("icarus", config_by_name(config, core), "pins")
    gates = _netlist_runner(core, config=config)
    for test in tests:
        want, rtl_ok = _responses(rtl, core, test, tmp_path / "rtl" / test, config)
        got, net_ok = _responses(gates, core, test, tmp_path / "netlist" / test, config)
        assert rtl_ok and net_ok, f"{core} {test}: rtl pass={rtl_ok}, netlist pass={net_ok}"
        assert want["count"] > 10
        assert got == want, f"{core} {test}: netlist {got} != rtl {want}"


def test_a_netlist_of_broken_rtl_gives_other_responses(tmp_path: Path) -> None:
    rtl = build_for("icarus", config_by_name(CONFIG, "mac"), "pins")
    broken = _netlist_runner("mac", "LUT_TC_BUG_NO_NEGATE")
    want, _ = _responses(rtl, "mac", "RandomStreamTest", tmp_path / "rtl")
    got, ok = _responses(broken, "mac", "RandomStreamTest", tmp_path / "netlist")
    assert got["count"] == want["count"] and got["sha256"] != want["sha256"]
    assert not ok, "the scoreboard passed a netlist built from broken RTL"
