"""The regression runner: suite expansion, and a failing run is reported with its repro."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tb import simrun
from tools import regress

ROOT = Path(__file__).resolve().parents[2]


def test_expand_is_deterministic_and_seed_overrides() -> None:
    suite = {
        "seed": 5,
        "tests": [
            {"name": "SmokeTest", "reseed": 3},
            {"name": "GemmInt4Test", "configs": ["M2N4"]},
        ],
    }
    jobs = regress.expand(suite, None, None)
    assert jobs == regress.expand(suite, None, None)
    assert [j.test for j in jobs] == ["SmokeTest"] * 3 + ["GemmInt4Test"]
    assert len({j.seed for j in jobs if j.test == "SmokeTest"}) == 3
    assert jobs[-1].config == "M2N4" and jobs[0].config == "M2N64" and jobs[0].sim == "icarus"
    assert {j.transport for j in jobs} == {"pins"}  # the default when a suite names none
    fixed = regress.expand(suite, ["verilator"], 42)
    assert [(j.test, j.seed, j.sim) for j in fixed] == [
        ("SmokeTest", 42, "verilator"),
        ("GemmInt4Test", 42, "verilator"),
    ]


def test_transports_come_from_suite_data_and_tests_refuse_theirs() -> None:
    suite = {
        "transports": ["pins", "batch"],
        "tests": [
            {"name": "SmokeTest"},
            {"name": "ResetInFlightTest"},  # pins only
            {"name": "StreamBadBatchFileTest"},  # batch only
            {"name": "StreamRandomTest", "transports": ["batch"]},
        ],
    }
    got = [(j.test, j.transport) for j in regress.expand(suite, None, None)]
    assert got == [
        ("SmokeTest", "pins"),
        ("SmokeTest", "batch"),
        ("ResetInFlightTest", "pins"),
        ("StreamBadBatchFileTest", "batch"),
        ("StreamRandomTest", "batch"),
    ]
    only_pins = regress.expand(suite, None, None, ["pins"])
    assert {j.transport for j in only_pins} == {"pins"}
    assert regress.refusal("ResetInFlightTest", "batch").startswith(
        "ResetInFlightTest runs on transport pins only"
    )
    assert regress.refusal("SmokeTest", "batch") is None


def test_defines_and_transports_separate_builds_and_job_ids() -> None:
    plain = regress.Job("SmokeTest", 1, "icarus", "M2N4")
    bug = regress.Job("SmokeTest", 1, "icarus", "M2N4", ("LUT_TC_BUG_NO_NEGATE",))
    batch = regress.Job("SmokeTest", 1, "icarus", "M2N4", transport="batch")
    assert plain.build_name != bug.build_name and plain.job_id != bug.job_id
    assert plain.build_key != batch.build_key and plain.job_id != batch.job_id
    assert bug.repro().endswith("TRANSPORT=pins DEFINES=LUT_TC_BUG_NO_NEGATE")
    assert "TRANSPORT=batch" in batch.repro()


def test_bad_names_answer_with_one_line() -> None:
    with pytest.raises(SystemExit, match="suite='nope'"):
        regress.load_suite("nope")
    with pytest.raises(SystemExit, match="config='M9'"):
        regress.expand({"tests": [{"name": "SmokeTest", "configs": ["M9"]}]}, None, None)
    with pytest.raises(SystemExit, match="FpSmokeTest: config='M2N4': .* builds FP formats"):
        regress.expand({"tests": [{"name": "FpSmokeTest", "configs": ["M2N4"]}]}, None, None)
    assert regress.config_refusal("FpSmokeTest", "M2N4FP") is None
    assert "M2N64FP" in regress.config_refusal("FpRandomStreamTest", "M2N64")
    with pytest.raises(SystemExit, match="test='Nope' unknown; choose one of"):
        regress.expand({"tests": [{"name": "Nope"}]}, None, None)
    with pytest.raises(SystemExit, match="transport='wires' unknown; choose one of pins, batch"):
        regress.expand({"transports": ["wires"], "tests": [{"name": "SmokeTest"}]}, None, None)
    p = subprocess.run(
        [sys.executable, "tools/regress.py", "--test", "ResetInFlightTest", "--transport", "batch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith("refused: ResetInFlightTest runs on transport pins only")


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
    assert "FAILED SmokeTest seed=3 sim=icarus transport=pins config=M2N4" in p.stdout
    assert (
        "reproduce:  make waves TEST=SmokeTest SEED=3 SIM=icarus CONFIG=M2N4 TRANSPORT=pins "
        "DEFINES=LUT_TC_BUG_NO_NEGATE" in p.stdout
    )
    assert (tmp_path / "out" / "junit.xml").exists()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('sim = ["verilator"]\n[[tests]]\nname = "SmokeTest"\n', r"key 'sim' unknown; choose"),
        ('[[tests]]\nname = "SmokeTest"\nreseeds = 3\n', r"#1: key 'reseeds' unknown"),
        ("[[tests]]\nreseed = 3\n", r"#1: needs a name"),
        ('[[tests]]\nname = "SmokTest"\n', r"name='SmokTest' is no registered test; choose"),
        ('[[tests]]\nname = "SmokeTest"\nconfigs = ["M9"]\n', r"configs: 'M9' unknown"),
        ('[[tests]]\nname = "SmokeTest"\nsims = ["xsim"]\n', r"sims: 'xsim' unknown"),
        ('[[tests]]\nname = "SmokeTest"\ndefines = ["BUG"]\n', r"defines: 'BUG' unknown"),
        ('seed = "x"\n[[tests]]\nname = "SmokeTest"\n', r"seed='x' must be an integer"),
        ('[[tests]]\nname = "SmokeTest"\nreseed = 0\n', r"reseed=0 must be >= 1"),
        ('[[tests]]\nname = "SmokeTest"\nenv = { A = 1 }\n', r"env A=1 must be a string"),
        ('description = "no tests"\n', r"no \[\[tests\]\] entries"),
        ('[[tests]\nname = "SmokeTest"\n', r"not valid TOML"),
    ],
)
def test_a_bad_suite_file_is_refused_with_one_line(tmp_path, text: str, match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SystemExit, match=r"^bad\.toml") as exc:
        regress.load_suite(str(path))
    msg = str(exc.value)
    assert "\n" not in msg, msg
    assert re.search(match, msg), msg


def test_every_shipped_suite_passes_validation() -> None:
    for name in ("smoke", "nightly", "full"):
        suite = regress.load_suite(name)
        assert suite["tests"], name
