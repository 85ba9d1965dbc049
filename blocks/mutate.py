# SPDX-License-Identifier: Apache-2.0
"""A block bench as a step of the mutation suite: one vector set against a mutated block.

``make mutate`` (``flow/mutate/``) runs the block benches first where they
are the cheaper killer: thousands of bit-exact vectors in a second. The flow
does not import this room, so the command line hands :func:`run_step` to it.
"""

from __future__ import annotations

from pathlib import Path

from blocks import harness, vectors
from blocks.units import DEFAULT_MAX_SHIFT, check_unit
from flow import simrun


def run_step(
    step, sim: str, mutant_file: Path, name: str, folder: Path, timeout_s: float
) -> tuple[str, str, float]:
    """(verdict ``pass|fail|timeout|build_failed``, one line, build seconds) of one block step.

    ``mutant_file``: the mutated block, or the mutated include file (listed
    first, so its guard keeps the block from reading the original).
    """
    u = check_unit(step.block)
    vs = vectors.vector_set(step.block, step.vectors, step.count, seed=step.seed)
    max_vec = max(u.default_max_vec, 1 << max(0, (vs.n - 1).bit_length()))
    params: dict[str, object] = {"MaxVec": max_vec}
    if u.name == "fpow2":
        params["MaxShift"] = DEFAULT_MAX_SHIFT
    block = [mutant_file, u.rtl] if mutant_file.suffix == ".svh" else [mutant_file]
    try:
        b = simrun.build_target(
            sim,
            u.top,
            f"{name}_{u.name}",
            sources=(*block, *u.harness),
            parameters=params,
            assertions=False,
            binary=True,
        )
    except Exception as exc:
        lines = str(exc).strip().splitlines()
        return "build_failed", (lines[-1] if lines else type(exc).__name__)[:300], 0.0
    r = harness.run(b, vs, timeout_s=timeout_s)
    folder.mkdir(parents=True, exist_ok=True)
    log = Path(r.log)
    if log.exists():  # beside the shared vector cache: move it into the mutant's folder
        log.replace(folder / "sim.log")
    if r.passed:
        return "pass", "", b.wall_s
    if r.returncode < 0 and r.run_s >= timeout_s:
        return "timeout", f"no verdict after {timeout_s:.0f} s", b.wall_s
    first = r.mismatches[0] if r.mismatches else None
    detail = f"{r.errors} mismatches of {r.n}, first {first}" if first else "harness failed"
    return "fail", detail, b.wall_s
