# SPDX-License-Identifier: Apache-2.0
"""The measuring parts of ``make bench``: builds, testbench and replay throughput,
the FP core, end to end, core utilization (``tools/bench.py`` describes each)."""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

from flow import simrun
from flow.bench.common import FP_CONFIG, FP_MIX, OUT, TB_KINDS, TbKind, log, redirected
from flow.replay import harness
from flow.replay.streams import prepare
from models.config import K, config_by_name


def part_build(sims: list[str], cfg_name: str, res: dict) -> None:
    """Clean builds through the one build mechanism (``flow.simrun.build_target``, ``clean=True``).

    Every command of a build runs under GNU time, so wall time, CPU time and
    the peak RSS of its largest process are the build's own, not this process's.
    """
    for sim in sims:
        r = res.setdefault("build", {}).setdefault(sim, {})
        for key, kind in (("core", TB_KINDS["txn"]), ("stream", TB_KINDS["stream"])):
            log(f"build: clean cocotb build of the {kind.label} testbench, {sim} {cfg_name}")
            r[key] = _measured_build(build_kind, sim, cfg_name, kind, clean=True)
            if not r[key]["ok"]:
                log(f"build: {key} build FAILED on {sim}: {r[key]['error'][:300]}")
        log(f"build: clean replay harness build, {sim} {cfg_name}")
        r["replay"] = _measured_build(harness.build, sim, cfg_name, clean=True)
        if not r["replay"]["ok"]:
            log(f"build: replay build FAILED on {sim}: {r['replay']['error'][:300]}")


def _measured_build(make, *args, **kw) -> dict:
    """``make(*args, **kw)``'s figures for the table, or its error."""
    try:
        b = make(*args, **kw)
    except RuntimeError as exc:
        return {"ok": False, "error": str(exc)[:2000]}
    return {
        "wall_s": b.wall_s,
        "cpu_s": b.cpu_s,
        "maxrss_mb": b.maxrss_mb,
        "ok": True,
        "dir": str(b.path),
    }


def build_kind(sim: str, cfg_name: str, kind: TbKind, clean: bool = False) -> simrun.Build:
    """The bench's build of ``kind``: compiled once (stamped), reused by every later part."""
    return simrun.build_target(
        sim,
        kind.toplevel,
        kind.build_name(cfg_name),
        sources=kind.sources,
        parameters=kind.parameters(cfg_name),
        marked_public_only=kind.marked_public_only,
        clean=clean,
    )


def ensure_build(sim: str, cfg_name: str, kind: TbKind) -> Path:
    """The bench's build of ``kind`` (reused if ``build`` ran, or built now if missing)."""
    return build_kind(sim, cfg_name, kind).path


def run_tb(
    sim: str,
    cfg_name: str,
    count: int,
    args,
    kind: str = "stream",
    profile: bool = False,
    tag: str = "",
    mix: str = "bench",
    seed: int | None = None,
    wbits: int | None = None,
    cov: bool | None = None,
) -> dict:
    """One benchmark test run on its prebuilt toplevel; wall times and the test's own numbers."""
    k = TB_KINDS[kind]
    test_dir = OUT / f"tb_{kind}_{sim}{tag}"
    if test_dir.exists():
        shutil.rmtree(test_dir)
    test_dir.mkdir(parents=True)
    with redirected(test_dir / "build.log"):
        bdir = ensure_build(sim, cfg_name, k)
    out_json = test_dir / "bench.json"
    env = {
        "LUT_TC_CONFIG": cfg_name,
        "LUT_TC_TRANSPORT": k.transport,
        "LUT_TC_BENCH_COUNT": str(count),
        "LUT_TC_BENCH_SEED": str(args.seed if seed is None else seed),
        "LUT_TC_BENCH_MIX": mix,
        "LUT_TC_BENCH_WBITS": str(args.wbits if wbits is None else wbits),
        "LUT_TC_BENCH_POOLS": ",".join(map(str, args.pools)),
        "LUT_TC_BENCH_OUT": str(out_json),
        "LUT_TC_COV": "1" if (args.tb_cov if cov is None else cov) else "0",
    }
    if profile:
        env["COCOTB_ENABLE_PROFILING"] = "1"
    t0 = time.monotonic()
    ok = False
    err = ""
    try:
        with redirected(test_dir / "sim.log"):
            xml = simrun.run(
                None,
                sim,
                k.toplevel,
                k.module,
                testcase=k.test,
                seed=args.seed,
                extra_env=env,
                test_dir=test_dir,
                results_xml=str(test_dir / "results.xml"),
                build_dir=bdir,
            )
        passed, failed = simrun.results_ok(Path(xml))
        ok = passed == 1 and failed == 0
    except BaseException as exc:  # a crashed simulator: report, keep benchmarking
        err = f"{type(exc).__name__}: {exc}"
    run_s = time.monotonic() - t0
    rec = json.loads(out_json.read_text()) if out_json.exists() else {}
    rec.update(run_s=run_s, ok=ok and rec.get("errors", 1) == 0, error=err, dir=str(test_dir))
    cfg = config_by_name(cfg_name)
    macs = cfg.M * cfg.N * K
    if rec.get("wall_s"):
        rec["lmma_per_s"] = rec["lmma"] / rec["wall_s"]
        rec["mac_per_s"] = rec["lmma_per_s"] * macs
        rec["lmma_per_s_process"] = rec["lmma"] / run_s  # including start-up, imports, elaboration
    return rec


