"""Build the full core for the testbench: one call for tests, regressions and benchmarks.

A thin layer over :func:`tb.simrun.build` (which owns sources, assertions,
locking and simulator quirks): it names the build after the configuration
and the optional bug-injection define used by negative tests, and gives the
environment a tb run needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.config import CoreConfig
from tb import simrun

TOPLEVEL = "lut_tensor_core"
TEST_MODULE = "tb.test_lut_tc"
#: The batched testbench: the core inside the stream bridge (tb/stream).
STREAM_TOPLEVEL = "lut_tc_bridge"
STREAM_TEST_MODULE = "tb.test_stream"
#: Bridge capacities (module parameters; tb/bridge.py sizes its files by them).
STREAM_PARAMS = {"MaxBatch": 1024, "Slots": 1024, "SegLen": 1024}
STREAM_SOURCES = [*simrun.CORE_SOURCES, simrun.ROOT / "tb" / "sv" / "lut_tc_bridge.sv"]
#: Bug-injection defines the RTL understands (negative tests).
BUGS = ("LUT_TC_BUG_NO_NEGATE", "LUT_TC_BUG_SWAP_ENTRIES", "LUT_TC_BUG_OVERWRITE_STALLED")
#: Bugs that break valid/ready: built without the RTL's own assertions, which
#: would stop the simulation before the testbench's protocol checks can object.
PROTOCOL_BUGS = ("LUT_TC_BUG_OVERWRITE_STALLED",)


def _bugs(bug: str | Sequence[str] | None) -> tuple[str, ...]:
    bugs = (bug,) if isinstance(bug, str) else tuple(bug or ())
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"bug={b!r} unknown; choose one of {BUGS}")
    return bugs


def build_name(cfg: CoreConfig, bug: str | Sequence[str] | None = None) -> str:
    """``core_<cfg.name>`` plus each define as a tag.

    For example ``core_M2N4T4W4_LUT_TC_BUG_NO_NEGATE``.
    """
    return f"core_{cfg.name}" + "".join(f"_{b}" for b in _bugs(bug))


def build_core(
    sim: str, cfg: CoreConfig, bug: str | Sequence[str] | None = None, waves: bool = False
):
    """Compile (or reuse) the core for ``cfg``; returns the cocotb runner."""
    return simrun.build(
        sim,
        TOPLEVEL,
        build_name(cfg, bug),
        parameters=cfg.rtl_parameters(),
        defines={b: 1 for b in _bugs(bug)},
        waves=waves,
        assertions=_assertions(bug),
    )


def _assertions(bug: str | Sequence[str] | None) -> bool:
    return not any(b in PROTOCOL_BUGS for b in _bugs(bug))


def build_stream(
    sim: str, cfg: CoreConfig, bug: str | Sequence[str] | None = None, waves: bool = False
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
    )


def is_stream_test(test: str) -> bool:
    """Tests of the stream testbench are named ``Stream*``; they run on its toplevel."""
    return test.startswith("Stream")


def toplevel_for(test: str) -> tuple[str, str]:
    """(toplevel, cocotb test module) that ``test`` runs on."""
    if is_stream_test(test):
        return STREAM_TOPLEVEL, STREAM_TEST_MODULE
    return TOPLEVEL, TEST_MODULE


def build_name_for(test: str, cfg: CoreConfig, bug: str | Sequence[str] | None = None) -> str:
    return ("stream_" if is_stream_test(test) else "") + build_name(cfg, bug)


def tb_env(config_name: str, bug: str | None = None, **extra: str) -> dict[str, str]:
    """Environment of a tb run: the config knob, the bug flag, anything else."""
    env = {"LUT_TC_CONFIG": config_name, **extra}
    if bug:
        env["LUT_TC_EXPECT_DUT_BUG"] = "protocol" if not _assertions(bug) else "1"
    return env
