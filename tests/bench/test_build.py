# SPDX-License-Identifier: Apache-2.0
"""The one build mechanism (``flow.simrun.build_target``): stamps, reuse, clean builds, cost.

Icarus only: its builds take a fraction of a second, and the mechanism is the
same for Verilator (the replay tests build the harness there too).
"""

from __future__ import annotations

import json

import pytest

from flow import simrun
from flow.replay import harness
from models.config import config_by_name
from tests.needs import needs

pytestmark = needs("icarus")
CFG = config_by_name("M2N4")


def _replay_build(name: str, clean: bool = False, **params: int) -> simrun.Build:
    return simrun.build_target(
        "icarus",
        harness.TOP,
        name,
        sources=harness.SOURCES,
        parameters={**CFG.rtl_parameters(), **harness.DEFAULT_CAPS, **params},
        binary=True,
        clean=clean,
    )


def test_binary_build_is_stamped_reused_and_rebuilt_on_change() -> None:
    name = "test_build_binary"
    first = _replay_build(name, clean=True)
    assert first.built and first.exe.exists() and first.wall_s > 0
    assert first.path == simrun.build_dir_for("icarus", name)
    stamp = json.loads((first.path / simrun.STAMP).read_text())
    assert stamp["digest"] == first.digest and stamp["kind"] == "binary"
    assert "tb/sv/lut_tc_paced_core.sv" in stamp["sources"]
    again = _replay_build(name)
    assert not again.built and again.digest == first.digest and again.wall_s == 0
    other = _replay_build(name, MaxVec=1 << 10)  # a parameter changed, same directory
    assert other.built and other.digest != first.digest
    with pytest.raises(ValueError, match="runner"):
        other.runner()


def test_cocotb_build_is_reused_and_hands_out_a_runner() -> None:
    name = "test_build_cocotb"
    kw = dict(parameters=CFG.rtl_parameters())
    first = simrun.build_target("icarus", "lut_tensor_core", name, clean=True, **kw)
    assert first.built and first.kind == "cocotb" and first.exe.name == "sim.vvp"
    assert first.runner().build_dir == first.path
    again = simrun.build_target("icarus", "lut_tensor_core", name, **kw)
    assert not again.built and again.runner().build_dir == first.path
    # The runner-returning wrapper every cocotb caller uses goes through the same stamp.
    runner = simrun.build("icarus", "lut_tensor_core", name, **kw)
    assert runner.build_dir == first.path


def test_build_rejects_what_it_cannot_build() -> None:
    with pytest.raises(ValueError, match="sim="):
        simrun.build_target("xcelium", harness.TOP, "x", binary=True)
    with pytest.raises(ValueError, match="waves"):
        simrun.build_target("icarus", harness.TOP, "x", binary=True, waves=True)
    with pytest.raises(ValueError, match="caps"):
        harness.build("icarus", "M2N4", caps={"MaxQ": 4})
