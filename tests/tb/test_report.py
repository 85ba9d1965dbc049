# SPDX-License-Identifier: Apache-2.0
"""The regression dashboard: failure buckets, the page, the history, the CLI, a real browser.

Every run.json here is synthetic, built by :func:`make_run`, so the tests need
no simulator and each takes well under a second (the browser ones a few).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from flow.regress import browser, history
from flow.regress.report import buckets, main, matrix, normalize, write_report
from tests.needs import require

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

MISMATCH = "mismatch: instr {i} tag 0x{t:02x} LMMA lane [{m},{n}] D={d} != expected {e}"


def make_job(
    i: int,
    result: str = "PASS",
    error: str = "",
    test: str = "SmokeTest",
    config: str = "M2N64",
    log: str | None = None,
) -> dict[str, Any]:
    """One job of a run.json; a failing job gets ``error`` as its first error."""
    sim, transport, seed = "icarus", "pins", i + 1
    jid = f"{sim}-{transport}-{config}-{test}-{seed}"
    args = f"TEST={test} SEED={seed} SIM={sim} CONFIG={config} TRANSPORT={transport}"
    return {
        "job_id": jid,
        "test": test,
        "seed": seed,
        "sim": sim,
        "config": config,
        "transport": transport,
        "defines": [],
        "env": {"LUT_TC_SCALE": "2"},
        "result": result,
        "message": error.splitlines()[0] if error else "",
        "first_error": {"time_ns": 1000.0 + i, "error": error} if error else None,
        "sim_time_ns": 5678.0 + i,
        "wall_s": 1.9,
        "log": f"runs/{jid}/sim.log" if log is None else log,
        "repro": f"make regress {args}",
        "waves": f"make waves {args}",
        "attempt": 1,
    }


def make_run(
    folder: Path,
    jobs: list[dict[str, Any]],
    started: str = "2026-12-01T15:02:03+00:00",
    suite: str = "smoke",
    coverage: dict[str, Any] | None = None,
) -> Path:
    """Write ``folder/run.json`` (and a log per job that names one) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    for j in jobs:
        if j["log"]:
            log = folder / j["log"]
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(f"log of {j['job_id']}\n")
    run = {
        "schema": 1,
        "suite": suite,
        "command": f"make regress SUITE={suite} SIM=icarus",
        "started": started,
        "wall_s": 123.4,
        "build_s": 20.1,
        "engine": {"kind": "local", "workers": 2, "address": "tcp://127.0.0.1:41234"},
        "processes": len(jobs),
        "overhead_per_job_s": 0.31,
        "jobs": jobs,
        "coverage": coverage,
    }
    path = folder / "run.json"
    path.write_text(json.dumps(run, indent=1))
    return path


