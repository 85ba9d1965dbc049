# SPDX-License-Identifier: Apache-2.0
"""Replay streams: a preset stream of ``tb.stimulus`` from a seed, its vector set, a run.

The same stream ``BenchTest`` sends through the pyuvm environment (the same
preset, count, seed and pools), predicted by ``BatchModel`` and written as
vectors (:mod:`flow.replay.vectors`), then driven by the pure-SystemVerilog
harness (:mod:`flow.replay.harness`) with no Python in the loop. Vector sets
are cached under ``build/replay/`` by what determines the stream.
"""

from __future__ import annotations

import hashlib

from flow import simrun
from flow.replay import harness, vectors
from flow.replay.harness import RunResult
from flow.replay.vectors import VectorSet
from models.batch import Batch
from models.config import CoreConfig, config_by_name
from tb.stimulus import PRESETS, seeded_stream

ROOT = simrun.ROOT
MIXES = tuple(PRESETS)


STIMULUS = ROOT / "tb" / "stimulus"


def make_stream(
    cfg: CoreConfig,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
) -> Batch:
    """The ``mix`` preset stream with ``count`` LMMAs from ``seed``: what ``BenchTest`` sends."""
    return seeded_stream(cfg, mix, count, seed, wbits, pools)


def stream_key(
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
) -> dict[str, object]:
    """What determines a generated stream: the vector cache key.

    It includes a hash of the stimulus library's sources, so a changed
    generator never reuses vectors of the old one.
    """
    h = hashlib.sha256()
    for src in sorted(STIMULUS.glob("*.py")):
        h.update(src.name.encode() + src.read_bytes())
    return dict(
        version=h.hexdigest()[:16],
        count=count,
        seed=seed,
        mix=mix,
        wbits=wbits,
        pools=list(pools),
    )


def prepare(
    cfg_name: str,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    corrupt_index: int | None = None,
    use_cache: bool = True,
) -> VectorSet:
    """The vector set of one generated stream (generated, predicted and written, or cached)."""
    cfg = config_by_name(cfg_name)
    key = stream_key(count, seed, mix, wbits, pools)
    wtag = f"_w{wbits}" if wbits else ""
    bad = "" if corrupt_index is None else f"_corrupt{corrupt_index}"
    out = vectors.out_dir(
        f"{cfg_name}_{mix}{wtag}_n{count}_s{seed}{bad}",
        {**key, "cfg": cfg_name, "corrupt": corrupt_index},
    )
    return vectors.prepare(
        cfg,
        lambda: make_stream(cfg, count, seed, mix, wbits, pools),
        out,
        key,
        corrupt_index,
        use_cache,
    )


def replay(
    sim: str,
    cfg_name: str,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    defines: tuple[str, ...] = (),
    bp: int = 0,
    gap: int = 0,
    max_errors: int = 1,
    corrupt_index: int | None = None,
) -> tuple[VectorSet, simrun.Build, RunResult]:
    """Vectors -> build -> run in one call (tests and the benchmark use it)."""
    vs = prepare(cfg_name, count, seed, mix, wbits, pools, corrupt_index=corrupt_index)
    b = harness.build(sim, cfg_name, defines, harness.caps_for(vs.sizes))
    r = harness.run(b, vs.path, bp=bp, gap=gap, seed=seed, max_errors=max_errors)
    return vs, b, r
