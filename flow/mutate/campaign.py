# SPDX-License-Identifier: Apache-2.0
"""A mutation run: baseline, mutants in parallel on the regression engine, equivalence, report.

1. The baseline: every step the sample needs, on the unmutated RTL. A step
   that fails there would "kill" every mutant, so the run stops with one line.
2. Each mutant is one task on the regression engine's Dask workers
   (:func:`flow.regress.engine.engine`: a local cluster of ``jobs`` workers,
   or a scheduler): :func:`flow.mutate.run.run_mutant`.
3. Each survivor gets the Yosys equivalence check (:mod:`flow.mutate.equiv`),
   then the reviewed list; what neither decides stays a survivor.
4. ``mutate.json``, ``mutate.html`` and the text report in the run's folder
   (``build/mutate/<label>-<UTC time>/``, ``build/mutate/latest``): a rerun
   of one mutant is a run of its own and leaves this one as it was.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flow import simrun
from flow.mutate import equiv, report
from flow.mutate.run import BlockRunner, StepResult, _batches, run_mutant, run_test_group, slug
from flow.mutate.source import Mutant
from flow.mutate.suite import Step, Suite

ROOT = simrun.ROOT
RUNS = ROOT / "build" / "mutate"


class BaselineError(RuntimeError):
    """The unmutated RTL fails a step of the mutation suite (one line)."""


@dataclass
class Options:
    """What the command line chose; ``command`` is how this run was asked for."""

    jobs: int = 2
    seed: int = 1
    command: str = ""
    equiv_timeout_s: float = 60.0
    cores: tuple[str, ...] = ()
    scheduler: str | None = None
    reviewed: dict[str, str] = field(default_factory=dict)
    sim_override: bool = False
    suite_path: str = ""  #: a suite other than the shipped one (the rerun must name it)


def repro(m: Mutant, opts: Options, sim: str) -> str:
    """The command that reruns one mutant (into a run folder of its own)."""
    if opts.suite_path:
        cmd = f".venv/bin/python tools/mutate.py --mutant {shlex.quote(m.id)}"
        cmd += f" --suite {shlex.quote(opts.suite_path)}"
        cmd += f" --sim {sim}" if opts.sim_override else ""
        return cmd + (f" --core {','.join(opts.cores)}" if opts.cores else "")
    cmd = f"make mutate MUTANT={shlex.quote(m.id)}"
    if opts.sim_override:
        cmd += f" SIM={sim}"
    if opts.cores:
        cmd += f" CORE={','.join(opts.cores)}"
    return cmd


def _baseline(steps: list[Step], sim: str, folder: str, timeout_s: float, block_runner) -> list:
    """One batch of steps (a block step, or the test steps of one build) on the original RTL."""
    t0 = time.monotonic()
    step = steps[0]
    if step.kind == "block":
        unit_rtl = simrun.RTL / _block_file(step)
        verdict, detail, b = block_runner(
            step, sim, unit_rtl, "mutbase", Path(folder) / slug(step.label), timeout_s
        )
        rs = [StepResult(step.label, verdict, time.monotonic() - t0, detail, build_s=b)]
    else:
        rs = run_test_group(
            steps, sim, list(simrun.CORE_SOURCES), "mutbase", Path(folder), timeout_s
        )
    return [r.__dict__ for r in rs]


def _block_file(step: Step) -> str:
    """The block's own file among a block step's files (not the include file)."""
    return next(f for f in step.files if f.endswith(".sv"))


def run(
    mutants: list[Mutant],
    suite: Suite,
    out: Path,
    opts: Options,
    block_runner: BlockRunner | None,
    say: Callable[[str], None] = print,
) -> dict:
    """Run the mutants; write ``mutate.json``, ``mutate.html``, ``report.txt`` in ``out``."""
    from distributed import as_completed

    from flow.regress.engine import engine

    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    cores = opts.cores or None
    steps_of = {m.id: suite.steps_for(m.file, cores) for m in mutants}
    needed: list[Step] = []
    for ss in steps_of.values():
        needed += [s for s in ss if s not in needed and (s.kind == "test" or block_runner)]
    needed.sort(key=suite.steps.index)
    if cores:
        suite = _narrowed(suite, cores)
    with engine(workers=opts.jobs, scheduler=opts.scheduler) as eng:
        client = eng.client
        say(f"baseline: {len(needed)} steps on the unmutated RTL ({suite.sim}, {opts.jobs} jobs)")
        futs = [
            client.submit(
                _baseline,
                batch,
                suite.sim,
                str(out / "baseline"),
                suite.timeout_s,
                block_runner,
                pure=False,
            )  # fmt: skip
            for batch in _batches(needed)
        ]
        base = [r for f in futs for r in f.result()]
        bad = [b for b in base if b["verdict"] != "pass"]
        (out / "baseline.json").write_text(json.dumps(base, indent=1))
        if bad:
            raise BaselineError(
                f"the unmutated RTL fails {bad[0]['step']}: {bad[0]['verdict']} "
                f"{bad[0]['detail']} (logs: {out / 'baseline'})"
            )
        say(f"mutants: {len(mutants)}")
        if not equiv.have_yosys():
            say("no yosys: survivors get no equivalence check (apt-get install yosys)")
        texts = {f: (simrun.RTL / f).read_text() for f in {m.file for m in mutants}}
        by_future = {}
        for m in _interleaved(mutants):
            f = client.submit(
                run_mutant,
                m.to_dict(),
                suite,
                str(simrun.RTL),
                str(out / "mutants" / slug(m.id)),
                block_runner,
                pure=False,
                key=f"mutant-{slug(m.id)}",
            )
            by_future[f] = m
        done = 0
        records: dict[str, dict] = {}
        eq_of = {}
        pending = as_completed(list(by_future))
        for fut in pending:
            if fut in eq_of:  # an equivalence check
                r = records[eq_of[fut]]
                _settle(r, fut.result(), opts.reviewed, say)
            else:
                m = by_future[fut]
                o = fut.result()
                done += 1
                say(f"[{done}/{len(mutants)}] {o['status']:13s} {m.id}  {_by(o)}")
                records[m.id] = _record(m, o, texts[m.file], suite, opts)
                if o["status"] == "survived" and equiv.have_yosys():
                    ef = client.submit(
                        _equivalence, m.to_dict(), texts[m.file], steps_of[m.id], str(out), opts,
                        pure=False,
                    )  # fmt: skip
                    eq_of[ef] = m.id
                    pending.add(ef)
                elif o["status"] == "survived":
                    _settle(records[m.id], {}, opts.reviewed, say)
            _write(out, opts, suite, base, t0, records, len(mutants), finished=False)
    return _write(out, opts, suite, base, t0, records, len(mutants), finished=True)


def _interleaved(mutants: list[Mutant]) -> list[Mutant]:
    """Round robin over the files: a run stopped early still has every file's first results."""
    by_file: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_file.setdefault(m.file, []).append(m)
    out: list[Mutant] = []
    while any(by_file.values()):
        for f in sorted(by_file):
            if by_file[f]:
                out.append(by_file[f].pop(0))
    return out


