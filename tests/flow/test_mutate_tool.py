# SPDX-License-Identifier: Apache-2.0
"""``make mutate``'s options: each takes effect or is refused with one line naming it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tools import mutate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["MUTANTS=x"], "MUTANTS='x': a whole number"),
        (["JOBS=0"], "JOBS='0': must be >= 1"),
        (["SEED=-1"], "SEED='-1': must be >= 0"),
        (["CORE=gpu"], "CORE='gpu' unknown; choose one of lut_tc, lut_conv, mac, all"),
        (["SIM=vcs"], "SIM='vcs' unknown; choose one of icarus, verilator"),
        (["MUTANT=nope.sv:1:1:op_add"], "MUTANT='nope.sv:1:1:op_add' unknown"),
        (["TEST=SmokeTest"], "TEST= does not apply"),
        (["CONFIG=M2N4"], "CONFIG= does not apply"),
        (["DEFINES=LUT_TC_BUG_NO_NEGATE"], "DEFINES= does not apply"),
    ],
)
def test_bad_option_refused_with_one_line(args: list[str], says: str) -> None:
    p = subprocess.run(
        ["make", "-s", "--no-print-directory", "mutate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode != 0
    # make's own line about the failed recipe is "make: ***" or, under an outer make
    # (make test), "make[1]: ***"
    ours = [ln for ln in p.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", ln)]
    assert len(ours) == 1 and says in ours[0], p.stderr
    assert "Traceback" not in p.stdout + p.stderr


@pytest.mark.parametrize(
    ("make_args", "tool_args"),
    [
        ("MUTANTS=7 SEED=3", ["--mutants=7", "--seed=3"]),
        ("CORE=mac JOBS=1", ["--core mac", "--jobs=1"]),
        ("SIM=verilator", ["--sim verilator"]),
        ("MUTANT=a.sv:1:2:op_add,b.sv:3:4:if_neg", ["--mutant a.sv:1:2:op_add --mutant b.sv:3:4"]),
    ],
)
def test_make_passes_each_option(make_args: str, tool_args: list[str]) -> None:
    p = subprocess.run(
        ["make", "-n", "--no-print-directory", "mutate", *make_args.split()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = " ".join(p.stdout.replace("\\\n", " ").split())
    for a in tool_args:
        assert a in line, line


def test_options_choose_the_sample(capsys) -> None:
    """``--mutants``/``--seed``/``--core``/``--file`` change what --list-mutants prints."""

    def ids(*args: str) -> list[str]:
        assert mutate.main(["--list-mutants", *args]) == 0
        return capsys.readouterr().out.split()

    default = ids()
    assert len(default) == mutate.DEFAULT_MUTANTS
    assert ids("--mutants", "5") != default[:5] and len(ids("--mutants", "5")) == 5
    assert ids("--seed", "2") != default
    mac = ids("--core", "mac", "--mutants", "0")
    assert mac and not any(i.startswith(("lut_unit.sv", "lut_conv_unit.sv")) for i in mac)
    assert {i.split(":")[0] for i in ids("--file", "lut_unit.sv")} == {"lut_unit.sv"}


@pytest.mark.parametrize(
    "made",
    [
        "make mutate  CORE=lut_tc MUTANT=a.sv:1:2:op_add",
        " make mutate CORE=lut_tc\tMUTANT=a.sv:1:2:op_add ",
    ],
)
def test_the_recorded_command_has_one_space_between_words(monkeypatch, made: str) -> None:
    monkeypatch.setenv("MUTATE_MAKE_COMMAND", made)
    assert mutate._command(None, []) == "make mutate CORE=lut_tc MUTANT=a.sv:1:2:op_add"


@pytest.mark.parametrize("makeflags", ["", " -- JOBS=2", "w -- TEST= JOBS=2"])
def test_make_hands_over_the_command_with_single_spaces(makeflags: str) -> None:
    """Alone and under an outer make (its overrides in MAKEFLAGS), as CI runs it."""
    env = {**os.environ, "MAKEFLAGS": makeflags}
    p = subprocess.run(
        ["make", "-n", "--no-print-directory", "mutate", "MUTANTS=4", "CORE=lut_tc"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    made = re.search(r"MUTATE_MAKE_COMMAND='([^']*)'", p.stdout)
    assert made, p.stdout + p.stderr
    assert made.group(1).startswith("make mutate ") and "  " not in made.group(1).strip()