def part_tb(sims, cfg_name, args, res) -> None:
    for kind, key in (("stream", "tb"), ("txn", "tb_txn")):
        for sim in sims:
            if kind == "stream":
                count = args.icarus_count if sim == "icarus" else args.count
            else:
                count = args.icarus_txn_count if sim == "icarus" else args.txn_count
            label = TB_KINDS[kind].label
            log(f"tb: {label} testbench on {sim}, {count} LMMAs")
            r = run_tb(sim, cfg_name, count, args, kind)
            res.setdefault(key, {})[sim] = r
            if r.get("lmma_per_s"):
                log(
                    f"tb: {label}, {sim}: {r['matched']} responses checked in "
                    f"{r['wall_s']:.2f}s = {r['lmma_per_s']:,.0f} LMMA/s "
                    f"({r['run_s']:.1f}s with start-up), ok={r['ok']}"
                )
            else:
                log(f"tb: {label}, {sim}: FAILED {r.get('error', '')[:300]} (see {r['dir']})")


def part_limit(sims, cfg_name, args, res) -> None:
    for sim in sims:
        count = args.icarus_count if sim == "icarus" else args.count
        res.setdefault("limit", {})[sim] = run_limit(sim, cfg_name, count, args)


def run_limit(sim: str, cfg_name: str, count: int, args, mix: str = "bench") -> dict:
    """The pure-SV replay of the benchmark stream ``mix``: one pass, then a steady state."""
    cfg = config_by_name(cfg_name)
    macs = cfg.M * cfg.N * K
    vs = prepare(cfg_name, count, args.seed, mix, args.wbits, tuple(args.pools))
    b = harness.build(sim, cfg_name, caps=harness.caps_for(vs.sizes))
    log(
        f"limit: replay on {sim}, {vs.n_lmma} LMMAs ({vs.n_vec} instructions, "
        f"{vs.sizes['n_d']} distinct D)"
    )
    one = harness.run(b, vs.path, seed=args.seed)
    rec: dict = {
        "lmma": vs.n_lmma,
        "instructions": vs.n_vec,
        "pools": vs.sizes,
        "ok": one.passed,
        "single": {
            "run_s": one.run_s,
            "load_s": one.load_s,
            "sim_s": one.sim_s,
            "cycles": one.stats.get("cycles"),
            "maxrss_mb": one.maxrss_mb,
        },
    }
    if not one.passed:
        rec["first_mismatch"] = one.first_mismatch
        rec["mismatches"] = one.mismatches[:4]
        log(f"limit: {sim}: replay FAILED at index {one.first_mismatch}: {one.mismatches[:2]}")
    reps = 1
    best = one
    if one.passed and one.sim_s < args.limit_min_s:
        reps = min(
            args.limit_max_repeat, max(2, math.ceil(args.limit_min_s / max(one.sim_s, 0.002)))
        )
        best = harness.run(b, vs.path, seed=args.seed, repeat=reps)
        rec["ok"] = best.passed
    rec.update(
        repeat=reps,
        run_s=best.run_s,
        load_s=best.load_s,
        sim_s=best.sim_s,
        cycles=best.stats.get("cycles"),
        checked=best.stats.get("ok"),
    )
    if best.passed and best.sim_s > 0:
        rec["lmma_per_s"] = reps * vs.n_lmma / best.sim_s
        rec["mac_per_s"] = rec["lmma_per_s"] * macs
        rec["cycles_per_s"] = best.stats.get("cycles", 0) / best.sim_s
        rec["lmma_per_s_process"] = vs.n_lmma / one.run_s  # one pass, incl. start-up and load
        log(
            f"limit: {sim}: {reps} x {vs.n_lmma} LMMAs in {best.sim_s:.2f}s "
            f"(+{best.load_s:.2f}s start-up/load) = {rec['lmma_per_s']:,.0f} LMMA/s"
        )
    return rec


