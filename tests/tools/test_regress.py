# SPDX-License-Identifier: Apache-2.0
"""The regression runner: suite expansion, and a failing run is reported with its repro."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from flow.covdb import summary
from flow.covdb.runs import collect
from flow.regress.jobs import SuiteError
from tests.needs import needs, require
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
    assert [j.test for j in jobs] == ["SmokeTest"] * 6 + ["GemmInt4Test"] * 2
    assert len({j.seed for j in jobs if j.test == "SmokeTest"}) == 3
    assert jobs[-1].config == "M2N4" and jobs[0].config == "M2N64" and jobs[0].sim == "icarus"
    # a suite that names no transport runs each test on every transport it accepts
    assert [j.transport for j in jobs if j.test == "GemmInt4Test"] == ["pins", "batch"]
    fixed = regress.expand(suite, ["verilator"], 42)
    assert [(j.test, j.seed, j.sim, j.transport) for j in fixed] == [
        ("SmokeTest", 42, "verilator", "pins"),
        ("SmokeTest", 42, "verilator", "batch"),
        ("GemmInt4Test", 42, "verilator", "pins"),
        ("GemmInt4Test", 42, "verilator", "batch"),
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
    assert bug.repro().startswith("make regress TEST=SmokeTest SEED=1 ")
    assert bug.waves() == bug.repro().replace("make regress", "make waves")
    assert "TRANSPORT=batch" in batch.repro()


def test_bad_names_answer_with_one_line() -> None:
    with pytest.raises(SuiteError, match="suite='nope'"):
        regress.load_suite("nope")
    with pytest.raises(SuiteError, match="config='M9'"):
        regress.expand({"tests": [{"name": "SmokeTest", "configs": ["M9"]}]}, None, None)
    with pytest.raises(SuiteError, match="FpSmokeTest: config='M2N4': .* builds FP formats"):
        regress.expand({"tests": [{"name": "FpSmokeTest", "configs": ["M2N4"]}]}, None, None)
    assert regress.config_refusal("FpSmokeTest", "M2N4FP") is None
    assert "M2N64FP" in regress.config_refusal("FpRandomStreamTest", "M2N64")
    with pytest.raises(SuiteError, match="test='Nope' unknown; choose one of"):
        regress.expand({"tests": [{"name": "Nope"}]}, None, None)
    with pytest.raises(SuiteError, match="transport='wires' unknown; choose one of pins, batch"):
        regress.expand({"transports": ["wires"], "tests": [{"name": "SmokeTest"}]}, None, None)
    p = subprocess.run(
        [sys.executable, "tools/regress.py", "--test", "ResetInFlightTest", "--transport", "batch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith("refused: ResetInFlightTest runs on transport pins only")


@needs("icarus")
def test_failing_run_prints_test_seed_and_repro(tmp_path: Path) -> None:
    """A planted DUT bug must fail the run, exit 1, and name the repro command."""
    suite = tmp_path / "neg.toml"
    suite.write_text(
        'configs = ["M2N4"]\nsims = ["icarus"]\ntransports = ["pins"]\n'
        '[[tests]]\nname = "SmokeTest"\n'
        '[[tests]]\nname = "SmokeTest"\ndefines = ["LUT_TC_BUG_NO_NEGATE"]\n'
        '[[tests]]\nname = "BrokenDutTest"\ndefines = ["LUT_TC_BUG_NO_NEGATE"]\n'
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
    assert "2 passed, 1 failed" in p.stdout
    # Only the clean design's run counts toward coverage: the planted bug's passing
    # negative test writes no dump, and the merge says why.
    dumps = sorted(f.name for f in (tmp_path / "out" / "cov").glob("*.json"))
    assert dumps == ["icarus-pins-M2N4-SmokeTest-3.json"]
    merged = summary([tmp_path / "out" / "cov"])
    assert merged["merged"] == 1 and merged["expected"] == 3
    why = {u.job.job_id: u.reason for u in collect([tmp_path / "out" / "cov"]).unmerged}
    assert why["icarus-pins-M2N4_LUT_TC_BUG_NO_NEGATE-BrokenDutTest-3"] == (
        "no dump, by design: a planted bug (LUT_TC_BUG_NO_NEGATE): "
        "coverage of a broken design is not the design's"
    )
    assert "FAILED SmokeTest seed=3 sim=icarus transport=pins config=M2N4" in p.stdout
    assert (
        "reproduce:  make regress TEST=SmokeTest SEED=3 SIM=icarus CONFIG=M2N4 TRANSPORT=pins "
        "DEFINES=LUT_TC_BUG_NO_NEGATE" in p.stdout
    )
    assert "with waves: make waves TEST=SmokeTest SEED=3" in p.stdout
    assert (tmp_path / "out" / "junit.xml").exists()
    # The failing job's own simulator log is kept, with the scoreboard's MISMATCH lines.
    log = re.search(r"log: +(\S+)", p.stdout).group(1)
    assert "MISMATCH" in Path(log).read_text()
    assert "icarus-pins-M2N4_LUT_TC_BUG_NO_NEGATE-SmokeTest-3" in log
    assert "seed 3, scale" in Path(log).read_text()  # the seed as given, not a derived number
    # The dashboard, rendered by a real headless browser, shows the failing row.
    from flow.regress import browser

    page = tmp_path / "out" / "report" / "index.html"
    assert f"dashboard: {page}" in p.stdout
    require("chromium")
    dom = browser.render_dom(page)
    failing = "icarus-pins-M2N4_LUT_TC_BUG_NO_NEGATE-SmokeTest-3"
    row = re.search(rf'<tr id="job-{failing}"[^>]*>(.*?)</tr>', dom, re.S)
    assert row, "the failing row is not on the rendered page"
    assert "FAIL" in row.group(1) and "mismatch: instruction" in row.group(1)


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
    with pytest.raises(SuiteError, match=r"^bad\.toml") as exc:
        regress.load_suite(str(path))
    msg = str(exc.value)
    assert "\n" not in msg, msg
    assert re.search(match, msg), msg


def test_every_shipped_suite_passes_validation() -> None:
    for name in ("smoke", "nightly", "full"):
        suite = regress.load_suite(name)
        assert suite["tests"], name


def test_seeds_runs_one_test_with_consecutive_seeds() -> None:
    suite = {"transports": ["pins"], "tests": [{"name": "SmokeTest", "reseed": 5}]}
    jobs = regress.expand(suite, None, 7, seeds=3)
    assert [j.seed for j in jobs] == [7, 8, 9]
    args = regress._args(["--test", "SmokeTest", "--seed", "4", "--seeds", "3"])
    jobs, left_out = regress.single_jobs("SmokeTest", regress.choices(args, {}))
    assert [j.seed for j in jobs] == [4, 5, 6] and left_out == []


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--seed", "abc"], "SEED='abc' is not an integer"),
        (["--jobs", "0"], "JOBS=0 must be >= 1"),
        (["--seeds", "0", "--test", "SmokeTest"], "SEEDS=0 must be >= 1"),
        (["--suite", "nope"], "suite='nope' unknown; choose one of"),
        (["--sim", "xsim"], "sim='xsim' unknown; choose one of icarus, verilator"),
        (["--transport", "wires"], "transport='wires' unknown; choose one of pins, batch"),
        (["--test", "Nope"], "test='Nope' unknown; choose one of"),
        (["--test", "SmokeTest", "--config", "M9"], "config='M9' unknown"),
        (["--cluster", "condor"], "cluster='condor' unknown; choose one of slurm, lsf, pbs, sge"),
        (["--core", "dsp"], "core='dsp' unknown; choose one of lut_tc, lut_conv, mac"),
        (["--test", "SmokeTest", "--core", "dsp"], "core='dsp' unknown; choose one of lut_tc"),
        (
            ["--test", "FpSmokeTest", "--config", "M2N4FP", "--core", "lut_conv"],
            "config='M2N4FP' builds formats core lut_conv does not; on lut_conv choose one of",
        ),
        (
            [
                "--test",
                "FpBrokenDutTest",
                "--config",
                "M2N4FP",
                "--core",
                "mac",
                "--define",
                "LUT_TC_BUG_FP_POW2_FTZ",
            ],
            "define='LUT_TC_BUG_FP_POW2_FTZ': core mac has no block with that bug; on mac",
        ),  # fmt: skip
        (
            ["--test", "SmokeTest", "--config", "M2N4", "--define", "LUT_TC_BUG_FP_RTZ"],
            "define='LUT_TC_BUG_FP_RTZ': config M2N4 builds no FP block for LUT_TC_BUG_FP_RTZ; "
            "choose a configuration that has it (M2N64FP, M2N4FP, M2N4FPW8",
        ),
        (
            [
                "--test",
                "FpBrokenDutTest",
                "--config",
                "M2N4FP",
                "--define",
                "LUT_TC_BUG_FP16_TRUNC",
            ],
            "define='LUT_TC_BUG_FP16_TRUNC': config M2N4FP's FP32 FP datapath has no block with "
            "LUT_TC_BUG_FP16_TRUNC; choose a configuration that has it (M2N4H, M2N4HZ, M2N4IH)",
        ),
        (
            [
                "--test",
                "FpBrokenDutTest",
                "--config",
                "M2N4H",
                "--define",
                "LUT_TC_BUG_FP_SUBNORMAL_IN",
            ],
            "config M2N4H's FP16 FP datapath has no block with LUT_TC_BUG_FP_SUBNORMAL_IN; "
            "choose a configuration that has it (M2N64FP, M2N4FP",
        ),
    ],
)
def test_bad_command_line_values_answer_one_line_and_write_nothing(
    tmp_path: Path, argv: list[str], line: str
) -> None:
    out = tmp_path / "out"
    p = subprocess.run(
        [sys.executable, "tools/regress.py", *argv, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    assert line in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not out.exists()


def _make_mapping() -> list[str]:
    """The argv the Makefile's regress recipe runs for sentinel values of every variable."""
    p = subprocess.run(
        ["make", "-n", "regress", "TEST=@T", "SEED=@S", "SIM=@M", "CONFIG=@C", "TRANSPORT=@R"]
        + ["DEFINES=@D1,@D2", "CORE=@K", "COVERAGE=@V"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    text = p.stdout.replace("\\\n", " ")  # the recipe's continued lines
    line = next(ln for ln in text.splitlines() if "tools/regress.py" in ln)
    argv = shlex.split(line)
    return argv[argv.index("tools/regress.py") + 1 :]


def test_every_printed_repro_command_describes_exactly_its_job() -> None:
    """For every job of every suite: the repro, run through the Makefile, is that job again.

    The Makefile's mapping of TEST/SEED/SIM/CONFIG/TRANSPORT/DEFINES to the
    runner's options is read once with ``make -n``; each job's repro (its env
    assignments and make variables) is then parsed as the runner parses a
    command line, and must give back the job: same env (nothing from another
    suite), defines, transport, config, simulator and seed.
    """
    template = _make_mapping()
    checked = 0
    runs = [(n, {"cores": c}) for n in regress.suite_names() for c in (None, ["lut_conv", "mac"])]
    # the command line's overrides too: a define added, other configurations, an env knob
    runs.append(
        (
            "smoke",
            {
                "defines": ("LUT_TC_BUG_NO_NEGATE",),
                "configs": ["M2N4", "M2N4FP"],
                "env": {"LUT_TC_SCALE": "2"},
            },
        )
    )
    # and code coverage asked for on the command line (the codecov suite asks in its file)
    runs.append(("cores", {"coverage": True}))
    for name, overrides in runs:
        for job in regress.expand(regress.load_suite(name), None, None, **overrides):
            words = shlex.split(job.repro())
            i = words.index("make")
            env = dict(w.split("=", 1) for w in words[:i])
            assert words[i + 1] == "regress"
            var = dict(w.split("=", 1) for w in words[i + 2 :])
            defines = var.get("DEFINES", "").split(",") if var.get("DEFINES") else []
            argv = []
            for w in template:
                if w == "@D1":
                    argv += defines[:1] or ["<none>"]
                elif w == "@D2":
                    argv += defines[1:2] or ["<none>"]
                elif w == "@K":
                    argv.append(var.get("CORE", "<none>"))
                elif w == "@V":
                    argv.append(var.get("COVERAGE", "<none>"))
                else:
                    for k, sentinel in (("TEST", "@T"), ("SEED", "@S"), ("SIM", "@M")):
                        w = w.replace(sentinel, var[k])
                    w = w.replace("@C", var["CONFIG"]).replace("@R", var["TRANSPORT"])
                    argv.append(w)
            # a define the job does not have: drop its option pair
            while "<none>" in argv:
                k = argv.index("<none>")
                del argv[k - 1 : k + 1]
            a = regress._args(argv)
            again = regress.single_job(
                a.test,
                int(a.seed),
                a.sim,
                a.config,
                a.transport,
                a.define,
                env,
                a.core,
                a.coverage == "1",
            )
            assert again == job, (name, overrides, job.repro())
            checked += 1
    assert checked > 1000


def test_a_core_is_chosen_as_data_and_leaves_out_what_it_does_not_build() -> None:
    """CORE= replaces the suite's cores; FP jobs are left out on a core without FP, once said."""
    suite = regress.load_suite("smoke")
    plain = regress.expand(suite, None, None)
    left: list[tuple[str, str]] = []
    conv = regress.expand(suite, None, None, cores=["lut_conv"], left_out=left)
    assert {j.core for j in plain} == {"lut_tc"} and {j.core for j in conv} == {"lut_conv"}
    assert len(conv) == len([j for j in plain if not j.cfg.has_fp])
    n_fp = len([j for j in plain if j.cfg.has_fp])
    assert regress.left_out_lines(left) == [
        f"left out on core lut_conv: {n_fp} jobs on M2N4FP, M2N4H, M2N64FP "
        "(formats or an FP datapath the core does not build)"
    ]
    left = []
    mac = regress.expand(suite, None, None, cores=["mac"], left_out=left)
    # the MAC core builds every smoke configuration, the binary16 one included
    assert any(j.cfg.fp_acc for j in mac)
    assert {j.core for j in mac} == {"mac"} and len(mac) == len(plain) and left == []
    # a planted bug in a block a core does not have: left out, said once
    nightly = regress.load_suite("nightly")
    left = []
    on_mac = regress.expand(nightly, None, None, cores=["mac"], left_out=left)
    assert not any("LUT_TC_BUG_FP_POW2_FTZ" in j.defines for j in on_mac)
    assert any("LUT_TC_BUG_FP_MUL_FTZ" in j.defines for j in on_mac)
    assert any("LUT_TC_BUG_FP16_TRUNC" in j.defines for j in on_mac)
    assert regress.left_out_lines(left) == [
        "left out on core mac: 2 jobs with LUT_TC_BUG_FP_POW2_FTZ "
        "(planted bugs in blocks the core does not have)",
    ]
    j = mac[0]
    assert j.job_id.startswith(f"{j.sim}-{j.transport}-mac_{j.config}")
    assert j.repro().endswith(" CORE=mac") and j.cfg.rtl_parameters()["Core"] == 2
    assert j.build_key != plain[0].build_key and "mac" in j.build_name
    both = regress.expand(suite, None, None, cores=["lut_tc", "mac"])
    assert len(both) == len(plain) + len(mac)


def test_a_suite_that_names_a_core_without_its_formats_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cores.toml"
    path.write_text('cores = ["lut_conv"]\n[[tests]]\nname = "FpSmokeTest"\nconfigs = ["M2N4FP"]\n')
    with pytest.raises(
        SuiteError, match=r"core='lut_conv': config M2N4FP builds formats core lut_conv"
    ):
        regress.expand(regress.load_suite(str(path)), None, None)
    path.write_text(
        '[[tests]]\nname = "FpBrokenDutTest"\nconfigs = ["M2N4FP"]\ncores = ["mac"]\n'
        'defines = ["LUT_TC_BUG_FP_POW2_FTZ"]\n'
    )
    with pytest.raises(SuiteError, match=r"core mac has no block with LUT_TC_BUG_FP_POW2_FTZ"):
        regress.expand(regress.load_suite(str(path)), None, None)
    path.write_text('[[tests]]\nname = "SmokeTest"\ndefines = ["LUT_TC_BUG_FP_RTZ"]\n')
    with pytest.raises(SuiteError, match=r"config M2N64 builds no FP block for LUT_TC_BUG_FP_RTZ"):
        regress.expand(regress.load_suite(str(path)), None, None)
    path.write_text('cores = ["z80"]\n[[tests]]\nname = "SmokeTest"\n')
    with pytest.raises(
        SuiteError, match=r"cores: 'z80' unknown; choose one of lut_tc, lut_conv, mac"
    ):
        regress.load_suite(str(path))


@needs("icarus")
def test_a_group_gives_each_job_what_it_gives_alone() -> None:
    """Tests sharing one simulator process see the stimulus and give the responses of lone runs."""
    from flow.regress.group import run_group
    from flow.regress.jobs import Job, job_to_dict

    # two seeds of one test (same test, other stimulus), then one seed of each other test
    order = [("SmokeTest", 1), ("SmokeTest", 2), ("ErrorInjectionTest", 1)]
    order += [("BackpressureTest", 2), ("ResetInFlightTest", 1)]
    jobs = [job_to_dict(Job(t, s, "icarus", "M2N4")) for t, s in order]
    # jobs that differ in their env share the process too (each test sets its own)
    jobs.append(
        job_to_dict(Job("BackpressureTest", 3, "icarus", "M2N4", env=(("LUT_TC_BP", "60"),)))
    )
    jobs.append(
        job_to_dict(Job("RandomStreamTest", 3, "icarus", "M2N4", env=(("LUT_TC_SCALE", "2"),)))
    )
    regress.build_for("icarus", regress.config_by_name("M2N4"), "pins")
    group = run_group(jobs)
    assert group.processes == 1
    digests = [json.loads(r.files["responses.json"]) for r in group.results]
    assert len({d["sha256"] for d in digests}) == len(jobs)  # each job its own stimulus
    for job, d, r in zip(jobs, digests, group.results, strict=True):
        assert r.result == "PASS", r.message
        alone = run_group([job]).results[0]
        assert json.loads(alone.files["responses.json"]) == d, job
        assert r.files["sim.log"].count(b"running tb.test_lut_tc.") == 1
    assert b"bp 60%" in group.results[-2].files["sim.log"]
    assert b"scale 2.0" in group.results[-1].files["sim.log"]
    assert b"scale 1.0" in group.results[0].files["sim.log"]


@needs("icarus")
def test_a_hang_or_a_crash_loses_only_its_own_job() -> None:
    """The watchdog kills a hung process, a crash ends one; the rest of the group reruns."""
    from flow.regress.group import run_group
    from flow.regress.jobs import Job, job_to_dict

    order = [("SmokeTest", 1), ("HangSelfTest", 1), ("SmokeTest", 2), ("CrashSelfTest", 1)]
    order += [("SmokeTest", 3)]
    jobs = [job_to_dict(Job(t, s, "icarus", "M2N4")) for t, s in order]
    regress.build_for("icarus", regress.config_by_name("M2N4"), "pins")
    # The limit is the time a test may go without progress: on a loaded machine the
    # simulator's start-up alone can take several seconds, so it leaves room for that.
    g = run_group(jobs, timeout_s=15)
    got = [(r.job["test"], r.result, r.attempt) for r in g.results]
    assert got == [
        ("SmokeTest", "PASS", 1),
        ("HangSelfTest", "ERROR", 1),
        ("SmokeTest", "PASS", 2),
        ("CrashSelfTest", "ERROR", 2),
        ("SmokeTest", "PASS", 3),
    ]
    assert g.processes == 3
    assert g.results[1].message.startswith("hang: no progress for")
    assert "simulator crashed (killed by signal SIGSEGV)" in g.results[3].message


def test_two_entries_that_give_one_job_are_refused() -> None:
    suite = {"tests": [{"name": "SmokeTest"}, {"name": "SmokeTest", "env": {"LUT_TC_BP": "5"}}]}
    with pytest.raises(SuiteError, match="two \\[\\[tests\\]\\] entries give this job"):
        regress.expand(suite, None, None)


def test_the_progress_line_says_done_failed_remaining_and_eta(capsys) -> None:
    from flow.regress.progress import Progress

    bar = Progress(20, "smoke", tty=False, every_s=1e9)
    bar.advance(1, 0)  # not yet a tenth: quiet
    assert capsys.readouterr().out == ""
    bar.advance(3, 1)
    line = capsys.readouterr().out.strip()
    assert line.startswith("smoke: 4/20 done, 1 failed, 16 remaining, ") and "ETA" in line
    bar.close()


def test_a_job_never_run_is_expected_to_take_what_its_test_took() -> None:
    from flow.regress.runner import DEFAULT_ESTIMATE_S, estimator

    known = {
        "icarus-pins-M2N64-SmokeTest-1": 2.0,
        "icarus-batch-M2N64-SmokeTest-2": 4.0,
        "icarus-pins-M2N64-SmokeTest-3": 3.0,
        "icarus-batch-M2N64_LUT_TC_BUG_NO_NEGATE-BrokenDutTest-7": 9.0,
    }
    est = estimator(known)
    assert est(regress.Job("SmokeTest", 1, "icarus", "M2N64")) == 2.0  # its own
    assert est(regress.Job("SmokeTest", 9, "verilator", "M2N4")) == 3.0  # its test's median
    assert est(regress.Job("BrokenDutTest", 1, "verilator", "M2N4")) == 9.0
    assert est(regress.Job("GemmInt4Test", 1, "icarus", "M2N4")) == DEFAULT_ESTIMATE_S


def test_selftests_are_no_suite_tests(tmp_path: Path) -> None:
    path = tmp_path / "self.toml"
    path.write_text('[[tests]]\nname = "HangSelfTest"\n')
    with pytest.raises(SuiteError, match="is no registered test"):
        regress.load_suite(str(path))


def test_a_build_refuses_a_bug_its_core_has_no_block_for() -> None:
    from flow.build import build_name

    mac = regress.config_by_name("M2N4FP", "mac")
    with pytest.raises(ValueError, match=r"^bug='LUT_TC_BUG_FP_POW2_FTZ': core mac has no block"):
        build_name(mac, "LUT_TC_BUG_FP_POW2_FTZ")
    assert build_name(mac, "LUT_TC_BUG_FP_MUL_FTZ") == "core_mac_M2N4FP_LUT_TC_BUG_FP_MUL_FTZ"


def test_a_build_key_builds_with_every_field(monkeypatch) -> None:
    """``build_for_key`` is how the engine and ``make bench`` build a job's key: every field
    reaches the build (the coverage switch included)."""
    from flow.regress import jobs as jobs_mod

    seen = []
    monkeypatch.setattr(jobs_mod, "build_for", lambda *a, **k: seen.append((a, k)))
    job = regress.Job("SmokeTest", 1, "verilator", "M2N4", defines=("LUT_TC_BUG_NO_NEGATE",))
    job = dataclasses.replace(job, core="mac", coverage=True, transport="batch")
    jobs_mod.build_for_key(job.build_key)
    ((args, kw),) = seen
    assert args == ("verilator", regress.config_by_name("M2N4", "mac"), "batch", job.defines)
    assert kw == {"coverage": True}
