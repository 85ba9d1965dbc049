# SPDX-License-Identifier: Apache-2.0
"""`make waves`: one folder per job, a save file whose every signal exists, opened on the failure.

The decisive check renders: GTKWave itself (under Xvfb, asked through its
Tcl interface by :mod:`tools.gtkwave_view`) must show the first failing
response's tag and ``out_valid_o`` high at the marker, inside the visible
window; the save file's own numbers prove nothing, as the 3 ns view of a
zoom computed per pixel instead of per 200-pixel frame showed.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flow import simrun
from tests.needs import needs
from tools import gtkwave_view
from tools.waves import check_save_file, dump_units_per_ns

ROOT = Path(__file__).resolve().parents[2]
FAILING = [
    "TEST=RandomStreamTest",
    "SEED=1",
    "SIM=icarus",
    "CONFIG=M2N4",
    "DEFINES=LUT_TC_BUG_NO_NEGATE",
]
FAILING_DIR = ROOT / "build/waves/icarus-pins-M2N4_LUT_TC_BUG_NO_NEGATE-RandomStreamTest-1"
TAG, VALID = "lut_tensor_core.out_tag_o[7:0]", "lut_tensor_core.out_valid_o"


def _tracing(sim: str) -> pytest.MarkDecorator:
    """The simulator, and for Verilator's FST writer liblz4-dev."""
    return needs(sim, "lz4") if sim == "verilator" else needs(sim)


def _paths(stdout: str) -> tuple[Path, Path]:
    """(dump, save file) as `make waves` prints them, relative to where it ran."""
    dump = ROOT / re.search(r"(?m)^waves: (\S+)$", stdout)[1]
    gtkw = ROOT / re.search(r"(?m)^open:  gtkwave (\S+)$", stdout)[1]
    return dump, gtkw


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("transport", ["pins", "batch"])  # the core, the core in the bridge
@pytest.mark.parametrize("sim", [pytest.param(s, marks=_tracing(s)) for s in simrun.SIMS])
def test_waves_save_file_matches_dump(sim: str, transport: str) -> None:
    """One layout on both simulators: <job>/waves.fst + waves.gtkw, relative paths, no
    simulator-internal scopes."""
    cmd = [sys.executable, "tools/regress.py", "--waves", "--test", "StreamRandomTest"]
    cmd += ["--transport", transport, "--sim", sim, "--config", "M2N4", "--seed", "1"]
    env = {**os.environ, "LUT_TC_SCALE": "0.1"}  # a short trace is enough
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "warning:" not in p.stdout
    dump, gtkw = _paths(p.stdout)
    job = f"{sim}-{transport}-M2N4-StreamRandomTest-1"
    assert dump == ROOT / "build/waves" / job / "waves.fst" and dump.stat().st_size > 0
    assert gtkw == dump.with_suffix(".gtkw")
    assert sorted(f.name for f in dump.parent.iterdir() if not f.name.endswith("filter")) == [
        "sim.log",
        "waves.fst",
        "waves.gtkw",
    ]
    text = gtkw.read_text()
    assert '[dumpfile] "waves.fst"' in text and str(ROOT) not in text  # relative paths only
    assert check_save_file(gtkw, dump) == []
    import pywellen

    scopes = {v.full_name.rsplit(".", 1)[0] for v in pywellen.Waveform(str(dump)).all_vars()}
    assert not [s for s in scopes if "$" in s]  # no $ivl_for_loop / $unm_blk scopes