def mismatches(n: int, start: int = 0) -> list[dict[str, Any]]:
    """``n`` failures of one bug: the same mismatch with different numbers everywhere."""
    return [
        make_job(
            start + i,
            "FAIL",
            MISMATCH.format(i=17 + i, t=i, m=i % 2, n=i % 4, d=12 + i, e=13 + 2 * i),
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------- buckets


def test_normalize_masks_hex_floats_and_integers() -> None:
    assert normalize("x 0x3e481004 y") == "x # y"
    assert normalize("got -12.5e-3 want 1.0") == "got # want #"
    assert normalize("lane [0,3] D=12") == "lane [#,#] D=#"
    assert normalize("cfg M2N64 int8  \n  cut") == "cfg M2N64 int8 cut"  # names keep digits
    assert len(normalize("word " * 100)) <= 160


def test_one_bug_many_numbers_is_one_bucket() -> None:
    bs = buckets(mismatches(40) + [make_job(100 + i) for i in range(5)])
    assert len(bs) == 1
    assert bs[0].count == 40 and bs[0].kind == "mismatch"
    assert "0x" not in bs[0].signature and "17" not in bs[0].signature
    assert all(j["result"] == "FAIL" for j in bs[0].jobs)


def test_one_bug_on_other_formats_and_lane_counts_is_one_bucket() -> None:
    a = (
        "mismatch: instruction 1 [lmma t2, int16, w1, acc=int32, tag=1] answered at 8460 ns "
        "(cycle 846): tag 1; D differs in 2/8 lanes: [0,0] 23311 (0x00005b0f) != expected -24275"
    )
    b = (
        "mismatch: instruction 2 [lmma t1, int8, w3, acc=int32, tag=2] answered at 4280 ns "
        "(cycle 428): tag 2; D differs in 4/8 lanes: [0,0] 1 (0x1) != expected 2 (0x2), "
        "[0,3] 5 (0x5) != expected 6 (0x6), [1,0] 7 (0x7) != expected 8 (0x8)"
    )
    assert normalize(a) == normalize(b)
    assert normalize(a) != normalize(a.replace("[lmma", "[lutgen"))  # the opcode counts


def test_kinds_make_buckets_biggest_first_and_passes_none() -> None:
    lost = [
        make_job(50 + i, "FAIL", f"lost: instr {i} tag 0x{i:02x} never answered") for i in (1, 2)
    ]
    crash = make_job(60, "ERROR", "ERROR: simulator crashed (exit code -11) while this test ran")
    passes = [make_job(70 + i) for i in range(3)]
    bs = buckets(lost + passes + mismatches(3) + [crash])
    assert [(b.kind, b.count) for b in bs] == [("mismatch", 3), ("lost", 2), ("ERROR", 1)]
    ids = {j["job_id"] for b in bs for j in b.jobs}
    assert not ids & {p["job_id"] for p in passes}
    assert buckets(passes) == []


def test_a_failure_without_first_error_buckets_by_message() -> None:
    hang = [make_job(i, "ERROR") | {"message": f"hang: killed after {600 + i} s"} for i in range(3)]
    (b,) = buckets(hang)
    assert b.kind == "hang" and b.signature == "hang: killed after # s" and b.count == 3


def test_matrix_sums_seeds_per_cell_and_spans_its_header() -> None:
    jobs = mismatches(2) + [make_job(5), make_job(6, config="M4N8"), make_job(7, test="GemmTest")]
    m = matrix(jobs)
    col = ("icarus", "pins", "M2N64")
    assert m.tests == ["GemmTest", "SmokeTest"]
    assert (
        m.cell("SmokeTest", col) == (1, 3)
        and m.cell("GemmTest", ("icarus", "pins", "M4N8")) is None
    )
    assert m.header() == [[("icarus", 2)], [("pins", 2)], [("M2N64", 1), ("M4N8", 1)]]


# --------------------------------------------------------------------- the page


def write(tmp_path: Path, jobs: list[dict[str, Any]], **kw: Any) -> tuple[Path, str]:
    run = make_run(tmp_path / "regress", jobs, **kw)
    page = write_report(run, tmp_path / "regress" / "report", tmp_path / "regress" / "history")
    return page, page.read_text()


def test_page_has_every_row_the_failure_and_its_repro(tmp_path: Path) -> None:
    jobs = mismatches(2) + [make_job(10 + i) for i in range(3)]
    page, html = write(tmp_path, jobs)
    assert page == tmp_path / "regress" / "report" / "index.html"
    for j in jobs:
        assert f'id="job-{j["job_id"]}"' in html
    bad = jobs[0]
    assert bad["first_error"]["error"] in html
    assert bad["repro"] in html and bad["waves"] in html
    assert "<h1>smoke: " in html and ">FAIL</span></h1>" in html
    assert "No coverage in this run: 5 job(s) should have dumped coverage" in html
    # failing rows come first in the table
    order = re.findall(r'<tr id="job-([^"]+)" class="(\w+)"', html)
    assert [c for _, c in order] == ["fail", "fail", "pass", "pass", "pass"]


def test_log_links_resolve_from_the_report_folder(tmp_path: Path) -> None:
    jobs = [make_job(0, "FAIL", "mismatch: D=1 != expected 2"), make_job(1, log="")]
    page, html = write(tmp_path, jobs)
    hrefs = re.findall(r'<a href="([^"#]+)">log</a>', html)
    assert len(hrefs) == 1  # the job without a log has no link
    target = (page.parent / unquote(hrefs[0])).resolve()
    assert target == (tmp_path / "regress" / jobs[0]["log"]).resolve()
    assert target.is_file()


def test_messages_are_escaped_not_injected(tmp_path: Path) -> None:
    evil = "protocol: <script>alert('x')</script> & 0x1f < 2"
    _, html = write(tmp_path, [make_job(0, "FAIL", evil)])
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html and "&amp; 0x1f &lt; 2" in html


def test_coverage_section_lists_holes_and_unmerged(tmp_path: Path) -> None:
    holes = [f"cg_instr.cp_op.bin{i}" for i in range(60)]
    cov = {
        "configs": {"M2N64": {"bins": 1117, "hit": 1057, "excluded": 320, "holes": holes}},
        "unmerged": ["icarus-pins-M2N64-SmokeTest-1"],
    }
    _, html = write(tmp_path, [make_job(0)], coverage=cov)
    assert "cg_instr.cp_op.bin49" in html and "cg_instr.cp_op.bin50" not in html
    assert "and 10 more" in html and "94.6 %" in html
    assert "icarus-pins-M2N64-SmokeTest-1</code>" in html
    assert ">PASS</span></h1>" in html


def test_missing_optional_fields_still_render(tmp_path: Path) -> None:
    job = {"job_id": "j1", "test": "T", "result": "FAIL", "message": "DutHang: no transfer"}
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"schema": 1, "suite": "s", "started": "2026-12-01", "jobs": [job]}))
    html = write_report(run, tmp_path / "out", tmp_path / "hist").read_text()
    assert 'id="job-j1"' in html and "DutHang: no transfer" in html


