# SPDX-License-Identifier: Apache-2.0
"""The switching-energy proxy counts what the netlist does with the data.

The simulated test prices one small netlist (the LUT Tensor Core, W2 x INT8,
M2 N4, one table register: the instance ``make ppa`` prices at N4) on two
GEMMs of the same shape and order, random weights and all-zero weight codes:
the zero weights must toggle measurably less. A proxy blind to the data (load
times cycles) gives both the same figure, and the same check rejects it. The
rest checks the bookkeeping on hand-made inputs: names as Verilator reports
them, both directions summed over instances, one count per net whatever its
aliases, each toggle weighted by the gate inputs the net drives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flow.codecov.dat import parse
from flow.ppa import energy
from tests.needs import needs

#: The zero weights must save at least this share of the random ones' proxy.
MARGIN = 0.1


def responds_to_data(low: dict, high: dict) -> bool:
    return low["energy"] < (1 - MARGIN) * high["energy"]


@needs("yosys", "verilator")
def test_zero_weights_toggle_less_than_random_ones(tmp_path: Path) -> None:
    rows = energy.measure("lut_tc", 2, "INT8", ["random", "zero_w"], 2, 4, 1, tmp_path, 256)
    rand, zero = rows["random"], rows["zero_w"]
    for r in (rand, zero):
        assert r["lmmas"] == 256 and r["load_matched"] > 0.95, r
    assert responds_to_data(zero, rand), (zero, rand)
    # A proxy that ignores the data: every gate input charged once per cycle.
    fan = energy.fanout(next(tmp_path.glob("runs/*_energy/netlist.json")))
    load = sum(sum(ld.values()) for ld, _ in fan.values())
    blind = {k: {"energy": load * r["cycles"]} for k, r in rows.items()}
    assert not responds_to_data(blind["zero_w"], blind["random"])


def test_verilator_names() -> None:
    assert energy.vname("unit_c[4]") == "unit_c__05b4__05d"
    assert energy.vname("gen_int_path.term") == "gen_int_path__02eterm"
    assert energy.vname("n107") == "n107"


def _dat(*points: tuple[str, str, int]) -> str:
    lines = ["# SystemC::Coverage-3"]
    for page, comment, n in points:
        keys = {"f": "netlist.v", "l": "1", "page": page, "o": comment, "h": "tb.u_core.x"}
        lines.append("C '" + "".join(f"\x01{k}\x02{v}" for k, v in keys.items()) + f"' {n}")
    return "\n".join(lines) + "\n"


def test_proxy_weights_each_net_once_by_its_load(tmp_path: Path) -> None:
    # Net 2 ("a"/"a_alias") drives a NAND and a NOT: load 2; net 3 ("y[1]") a flop's D;
    # net 4 drives nothing. The clock pin (net 5) is no load.
    mod = {
        "cells": {
            "g1": {"type": "$_NAND_", "connections": {"A": [2], "B": [2], "Y": [3]}},
            "g2": {"type": "$_NOT_", "connections": {"A": [3], "Y": [4]}},
            "f": {"type": "$_DFF_P_", "connections": {"C": [5], "D": [4], "Q": [6]}},
        },
        "netnames": {
            "a": {"bits": [2]},
            "a_alias": {"bits": [2]},
            "y": {"bits": [9, 3]},
            "z": {"bits": [4]},
            "clk": {"bits": [5]},
        },
    }
    path = tmp_path / "n.json"
    path.write_text(json.dumps({"modules": {"top": mod}}))
    fan = energy.fanout(path)
    points = parse(
        _dat(
            ("v_toggle/top", "a:0->1", 3),
            ("v_toggle/top", "a:1->0", 2),
            ("v_toggle/top", "a_alias:0->1", 3),
            ("v_toggle/top", "a_alias:1->0", 2),
            ("v_toggle/top", "y[1]:0->1", 7),
            ("v_toggle/top", "z:0->1", 1),
            ("v_toggle/top", "clk:0->1", 100),
        )
    )
    e = energy.energy(fan, energy.toggles(points))
    # a: 5 toggles x 2 inputs (not counted twice for its alias); y[1]: 7 x 1; z: 1 x 1
    assert e["energy"] == 5 * 2 + 7 * 1 + 1 * 1
    assert e["load_matched"] == 1.0


def test_an_unknown_profile_is_refused() -> None:
    from models.config import config_by_name

    with pytest.raises(energy.EnergyError, match="profile='bogus' unknown; choose from llm"):
        energy.traffic(config_by_name("M2N4"), "bogus", 0, 2, 16, 1)


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["--energy", "bogus"], "energy='bogus' unknown; choose from llm, random, zero_w"),
        (["--energy", "llm", "--energy-n", "0"], "energy-n=0: at least 1"),
        (["--energy", "llm", "--energy-lmmas", "2"], "energy-lmmas=2: at least 4"),
    ],
)
def test_bad_energy_arguments_are_one_line(argv: list[str], msg: str, tmp_path: Path) -> None:
    from tools import ppa

    with pytest.raises(SystemExit, match=msg):
        ppa.main([*argv, "--out", str(tmp_path)])


def test_the_energy_table_has_a_row_per_pair_and_the_ratios() -> None:
    from flow.ppa.report import render_energy

    def row(core: str, b: int, llm: float) -> dict:
        e = {"energy_per_mac": llm, "cycles": 640, "lmmas": 256, "load_matched": 1.0}
        zero = {**e, "energy_per_mac": llm / 4}
        return {"core": core, "wbits": b, "afmt": "INT8", "energy": {"llm": e, "zero_w": zero}}

    meta = {"M": 2, "N": 64, "T": 1, "mac_ref": 8, "energy_n": 4, "command": "x"}
    doc = {"meta": meta, "rows": [row("lut_tc", 2, 100.0), row("mac", 2, 400.0)]}
    doc["rows"].append(row("mac", 8, 800.0))
    out = render_energy(doc)
    assert "| W2 x INT8 | lut_tc | 100.0 | 25.0 | 0.25 | 0.12 | - | 2.50 | 1.000 |" in out
    assert "M2 N4 K4" in out
    assert render_energy({"meta": meta, "rows": [{"core": "mac"}]}) == ""
