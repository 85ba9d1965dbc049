# SPDX-License-Identifier: Apache-2.0
"""Where a regression's groups run: Dask distributed, on a local cluster by default.

The same code path serves three places:

- no option: an in-process :class:`distributed.LocalCluster` with ``workers``
  single-threaded workers (no server to start; each worker thread drives one
  simulator process at a time);
- ``scheduler="tcp://host:port"``: a running Dask scheduler and its workers;
- ``cluster="slurm" | "lsf" | "pbs" | "sge"``: dask-jobqueue starts the
  workers through the site's batch scheduler.

Builds are tasks too, one per (simulator, configuration, defines,
transport), made once on the shared filesystem (``sim_build/`` of this
checkout, under a file lock); groups that need a build depend on its task.
Workers must see this checkout at the same path (a cluster's shared home or
project filesystem): a marker file written here for the length of the run
(:func:`shared_marker`) must be readable on every worker before anything
builds (:func:`check_shared_fs`) and by every task. Results come back as data (verdicts,
logs, coverage dumps, response digests) and are written here, on the
submitting machine, by :mod:`flow.regress.runner`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flow.regress.group import DEFAULT_TIMEOUT_S, GroupResult, JobResult, run_group
from flow.regress.jobs import ROOT, Job, job_to_dict
from models.config import config_label

CLUSTERS = ("slurm", "lsf", "pbs", "sge")
#: Largest group: a crash reruns at most this many jobs' start-up, and groups spread over workers.
MAX_GROUP = 32


class EngineError(RuntimeError):
    """The cluster cannot run this regression (one line saying why)."""


@dataclass
class ClusterOptions:
    """What a batch scheduler needs to start workers (``--cluster``)."""

    queue: str | None = None
    cores: int = 2
    memory: str = "8GB"
    walltime: str = "02:00:00"
    workers: int = 2  #: batch jobs to start, one Dask worker each, ``cores`` threads
    account: str | None = None


@dataclass
class Engine:
    kind: str  #: local | scheduler | one of CLUSTERS
    client: object
    address: str
    workers: int


@contextlib.contextmanager
def engine(
    workers: int = 2,
    scheduler: str | None = None,
    cluster: str | None = None,
    options: ClusterOptions | None = None,
) -> Iterator[Engine]:
    """A Dask client on the chosen cluster, closed (and its workers stopped) afterwards."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    # The scheduler's HTTP server (health routes, even without a dashboard) takes
    # another port when 8787 is taken by a second regression: harmless, not a warning.
    warnings.filterwarnings("ignore", message="Port .* is already in use")
    if scheduler and cluster:
        raise EngineError("--scheduler and --cluster: choose one")
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise EngineError(f"scheduler={scheduler!r}: cannot connect ({exc})") from None
        try:
            yield Engine("scheduler", client, scheduler, len(client.scheduler_info()["workers"]))
        finally:
            client.close()
        return
    if cluster:
        opts = options or ClusterOptions()
        cl = jobqueue_cluster(cluster, opts)
        cl.scale(jobs=opts.workers)
        client = Client(cl)
        try:
            # one worker per batch job, one thread (one simulator at a time) per core
            yield Engine(cluster, client, cl.scheduler_address, opts.workers * opts.cores)
        finally:
            client.close()
            cl.close()
        return
    lc = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(lc)
    try:
        yield Engine("local", client, lc.scheduler_address, workers)
    finally:
        client.close()
        lc.close()


def jobqueue_cluster(kind: str, o: ClusterOptions):
    """A dask-jobqueue cluster whose workers run this checkout's Python and environment.

    Not scaled yet: ``cluster.scale(jobs=...)`` submits the batch jobs.
    """
    import dask_jobqueue

    if kind not in CLUSTERS:
        raise EngineError(f"cluster={kind!r} unknown; choose one of {', '.join(CLUSTERS)}")
    cls = {
        "slurm": dask_jobqueue.SLURMCluster,
        "lsf": dask_jobqueue.LSFCluster,
        "pbs": dask_jobqueue.PBSCluster,
        "sge": dask_jobqueue.SGECluster,
    }[kind]
    venv = ROOT / ".venv" / "bin" / "python"
    kwargs = dict(
        cores=o.cores,
        processes=1,
        memory=o.memory,
        walltime=o.walltime,
        python=str(venv if venv.exists() else "python3"),
        job_script_prologue=[f"cd {ROOT}", f"export PYTHONPATH={ROOT}"],
    )
    if o.queue:
        kwargs["queue"] = o.queue
    if o.account:
        kwargs["account"] = o.account
    return cls(**kwargs)


def _blind_to(marker: tuple[str, str] | None) -> str | None:
    """Why this worker cannot take part (it does not see the submitter's marker file), or None.

    :func:`check_shared_fs` asks every worker there is when the run starts;
    a batch system's workers may join later, so every task looks again.
    """
    if marker is None:
        return None
    path, text = marker
    try:
        if Path(path).read_text() == text:
            return None
    except OSError:
        pass
    return (
        f"worker {os.uname().nodename} does not see {path}: the workers need this checkout "
        f"({ROOT}) on a shared filesystem at the same path"
    )


