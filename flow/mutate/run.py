# SPDX-License-Identifier: Apache-2.0
"""One mutant from source to verdict: write it, lint it, build it, run its steps until one fails.

A mutant lives in its own folder of the run (``mutants/<slug>/``: the changed
file, its diff, the log of every step it ran). Its builds go through the
flow's one build mechanism (:func:`flow.simrun.build_target`) under names of
their own (``mut_<slug>_...``), from the original sources with the one file
swapped; they are removed when the mutant is done. An include file is listed
first instead: its guard then keeps the including files from reading the
original through ``-I rtl``.

Verdicts (:data:`STATUSES`): ``killed`` (by the first failing step; the
report says whether an RTL assertion fired), ``survived`` (every step passed;
the equivalence check comes after, :mod:`flow.mutate.equiv`),
``did_not_build`` (Verilator's ``--lint-only -Wall`` at a step's configuration,
before the first step and before each further build, or a build refused it),
``timed_out`` (a step ran past the suite's ``timeout_s``: killed), ``error``
(the flow itself failed: never counted as a kill).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flow import simrun
from flow.build import STREAM_SOURCES, STREAM_TOPLEVEL, TEST_MODULE, TOPLEVEL, tb_env
from flow.mutate.source import Mutant
from flow.mutate.suite import Step, Suite
from flow.regress.group import _verdicts
from models.config import config_by_name
from tb.transports.base import STREAM_PARAMS

STATUSES = ("killed", "survived", "equivalent", "did_not_build", "timed_out", "error")
#: What an RTL assertion prints when it fires (rtl/lut_tc_assert.svh).
ASSERTION = "assertion failed"

#: A block step's runner (``blocks.mutate.run_step``, given by the command line:
#: the flow does not import ``blocks/``): (step, sim, the mutated file, build
#: name, folder, timeout) -> (verdict ``pass|fail|timeout|build_failed``, one
#: line of detail, build seconds).
BlockRunner = Callable[[Step, str, Path, str, Path, float], tuple[str, str, float]]


class StepTimeout(Exception):
    """A simulator ran past its time limit and was killed."""


@dataclass
class StepResult:
    step: str
    verdict: str  #: pass | fail | timeout | build_failed
    wall_s: float
    detail: str = ""
    assertion: bool = False
    build_s: float = 0.0


@dataclass
class Outcome:
    """What one mutant did."""

    id: str
    status: str = "error"
    by: str = ""  #: the step that killed it, or what refused it
    assertion: bool = False  #: killed by an RTL assertion firing
    detail: str = ""
    steps: list[StepResult] = field(default_factory=list)
    lint_s: float = 0.0
    build_s: float = 0.0
    run_s: float = 0.0
    wall_s: float = 0.0
    equivalence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def slug(mutant_id: str) -> str:
    """A folder name for a mutant id."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", mutant_id).strip("_")


def mutant_sources(base: list[Path], mutant_file: Path) -> list[Path]:
    """``base`` with the original of ``mutant_file`` swapped for it (an include file: first)."""
    if mutant_file.suffix == ".svh":
        return [mutant_file, *base]
    swapped = [mutant_file if p.name == mutant_file.name else p for p in base]
    if swapped == list(base):
        raise ValueError(f"{mutant_file.name}: not among the sources {[p.name for p in base]}")
    return swapped


def write_mutant(m: Mutant, rtl: Path, folder: Path) -> Path:
    """The mutated file and its diff in ``folder``; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (rtl / m.file).read_text()
    out = folder / m.file
    out.write_text(m.apply(text))
    (folder / "mutant.diff").write_text(m.diff(text))
    return out


def lint(sources: list[Path], step: Step) -> tuple[bool, str]:
    """Verilator ``--lint-only -Wall`` of the core (assertions on) at a step's configuration."""
    simrun.setup_verilator_env()
    cfg = config_by_name(step.config, step.core)
    cmd = ["verilator", "--lint-only", "-Wall", "--top-module", TOPLEVEL, f"-I{simrun.RTL}"]
    cmd += ["-DLUT_TC_ASSERTIONS", *(f"-G{k}={v}" for k, v in cfg.rtl_parameters().items())]
    proc = subprocess.run(
        [*cmd, *map(str, sources)], capture_output=True, text=True, check=False, timeout=300
    )
    text = "\n".join(
        ln for ln in (proc.stdout + proc.stderr).strip().splitlines() if not ln.startswith("- V")
    )
    return proc.returncode == 0 and not text, text


