#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Replay long vector streams through the core at simulator speed, no Python in the loop.

The vectorized model (``models.batch.BatchModel``, the bit-exact twin of
``CoreModel``) predicts every response of an instruction stream; the stream
and the predictions go to hex files (``flow.replay.vectors``) and the
pure-SystemVerilog harness ``tb/sv/lut_tc_replay_tb.sv`` (``flow.replay.harness``)
drives them, compares every response (tag, status, D) bit-exactly and
reports the first mismatch with its index. This file is the command line;
the replay itself is ``flow.replay``, which takes any ``models.batch.Batch``.

    tools/replay.py --sim verilator --config M2N64 --count 100000 --seed 1
    tools/replay.py --sim icarus --config M2N4 --mix bench --wbits 2
    make replay SIM=icarus CONFIG=M2N4
    make replay SIM=verilator COUNT=200000 SEED=7 REPLAY_ARGS=--fresh   # no vector cache

Streams (``--mix``) are the presets of the stimulus library ``tb.stimulus``,
the same streams the testbench's ``BenchTest`` sends for the same seed:

* ``full`` (default): LMMAs of every weight width 1..WBitsMax, LUTGENs of
  INT8 and INT16 tables (INT8 lanes with junk in bits [15:8]), a few percent
  illegal/unsupported/out-of-range/invalid-table instructions, C near the
  INT32 limits so the accumulator wraps.
* ``bench``: the benchmark stream: INT8 activations, ``--wbits``
  (default 2) weights, T LUTGENs up front and one table refresh per 16 LMMAs.
* ``lmma``: T LUTGENs then back-to-back LMMAs only (core utilization).

Payloads come from small random pools (``--pool-a/w/c``) so a stream of 10^5
instructions loads in milliseconds; each response is still compared against
its own expected D (the expected-D pool is deduplicated by value). Vector
sets are cached under ``build/replay/`` by what determines the stream
(generator and its source, mix, count, seed, pools), harness builds under
``sim_build/<sim>/replay_<config>...`` by ``flow.simrun``'s stamp.

Exit status 1 on a mismatch, after printing the first mismatching index.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flow import simrun  # noqa: E402
from flow.replay import harness  # noqa: E402
from flow.replay.harness import describe_mismatch  # noqa: E402
from flow.replay.streams import MIXES, make_stream, prepare, replay, stream_key  # noqa: E402
from models.config import config_by_name  # noqa: E402

__all__ = ["MIXES", "main", "make_stream", "prepare", "replay", "stream_key"]


def _runs(config: str, mix: str) -> bool:
    """Whether preset ``mix`` makes a stream on ``config`` (a one-LMMA try)."""
    try:
        make_stream(config_by_name(config), 1, 1, mix)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sim",
        nargs="?",
        const="",
        default="",
        help="icarus, verilator or all (default verilator)",
    )
    ap.add_argument("--config", default="M2N64")
    ap.add_argument(
        "--count",
        type=int,
        default=None,
        help="LMMA instructions in the stream (default 100000 on Verilator, 2000 on Icarus)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", choices=MIXES, default="full")
    ap.add_argument("--wbits", type=int, default=None, help="fix the weight width of every LMMA")
    ap.add_argument("--pool-a", type=int, default=16)
    ap.add_argument("--pool-w", type=int, default=32)
    ap.add_argument("--pool-c", type=int, default=4)
    ap.add_argument("--define", action="append", default=[], help="RTL define (bug injection)")
    ap.add_argument("--bp", type=int, default=0, help="percent of cycles with out_ready low")
    ap.add_argument(
        "--gap", type=int, default=0, help="percent of accepts followed by an idle cycle"
    )
    ap.add_argument(
        "--max-errors", type=int, default=1, help="mismatches to report before stopping"
    )
    ap.add_argument("--no-assertions", action="store_true", help="build without LUT_TC_ASSERTIONS")
    ap.add_argument(
        "--repeat", type=int, default=1, help="replay the stream N times (reset between)"
    )
    ap.add_argument(
        "--corrupt",
        type=int,
        default=None,
        metavar="INDEX",
        help="flip one expected D bit of response INDEX (self-test: must fail there)",
    )
    ap.add_argument(
        "--fresh", action="store_true", help="regenerate the vectors even if a cached set matches"
    )
    args = ap.parse_args(argv)
    sims = list(simrun.SIMS) if args.sim == "all" else [args.sim or "verilator"]
    pools = (args.pool_a, args.pool_w, args.pool_c)
    t0 = time.monotonic()
    rc = 0
    for sim in sims:
        count = args.count or (100000 if sim == "verilator" else 2000)
        try:
            vs = prepare(
                args.config,
                count,
                args.seed,
                args.mix,
                args.wbits,
                pools,
                corrupt_index=args.corrupt,
                use_cache=not args.fresh,
            )
        except ValueError as exc:  # a mix this configuration cannot run: one line, no traceback
            fits = [m for m in MIXES if _runs(args.config, m)]
            print(
                f"replay: --mix {args.mix} on {args.config}: {exc}; "
                f"the mixes it runs: {', '.join(fits) or 'none'}",
                file=sys.stderr,
            )
            return 2
        spent = ", ".join(f"{k} {v:.2f}s" for k, v in vs.times.items())
        print(
            f"vectors: {vs.path}  {vs.n_vec} instructions ({vs.n_lmma} LMMA), pools {vs.sizes}"
            + ("  [cached]" if vs.cached else f"  [{spent}]")
        )
        b = harness.build(
            sim,
            args.config,
            tuple(args.define),
            harness.caps_for(vs.sizes),
            assertions=not args.no_assertions,
        )
        print(f"{sim}: build {b.path}" + (f" [{b.wall_s:.1f}s]" if b.built else " [up to date]"))
        r = harness.run(
            b,
            vs.path,
            bp=args.bp,
            gap=args.gap,
            seed=args.seed,
            max_errors=args.max_errors,
            repeat=args.repeat,
        )
        s = r.stats
        if r.passed:
            rate = args.repeat * vs.n_lmma / r.sim_s if r.sim_s > 0 else float("inf")
            print(
                f"{sim}: PASS {s.get('ok')}/{vs.n_vec * args.repeat} responses bit-exact, "
                f"{s.get('cycles')} cycles, "
                f"load {r.load_s:.2f}s + replay {r.sim_s:.2f}s = {rate:,.0f} LMMA/s, "
                f"utilization {r.utilization:.3f}"
            )
        else:
            rc = 1
            print(f"{sim}: FAIL first mismatch at index {r.first_mismatch} (log {r.log})")
            print(describe_mismatch(vs, r))
    print(f"total {time.monotonic() - t0:.1f}s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
