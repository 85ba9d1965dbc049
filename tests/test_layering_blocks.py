"""The block benches (``blocks/``) stand beside the environment, not inside it.

``blocks/`` may import ``models/`` and the flow's simulator pieces of ``tb/``
(builds and runs, measurement, the hex writer, synthesis), never the pyuvm
environment (agent, transports, scoreboard, coverage, tests) and never
``tools/``; ``models/`` and ``tb/`` never import ``blocks/``. Checked on the
source, as ``tests/test_layering.py`` checks the rest.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The modules of ``tb`` that ``blocks/`` may use: the flow's, none of the environment's.
FLOW_OF_TB = {"tb.simrun", "tb.measure", "tb.replay.vectors", "tb.synth"}
FORBIDDEN = {"tools", "cocotb", "pyuvm", "vsc"}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports by an absolute name (``from a.b import c``: ``a.b.c``
    and ``a.b``, so a module imported from a package is seen by its full name)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def bad_imports(path: Path) -> list[str]:
    """The imports of ``path`` that a block bench must not make."""
    bad = []
    for name in sorted(imports(path)):
        top = name.split(".")[0]
        if top in FORBIDDEN:
            bad.append(name)
        elif (
            top == "tb"
            and name != "tb"
            and not any(
                name == m or name.startswith(m + ".") or m.startswith(name + ".")
                for m in FLOW_OF_TB
            )
        ):
            bad.append(name)
    return bad


def test_blocks_import_only_models_and_the_flow() -> None:
    files = sorted((ROOT / "blocks").rglob("*.py"))
    assert files, "blocks/ has no Python files"
    bad = {str(f.relative_to(ROOT)): bad_imports(f) for f in files if bad_imports(f)}
    assert not bad, f"blocks/ may import models/ and {sorted(FLOW_OF_TB)} only: {bad}"


def test_nothing_below_imports_blocks() -> None:
    files = sorted((ROOT / "models").rglob("*.py")) + sorted((ROOT / "tb").rglob("*.py"))
    uses = {str(f.relative_to(ROOT)): {m.split(".")[0] for m in imports(f)} for f in files}
    bad = sorted(f for f, tops in uses.items() if "blocks" in tops)
    assert not bad, f"models/ and tb/ must not import blocks/: {bad}"


def test_the_checker_sees_an_environment_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text(
        "from tb import simrun\nfrom tb import scoreboard\nimport tb.measure\n"
        "from tb.replay.vectors import hex_lines\nfrom tools.regress import main\n"
    )
    assert bad_imports(f) == ["tb.scoreboard", "tools.regress", "tools.regress.main"]
