# SPDX-License-Identifier: Apache-2.0
"""``make waves``: rerun one job with tracing on, and open its waves on its first error.

The job runs exactly as in a regression (one group of one job, its env,
defines, seed and time base) on a traced build, and leaves one folder::

    build/waves/<job>/waves.fst      the trace (the same name under Icarus and Verilator)
    build/waves/<job>/waves.gtkw     the GTKWave save file (paths relative to it)
    build/waves/<job>/sim.log        the job's log
    build/waves/<job>/*.gtkwfilter   opcode, format and status names

When the scoreboard saw an error, the save file opens on the first one: the
marker half a clock period before the accepting edge of the failing
response, where GTKWave's value column still shows that response (at the
edge itself it shows whatever the core puts on the pins next). Rerunning
the same job replaces its folder; nothing else under ``build/`` is touched.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from flow.regress.jobs import Job, Result, job_to_dict
from flow.simrun import WAVES_FILE
from tb.scoreboard import FIRST_ERROR_FILE

ROOT = Path(__file__).resolve().parent.parent
#: Where ``make waves`` writes one folder per job.
WAVES_DIR = ROOT / "build" / "waves"
SAVE_FILE = Path(WAVES_FILE).with_suffix(".gtkw").name
#: Files of the job's run kept in its folder (besides the save file and filters).
KEPT = (WAVES_FILE, "sim.log", FIRST_ERROR_FILE)


def refusal(seeds: int | None = None) -> str:
    """The one line ``make waves`` answers when it is not asked for exactly one job."""
    from tb.tests import catalog

    if seeds is not None:
        return f"make waves reruns one job: give SEED=<n>, not SEEDS={seeds}"
    return (
        "make waves needs TEST=<test> (and SEED=, CONFIG=, SIM=, TRANSPORT= as a failure's "
        f"'with waves' command gives them); tests: {', '.join(sorted(catalog()))}"
    )


def first_error(job_dir: Path) -> dict | None:
    """The scoreboard's first error of a run (time, cycle, tag, message), if it had one."""
    p = job_dir / FIRST_ERROR_FILE
    return json.loads(p.read_text()) if p.exists() else None


def marker_ns(first: dict) -> float:
    """Where the marker goes: mid-way through the clock period before the accepting edge."""
    return float(first["time_ns"]) - float(first.get("period_ns", 10)) / 2


def shown(path: Path) -> str:
    """``path`` as the user typed the command: relative to the current folder if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run(job: Job, out: Path | None = None) -> int:
    """Run ``job`` traced into ``<out>/<job id>/`` and write its save file; the exit code."""
    from flow.build import build_for
    from flow.regress.group import run_group
    from flow.regress.runner import summarize
    from tools.waves import check_save_file, core_scope, error_window, write_save_file

    out = WAVES_DIR if out is None else out
    build_for(job.sim, job.cfg, job.transport, job.defines, waves=True)
    folder = out / job.job_id
    scratch = out / f".{job.job_id}.run"
    for d in (folder, scratch):
        shutil.rmtree(d, ignore_errors=True)
    g = run_group([job_to_dict(job)], cov=False, workdir=str(scratch), waves=True)
    folder.mkdir(parents=True)
    ran = scratch / "jobs" / job.job_id
    for name in KEPT:
        if (ran / name).exists():
            shutil.move(ran / name, folder / name)
    shutil.rmtree(scratch, ignore_errors=True)
    r = g.results[0]
    res = Result(job, r.result, r.sim_time_ns, r.wall_s, shown(folder / "sim.log"), r.message)
    rc = summarize([res], Path("-"))
    dump = folder / WAVES_FILE
    if not dump.exists():
        print(f"no wave file was written (log: {shown(folder / 'sim.log')})")
        return rc or 1
    window, marker, first = (0.0, max(res.sim_time_ns, 1.0)), None, first_error(folder)
    if first is not None:
        marker = marker_ns(first)
        window = error_window(marker)
        where = f"cycle {first['cycle']}, tag {first['tag']}" if "tag" in first else "no tag"
        print(
            f"first error at {first['time_ns']:.0f} ns ({where}); marker at {marker:g} ns, "
            f"on the response before its accepting edge: {first['error'][:160]}"
        )
    elif res.result != "PASS":
        print(
            f"the scoreboard saw no bad response (the job failed otherwise: {r.message[:160]}); "
            f"the save file shows the whole run, 0..{window[1]:g} ns"
        )
    gtkw = write_save_file(dump, job.cfg, core_scope(job.transport), window, marker)
    for problem in check_save_file(gtkw, dump):
        print(f"warning: {problem}")
    print(f"\nwaves: {shown(dump)}\nopen:  gtkwave {shown(gtkw)}")
    return rc
