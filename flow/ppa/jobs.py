# SPDX-License-Identifier: Apache-2.0
"""What ``make ppa`` measures, and measuring it: the job list, the run, the saved report.

:class:`Settings` is a run's validated options (``tools/ppa.py`` parses them);
:func:`plan` turns them into :class:`Job` s: the precision pairs (every core x
weight bits x activation format a core builds, the MAC reference width, the
binary16-accumulate rows where a core builds that datapath) and the tiling-shape
sweep; :func:`run` measures them two at a time (:func:`flow.ppa.pairs.measure`,
then :func:`flow.ppa.energy.measure` on the pairs when a traffic profile is
asked for, reusing the pair's narrow synthesis) and returns the report's
document, which :func:`save` writes as ``ppa.json`` and plots.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flow import liberty, synth
from flow.ppa import energy, report
from flow.ppa.energy_sim import EnergySimError
from flow.ppa.pairs import (
    ACC_LABELS,
    AFMTS,
    DEPTH_N,
    SHAPES,
    measure,
    pair_config,
    pair_label,
)
from models.config import CORE_FORMATS, CORES, FpAcc

#: ``--energy-pairs``: the pairs the switching-energy proxy prices (a netlist build of one to
#: four minutes each). ``lut+ref``: the LUT cores' and the MAC reference's, the comparisons the
#: paper makes, which keeps the default run in its 20 minutes; ``all``: every MAC width too.
ENERGY_PAIRS = ("lut+ref", "all")
#: Errors a measurement ends with: one line each (``tools/ppa.py`` prints it, exit 1).
ERRORS = (synth.SynthError, liberty.LibertyError, energy.EnergyError, EnergySimError, ValueError)


@dataclass(frozen=True)
class Job:
    """One instance to measure: a precision pair on a core, at a shape."""

    core: str
    wbits: int
    afmt: str
    m: int
    n: int
    fp_acc: FpAcc = FpAcc.FP32

    @property
    def label(self) -> str:
        return (
            f"{self.core} M{self.m}N{self.n} {pair_label(self.wbits, self.afmt, self.fp_acc.name)}"
        )


@dataclass
class Settings:
    """A run's options, each already checked (``tools/ppa.py`` refuses a bad one in one line)."""

    cores: list[str] = field(default_factory=lambda: list(CORES))
    wbits: list[int] = field(default_factory=lambda: [1, 2, 3, 4])
    afmts: list[str] = field(default_factory=lambda: ["INT8"])
    #: Binary16-accumulate rows (``--fp-acc``): the FP formats a binary16 datapath builds.
    fp_acc: list[FpAcc] = field(default_factory=list)
    m: int = 2
    n: int = 64
    t: int = 1
    mac_ref: int = 8
    liberty: bool = True
    shapes: list[tuple[int, int]] = field(default_factory=list)
    shape_cores: list[str] = field(default_factory=lambda: ["lut_tc", "mac"])
    shape_wbits: int = 2
    shape_afmt: str = "INT8"
    profiles: list[str] = field(default_factory=list)
    #: Which pairs get the energy proxy: :data:`ENERGY_PAIRS`.
    energy_pairs: str = "lut+ref"
    energy_n: int = 4
    energy_lmmas: int = energy.DEFAULT_LMMAS
    jobs: int = 2
    out: Path = Path("build/ppa")
    command: str = "make ppa"


@dataclass
class Plan:
    """The jobs of a run: the pairs, the sweep, and one line per row a core cannot build."""

    pairs: list[Job]
    sweep: list[Job]
    notes: list[str]

    @property
    def jobs(self) -> list[Job]:
        """Every instance once: a sweep shape may be a pair already."""
        return list(dict.fromkeys(self.pairs + self.sweep))