def _execute(log: Path, timeout_s: float, xml: Path | None = None):
    """The cocotb runner's command executor: output to ``log``, killed after ``timeout_s``.

    With ``xml`` (a group's results file, written test by test) the process
    is also stopped as soon as a test has failed: the rest cannot un-kill it.
    """

    def execute(cmds, cwd, env) -> None:
        with open(log, "ab") as fh:
            for cmd in cmds:
                proc = subprocess.Popen(
                    [str(c) for c in cmd],
                    cwd=cwd,
                    env=env,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                t0 = time.monotonic()
                while proc.poll() is None:
                    if time.monotonic() - t0 > timeout_s:
                        _stop(proc)
                        raise StepTimeout(f"no verdict after {timeout_s:.0f} s")
                    if xml is not None and any(v[0] == "FAIL" for v in _verdicts(xml).values()):
                        _stop(proc)
                        return
                    time.sleep(0.2)

    return execute


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _build(step: Step, sim: str, sources: list[Path], name: str) -> simrun.Build:
    """This mutant's build of a step's (configuration, core, transport); reused by its steps."""
    cfg = config_by_name(step.config, step.core)
    batch = step.transport == "batch"
    srcs = [*sources, *STREAM_SOURCES[len(simrun.CORE_SOURCES) :]] if batch else sources
    return simrun.build_target(
        sim,
        STREAM_TOPLEVEL if batch else TOPLEVEL,
        f"{name}_{'stream_' if batch else ''}{cfg.name}",
        sources=srcs,
        parameters={**cfg.rtl_parameters(), **(STREAM_PARAMS if batch else {})},
        marked_public_only=batch,
    )


def run_test_group(
    steps: list[Step], sim: str, sources: list[Path], name: str, folder: Path, timeout_s: float
) -> list[StepResult]:
    """Steps sharing one build in one simulator process, stopped at the first failure.

    The process is a group run of the environment (``LUT_TC_GROUP``, as the
    regression runner writes it): each test seeded and configured as its lone
    run would be, its verdict written as it finishes. Returns the results of
    the steps in order up to and including the first that did not pass.
    """
    first = steps[0]
    t0 = time.monotonic()
    try:
        b = _build(first, sim, sources, name)
        runner = b.runner()
    except Exception as exc:
        return [StepResult(first.label, "build_failed", time.monotonic() - t0, _last_line(exc))]
    gdir = folder / f"group_{slug(first.config)}_{first.core}_{first.transport}"
    if gdir.exists():
        shutil.rmtree(gdir)
    gdir.mkdir(parents=True)
    entries = [
        {
            "name": f"job{i:04d}_{s.test}",
            "test": s.test,
            "seed": s.seed,
            "job_id": slug(s.label),
            "dir": str(gdir / slug(s.label)),
            "env": dict(s.env),
        }
        for i, s in enumerate(steps)
    ]
    group = gdir / "group.json"
    group.write_text(json.dumps({"jobs": entries}))
    log, xml = gdir / "sim.log", gdir / "results.xml"
    env = tb_env(first.config, first.transport, core=first.core, LUT_TC_COV="0")
    env["LUT_TC_GROUP"] = str(group)
    timed_out = ""
    try:
        simrun.run(
            runner,
            sim,
            STREAM_TOPLEVEL if first.transport == "batch" else TOPLEVEL,
            TEST_MODULE,
            seed=first.seed,
            extra_env=env,
            test_dir=gdir,
            results_xml=str(xml),
            execute=_execute(log, timeout_s * len(steps), xml),
        )
    except StepTimeout as exc:
        timed_out = str(exc)
    except (SystemExit, RuntimeError, subprocess.CalledProcessError):
        pass  # the verdicts are in the results file, or their absence
    text = log.read_text(errors="replace") if log.exists() else ""
    verdicts = _verdicts(xml)
    out: list[StepResult] = []
    spent = time.monotonic() - t0
    for e, s in zip(entries, steps, strict=True):
        v = verdicts.get(e["name"])
        if v is not None and v[0] == "PASS":
            out.append(StepResult(s.label, "pass", v[3]))
            continue
        if timed_out and v is None:
            out.append(StepResult(s.label, "timeout", spent, timed_out))
        else:
            msg = (v[1] if v else "") or _first_error(text) or "no verdict: the simulator stopped"
            out.append(StepResult(s.label, "fail", v[3] if v else spent, msg, ASSERTION in text))
        break
    if out:  # start-up and build: on the first step of the process
        out[0].build_s = b.wall_s
        out[0].wall_s += max(0.0, spent - sum(r.wall_s for r in out))
    return out


def _first_error(text: str) -> str:
    for ln in text.splitlines():
        if ASSERTION in ln or "MISMATCH" in ln or "mismatch" in ln or " ERROR " in ln:
            return ln.strip()[:300]
    return ""


def _last_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[-1] if lines else type(exc).__name__)[:300]


