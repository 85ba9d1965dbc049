# SPDX-License-Identifier: Apache-2.0
"""The profile part of ``make bench``: where a stream testbench's Python time goes."""

from __future__ import annotations

import pstats
from pathlib import Path

from flow.bench.common import log
from flow.bench.parts import run_tb


def _area(f: str, name: str) -> str | None:
    """Exclusive (self-time) areas of the testbench, by file."""
    if "signal_val" in name or "/cocotb/handle.py" in f or "/cocotb/types/" in f:
        return "cocotb signal access (handles, LogicArray <-> int)"
    if "/cocotb/" in f or "/cocotb_tools/" in f:
        return "cocotb scheduler, tasks and triggers"
    if "/pyuvm/" in f:
        return "pyuvm plumbing (sequencer, ports, phases)"
    return None


#: Subtrees (file suffix, function) timed whole: they call nothing of the other areas.
SUBTREES = (
    ("model: BatchModel.step (numpy)", "models/batch.py", "step"),
    ("bridge: payload store + batch file", "tb/bridge.py", "encode_batch"),
    ("bridge: read + decode response segments", "tb/bridge.py", "segments"),
    ("scoreboard: compare (numpy)", "tb/scoreboard.py", "_match"),
)


def part_profile(cfg_name, args, res) -> None:
    """cProfile of a stream-testbench run: Python time by area, the rest is the simulator."""
    sim = "verilator"
    count = args.profile_count
    log(f"profile: stream testbench on {sim}, {count} LMMAs under cProfile")
    r = run_tb(sim, cfg_name, count, args, "stream", profile=True, tag="_profile")
    pfile = Path(r["dir"]) / "cocotb.pstat"
    if not pfile.exists():
        res["profile"] = {"error": "no cocotb.pstat written", **r}
        return
    st = pstats.Stats(str(pfile))
    total = sum(v[2] for v in st.stats.values())  # all Python self time of the run
    groups: dict[str, float] = {}
    for label, suffix, fn in SUBTREES:
        groups[label] = sum(
            v[3] for (f, _, n), v in st.stats.items() if f.endswith(suffix) and n == fn
        )
    for (f, _, name), v in st.stats.items():
        area = _area(f, name)
        if area:
            groups[area] = groups.get(area, 0.0) + v[2]
    groups["other Python (agents, sequence, glue)"] = max(0.0, total - sum(groups.values()))
    wall = r.get("wall_s") or 0.0
    resumes = sum(
        v[1] for (f, _, n), v in st.stats.items() if f.endswith("cocotb/task.py") and n == "_resume"
    )
    top = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    res["profile"] = {
        "sim": sim,
        "lmma": r.get("lmma"),
        "instructions": r.get("instructions"),
        "wall_s": wall,
        "python_s": total,
        "simulator_s": max(0.0, wall - total),
        "task_resumes": resumes,
        "groups_s": groups,
        "top_tottime": [
            {
                "func": f"{Path(f).name}:{line}({name})",
                "calls": v[1],
                "tottime_s": v[2],
                "cumtime_s": v[3],
            }
            for (f, line, name), v in top
        ],
    }
    n = max(1, r.get("lmma") or 1)
    log(
        f"profile: {wall:.3f}s wall for {n} LMMAs = {1e6 * wall / n:.1f} us/LMMA; Python "
        f"{total:.3f}s (cProfile overhead included), {resumes} coroutine resumes; "
        f"simulator {1e6 * max(0.0, wall - total) / n:.1f} us/LMMA"
    )
    for label, sec in sorted(groups.items(), key=lambda kv: -kv[1]):
        log(f"  {1e6 * sec / n:6.2f} us/LMMA {100 * sec / total:5.1f}% of Python  {label}")
