# SPDX-License-Identifier: Apache-2.0
"""Code coverage on a real Verilator run, checked the way a user meets it.

One small coverage run (M2N4, pins, two seeds of ``SmokeTest``: a test that
sends only legal instructions to valid table registers) is shared by the tests
here: its merged figures per module and metric, the hole it must show (the
decoder's out-of-range table register arm), its dashboard read back and
rendered in headless Chromium, a stale waiver failing the report, and the
coverage build beside the default one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flow import simrun
from flow.build import build_name_for
from flow.codecov.flags import BUILD_ARGS
from flow.regress import browser
from models.config import config_by_name
from tests.needs import needs

ROOT = Path(__file__).resolve().parents[2]
DECODE = "rtl/lut_tc_decode.sv"
#: The decoder's ``else if (treg_range)`` arm: its line point starts there and spans its body.
TREG_LINE = next(
    i
    for i, t in enumerate((ROOT / DECODE).read_text().splitlines(), 1)
    if "else if (treg_range)" in t
)
SUITE = """sims = ["verilator"]
configs = ["M2N4"]
transports = ["pins"]
coverage = true
[[tests]]
name = "SmokeTest"
reseed = 2
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coverage run every test here reads (built once, about a minute on one core)."""
    tmp = tmp_path_factory.mktemp("codecov")
    (tmp / "smoke_cov.toml").write_text(SUITE)
    out = tmp / "run"
    cmd = [sys.executable, "tools/regress.py", "--suite", str(tmp / "smoke_cov.toml")]
    cmd += ["--jobs", "1", "--out", str(out)]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "code coverage lut_tc-M2N4: line " in p.stdout
    return out


def _panel(run: Path) -> dict:
    return json.loads((run / "signoff" / "codecov.json").read_text())


def test_every_process_keeps_its_own_counts_and_the_merge_has_every_metric(run: Path) -> None:
    sides = [json.loads(f.read_text()) for f in (run / "codecov" / "dat").glob("*.json")]
    jobs = [j["job_id"] for j in json.loads((run / "run.json").read_text())["jobs"]]
    assert sorted(j for s in sides for j in s["jobs"]) == sorted(jobs)
    assert len({s["dat"] for s in sides}) == len(sides) and all(s["dat"] for s in sides)
    (g,) = _panel(run)["groups"]
    assert (g["core"], g["config"], g["jobs"]) == ("lut_tc", "M2N4", 2)
    for metric in ("line", "branch", "toggle", "expr"):
        t = g["totals"][metric]
        assert t["points"] > 0 and 0 < t["hit"] <= t["points"], metric
    modules = {m["module"] for m in g["modules"]}
    assert {"lut_tensor_core", "lut_tc_decode", "lut_unit", "lut_table_gen"} <= modules
    assert all(m["file"].startswith("rtl/") for m in g["modules"])  # the harness is not counted


def test_an_arm_the_suite_cannot_reach_is_a_hole_one_click_away(run: Path) -> None:
    (g,) = _panel(run)["groups"]
    holes = {(h["file"], h["line"], h["metric"]) for h in g["holes"]}
    assert (DECODE, TREG_LINE, "line") in holes  # SmokeTest names no table register >= T
    page = (run / "codecov" / "html" / "lut_tc-M2N4" / "lut_tc_decode.sv.html").read_text()
    for line in (TREG_LINE, TREG_LINE + 1):  # the arm and its body
        assert f'<tr id="L{line}" class="miss">' in page


@needs("chromium")
def test_the_dashboard_shows_the_signoff_section(run: Path) -> None:
    page = run / "report" / "index.html"
    html = page.read_text()
    assert 'id="codecov-totals"' in html and "lut_tc_decode" in html
    link = f"../codecov/html/lut_tc-M2N4/lut_tc_decode.sv.html#L{TREG_LINE}"
    assert f'href="{link}"' in html
    dom = browser.render_dom(page)
    assert 'id="signoff-codecov"' in dom and 'id="codecov-totals"' in dom


def test_a_stale_waiver_fails_the_report_with_one_line(run: Path, tmp_path: Path) -> None:
    stale = tmp_path / "w.toml"
    stale.write_text(
        f'[[waiver]]\nfile = "{DECODE}"\nlines = "1"\nmetric = "line"\nreason = "stale"\n'
    )
    cmd = [sys.executable, "-m", "flow.codecov.report", "--run", str(run), "--waivers", str(stale)]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 1
    bad = [ln for ln in p.stdout.splitlines() if "waiver #1" in ln]
    assert len(bad) == 1 and "matches no coverage point" in bad[0] and "Traceback" not in p.stderr
    ok = subprocess.run(cmd[:-2], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr  # the shipped waivers hold


def test_the_coverage_build_leaves_the_default_build_alone(run: Path) -> None:
    cfg = config_by_name("M2N4")
    name = build_name_for("pins", cfg)
    cov = simrun.build_dir_for("verilator", name, coverage=True)
    stamp = json.loads((cov / simrun.STAMP).read_text())
    assert set(BUILD_ARGS) <= set(stamp["flags"])
    default = simrun.build_target(
        "verilator", "lut_tensor_core", name, parameters=cfg.rtl_parameters()
    )
    assert default.path != cov and not set(BUILD_ARGS) & set(
        json.loads((default.path / simrun.STAMP).read_text())["flags"]
    )
    again = simrun.build_target(
        "verilator", "lut_tensor_core", name, parameters=cfg.rtl_parameters()
    )
    assert not again.built and again.digest == default.digest != stamp["digest"]