def run_mutant(
    mutant: dict,
    suite: Suite,
    rtl: str,
    folder: str,
    block_runner: BlockRunner | None = None,
    keep_builds: bool = False,
) -> dict:
    """Every applicable step of ``suite`` on one mutant, stopping at the first failure.

    ``mutant``: :meth:`Mutant.to_dict` (plain data for the Dask worker);
    ``folder``: the mutant's own folder. Returns :meth:`Outcome.to_dict`.
    """
    m = Mutant(**{k: v for k, v in mutant.items() if k != "id"})
    out = Outcome(m.id)
    t0 = time.monotonic()
    name = f"mut_{slug(m.id)}"
    try:
        _steps(m, out, suite, Path(rtl), Path(folder), name, block_runner)
    except Exception as exc:
        out.status, out.detail = "error", f"{type(exc).__name__}: {_last_line(exc)}"
    finally:
        if not keep_builds:
            for sim_dir in simrun.SIM_BUILD.glob(f"*/{name}_*"):
                shutil.rmtree(sim_dir, ignore_errors=True)
            for lock in simrun.SIM_BUILD.glob(f"*/.{name}_*.lock"):
                lock.unlink(missing_ok=True)
    out.wall_s = time.monotonic() - t0
    return out.to_dict()


def _steps(
    m: Mutant,
    out: Outcome,
    suite: Suite,
    rtl: Path,
    mdir: Path,
    name: str,
    block_runner: BlockRunner | None,
) -> None:
    mfile = write_mutant(m, rtl, mdir)
    sources = mutant_sources(list(simrun.CORE_SOURCES), mfile)
    steps = suite.steps_for(m.file)
    tests = [s for s in steps if s.kind == "test"]
    linted: set[tuple[str, str]] = set()

    def lint_refuses(step: Step) -> bool:
        """Lint at ``step``'s (configuration, core) once, as ``make lint`` covers every one:
        a change that only a narrow instance's widths show (a 0-bit range) is refused there."""
        if (step.config, step.core) in linted:
            return False
        linted.add((step.config, step.core))
        tl = time.monotonic()
        clean, text = lint(sources, step)
        out.lint_s += time.monotonic() - tl
        if clean:
            return False
        (mdir / "lint.log").write_text(text + "\n")
        out.status, out.by = "did_not_build", f"lint {step.config} {step.core}"
        out.detail = text.splitlines()[0][:300] if text else "lint failed"
        return True

    if tests and lint_refuses(tests[0]):
        return
    for batch in _batches(steps):
        if batch[0].kind == "test" and lint_refuses(batch[0]):
            return
        if batch[0].kind == "block":
            if block_runner is None:
                continue
            step = batch[0]
            ts = time.monotonic()
            verdict, detail, build_s = block_runner(
                step, suite.sim, mfile, name, mdir / slug(step.label), suite.timeout_s
            )
            wall = time.monotonic() - ts
            results = [StepResult(step.label, verdict, wall, detail, False, build_s)]
        else:
            results = run_test_group(batch, suite.sim, sources, name, mdir, suite.timeout_s)
        for r in results:
            out.steps.append(r)
            out.build_s += r.build_s
            out.run_s += r.wall_s - r.build_s
            if r.verdict == "pass":
                continue
            out.by, out.detail, out.assertion = r.step, r.detail, r.assertion
            out.status = {"fail": "killed", "timeout": "timed_out"}.get(r.verdict, "did_not_build")
            return
    out.status = "survived"


def _batches(steps: list[Step]) -> list[list[Step]]:
    """Block steps one by one; test steps in one process per build, in suite order.

    A group starts where its first step stands in the suite; steps of the
    same build further down join it (they would run on the same build anyway).
    """
    out: list[list[Step]] = []
    groups: dict[tuple, list[Step]] = {}
    for s in steps:
        if s.kind == "block":
            out.append([s])
            continue
        key = (s.config, s.core, s.transport, s.seed)
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append(s)
    return out
