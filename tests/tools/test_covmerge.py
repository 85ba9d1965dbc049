# SPDX-License-Identifier: Apache-2.0
"""Coverage merge: sums, UCIS XML round trip, holes first in text and HTML, exit codes,
what was not merged against the regression's run.json, excluded bins explained.

Synthetic dumps in the layout ``tb/coverage/collector.py`` writes; no simulator.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from ucis.cover_type_t import CoverTypeT
from ucis.scope_type_t import ScopeTypeT
from ucis.xml import validate_ucis_xml
from ucis.xml.xml_factory import XmlFactory

from flow.covdb import (
    Hole,
    load_dumps,
    merge,
    read_ucis,
    reason_families,
    reason_summary,
    summary,
    write_ucis,
)
from models.config import config_by_name
from tb.coverage.bins import (
    STATUS_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)
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


def test_html_opens_on_the_summary_then_testpoints_then_the_holes(dumps: Path) -> None:
    assert covmerge.main([str(dumps)]) == 0
    page = (dumps / "report" / "index.html").read_text()
    at = [page.index(f'<section id="{s}"') for s in ("summary", "testpoints", "holes", "runs")]
    assert at == sorted(at) and at[-1] < page.index('<section id="M2N4"')
    summary_html = page[at[0] : at[1]]
    # one row per configuration, a column per covergroup: counts and percent
    assert "<th>g</th><th>h</th>" in summary_html and "<small>7/8</small>" in summary_html
    # the hole, grouped: configuration, covergroup (collapsed), point, counted first
    holes = page[at[2] : at[3]]
    assert holes.index("M2N4") < holes.index("<b>g</b>") < holes.index(html.escape("cross_a_b"))
    assert '<td class="mono">a1</td><td class="mono">b1</td>' in holes  # the hole as a pattern
    # exclusions by rule (the bin's values masked by their coverpoints), with an example
    assert html.escape("{cp_a} never meets {cp_b}") in page and 'href="../merged/M2N4.xml"' in page
    # every hit bin says which run hit it first (here: by file name, no run.json)
    assert "<td>a0<td>3<td>T1 1" in page and "<td>a1<td>3<td>T2 2" in page


def test_out_json_keeps_the_dump_layout(dumps: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    assert covmerge.main([str(dumps), "--out", str(out), "--no-files"]) == 0
    doc = json.loads(out.read_text())["M2N4"]
    assert doc["g"]["cross_a_b"] == {"<a0,b0>": 3, HOLE: 0, "<a2,b0>": 1}
    assert doc["_excluded"] == {"g": {"cross_a_b": {EXCLUDED: REASON}}}
    first = doc["_first_hit"]["g"]
    assert first["cp_a"]["a1"] == {"test": "T2", "seed": "2", "dump": "T2_2"}
    assert first["cp_a"]["a0"]["test"] == "T1" and HOLE not in first["cross_a_b"]


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
        ("unknown_config", "unknown configuration 'M9N9'"),
        *((k, "not a coverage dump") for k in NOT_A_DUMP),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path: Path, case: str, says: str) -> None:
    """Nothing mergeable: exit 2 and one line naming the file, on stderr."""
    target = tmp_path / "cov"
    if case != "missing":
        target.mkdir()
    if case == "not_json":
        (target / "run.json").write_text("{nope")
    elif case == "unknown_config":
        doc = _dump("T1", 1, [1, 1, 1], [1, 1], [1, 1, 1])
        doc["_meta"]["config"] = "M9N9"
        (target / "T1_1.json").write_text(json.dumps(doc))
    elif case in NOT_A_DUMP:
        (target / "run.json").write_text(json.dumps(NOT_A_DUMP[case]))
    r = _cli(target)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("covmerge: ") and says in r.stderr
    assert str(target) in r.stderr


def _cli(*args: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "tools/covmerge.py", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("case", sorted(NOT_A_DUMP))
def test_a_bad_file_is_left_out_and_the_rest_merged(
    dumps: Path, case: str, capsys: pytest.CaptureFixture
) -> None:
    bad = dumps / "odd.json"
    bad.write_text(json.dumps(NOT_A_DUMP[case]))
    assert covmerge.main([str(dumps), "--no-files"]) == 0
    out = capsys.readouterr().out
    (line,) = [s for s in out.splitlines() if s.startswith("  not merged:")]
    assert line.startswith(f"  not merged: {bad}: not a coverage dump (")
    assert out.splitlines()[0].endswith("; 1 file(s) not merged: listed at the end")
    assert "2 dumps of 2 tests" in out


# --- run.json: what the last regression ran against what was merged --------------------
ID = "icarus-bfm-M2N4-{}-{}"
FAIL_MESSAGE = "AssertionError: D mismatch at instruction 17:\n" + "expected 0x1 got 0x2 " * 10


def _job(test: str, seed: int, result: str, message: str = "") -> dict:
    return {
        "job_id": ID.format(test, seed),
        "test": test,
        "seed": seed,
        "sim": "icarus",
        "config": "M2N4",
        "transport": "bfm",
        "result": result,
        "message": message,
    }


def _run_json(path: Path, jobs: list[dict], started: float | None = None) -> Path:
    when = datetime.fromtimestamp(time.time() - 60 if started is None else started, UTC)
    doc = {"suite": "smoke", "started": when.isoformat(timespec="seconds"), "jobs": jobs}
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def regression(tmp_path: Path) -> Path:
    """A last run of 4 jobs: 2 with dumps, a FAIL and a PASS without; a stale and a corrupt file."""
    cov = tmp_path / "regress" / "cov"
    cov.mkdir(parents=True)
    (cov / f"{ID.format('T1', 1)}.json").write_text(
        json.dumps(_dump("T1", 1, [2, 0, 1], [1, 0], [1, 0, 1]))
    )
    (cov / f"{ID.format('T2', 2)}.json").write_text(
        json.dumps(_dump("T2", 2, [1, 3, 0], [0, 4], [2, 0, 0]))
    )
    (cov / f"{ID.format('Old', 9)}.json").write_text(
        json.dumps(_dump("Old", 9, [9, 9, 9], [9, 9], [9, 9, 9]))
    )
    (cov / f"{ID.format('Bad', 7)}.json").write_text('{"_meta": {"config": "M2N4"}, "g": ')
    jobs = [
        _job("T1", 1, "PASS"),
        _job("T2", 2, "PASS"),
        _job("T3", 3, "FAIL", FAIL_MESSAGE),
        _job("T4", 4, "PASS"),
    ]
    _run_json(tmp_path / "regress" / "run.json", jobs)
    return cov


def test_run_json_says_which_runs_and_files_were_not_merged(
    regression: Path, capsys: pytest.CaptureFixture
) -> None:
    assert covmerge.main([str(regression), "--no-files"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("HOLES: 1 bin(s)")
    assert lines[0].endswith("; 2 of 4 runs not merged and 2 file(s) not merged: listed at the end")
    at = next(i for i, s in enumerate(lines) if s.startswith("merged "))
    run_json = regression.parent / "run.json"
    assert lines[at].startswith(f"merged 2 of 4 runs ({run_json}, suite smoke, started ")
    shown = " ".join(FAIL_MESSAGE.split())[:100]
    assert lines[at + 1 :] == [
        f"  {ID.format('T3', 3)}: no dump: the test failed during its run (FAIL: {shown}...)",
        f"  {ID.format('T4', 4)}: no dump although the run passed (PASS): suspicious, a run that "
        "reaches its end writes one (a test that passes by expecting an error stops early); "
        "see its log",
        f"  not merged: {regression / ID.format('Bad', 7)}.json: not JSON "
        "(Expecting value at line 1)",
        f"  not merged: {regression / ID.format('Old', 9)}.json: not in the last run (stale)",
    ]
    # the stale run's hits are not in the merge: its 9s would close the hole
    assert "== M2N4: 2 dumps of 2 tests on icarus" in lines


def test_summary_is_the_same_merge_as_data(regression: Path) -> None:
    got = summary([regression])
    assert got == {
        "configs": {
            "M2N4": {
                "bins": 10,
                "hit": 9,
                "excluded": 1,
                "excluded_hit": 0,
                "holes": [f"g.cross_a_b.{HOLE}"],
            }
        },
        "unmerged": [ID.format("T3", 3), ID.format("T4", 4)],
        "not_merged": [
            {"file": str(regression / f"{ID.format('Bad', 7)}.json"), "reason": ANY_NOT_JSON},
            {"file": str(regression / f"{ID.format('Old', 9)}.json"), "reason": STALE},
        ],
        "expected": 4,
        "merged": 2,
    }
    assert json.loads(json.dumps(got)) == got  # a dashboard can store it as it is
    run_json = regression.parent / "run.json"
    assert summary([regression], run_json=run_json) == got
    # a runner can summarize before it writes run.json: the record itself will do
    assert summary([str(regression)], json.loads(run_json.read_text())) == got


class _StartsWith(str):
    """Equal to any string that starts with it: the parser's wording may change."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith(str(self))

    __hash__ = str.__hash__


