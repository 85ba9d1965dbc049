# SPDX-License-Identifier: Apache-2.0
"""Runs keep their results: a folder per run, ``latest``, ``RUN=`` for make report and make cov.

The real-run test runs two tiny regressions (M2N4, Icarus, one job each) into
a temporary root: the second, a repro of a planted bug, must leave the first
one's record, logs and dashboard as they were.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flow.regress import rundirs
from flow.regress.files import write_atomic
from flow.regress.jobs import ROOT, Job
from tests.needs import needs


def test_run_folders_are_named_readably_and_never_shared(tmp_path: Path) -> None:
    when = datetime(2026, 12, 6, 1, 15, 0, tzinfo=UTC)
    assert (
        rundirs.run_name("TEST=RandomStreamTest", when) == "TEST-RandomStreamTest-20261206-011500"
    )
    assert rundirs.run_name("crosscheck smoke", when) == "crosscheck-smoke-20261206-011500"
    a = rundirs.new_run_dir(tmp_path, "smoke", when)
    b = rundirs.new_run_dir(tmp_path, "smoke", when)  # the same second
    assert (a.name, b.name) == ("smoke-20261206-011500", "smoke-20261206-011500-2")
    rundirs.point_latest(a)
    rundirs.point_latest(b)
    latest = tmp_path / "latest"
    assert latest.is_symlink() and os.readlink(latest) == b.name  # relative: the tree can move


def test_a_run_is_found_by_latest_name_or_path_and_a_missing_one_in_one_line(
    tmp_path: Path,
) -> None:
    with pytest.raises(rundirs.RunNotFound, match="no run recorded under .* run make regress"):
        rundirs.resolve(None, tmp_path)
    old = rundirs.new_run_dir(tmp_path, "smoke")
    (old / "run.json").write_text("{}")
    new = rundirs.new_run_dir(tmp_path, "TEST=SmokeTest")
    (new / "run.json").write_text("{}")
    os.utime(old / "run.json", (1_000_000, 1_000_000))  # written long before the new one
    rundirs.point_latest(new)
    assert rundirs.resolve("latest", tmp_path) == tmp_path / "latest"
    assert rundirs.resolve(old.name, tmp_path) == old
    assert rundirs.resolve(str(old), tmp_path) == old
    assert rundirs.resolve(str(old / "run.json"), tmp_path) == old
    with pytest.raises(rundirs.RunNotFound, match=r"no run 'nope' under .*; the newest: ") as e:
        rundirs.resolve("nope", tmp_path)
    assert str(e.value).endswith(f"{new.name}, {old.name}")  # newest first, latest not twice
    with pytest.raises(rundirs.RunNotFound, match="no run recorded at /nowhere"):
        rundirs.resolve("/nowhere", tmp_path)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_files_for_people_follow_the_umask(tmp_path: Path, umask: int) -> None:
    """A dashboard is readable by whom the umask allows (mkstemp would make it 0600)."""
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "index.html", "<html></html>")
        write_atomic(tmp_path / "data.bin", b"\x00\x01")
    finally:
        os.umask(old)
    for name in ("index.html", "data.bin"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin", "index.html"]  # no temp


def _make(target: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-n", target, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_make_report_and_cov_take_the_latest_run_or_a_named_one() -> None:
    """The recipes pass RUN (default latest) on: report to the dashboard, cov as <run>/cov."""
    report = _make("report", "RUN=smoke-20261206-011500").stdout
    assert "-m flow.regress.report --run smoke-20261206-011500" in report
    assert "-m flow.regress.report --run latest" in _make("report").stdout
    cov = _make("cov", "RUN=x").stdout
    assert "-m flow.regress.rundirs x" in cov and "tools/covmerge.py $run/cov" in cov


def test_make_cov_with_no_such_run_answers_one_line(tmp_path: Path) -> None:
    p = subprocess.run(
        ["make", "--no-print-directory", "cov", "RUN=no-such-run-anywhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode != 0
    lines = [ln for ln in p.stderr.splitlines() if not re.match(r"make(\[\d+\])?: ", ln)]
    assert len(lines) == 1 and lines[0].startswith("no run 'no-such-run-anywhere'")
    assert "Traceback" not in p.stderr


@needs("icarus")
def test_a_repro_keeps_the_regression_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flow.regress import runner

    root = tmp_path / "regress"
    monkeypatch.setattr(runner, "RUNS", root)
    monkeypatch.chdir(tmp_path)  # printed paths are relative to here
    first = [Job("SmokeTest", 1, "icarus", "M2N4"), Job("SmokeTest", 2, "icarus", "M2N4")]
    assert runner.run_jobs("mini", first, 1, None, command="first") == 0
    out1 = capsys.readouterr().out
    (run1,) = [p for p in root.iterdir() if p.name.startswith("mini-")]
    assert f"results: {run1.relative_to(tmp_path)}" in out1
    assert os.readlink(root / "latest") == run1.name
    rec1 = (run1 / "run.json").read_text()
    page1 = (run1 / "report" / "index.html").read_text()
    logs1 = sorted(p.relative_to(run1) for p in (run1 / "runs").rglob("sim.log"))
    assert len(logs1) == 2 and len(list((run1 / "cov").glob("*.json"))) == 2

    bug = Job("SmokeTest", 1, "icarus", "M2N4", ("LUT_TC_BUG_NO_NEGATE",))
    over = {"DEFINES": "LUT_TC_BUG_NO_NEGATE"}
    assert runner.run_jobs("TEST=SmokeTest", [bug], 1, None, overrides=over) == 1
    out2 = capsys.readouterr().out
    assert out2.startswith("TEST=SmokeTest (DEFINES=LUT_TC_BUG_NO_NEGATE): 1 jobs, 1 builds")
    (run2,) = [p for p in root.iterdir() if p.name.startswith("TEST-SmokeTest-")]
    assert os.readlink(root / "latest") == run2.name
    # the first run is as it was: record, dashboard, logs, coverage
    assert (run1 / "run.json").read_text() == rec1
    assert (run1 / "report" / "index.html").read_text() == page1
    assert sorted(p.relative_to(run1) for p in (run1 / "runs").rglob("sim.log")) == logs1
    # the paths the repro printed are the real ones
    log = re.search(r"log: +(\S+)", out2).group(1)
    assert Path(log).is_file() and Path(log).is_relative_to(run2.relative_to(tmp_path))
    page = re.search(r"dashboard: (\S+)", out2).group(1)
    assert Path(page).resolve() == (run2 / "report" / "index.html").resolve()
    rec2 = json.loads((run2 / "run.json").read_text())
    assert rec2["overrides"] == over and rec2["builds"] == 1
    assert rec2["build_s"] is not None and rec2["builds_detail"][0]["name"] == (
        "icarus M2N4 pins LUT_TC_BUG_NO_NEGATE"
    )
    # one shared history, two series
    entries = json.loads("[" + ",".join(p.read_text() for p in (root / "history").glob("*")) + "]")
    assert sorted(e["series"] for e in entries) == [
        "TEST=SmokeTest DEFINES=LUT_TC_BUG_NO_NEGATE",
        "mini",
    ]
    html = (run2 / "report" / "index.html").read_text()
    assert "DEFINES=LUT_TC_BUG_NO_NEGATE" in html and "every job ran a planted bug" in html


def test_a_run_the_engine_refuses_leaves_no_empty_folder(tmp_path: Path) -> None:
    from flow.regress import engine, runner

    made, given = tmp_path / "made", tmp_path / "given"
    for d, own in ((made, True), (given, False)):
        d.mkdir()
        with pytest.raises(engine.EngineError), runner._removed_if_refused(d, own):
            raise engine.EngineError("scheduler='tcp://x:1': cannot connect")
    assert not made.exists() and given.is_dir()  # a folder the user named is never removed


@needs("icarus", "verilator")
def test_each_crosscheck_keeps_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tools import crosscheck

    root = tmp_path / "crosscheck"
    monkeypatch.setattr(crosscheck, "OUT", root)
    suite = tmp_path / "tiny.toml"
    suite.write_text('configs = ["M2N4"]\ntransports = ["pins"]\n[[tests]]\nname = "SmokeTest"\n')
    assert crosscheck.main(["--suite", str(suite), "--jobs", "2"]) == 0
    assert "1 of 1 jobs identical on both simulators" in capsys.readouterr().out
    (run,) = [p for p in root.iterdir() if p.name.startswith("crosscheck-")]
    assert os.readlink(root / "latest") == run.name
    assert (run / "report" / "index.html").is_file() and (root / "history").is_dir()
