# SPDX-License-Identifier: Apache-2.0
"""What a SymbiYosys task found, read from its folder, and the rows of the results table.

SymbiYosys writes ``<task>/status`` (``PASS``, ``FAIL``, ``UNKNOWN``, ``ERROR``)
and ``<task>/logfile.txt`` with one ``summary:`` block. From them a task gives
one row per property of its set: ``proven`` when the task passed, ``failed``
for the property named in a failed assertion (with the counterexample trace and
its step), ``unknown`` for the others of a failed or unfinished task. A cover
task gives one row per cover: ``reached`` at a step, or ``unreached`` (a
failure: a proof whose situation never happens would be vacuous).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from flow.formal.props import COVERS, DATAPATH_COVERS, PROPS, by_group
from flow.formal.tasks import Task

#: Row results. ``failed`` and ``unreached`` fail a run, as does ``unknown``.
PROVEN, FAILED, UNKNOWN, REACHED, UNREACHED = "proven", "failed", "unknown", "reached", "unreached"
GOOD = (PROVEN, REACHED)

_LABEL = re.compile(r"\(([A-Za-z_][A-Za-z0-9_]*)\)\s*$")
_ASSERT_FAILED = re.compile(r"Assert failed in (\S+): (\S+)(.*)$")
_FAILED_PROP = re.compile(r"failed assertion (\S+) at (\S+)(?: in)? step (\d+)")
_TRACE = re.compile(r"counterexample trace(?: \[[^\]]*\])?: (\S+)")
_REACHED = re.compile(r"(?<!un)reached cover statement (\S+) at (\S+)(?: in)? step (\d+)")
#: The engine's own line for each cover (the summary lists the first few only).
_REACHED_LIVE = re.compile(r"Reached cover statement in step (\d+) at (\S+): (\w+)")
_UNREACHED = re.compile(r"unreached cover statement (\S+) at (\S+)")
_STEP = re.compile(r"(?:BMC failed|Assert failed|failed assertion).*?step (\d+)")


@dataclass
class Row:
    """One line of the results table."""

    prop: str
    group: str
    core: str
    config: str
    engine: str
    result: str
    depth: int
    time_s: float
    task: str
    trace: str = ""  #: the counterexample or cover trace (VCD), relative to the run folder
    step: int | None = None
    says: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _leaf(hier: str) -> str:
    """``lut_tc_formal.u_core.u_props.out_valid_held`` -> ``out_valid_held``;
    a block-named RTL check ``...u_core.OutValidHeld.$assert...`` -> ``OutValidHeld``."""
    parts = [p for p in re.split(r"[.\\]", hier) if p and not p.startswith("$")]
    return parts[-1] if parts else hier


def failed_props(log: str) -> dict[str, int | None]:
    """The properties a log names as failed, each with its step where given."""
    out: dict[str, int | None] = {}
    for m in _FAILED_PROP.finditer(log):
        out[_leaf(m.group(1))] = int(m.group(3))
    for line in log.splitlines():
        m = _ASSERT_FAILED.search(line)
        if m:
            lab = _LABEL.search(line)
            name = lab.group(1) if lab else _leaf(m.group(2))
            out.setdefault(name, None)
    return out


def task_status(folder: Path) -> str:
    """``PASS``, ``FAIL``, ``UNKNOWN``, ``ERROR`` or ``TIMEOUT`` (no status written)."""
    status = folder / "status"
    if not status.is_file():
        return "ERROR"
    words = status.read_text().split()
    return words[0] if words else "ERROR"


def task_error(folder: Path) -> str:
    """The first error line of a task that could not run (a Yosys error, a solver missing)."""
    log_file = folder / "logfile.txt"
    log = log_file.read_text(errors="replace") if log_file.is_file() else ""
    for line in log.splitlines():
        if "ERROR" in line and "DONE" not in line and "task failed" not in line:
            return line.split("] ", 1)[-1].strip()
    return ""


def read_rows(task: Task, folder: Path, run_dir: Path, time_s: float) -> list[Row]:
    """The rows of one finished task, from its SymbiYosys folder."""
    log_file = folder / "logfile.txt"
    log = log_file.read_text(errors="replace") if log_file.is_file() else ""
    status = task_status(folder)
    base = dict(
        core=task.core,
        config=task.config,
        engine=task.engine if task.mode == "prove" else "yices",
        depth=task.depth,
        time_s=round(time_s, 2),
        task=task.name,
    )
    if task.mode == "cover":
        reached = {_leaf(m.group(1)): int(m.group(3)) for m in _REACHED.finditer(log)}
        for m in _REACHED_LIVE.finditer(log):
            reached.setdefault(m.group(3), int(m.group(1)))
        traces = sorted(folder.glob("engine_*/trace*.vcd"))
        rows = []
        for c in DATAPATH_COVERS if task.lemma else COVERS:
            step = reached.get(c)
            result = REACHED if step is not None else UNREACHED
            rows.append(Row(c, task.group, result=result, step=step, **base))  # type: ignore[arg-type]
        if status == "PASS" and traces:
            rows[0].trace = str(traces[0].relative_to(run_dir))
        return rows
    failed = failed_props(log) if status == "FAIL" else {}
    trace = ""
    m = _TRACE.search(log)
    if m:  # relative to the folder SymbiYosys ran in (the task's parent), or the task's
        path = next(
            (p for p in (folder.parent / m.group(1), folder / m.group(1)) if p.is_file()), None
        )
        trace = str(path.relative_to(run_dir)) if path else ""
    rows = []
    for p in by_group(task.group, task.core):
        if status == "PASS":
            result = PROVEN
        elif p.name in failed:
            result = FAILED
        else:
            result = UNKNOWN
        rows.append(
            Row(
                p.name,
                p.group,
                result=result,
                says=p.says,
                step=failed.get(p.name),
                trace=trace if result == FAILED else "",
                **base,  # type: ignore[arg-type]
            )
        )
    # Every other property that failed with it (a lemma, an RTL check): named too.
    group_of = {p.name: p.group for p in PROPS}
    for name, step in failed.items():
        if name not in {r.prop for r in rows}:
            g = group_of.get(name, task.group)
            rows.append(Row(name, g, result=FAILED, step=step, trace=trace, **base))  # type: ignore[arg-type]
    return rows


def table(rows: list[Row]) -> str:
    """The results as aligned text: property, core, configuration, engine, result, depth, time."""
    head = ("property", "set", "core", "config", "engine", "result", "depth", "time")
    body = [
        (
            r.prop,
            r.group,
            r.core,
            r.config,
            r.engine,
            r.result + (f"@{r.step}" if r.step is not None and r.result != PROVEN else ""),
            str(r.depth),
            f"{r.time_s:.1f}s",
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=False)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