def builds(core: str, afmt: str, fp_acc: FpAcc = FpAcc.FP32) -> bool:
    """Whether ``core`` builds the one-format instance of ``afmt`` with ``fp_acc``."""
    if not CORE_FORMATS[core] >> AFMTS[afmt] & 1:
        return False
    return pair_config("lut_tc", 1, afmt, 2, 4, 1, fp_acc).fits(core)


def plan(s: Settings) -> Plan:
    """The pairs and shapes of ``s``; ValueError (one line) when there is nothing to build."""
    notes: list[str] = []
    pairs = [
        Job(c, b, a, s.m, s.n) for a in s.afmts for b in s.wbits for c in s.cores if builds(c, a)
    ]
    if s.mac_ref and "mac" in s.cores:
        pairs += [Job("mac", s.mac_ref, a, s.m, s.n) for a in s.afmts if builds("mac", a)]
    a = "FP16"  # the paper's datapath: FP16 activations, binary16 tables and sums
    for acc in s.fp_acc:
        if "lut_tc" in s.cores:
            pairs += [Job("lut_tc", b, a, s.m, s.n, acc) for b in s.wbits]
        if "mac" in s.cores and s.mac_ref:
            if builds("mac", a, acc):
                pairs.append(Job("mac", s.mac_ref, a, s.m, s.n, acc))
            else:
                notes.append(
                    f"mac W{s.mac_ref} x {a} {ACC_LABELS[acc]}: the MAC core builds no "
                    "binary16 datapath (CoreConfig.fits); its baseline row is left out"
                )
    sweep = [
        Job(c, s.shape_wbits, s.shape_afmt, m, n)
        for m, n in s.shapes
        for c in s.shape_cores
        if builds(c, s.shape_afmt)
    ]
    pairs = list(dict.fromkeys(pairs))
    if not pairs and not sweep:
        raise ValueError("no precision pair is built by these cores")
    return Plan(pairs, sweep, notes)


def _prices_energy(s: Settings, job: Job) -> bool:
    if not s.profiles or (job.m, job.n) != (s.m, s.n):
        return False  # the sweep's shapes are priced in area and delay only
    return s.energy_pairs == "all" or job.core != "mac" or job.wbits == s.mac_ref


