# SPDX-License-Identifier: Apache-2.0
"""Every variable the README documents for ``make regress`` takes effect, with a suite and with
one test, or is refused with one line: none is dropped on the way from the Makefile to the jobs.

Each case goes through the Makefile (``make -n``: the command it would run) and then through
``tools/regress.py`` itself with that command's arguments (``--list``: the jobs, no simulator);
the listed jobs must change as the variable says. A few run ``make list`` for real, and one
real run with a planted bug must fail and say which override it ran with.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.needs import needs
from tools import regress

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BUG = "LUT_TC_BUG_NO_NEGATE"


@pytest.fixture(autouse=True)
def _no_knobs_from_outside(monkeypatch) -> None:
    """A ``LUT_TC_*`` knob in the caller's environment is an override too: none here."""
    for k in [k for k in os.environ if k.startswith("LUT_TC_")]:
        monkeypatch.delenv(k)


def readme_variables() -> set[str]:
    """The variables the README gives ``make regress`` (its table row and its examples)."""
    names: set[str] = set()
    lines = README.read_text().splitlines()
    for i, line in enumerate(lines):
        if "make regress" not in line:
            continue
        text = line.split("make regress", 1)[1]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):  # a continued command
            i += 1
            text += lines[i]
        names |= set(re.findall(r"\b([A-Z][A-Z_]+)=", text))
    return names