# --------------------------------------------------------------------- history


def test_history_keeps_one_entry_per_run_in_time_order(tmp_path: Path) -> None:
    hist = tmp_path / "history"
    later = json.loads(
        make_run(tmp_path / "b", mismatches(1), "2026-12-02T09:00:00+00:00").read_text()
    )
    early = json.loads(
        make_run(tmp_path / "a", [make_job(0)], "2026-12-01T15:02:03+00:00").read_text()
    )
    history.record(later, hist)
    history.record(early, hist)
    history.record(later, hist)
    entries = history.load(hist)
    assert [e["started"] for e in entries] == [early["started"], later["started"]]
    assert [(e["passed"], e["failed"]) for e in entries] == [(1, 0), (0, 1)]
    assert entries[0]["jobs_per_hour"] == pytest.approx(3600 / 123.4)
    assert len(list(hist.glob("*.json"))) == 2
    assert (hist / "20261201T150203Z-smoke.json").is_file()
    pngs = history.plot(entries, tmp_path / "out")
    assert [p.name for p in pngs] == ["pass_rate.png", "throughput.png"]
    for p in pngs:
        assert p.read_bytes()[:8] == PNG_MAGIC and p.stat().st_size > 1000


def test_one_run_still_plots(tmp_path: Path) -> None:
    run = json.loads(make_run(tmp_path / "r", [make_job(0)]).read_text())
    history.record(run, tmp_path / "h")
    for p in history.plot(history.load(tmp_path / "h"), tmp_path / "out"):
        assert p.read_bytes()[:8] == PNG_MAGIC


def test_a_damaged_history_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "junk.json").write_text("{not json")
    run = json.loads(make_run(tmp_path / "r", [make_job(0)]).read_text())
    history.record(run, tmp_path)
    assert len(history.load(tmp_path)) == 1


# --------------------------------------------------------------------- CLI