@contextlib.contextmanager
def shared_marker(eng: Engine, out: Path) -> Iterator[tuple[str, str] | None]:
    """A file for the length of a run that every task checks it can read (None: local)."""
    if eng.kind == "local":
        yield None
        return
    path = out / f".shared-{uuid.uuid4().hex}"
    text = uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    try:
        yield (str(path), text)
    finally:
        path.unlink(missing_ok=True)


def check_shared_fs(
    eng: Engine,
    marker: tuple[str, str] | None,
    blind_to: Callable[[tuple[str, str] | None], str | None] = _blind_to,
) -> None:
    """Every worker there is must read the run's marker file before anything builds."""
    if marker is None:
        return
    client = eng.client
    with contextlib.suppress(Exception):
        client.wait_for_workers(1, timeout=120)
    seen = client.run(blind_to, marker)
    if not seen:
        raise EngineError(f"{eng.address}: no workers connected")
    why = next((w for w in seen.values() if w), None)
    if why:
        raise EngineError(why)


def build_text(key: tuple) -> str:
    """A build as the progress line names it: ``verilator M2N64FP batch``, core and defines too
    (``coverage`` for a code coverage build)."""
    sim, config, defines, transport, core, coverage = key
    label = config_label(config, core)
    return " ".join([sim, label, transport, *defines, *(["coverage"] if coverage else [])])


@dataclass
class BuildDone:
    """A build task's outcome as the runner records it (run.json ``builds_detail``)."""

    key: tuple
    seconds: float  #: wall time of the task on its worker (compiling, or finding it made)
    error: str | None = None

    @property
    def name(self) -> str:
        return build_text(self.key)


def _build_task(key: tuple, marker: tuple[str, str] | None = None) -> dict:
    """Build (or reuse) one build on the shared filesystem: ``{"error", "seconds"}``.

    An error is returned, not raised: each job of the build reports it.
    """
    from flow.regress.jobs import build_for_key

    t0 = time.monotonic()
    blind = _blind_to(marker)
    if blind:
        return {"error": blind, "seconds": 0.0}
    try:
        build_for_key(key)
        return {"error": None, "seconds": time.monotonic() - t0}
    except BaseException as exc:  # a failed build becomes each job's ERROR
        return {
            "error": f"{type(exc).__name__}: {str(exc)[:400]}",
            "seconds": time.monotonic() - t0,
        }


def _group_task(
    jobs: list[dict],
    build: dict | str | None,
    timeout_s: float,
    cov: bool,
    extra_env: dict,
    marker: tuple[str, str] | None = None,
) -> GroupResult:
    build_error = build.get("error") if isinstance(build, dict) else build
    why = _blind_to(marker) or (f"build failed: {build_error}" if build_error else None)
    if why:
        return GroupResult([JobResult(j, "ERROR", why) for j in jobs], 0, 0.0)
    return run_group(jobs, timeout_s=timeout_s, cov=cov, extra_env=extra_env)


def plan_groups(
    jobs: Sequence[Job], workers: int, estimate: Callable[[Job], float]
) -> list[list[Job]]:
    """Jobs -> groups that share a build and env, about equal in expected wall time.

    A group is at most :data:`MAX_GROUP` jobs and about an eighth of one
    worker's share of the total time (at least 10 s, so short jobs still share
    a process): the last groups are short, so the workers end together, and a
    crash reruns little. Longest groups first: they should start first.
    """
    keys: dict[tuple, list[Job]] = {}
    for j in jobs:
        keys.setdefault(j.group_key, []).append(j)
    total = sum(estimate(j) for j in jobs)
    target = max(10.0, total / max(1, 8 * workers))
    groups: list[list[Job]] = []
    for members in keys.values():
        members = sorted(members, key=estimate, reverse=True)
        cur: list[Job] = []
        t = 0.0
        for j in members:
            if cur and (t + estimate(j) > target or len(cur) >= MAX_GROUP):
                groups.append(cur)
                cur, t = [], 0.0
            cur.append(j)
            t += estimate(j)
        if cur:
            groups.append(cur)
    return sorted(groups, key=lambda g: sum(map(estimate, g)), reverse=True)