def part_fp(sims, args, res) -> None:
    """FP16 x ``--wbits`` on the FP core: builds, both transports, replay, ratios."""
    out = res.setdefault("fp", {"config": FP_CONFIG, "mix": FP_MIX})
    for sim in sims:
        r = out.setdefault(sim, {})
        for key, kind in (("core", TB_KINDS["txn"]), ("stream", TB_KINDS["stream"])):
            log(f"fp: clean build of the {kind.label} testbench, {sim} {FP_CONFIG}")
            r[f"build_{key}"] = _measured_build(build_kind, sim, FP_CONFIG, kind, clean=True)
        log(f"fp: clean replay harness build, {sim} {FP_CONFIG}")
        r["build_replay"] = _measured_build(harness.build, sim, FP_CONFIG, clean=True)
        icarus = sim == "icarus"
        count = args.fp_icarus_count if icarus else args.fp_count
        txn_count = args.fp_icarus_txn_count if icarus else args.fp_txn_count
        for key, kind, n in (("tb", "stream", count), ("tb_txn", "txn", txn_count)):
            log(f"fp: {TB_KINDS[kind].label} testbench on {sim}, {n} LMMAs of {FP_MIX}")
            r[key] = run_tb(sim, FP_CONFIG, n, args, kind, tag="_fp", mix=FP_MIX)
            if r[key].get("lmma_per_s"):
                log(f"fp: {sim} {kind}: {r[key]['lmma_per_s']:,.0f} LMMA/s, ok={r[key]['ok']}")
            else:
                log(f"fp: {sim} {kind}: FAILED {r[key].get('error', '')[:300]}")
        r["limit"] = run_limit(sim, FP_CONFIG, count, args, FP_MIX)
        lim = r["limit"].get("lmma_per_s")
        for key in ("tb", "tb_txn"):
            if lim and r[key].get("lmma_per_s"):
                r[f"ratio_{key}"] = r[key]["lmma_per_s"] / lim


def part_ratio(sims, res) -> None:
    for key, out in (("tb", "ratio"), ("tb_txn", "ratio_txn")):
        for sim in sims:
            tb = res.get(key, {}).get(sim, {})
            lim = res.get("limit", {}).get(sim, {})
            if tb.get("lmma_per_s") and lim.get("lmma_per_s"):
                res.setdefault(out, {})[sim] = tb["lmma_per_s"] / lim["lmma_per_s"]


def part_e2e(cfg_name, args, res) -> None:
    """The full preset end to end through the batch transport vs its pure-SV replay."""
    sim, n, seed = "verilator", args.e2e_count, args.e2e_seed
    rec: dict = {"sim": sim, "count": n, "seed": seed, "mix": "full"}
    # Alternated, best of --e2e-reps each: the first process after a build or a
    # new vector set pays for a cold page cache, which is not what is compared.
    for rep in range(args.e2e_reps):
        for cov in (True, False):
            log(f"e2e: {n} LMMAs, full preset, batch transport, coverage {cov}, run {rep + 1}")
            r = run_tb(
                sim,
                cfg_name,
                n,
                args,
                "stream",
                tag=f"_e2e_cov{int(cov)}",
                mix="full",
                seed=seed,
                wbits=0,
                cov=cov,
            )
            key = "cov_on" if cov else "cov_off"
            best = rec.get(key)
            if r.get("wall_s") and (best is None or r["wall_s"] < best["wall_s"]):
                keep = ("wall_s", "run_s", "lmma", "matched", "ok", "gen_s")
                rec[key] = {k: r.get(k) for k in keep}
            rec.setdefault(key + "_all", []).append(r.get("wall_s"))
    vs = prepare(cfg_name, n, seed, "full", None, tuple(args.pools))
    b = harness.build(sim, cfg_name, caps=harness.caps_for(vs.sizes))
    one = harness.run(b, vs.path, seed=seed)
    rec["replay"] = {
        "run_s": one.run_s,
        "load_s": one.load_s,
        "sim_s": one.sim_s,
        "ok": one.passed,
        "lmma": vs.n_lmma,
    }
    on, off = rec.get("cov_on", {}), rec.get("cov_off", {})
    if on.get("wall_s") and off.get("wall_s") and one.passed:
        rec["ratio"] = one.run_s / on["wall_s"]
        rec["cov_cost"] = off["wall_s"] / on["wall_s"]
        log(
            f"e2e: tb {on['wall_s']:.2f}s (coverage off {off['wall_s']:.2f}s, process "
            f"{on['run_s']:.1f}s), replay {one.run_s:.2f}s (load {one.load_s:.2f}s): "
            f"ratio {rec['ratio']:.3f}, coverage keeps {rec['cov_cost']:.3f} of the rate"
        )
    res["e2e"] = rec


def part_util(cfg_name, args, res) -> None:
    cfg = config_by_name(cfg_name)
    for sim in args.util_sims:
        for b in range(1, cfg.W_BITS_MAX + 1):
            count = args.util_count if sim != "icarus" else args.icarus_util_count
            vs = prepare(cfg_name, count, args.seed, "lmma", b, tuple(args.pools))
            bld = harness.build(sim, cfg_name, caps=harness.caps_for(vs.sizes))
            r = harness.run(bld, vs.path, seed=args.seed)
            s = r.stats
            cyc = s.get("last_resp", 0) - s.get("first_accept", 0)
            rec = {
                "b": b,
                "lmma": s.get("lmma_ok"),
                "instructions": vs.n_vec,
                "cycles": cyc,
                "cycles_per_lmma": cyc / max(1, s.get("lmma_ok", 0)),
                "ideal": b,
                "utilization": r.utilization,
                "ok": r.passed,
            }
            res.setdefault("util", {}).setdefault(sim, {})[str(b)] = rec
            log(
                f"util: {sim} b={b}: {rec['lmma']} LMMAs in {cyc} cycles = "
                f"{rec['cycles_per_lmma']:.4f} cycles/LMMA (ideal {b}), "
                f"utilization {r.utilization:.4f}"
            )
