# SPDX-License-Identifier: Apache-2.0
"""Each valid/ready assertion of ``lut_tensor_core`` fires, alone, when its rule is broken.

A checker nobody has seen fail proves nothing, so every assertion gets a
run that breaks its rule on a build with assertions on, on both simulators
(M2N4; traffic in ``cocotb_assertions.py``):

=============  ===================================  ======================
assertion      broken by                            cocotb test
=============  ===================================  ======================
InValidHeld    the sender (in_valid_i withdrawn)    ``in_valid_withdrawn``
OutValidHeld   ``LUT_TC_BUG_DROP_STALLED`` core     ``stalled_responses``
OutDataHeld    ``LUT_TC_BUG_OVERWRITE_STALLED``     ``stalled_responses``
=============  ===================================  ======================

The check reads the simulator output: exactly one assertion failed, the
named one, with its message as written in the RTL, and the run stopped
there as ``$fatal`` makes it (Icarus prints ``FATAL:`` and vvp exits 1;
Verilator prints ``%Fatal:`` and ``Verilog $stop`` and exits 1; cocotb
fails the test with SimFailure; the traffic never logs its end). The
controls run the same traffic on the correct core with a correct sender
(``in_valid_held``, ``stalled_responses``): no assertion fires and every
response matches the model, so a negative test cannot pass vacuously.
"""

from __future__ import annotations

import re

import pytest

from flow import simrun
from models.config import config_by_name
from tests.needs import needs
from tests.rtl.cocotb_assertions import END
from tests.rtl.common import CONFIG_ENV
from tests.rtl.simulate import Build, Result, run, run_ok

CONFIG = "M2N4"
MODULE = "tests.rtl.cocotb_assertions"
#: assertion -> (bug define of the core or None, cocotb test that breaks the rule)
NEGATIVE = {
    "InValidHeld": (None, "in_valid_withdrawn"),
    "OutValidHeld": ("LUT_TC_BUG_DROP_STALLED", "stalled_responses"),
    "OutDataHeld": ("LUT_TC_BUG_OVERWRITE_STALLED", "stalled_responses"),
}
#: The same traffic, played by a correct sender on the correct core.
CONTROLS = ("in_valid_held", "stalled_responses")
#: How each simulator reports the $fatal of lut_tc_assert.svh.
FATAL_MARK = {"icarus": "FATAL: ", "verilator": "%Fatal: "}
STOP_MARK = {"icarus": "FATAL: ", "verilator": "Verilog $stop"}
_FIRED = re.compile(r"\[([\w.$]+)\] assertion failed: (.*)$")


def core_build(sim: str, bug: str | None = None) -> Build:
    """The M2N4 core, shared with ``test_core_smoke`` when there is no bug."""
    cfg = config_by_name(CONFIG)
    name = f"blk_core_{cfg.name}" + (f"_{bug}" if bug else "")
    return Build(sim, "lut_tensor_core", name, cfg.rtl_parameters(), (bug,) if bug else ())


def rtl_message(name: str) -> str:
    """The message of assertion ``name`` as rtl/lut_tensor_core.sv writes it."""
    text = (simrun.RTL / "lut_tensor_core.sv").read_text()
    m = re.search(rf"`LUT_TC_ASSERT\(\s*{name}\s*,.*?\"([^\"]*)\"\s*\)", text, re.S)
    assert m, f"no assertion {name} in lut_tensor_core.sv"
    return m.group(1)


def fired(res: Result) -> list[tuple[str, str, str]]:
    """(assertion, message, line) of every assertion failure in the output."""
    out = []
    for line in res.lines:
        m = _FIRED.search(line)
        if m:
            out.append((m.group(1).rsplit(".", 1)[-1], m.group(2).strip(), line))
    return out


def check_fired(res: Result, sim: str, name: str) -> None:
    """The run stopped on assertion ``name`` alone, as $fatal stops ``sim``."""
    hits = fired(res)
    assert [h[0] for h in hits] == [name], (
        f"{sim}: want {name} to fire alone, got {[h[0] for h in hits] or 'none'}\n"
        + "\n".join(res.lines[-30:])
    )
    _, message, line = hits[0]
    assert message == rtl_message(name), f"{sim}: message {message!r} is not the RTL's"
    assert FATAL_MARK[sim] in line, f"{sim}: not reported by $fatal: {line}"
    assert any(STOP_MARK[sim] in ln for ln in res.lines), f"{sim}: no stop reported"
    assert not res.ok and "terminated with error" in res.error, f"{sim}: {res.error!r}"
    assert "SimFailure" in res.text, f"{sim}: cocotb did not see the simulation end early"
    assert END not in res.text, f"{sim}: the traffic ran to its end despite {name}"


def _sims() -> list:
    return [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]


@pytest.mark.parametrize("name", list(NEGATIVE))
@pytest.mark.parametrize("sim", _sims())
def test_assertion_fires(sim: str, name: str) -> None:
    """Break the rule of ``name``: that assertion, and no other, stops the simulation."""
    bug, testcase = NEGATIVE[name]
    res = run(core_build(sim, bug), MODULE, f"fires_{name}", testcase, {CONFIG_ENV: CONFIG})
    check_fired(res, sim, name)


@pytest.mark.parametrize("testcase", CONTROLS)
@pytest.mark.parametrize("sim", _sims())
def test_control_quiet(sim: str, testcase: str) -> None:
    """The negative tests' traffic played correctly: it runs to the end, nothing fires."""
    res = run_ok(core_build(sim), MODULE, f"control_{testcase}", testcase, {CONFIG_ENV: CONFIG})
    assert not fired(res), f"{sim}: {fired(res)}"
    assert END in res.text, f"{sim}: {testcase} did not run to its end"
