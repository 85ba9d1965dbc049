# SPDX-License-Identifier: Apache-2.0
"""The licence pyproject.toml declares is the LICENSE file, and every source file says so.

As lowRISC does: an SPDX line near the top of every SystemVerilog, Python,
TOML, shell, Makefile and template file in the repository (the generated RTL
package included, from its generator).
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPDX = "SPDX-License-Identifier: Apache-2.0"
SOURCE_SUFFIXES = {".sv", ".svh", ".py", ".toml", ".sh", ".j2"}
SOURCE_NAMES = {"Makefile", "run"}


def sources() -> list[Path]:
    """The tracked files that are source code, by suffix or name."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / f
        for f in files
        if (Path(f).suffix in SOURCE_SUFFIXES or Path(f).name in SOURCE_NAMES)
        and (ROOT / f).exists()
    ]


def missing_spdx(paths: list[Path]) -> list[str]:
    """Files whose first three lines carry no SPDX line."""
    return [
        str(p.relative_to(ROOT))
        for p in paths
        if SPDX not in "".join(p.read_text().splitlines(True)[:3])
    ]


def test_the_licence_file_is_the_declared_one() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]


def test_every_source_file_has_an_spdx_line() -> None:
    files = sources()
    assert len(files) > 150 and any(p.suffix == ".sv" for p in files)
    assert missing_spdx(files) == []


def test_the_spdx_check_sees_a_file_without_one() -> None:
    bare = ROOT / "build" / "spdx_probe.py"
    bare.parent.mkdir(exist_ok=True)
    bare.write_text('"""No licence line."""\n')
    try:
        assert missing_spdx([bare]) == ["build/spdx_probe.py"]
    finally:
        bare.unlink()
