# SPDX-License-Identifier: Apache-2.0
"""Write the docs' generated tables from their one source, or check they are current.

* ``docs/architecture.md``: the named configurations (``models.config.CONFIGS``):
  shape, the formats each builds and the cores that build it.
* ``docs/verification_plan.md``: the planted bugs (``flow.bugs.PLANTED``): each
  define, its block, what it breaks, its cores, and what catches it: the pytest
  tests of its record and the suite jobs of ``regressions/*.toml`` that plant it;
  and the testpoints (``docs/testpoints.toml``, the list ``make cov`` reports
  closure for): each testpoint, its tests and the coverage that closes it.

Each table is a generated block of :mod:`flow.docblock`, rewritten whole, so a
hand edit inside it is lost. Run
``python -m tools.doc_tables`` after changing a source; ``--check`` exits 1 naming
each stale table (a test runs it).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from flow.bugs import PLANTED
from flow.covdb import CovError, testpoints
from flow.docblock import splice
from models.config import CONFIGS, CORES, AFmt

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "regressions"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def configs_table() -> str:
    """The named configurations as a user types them, with what each builds."""
    out = [
        _row(["name", "M", "N", "T", "`WBitsMax`", "formats built (`Formats`)", "cores"]),
        _row(["---"] * 7),
    ]
    for name, cfg in CONFIGS.items():
        fmts = ", ".join(f.name for f in AFmt if cfg.builds(f))
        cores = ", ".join(f"`{c}`" for c in CORES if cfg.fits(c))
        shape = [str(cfg.M), str(cfg.N), str(cfg.T), str(cfg.W_BITS_MAX)]
        out.append(_row([f"`{name}`", *shape, f"{fmts} (`0x{cfg.formats:02X}`)", cores]))
    return "\n".join(out)


def planted_in_suites(suites: Path = SUITES) -> dict[str, dict[str, list[str]]]:
    """define -> test -> the suites with a job of that test built with that define."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(suites.glob("*.toml")):
        for t in tomllib.loads(path.read_text()).get("tests", []):
            if not isinstance(t, dict):
                continue
            for d in t.get("defines", ()):
                names = out.setdefault(d, {}).setdefault(t["name"], [])
                if path.stem not in names:
                    names.append(path.stem)
    return out


def bugs_table(suites: Path = SUITES) -> str:
    """One row per planted bug, from its record and the suites."""
    in_suites = planted_in_suites(suites)
    out = [
        _row(["define", "lives in", "breaks", "cores", "suite jobs that plant it", "tests"]),
        _row(["---"] * 6),
    ]
    for b in PLANTED:
        jobs = "; ".join(
            f"`{test}` ({', '.join(s)})" for test, s in in_suites.get(b.define, {}).items()
        )
        tests = "<br>".join(f"`{t}`" for t in b.tests)
        define = f"`{b.define}`" + (" (protocol: no RTL assertions)" if b.protocol else "")
        cores = ", ".join(f"`{c}`" for c in b.cores) or "none (block benches only)"
        out.append(_row([define, b.block, b.breaks, cores, jobs or "none", tests]))
    return "\n".join(out)


#: name -> (file, renderer)
TABLES: dict[str, tuple[Path, Callable[[], str]]] = {
    "configs": (ROOT / "docs" / "architecture.md", configs_table),
    "planted-bugs": (ROOT / "docs" / "verification_plan.md", bugs_table),
    "testpoints": (
        ROOT / "docs" / "verification_plan.md",
        lambda: testpoints.markdown_table(testpoints.load()),
    ),
}


def stale(tables: dict[str, tuple[Path, Callable[[], str]]] = TABLES) -> list[str]:
    """One line per table whose file does not hold what its source renders."""
    out = []
    for name, (path, render) in tables.items():
        text = path.read_text()
        try:
            current = splice(text, name, render()) == text
        except (ValueError, CovError) as exc:
            out.append(f"{path.relative_to(ROOT)}: {exc}")
            continue
        if not current:
            out.append(f"{path.relative_to(ROOT)}: table {name} is stale")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = ap.parse_args(argv)
    if args.check:
        bad = stale()
        for line in bad:
            print(f"{line}: run  python -m tools.doc_tables", file=sys.stderr)
        return 1 if bad else 0
    for name, (path, render) in TABLES.items():
        text = path.read_text()
        try:
            new = splice(text, name, render())
        except (ValueError, CovError) as exc:
            print(f"{path.relative_to(ROOT)}: {exc}", file=sys.stderr)
            return 1
        if new != text:
            path.write_text(new)
            print(f"wrote table {name} in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