@needs("icarus")
def test_check_save_file_catches_a_wrong_signal(tmp_path: Path) -> None:
    """The checker itself must bite: a renamed signal is reported."""
    cmd = [sys.executable, "tools/regress.py", "--waves", "--test", "SmokeTest"]
    cmd += ["--sim", "icarus", "--config", "M2N4", "--seed", "2"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    dump, gtkw = _paths(p.stdout)
    bad = tmp_path / "bad.gtkw"
    bad.write_text(
        gtkw.read_text()
        .replace("in_valid_i", "in_valid_x")
        .replace("out_tag_o[7:0]", "out_tag_o[6:0]")
    )
    problems = check_save_file(bad, dump)
    assert any("in_valid_x" in p for p in problems)
    assert any("out_tag_o is 8 bits" in p for p in problems)
    beyond = tmp_path / "beyond.gtkw"  # a combined lane naming a bit the bus does not have
    beyond.write_text("#{D[9,9]} lut_tensor_core.out_d_o[99999]\n")
    assert check_save_file(beyond, dump)


# --- what GTKWave shows -------------------------------------------------------------------------


def shown_problems(view: gtkwave_view.View, first: dict, units_per_ns: float) -> list[str]:
    """Why GTKWave does not show the first failing response at the marker (empty: it does)."""
    marker = round((first["time_ns"] - first["period_ns"] / 2) * units_per_ns)
    out = []
    if view.marker != marker:
        out.append(f"marker at {view.marker}, not {marker}")
    if not view.shows(view.marker):
        out.append(f"marker {view.marker} outside the window {view.start}..{view.end}")
    if view.values.get(TAG) != str(first["tag"]):
        out.append(f"tag at the marker is {view.values.get(TAG)!r}, not {first['tag']}")
    if view.values.get(VALID) != "1":
        out.append(f"out_valid_o at the marker is {view.values.get(VALID)!r}, not 1")
    return out


def _failing_waves() -> tuple[Path, dict]:
    """`make waves` of a failing job (a planted bug): its folder and its first error.

    One test makes it and reads it: the job's folder is fixed (``build/waves/<job>``), and
    two pytest-xdist workers writing it at once would each replace the other's.
    """
    p = _make("waves", *FAILING)
    assert p.returncode != 0, "the planted bug must fail the job"
    assert "first error at 110 ns (cycle 11, tag 3); marker at 105 ns" in p.stdout, p.stdout
    dump, gtkw = _paths(p.stdout)
    assert gtkw == FAILING_DIR / "waves.gtkw" and dump == FAILING_DIR / "waves.fst"
    first = json.loads((FAILING_DIR / "scoreboard_first_error.json").read_text())
    return FAILING_DIR, first


def _variant(folder: Path, dest: Path, view_line: str) -> Path:
    """A copy of the job's folder whose save file has another ``*zoom marker`` line."""
    shutil.copytree(folder, dest)
    gtkw = dest / "waves.gtkw"
    gtkw.write_text(re.sub(r"(?m)^\*.*$", view_line, gtkw.read_text()))
    return gtkw


@needs("icarus", "gtkwave", "xvfb")
def test_gtkwave_opens_on_the_first_failing_response(tmp_path: Path) -> None:
    """GTKWave shows the failing response at the marker; the old save file fails the check
    (zoom per pixel, marker on the accepting edge)."""
    folder, first = _failing_waves()
    png = folder / "gtkwave.png"  # left beside the waves, to look at
    units = dump_units_per_ns(folder / "waves.fst")
    view = gtkwave_view.render(folder / "waves.gtkw", [TAG, VALID], png)
    assert shown_problems(view, first, units) == []
    assert view.end - view.start > 100 * 1000  # more than ten clock periods in view
    assert png.stat().st_size > 10_000

    edge = round(first["time_ns"] * units)
    rest = " ".join(["-1"] * 26)
    old_zoom = -math.log2(600 * units / 1000)  # 600 ns over 1000 px, per pixel
    old = _variant(folder, tmp_path / "old", f"*{old_zoom:.6f} {edge} {rest}")
    problems = shown_problems(gtkwave_view.render(old, [TAG, VALID]), first, units)
    assert any("outside the window" in p for p in problems), problems
    good_zoom = float(re.search(r"(?m)^\*(\S+)", (folder / "waves.gtkw").read_text())[1])
    on_edge = _variant(folder, tmp_path / "edge", f"*{good_zoom:.6f} {edge} {rest}")
    problems = shown_problems(gtkwave_view.render(on_edge, [TAG, VALID]), first, units)
    assert any("out_valid_o at the marker is '0'" in p for p in problems), problems


# --- the command line ---------------------------------------------------------------------------


def test_make_waves_refuses_without_a_test() -> None:
    p = _make("waves")
    assert p.returncode != 0
    own = re.compile(r"make(\[\d+\])?: ")  # make's own "*** [Makefile:..] Error 2"
    ours = [ln for ln in (p.stdout + p.stderr).splitlines() if not own.match(ln)]
    assert len(ours) == 1 and "TEST=<test>" in ours[0] and "RandomStreamTest" in ours[0]
    p = _make("waves", "TEST=SmokeTest", "SEEDS=3")
    assert "make waves reruns one job: give SEED=<n>, not SEEDS=3" in p.stderr


def test_the_readme_waves_commands_are_real() -> None:
    """The README's `make waves` runs and writes the save file its `gtkwave` line opens."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Waveforms", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    make = next(ln for ln in block.splitlines() if ln.startswith("make waves"))
    view = next(ln for ln in block.splitlines() if ln.startswith("gtkwave "))
    gtkw = ROOT / shlex.split(view)[1]
    shutil.rmtree(gtkw.parent, ignore_errors=True)
    p = _make(*shlex.split(make)[1:])
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert f"open:  gtkwave {shlex.split(view)[1]}" in p.stdout
    assert gtkw.exists() and (gtkw.parent / "waves.fst").exists()
