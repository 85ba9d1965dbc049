# SPDX-License-Identifier: Apache-2.0
"""Code coverage without a simulator: the ``.dat`` reader, waivers, the panel, the options.

Synthetic ``.dat`` files in Verilator's format stand for the simulator
processes of a run; each test takes well under a second. The runs on a real
Verilator build are ``test_codecov_regress.py``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from flow import simrun
from flow.codecov import dat, exclude, report, waivers
from flow.codecov.flags import BUILD_ARGS, NO_ICARUS
from flow.regress.jobs import SuiteError, check_suite, expand
from flow.regress.report import write_report
from flow.regress.select import choices, single_jobs, suite_jobs

DECODE = "rtl/lut_tc_decode.sv"
#: A line of the decoder and the text on it, found by content so the test follows the RTL.
ILLEGAL_LINE = next(
    i
    for i, t in enumerate((simrun.ROOT / DECODE).read_text().splitlines(), 1)
    if "status = StIllegalInstr" in t
)


def point_line(
    file: str,
    line: int,
    page: str,
    comment: str,
    count: int,
    hier: str = "TOP.lut_tensor_core.u_dec",
) -> str:
    keys = {"f": str(simrun.ROOT / file), "l": str(line), "n": "3", "page": page, "o": comment}
    keys["h"] = hier
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in keys.items()) + f"' {count}"


def dat_text(*lines: str) -> str:
    return "\n".join([dat.HEADER, *lines]) + "\n"


def test_a_dat_is_read_with_its_metrics_and_the_core_hierarchy() -> None:
    text = dat_text(
        point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 0),
        point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 2),  # summed
        point_line(
            DECODE, 30, "v_toggle/lut_tc_decode", "instr_i[0]", 5, "TOP.lut_tc_bridge.u_dut.u_core"
        ),
        point_line("tb/sv/lut_tc_bridge.sv", 10, "v_line/lut_tc_bridge", "block", 1, "TOP.x"),
    )
    pts = dat.parse(text)
    assert len(pts) == 3
    branch = next(p for p in pts if p.metric == "branch")
    assert (branch.file, branch.line, branch.module, pts[branch]) == (
        DECODE,
        ILLEGAL_LINE,
        "lut_tc_decode",
        2,
    )
    assert branch.hier == "core.u_dec"
    toggle = next(p for p in pts if p.metric == "toggle")
    assert toggle.hier == "core"  # the bridge's core is the same core as the pins toplevel
    assert {p.file for p in dat.only_under(pts)} == {DECODE}  # the harness does not count


def test_a_merged_dat_reads_back_with_the_summed_counts(tmp_path: Path) -> None:
    a = dat.parse(dat_text(point_line(DECODE, 5, "v_line/lut_tc_decode", "block", 1)))
    b = dat.parse(dat_text(point_line(DECODE, 5, "v_line/lut_tc_decode", "block", 3)))
    merged = dat.merge([a, b])
    dat.write(merged, tmp_path / "m.dat")
    assert list(dat.read(tmp_path / "m.dat").values()) == [4]


def test_a_broken_dat_is_one_line_naming_file_and_line() -> None:
    with pytest.raises(dat.DatError, match=r"^x\.dat:2: not a coverage line"):
        dat.parse(dat.HEADER + "\nbogus\n", "x.dat")


# --------------------------------------------------------------------- waivers


def waiver_file(tmp_path: Path, *entries: dict) -> Path:
    body = []
    for e in entries:
        body.append("[[waiver]]")
        body += [f"{k} = {json.dumps(v)}" for k, v in e.items()]
    path = tmp_path / "waivers.toml"
    path.write_text("\n".join(body) + "\n")
    return path


ILLEGAL_WAIVER = {
    "file": DECODE,
    "match": "StIllegalInstr;",
    "metric": "branch",
    "reason": "a test for the waiver mechanism",
}


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({**ILLEGAL_WAIVER, "reson": "x"}, "key 'reson' unknown"),
        ({k: v for k, v in ILLEGAL_WAIVER.items() if k != "reason"}, "needs reason"),
        ({**ILLEGAL_WAIVER, "metric": "lines"}, "metric='lines' unknown; choose one of line"),
        ({**ILLEGAL_WAIVER, "file": "rtl/nothing.sv"}, "does not exist"),
        ({k: v for k, v in ILLEGAL_WAIVER.items() if k != "match"}, "give lines, match or both"),
        ({**ILLEGAL_WAIVER, "lines": "9-3"}, "ends before it starts"),
        ({**ILLEGAL_WAIVER, "cores": ["gpu"]}, "cores: 'gpu' unknown; choose from lut_tc, "),
        ({**ILLEGAL_WAIVER, "cores": []}, "cores must be a non-empty list of lut_tc"),
        ({**ILLEGAL_WAIVER, "cores": "mac"}, "cores must be a non-empty list of lut_tc"),
        ({**ILLEGAL_WAIVER, "configs": ["M9"]}, "configs: 'M9' unknown; choose from M2N64"),
        ({**ILLEGAL_WAIVER, "point": "(("}, "point='((' is no regular expression"),
    ],
)
def test_a_wrong_waiver_is_one_line_naming_it(tmp_path: Path, entry: dict, words: str) -> None:
    with pytest.raises(waivers.WaiverError) as exc:
        waivers.load(waiver_file(tmp_path, entry))
    assert "waiver #1" in str(exc.value) and words in str(exc.value)
    assert "\n" not in str(exc.value)


def test_a_waiver_takes_its_points_out_and_a_stale_one_fails(tmp_path: Path) -> None:
    pts = dat.parse(
        dat_text(
            point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 0),
            point_line(DECODE, ILLEGAL_LINE + 2, "v_branch/lut_tc_decode", "elsif", 4),
        )
    )
    ws = waivers.load(waiver_file(tmp_path, ILLEGAL_WAIVER))
    waived = waivers.apply(ws, pts)
    assert [p.line for p in waived] == [ILLEGAL_LINE] and ws[0].matched == 1 and ws[0].hit == 0
    waivers.check_stale(ws, {DECODE})
    stale = {**ILLEGAL_WAIVER, "match": "no such text anywhere"}
    ws = waivers.load(waiver_file(tmp_path, stale))
    waivers.apply(ws, pts)
    with pytest.raises(waivers.WaiverError, match=r"waiver #1 .* matches no coverage point"):
        waivers.check_stale(ws, {DECODE})
    waivers.check_stale(ws, {"rtl/mac_unit.sv"})  # a file the run did not build: no verdict


def test_a_point_waiver_takes_one_term_combination_of_a_line(tmp_path: Path) -> None:
    pts = dat.parse(
        dat_text(
            point_line(DECODE, ILLEGAL_LINE, "v_expr/lut_tc_decode", "(a==1 && b==1) => 1", 0),
            point_line(DECODE, ILLEGAL_LINE, "v_expr/lut_tc_decode", "(a==0) => 0", 0),
        )
    )
    one = {**ILLEGAL_WAIVER, "metric": "expr", "point": "b==1\\) => 1$"}
    ws = waivers.load(waiver_file(tmp_path, one))
    assert [p.comment for p in waivers.apply(ws, pts)] == ["(a==1 && b==1) => 1"]
    assert "point 'b==1\\\\) => 1$'" in ws[0].where and ws[0].as_dict()["point"]
    ws = waivers.load(waiver_file(tmp_path, {**one, "point": "c==1"}))
    waivers.apply(ws, pts)
    with pytest.raises(waivers.WaiverError, match="matches no coverage point"):
        waivers.check_stale(ws, {DECODE})


def test_a_scoped_waiver_waives_only_in_its_scope_and_is_stale_per_scope(tmp_path: Path) -> None:
    hole = point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 0)
    other = point_line(DECODE, ILLEGAL_LINE + 2, "v_branch/lut_tc_decode", "elsif", 4)
    with_hole, without = dat.parse(dat_text(hole, other)), dat.parse(dat_text(other))
    ws = waivers.load(waiver_file(tmp_path, {**ILLEGAL_WAIVER, "cores": ["mac"]}))
    assert waivers.apply(ws, with_hole, "lut_tc", "M2N4") == set()  # out of scope: still a hole
    assert [p.line for p in waivers.apply(ws, with_hole, "mac", "M2N4")] == [ILLEGAL_LINE]
    waivers.check_stale(ws, {DECODE})
    assert ws[0].as_dict()["cores"] == ["mac"] and "cores mac" in ws[0].where
    # in scope on two cores, matching on one only: stale on the other, named
    ws = waivers.load(waiver_file(tmp_path, {**ILLEGAL_WAIVER, "cores": ["mac", "lut_conv"]}))
    waivers.apply(ws, with_hole, "mac", "M2N4")
    waivers.apply(ws, without, "lut_conv", "M2N4")
    with pytest.raises(
        waivers.WaiverError, match=r"waiver #1 .*no coverage point on lut_conv M2N4"
    ):
        waivers.check_stale(ws, {DECODE})
    # measured only outside its scope (another configuration): no verdict
    ws = waivers.load(waiver_file(tmp_path, {**ILLEGAL_WAIVER, "configs": ["M2N4W1"]}))
    assert waivers.apply(ws, with_hole, "lut_tc", "M2N4") == set()
    waivers.check_stale(ws, {DECODE})


# --------------------------------------------------------------------- the panel and the page


def fake_run(tmp_path: Path, processes: list[tuple[list[str], str | None]]) -> Path:
    """A run folder with a run.json and the per-process counts a coverage run keeps."""
    run = tmp_path / "run"
    d = run / "codecov" / "dat"
    d.mkdir(parents=True)
    jobs = []
    for i, (ids, text) in enumerate(processes):
        name = f"{ids[0]}.p1"
        if text is not None:
            (d / f"{name}.dat").write_text(text)
        side = {"first_job": ids[0], "core": "lut_tc", "config": "M2N4", "transport": "pins"}
        side |= {"attempt": 1, "jobs": ids, "dat": f"{name}.dat" if text else None}
        (d / f"{name}.json").write_text(json.dumps(side))
        jobs += [
            {"job_id": j, "test": "SmokeTest", "seed": i, "sim": "verilator", "result": "PASS"}
            for j in ids
        ]
    record = {"schema": 1, "suite": "t", "started": "2026-01-01T00:00:00+00:00", "jobs": jobs}
    (run / "run.json").write_text(json.dumps(record))
    return run


def test_the_panel_merges_processes_and_lists_holes_waivers_and_lost_counts(
    tmp_path: Path,
) -> None:
    one = dat_text(
        point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 0),
        point_line(DECODE, ILLEGAL_LINE + 2, "v_branch/lut_tc_decode", "elsif", 0),
        point_line(DECODE, 30, "v_toggle/lut_tc_decode", "instr_i[0]", 1),
    )
    two = dat_text(point_line(DECODE, ILLEGAL_LINE + 2, "v_branch/lut_tc_decode", "elsif", 3))
    run = fake_run(tmp_path, [(["a", "b"], one), (["c"], two), (["d"], None)])
    panel = report.write(run, waiver_file(tmp_path, ILLEGAL_WAIVER))
    assert panel["error"] is None
    (g,) = panel["groups"]
    assert g["name"] == "lut_tc-M2N4" and g["jobs"] == 4
    assert g["totals"]["branch"] == {"points": 1, "hit": 1, "waived": 1, "pct": 100.0}
    assert g["totals"]["toggle"]["pct"] == 100.0 and g["n_holes"] == 0
    assert panel["lost"] == [{"group": "lut_tc-M2N4", "jobs": ["d"], "attempt": 1}]
    assert (run / "codecov" / "merged" / "lut_tc-M2N4.dat").is_file()
    page = (run / "codecov" / "html" / "lut_tc-M2N4" / "lut_tc_decode.sv.html").read_text()
    assert f'id="L{ILLEGAL_LINE}" class="waived"' in page
    assert f'id="L{ILLEGAL_LINE + 2}" class="hit"' in page
    # without the waiver the branch nobody took is a hole, one click from the dashboard
    panel = report.write(run, tmp_path / "none.toml")
    (g,) = panel["groups"]
    assert [(h["line"], h["metric"]) for h in g["holes"]] == [(ILLEGAL_LINE, "branch")]
    html = write_report(run / "run.json", run / "report", tmp_path / "hist").read_text()
    sec = re.search(r'<section id="signoff">(.*?)</section>', html, re.S).group(1)
    assert "lut_tc_decode" in sec and "50.0%" in sec
    assert f'href="../codecov/html/lut_tc-M2N4/lut_tc_decode.sv.html#L{ILLEGAL_LINE}"' in sec
    assert "Counts lost: 1 simulator process" in sec


def test_a_stale_waiver_is_shown_and_fails_the_report(tmp_path: Path) -> None:
    one = dat_text(point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 1))
    run = fake_run(tmp_path, [(["a"], one)])
    stale = {**ILLEGAL_WAIVER, "lines": "1-2"}
    panel = report.write(run, waiver_file(tmp_path, stale))
    assert (
        panel["error"]
        and "waiver #1" in panel["error"]
        and "matches no coverage point" in (panel["error"])
    )
    last = report.lines(panel)[-1]
    assert last.startswith("code coverage: ") and "waivers.toml waiver #1 (" in last
    html = write_report(run / "run.json", run / "report", tmp_path / "hist").read_text()
    assert re.search(r'id="codecov-error">[^<]*waivers.toml waiver #1', html)


def test_a_scoped_waiver_through_the_panel_and_the_page(tmp_path: Path) -> None:
    """The run merges core lut_tc at M2N4: a waiver for mac leaves the hole and is no verdict,
    one for lut_tc waives it; the dashboard's waiver table shows each one's scope."""
    one = dat_text(point_line(DECODE, ILLEGAL_LINE, "v_branch/lut_tc_decode", "if", 0))
    run = fake_run(tmp_path, [(["a"], one)])
    mac, tc = ({**ILLEGAL_WAIVER, "cores": [c]} for c in ("mac", "lut_tc"))
    panel = report.write(run, waiver_file(tmp_path, mac))
    assert panel["error"] is None and panel["groups"][0]["n_holes"] == 1
    html = write_report(run / "run.json", run / "report", tmp_path / "hist").read_text()
    table = re.search(r'<table id="codecov-waivers">(.*?)</table>', html, re.S).group(1)
    assert "<th>scope</th>" in table and "<td>mac</td>" in table
    panel = report.write(run, waiver_file(tmp_path, tc, {**tc, "configs": ["M2N4"]}))
    assert panel["error"] is None and panel["groups"][0]["n_holes"] == 0
    panel = report.write(run, waiver_file(tmp_path, {**tc, "lines": "1-2"}))
    assert "waiver #1" in panel["error"] and "no coverage point on lut_tc M2N4" in panel["error"]


def test_a_run_without_code_coverage_says_where_it_comes_from(tmp_path: Path) -> None:
    run = fake_run(tmp_path, [])
    html = write_report(run / "run.json", run / "report", tmp_path / "hist").read_text()
    assert 'id="signoff-gap"' in html and "Icarus has no code coverage" in html


# --------------------------------------------------------------------- options and builds


def _args(**kw: str) -> argparse.Namespace:
    base = dict(sim="", transport="", config="", core="", define=[], seed=None, seeds=None)
    return argparse.Namespace(**{**base, "coverage": None, **kw})


def test_coverage_on_icarus_is_refused_or_left_out_with_one_line() -> None:
    with pytest.raises(SuiteError) as exc:
        suite_jobs("smoke", "smoke", choices(_args(coverage="1"), {}), {"COVERAGE": "1"})
    assert NO_ICARUS in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(SuiteError, match=NO_ICARUS):
        single_jobs("SmokeTest", choices(_args(coverage="1", sim="icarus"), {}))
    jobs, lines = single_jobs(
        "SmokeTest", choices(_args(coverage="1", sim="all", config="M2N4"), {})
    )
    assert [j.sim for j in jobs] == ["verilator"] and lines == [
        f"left out: 1 job: {NO_ICARUS}; asked for sim icarus"
    ]
    with pytest.raises(SuiteError, match=r"COVERAGE='2' unknown; choose one of 1, 0"):
        choices(_args(coverage="2"), {})


def test_coverage_jobs_carry_it_in_their_build_and_repro_but_planted_bugs_do_not() -> None:
    c = choices(_args(coverage="1", sim="verilator"), {})
    jobs, _ = suite_jobs("smoke", "smoke", c, {"COVERAGE": "1"})
    clean = [j for j in jobs if not j.defines]
    assert clean and all(j.coverage and j.repro().endswith(" COVERAGE=1") for j in clean)
    assert all("COVERAGE" not in j.waves() for j in clean)  # a traced build counts nothing
    bugs = [j for j in jobs if j.defines]
    assert bugs and not any(j.coverage or "COVERAGE" in j.repro() for j in bugs)
    plain, _ = suite_jobs("smoke", "smoke", choices(_args(sim="verilator"), {}), {})
    assert {j.build_key[:5] for j in plain} == {j.build_key[:5] for j in jobs}
    assert not {j.build_key for j in clean} & {j.build_key for j in plain}


def test_the_suite_key_coverage_is_checked() -> None:
    suite = {"sims": ["verilator"], "configs": ["M2N4"], "tests": [{"name": "SmokeTest"}]}
    check_suite({**suite, "coverage": True}, "s.toml")
    assert all(j.coverage for j in expand({**suite, "coverage": True}, None, None))
    assert not any(
        j.coverage for j in expand({**suite, "coverage": True}, None, None, coverage=False)
    )
    with pytest.raises(SuiteError, match=r"s.toml: coverage=1 must be true or false"):
        check_suite({**suite, "coverage": 1}, "s.toml")
    with pytest.raises(SuiteError, match=r"coverage = true needs sims = \[\"verilator\"\]"):
        check_suite({**suite, "coverage": True, "sims": ["icarus", "verilator"]}, "s.toml")


def test_a_coverage_build_is_a_build_of_its_own() -> None:
    plain = simrun.build_dir_for("verilator", "core_M2N4")
    cov = simrun.build_dir_for("verilator", "core_M2N4", coverage=True)
    assert cov == plain.with_name("core_M2N4_cov")
    default = simrun._cocotb_build_args("verilator", False, False)
    assert not set(BUILD_ARGS) & set(default)  # the default build's flags, and so its stamp
    assert set(BUILD_ARGS) <= set(simrun._cocotb_build_args("verilator", False, False, True))
    with pytest.raises(ValueError, match=NO_ICARUS):
        simrun.build_target("icarus", "lut_tensor_core", "x", coverage=True)


def test_the_assertion_lines_are_found_in_the_source(tmp_path: Path) -> None:
    src = tmp_path / "a.sv"
    src.write_text(
        "module a;\n"  # 1
        "  assign x = y;\n"  # 2
        "  `LUT_TC_ASSERT(Name, !a ||\n"  # 3
        '                 (b), "msg")\n'  # 4
        '  `LUT_TC_ASSERT_KNOWN(K, s, "m")\n'  # 5
        "`ifdef LUT_TC_ASSERTIONS\n"  # 6
        "`ifdef OTHER\n"  # 7
        "`endif\n"  # 8
        "  logic q;\n"  # 9
        "`endif\n"  # 10
        "  assign z = 1;\n"  # 11
        "endmodule\n"
    )
    assert exclude.assertion_ranges(src) == [(3, 10)]
    vlt = exclude.control_file([src])
    assert vlt.startswith("`verilator_config\n") and f'-file "{src}" -lines 3-10' in vlt
    real = {e["file"] for e in exclude.excluded(simrun.CORE_SOURCES)}
    assert "rtl/lut_tensor_core.sv" in real  # the core's assertions are found


def test_a_line_point_stands_for_its_block_and_its_module_has_no_parameters() -> None:
    text = dat_text(point_line(DECODE, 7, "v_line/lut_array__N4_F3_C0", "block", 1))
    (p,) = dat.parse(text.replace("\x01h\x02", "\x01S\x0207-9,12\x01h\x02"))
    assert p.module == "lut_array" and p.lines() == [7, 8, 9, 12]
