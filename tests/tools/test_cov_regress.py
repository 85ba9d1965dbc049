# SPDX-License-Identifier: Apache-2.0
"""``make cov`` after real regressions, checked the way a user meets it.

Two small Icarus runs at M2N4 (the build other runner tests make too): a clean
random stream over two seeds, whose merged JSON must credit each bin to the
first job in run.json that hit it and whose HTML must open, in a real
headless Chromium at 1400 x 900, on the summary and not on holes; and the
failing repro of a planted-bug job, which must be reported as a planted-bug
run (no dump by design), not as a test that stopped early.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import lxml.html

from tests.needs import needs

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs("icarus")

#: Marks, in the DOM, the headings and tables a 1400 x 900 window shows without scrolling.
_PROBE = """<script>
for (const el of document.querySelectorAll("h2, table, details")) {
  const r = el.getBoundingClientRect();
  if (r.height > 0 && r.top < window.innerHeight) el.setAttribute("data-first-screen", "1");
}
</script>"""


def _regress(out: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Run tools/regress.py into ``out``; the run's folder is where its run.json is."""
    cmd = [sys.executable, "tools/regress.py", "--sim", "icarus", "--config", "M2N4"]
    cmd += ["--jobs", "1", "--no-report", "--out", str(out), *args]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    (run_json,) = {f.resolve() for f in out.rglob("run.json")}  # a "latest" link is one run
    return p, run_json.parent


def _covmerge(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "tools/covmerge.py", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@needs("chromium")
def test_first_hits_follow_the_job_order_and_the_page_opens_on_the_summary(
    tmp_path: Path,
) -> None:
    p, run = _regress(tmp_path / "clean", "--test", "RandomStreamTest", "--seeds", "2")
    assert p.returncode == 0, p.stdout + p.stderr
    jobs = [j["job_id"] for j in json.loads((run / "run.json").read_text())["jobs"]]
    merged = tmp_path / "merged.json"
    r = _covmerge(run / "cov", "--out", merged)
    assert r.returncode == 0, r.stderr
    assert "TESTPOINTS (docs/testpoints.toml)" in r.stdout

    doc = json.loads(merged.read_text())["M2N4"]
    dumps = [json.loads((run / "cov" / f"{j}.json").read_text()) for j in jobs]
    credited = {0: 0, 1: 0}
    for g, pts in doc["_first_hit"].items():
        for pt, bins in pts.items():
            for b, first in bins.items():
                k = next(i for i, d in enumerate(dumps) if d[g][pt].get(b, 0))
                assert first == {
                    "test": "RandomStreamTest",
                    "seed": str(dumps[k]["_meta"]["seed"]),
                    "dump": jobs[k],
                }
                credited[k] += 1
    assert credited[0] > credited[1] > 0  # the second seed is first only where the first missed
    hit = sum(1 for g, pts in doc.items() if not g.startswith("_") for bins in pts.values()
              for n in bins.values() if n)  # fmt: skip
    assert sum(credited.values()) == hit

    page = run / "cov" / "report" / "index.html"
    text = page.read_text()
    n_holes = int(r.stdout.split()[1])  # "HOLES: 511 bin(s) never hit, ..."
    section = text[text.index('<section id="holes">') : text.index('<section id="runs">')]
    assert n_holes > 100 and section.count("<tr") < n_holes / 4  # grouped, not a row per bin
    from flow.regress import browser

    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", _PROBE + "</body>"))
    dom = browser._run(["--window-size=1400,900", "--dump-dom", probe.as_uri()], 60).stdout
    seen = lxml.html.fromstring(dom).xpath("//*[@data-first-screen]")  # in document order
    assert seen[0].tag == "h2" and seen[0].text_content().startswith("Summary")
    tables = [e.get("class") for e in seen if e.tag == "table"]
    assert tables[0] == "summary" and not {"patterns", "bins", "marg"} & set(tables)


def test_a_failing_planted_bug_repro_is_reported_as_a_planted_bug_run(tmp_path: Path) -> None:
    p, run = _regress(
        tmp_path / "bug",
        *("--test", "SmokeTest", "--seed", "3", "--define", "LUT_TC_BUG_NO_NEGATE"),
    )
    assert p.returncode == 1, p.stdout + p.stderr
    assert not list((run / "cov").glob("*.json"))  # no dump, on purpose
    r = _covmerge(run / "cov")
    assert r.returncode == 2 and r.stderr == f"covmerge: nothing merged from {run / 'cov'}\n"
    (line,) = [s for s in r.stdout.splitlines() if "SmokeTest-3:" in s]
    assert "no dump, by design: a planted bug (LUT_TC_BUG_NO_NEGATE)" in line
    assert "; the run: FAIL: scoreboard: " in line
    assert "before the end" not in r.stdout
