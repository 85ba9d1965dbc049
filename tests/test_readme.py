# SPDX-License-Identifier: Apache-2.0
"""The README is run as written: its FP model example gives the core's sums, and its
``make`` and runner commands name real targets, suites, tests and values."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _python_block(after: str) -> str:
    text = README.read_text()
    start = text.index(after)
    m = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert m, f"no python block after {after!r}"
    return m.group(1)


def test_fp16_model_example_runs_and_matches_float64() -> None:
    ns: dict = {"print": lambda *a: None}
    exec(_python_block("## Floating-point activations"), ns)
    d, a, q = ns["d"], ns["a"], ns["q"]
    got = d.astype(np.int32).view(np.float32)
    want = a.astype(np.float64) @ (2 * q - 3)
    # Every sum here is exact in binary32 (a few significant bits each).
    assert np.array_equal(got.astype(np.float64), want), (got, want)


def _shell_commands() -> list[str]:
    """Every command of the README's ``sh`` blocks, continuation lines joined, comments cut."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                out.append(line)
    return out


def _make_commands() -> list[str]:
    return [c for c in _shell_commands() if c.startswith("make ")]


def test_the_readme_shows_make_and_runner_commands() -> None:
    """The parsing below must find what it checks (a README rewritten in another shape)."""
    assert len(_make_commands()) >= 15
    assert any("tools/regress.py" in c for c in _shell_commands())


@pytest.mark.parametrize("command", _make_commands())
def test_every_readme_make_command_names_a_real_target(command: str) -> None:
    """``make -n``: the target exists and its recipe expands (nothing runs)."""
    p = subprocess.run(
        ["make", "-n", *shlex.split(command)[1:]], cwd=ROOT, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("command", [c for c in _make_commands() if c.split()[1] == "regress"])
def test_every_readme_regression_names_jobs_that_exist(command: str) -> None:
    """The same variables through ``make list``: suites, tests, configurations and values real."""
    args = shlex.split(command)[2:]
    p = subprocess.run(
        ["make", "--no-print-directory", "list", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip(), f"{command}: no job"


@pytest.mark.parametrize(
    "command",
    [c for c in _shell_commands() if re.match(r"(\w+=\S+ )*\.venv/bin/python tools/regress.py", c)],
)
def test_every_readme_runner_command_names_jobs_that_exist(command: str) -> None:
    words = shlex.split(command)
    env = dict(os.environ, **dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w)))
    argv = [w for w in words if not re.match(r"^[A-Z_]+=", w)][1:]
    p = subprocess.run(
        [sys.executable, *argv, "--list"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip(), f"{command}: no job"
