"""The regression runner: suite expansion, and a failing run is reported with its repro."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tb import simrun
from tools import regress

ROOT = Path(__file__).resolve().parents[2]


def test_expand_is_deterministic_and_seed_overrides() -> None:
    suite = {"seed": 5, "tests": [{"name": "A", "reseed": 3}, {"name": "B", "configs": ["M2N4"]}]}
    jobs = regress.expand(suite, None, None)
    assert jobs == regress.expand(suite, None, None)
    assert [j.test for j in jobs] == ["A", "A", "A", "B"]
    assert len({j.seed for j in jobs if j.test == "A"}) == 3
    assert jobs[-1].config == "M2N4" and jobs[0].config == "M2N64" and jobs[0].sim == "icarus"
    fixed = regress.expand(suite, ["verilator"], 42)
    assert [(j.test, j.seed, j.sim) for j in fixed] == [
        ("A", 42, "verilator"),
        ("B", 42, "verilator"),
    ]


def test_defines_separate_builds_and_job_ids() -> None:
    plain = regress.Job("T", 1, "icarus", "M2N4")
    bug = regress.Job("T", 1, "icarus", "M2N4", ("LUT_TC_BUG_NO_NEGATE",))
    assert plain.build_name != bug.build_name and plain.job_id != bug.job_id
    assert bug.repro().endswith("DEFINES=LUT_TC_BUG_NO_NEGATE")


def test_unknown_suite_and_config_name_the_field() -> None:
    with pytest.raises(SystemExit, match="suite='nope'"):
        regress.load_suite("nope")
    with pytest.raises(ValueError, match="config='M9'"):
        regress.expand({"tests": [{"name": "A", "configs": ["M9"]}]}, None, None)


@pytest.mark.skipif(not simrun.have_sim("icarus"), reason="icarus missing")
def test_failing_run_prints_test_seed_and_repro(tmp_path: Path) -> None:
    """A planted DUT bug must fail the run, exit 1, and name the repro command."""
    suite = tmp_path / "neg.toml"
    suite.write_text(
        'configs = ["M2N4"]\nsims = ["icarus"]\n'
        '[[tests]]\nname = "SmokeTest"\n'
        '[[tests]]\nname = "SmokeTest"\ndefines = ["LUT_TC_BUG_NO_NEGATE"]\n'
    )
    cmd = [
        sys.executable,
        "tools/regress.py",
        "--suite",
        str(suite),
        "--seed",
        "3",
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "out"),
    ]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "1 passed, 1 failed" in p.stdout
    assert "FAILED SmokeTest seed=3 sim=icarus config=M2N4" in p.stdout
    assert (
        "reproduce:  make waves TEST=SmokeTest SEED=3 SIM=icarus CONFIG=M2N4 "
        "DEFINES=LUT_TC_BUG_NO_NEGATE" in p.stdout
    )
    assert (tmp_path / "out" / "junit.xml").exists()
