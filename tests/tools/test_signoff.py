# SPDX-License-Identifier: Apache-2.0
"""The dashboard's signoff section shows the newest mutation and formal runs, or says
there is none; a panel's figures are the run's own."""

from __future__ import annotations

import json
from pathlib import Path

from flow.regress import report, signoff

MUTATE = {
    "run": {"command": "make mutate MUTANTS=4"},
    "summary": {
        "overall": {"counts": {"killed": 3, "survived": 1}, "total": 4, "score": 0.75},
        "core": {"mac": {"counts": {"killed": 3, "survived": 1}, "total": 4, "score": 0.75}},
        "file": {},
        "module": {},
    },
    "mutants": [
        {
            "mutant": {"id": "mac_unit.sv:10:5:op_add"},
            "outcome": {"status": "survived"},
            "repro": "make mutate MUTANT=mac_unit.sv:10:5:op_add",
        }
    ],
}
FORMAL = {
    "rows": [
        {"core": "mac", "config": "M2N4", "group": "handshake", "result": "proven"},
        {"core": "mac", "config": "M2N4", "group": "order", "result": "failed"},
        {"core": "mac", "config": "M2N4", "group": "cover", "result": "reached"},
    ],
    "tasks": [{"core": "mac", "time_s": 12.4}],
}


def _runs(root: Path, name: str, file: str, doc: dict) -> Path:
    run = root / f"{name}-20260101-000000"
    run.mkdir(parents=True)
    (run / file).write_text(json.dumps(doc))
    (root / "latest").symlink_to(run.name)
    return root


def _page(panels: list[dict]) -> str:
    env = report._environment()
    html = []
    for p in panels:
        html.append(env.get_template(p["view"]).render(p=p) if p["view"] else p["missing"])
    return "\n".join(html)


def test_no_run_yet_is_said(tmp_path: Path) -> None:
    m = signoff.mutation_panel(tmp_path, tmp_path / "mutate")
    f = signoff.formal_panel(tmp_path, tmp_path / "formal")
    assert (m["missing"], f["missing"]) == ("make mutate", "make formal")


def test_the_newest_runs_are_shown_with_their_figures(tmp_path: Path) -> None:
    out = tmp_path / "dash"
    m = signoff.mutation_panel(out, _runs(tmp_path / "mutate", "mutate", "mutate.json", MUTATE))
    f = signoff.formal_panel(out, _runs(tmp_path / "formal", "formal", "formal.json", FORMAL))
    assert m["score_text"] == "75.0 %" and m["run"] == "mutate-20260101-000000"
    assert m["page"] == "../mutate/mutate-20260101-000000/mutate.html"
    assert f["core_rows"] == [
        {
            "name": "mac",
            "proven": 1,
            "failed": 1,
            "unknown": 0,
            "properties": 2,
            "covers_reached": 1,
            "covers": 1,
            "configs": ["M2N4"],
            "time_s": 12.4,
            "ok": False,
        }
    ]
    html = _page([m, f])
    assert "mac_unit.sv:10:5:op_add" in html and "make mutate MUTANT=" in html
    assert '<td class="n bad">1</td>' in html  # the failed property stands out
    assert "1 / 2" in html and "12 s" in html


def test_an_unreadable_run_is_an_error_line_not_a_traceback(tmp_path: Path) -> None:
    runs = _runs(tmp_path / "mutate", "mutate", "mutate.json", {"run": {}})
    p = signoff.mutation_panel(tmp_path, runs)
    assert p["error"] and not p["view"]
