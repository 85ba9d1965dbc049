"""Coverage merge: sums, UCIS XML round trip, holes first in text and HTML, exit codes.

Synthetic dumps in the layout ``tb/coverage.py`` writes; no simulator.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from ucis.cover_type_t import CoverTypeT
from ucis.scope_type_t import ScopeTypeT
from ucis.xml import validate_ucis_xml
from ucis.xml.xml_factory import XmlFactory

from tb.covdb import Hole, load_dumps, merge, read_ucis, reason_summary, write_ucis
from tools import covmerge

ROOT = Path(__file__).resolve().parents[2]
HOLE = "<a1,b1>"
EXCLUDED = "<a0,b1>"
REASON = "a0 never meets b1"


def _dump(test: str, seed: int, a: list[int], b: list[int], cross: list[int]) -> dict:
    """One run: covergroup ``g`` (two coverpoints and their cross) and ``h``; one excluded bin."""
    return {
        "_meta": {
            "test": test,
            "seed": seed,
            "config": "M2N4",
            "sim": "icarus",
            "transport": "bfm",
        },
        "g": {
            "cp_a": dict(zip(("a0", "a1", "a2"), a, strict=True)),
            "cp_b": dict(zip(("b0", "b1"), b, strict=True)),
            # like the collector: the excluded cross bin is not among the hits
            "cross_a_b": dict(zip(("<a0,b0>", HOLE, "<a2,b0>"), cross, strict=True)),
        },
        "h": {"cp_x": {"x_lo": 1, "x_hi": 2}},
        "_excluded": {"g": {"cross_a_b": {EXCLUDED: REASON}}},
    }


def _write(d: Path, hole_hits: int = 0) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "T1_1.json").write_text(json.dumps(_dump("T1", 1, [2, 0, 1], [1, 0], [1, 0, 1])))
    cross = [2, hole_hits, 0]
    (d / "T2_2.json").write_text(json.dumps(_dump("T2", 2, [1, 3, 0], [0, 4], cross)))
    return d


@pytest.fixture
def dumps(tmp_path: Path) -> Path:
    return _write(tmp_path / "cov")


def test_merge_sums_hits_per_bin(dumps: Path) -> None:
    (cov,) = merge(load_dumps([dumps]))
    g = cov.groups["g"]
    assert g.points["cp_a"].bins == {"a0": 3, "a1": 3, "a2": 1}
    assert g.points["cp_b"].bins == {"b0": 1, "b1": 4}
    cross = g.points["cross_a_b"]
    assert cross.crossed == ("cp_a", "cp_b")
    assert cross.bins == {"<a0,b0>": 3, EXCLUDED: 0, HOLE: 0, "<a2,b0>": 1}
    assert cross.excluded == {EXCLUDED: REASON}
    assert cov.holes() == [Hole("M2N4", "g", "cross_a_b", HOLE)]
    assert (cov.n_hit, cov.n_bins, cov.n_excluded) == (9, 10, 1)
    assert [(r.test, r.seed, r.sim, r.transport) for r in cov.runs] == [
        ("T1", "1", "icarus", "bfm"),
        ("T2", "2", "icarus", "bfm"),
    ]


def test_ucis_xml_reads_back_through_pyucis(dumps: Path, tmp_path: Path) -> None:
    (cov,) = merge(load_dumps([dumps]))
    path = write_ucis(cov, tmp_path / "M2N4.xml")
    assert validate_ucis_xml(str(path))
    db = XmlFactory.read(str(path))
    (inst,) = db.scopes(ScopeTypeT.INSTANCE)
    got = {}
    for cg in inst.scopes(ScopeTypeT.COVERGROUP):
        for sc in [*cg.scopes(ScopeTypeT.COVERPOINT), *cg.scopes(ScopeTypeT.CROSS)]:
            items = sc.coverItems(CoverTypeT.CVGBIN | CoverTypeT.IGNOREBIN)
            got[(cg.getScopeName(), sc.getScopeName())] = {
                ci.getName(): ci.getCoverData().data for ci in items
            }
    want = {(g.name, p.name): p.bins for g in cov.groups.values() for p in g.points.values()}
    assert got == want
    # the exclusion is a UCIS ignore bin with its reason (pyucis writes every cross bin "default")
    (el,) = etree.parse(str(path)).xpath(f'//crossBin[@name="{EXCLUDED}"]')
    assert el.get("type") == "ignore"
    assert el.find("userAttr[@key='exclusion']").text == REASON
    assert read_ucis(path) == cov  # counts, exclusions, crosses and runs all survive


def test_text_report_lists_the_hole_first(dumps: Path, capsys: pytest.CaptureFixture) -> None:
    assert covmerge.main([str(dumps)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("HOLES: 1 bin")
    hole_line = next(i for i, s in enumerate(lines) if HOLE in s)
    assert "g.cross_a_b" in lines[hole_line]
    first_table = next(i for i, s in enumerate(lines) if s.startswith("== M2N4"))
    assert hole_line < first_table
    assert "1 bin(s) in 1 point(s)" in out and "{cp_a} never meets {cp_b}" in out
    assert (dumps / "merged" / "M2N4.xml").is_file()
    assert lines[-1].startswith("HTML report: ") and lines[-1].endswith("report/index.html")


def test_strict_exits_1_on_a_hole_and_0_without(tmp_path: Path) -> None:
    holey = _write(tmp_path / "holey")
    closed = _write(tmp_path / "closed", hole_hits=5)
    assert covmerge.main([str(holey), "--strict", "--no-files"]) == 1
    assert covmerge.main([str(holey), "--no-files"]) == 0
    assert covmerge.main([str(closed), "--strict", "--no-files"]) == 0


def test_html_names_the_hole_before_the_first_covergroup_table(dumps: Path) -> None:
    assert covmerge.main([str(dumps)]) == 0
    page = (dumps / "report" / "index.html").read_text()
    hole = page.find(html.escape(HOLE))
    assert 0 < hole < page.index('<table class="groups"') < page.index('<table class="bins"')
    assert html.escape(REASON) in page and 'href="../merged/M2N4.xml"' in page


def test_out_json_keeps_the_dump_layout(dumps: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    assert covmerge.main([str(dumps), "--out", str(out), "--no-files"]) == 0
    doc = json.loads(out.read_text())["M2N4"]
    assert doc["g"]["cross_a_b"] == {"<a0,b0>": 3, HOLE: 0, "<a2,b0>": 1}
    assert doc["_excluded"] == {"g": {"cross_a_b": {EXCLUDED: REASON}}}


def test_reasons_are_summarized_by_rule(tmp_path: Path) -> None:
    """Reasons that differ only in the bin's own values are one rule."""
    doc = _dump("T1", 1, [0, 0, 0], [0, 0], [0, 0, 0])
    doc["_excluded"]["g"]["cross_a_b"] = {
        "<a0,b1>": "a0 with b1 is unreachable",
        "<a2,b1>": "a2 with b1 is unreachable",
        "<a1,b0>": "reserved",
    }
    (tmp_path / "d.json").write_text(json.dumps(doc))
    (cov,) = merge(load_dumps([tmp_path]))
    assert reason_summary(cov.groups["g"].points["cross_a_b"]) == [
        (2, "{cp_a} with {cp_b} is unreachable", "<a0,b1>"),
        (1, "reserved", "<a1,b0>"),
    ]


NOT_A_DUMP = {
    "no_meta": {"g": {"cp": {"b": 1}}},
    "bad_count": {"_meta": {"config": "M2N4"}, "g": {"cp": {"b": "many"}}},
    "merged_json": {"M2N4": {"g": {"cp": {"b": 1}}, "_excluded": {}}},
    "a_list": [1, 2],
}


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("missing", "no such file or directory"),
        ("empty", "no coverage dumps"),
        ("not_json", "not JSON"),
        *((k, "not a coverage dump") for k in NOT_A_DUMP),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path: Path, case: str, says: str) -> None:
    target = tmp_path / "cov"
    if case != "missing":
        target.mkdir()
    if case == "not_json":
        (target / "run.json").write_text("{nope")
    elif case in NOT_A_DUMP:
        _write(target)
        (target / "run.json").write_text(json.dumps(NOT_A_DUMP[case]))
    r = subprocess.run(
        [sys.executable, "tools/covmerge.py", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("covmerge: ") and says in r.stderr
    assert str(target) in r.stderr