def test_cli_without_a_run_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["--run", str(tmp_path / "run.json"), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert rc == 2
    text = (out + err).strip()
    assert len(text.splitlines()) == 1 and "no run recorded" in text
    assert "Traceback" not in text and not (tmp_path / "out").exists()


def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = make_run(tmp_path, [make_job(0)])
    out, hist = tmp_path / "report", tmp_path / "history"
    assert main(["--run", str(run), "--out", str(out), "--history", str(hist)]) == 0
    assert (out / "index.html").is_file() and str(out / "index.html") in capsys.readouterr().out
    assert main(["--run", str(run), "--out", str(out), "--history", str(hist)]) == 0
    assert len(history.load(hist)) == 1  # rewriting the page adds no history point


# --------------------------------------------------------------------- a real browser


@pytest.fixture
def chromium() -> None:
    require("chromium")


@pytest.mark.usefixtures("chromium")
def test_the_browser_shows_the_failing_row_and_the_counts(tmp_path: Path) -> None:
    jobs = mismatches(2) + [make_job(10 + i) for i in range(3)]
    page, _ = write(tmp_path, jobs)
    dom = browser.render_dom(page)
    row = re.search(rf'<tr id="job-{re.escape(jobs[0]["job_id"])}"[^>]*>(.*?)</tr>', dom, re.S)
    assert row, "the failing row is not in the rendered page"
    assert "mismatch: instr 17 tag 0x00 LMMA lane [0,0] D=12 != expected 13" in row.group(1)
    for name, n in (("total", 5), ("passed", 3), ("failed", 2), ("errors", 0)):
        assert re.search(rf'id="count-{name}">{n}<', dom), name
    assert "2 of 2 shown" not in dom and "5 of 5 shown" in dom  # the filter script ran


@pytest.mark.usefixtures("chromium")
def test_the_browser_takes_a_screenshot(tmp_path: Path) -> None:
    page, _ = write(tmp_path, mismatches(1) + [make_job(5)])
    png = browser.screenshot(page, tmp_path / "shot.png", width=800, height=600)
    data = png.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


# --------------------------------------------------------------------- what the summary says


def test_the_summary_shows_overrides_and_build_time(tmp_path: Path) -> None:
    run = json.loads(make_run(tmp_path / "r", [make_job(0)]).read_text())
    run["overrides"] = {"DEFINES": "LUT_TC_BUG_NO_NEGATE", "CONFIG": "M2N4"}
    run["builds"] = 3
    run["build_s"] = 95.5
    run["builds_detail"] = [
        {"name": "verilator M2N64FP batch", "seconds": 90.0, "error": None},
        {"name": "icarus M2N4 pins", "seconds": 4.5, "error": None},
        {"name": "icarus M2N4 batch", "seconds": 1.0, "error": None},
    ]
    (tmp_path / "r" / "run.json").write_text(json.dumps(run))
    html = write_report(tmp_path / "r" / "run.json", tmp_path / "out", tmp_path / "h").read_text()
    over = re.search(r'<td id="overrides">(.*?)</td>', html, re.S).group(1)
    assert "CONFIG=M2N4" in over and "DEFINES=LUT_TC_BUG_NO_NEGATE" in over
    assert "<h1>smoke" in html and 'class="override">DEFINES=LUT_TC_BUG_NO_NEGATE' in html
    build = re.search(r'<td id="build-time">(.*?)</td>', html, re.S).group(1)
    assert build.startswith("1:36") or "95.5 s" in build
    assert "in 3 builds" in build
    assert "verilator M2N64FP batch</code> 1:30" in build or "90.0 s" in build
    # a run.json from a runner that did not time its builds says so, not "-"
    html = write(tmp_path / "old", [make_job(0)])[1]
    assert "not recorded by the runner" not in html  # make_run records build_s
    plain = json.loads(make_run(tmp_path / "o2", [make_job(0)]).read_text())
    del plain["build_s"]
    (tmp_path / "o2" / "run.json").write_text(json.dumps(plain))
    html = write_report(tmp_path / "o2" / "run.json", tmp_path / "o2out", tmp_path / "h2")
    assert "not recorded by the runner" in html.read_text()


@pytest.mark.parametrize(
    ("jobs", "run_extra", "reason"),
    [
        ([], {}, "no jobs ran"),
        (
            [make_job(0) | {"env": {"LUT_TC_COV": "0"}}],
            {},
            "coverage was switched off for this run (LUT_TC_COV=0)",
        ),
        ([make_job(0)], {"cov_env": {"LUT_TC_COV": "0"}}, "switched off"),
        (
            [make_job(0) | {"defines": ["LUT_TC_BUG_NO_NEGATE"], "cov_expected": False}],
            {},
            "by design: every job ran a planted bug (LUT_TC_BUG_NO_NEGATE)",
        ),
        (
            [make_job(0) | {"cov_expected": False}],
            {},
            "every job is a test that passes by ending with the error it expects",
        ),
        (
            [make_job(0, "FAIL", "mismatch: x"), make_job(1, "ERROR", "DutHang: y")],
            {},
            "every job that would dump coverage (2) failed before the end of its run",
        ),
        ([make_job(0), make_job(1, "FAIL", "x")], {}, "2 job(s) should have dumped coverage"),
    ],
)
def test_an_empty_coverage_section_says_why(
    jobs: list[dict[str, Any]], run_extra: dict[str, Any], reason: str
) -> None:
    from flow.regress.report import coverage_gap

    assert reason in coverage_gap({"jobs": jobs, **run_extra})


def test_a_page_with_coverage_gives_no_reason_for_its_absence(tmp_path: Path) -> None:
    cov = {"configs": {"M2N64": {"bins": 10, "hit": 10, "excluded": 0, "holes": []}}}
    _, html = write(tmp_path, [make_job(0)], coverage=cov)
    assert 'id="coverage-gap"' not in html and "No coverage in this run" not in html


# --------------------------------------------------------------------- history per series


def test_history_is_per_series_a_planted_bug_run_is_not_the_suites(tmp_path: Path) -> None:
    hist, folder = tmp_path / "history", tmp_path / "runs"
    clean = json.loads(
        make_run(folder / "a", [make_job(0)], started="2026-12-01T10:00:00").read_text()
    )
    bug = json.loads(
        make_run(folder / "b", [make_job(0)], started="2026-12-01T11:00:00").read_text()
    )
    bug["overrides"] = {"DEFINES": "LUT_TC_BUG_NO_NEGATE"}
    one = json.loads(
        make_run(
            folder / "c", [make_job(0)], started="2026-12-01T12:00:00", suite="TEST=SmokeTest"
        ).read_text()
    )
    for r in (clean, bug, one):
        history.record(r, hist)
    entries = history.load(hist)
    assert [e["series"] for e in entries] == [
        "smoke",
        "smoke DEFINES=LUT_TC_BUG_NO_NEGATE",
        "TEST=SmokeTest",
    ]
    assert [e["series"] for e in history.of_series(entries, "smoke")] == ["smoke"]
    # the page of the clean suite: its own table has only its own run; the rest listed apart
    page = write_report(folder / "a" / "run.json", folder / "a" / "report", hist).read_text()
    own = re.search(r'<table id="history-table">(.*?)</table>', page, re.S).group(1)
    assert own.count("<tr") == 2  # header + the one smoke run
    assert "2026-12-01 10:00:00 UTC" in own and "11:00:00" not in own
    others = re.search(r'<table id="other-series">(.*?)</table>', page, re.S).group(1)
    assert "smoke DEFINES=LUT_TC_BUG_NO_NEGATE" in others and "TEST=SmokeTest" in others
    assert '<span id="series">smoke</span>' in page


# --------------------------------------------------------------------- files for people


def test_the_dashboard_and_history_follow_the_umask(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        page, _ = write(tmp_path, [make_job(0)])
    finally:
        os.umask(old)
    written = [page, *page.parent.glob("*.png"), *(tmp_path / "regress" / "history").glob("*")]
    assert len(written) == 4
    for f in written:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


# --------------------------------------------------------------------- the layout in a browser


def wide_jobs() -> list[dict[str, Any]]:
    """The widest rows a run has: long names, a core prefix, defines, env, long commands."""
    long_err = "mismatch: instruction 1 [lmma t0, int16, w3, acc=int32, tag=1] " + "x" * 300
    jobs = []
    for i in range(4):
        j = make_job(
            i,
            "FAIL" if i < 2 else "PASS",
            long_err if i < 2 else "",
            test="StreamBrokenPredictionTest",
            config="M2N64FP",
        )
        j["config"], j["core"] = "M2N64FP", "mac"
        j["sim"], j["transport"], j["seed"] = "verilator", "batch", 4_000_000_000 + i
        j["defines"] = ["LUT_TC_BUG_FP_SUBNORMAL_IN", "LUT_TC_BUG_SWAP_ENTRIES"]
        j["env"] = {"LUT_TC_SCALE": "8", "LUT_TC_EXPECT_DUT_BUG": "1"}
        args = (
            "LUT_TC_EXPECT_DUT_BUG=1 LUT_TC_SCALE=8 make regress TEST=StreamBrokenPredictionTest "
            f"SEED={j['seed']} SIM=verilator CONFIG=M2N64FP CORE=mac TRANSPORT=batch "
            "DEFINES=LUT_TC_BUG_FP_SUBNORMAL_IN,LUT_TC_BUG_SWAP_ENTRIES"
        )
        j["repro"], j["waves"] = args, args.replace("make regress", "make waves")
        jobs.append(j)
    return jobs


@pytest.mark.usefixtures("chromium")
@pytest.mark.parametrize("width", [1280, 1400])
def test_the_results_table_fits_the_window(tmp_path: Path, width: int) -> None:
    page, html = write(tmp_path, wide_jobs())
    got = browser.overflow(page, width=width, height=900)
    assert got["viewport"] == width and got["page"] <= width, got
    assert got["cut"] == [] and got["clipped"] == [], got  # cut only with an ellipsis
    # what is cut on screen is there in full on demand: the title, the whole command
    j = wide_jobs()[0]
    assert f'title="{j["test"]}"' in html and j["repro"] in html
    assert 'class="cmd repro" title="' in html


@pytest.mark.usefixtures("chromium")
def test_the_layout_check_sees_a_table_that_is_cut(tmp_path: Path) -> None:
    """The measuring itself can fail: a table wider than its scrolling box is reported."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html><body><div style="overflow-x:auto">'
        '<table id="t"><tr><td style="white-space:nowrap">' + "wide " * 400 + "</td></tr></table>"
        "</div></body></html>"
    )
    got = browser.overflow(page, width=1400)
    assert got["cut"] and got["cut"][0].startswith("t: ")
    # and a cell whose text is cut with nothing to say so
    page.write_text(
        '<!DOCTYPE html><html><body><table style="table-layout:fixed;width:100px">'
        '<tr><td style="overflow:hidden;white-space:nowrap">1234567890123456789012345</td>'
        "</tr></table></body></html>"
    )
    assert browser.overflow(page, width=1400)["clipped"] == ["1234567890123456789012345"]
