# SPDX-License-Identifier: Apache-2.0
"""The docs' generated tables are current, and the planted-bug records are the RTL's truth.

``tools/doc_tables.py`` writes the named-configuration table of
``docs/architecture.md`` and the planted-bug table of ``docs/verification_plan.md``;
the records of ``flow/bugs.py`` must name every ``LUT_TC_BUG_*`` define of ``rtl/``,
the file each lives in, and tests that exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flow.bugs import BY_DEFINE, DOC, PLANTED, check_define
from flow.build import BUGS, CORE_BUGS, FP_BUGS, PROTOCOL_BUGS, build_name
from models.config import config_by_name
from tools import doc_tables

ROOT = Path(__file__).resolve().parents[2]
DEFINE = re.compile(r"`(?:ifdef|ifndef|elsif)\s+(LUT_TC_BUG_\w+)")


def rtl_defines(rtl: Path = ROOT / "rtl") -> dict[str, set[str]]:
    """define -> the RTL files that test it with `ifdef/`ifndef/`elsif."""
    out: dict[str, set[str]] = {}
    for f in sorted(rtl.glob("*.sv*")):
        for d in DEFINE.findall(f.read_text()):
            out.setdefault(d, set()).add(f.name)
    return out


def test_the_generated_tables_are_current() -> None:
    assert doc_tables.stale() == [], "run  python -m tools.doc_tables"
    assert doc_tables.main(["--check"]) == 0


def test_a_stale_or_unmarked_table_is_reported(tmp_path: Path, monkeypatch) -> None:
    doc = tmp_path / "doc.md"
    tables = {"configs": (doc, lambda: "| new |")}
    doc.write_text(
        "intro\n<!-- BEGIN configs (generated) -->\n| old |\n<!-- END configs -->\nend\n"
    )
    monkeypatch.setattr(doc_tables, "ROOT", tmp_path)
    assert doc_tables.stale(tables) == ["doc.md: table configs is stale"]
    doc.write_text(doc_tables.splice(doc.read_text(), "configs", "| new |"))
    assert doc.read_text().endswith("-->\n| new |\n<!-- END configs -->\nend\n")
    assert doc_tables.stale(tables) == []
    doc.write_text("no markers\n")
    assert doc_tables.stale(tables) == [
        "doc.md: no <!-- BEGIN configs --> ... <!-- END configs --> markers"
    ]


def test_the_config_table_lists_every_named_config_with_its_formats() -> None:
    table = doc_tables.configs_table()
    assert "| `M2N4I8` | 2 | 4 | 4 | 4 | INT8 (`0x01`) |" in table
    assert "| `M2N4FPW8` | 2 | 4 | 4 | 8 | INT8, INT16, FP8_E4M3" in table
    fp64 = "| `M2N64FP` | 2 | 64 | 4 | 4 | INT8, INT16, FP8_E4M3, FP16, BF16, FP8_E5M2 (`0x3F`) |"
    assert f"{fp64} `lut_tc`, `mac` |" in table  # the conventional core builds no FP


def test_every_define_of_the_rtl_has_a_record_naming_its_files() -> None:
    found = rtl_defines()
    assert set(found) == set(BY_DEFINE), "a LUT_TC_BUG_* define without a record, or the reverse"
    for define, files in found.items():
        for f in files:
            assert f"`{f}`" in BY_DEFINE[define].block, f"{define}: its record does not name {f}"


def test_the_define_finder_sees_each_form(tmp_path: Path) -> None:
    (tmp_path / "a.sv").write_text("`ifdef LUT_TC_BUG_A\n`elsif LUT_TC_BUG_B\n`endif\n")
    (tmp_path / "b.svh").write_text("`ifndef LUT_TC_BUG_A\n`endif // LUT_TC_BUG_C\n")
    assert rtl_defines(tmp_path) == {"LUT_TC_BUG_A": {"a.sv", "b.svh"}, "LUT_TC_BUG_B": {"a.sv"}}


def test_each_record_names_tests_that_exist() -> None:
    for bug in PLANTED:
        assert bug.tests, f"{bug.define}: no test catches it"
        for node in bug.tests:
            path, func = node.split("::")
            tree = ast.parse((ROOT / path).read_text())
            defs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            assert func in defs, f"{bug.define}: {node} does not exist"


def test_the_derived_lists_follow_the_records() -> None:
    assert BUGS == tuple(b.define for b in PLANTED)
    assert CORE_BUGS["lut_conv"] == BUGS[:4]  # no FP block on the conventional core
    assert "LUT_TC_BUG_FP_POW2_FTZ" not in CORE_BUGS["mac"]
    assert "LUT_TC_BUG_FP_MUL_FTZ" not in CORE_BUGS["lut_tc"]
    assert PROTOCOL_BUGS == ("LUT_TC_BUG_OVERWRITE_STALLED", "LUT_TC_BUG_DROP_STALLED")
    assert FP_BUGS == BUGS[4:]


def test_a_bug_is_marked_fp_exactly_when_it_lives_in_fp_blocks_only() -> None:
    fp_files = {"lut_fp_to_f32.sv", "lut_fp32_add.sv", "lut_fp32_pow2.sv", "mac_fp_mul.sv"}
    for define, files in rtl_defines().items():
        assert BY_DEFINE[define].fp == (files <= fp_files), f"{define} lives in {sorted(files)}"


def test_an_unknown_or_misplaced_define_is_one_line_pointing_to_the_table() -> None:
    with pytest.raises(ValueError) as exc:
        check_define("LUT_TC_BUG_NOPE")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("define='LUT_TC_BUG_NOPE' unknown; choose one of ")
    assert all(d in msg for d in BUGS) and msg.endswith(f"(what each breaks: {DOC})")
    with pytest.raises(ValueError, match=r"^bug='LUT_TC_BUG_FP_POW2_FTZ': core mac has no block "):
        build_name(config_by_name("M2N4FP", "mac"), "LUT_TC_BUG_FP_POW2_FTZ")
    with pytest.raises(ValueError, match=r"lives in lut_fp32_pow2.sv \(the LUT unit's"):
        check_define("LUT_TC_BUG_FP_POW2_FTZ", "mac")
    assert check_define("LUT_TC_BUG_FP_MUL_FTZ", "mac") == "LUT_TC_BUG_FP_MUL_FTZ"