def _settle(r: dict, eq: dict, reviewed: dict[str, str], say: Callable[[str], None]) -> None:
    """A survivor's final verdict: proven equivalent, reviewed equivalent, or survived."""
    o = r["outcome"]
    mid = r["mutant"]["id"]
    if eq:
        o["equivalence"] = eq
        if eq["verdict"] == "equivalent":
            o["status"] = "equivalent"
            say(f"equivalent    {mid}  (Yosys: proven in every context)")
            return
    if mid in reviewed:
        o["status"] = "equivalent"
        o["equivalence"] = {
            **(o.get("equivalence") or {}),
            "verdict": "equivalent",
            "method": "reviewed",
            "reason": reviewed[mid],
        }
        say(f"equivalent    {mid}  (reviewed: {reviewed[mid]})")


def _write(
    out: Path,
    opts: Options,
    suite: Suite,
    base: list,
    t0: float,
    records: dict[str, dict],
    total: int,
    finished: bool,
) -> dict:
    """``mutate.json`` after every verdict (a stopped run keeps what it found); then the views."""
    recs = sorted(records.values(), key=lambda r: r["mutant"]["id"])
    doc = {
        "run": {
            "command": opts.command,
            "sim": suite.sim,
            "seed": opts.seed,
            "jobs": opts.jobs,
            "wall_s": time.monotonic() - t0,
            "baseline": base,
            "cores": list(opts.cores),
            "finished": finished,
            "mutants_done": len(recs),
            "mutants_asked": total,
        },
        "summary": report.summarize(recs),
        "mutants": recs,
    }
    tmp = out / "mutate.json.part"
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(out / "mutate.json")
    if not finished:
        return doc
    report.write_html(doc, out / "mutate.html")
    (out / "report.txt").write_text(report.text(doc))
    return doc


def _narrowed(suite: Suite, cores: tuple[str, ...]) -> Suite:
    """The suite with the test steps of other cores left out (block steps stay)."""
    steps = [s for s in suite.steps if s.kind == "block" or s.core in cores]
    return Suite(suite.sim, suite.timeout_s, suite.seed, suite.files, steps, suite.description)


def _by(o: dict) -> str:
    if o["status"] in ("killed", "timed_out"):
        return f"by {o['by']}" + (" (RTL assertion)" if o.get("assertion") else "")
    return o["detail"]


def _record(m: Mutant, o: dict, text: str, suite: Suite, opts: Options) -> dict:
    return {
        "mutant": m.to_dict(),
        "cores": [c for c in suite.cores_of(m.file) if not opts.cores or c in opts.cores],
        "outcome": o,
        "diff": m.diff(text),
        "repro": repro(m, opts, suite.sim),
    }


def _equivalence(mutant: dict, text: str, steps: list[Step], out: str, opts: Options) -> dict:
    m = Mutant(**{k: v for k, v in mutant.items() if k != "id"})
    folder = Path(out) / "mutants" / slug(m.id)
    configs = []
    includers: dict[str, bool] = {}
    for s in steps:
        if s.kind == "test" and (s.config, s.core) not in configs:
            configs.append((s.config, s.core))
        if s.kind == "block":
            f = _block_file(s)
            mod = f.removesuffix(".sv")
            includers[mod] = equiv.has_parameters(mod, (simrun.RTL / f).read_text())
    return equiv.check(
        folder / m.file,
        m.module,
        text,
        configs,
        folder / "equiv",
        opts.equiv_timeout_s,
        includers,
    )
