# SPDX-License-Identifier: Apache-2.0
"""Tests register from every module of ``tb/tests/``: a user's new file needs no list edited.

In this process a temporary folder joins the package's path (``tb.tests.__path__``), so the
checkout is never changed; the real run copies the sources into a temporary tree with the new
file beside the shipped ones and runs the regression there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tb.tests
from flow.regress.jobs import SuiteError
from tests.needs import needs
from tools import regress

ROOT = Path(__file__).resolve().parents[2]

USER_TESTS = '''
from tb import knobs, stimulus
from tb.tests.functional_tests import RandomStreamTest


class MyUserTest(RandomStreamTest):
    """A user's test in a file of its own: mostly LMMAs."""

    def knobs(self) -> stimulus.Knobs:
        return stimulus.Knobs(n=knobs.scaled(20), mix={"lutgen": 30, "lmma": 70})


class MyPinsOnlyTest(RandomStreamTest):
    """Narrowed to one transport by the class, as ResetInFlightTest is."""

    transports = ("pins",)
'''


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch):
    """A folder on ``tb.tests``' path; its modules are forgotten again afterwards."""
    folder = tmp_path / "more_tests"
    folder.mkdir()
    monkeypatch.setattr(tb.tests, "__path__", [*tb.tests.__path__, str(folder)])
    before = set(sys.modules)

    def write(name: str, text: str) -> None:
        (folder / f"{name}.py").write_text(text)

    yield write
    for mod in set(sys.modules) - before:
        if mod.startswith("tb.tests."):
            del sys.modules[mod]


def test_a_new_module_registers_its_tests(user_module, capsys) -> None:
    assert "MyUserTest" not in tb.tests.catalog()
    user_module("my_tests", USER_TESTS)
    tests = tb.tests.catalog()
    assert {"MyUserTest", "MyPinsOnlyTest"} <= set(tests)
    assert "RandomStreamTest" in tests  # imported by my_tests, still counted where defined
    assert tests["RandomStreamTest"].__module__ == "tb.tests.functional_tests"
    # a suite entry with only a name: every transport the test accepts
    suite = {"tests": [{"name": "MyUserTest"}, {"name": "MyPinsOnlyTest"}]}
    got = [(j.test, j.transport) for j in regress.expand(suite, None, None)]
    assert got == [("MyUserTest", "pins"), ("MyUserTest", "batch"), ("MyPinsOnlyTest", "pins")]
    # ... unless the suite narrows it
    narrowed = regress.expand({**suite, "transports": ["batch"]}, None, None)
    assert [(j.test, j.transport) for j in narrowed] == [("MyUserTest", "batch")]
    assert regress.main(["--test", "MyUserTest", "--list"]) == 0
    assert capsys.readouterr().out.startswith("icarus-pins-M2N64-MyUserTest-1  make regress")


def test_the_runner_selftests_stay_out_by_their_module_flag(user_module) -> None:
    assert {"HangSelfTest", "CrashSelfTest"}.isdisjoint(tb.tests.catalog())
    assert {"HangSelfTest", "CrashSelfTest"} <= set(tb.tests.catalog(selftests=True))
    user_module(
        "my_selftests",
        "from tb.tests.functional_tests import SmokeTest\n"
        "RUNNER_SELFTESTS = True\n"
        "class MyRunnerSelfTest(SmokeTest):\n    pass\n",
    )
    assert "MyRunnerSelfTest" not in tb.tests.catalog()
    assert "MyRunnerSelfTest" in tb.tests.catalog(selftests=True)


def test_an_unknown_test_says_where_tests_are_looked_for() -> None:
    with pytest.raises(SuiteError, match=r"test='Nope' unknown; choose one of .*SmokeTest") as e:
        regress.expand({"tests": [{"name": "Nope"}]}, None, None)
    assert str(e.value).endswith("(every BaseTest subclass in tb/tests/*.py)")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("class Broken(:\n", "tb/tests/my_tests.py: cannot import: SyntaxError:"),
        (
            "from tb.tests.base_test import BaseTest\nclass SmokeTest(BaseTest):\n    pass\n",
            "test SmokeTest is defined twice, in tb/tests/functional_tests.py and "
            "tb/tests/my_tests.py; rename one",
        ),
    ],
)
def test_a_broken_user_module_is_one_line(user_module, capsys, text: str, line: str) -> None:
    user_module("my_tests", text)
    assert regress.main(["--suite", "smoke", "--list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and len(err.strip().splitlines()) == 1, err


@needs("icarus")
def test_a_user_file_dropped_into_tb_tests_runs(tmp_path: Path) -> None:
    """The sources copied with one more file in tb/tests/: its test runs on both transports."""
    tree = tmp_path / "tree"
    files = subprocess.run(
        ["git", "ls-files", "tb", "models", "rtl", "tools", "regressions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for f in files:
        (tree / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, tree / f)
    (tree / "tb" / "tests" / "my_tests.py").write_text(USER_TESTS)
    (tmp_path / "mine.toml").write_text('configs = ["M2N4"]\n[[tests]]\nname = "MyUserTest"\n')
    cmd = [sys.executable, "tools/regress.py", "--suite", str(tmp_path / "mine.toml")]
    cmd += ["--jobs", "1", "--no-report", "--out", str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    p = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "2 passed, 0 failed" in p.stdout
    jobs = json.loads((tmp_path / "out" / "run.json").read_text())["jobs"]
    assert sorted((j["test"], j["transport"], j["result"]) for j in jobs) == [
        ("MyUserTest", "batch", "PASS"),
        ("MyUserTest", "pins", "PASS"),
    ]
