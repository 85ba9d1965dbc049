# SPDX-License-Identifier: Apache-2.0
"""Mapping to the OSU 0.18 um cells: the library copy ABC can use, area and delay read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from flow import liberty, synth
from models.config import CoreConfig
from tests.needs import needs
from tests.tools.chain_core import adder_chain_core

LIB = """library(x) {
  cell (INVX1) { area : 16; pin(A) { direction : input; } }
  cell (FAX1) { area : 120; pin(YC) { function : "(A&B)"; timing() { values ("1"); } } }
  cell (HAX1) { area : 80; }
  cell (NAND2X1) { area : 24; }
}
"""


def test_the_prepared_copy_leaves_out_the_two_output_adders(tmp_path: Path) -> None:
    src = tmp_path / "cells.lib"
    src.write_text(LIB)
    text = liberty.prepared(tmp_path / "out", src).read_text()
    assert "FAX1" not in text and "HAX1" not in text
    assert "cell (INVX1) { area : 16;" in text and "cell (NAND2X1) { area : 24; }" in text
    assert text.count("{") == text.count("}")


def test_a_cell_that_is_not_there_or_unbalanced_is_an_error() -> None:
    with pytest.raises(liberty.LibertyError, match="cell FAX1 not in the library"):
        liberty.drop_cell("library(x) { cell (INVX1) { } }", "FAX1")
    with pytest.raises(liberty.LibertyError, match="cell FAX1: unbalanced braces"):
        liberty.drop_cell("library(x) { cell (FAX1) { pin(A) { }", "FAX1")


def test_a_missing_library_names_its_package(tmp_path: Path) -> None:
    with pytest.raises(liberty.LibertyError, match="apt-get install qflow-tech-osu018"):
        liberty.prepared(tmp_path, tmp_path / "none.lib")


def test_area_is_the_hierarchy_total_and_delay_the_longest_path() -> None:
    stat = (
        "=== unit ===\n   Chip area for module '\\\\unit': 100.000000\n"
        "=== design hierarchy ===\n   lut_tensor_core 1\n"
        "   Chip area for module '\\\\unit': 100.000000\n"
        "   Chip area for top module '\\\\lut_tensor_core': 812.500000\n"
    )
    assert liberty.parse_area(stat) == 812.5
    log = (
        'ABC: WireLoad = "none"  Gates = 9 (1 %)  Area = 1.0 (9 %)  Delay =  1234.50 ps  (1 %)\n'
        'ABC: WireLoad = "none"  Gates = 9 (1 %)  Area = 1.0 (9 %)  Delay =   980.00 ps  (1 %)\n'
    )
    assert liberty.parse_delay(log) == pytest.approx(1.2345)
    with pytest.raises(liberty.LibertyError, match="no chip area"):
        liberty.parse_area("=== design hierarchy ===\n")
    with pytest.raises(liberty.LibertyError, match="no delay"):
        liberty.parse_delay("ABC: + stime -p\n")


@needs("yosys", "osu018")
def test_a_longer_chain_maps_to_more_area_and_a_longer_path(tmp_path: Path, monkeypatch) -> None:
    """Four dependent adders against one: the library's area and delay both grow."""
    lib = liberty.prepared(tmp_path / "lib")
    res = {}
    for adds in (1, 4):
        src = adder_chain_core(tmp_path, adds)
        monkeypatch.setattr(synth, "sources", lambda src=src: [src])
        res[adds] = synth.synthesize(
            CoreConfig(N=4), tmp_path / f"o{adds}", depth=True, liberty=lib
        )
    one, four = res[1], res[4]
    assert 0.3 < one.delay_ns < four.delay_ns - 0.5, (one.delay_ns, four.delay_ns)
    # 2 x 16 flip-flops of 96 um2 at least, and more adder cells in the chain of four
    assert 32 * 96 < one.area_um2 < four.area_um2, (one.area_um2, four.area_um2)
    # the transistor count of the same run is unchanged by the library's mapping
    assert four.transistors > one.transistors
