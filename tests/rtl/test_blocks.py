# SPDX-License-Identifier: Apache-2.0
"""Block-level RTL tests: pytest builds and runs the cocotb modules beside it.

Configurations: every block at M2N4 on both simulators; the core also at
M2N4W8 (WBitsMax = 8) and M4N16 on both, both FP cores at M2N4FPW8 (every
format, 8-bit weights) on Icarus; the array at M2N4W8 and M4N16 and
the table generator at M = 4 on Icarus only (a Verilator build costs 10-25 s,
and the core runs through those blocks at the same configurations anyway).
Builds and runs go through cocotb-test (``tests/rtl/simulate.py``): one build
directory per design, reused by every case of that design, with assertions
(``LUT_TC_ASSERTIONS``) compiled in. Seed: ``LUT_TC_SEED`` (default 12345).

    python -m pytest tests/rtl -q -n 2
"""

from __future__ import annotations

import dataclasses

import pytest

from flow import simrun
from models.config import CORE_FORMATS, AFmt, config_by_name, formats_mask
from tests.needs import needs
from tests.rtl.common import CONFIG_ENV, CORE_ENV, FORMATS_ENV
from tests.rtl.simulate import Build, run, run_ok


def _sim_param(sim: str, cfg_name: str):
    return pytest.param(sim, cfg_name, marks=needs(sim), id=f"{sim}-{cfg_name}")


def cases(both: list[str], icarus_only: list[str] = ()) -> list:
    """(sim, config) pairs: ``both`` on every simulator, ``icarus_only`` on Icarus."""
    out = [_sim_param(sim, c) for c in both for sim in simrun.SIMS]
    return out + [_sim_param("icarus", c) for c in icarus_only]


def _run(build: Build, module: str, cfg_name: str, core: str = "lut_tc") -> None:
    env = {CONFIG_ENV: cfg_name, CORE_ENV: core}
    run_ok(build, f"tests.rtl.{module}", f"{module}_{core}_{cfg_name}", env=env)


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4"], ["M4N16"]))
def test_table_gen(sim: str, cfg_name: str) -> None:
    m = config_by_name(cfg_name).M
    build = Build(sim, "lut_table_gen", f"blk_table_gen_M{m}", {"M": m})
    _run(build, "cocotb_table_gen", cfg_name)


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4"], ["M2N4W8", "M4N16"]))
def test_lut_array(sim: str, cfg_name: str) -> None:
    cfg = config_by_name(cfg_name)
    params = {"M": cfg.M, "N": cfg.N, "WBitsMax": cfg.W_BITS_MAX}
    _run(Build(sim, "lut_array", f"blk_array_{cfg.name}", params), "cocotb_lut_array", cfg_name)


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4", "M2N4W8", "M4N16"]))
def test_core_smoke(sim: str, cfg_name: str) -> None:
    _core_smoke(sim, cfg_name, "lut_tc")


@pytest.mark.parametrize("core", ["lut_conv", "mac"])
@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4"], ["M2N4W8"]))
def test_baseline_core_smoke(sim: str, cfg_name: str, core: str) -> None:
    """The baselines' own latency (1 cycle per LMMA on the MAC core) and the same answers."""
    _core_smoke(sim, cfg_name, core)


def _core_smoke(sim: str, cfg_name: str, core: str) -> None:
    _core_smoke_module(sim, cfg_name, core, "cocotb_core_smoke")


def _core_smoke_module(sim: str, cfg_name: str, core: str, module: str) -> None:
    cfg = config_by_name(cfg_name, core)
    build = Build(sim, "lut_tensor_core", f"blk_core_{cfg.name}", cfg.rtl_parameters())
    _run(build, module, cfg_name, core)


@needs("icarus")
@pytest.mark.parametrize("core", ["lut_tc", "mac"])
def test_fp_core_with_8_bit_weights(core: str) -> None:
    """Both FP cores at M2N4FPW8 (every format, WBitsMax 8; Icarus): every format at every
    width against the model. The MAC core's FP products are widest here (|w| up to 255)."""
    _core_smoke_module("icarus", "M2N4FPW8", core, "cocotb_fp_wide")


@needs("icarus")
def test_fp_core_with_8_bit_weights_catches_a_planted_bug() -> None:
    """Negative: the MAC core at M2N4FPW8 built with NO_NEGATE (every weight dequantized
    as if its codes were positive) fails the same check."""
    cfg, bug = config_by_name("M2N4FPW8", "mac"), "LUT_TC_BUG_NO_NEGATE"
    name = f"blk_core_{cfg.name}_{bug}"
    build = Build("icarus", "lut_tensor_core", name, cfg.rtl_parameters(), (bug,))
    env = {CONFIG_ENV: "M2N4FPW8", CORE_ENV: "mac"}
    res = run(build, "tests.rtl.cocotb_fp_wide", f"cocotb_fp_wide_{name}", None, env)
    assert not res.ok and "response" in "\n".join(res.lines)


@needs("icarus")
@pytest.mark.parametrize(
    ("core", "afmt"),
    [(c, f) for c in ("lut_tc", "lut_conv", "mac") for f in AFmt if CORE_FORMATS[c] >> f & 1],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_one_format_instance(core: str, afmt: AFmt) -> None:
    """Each one-format instance `make ppa` synthesizes, at M2 N4 (Icarus): its format at
    every width against the model, every other format UNSUPPORTED."""
    run_ok(*_one_format(core, afmt))


@needs("icarus")
def test_one_format_check_catches_a_planted_bug() -> None:
    """Negative: the MAC core's FP16 instance built with NO_NEGATE (unsigned weights) fails."""
    res = run(*_one_format("mac", AFmt.FP16, ("LUT_TC_BUG_NO_NEGATE",)))
    assert not res.ok and "response" in "\n".join(res.lines)


def _one_format(core: str, afmt: AFmt, defines: tuple[str, ...] = ()):
    cfg = dataclasses.replace(config_by_name("M2N4", core), formats=formats_mask([afmt]))
    name = f"blk_core_{cfg.name}" + "".join(f"_{d}" for d in defines)
    build = Build("icarus", "lut_tensor_core", name, cfg.rtl_parameters(), defines)
    env = {CONFIG_ENV: "M2N4", CORE_ENV: core, FORMATS_ENV: str(cfg.formats)}
    mod = "cocotb_one_format"
    return build, f"tests.rtl.{mod}", f"{mod}_{name}", None, env
