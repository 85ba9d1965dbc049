#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmarks: every figure of the performance table, measured in one run.

    tools/bench.py                       # everything, the default figures
    tools/bench.py --only tb,limit       # a subset (parts below)
    tools/bench.py --icarus-count 1000   # shorter Icarus stream (slow DUT evaluation)
    make bench

Parts (``--only``, comma separated; default all):

``build``    clean builds per simulator (``flow.simrun.build_target(clean=True)``,
             the one build mechanism): the core for the per-transaction
             testbench, the stream bridge around the core for the batched
             testbench, and the replay harness: wall time, CPU time, peak RSS
             of the largest process (GNU time when installed, else ``wait4``).
             Every other part reuses these builds (stamped): no run includes
             build time.
``tb``       testbench throughput on the fixed random stream (``--count``
             LMMAs, INT8 x ``--wbits``-bit weights, ``--config``, ``--seed``),
             LMMAs and MACs verified per second, for both environments:
             ``stream`` (``tb.test_lut_tc`` ``StreamBenchTest`` on the batch
             transport: batches through the stream bridge, vectorized
             prediction, the figure the ratio target is about) and ``txn``
             (``BenchTest`` on the pins transport: the per-transaction
             environment with its BFM, ``--txn-count`` LMMAs).
``limit``    the same stream (``tb.stimulus`` preset ``bench``, same seed)
             replayed by the pure-SystemVerilog harness (``flow.replay``, vectors
             via ``tools/replay.py``); repeated until the replay runs for at least
             ``--limit-min-s`` so the figure is a steady state, not process start-up.
``ratio``    testbench / limit per simulator and environment (needs ``tb`` and ``limit``).
``fp``       the FP-capable core (``M2N64FP``, every format built): its clean
             builds (time, peak memory), and the ``bench_fp16`` stream (FP16
             LLM-like activations x ``--wbits``-bit weights, FP32 C) through
             both transports (``--fp-count`` / ``--fp-txn-count`` LMMAs,
             ``--fp-icarus-count`` / ``--fp-icarus-txn-count`` on Icarus) and
             its pure-SV replay; ratios testbench / replay.
``e2e``      the way users run it, on Verilator: ``--e2e-count`` LMMAs of the ``full``
             preset (seed ``--e2e-seed``) through ``BenchTest`` on the batch
             transport, from the test's start to its verdict (generation,
             prediction, checking and coverage included), with coverage on and
             off; beside it one pure-SV replay of the same stream (vectors
             prepared beforehand). Ratio replay time / testbench time.
``util``     core utilization on back-to-back LMMA streams, b = 1..WBitsMax:
             cycles from first accept to last response vs the ideal b per LMMA.
``regress``  the regression runner, builds done beforehand: smoke on Icarus with
             ``--jobs 1`` vs ``--jobs 2`` (alternated ``--regress-reps`` times,
             fastest of each) and its start-up overhead per job; with
             ``--regress-nightly`` the nightly suite (``--jobs 2``); a small suite
             on the local Dask cluster vs a scheduler and two workers on loopback.
``profile``  cProfile of a stream-testbench run on Verilator
             (``COCOTB_ENABLE_PROFILING``): where the Python time goes, and
             the rest of the wall time (the simulator itself).