def run(
    eng: Engine,
    jobs: Sequence[Job],
    estimate: Callable[[Job], float],
    on_result: Callable[[GroupResult], None],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    cov: bool = True,
    extra_env: dict[str, str] | None = None,
    on_tick: Callable[[], None] | None = None,
    tick_s: float = 30.0,
    marker: tuple[str, str] | None = None,
    on_build: Callable[[BuildDone], None] | None = None,
    on_building: Callable[[list[str]], None] | None = None,
    groups: list[list[Job]] | None = None,
) -> tuple[int, int]:
    """Every job once: builds, then groups as their builds finish. Returns (builds, groups).

    ``on_result`` sees each group's results as they arrive (the caller writes
    the files and moves the progress line). A group whose worker dies is
    started again by Dask on another worker; its results still arrive once.
    ``on_tick`` is called every ``tick_s`` seconds in which nothing finished.
    ``marker`` (path, content): a file every task must see (:func:`shared_marker`).
    While builds are under way, ``on_building`` gets the names of those a
    worker is running (asked of the workers every second) and ``on_build``
    each one's outcome as it ends. ``groups``: the plan, if the caller made it
    (:func:`plan_groups`) to size its progress line; otherwise made here.
    """
    from distributed import wait

    client = eng.client
    builds = {}
    names: dict[str, tuple] = {}
    for key in sorted({j.build_key for j in jobs}):
        fkey = f"build-{_key_text(key)}-{uuid.uuid4().hex[:8]}"
        names[fkey] = key
        builds[key] = client.submit(_build_task, key, marker, key=fkey, priority=1000)
    if groups is None:
        groups = plan_groups(jobs, max(1, eng.workers), estimate)
    futures = []
    for i, g in enumerate(groups):
        est = sum(map(estimate, g))
        futures.append(
            client.submit(
                _group_task,
                [job_to_dict(j) for j in g],
                builds[g[0].build_key],
                timeout_s,
                cov,
                dict(extra_env or {}),
                marker,
                key=f"group-{i}-{uuid.uuid4().hex[:8]}",
                priority=int(min(999, math.ceil(est))),
                pure=False,
            )
        )
    pending = set(futures)
    building = {f: k for k, f in builds.items()}
    while pending or building:
        try:
            finished = wait(
                pending | set(building),
                timeout=1.0 if building else tick_s,
                return_when="FIRST_COMPLETED",
            ).done
        except TimeoutError:
            finished = set()
        for fut in finished & set(building):
            key = building.pop(fut)
            try:
                out = fut.result()
                done = BuildDone(key, float(out.get("seconds") or 0.0), out.get("error"))
            except Exception as exc:  # the worker died: its groups say so, or Dask reruns it
                done = BuildDone(key, 0.0, f"{type(exc).__name__}: {exc}")
            if on_build is not None:
                on_build(done)
        if building and on_building is not None:
            on_building(_running_builds(client, names))
        if not finished and on_tick is not None:
            on_tick()
        for fut in finished & pending:
            pending.discard(fut)
            on_result(fut.result())
    return len(builds), len(groups)


def _executing(dask_worker) -> list[str]:
    """On a worker: the keys of the tasks it is running now (not those queued on it)."""
    return [str(ts.key) for ts in dask_worker.state.executing]


def _running_builds(client, names: dict[str, tuple]) -> list[str]:
    """The builds a worker is running now, by name (none if the workers cannot say).

    Asked of the workers themselves: the scheduler's ``processing`` also lists
    the tasks assigned to a worker that wait behind the one it runs.
    """
    try:
        busy = {k for keys in client.run(_executing).values() for k in keys}
    except Exception:  # progress is decoration: never the reason a run stops
        return []
    return sorted(build_text(names[k]) for k in busy if k in names)


def _key_text(key: tuple) -> str:
    sim, config, defines, transport, core, coverage = key
    return "-".join([sim, transport, core, config, *defines, *(["cov"] if coverage else [])])


def worker_env() -> dict[str, str]:
    """The environment a hand-started ``dask worker`` needs to run our tasks."""
    from flow import simrun

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    simrun.setup_verilator_env(env)
    return env


@dataclass
class Loopback:
    """A scheduler and its workers on 127.0.0.1, as a site would run them (separate processes)."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]


@contextlib.contextmanager
def loopback_cluster(workdir: Path, workers: int = 2) -> Iterator[Loopback]:
    """``dask scheduler`` and ``workers`` x ``dask worker`` (one thread, no nanny); stopped after.

    What the loopback tests and ``make bench`` run a regression through: the
    real network path of ``--scheduler``, on this machine.
    """
    from distributed import Client

    dask = Path(sys.executable).parent / "dask"
    workdir.mkdir(parents=True, exist_ok=True)
    sched_file = workdir / "scheduler.json"
    sched_file.unlink(missing_ok=True)
    env = worker_env()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    sched = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0"]
        + ["--scheduler-file", str(sched_file), "--no-dashboard"],
        **quiet,
    )
    procs = [sched]
    try:
        deadline = time.monotonic() + 60
        while not (sched_file.exists() and sched_file.stat().st_size):
            if time.monotonic() > deadline or sched.poll() is not None:
                raise EngineError("dask scheduler did not start on 127.0.0.1")
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        ws = [
            subprocess.Popen(
                [str(dask), "worker", "--scheduler-file", str(sched_file), "--nthreads", "1"]
                + ["--no-nanny", "--no-dashboard", "--name", f"w{i}"],
                cwd=workdir,
                **quiet,
            )
            for i in range(workers)
        ]
        procs += ws
        with Client(address, timeout="30s") as c:
            c.wait_for_workers(workers, timeout=120)
        yield Loopback(address, sched, ws)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
