# SPDX-License-Identifier: Apache-2.0
"""make formal without a solver: the task list, its refusals, the property catalogue held to
the SystemVerilog, and the reading of SymbiYosys's results (no yowasp-sby run here)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from flow.bugs import BY_DEFINE
from flow.formal import props, results, runner, tasks, trace
from flow.formal.tasks import Task

ROOT = Path(__file__).resolve().parents[2]
PROPS_SV = (ROOT / "formal" / "lut_tc_props.sv").read_text()
CORE_SV = (ROOT / "rtl" / "lut_tensor_core.sv").read_text()


def test_default_run_is_every_core_both_weight_widths_every_set_and_covers() -> None:
    got = tasks.expand()
    assert {(t.core, t.config) for t in got} == {
        (c, k) for c in ("lut_tc", "lut_conv", "mac") for k in ("M2N4", "M2N4W8")
    }
    assert {t.group for t in got} == {*props.GROUPS, tasks.COVER, tasks.DATAPATH_COVER}
    # the datapath lemmas (and their covers) are lut_tc's blocks; agree is every core's
    assert {t.core for t in got if t.lemma and t.group != tasks.AGREE} == {"lut_tc"}
    assert {t.core for t in got if t.group == tasks.AGREE} == set(tasks.DEFAULT_CORES)
    assert len(got) == 2 * (len(props.GROUPS) + 2) + 4 * len(props.GROUPS)


def test_each_set_turns_on_its_own_properties_only() -> None:
    sby = Task("mac", "M2N4W8", "handshake").sby()
    assert "-DFORMAL -DLUT_TC_FV_HANDSHAKE " in sby
    assert "LUT_TC_ASSERTIONS" not in sby and "LUT_TC_FV_ORDER" not in sby
    assert "-chparam WBitsMax 8" in sby and "-chparam Core 2" in sby
    assert "mode prove" in sby and "smtbmc yices" in sby
    cover = Task("lut_tc", "M2N4", tasks.COVER).sby()
    assert "mode cover" in cover and "-DLUT_TC_FV_COVER" in cover


def test_a_planted_bug_runs_the_sets_that_catch_it_and_no_covers() -> None:
    got = tasks.expand(["lut_tc"], ["M2N4"], defines=["LUT_TC_BUG_DROP_STALLED"])
    assert not any(t.mode == "cover" for t in got)
    assert [t.group for t in got] == list(props.CATCHES["LUT_TC_BUG_DROP_STALLED"])
    assert all("-DLUT_TC_BUG_DROP_STALLED" in t.sby() for t in got)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"cores": ["gpu"]}, "core='gpu' unknown"),
        ({"configs": ["M2N4FP"], "cores": ["lut_conv"]}, "on lut_conv choose one of"),
        ({"configs": ["M9"]}, "config='M9' unknown"),
        ({"engine": "cvc9"}, "ENGINE=cvc9 unknown; choose one of yices"),
        (
            {"defines": ["LUT_TC_BUG_DROP_STALLED"], "groups": ["timing"]},
            "PROPS= has no property set that catches",
        ),
        (
            {"cores": ["mac"], "groups": ["datapath"], "named": True},
            "PROPS=datapath is proven on CORE=lut_tc",
        ),
        (
            {"configs": ["M2N4FP"], "cores": ["lut_tc"], "groups": ["datapath"], "named": True},
            "integer configurations only",
        ),
        ({"defines": ["LUT_TC_BUG_FP_RTZ"]}, "no formal property catches it"),
        (
            {
                "cores": ["lut_tc"],
                "groups": ["agree"],
                "defines": ["LUT_TC_BUG_SWAP_ENTRIES"],
                "named": True,
            },
            "PROPS=agree does not catch LUT_TC_BUG_SWAP_ENTRIES on CORE=lut_tc; choose from"
            " datapath",
        ),
    ],
)
def test_a_bad_choice_is_refused_with_one_line(kwargs: dict, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)) as e:
        tasks.expand(**kwargs)
    assert "\n" not in str(e.value)


def test_the_command_line_refuses_with_one_line_and_exit_2() -> None:
    for args, says in (
        (["--props", "speed"], "PROPS=speed unknown; choose from all, lemmas"),
        (["--core", "mac", "--props", "datapath"], "PROPS=datapath is proven on CORE=lut_tc"),
        (["--core", "gpu"], "CORE=gpu unknown"),
        (["--jobs", "0"], "JOBS=0"),
    ):
        p = subprocess.run(
            [sys.executable, "tools/formal.py", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert p.returncode == 2, p.stderr
        assert p.stderr.strip().count("\n") == 0 and says in p.stderr, p.stderr
        assert "Traceback" not in p.stderr


def test_list_prints_each_task_with_the_command_that_reruns_it() -> None:
    p = subprocess.run(
        [sys.executable, "tools/formal.py", "--core", "mac", "--config", "M2N4", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = p.stdout.splitlines()
    assert lines[0].startswith("datapath: left out on mac:M2N4 (")
    assert lines[1].startswith("datapath-cover: left out on mac:M2N4 (")
    assert len(lines) == 2 + len(props.GROUPS) - 1 + 1
    assert "mac-M2N4-agree" in p.stdout
    assert "make formal CORE=mac CONFIG=M2N4 PROPS=cover" in p.stdout
    assert "mac-M2N4-order" in p.stdout
    assert "make formal CORE=mac CONFIG=M2N4 PROPS=order" in p.stdout


def test_every_catalogued_property_is_a_labelled_assert_and_back() -> None:
    lemmas_sv = (ROOT / "formal" / "lut_tc_lemmas.sv").read_text()
    agree_sv = (ROOT / "formal" / "lut_tc_agree.sv").read_text()
    labelled = set(re.findall(r"^\s*(\w+): assert\b", PROPS_SV + lemmas_sv + agree_sv, flags=re.M))
    rtl = set(re.findall(r"`LUT_TC_ASSERT(?:_INIT)?\((\w+),", CORE_SV))
    ours = {p.name for p in props.PROPS if p.group != "rtl"}
    assert ours == labelled
    assert {p.name for p in props.PROPS if p.group == "rtl"} == rtl
    assert set(props.COVERS) == set(re.findall(r"^\s*(\w+): cover\b", PROPS_SV, flags=re.M))
    assert set(props.DATAPATH_COVERS) == set(
        re.findall(r"^\s*(\w+): cover\b", lemmas_sv, flags=re.M)
    )
    for group, (define, _) in props.GROUPS.items():
        if define and group != "rtl":
            assert f"`ifdef {define}" in PROPS_SV
    assert "`ifdef LUT_TC_FV_COVER" in lemmas_sv


def test_agree_runs_one_unit_of_the_core_with_its_own_properties() -> None:
    sby = Task("lut_conv", "M2N4W8", tasks.AGREE).sby()
    assert "hierarchy -top lut_tc_agree" in sby and "-chparam Core 1" in sby
    assert "-chparam M " not in sby and "depth 11" in sby and "cutpoint" not in sby
    assert "lut_tc_agree.sv" in sby and "lut_tc_props.sv" not in sby
    assert [p.name for p in props.by_group("agree", "mac")] == ["mac_dequant", "mac_product"]
    assert [p.name for p in props.by_group("agree", "lut_tc")] == [
        "planes_partial_sum",
        "planes_sum",
    ]
    # lut_tc's agree takes the generator's table: a swapped entry is table_subset_sums' to see
    notes: list[str] = []
    got = tasks.expand(
        ["lut_tc", "mac"], ["M2N4"], defines=["LUT_TC_BUG_SWAP_ENTRIES"], notes=notes
    )
    assert any(
        n.startswith("agree: left out on lut_tc with LUT_TC_BUG_SWAP_ENTRIES") for n in notes
    )
    assert {(t.core, t.group) for t in got} == {
        ("lut_tc", "datapath"),
        ("mac", "agree"),
    }


@pytest.mark.parametrize("b", range(1, 9))
def test_the_planes_recombine_to_the_products_for_every_lane_value(b: int) -> None:
    """The ring identity the agree set composes with (docs/architecture.md section 1), per
    lane, for every INT16 activation and every code q < 2^b, mod 2^32:
    sum_i 2^i (2 q_i - 1) a == a (2 q - (2^b - 1))."""
    a = np.arange(-(1 << 15), 1 << 15, dtype=np.int64)[:, None]
    q = np.arange(1 << b, dtype=np.int64)[None, :]
    planes = sum(((((q >> i) & 1) * 2 - 1) * a) << i for i in range(b))
    assert np.array_equal(planes % (1 << 32), (a * (2 * q - ((1 << b) - 1))) % (1 << 32))


def test_the_caught_bugs_are_planted_bugs_of_every_core() -> None:
    for define in props.CATCHES:
        assert set(BY_DEFINE[define].cores) >= set(tasks.DEFAULT_CORES)


def _task_dir(tmp: Path, task: Task, status: str, log: str) -> Path:
    d = tmp / "tasks" / task.name
    (d / "engine_0").mkdir(parents=True)
    (d / "status").write_text(f"{status} 0\n")
    (d / "logfile.txt").write_text(log)
    return d


def test_a_failed_assertion_is_read_back_with_its_step_and_trace(tmp_path: Path) -> None:
    task = Task("lut_tc", "M2N4", "handshake", defines=("LUT_TC_BUG_DROP_STALLED",))
    # as yowasp-sby 0.70 writes them
    log = (
        "SBY 1:00:00 [x] engine_0.basecase: ##   0:00:02  Assert failed in"
        " lut_tc_formal.u_core.u_props: out_valid_held\n"
        "SBY 1:00:00 [x] engine_0.basecase: ##   0:00:02  Assert failed in"
        " lut_tc_formal.u_core: OutValidHeld\n"
        "SBY 1:00:00 [x] summary: counterexample trace [basecase]:"
        f" {task.name}/engine_0/trace.vcd\n"
        "SBY 1:00:00 [x] summary:   failed assertion lut_tc_formal.u_core.u_props.out_valid_held"
        " at lut_tc_props.sv:250.7-250.40 step 4\n"
    )
    d = _task_dir(tmp_path, task, "FAIL", log)
    (d / "engine_0" / "trace.vcd").write_text("")
    rows = results.read_rows(task, d, tmp_path, 3.0)
    by = {r.prop: r for r in rows}
    assert by["out_valid_held"].result == results.FAILED and by["out_valid_held"].step == 4
    assert by["out_valid_held"].trace == f"tasks/{task.name}/engine_0/trace.vcd"
    assert by["out_payload_stable"].result == results.UNKNOWN
    # a property of another set that failed with it is named too
    assert by["OutValidHeld"].result == results.FAILED
    assert "failed@4" in results.table(rows)


def test_a_passing_task_proves_its_set_and_an_unreached_cover_fails(tmp_path: Path) -> None:
    task = Task("mac", "M2N4", "order")
    rows = results.read_rows(task, _task_dir(tmp_path, task, "PASS", ""), tmp_path, 1.0)
    assert [r.prop for r in rows] == [p.name for p in props.by_group("order")]
    assert all(r.result == results.PROVEN for r in rows)
    cov = Task("mac", "M2N4", tasks.COVER)
    # the summary names a few; the engine's own lines name every one
    log = (
        "".join(
            "engine_0: ##   0:00:01  Reached cover statement in step 3 at"
            " lut_tc_formal.u_core.u_props:"
            f" {c}\n"
            for c in props.COVERS[2:]
        )
        + (
            "summary:   reached cover statement lut_tc_formal.u_core.u_props."
            f"{props.COVERS[1]} at x.sv:1 step 3\n"
        )
        + (
            "summary:   unreached cover statement lut_tc_formal.u_core.u_props."
            f"{props.COVERS[0]} at x.sv:2\n"
        )
    )
    crow = results.read_rows(cov, _task_dir(tmp_path, cov, "FAIL", log), tmp_path, 1.0)
    assert crow[0].result == results.UNREACHED and crow[0].prop == props.COVERS[0]
    assert all(r.result == results.REACHED and r.step == 3 for r in crow[1:])


def test_a_task_that_wrote_no_status_is_unknown_not_proven(tmp_path: Path) -> None:
    task = Task("lut_tc", "M2N4", "reset")
    d = tmp_path / "tasks" / task.name
    d.mkdir(parents=True)
    rows = results.read_rows(task, d, tmp_path, 900.0)
    assert rows and all(r.result == results.UNKNOWN for r in rows)


def test_signoff_figures_per_core(tmp_path: Path) -> None:
    rec = {
        "tasks": [
            {"name": "a", "core": "mac", "time_s": 2.0},
            {"name": "b", "core": "mac", "time_s": 3.0},
        ],
        "rows": [
            {"core": "mac", "config": "M2N4", "group": "order", "result": "proven"},
            {"core": "mac", "config": "M2N4", "group": "order", "result": "failed"},
            {"core": "mac", "config": "M2N4", "group": "cover", "result": "reached"},
            {"core": "mac", "config": "M2N4W8", "group": "cover", "result": "unreached"},
        ],
    }
    path = tmp_path / "formal.json"
    path.write_text(json.dumps(rec))
    got = runner.signoff(path)["mac"]
    assert (got["proven"], got["failed"], got["properties"]) == (1, 1, 2)
    assert (got["covers_reached"], got["covers"], got["ok"]) == (1, 2, False)
    assert got["configs"] == ["M2N4", "M2N4W8"] and got["time_s"] == 5.0


def test_trace_steps_are_read_from_smt_step(tmp_path: Path) -> None:
    vcd = tmp_path / "t.vcd"
    vcd.write_text(
        "$timescale 1ns $end\n$var integer 32 t smt_step $end\n$enddefinitions $end\n"
        "#0\nb0 t\n#10\nb1 t\n#20\nb10 t\n#25\n"
    )
    assert trace.step_times_ns(vcd) == {0: 0.0, 1: 10.0, 2: 20.0}
    assert trace.end_ns(vcd) == 25.0


@pytest.mark.parametrize(
    ("var", "says"),
    [
        ("SIM=icarus", "make formal: SIM= has no effect on formal proofs"),
        ("SEED=3", "make formal: SEED= has no effect on formal proofs"),
        ("COVER=2", "make formal: COVER=2: choose 0 (no cover tasks) or 1"),
    ],
)
def test_make_formal_refuses_a_variable_it_does_not_take(var: str, says: str) -> None:
    p = subprocess.run(["make", "-n", "formal", var], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode != 0 and says in p.stderr, p.stderr


def test_make_formal_passes_its_variables_on() -> None:
    p = subprocess.run(
        [
            "make",
            "-n",
            "formal",
            "CORE=mac",
            "CONFIG=M2N4",
            "PROPS=order",
            "ENGINE=yices",
            "COVER=0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    joined = p.stdout.replace("\\\n", " ")  # the recipe's continuation lines
    line = next(x for x in joined.splitlines() if "tools/formal.py" in x)
    for word in ("--core mac", "--config M2N4", "--props order", "--engine yices", "--no-cover"):
        assert word in line, line
