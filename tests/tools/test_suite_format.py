# SPDX-License-Identifier: Apache-2.0
"""regressions/README.md, the suite format's one description, says what the code accepts.

Every key the validator knows is documented in its table, every configuration is named, the
example suite loads and gives the number of jobs the text says, and each command of its
command block is real (run as ``make list``, which prints the jobs without running them).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from flow.regress import jobs
from models.config import CONFIGS
from tools import regress

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "regressions" / "README.md"


def _section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _table_keys(title: str) -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", _section(title), re.M))


def test_every_key_the_validator_knows_is_documented_and_no_other() -> None:
    assert _table_keys("Top-level keys") == set(jobs.SUITE_KEYS)
    assert _table_keys("Per-test keys") == set(jobs.TEST_KEYS)
    configs_row = next(ln for ln in _section("Top-level keys").splitlines() if "`configs`" in ln)
    assert all(f"`{name}`" in configs_row for name in CONFIGS), configs_row


def test_the_example_suite_loads_and_gives_the_jobs_it_says(tmp_path: Path) -> None:
    example = re.search(r"```toml\n(.*?)```", _section("An example"), re.S).group(1)
    path = tmp_path / "example.toml"
    path.write_text(example)
    said = int(re.search(r"= (\d+) jobs", _section("An example")).group(1))
    assert len(regress.expand(regress.load_suite(str(path)), None, None)) == said


def test_the_commands_it_shows_are_real() -> None:
    block = re.search(r"```sh\n(.*?)```", _section("The command line"), re.S).group(1)
    commands = [ln.split("#")[0].split() for ln in block.strip().splitlines()]
    assert len(commands) == 4
    for words, line in zip(commands, block.strip().splitlines(), strict=True):
        assert words[:2] in (["make", "list"], ["make", "regress"]), words
        p = subprocess.run(
            ["make", "--no-print-directory", "list", *words[2:]],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert p.returncode == 0 and p.stdout, (words, p.stderr)
        count = re.search(r"# (\d+) jobs", line)
        if count:
            assert len(p.stdout.splitlines()) == int(count.group(1)), words