ANY_NOT_JSON = _StartsWith("not JSON (")
STALE = "not in the last run (stale)"


def test_a_run_that_did_not_finish_and_a_dump_older_than_the_run(tmp_path: Path) -> None:
    cov = tmp_path / "cov"
    cov.mkdir()
    old = cov / f"{ID.format('T1', 1)}.json"
    old.write_text(json.dumps(_dump("T1", 1, [1, 1, 1], [1, 1], [1, 1, 1])))
    os.utime(old, (time.time() - 3600, time.time() - 3600))  # left from an hour ago
    (cov / f"{ID.format('T2', 2)}.json").write_text(
        json.dumps(_dump("T2", 2, [1, 1, 1], [1, 1], [1, 0, 1]))
    )
    jobs = [
        _job("T1", 1, "FAIL", "boom"),
        _job("T2", 2, "PASS"),
        _job("T5", 5, "ERROR", "no results file: the simulator did not finish"),
    ]
    run = _run_json(tmp_path / "elsewhere.json", jobs)
    r = _cli(cov, "--run", run, "--no-files")
    assert r.returncode == 0, r.stderr
    tail = r.stdout.splitlines()[-4:]
    assert tail[0].startswith(f"merged 1 of 3 runs ({run}, suite smoke, started ")
    assert tail[1:] == [
        f"  {ID.format('T1', 1)}: its dump is not merged, see the file below (FAIL: boom)",
        f"  {ID.format('T5', 5)}: no dump: the run did not finish "
        "(ERROR: no results file: the simulator did not finish)",
        tail[-1],
    ]
    assert tail[-1].startswith(f"  not merged: {old}: written ")
    assert tail[-1].endswith(", before the last run started (stale)")
    assert summary([cov], run)["not_merged"] == [{"file": str(old), "reason": ANY_STALE_OLD}]


