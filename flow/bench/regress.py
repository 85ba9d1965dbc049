# SPDX-License-Identifier: Apache-2.0
"""The regression part of ``make bench``: ``tools/regress.py`` run as a user starts it,
1 vs 2 jobs, its per-job start-up, and the Dask cluster on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from flow.bench.common import OUT, ROOT, log, redirected


def _regress(argv: list[str], out: Path, name: str) -> dict:
    """One ``tools/regress.py`` run as a user starts it; its run.json figures and wall time."""
    cmd = [sys.executable, str(ROOT / "tools" / "regress.py"), *argv, "--out", str(out)]
    cmd += ["--no-report"]
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    (OUT / f"regress_{name}.log").write_text(p.stdout + p.stderr)
    try:
        run = json.loads((out / "run.json").read_text())
    except (OSError, ValueError):
        return {"error": f"no run.json (rc={p.returncode}), see {OUT / f'regress_{name}.log'}"}
    jobs = run["jobs"]
    return {
        "wall_s": wall,  # the command, start-up of the engine and the report included
        "run_s": run["wall_s"],
        "jobs": len(jobs),
        "passed": sum(j["result"] == "PASS" for j in jobs),
        "processes": run["processes"],
        "overhead_per_job_s": run["overhead_per_job_s"],
        "test_s": sum(j["wall_s"] for j in jobs),
        "rc": p.returncode,
        "loadavg_before": round(load0, 2),
    }


#: The small suite the loopback cluster runs (also what the loopback tests run).
LOOPBACK_SUITE = ROOT / "build" / "bench_loopback.toml"


def part_regress(args, res) -> None:
    """Per-job start-up overhead, 1 -> 2 jobs on smoke, optionally nightly, and Dask loopback.

    Builds are made first (a regression's build time is the build part's
    figure). Smoke alternates ``--jobs 1`` / ``--jobs 2`` ``--regress-reps``
    times, fastest of each. ``--regress-nightly`` adds the nightly suite with
    ``--jobs 2``. The same small suite then runs on the local cluster and
    through a scheduler and two workers on loopback: the per-job cost of the
    network path.
    """
    from flow.regress.engine import loopback_cluster
    from flow.regress.jobs import build_for_key, expand, load_suite

    suites = ["smoke"] + (["nightly"] if args.regress_nightly else [])
    builds = sorted({j.build_key for s in suites for j in expand(load_suite(s), None, None)})
    log(f"regress: building {len(builds)} builds first")
    try:
        with redirected(OUT / "regress_prebuild.log"):
            for key in builds:
                build_for_key(key)
    except Exception as exc:
        res["regress"] = {"error": f"build failed: {type(exc).__name__}: {str(exc)[:500]}"}
        log(f"regress: build FAILED, see {OUT / 'regress_prebuild.log'}")
        return
    rec: dict = {}
    base = OUT / "regress"
    for rep in range(args.regress_reps):
        for n in (1, 2):
            argv = ["--suite", "smoke", "--sim", "icarus", "--jobs", str(n)]
            one = _regress(argv, base / f"smoke_jobs{n}", f"smoke_jobs{n}_{rep + 1}")
            rec.setdefault(f"jobs{n}_all", []).append(one)
            best = rec.get(f"jobs{n}")
            if "error" not in one and (best is None or one["run_s"] < best["run_s"]):
                rec[f"jobs{n}"] = one
            log(f"regress: smoke icarus --jobs {n} (repetition {rep + 1}): {one}")
    if rec.get("jobs1") and rec.get("jobs2"):
        rec["speedup"] = rec["jobs1"]["run_s"] / rec["jobs2"]["run_s"]
    if args.regress_nightly:
        rec["nightly"] = _regress(
            ["--suite", "nightly", "--jobs", "2"], base / "nightly", "nightly"
        )
        log(f"regress: nightly --jobs 2: {rec['nightly']}")
    LOOPBACK_SUITE.write_text(
        'configs = ["M2N4"]\ntransports = ["pins", "batch"]\n'
        '[[tests]]\nname = "SmokeTest"\nreseed = 4\n'
        '[[tests]]\nname = "ErrorInjectionTest"\nreseed = 2\n'
    )
    for key in {j.build_key for j in expand(load_suite(str(LOOPBACK_SUITE)), None, None)}:
        build_for_key(key)
    argv = ["--suite", str(LOOPBACK_SUITE)]
    # once first: both measured runs then plan their groups from the same wall times
    _regress([*argv, "--jobs", "2"], base / "loop_local", "loopback_warmup")
    local = _regress([*argv, "--jobs", "2"], base / "loop_local", "loopback_local")
    t0 = time.monotonic()
    with loopback_cluster(base / "dask", 2) as lb:
        started = time.monotonic() - t0
        remote = _regress([*argv, "--scheduler", lb.address], base / "loop_remote", "loopback")
    remote["cluster_start_s"] = started
    rec["loopback"] = {"local": local, "cluster": remote}
    if "error" not in local and "error" not in remote:
        rec["loopback"]["added_per_job_s"] = (remote["run_s"] - local["run_s"]) / local["jobs"]
    log(f"regress: loopback suite local {local}, cluster {remote}")
    res["regress"] = rec
