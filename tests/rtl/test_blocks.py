"""Block-level RTL tests: pytest builds and runs the cocotb modules beside it.

Configurations: every block at M2N4 on both simulators; the core also at
M2N4W8 (WBitsMax = 8) and M4N16 on both; the array at M2N4W8 and M4N16 and
the table generator at M = 4 on Icarus only (a Verilator build costs 10-25 s,
and the core runs through those blocks at the same configurations anyway).
Builds go through ``tb.simrun`` and are reused by name (simrun's file lock
keeps parallel pytest-xdist workers from building one directory at once).
Assertions (``LUT_TC_ASSERTIONS``) are compiled in.

    python -m pytest tests/rtl -q -n 2
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.config import config_by_name
from tb import simrun
from tests.rtl.common import CONFIG_ENV

SEED = int(os.environ.get("LUT_TC_SEED", "12345"))


def _sim_param(sim: str, cfg_name: str):
    missing = pytest.mark.skipif(not simrun.have_sim(sim), reason=f"{sim} missing")
    return pytest.param(sim, cfg_name, marks=missing, id=f"{sim}-{cfg_name}")


def cases(both: list[str], icarus_only: list[str] = ()) -> list:
    """(sim, config) pairs: ``both`` on every simulator, ``icarus_only`` on Icarus."""
    out = [_sim_param(sim, c) for c in both for sim in simrun.SIMS]
    return out + [_sim_param("icarus", c) for c in icarus_only]


def _run(
    sim: str,
    toplevel: str,
    module: str,
    cfg_name: str,
    parameters: dict[str, int],
    build_name: str,
) -> None:
    runner = simrun.build(sim, toplevel, build_name, parameters=parameters)
    test_dir: Path = simrun.build_dir_for(sim, build_name) / f"run_{module}_{cfg_name}"
    simrun.run(
        runner,
        sim,
        toplevel,
        f"tests.rtl.{module}",
        seed=SEED,
        extra_env={CONFIG_ENV: cfg_name},
        test_dir=test_dir,
        results_xml=str(test_dir / "results.xml"),
    )


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4"], ["M4N16"]))
def test_table_gen(sim: str, cfg_name: str) -> None:
    m = config_by_name(cfg_name).M
    _run(sim, "lut_table_gen", "cocotb_table_gen", cfg_name, {"M": m}, f"blk_table_gen_M{m}")


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4"], ["M2N4W8", "M4N16"]))
def test_lut_array(sim: str, cfg_name: str) -> None:
    cfg = config_by_name(cfg_name)
    params = {"M": cfg.M, "N": cfg.N, "WBitsMax": cfg.W_BITS_MAX}
    _run(sim, "lut_array", "cocotb_lut_array", cfg_name, params, f"blk_array_{cfg.name}")


@pytest.mark.parametrize(("sim", "cfg_name"), cases(["M2N4", "M2N4W8", "M4N16"]))
def test_core_smoke(sim: str, cfg_name: str) -> None:
    cfg = config_by_name(cfg_name)
    _run(
        sim,
        "lut_tensor_core",
        "cocotb_core_smoke",
        cfg_name,
        cfg.rtl_parameters(),
        f"blk_core_{cfg.name}",
    )