ANY_STALE_OLD = _StartsWith("written ")


def test_a_dump_of_a_planted_bug_is_not_merged(tmp_path: Path) -> None:
    """A broken design's hits would close bins the design never reached: they stay out."""
    cov = tmp_path / "cov"
    cov.mkdir()
    (cov / f"{ID.format('T1', 1)}.json").write_text(
        json.dumps(_dump("T1", 1, [1, 1, 1], [1, 1], [1, 0, 1]))
    )
    bug = cov / f"{ID.format('Bug', 2)}.json"
    bug.write_text(json.dumps(_dump("Bug", 2, [1, 1, 1], [1, 1], [1, 1, 1])))  # closes the hole
    planted = {**_job("Bug", 2, "PASS"), "defines": ["LUT_TC_BUG_NO_NEGATE"]}
    run = _run_json(tmp_path / "run.json", [_job("T1", 1, "PASS"), planted])
    got = summary([cov], run)
    reason = "a planted bug (LUT_TC_BUG_NO_NEGATE): coverage of a broken design is not the design's"
    assert got["not_merged"] == [{"file": str(bug), "reason": reason}]
    assert got["merged"] == 1 and got["configs"]["M2N4"]["holes"]


def test_without_run_json_the_expected_set_is_unknown(
    dumps: Path, capsys: pytest.CaptureFixture
) -> None:
    assert covmerge.main([str(dumps), "--no-files"]) == 0
    out = capsys.readouterr().out
    (line,) = [s for s in out.splitlines() if s.startswith("merged ")]
    assert line == (
        f"merged 2 dumps; the expected set of runs is unknown (no run.json beside {dumps}; "
        "--run PATH names one)"
    )
    assert out.endswith(line + "\n")
    assert summary([dumps])["expected"] is None and summary([dumps])["unmerged"] == []


def test_nothing_merged_is_exit_2(regression: Path, tmp_path: Path) -> None:
    for f in regression.glob("*T[12]-*.json"):
        f.unlink()
    (regression / f"{ID.format('Old', 9)}.json").unlink()
    r = _cli(regression)  # only the corrupt file left, and the run.json beside
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == f"covmerge: nothing merged from {regression}\n"
    assert r.stdout.startswith("merged 0 of 4 runs (")
    assert f"  not merged: {regression / ID.format('Bad', 7)}.json: not JSON (" in r.stdout
    assert summary([regression])["configs"] == {}

    only = tmp_path / "only"
    only.mkdir()
    (only / "x.json").write_text("{nope")
    r = _cli(only)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith(f"covmerge: nothing merged: {only / 'x.json'}: not JSON (")


