# SPDX-License-Identifier: Apache-2.0
"""The regression runner on a real Dask cluster: a scheduler and two workers on loopback.

The same code path as a site's cluster (``--scheduler tcp://...``): the
results must equal a local run's, and a worker killed in the middle of a run
must cost no job and count none twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from flow.regress.engine import worker_env
from tests.needs import needs

ROOT = Path(__file__).resolve().parents[2]

needs_icarus = needs("icarus")

SUITE = """
configs = ["M2N4"]
transports = ["pins", "batch"]
[[tests]]
name = "SmokeTest"
reseed = 2
[[tests]]
name = "ErrorInjectionTest"
[[tests]]
name = "BackpressureTest"
"""


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict]:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1; stopped afterwards."""
    from flow.regress.engine import loopback_cluster

    with loopback_cluster(tmp_path / "dask", 2) as lb:
        yield {"address": lb.address, "workers": lb.workers}


def _run(args: list[str], out: Path) -> dict:
    p = subprocess.run(
        [sys.executable, "tools/regress.py", *args, "--out", str(out), "--no-report"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return json.loads((out / "run.json").read_text())


def _outcome(run: dict) -> dict[str, tuple]:
    return {j["job_id"]: (j["result"], j["responses"], j["sim_time_ns"]) for j in run["jobs"]}


@needs_icarus
def test_a_loopback_cluster_gives_the_local_results(tmp_path: Path, cluster: dict) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    local = _run(["--suite", str(suite), "--jobs", "2"], tmp_path / "local")
    remote = _run(["--suite", str(suite), "--scheduler", cluster["address"]], tmp_path / "remote")
    assert local["engine"]["kind"] == "local" and remote["engine"]["kind"] == "scheduler"
    assert remote["engine"]["address"] == cluster["address"]
    assert len(local["jobs"]) == 8
    assert _outcome(remote) == _outcome(local)
    # logs and coverage dumps came back to the submitting side
    for j in remote["jobs"]:
        assert (tmp_path / "remote" / j["log"]).read_text().count("running tb.test_lut_tc") == 1
        assert (tmp_path / "remote" / "cov" / f"{j['job_id']}.json").exists()


@needs_icarus
def test_a_killed_worker_loses_no_job_and_counts_none_twice(tmp_path: Path, cluster: dict) -> None:
    """One worker is killed while it runs a group; Dask reruns that group on the other."""
    from distributed import Client

    from flow.build import build_for
    from flow.regress import engine
    from flow.regress.jobs import Job, job_from_dict
    from models.config import config_by_name

    build_for("icarus", config_by_name("M2N4"), "pins")
    jobs = [Job("SmokeTest", s, "icarus", "M2N4") for s in range(1, 6)]
    results = []
    killed = []

    def on_result(g) -> None:
        results.extend(g.results)
        if killed:
            return
        with Client(cluster["address"], timeout="10s") as c:
            busy = [w for w, tasks in c.processing().items() if tasks]
            pids = c.run(os.getpid)
        if busy:
            pid = pids[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with engine.engine(scheduler=cluster["address"]) as e:
        engine.run(e, jobs, lambda j: 100.0, on_result, tick_s=5)  # one job per group
    assert killed, "no worker was busy when the first result came"
    ids = [job_from_dict(r.job).job_id for r in results]
    assert sorted(ids) == sorted(j.job_id for j in jobs)  # each exactly once
    assert all(r.result == "PASS" for r in results), [r.message for r in results]
    alive = [w for w in cluster["workers"] if w.poll() is None]
    assert len(alive) == 1


def _blind(marker: tuple[str, str] | None) -> str | None:
    from flow.regress import engine

    return engine._blind_to((marker[0] + ".elsewhere", marker[1]))  # as a worker elsewhere


def test_a_worker_without_the_shared_filesystem_is_named(tmp_path: Path) -> None:
    """A worker that cannot read the marker file stops the run before anything builds."""
    from distributed import Client, LocalCluster

    from flow.regress import engine

    warnings.filterwarnings("ignore", message="Port .* is already in use")
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as lc:
        with Client(lc) as c:
            e = engine.Engine("scheduler", c, lc.scheduler_address, 1)
            with engine.shared_marker(e, tmp_path) as marker:
                engine.check_shared_fs(e, marker)  # this machine sees its own files
                with pytest.raises(engine.EngineError, match=r"worker .* does not see .* shared"):
                    engine.check_shared_fs(e, marker, blind_to=_blind)
    assert not list(tmp_path.glob(".shared-*"))  # the marker file is gone again
    # a worker that joins later and cannot see the run's marker: its jobs say so
    jobs = [{"test": "SmokeTest", "seed": 1, "sim": "icarus", "config": "M2N4"}]
    g = engine._group_task(jobs, None, 10.0, False, {}, (str(tmp_path / "gone"), "x"))
    assert g.processes == 0 and g.results[0].result == "ERROR"
    assert "does not see" in g.results[0].message and "shared filesystem" in g.results[0].message
    assert engine._build_task(
        ("icarus", "M2N4", (), "pins", "lut_tc", False), (str(tmp_path / "gone"), "x")
    )


def test_a_slurm_cluster_starts_workers_in_this_checkout() -> None:
    """The batch script dask-jobqueue would submit: the queue, and this checkout's Python."""
    from flow.regress import engine

    warnings.filterwarnings("ignore", message="Port .* is already in use")
    opts = engine.ClusterOptions(queue="short", account="proj", cores=2, memory="8GB")
    cl = engine.jobqueue_cluster("slurm", opts)
    try:
        script = cl.job_script()
    finally:
        cl.close()
    assert "#SBATCH -p short" in script and "#SBATCH -A proj" in script
    assert f"cd {ROOT}" in script and f"export PYTHONPATH={ROOT}" in script
    assert "--nthreads 2" in script  # one simulator at a time per core of the batch job