``--render build/bench.json [--write-doc]`` prints a saved run again.
Benchmarks report; nothing here asserts a time. The table is printed and
written to ``build/bench.json`` (``--out``); ``docs/performance.md`` holds
the latest table.
"""

# This file is the command line (its docstring is --help): the parts, the
# table and the measurement live in flow/bench/.

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flow.bench.common import OUT, PARTS, log, machine, rtl_digest  # noqa: E402
from flow.bench.parts import (  # noqa: E402
    part_build,
    part_e2e,
    part_fp,
    part_limit,
    part_ratio,
    part_tb,
    part_util,
)
from flow.bench.profile import part_profile  # noqa: E402
from flow.bench.regress import part_regress  # noqa: E402
from flow.bench.table import DOC, table, write_doc  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", default="all", help=f"comma-separated parts of {PARTS} (default all)")
    ap.add_argument("--sims", default="icarus,verilator")
    ap.add_argument("--config", default="M2N64")
    ap.add_argument("--count", type=int, default=10000, help="LMMAs of the fixed stream")
    ap.add_argument(
        "--icarus-count", type=int, default=None, help="LMMAs on Icarus (default --count)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wbits", type=int, default=2)
    ap.add_argument("--pools", default="16,32,4", help="payload pool sizes a,w,c of the stream")
    ap.add_argument(
        "--txn-count", type=int, default=None, help="LMMAs, per-transaction tb (default --count)"
    )
    ap.add_argument(
        "--icarus-txn-count", type=int, default=None, help="per-transaction tb on Icarus"
    )
    ap.add_argument(
        "--tb-cov", action="store_true", help="per-transaction tb with functional coverage on"
    )
    ap.add_argument(
        "--limit-min-s", type=float, default=2.0, help="replay at least this long (repeats)"
    )
    ap.add_argument("--limit-max-repeat", type=int, default=1000)
    ap.add_argument("--util-count", type=int, default=5000, help="LMMAs per utilization stream")
    ap.add_argument("--util-sims", default="verilator")
    ap.add_argument("--icarus-util-count", type=int, default=200)
    ap.add_argument(
        "--regress-nightly", action="store_true", help="regress part: also the nightly suite"
    )
    ap.add_argument(
        "--regress-reps", type=int, default=2, help="smoke timings per --jobs (fastest)"
    )
    ap.add_argument("--profile-count", type=int, default=10000)
    ap.add_argument("--fp-count", type=int, default=5000, help="LMMAs of the FP16 stream")
    ap.add_argument("--fp-txn-count", type=int, default=1000)
    ap.add_argument("--fp-icarus-count", type=int, default=100)
    ap.add_argument("--fp-icarus-txn-count", type=int, default=50)
    ap.add_argument("--e2e-count", type=int, default=200000, help="LMMAs of the e2e stream")
    ap.add_argument("--e2e-seed", type=int, default=7)
    ap.add_argument("--e2e-reps", type=int, default=3, help="alternated runs, best of each")
    ap.add_argument("--out", default=str(ROOT / "build" / "bench.json"))
    ap.add_argument("--render", metavar="JSON", help="measure nothing: print a saved run's table")
    ap.add_argument(
        "--write-doc",
        action="store_true",
        help=f"replace the generated block of {DOC.relative_to(ROOT)} with this run's table",
    )
    args = ap.parse_args(argv)
    parts = (
        list(PARTS)
        if args.only == "all"
        else [p.strip() for p in args.only.split(",") if p.strip()]
    )
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"unknown part(s) {bad}; choose from {PARTS}")
    args.sims = [s for s in args.sims.split(",") if s]
    args.util_sims = [s for s in args.util_sims.split(",") if s]
    args.pools = [int(x) for x in args.pools.split(",")]
    if args.icarus_count is None:
        args.icarus_count = args.count
    if args.txn_count is None:
        args.txn_count = args.count
    if args.icarus_txn_count is None:
        args.icarus_txn_count = args.icarus_count
    if args.render:
        res = json.loads(Path(args.render).read_text())
        args.sims = [s for s in ("icarus", "verilator") if s in res.get("limit", res.get("tb", {}))]
        args.config = res["params"]["config"]
        res["table"] = table(res, args)
        print(res["table"])
        if args.write_doc:
            write_doc(res)
            print(f"updated {DOC}")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    res: dict = {
        "machine": machine(),
        "command": " ".join(["tools/bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "params": {
            "config": args.config,
            "count": args.count,
            "icarus_count": args.icarus_count,
            "txn_count": args.txn_count,
            "icarus_txn_count": args.icarus_txn_count,
            "seed": args.seed,
            "wbits": args.wbits,
            "pools": args.pools,
            "tb_coverage": args.tb_cov,
            "parts": parts,
        },
    }
    steps = [
        ("build", lambda: part_build(args.sims, args.config, res)),
        ("tb", lambda: part_tb(args.sims, args.config, args, res)),
        ("limit", lambda: part_limit(args.sims, args.config, args, res)),
        ("ratio", lambda: part_ratio(args.sims, res)),
        ("fp", lambda: part_fp(args.sims, args, res)),
        ("e2e", lambda: part_e2e(args.config, args, res)),
        ("util", lambda: part_util(args.config, args, res)),
        ("regress", lambda: part_regress(args, res)),
        ("profile", lambda: part_profile(args.config, args, res)),
    ]
    if "tb" in parts and "limit" in parts and "ratio" not in parts:
        parts.append("ratio")
    load = res["machine"]["load_by_part"] = {}
    for name, fn in steps:
        if name in parts:
            fn()
            load[name] = round(os.getloadavg()[0], 2)
    res["machine"]["loadavg_end"] = list(os.getloadavg())
    if rtl_digest() != res["machine"]["rtl"]:
        res["machine"]["rtl_changed_during_run"] = True
        log("WARNING: the RTL changed during the run; rerun for consistent numbers")
    res["wall_s"] = time.monotonic() - t0
    text = table(res, args)
    res["table"] = text
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1, default=str))
    m = res["machine"]
    print()
    print(
        f"LUT Tensor Core benchmarks, config {args.config}, seed {args.seed}, "
        f"INT8 x {args.wbits}-bit weights; {m.get('nproc')} CPUs ({m.get('cpu')}), "
        f"{m.get('mem_gb')} GB; "
        f"load {m['loadavg_start'][0]:.2f} -> {m['loadavg_end'][0]:.2f}"
    )
    print(text)
    print(f"\nwritten {args.out} ({res['wall_s']:.0f}s)")
    if args.write_doc:
        write_doc(res)
        print(f"updated {DOC}")
    failed = [
        s
        for s in args.sims
        for part in ("tb", "tb_txn", "limit")
        if part in res and not res[part].get(s, {}).get("ok", True)
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