def test_a_missing_run_json_named_on_the_command_line_is_exit_2(dumps: Path) -> None:
    r = _cli(dumps, "--run", dumps / "nope.json")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"covmerge: {dumps / 'nope.json'}: cannot read (No such file or directory)\n"


# --- excluded bins explained, hit excluded bins, the hint for the holes cut ---------------
def _excluded_dump() -> dict:
    """A cross with 7 excluded bins: 5 of one generated rule (3 causes), 2 of another."""
    doc = _dump("T1", 1, [1, 1, 1], [1, 1], [1, 1, 1])
    doc["g"]["cross_a_b"].update({"<a1,b0>": 1})
    doc["g"]["cp_c"] = {f"c{i}": 1 for i in range(4)}
    doc["g"]["cross_a_c"] = {}
    doc["_excluded"]["g"] = {
        "cross_a_b": {EXCLUDED: REASON},
        "cross_a_c": {
            "<a0,c0>": "a0 with c0 can only answer OK",
            "<a0,c1>": "a0 with c1 can only answer OK",
            "<a1,c0>": "a1 with c0 can only answer OK/ILLEGAL",
            "<a1,c1>": "a1 with c1 can only answer OK/ILLEGAL",
            "<a2,c0>": "a2 with c0 can only answer ILLEGAL",
            "<a2,c2>": "reserved: a2 never meets c2",
            "<a2,c3>": "reserved: a2 never meets c3",
        },
    }
    return doc


