# SPDX-License-Identifier: Apache-2.0
"""The mutation report: the score's definition, the dashboard panel's figures, rerun commands."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flow.mutate import campaign, report
from flow.mutate.source import Mutant

M = Mutant("lut_unit.sv", 91, 28, "op_sub", 0, 1, "-", "+", "lut_unit")


def _rec(mid: str, file: str, status: str, cores=("lut_tc",)) -> dict:
    return {
        "mutant": {"id": mid, "file": file, "module": file.split(".")[0]},
        "cores": list(cores),
        "outcome": {"status": status, "by": "SmokeTest", "detail": "", "assertion": False},
        "diff": f"--- a/rtl/{file}\n+++ b/rtl/{file}\n",
        "repro": f"make mutate MUTANT={mid}",
    }


def test_score_counts_what_could_be_noticed() -> None:
    c = Counter(killed=6, timed_out=1, survived=1, equivalent=5, did_not_build=3, error=1)
    assert report.score(c) == pytest.approx(7 / 8)
    assert report.score(Counter(equivalent=2)) is None


def test_panel_gives_the_dashboard_figures(tmp_path: Path) -> None:
    recs = [
        _rec("a.sv:1:1:op_add", "a.sv", "killed", ("lut_tc", "mac")),
        _rec("a.sv:2:1:op_add", "a.sv", "survived"),
        _rec("b.sv:1:1:if_neg", "b.sv", "equivalent", ("mac",)),
    ]
    doc = {
        "run": {"command": "make mutate", "sim": "icarus", "seed": 1, "jobs": 2, "wall_s": 1.0},
        "summary": report.summarize(recs),
        "mutants": recs,
    }
    path = tmp_path / "mutate.json"
    path.write_text(json.dumps(doc))
    p = report.panel(path)
    assert p["score"] == pytest.approx(0.5) and p["total"] == 3
    assert p["cores"]["mac"]["score"] == pytest.approx(1.0)
    assert p["cores"]["lut_tc"]["counts"] == {"killed": 1, "survived": 1}
    assert p["files"]["b.sv"]["score"] is None
    assert p["survivors"] == [
        {"id": "a.sv:2:1:op_add", "repro": "make mutate MUTANT=a.sv:2:1:op_add"}
    ]
    assert p["html"].endswith("mutate.html") and p["command"] == "make mutate"
    report.write_html(doc, tmp_path / "mutate.html")
    page = (tmp_path / "mutate.html").read_text()
    assert page.index("a.sv:2:1:op_add") < page.index("a.sv:1:1:op_add")  # survivors first
    text = report.text(doc)
    assert (
        "SURVIVED a.sv:2:1:op_add" in text and "rerun: make mutate MUTANT=a.sv:2:1:op_add" in text
    )
    assert "a.sv:1:1:op_add" not in text.split("SURVIVED", 1)[1]


def test_rerun_commands_name_what_changes_the_run() -> None:
    assert campaign.repro(M, campaign.Options(), "icarus") == f"make mutate MUTANT={M.id}"
    o = campaign.Options(sim_override=True, cores=("mac",))
    assert campaign.repro(M, o, "verilator") == f"make mutate MUTANT={M.id} SIM=verilator CORE=mac"
    o = campaign.Options(suite_path="my.toml")
    assert campaign.repro(M, o, "icarus") == (
        f".venv/bin/python tools/mutate.py --mutant {M.id} --suite my.toml"
    )