def run(s: Settings, p: Plan, say: Callable[[str], None] = print) -> dict:
    """Measure every job of ``p`` (``s.jobs`` at a time, a line to ``say`` per step): the doc.

    Raises one of :data:`ERRORS` (one line) on the first measurement that fails.
    """
    t0 = time.monotonic()
    lib = liberty.prepared(s.out) if s.liberty else None
    jobs = p.jobs
    priced = [j for j in p.pairs if _prices_energy(s, j)]
    say(
        f"ppa: {len(p.pairs)} precision pairs and {len(p.sweep)} shapes, {len(jobs)} "
        f"measurements of two syntheses each, {s.jobs} at a time"
        + (f", mapped to {liberty.OSU018.name} too" if lib else "")
        + (
            f"; switching energy of {len(priced)} pairs ({', '.join(s.profiles)}; "
            f"{s.energy_lmmas} LMMAs at M{s.m} N{s.energy_n}, a netlist build of one to four "
            "minutes each)"
            if priced
            else ""
        )
    )
    for note in p.notes:
        say(f"ppa: {note}")
    done = itertools.count(1)
    lock = threading.Lock()
    steps = len(jobs) + len(priced)

    def one(job: Job) -> dict:
        wants = job in priced
        row, flat = measure(
            job.core,
            job.wbits,
            job.afmt,
            job.m,
            job.n,
            s.t,
            s.out,
            lib,
            job.fp_acc,
            energy_netlist=wants and s.energy_n == DEPTH_N,
        )
        um2 = f", {row['area_um2']:,.0f} um2, {row['delay_ns']:.2f} ns" if "area_um2" in row else ""
        with lock:
            say(
                f"[ppa {next(done)}/{steps}] {job.label}: {row['transistors']:,} transistors, "
                f"{row['gate_levels']} gate levels{um2} ({row['synth_s']:.0f} s)"
            )
        if wants:
            row["energy"] = energy.measure(
                job.core,
                job.wbits,
                job.afmt,
                s.profiles,
                s.m,
                s.energy_n,
                s.t,
                s.out,
                s.energy_lmmas,
                fp_acc=job.fp_acc,
                synthesized=flat,
            )
            e = next(iter(row["energy"].values()))
            per_mac = ", ".join(f"{k} {v['energy_per_mac']:.1f}" for k, v in row["energy"].items())
            with lock:
                say(
                    f"[ppa {next(done)}/{steps}] {job.label} energy per MAC: {per_mac} "
                    f"(build {e['build_s']:.0f} s, replay "
                    f"{sum(v['replay_s'] for v in row['energy'].values()):.0f} s)"
                )
        return row

    order = sorted(jobs, key=lambda j: j not in priced)  # the long ones first
    with ThreadPoolExecutor(max(1, s.jobs)) as pool:
        done_rows = dict(zip(order, pool.map(one, order), strict=True))
    return {
        "meta": {
            "M": s.m,
            "N": s.n,
            "T": s.t,
            "yosys": synth.yosys_version(),
            "flop_transistors": synth.FLOP_TRANSISTORS,
            "reset_transistors": synth.RESET_TRANSISTORS,
            "mac_ref": s.mac_ref,
            "liberty": liberty.OSU018.name if lib else None,
            "abc_target_ps": liberty.TARGET_PS,
            "shape_pair": pair_label(s.shape_wbits, s.shape_afmt),
            "energy_n": s.energy_n if priced else None,
            "energy_lmmas": s.energy_lmmas if priced else None,
            "energy_profiles": s.profiles if priced else [],
            "notes": p.notes,
            "jobs": s.jobs,
            "wall_s": time.monotonic() - t0,
            "command": s.command,
        },
        "rows": [done_rows[j] for j in p.pairs],
        "shapes": [done_rows[j] for j in p.sweep],
    }


def merge(docs: list[dict]) -> dict:
    """Saved runs as one report: every instance once (the first run's figures, with the
    traffic profiles another run priced on it added), the first run's settings, each run's
    command and time."""
    if len(docs) == 1:
        return docs[0]
    meta = {**docs[0]["meta"], "notes": [n for d in docs for n in d["meta"].get("notes", [])]}
    meta["command"] = " and ".join(f"`{d['meta']['command']}`" for d in docs).strip("`")
    meta["wall_s"] = sum(d["meta"]["wall_s"] for d in docs)
    profiles = [p for d in docs for p in d["meta"].get("energy_profiles") or []]
    meta["energy_profiles"] = list(dict.fromkeys(profiles))
    for d in docs[1:]:
        for key in ("energy_n", "energy_lmmas"):
            meta[key] = meta.get(key) or d["meta"].get(key)
    out: dict[str, list[dict]] = {"rows": [], "shapes": []}
    for part, rows in out.items():
        seen: dict[tuple, dict] = {}
        for d in docs:
            for r in d.get(part, []):
                key = (r["config"], r["shape"])
                if key not in seen:
                    seen[key] = dict(r)
                    rows.append(seen[key])
                elif r.get("energy"):
                    seen[key]["energy"] = {**r["energy"], **seen[key].get("energy", {})}
    return {"meta": meta, **out}


def save(doc: dict, out: Path) -> list[Path]:
    """``ppa.json`` and the plots into ``out``; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "ppa.json").write_text(json.dumps(doc, indent=1))
    written = [out / "ppa.json"]
    if doc["rows"]:
        written += report.plot(doc, out)
    if doc["shapes"]:
        report.plot_shapes(doc, out / report.SHAPES_PNG)
        written.append(out / report.SHAPES_PNG)
    return written


#: The sweep's default shapes, as ``--shapes`` spells them.
DEFAULT_SHAPES = ",".join(SHAPES)
