# SPDX-License-Identifier: Apache-2.0
"""make crosscheck: two simulators' response logs compared bit for bit, and what it reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from flow.regress.jobs import Job
from tb.responses import LOG_FILE
from tools import crosscheck

ROOT = Path(__file__).resolve().parents[2]


def _rows(n: int = 50, lanes: int = 8, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tag = np.arange(n) % 16
    status = np.zeros(n, np.int64)
    d = rng.integers(-(2**31), 2**31, size=(n, lanes))
    return np.column_stack([tag, status, d]).astype(np.int64)


def test_identical_logs_have_no_difference() -> None:
    a = _rows()
    assert crosscheck.first_difference(a, a.copy()) == ""


def test_the_first_differing_response_is_named_with_its_field() -> None:
    a = _rows()
    b = a.copy()
    b[17, 2 + 3] ^= 1  # one bit of one D lane
    b[30, 1] = 4  # a later status: not the first
    got = crosscheck.first_difference(a, b)
    assert got.startswith("response 17 (of 50): D differs in 1 lanes, first lane 3")
    c = a.copy()
    c[5, 0] = 9
    assert "response 5 (of 50): tag" in crosscheck.first_difference(a, c)
    assert "icarus gave 50 responses, verilator 49" in crosscheck.first_difference(a, a[:49])


def test_compare_reads_each_jobs_logs_and_flags_a_missing_one(tmp_path: Path) -> None:
    ica = Job("SmokeTest", 1, "icarus", "M2N4")
    ver = Job("SmokeTest", 1, "verilator", "M2N4")
    other = Job("RandomStreamTest", 1, "icarus", "M2N4")
    a = _rows()
    b = a.copy()
    b[2, 5] += 1
    for job, rows in ((ica, a), (ver, b), (other, a)):
        d = tmp_path / "runs" / job.job_id
        d.mkdir(parents=True)
        np.savez_compressed(d / LOG_FILE, rows=rows)
    pairs = [
        crosscheck.Pair(ica, ver),
        crosscheck.Pair(other, Job("RandomStreamTest", 1, "verilator", "M2N4")),
    ]
    crosscheck.compare(tmp_path, pairs)
    assert pairs[0].rows == 50 and pairs[0].difference.startswith("response 2 (of 50)")
    assert pairs[1].difference == "no response log from verilator (did it run?)"


def test_bad_values_answer_one_line() -> None:
    for argv, line in (
        (["--suite", "nope"], "suite='nope' unknown"),
        (["--jobs", "0"], "JOBS=0 must be >= 1"),
        (["--transport", "wires"], "transport='wires' unknown"),
    ):
        p = subprocess.run(
            [sys.executable, "tools/crosscheck.py", *argv], cwd=ROOT, capture_output=True, text=True
        )
        assert p.returncode == 2 and line in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_a_transport_names_the_jobs_it_leaves_out(tmp_path: Path, monkeypatch, capsys) -> None:
    """``TRANSPORT=batch`` narrows the suite and says which job cannot run there."""
    ran: list[Job] = []
    monkeypatch.setattr(crosscheck.simrun, "have_sim", lambda sim: True)
    monkeypatch.setattr(crosscheck, "run_jobs", lambda label, jobs, *a, **k: ran.extend(jobs) or 0)
    rc = crosscheck.main(["--transport", "batch", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "left out on transport batch: 1 job of ResetInFlightTest" in out
    assert ran and {j.transport for j in ran} == {"batch"}
    assert rc == 1  # nothing ran here, so no response logs to compare