def make_argv(target: str, *assignments: str) -> list[str]:
    """The arguments the Makefile's ``target`` recipe gives tools/regress.py (``make -n``)."""
    p = subprocess.run(
        ["make", "-n", target, *assignments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    text = p.stdout.replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if "tools/regress.py" in ln)
    argv = shlex.split(line)
    return argv[argv.index("tools/regress.py") + 1 :]


def listed(capsys, *assignments: str) -> tuple[int, list[dict], str]:
    """(exit code, the jobs ``make list`` with these variables gives, what it said beside them).

    The Makefile's command is run in this process (``tools/regress.main``), so a
    case costs no simulator and no interpreter start.
    """
    capsys.readouterr()
    rc = regress.main(make_argv("list", *assignments))
    out, err = capsys.readouterr()
    jobs = []
    for line in out.splitlines():
        job_id, repro = line.split("  ", 1)
        words = shlex.split(repro)
        i = words.index("make")
        var = dict(w.split("=", 1) for w in words[i + 2 :])
        jobs.append({"id": job_id, "env": dict(w.split("=", 1) for w in words[:i]), **var})
    return rc, jobs, err


def _seeds(jobs: list[dict]) -> list[int]:
    return [int(j["SEED"]) for j in jobs]


# --- what each variable must do to the listed jobs, with a suite and with one test ------------

SUITE = ("SUITE=cores",)  # small: 25 jobs, Verilator, M2N4, two cores, both transports
TEST = ("TEST=RandomStreamTest",)  # one job: icarus, pins, M2N64, lut_tc, seed 1


def _every(key: str, value: str):
    return lambda base, jobs: bool(jobs) and all(j.get(key) == value for j in jobs)


def _doubled(key: str, values: set[str]):
    return lambda base, jobs: {j.get(key) for j in jobs} == values and len(jobs) > len(base)


JOB_VARIABLES = {
    # variable: [(mode, assignment, check(base jobs, jobs)), ...]
    "SIM": [
        (SUITE, "SIM=icarus", _every("SIM", "icarus")),
        (TEST, "SIM=verilator", _every("SIM", "verilator")),
        (TEST, "SIM=all", _doubled("SIM", {"icarus", "verilator"})),
        (SUITE, "SIM=icarus,verilator", _doubled("SIM", {"icarus", "verilator"})),
    ],
    "TRANSPORT": [
        (SUITE, "TRANSPORT=pins", _every("TRANSPORT", "pins")),
        (TEST, "TRANSPORT=batch", _every("TRANSPORT", "batch")),
        (TEST, "TRANSPORT=all", _doubled("TRANSPORT", {"pins", "batch"})),
        (("SUITE=crosscheck",), "TRANSPORT=all", lambda b, j: len(j) > len(b)),
    ],
    "CONFIG": [
        (SUITE, "CONFIG=M4N16", _every("CONFIG", "M4N16")),
        (TEST, "CONFIG=M2N4", _every("CONFIG", "M2N4")),
        (TEST, "CONFIG=M2N4,M4N16", _doubled("CONFIG", {"M2N4", "M4N16"})),
    ],
    "CORE": [
        (SUITE, "CORE=mac", lambda b, j: {x.get("CORE") for x in j} == {"mac"}),
        (TEST, "CORE=lut_conv", _every("CORE", "lut_conv")),
        (TEST, "CORE=all", lambda b, j: {x.get("CORE") for x in j} == {None, "lut_conv", "mac"}),
    ],
    "DEFINES": [
        (SUITE, f"DEFINES={BUG}", lambda b, j: all(BUG in x["DEFINES"].split(",") for x in j)),
        (TEST, f"DEFINES={BUG}", _every("DEFINES", BUG)),
        (
            TEST,
            f"DEFINES={BUG},LUT_TC_BUG_SWAP_ENTRIES",
            _every("DEFINES", f"{BUG},LUT_TC_BUG_SWAP_ENTRIES"),
        ),
    ],
    "SEED": [
        (SUITE, "SEED=77", lambda b, j: set(_seeds(j)) == {77}),
        (TEST, "SEED=77", lambda b, j: _seeds(j) == [77]),
    ],
    "SEEDS": [
        (SUITE, "SEEDS=2", lambda b, j: len(j) == 2 * len(b)),
        (TEST, "SEEDS=3", lambda b, j: _seeds(j) == [1, 2, 3]),
    ],
    "COVERAGE": [
        (
            SUITE,
            "COVERAGE=1",
            lambda b, j: (
                len(j) == len(b)
                and all(x.get("COVERAGE") == ("1" if "DEFINES" not in x else None) for x in j)
            ),
        ),
        (
            TEST,
            "COVERAGE=1",
            lambda b, j: [(x["SIM"], x["COVERAGE"]) for x in j] == [("verilator", "1")],
        ),
        (
            ("SUITE=codecov",),
            "COVERAGE=0",
            lambda b, j: len(j) == len(b) and not any("COVERAGE" in x for x in j),
        ),
    ],
    "SUITE": [
        ((), "SUITE=crosscheck", lambda b, j: {x["TEST"] for x in j} >= {"ResetInFlightTest"})
    ],
    "TEST": [((), "TEST=SmokeTest", lambda b, j: [x["TEST"] for x in j] == ["SmokeTest"])],
}

#: Variables that shape how the jobs run, not which: the option they become, and its value.
RUN_VARIABLES = {
    "JOBS": ("JOBS=3", "jobs", "3"),
    "OUT": ("OUT=/tmp/somewhere", "out", Path("/tmp/somewhere")),
    "LIST": ("LIST=1", "list", True),
    "SCHEDULER": ("SCHEDULER=tcp://head:8786", "scheduler", "tcp://head:8786"),
    "CLUSTER": ("CLUSTER=slurm", "cluster", "slurm"),
    "QUEUE": ("QUEUE=short", "queue", "short"),
    "WORKERS": ("WORKERS=8", "workers", "8"),
    "REGRESS_ARGS": ("REGRESS_ARGS=--timeout 99", "timeout", "99"),
}


def test_every_variable_the_readme_documents_is_checked_here() -> None:
    documented = readme_variables()
    assert {"SUITE", "TEST", "DEFINES", "CONFIG", "SIM", "SEEDS"} <= documented  # parsed at all
    unchecked = documented - set(JOB_VARIABLES) - set(RUN_VARIABLES)
    assert not unchecked, f"README documents {sorted(unchecked)} for make regress; check them here"


CASES = [
    pytest.param(mode, assignment, check, id=f"{'+'.join(mode) or 'default'}:{assignment}")
    for cases in JOB_VARIABLES.values()
    for mode, assignment, check in cases
]


@pytest.mark.parametrize(("mode", "assignment", "check"), CASES)
def test_a_variable_changes_the_jobs_as_it_says(capsys, mode, assignment, check) -> None:
    rc0, base, _ = listed(capsys, *mode)
    rc, jobs, said = listed(capsys, *mode, assignment)
    assert rc0 == 0 and rc == 0, said
    assert jobs != base, f"{assignment} did not change the jobs of {mode}"
    assert check(base, jobs), (assignment, jobs[:3])
    name, value = assignment.split("=", 1)
    if name not in ("SUITE", "TEST"):  # the first line names every override
        assert f"{name}={value}" in said.splitlines()[-1], said


@pytest.mark.parametrize("name", sorted(RUN_VARIABLES))
def test_a_run_variable_reaches_the_runner(name: str) -> None:
    assignment, option, value = RUN_VARIABLES[name]
    for mode in (SUITE, TEST):
        argv = make_argv("regress", *mode, assignment)
        assert getattr(regress._args(argv), option) == value, (mode, argv)


BAD = [
    ("SIM=xsim", "sim='xsim' unknown; choose one of icarus, verilator"),
    ("TRANSPORT=wires", "transport='wires' unknown; choose one of pins, batch"),
    ("CONFIG=M9", "config='M9' unknown; choose one of"),
    ("CORE=z80", "core='z80' unknown; choose one of lut_tc, lut_conv, mac"),
    ("DEFINES=LUT_TC_BUG_NONE", "define='LUT_TC_BUG_NONE' unknown; choose one of"),
    ("SEED=abc", "SEED='abc' is not an integer"),
    ("SEEDS=0", "SEEDS=0 must be >= 1"),
]


@pytest.mark.parametrize(("assignment", "line"), BAD)
@pytest.mark.parametrize("mode", [SUITE, TEST], ids=["suite", "test"])
def test_a_bad_value_is_refused_with_one_line_in_both_modes(
    capsys, mode, assignment: str, line: str
) -> None:
    capsys.readouterr()
    assert regress.main(make_argv("list", *mode, assignment)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [err.strip()] and line in err, err


def test_a_suite_and_a_test_together_are_refused(capsys) -> None:
    assert regress.main(make_argv("list", "SUITE=smoke", "TEST=SmokeTest")) == 2
    assert capsys.readouterr().err.strip() == (
        "SUITE=smoke and TEST=SmokeTest: give one (a suite, or one test)"
    )


def test_what_an_override_makes_impossible_is_left_out_with_one_line(capsys) -> None:
    rc, jobs, said = listed(capsys, "SUITE=smoke", "CONFIG=M2N4")
    assert rc == 0 and {j["CONFIG"] for j in jobs} == {"M2N4"}
    assert not any(j["TEST"].startswith("Fp") for j in jobs)
    assert said.splitlines()[0].startswith(
        "left out on config M2N4: 13 jobs of FpBrokenDutTest, FpRandomStreamTest, FpSmokeTest"
    )
    # a planted bug in an FP block: only where the configuration builds one
    rc, jobs, said = listed(capsys, "SUITE=smoke", "DEFINES=LUT_TC_BUG_FP_RTZ")
    assert rc == 0 and {j["CONFIG"] for j in jobs} == {"M2N4FP", "M2N64FP", "M2N4H"}
    assert "left out on config M2N64: 28 jobs with LUT_TC_BUG_FP_RTZ" in said
    # a transport the command line names, where a test does not run
    rc, jobs, said = listed(capsys, "SUITE=smoke", "TRANSPORT=batch")
    assert "left out on transport batch: 2 jobs of BrokenDriverTest, ResetInFlightTest" in said
    # one test over several combinations: those it refuses are left out, said once each
    rc, jobs, said = listed(capsys, "TEST=ResetInFlightTest", "TRANSPORT=all", "CORE=mac")
    assert [(j["TRANSPORT"], j["CORE"]) for j in jobs] == [("pins", "mac")]
    assert said.splitlines()[0].startswith("left out: 1 job: ResetInFlightTest runs on transport")
    # nothing left: refused, one line, naming the overrides
    assert regress.main(make_argv("list", "SUITE=cores", "CONFIG=M2N64FP", "CORE=lut_conv")) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.startswith(
            "refused: suite cores (CONFIG=M2N64FP CORE=lut_conv): nothing left to run: left out on "
            "core lut_conv"
        )
        and "\n" not in err
    )
    assert regress.main(make_argv("list", "TEST=ResetInFlightTest", "TRANSPORT=batch")) == 2
    assert capsys.readouterr().err.startswith("refused: ResetInFlightTest runs on transport pins")


def test_an_override_that_makes_two_entries_alike_keeps_one(capsys) -> None:
    """nightly runs StreamRandomTest on batch (scale 5) and on pins (M2N4): TRANSPORT=batch
    makes one of their jobs the same; the first entry's is kept, and said."""
    rc, jobs, said = listed(capsys, "SUITE=nightly", "TRANSPORT=batch")
    assert rc == 0 and len({j["id"] for j in jobs}) == len(jobs)
    assert (
        "left out: 2 jobs of StreamRandomTest (another [[tests]] entry gives the same job" in said
    )


def test_make_list_and_list_1_print_the_jobs_with_their_repro_commands() -> None:
    """For real through make: an environment knob, a define and a seed in every listed repro."""
    env_cmd = ["env", "LUT_TC_SCALE=2", "make", "--no-print-directory"]
    p = subprocess.run(
        [*env_cmd, "list", "SUITE=smoke", f"DEFINES={BUG}", "SEED=9", "CONFIG=M2N4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 28
    for line in lines:
        job_id, repro = line.split("  ", 1)
        assert f"M2N4_{BUG}" in job_id or f"_{BUG}-" in job_id, job_id
        assert repro.startswith("LUT_TC_") and "LUT_TC_SCALE=2 " in repro
        assert " SEED=9 " in repro and BUG in repro and " CONFIG=M2N4 " in repro
    assert p.stderr.strip().splitlines()[-1] == (
        f"smoke (CONFIG=M2N4 DEFINES={BUG} LUT_TC_SCALE=2 SEED=9): 28 jobs"
    )
    q = subprocess.run(
        [*env_cmd, "regress", "LIST=1", "SUITE=smoke", f"DEFINES={BUG}", "SEED=9", "CONFIG=M2N4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert q.returncode == 0 and q.stdout == p.stdout, q.stderr


@needs("icarus")
def test_a_suite_with_a_planted_bug_fails_and_says_so(tmp_path: Path) -> None:
    """The define reaches every job: the clean tests fail, the run says which override it ran."""
    out = tmp_path / "run"
    cmd = ["make", "--no-print-directory", "regress", "SUITE=smoke", f"DEFINES={BUG}"]
    cmd += ["SIM=icarus", "CONFIG=M2N4", "TRANSPORT=batch", "JOBS=2", f"OUT={out}"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert p.returncode != 0, p.stdout[-3000:] + p.stderr[-3000:]
    first = next(ln for ln in p.stdout.splitlines() if " jobs, " in ln)
    assert first.startswith(
        f"smoke (CONFIG=M2N4 DEFINES={BUG} SIM=icarus TRANSPORT=batch): 15 jobs"
    )
    assert re.search(r"^\d+ passed, [1-9]\d* failed$", p.stdout, re.M), p.stdout[-2000:]
    assert "FAILED SmokeTest seed=1940851487 sim=icarus transport=batch config=M2N4" in p.stdout
    assert (
        "reproduce:  make regress TEST=SmokeTest SEED=1940851487 SIM=icarus CONFIG=M2N4 "
        f"TRANSPORT=batch DEFINES={BUG}"
    ) in p.stdout
    record = json.loads((out / "run.json").read_text())
    assert record["overrides"] == {
        "CONFIG": "M2N4",
        "DEFINES": BUG,
        "SIM": "icarus",
        "TRANSPORT": "batch",
    }
    assert record["jobs"] and all(BUG in j["defines"] for j in record["jobs"])
    verdicts = {j["test"]: j["result"] for j in record["jobs"]}
    assert verdicts["SmokeTest"] == "FAIL" and verdicts["BrokenDutTest"] == "PASS"
    page = lxml.html.parse(str(out / "report" / "index.html"))  # the dashboard says it too
    assert page.xpath('string(//*[@id="verdict"])') == "FAIL"
    assert f"DEFINES={BUG}" in page.xpath('string(//*[@id="overrides"])')


def test_waves_refuses_a_command_that_is_not_one_job(capsys) -> None:
    assert regress.main(["--waves", "--suite", "smoke"]) == 2
    assert capsys.readouterr().err.startswith("make waves needs TEST=<test>")
    assert regress.main(["--waves", "--test", "SmokeTest", "--seeds", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "make waves reruns one job: give SEED=<n>, not SEEDS=2"
    assert regress.main(["--waves", "--test", "SmokeTest", "--sim", "all"]) == 2
    assert capsys.readouterr().err.strip() == (
        "--waves reruns one job; TEST=SmokeTest (SIM=all) gives 2: "
        "name one simulator, transport, configuration, core and seed"
    )


def test_make_help_names_every_suite_file_and_how_to_list_jobs(tmp_path: Path) -> None:
    """Read from regressions/*.toml: a new suite file is named without editing the Makefile."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "regressions", tmp_path / "regressions")
    (tmp_path / "regressions" / "mine.toml").write_text('[[tests]]\nname = "SmokeTest"\n')
    for where, extra in ((ROOT, []), (tmp_path, ["mine"])):
        p = subprocess.run(["make", "-s", "help"], cwd=where, capture_output=True, text=True)
        line = next(ln for ln in p.stdout.splitlines() if ln.strip().startswith("suites"))
        assert line.split(": ", 1)[1].split() == sorted(regress.suite_names() + extra)
        assert "make list" in p.stdout and "tools/regress.py --suite ... --list" in p.stdout


def test_a_forced_one_format_configuration_leaves_out_what_it_cannot_run(capsys) -> None:
    """CONFIG=M2N4I8 on the nightly: a test needing a format the instance lacks is said."""
    rc, jobs, said = listed(capsys, "SUITE=nightly", "CONFIG=M2N4I8", "CORE=all")
    assert rc == 0 and jobs and {j["CONFIG"] for j in jobs} == {"M2N4I8"}
    assert not any(j["TEST"] in ("GemmInt4Test", "FpSmokeTest") for j in jobs)
    assert "GemmTernaryTest" in {j["TEST"] for j in jobs}
    line = next(ln for ln in said.splitlines() if "GemmInt4Test" in ln)
    assert line.startswith("left out on config M2N4I8: ") and "of GemmInt4Test (" in line
    assert line.endswith("(tests whose stimulus names a format the configuration does not build)")
