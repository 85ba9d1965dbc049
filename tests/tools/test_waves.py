"""`make waves`: a traced rerun writes an FST and a save file whose every signal exists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tb import simrun
from tests.needs import needs
from tools.waves import check_save_file

ROOT = Path(__file__).resolve().parents[2]


def _tracing(sim: str) -> pytest.MarkDecorator:
    """The simulator, and for Verilator's FST writer liblz4-dev."""
    return needs(sim, "lz4") if sim == "verilator" else needs(sim)


@pytest.mark.parametrize("transport", ["pins", "batch"])  # the core, the core in the bridge
@pytest.mark.parametrize("sim", [pytest.param(s, marks=_tracing(s)) for s in simrun.SIMS])
def test_waves_save_file_matches_dump(sim: str, transport: str) -> None:
    cmd = [
        sys.executable,
        "tools/regress.py",
        "--waves",
        "--test",
        "StreamRandomTest",
        "--transport",
        transport,
        "--sim",
        sim,
        "--config",
        "M2N4",
        "--seed",
        "1",
    ]
    env = {**os.environ, "LUT_TC_SCALE": "0.1"}  # a short trace is enough
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "warning:" not in p.stdout
    gtkw = Path(p.stdout.split("open:  gtkwave ")[1].split()[0])
    dump = Path(p.stdout.split("waves: ")[1].split()[0])
    assert dump.suffix == ".fst" and dump.stat().st_size > 0
    assert check_save_file(gtkw, dump) == []


@needs("icarus")
def test_check_save_file_catches_a_wrong_signal(tmp_path: Path) -> None:
    """The checker itself must bite: a renamed signal is reported."""
    cmd = [
        sys.executable,
        "tools/regress.py",
        "--waves",
        "--test",
        "SmokeTest",
        "--sim",
        "icarus",
        "--config",
        "M2N4",
        "--seed",
        "2",
    ]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    gtkw = Path(p.stdout.split("open:  gtkwave ")[1].split()[0])
    dump = Path(p.stdout.split("waves: ")[1].split()[0])
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


@needs("icarus")
def test_waves_open_at_the_first_error_with_a_marker() -> None:
    """A failing run's save file is zoomed around its first error, the marker on it."""
    cmd = [
        sys.executable,
        "tools/regress.py",
        "--waves",
        "--test",
        "BrokenPredictionTest",  # passes, but its scoreboard saw (planted) errors
        "--transport",
        "batch",
        "--sim",
        "icarus",
        "--config",
        "M2N4",
        "--seed",
        "2",
    ]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    at_ns = float(p.stdout.split("first error at ")[1].split()[0])
    gtkw = Path(p.stdout.split("open:  gtkwave ")[1].split()[0])
    lines = gtkw.read_text().splitlines()
    view = next(line for line in lines if line.startswith("*"))
    zoom, marker = float(view[1:].split()[0]), int(view.split()[1])
    assert marker == round(at_ns * 1000)  # FST time units: ps
    start = int(next(line for line in lines if line.startswith("[timestart]")).split()[1])
    assert start <= marker and marker - start <= 300_000
    assert 2.0**-zoom * 1000 == pytest.approx(600_000, rel=1e-6)  # a 600 ns window
    lanes = [line for line in lines if line.startswith("#{D[")]
    assert len(lanes) == 2 * 4 and lanes[0].startswith("#{D[0,0]}")  # M2N4: one per lane
    dump = Path(p.stdout.split("waves: ")[1].split()[0])
    assert check_save_file(gtkw, dump) == []
