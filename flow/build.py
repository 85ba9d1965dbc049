# SPDX-License-Identifier: Apache-2.0
"""Build the full core for the testbench: one call for tests, regressions and benchmarks.

A thin layer over :func:`flow.simrun.build` (which owns sources, assertions,
locking and simulator quirks): it names the build after the configuration
and the optional bug-injection define used by negative tests, and gives the
environment a tb run needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from flow import simrun
from flow.bugs import PLANTED, check_define
from models.config import CORES, DEFAULT_CORE, CoreConfig
from tb.transports.base import STREAM_PARAMS

#: The one cocotb test module; every test runs on either transport's toplevel.
TEST_MODULE = "tb.test_lut_tc"
TOPLEVEL = "lut_tensor_core"
#: The batch transport's toplevel: the core inside the bridge (tb/sv/lut_tc_bridge.sv).
STREAM_TOPLEVEL = "lut_tc_bridge"
TOPLEVELS = {"pins": TOPLEVEL, "batch": STREAM_TOPLEVEL}
STREAM_SOURCES = [
    *simrun.CORE_SOURCES,
    simrun.PACED_CORE,
    simrun.PACED_DUT,
    simrun.TB_SV / "lut_tc_bridge.sv",
]
#: Bug-injection defines the RTL understands (negative tests): the records of
#: ``flow.bugs.PLANTED`` say where each lives, what it breaks and what catches it.
BUGS = tuple(b.define for b in PLANTED)
#: The bugs each core's RTL has a place for: the FP ones live in FP blocks (the
#: scaler on the LUT Tensor Core, the multiplier on the MAC core), and the
#: conventional LUT core builds no FP. A job asking a core for another bug is
#: refused or left out (``flow.regress.jobs.expand``).
CORE_BUGS = {core: tuple(b.define for b in PLANTED if core in b.cores) for core in CORES}
#: Bugs that break valid/ready: built without the RTL's own assertions, which
#: would stop the simulation before the testbench's protocol checks can object.
PROTOCOL_BUGS = tuple(b.define for b in PLANTED if b.protocol)
#: Bugs in the floating-point blocks: a configuration that builds no FP format has no
#: such block (a job asking for one there is refused or left out).
FP_BUGS = tuple(b.define for b in PLANTED if b.fp)
#: Per FP bug, the FP datapath formats (``FpAcc``) whose core has its block.
FP_BUG_DATAPATHS = {b.define: b.fp_accs for b in PLANTED if b.fp}


def _bugs(bug: str | Sequence[str] | None, core: str | None = None) -> tuple[str, ...]:
    bugs = (bug,) if isinstance(bug, str) else tuple(bug or ())
    for b in bugs:
        check_define(b, core, what="bug")
    return bugs


def build_name(cfg: CoreConfig, bug: str | Sequence[str] | None = None) -> str:
    """``core_<cfg.name>`` plus each define as a tag.

    For example ``core_M2N4_LUT_TC_BUG_NO_NEGATE``, or ``core_mac_M2N4FP``.
    """
    return f"core_{cfg.name}" + "".join(f"_{b}" for b in _bugs(bug, cfg.core))


def build_core(
    sim: str,
    cfg: CoreConfig,
    bug: str | Sequence[str] | None = None,
    waves: bool = False,
    coverage: bool = False,
):
    """Compile (or reuse) the core for ``cfg``; returns the cocotb runner.

    ``coverage``: the Verilator code coverage build (``flow.codecov``), a build of its own.
    """
    return simrun.build(
        sim,
        TOPLEVEL,
        build_name(cfg, bug),
        parameters=cfg.rtl_parameters(),
        defines={b: 1 for b in _bugs(bug)},
        waves=waves,
        assertions=_assertions(bug),
        coverage=coverage,
    )


def _assertions(bug: str | Sequence[str] | None) -> bool:
    return not any(b in PROTOCOL_BUGS for b in _bugs(bug))


def build_stream(
    sim: str,
    cfg: CoreConfig,
    bug: str | Sequence[str] | None = None,
    waves: bool = False,
    coverage: bool = False,
):
    """Compile (or reuse) the stream bridge around the core for ``cfg``."""
    return simrun.build(
        sim,
        STREAM_TOPLEVEL,
        "stream_" + build_name(cfg, bug),
        sources=STREAM_SOURCES,
        parameters={**cfg.rtl_parameters(), **STREAM_PARAMS},
        defines={b: 1 for b in _bugs(bug)},
        waves=waves,
        assertions=_assertions(bug),
        marked_public_only=True,  # Python touches the bridge's ports only
        coverage=coverage,
    )


def toplevel_for(transport: str) -> str:
    """The toplevel a run on ``transport`` simulates."""
    try:
        return TOPLEVELS[transport]
    except KeyError:
        raise ValueError(
            f"transport={transport!r} unknown; choose one of {', '.join(TOPLEVELS)}"
        ) from None


def build_name_for(transport: str, cfg: CoreConfig, bug: str | Sequence[str] | None = None) -> str:
    toplevel_for(transport)
    return ("stream_" if transport == "batch" else "") + build_name(cfg, bug)


def build_for(
    sim: str,
    cfg: CoreConfig,
    transport: str,
    bug: str | Sequence[str] | None = None,
    waves: bool = False,
    coverage: bool = False,
):
    """The build a run on ``transport`` needs: the core alone, or inside the bridge."""
    build = build_stream if toplevel_for(transport) == STREAM_TOPLEVEL else build_core
    return build(sim, cfg, bug, waves, coverage)


def tb_env(
    config_name: str,
    transport: str = "pins",
    bug: str | None = None,
    core: str = DEFAULT_CORE,
    **extra: str,
) -> dict[str, str]:
    """Environment of a tb run: config, core and transport knobs, the bug flag, anything else."""
    env = {
        "LUT_TC_CONFIG": config_name,
        "LUT_TC_CORE": core,
        "LUT_TC_TRANSPORT": transport,
        **extra,
    }
    if bug:
        env["LUT_TC_EXPECT_DUT_BUG"] = "protocol" if not _assertions(bug) else "1"
    return env