def test_excluded_counts_are_explained_and_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "d.json").write_text(json.dumps(_excluded_dump()))
    assert covmerge.main([str(tmp_path), "--no-files"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, s in enumerate(lines) if s.startswith("  excluded: "))
    assert lines[at].startswith("  excluded: 8 bin(s) in 2 point(s), unreachable on M2N4; none hit")
    assert lines[at + 1 : at + 6] == [
        "    7  g.cross_a_c:",
        "       5  {cp_a} with {cp_c} can only answer [...]; [...] (bins): OK (2), OK/ILLEGAL (2),",
        "          ILLEGAL (1)",
        "       2  reserved: {cp_a} never meets {cp_c}",
        "    1  g.cross_a_b: {cp_a} never meets {cp_b}",
    ]
    assert _excluded_sums(lines) == {"M2N4": 8}


def _excluded_sums(lines: list[str]) -> dict[str, int]:
    """Read each configuration's excluded section back; assert that its counts add up.

    Returns the excluded count per configuration: the point counts sum to it,
    the family counts to their point, the causes' counts to their family.
    """
    out: dict[str, int] = {}
    for at, head in enumerate(lines):
        m = re.match(r"  excluded: (\d+) bin\(s\) in \d+ point\(s\), unreachable on (\S+);", head)
        if not m:
            continue
        total, w = int(m.group(1)), len(m.group(1))
        body = []
        for line in lines[at + 1 :]:
            if not line.startswith("    "):
                break
            body.append(line)
        entries: list[list] = []  # [point count, [[family count, text]]]
        for line in body:
            if line[4 : 4 + w].strip().isdigit() and line[4 + w : 6 + w] == "  ":  # a point
                n, rest = int(line[4 : 4 + w]), line[6 + w :].split(":", 1)[1]
                entries.append([n, [[n, rest]] if rest.strip() else []])
            elif fam := re.match(rf" {{{6 + w}}}( *\d+)  (.*)", line):
                entries[-1][1].append([int(fam.group(1)), fam.group(2)])
            else:  # a wrapped line of the last family
                entries[-1][1][-1][1] += " " + line.strip()
        assert sum(n for n, _ in entries) == total, body
        for n, fams in entries:
            assert sum(f for f, _ in fams) == n, fams
            for f, text in fams:
                if "(bins): " in text:
                    causes = re.findall(r"\((\d+)\)", text.split("(bins): ", 1)[1])
                    assert sum(map(int, causes)) == f, text
        out[m.group(2)] = total
    return out


def test_the_instruction_cross_exclusions_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The real unreachable-bin reasons of two configurations, read back from the report."""
    for name in ("M2N64", "M2N4W8"):
        cfg = config_by_name(name)
        unreachable = unreachable_instr_bins(cfg)
        points = {
            "cp_op": op_bins(),
            "cp_wbits": wbits_bins(cfg),
            "cp_afmt": afmt_bins(cfg),
            "cp_treg": treg_bins(cfg),
            "cp_status": STATUS_BINS,
        }
        doc = {
            "_meta": {"test": "T", "seed": 1, "config": name},
            "instr": {cp: {b: 1 for b in bins} for cp, bins in points.items()},
            "_excluded": {
                "instr": {
                    "cross_op_wbits_afmt_treg_status": {
                        f"<{','.join(k)}>": why for k, why in unreachable.items()
                    }
                }
            },
        }
        doc["instr"]["cross_op_wbits_afmt_treg_status"] = {}
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    assert covmerge.main([str(tmp_path), "--no-files"]) == 0
    lines = capsys.readouterr().out.splitlines()
    want = {n: len(unreachable_instr_bins(config_by_name(n))) for n in ("M2N64", "M2N4W8")}
    assert _excluded_sums(lines) == want
    assert want["M2N64"] == 1228
    assert "  excluded: 1228 bin(s) in 1 point(s), unreachable on M2N64; none hit" in "\n".join(
        lines
    )


def test_reason_families_join_rules_that_differ_in_one_word() -> None:
    rules = [
        (4, "x at 1792, so no overflow", "e1"),
        (4, "x at 229376, so no overflow", "e2"),
        (3, "x is exact", "e3"),
        (1, "y at 5, so never", "e4"),
    ]
    assert reason_families(rules) == [
        (8, "x at [...], so no overflow", (("1792", 4), ("229376", 4))),
        (3, "x is exact", ()),
        (1, "y at 5, so never", ()),
    ]


def test_a_hit_excluded_bin_is_loud_and_fails_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    doc = _dump("T1", 1, [1, 1, 1], [1, 1], [1, 1, 1])
    doc["g"]["cross_a_b"][EXCLUDED] = 3  # what a wrong exclusion gives
    (tmp_path / "d.json").write_text(json.dumps(doc))
    assert covmerge.main([str(tmp_path), "--no-files"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("EXCLUDED BINS HIT: 1 (1 on M2N4): ")
    assert "1 of them HIT (listed below)" in out and f"g.cross_a_b.{EXCLUDED}  (3 hits)" in out
    assert covmerge.main([str(tmp_path), "--no-files", "--strict"]) == 1
    assert summary([tmp_path])["configs"]["M2N4"]["excluded_hit"] == 1


def test_holes_cut_end_with_the_hint_and_missed_lists_them_all(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    doc = _dump("T1", 1, [1, 1, 1], [1, 1], [1, 1, 1])
    doc["h"]["cp_many"] = {f"m{i}": 0 for i in range(covmerge.MAX_HOLES + 5)}
    (tmp_path / "d.json").write_text(json.dumps(doc))
    assert covmerge.main([str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    ... and 5 more (make cov MISSED=1 or --missed lists every hole)" in lines
    assert (
        lines[-1]
        == "5 more hole(s) than listed above (make cov MISSED=1 or --missed lists every hole)"
    )
    assert covmerge.main([str(tmp_path), "--missed"]) == 0
    out = capsys.readouterr().out
    assert all(f"h.cp_many  m{i}\n" in out for i in range(covmerge.MAX_HOLES + 5))
    assert "MISSED=1" not in out and out.splitlines()[-1].startswith("HTML report: ")


def test_each_core_merges_apart(monkeypatch) -> None:
    """A dump on the MAC core is labelled ``mac:<config>``, where that core builds the config."""
    from flow.covdb.runs import config_labels
    from tb import knobs

    labels = config_labels()
    assert "M2N64" in labels and "mac:M2N64" in labels and "lut_conv:M2N4I8" in labels
    assert "lut_conv:M2N64FP" not in labels and "mac:M2N64FP" in labels and "M2N64FP" in labels
    monkeypatch.setenv("LUT_TC_CONFIG", "M2N4")
    monkeypatch.setenv("LUT_TC_CORE", "mac")
    assert knobs.config_label() == "mac:M2N4"
    monkeypatch.setenv("LUT_TC_CORE", "lut_tc")
    assert knobs.config_label() == "M2N4"
