# SPDX-License-Identifier: Apache-2.0
"""What ``make cov`` shows besides the counts: hole patterns, first hits, the reason each
run has no dump (as the runner words its verdicts), and the testpoint view with its
data file held equal to the verification plan and to the coverage that exists.

No simulator: synthetic dumps and run records, and the runner's own message producers.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from flow.covdb import CovError, collect, merge
from flow.covdb import testpoints as tpdata
from flow.covdb.holes import ANY, hole_patterns
from flow.covdb.model import ConfigCoverage, CoverPoint
from flow.covdb.runs import parse_run, why_no_dump
from flow.regress import group
from flow.regress.jobs import Job, job_to_dict
from models.config import CONFIGS, CORES, config_by_name
from tools import covmerge, doc_tables

ROOT = Path(__file__).resolve().parents[2]


# --- hole patterns ---------------------------------------------------------------------
def _cross(holes: set[tuple], hit: set[tuple], excluded: set[tuple]) -> CoverPoint:
    p = CoverPoint("cross_a_b_c", crossed=("cp_a", "cp_b", "cp_c"))
    for t in holes | hit | excluded:
        p.bins[f"<{','.join(t)}>"] = 1 if t in hit else 0
    p.excluded = {f"<{','.join(t)}>": "unreachable" for t in excluded}
    return p


def _expand(p: CoverPoint, values: tuple[str, ...]) -> set[tuple]:
    counted = [p.components(b) for b in p.counted]
    return {b for b in counted if all(v in (ANY, x) for v, x in zip(values, b, strict=True))}


def test_hole_patterns_name_exactly_the_holes_and_never_overlap() -> None:
    rng = random.Random(7)
    axes = (["a0", "a1", "a2"], ["b0", "b1", "b2", "b3"], ["c0", "c1"])
    for _ in range(200):
        every = list(itertools.product(*axes))
        kind = {t: rng.choice("hhhxe") for t in every}  # holes, hits, excluded
        p = _cross(
            {t for t in every if kind[t] == "h"},
            {t for t in every if kind[t] == "x"},
            {t for t in every if kind[t] == "e"},
        )
        pats = hole_patterns(p)
        covered = [_expand(p, x.values) for x in pats]
        assert [len(c) for c in covered] == [x.holes for x in pats]
        assert sum(x.holes for x in pats) == len(p.holes())  # disjoint ...
        assert set().union(*covered) == {p.components(b) for b in p.holes()}  # ... and exact


def test_a_missing_behaviour_is_one_pattern_and_a_hit_bin_is_never_claimed() -> None:
    every = set(itertools.product(["lutgen", "illegal"], ["w0", "w1"], ["t0", "t1"]))
    illegal = {t for t in every if t[0] == "illegal"}
    hit = every - illegal
    # one excluded bin: "any" still means every value that counts
    p = _cross(illegal - {("illegal", "w1", "t1")}, hit, {("illegal", "w1", "t1")})
    assert [(x.values, x.holes) for x in hole_patterns(p)] == [(("illegal", ANY, ANY), 3)]
    # a hit bin in the middle of them splits the pattern
    p = _cross(illegal - {("illegal", "w1", "t1")}, hit | {("illegal", "w1", "t1")}, set())
    pats = hole_patterns(p)
    assert all(("illegal", "w1", "t1") not in _expand(p, x.values) for x in pats)
    assert sum(x.holes for x in pats) == 3 and len(pats) == 2


# --- first hit -------------------------------------------------------------------------
def _dump(path: Path, test: str, seed: int, hits: dict[str, int]) -> None:
    meta = {"test": test, "seed": seed, "config": "M2N4", "sim": "icarus", "transport": "pins"}
    path.write_text(json.dumps({"_meta": meta, "g": {"cp": hits}}))


def test_the_first_hit_follows_the_run_json_job_order_not_the_file_names(tmp_path: Path) -> None:
    cov = tmp_path / "cov"
    cov.mkdir()
    _dump(cov / "a-job.json", "Early", 1, {"x": 1, "y": 0, "z": 0})
    _dump(cov / "b-job.json", "Late", 2, {"x": 5, "y": 2, "z": 0})
    jobs = [{"job_id": "b-job", "test": "Late", "result": "PASS"}]
    jobs.append({"job_id": "a-job", "test": "Early", "result": "PASS"})
    (tmp_path / "run.json").write_text(json.dumps({"jobs": jobs}))
    (c,) = merge(collect([cov]).dumps)
    first = c.groups["g"].points["cp"].first
    assert {b: r.test for b, r in first.items()} == {"x": "Late", "y": "Late"}  # z: no one
    # without run.json "first" is by file name, numbers in numeric order
    (tmp_path / "run.json").unlink()
    _dump(cov / "T-10.json", "Ten", 10, {"x": 1, "y": 0, "z": 1})
    _dump(cov / "T-9.json", "Nine", 9, {"x": 0, "y": 0, "z": 1})
    (c,) = merge(collect([cov]).dumps)
    assert c.groups["g"].points["cp"].first["z"].test == "Nine"
    assert [r.name for r in c.runs] == ["T-9", "T-10", "a-job", "b-job"]


# --- why a run has no dump, from what the runner writes ------------------------------------
def _record(job: Job, result: str, message: str, cov_expected: bool = True) -> dict:
    """A job as flow/regress/runner.py records it in run.json (the fields the merge reads)."""
    return {
        "job_id": job.job_id,
        **job_to_dict(job),
        "result": result,
        "message": message,
        "cov_expected": cov_expected,
    }


def _skipped_message(tmp_path: Path) -> str:
    """What the runner makes of a test cocotb skipped (its results-file reader)."""
    xml = tmp_path / "results.xml"
    root = ET.Element("testsuites")
    case = ET.SubElement(root, "testcase", name="job0000_SmokeTest")
    ET.SubElement(case, "skipped", message="the build has no FP datapath")
    ET.ElementTree(root).write(xml)
    ((result, message, *_),) = group._verdicts(xml).values()
    assert result == "ERROR"
    return message


def test_every_reason_a_run_has_no_dump_is_the_right_one(tmp_path: Path) -> None:
    clean = Job("RandomStreamTest", 1, "icarus", "M2N4")
    bug = Job("RandomStreamTest", 1, "icarus", "M2N4", defines=("LUT_TC_BUG_NO_NEGATE",))
    off = Job("BenchTest", 1, "icarus", "M2N4", env=(("LUT_TC_COV", "0"),))
    proto = Job("ProtocolBugTest", 1, "icarus", "M2N4")
    sb = "scoreboard: 57 errors {'mismatch': 57}"  # tb/scoreboard.py check_phase
    crash = group._crash_message(-11, "line one\nSegmentation fault")
    hang = "hang: no progress for 1800 s, process killed"
    cases = [
        # a failing repro of a planted-bug job: by design, with its verdict
        (bug, "FAIL", sb, False, "no dump, by design: a planted bug (LUT_TC_BUG_NO_NEGATE)"),
        (bug, "PASS", "", False, "no dump, by design: a planted bug (LUT_TC_BUG_NO_NEGATE)"),
        (off, "PASS", "", True, "no dump, by design: coverage off (LUT_TC_COV=0"),
        (proto, "PASS", "", False, "no dump, by design: the test passes by ending with the error"),
        (clean, "FAIL", sb, True, "reached its end and failed the scoreboard's end-of-run check"),
        (clean, "FAIL", "DutHang: no transfer for 5000 cycles", True, "failed during its run"),
        (clean, "ERROR", hang, True, "timed out, the watchdog killed its simulator"),
        (clean, "ERROR", crash, True, "the simulator crashed while it ran"),
        (clean, "ERROR", _skipped_message(tmp_path), True, "not run, cocotb skipped it"),
        (clean, "ERROR", "did not run (no result recorded)", True, "its simulator process ended"),
        (clean, "ERROR", "ERROR: FileNotFoundError: no build", True, "its simulator did not start"),
        (clean, "PASS", "", True, "coverage was off in its run, its log has no coverage"),
    ]
    for job, result, message, expected, says in cases:
        (parsed,) = parse_run({"jobs": [_record(job, result, message, expected)]}).jobs
        why = why_no_dump(parsed, "" if "its log" in says else None)  # a log without coverage
        assert says in why, (job.job_id, result, why)
        if result != "PASS":
            assert f"{result}: " in why  # the runner's verdict is shown with it
        assert "before the end of its run" not in why
    # the runner's wording that the reasons key on is still the runner's
    src = (ROOT / "flow" / "regress" / "group.py").read_text()
    assert 'f"hang: no progress' in src and '"did not run (no result recorded)"' in src
    assert 'f"ERROR: {err}"' in src and "skipped, not run:" in src
    assert 'f"scoreboard: {self.errors} errors' in (ROOT / "tb" / "scoreboard.py").read_text()
    assert 'f"coverage: {total' in (ROOT / "tb" / "coverage" / "collector.py").read_text()
    # a passed run whose log reports its coverage but left no dump is still suspicious
    (parsed,) = parse_run({"jobs": [_record(clean, "PASS", "")]}).jobs
    assert "suspicious" in why_no_dump(parsed, "INFO coverage: 192/733 bins hit\n")
    assert "suspicious" in why_no_dump(parsed)  # no log to read


# --- testpoints ------------------------------------------------------------------------
def _known_coverage() -> dict[str, set[str]]:
    """Every covergroup and point the collector has, on every configuration of every core."""
    from tb.coverage.collector import CoverageCounts

    known: dict[str, set[str]] = {}
    for core in CORES:
        for name, cfg in CONFIGS.items():
            if not cfg.fits(core):
                continue
            for g, pts in CoverageCounts(config_by_name(name, core)).hits().items():
                if not g.startswith("_"):
                    known.setdefault(g, set()).update(pts)
    return known


def test_the_testpoint_data_names_only_coverage_that_exists() -> None:
    tps = tpdata.load()
    known = _known_coverage()
    assert tpdata.unknown_names(tps, known) == []
    assert any(tp.coverage for tp in tps)
    # negative: a renamed point or covergroup is named, with its testpoint
    odd = [tpdata.Testpoint(3, "x", "y", ("instr.cross_nope", "stalls", "wrap"))]
    assert tpdata.unknown_names(odd, known) == [
        "testpoint 3: instr.cross_nope",
        "testpoint 3: stalls",
    ]


def test_the_plan_table_is_the_data_file() -> None:
    """The plan's testpoint table is one of the docs' generated tables."""
    path, render = doc_tables.TABLES["testpoints"]
    plan = path.read_text()
    tps = tpdata.load()
    assert render() == tpdata.markdown_table(tps)
    assert doc_tables.splice(plan, "testpoints", render()) == plan
    # negative: a plan edited by hand, or a data file that changed, no longer matches
    edited = plan.replace("| 8 | reset at any", "| 8 | resets at any")
    assert edited != plan and doc_tables.splice(edited, "testpoints", render()) == plan
    changed = [dataclasses.replace(t, note="other") if t.id == 8 else t for t in tps]
    assert doc_tables.splice(plan, "testpoints", tpdata.markdown_table(changed)) != plan
    with pytest.raises(ValueError, match="no <!-- BEGIN testpoints"):
        doc_tables.splice("# a plan without the table\n", "testpoints", render())


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ({"testpoint": [{"id": 1, "what": "w", "tests": "t", "covergroup": []}]}, "unknown key"),
        ({"testpoint": [{"id": 1, "what": "w"}]}, "no tests"),
        ({"testpoint": [{"id": 1, "what": "w", "tests": "t", "cores": ["gpu"]}]}, "core 'gpu'"),
        ({"testpoint": [{"id": 2, "what": "w", "tests": "t"}] * 2}, "ids must ascend"),
        ({"testpoint": [{"id": "1", "what": "w", "tests": "t"}]}, "id must be an integer"),
        ({"testpoints": []}, "unknown key 'testpoints'"),
        (
            {"testpoint": [{"id": 1, "what": "w", "tests": "t", "formal": "maybe"}]},
            "formal 'maybe' unknown; choose one of proven, simulated, both",
        ),
    ],
)
def test_a_bad_testpoint_file_is_one_line(doc: dict, says: str) -> None:
    with pytest.raises(CovError, match=says) as e:
        tpdata.parse(doc, Path("tp.toml"))
    assert str(e.value).startswith("tp.toml: ") and "\n" not in str(e.value)


def _cov(config: str, groups: dict[str, dict[str, dict[str, int]]]) -> ConfigCoverage:
    c = ConfigCoverage(config)
    for g, pts in groups.items():
        for p, bins in pts.items():
            c.point(g, p).bins.update(bins)
    return c


def test_a_testpoint_closes_over_its_covergroups_and_cores_only() -> None:
    lut = _cov("M2N4FP", {"fp_acc": {"cp": {"a": 1, "b": 0}}, "stall": {"cp": {"s": 1}}})
    mac = _cov("mac:M2N4FP", {"fp_acc": {"cp": {"a": 1, "b": 1}}, "stall": {"cp": {"s": 0}}})
    fp = tpdata.Testpoint(24, "mac FP", "t", ("fp_acc",), cores=("mac",))
    assert tpdata.closure(fp, [lut, mac]) == [tpdata.Closure("mac:M2N4FP", 2, 2, 0)]
    every = tpdata.Testpoint(13, "all", "t", ("*",))
    assert [(c.config, c.hit, c.bins) for c in tpdata.closure(every, [lut, mac])] == [
        ("M2N4FP", 2, 3),
        ("mac:M2N4FP", 2, 3),
    ]
    point = tpdata.Testpoint(7, "stalls", "t", ("stall.cp", "stall"))  # named twice: once
    assert tpdata.closure(point, [lut]) == [tpdata.Closure("M2N4FP", 1, 1, 0)]
    assert tpdata.closure(tpdata.Testpoint(1, "x", "t", ("extremes",)), [lut, mac]) == []
    # a configuration without one of its covergroups (FP on an integer one) does not count
    fp_core = tpdata.Testpoint(19, "FP", "t", ("stall", "fp_acc"))
    integer = _cov("M2N4", {"stall": {"cp": {"s": 0}}})
    assert [c.config for c in tpdata.closure(fp_core, [integer, lut])] == ["M2N4FP"]


def test_covmerge_refuses_a_named_testpoint_file_it_cannot_use(tmp_path: Path) -> None:
    cov = tmp_path / "cov"
    cov.mkdir()
    _dump(cov / "a.json", "T", 1, {"x": 1})
    bad = tmp_path / "tp.toml"
    bad.write_text("[[testpoint]]\nid = 1\n")
    r = subprocess.run(
        [sys.executable, "tools/covmerge.py", str(cov), "--testpoints", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"covmerge: {bad}: testpoint 1: no what\n"
    good = tmp_path / "good.toml"
    good.write_text('[[testpoint]]\nid = 1\nwhat = "x is seen"\ntests = "T"\ncoverage = ["g"]\n')
    assert covmerge.main([str(cov), "--testpoints", str(good), "--no-files"]) == 0
