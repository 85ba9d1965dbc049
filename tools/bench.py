#!/usr/bin/env python3
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

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flow import measure, simrun  # noqa: E402
from flow.build import (  # noqa: E402
    STREAM_PARAMS,
    STREAM_SOURCES,
    STREAM_TOPLEVEL,
    TEST_MODULE,
)
from flow.replay import harness  # noqa: E402
from models.config import K, config_by_name  # noqa: E402
from tools import replay  # noqa: E402

PARTS = ("build", "tb", "limit", "ratio", "fp", "e2e", "util", "regress", "profile")
#: The FP part's core and stream: every format built, FP16 activations, FP32 C.
FP_CONFIG, FP_MIX = "M2N64FP", "bench_fp16"
TOPLEVEL = "lut_tensor_core"


@dataclass(frozen=True)
class TbKind:
    """One testbench environment as the benchmark builds and runs it."""

    label: str
    toplevel: str
    module: str
    test: str
    sources: tuple[Path, ...]
    extra_params: tuple[tuple[str, int], ...] = ()
    marked_public_only: bool = False
    transport: str = "pins"  #: ``LUT_TC_TRANSPORT`` of the run

    def build_name(self, cfg_name: str) -> str:
        return f"bench_{'core' if self.toplevel == TOPLEVEL else 'stream'}_{cfg_name}"

    def parameters(self, cfg_name: str) -> dict[str, int]:
        return {**config_by_name(cfg_name).rtl_parameters(), **dict(self.extra_params)}


TB_KINDS = {
    "stream": TbKind(
        "batch transport",
        STREAM_TOPLEVEL,
        TEST_MODULE,
        "StreamBenchTest",
        tuple(STREAM_SOURCES),
        tuple(STREAM_PARAMS.items()),
        marked_public_only=True,
        transport="batch",
    ),
    "txn": TbKind("pins transport", TOPLEVEL, TEST_MODULE, "BenchTest", tuple(simrun.CORE_SOURCES)),
}
OUT = ROOT / "build" / "bench"
TARGETS = {"ratio_verilator": 0.25, "util": 0.95, "regress_speedup": 1.7}


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def machine() -> dict:
    """Where the numbers come from: nproc, CPU, memory, load, tool versions, commit."""
    info: dict = {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.*)", cpu)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
        mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        info["mem_gb"] = round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None
    except OSError:
        info["cpu"] = platform.processor()
    info["loadavg_start"] = list(os.getloadavg())
    info["rtl"] = rtl_digest()
    simrun.setup_verilator_env()
    for tool, cmd in (("iverilog", ["iverilog", "-V"]), ("verilator", ["verilator", "--version"])):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
            info[tool] = out.splitlines()[0].strip() if out else "?"
        except (OSError, subprocess.SubprocessError):
            info[tool] = "missing"
    try:
        import cocotb
        import pyuvm  # noqa: F401

        info["cocotb"] = cocotb.__version__
    except ImportError:
        pass
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        info["commit"] = rev + ("+dirty" if dirty else "")
    except OSError:
        pass
    return info


def rtl_digest() -> str:
    """Hash of the RTL: a benchmark whose RTL changed mid-run is flagged."""
    h = hashlib.sha256()
    for src in sorted((ROOT / "rtl").glob("*.sv*")):
        h.update(src.name.encode() + src.read_bytes())
    return h.hexdigest()[:12]


def measured(cmd: list[str], cwd: Path, env: dict | None = None, log_file: Path | None = None):
    """Run ``cmd``; returns (rc, wall s, CPU s of the tree, peak RSS MB of its largest process)."""
    if log_file is None:
        m = measure.run_measured(cmd, cwd, subprocess.DEVNULL, env)
    else:
        with open(log_file, "wb") as fh:
            m = measure.run_measured(cmd, cwd, fh, env)
    return m.returncode, m.wall_s, m.cpu_s, m.maxrss_mb


@contextlib.contextmanager
def redirected(path: Path):
    """Send this process's and its children's stdout/stderr to ``path`` (simulator chatter)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "-"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


# --------------------------------------------------------------------------- parts


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
    vs = replay.prepare(cfg_name, count, args.seed, mix, args.wbits, tuple(args.pools))
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
    vs = replay.prepare(cfg_name, n, seed, "full", None, tuple(args.pools))
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
            vs = replay.prepare(cfg_name, count, args.seed, "lmma", b, tuple(args.pools))
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


def _regress(argv: list[str], out: Path, name: str) -> dict:
    """One ``tools/regress.py`` run as a user starts it; its run.json figures and wall time."""
    cmd = [sys.executable, str(ROOT / "tools" / "regress.py"), *argv, "--out", str(out)]
    cmd += ["--no-report"]
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    (OUT / f"regress_{name}.log").write_text(p.stdout + p.stderr)
    try:
        run = json.loads((out / "run.json").read_text())
    except (OSError, ValueError):
        return {"error": f"no run.json (rc={p.returncode}), see {OUT / f'regress_{name}.log'}"}
    jobs = run["jobs"]
    return {
        "wall_s": wall,  # the command, start-up of the engine and the report included
        "run_s": run["wall_s"],
        "jobs": len(jobs),
        "passed": sum(j["result"] == "PASS" for j in jobs),
        "processes": run["processes"],
        "overhead_per_job_s": run["overhead_per_job_s"],
        "test_s": sum(j["wall_s"] for j in jobs),
        "rc": p.returncode,
        "loadavg_before": round(load0, 2),
    }


#: The small suite the loopback cluster runs (also what the loopback tests run).
LOOPBACK_SUITE = ROOT / "build" / "bench_loopback.toml"


def part_regress(args, res) -> None:
    """Per-job start-up overhead, 1 -> 2 jobs on smoke, optionally nightly, and Dask loopback.

    Builds are made first (a regression's build time is the build part's
    figure). Smoke alternates ``--jobs 1`` / ``--jobs 2`` ``--regress-reps``
    times, fastest of each. ``--regress-nightly`` adds the nightly suite with
    ``--jobs 2``. The same small suite then runs on the local cluster and
    through a scheduler and two workers on loopback: the per-job cost of the
    network path.
    """
    from flow.build import build_for
    from flow.regress.engine import loopback_cluster
    from flow.regress.jobs import expand, load_suite

    suites = ["smoke"] + (["nightly"] if args.regress_nightly else [])
    builds = sorted({j.build_key for s in suites for j in expand(load_suite(s), None, None)})
    log(f"regress: building {len(builds)} builds first")
    try:
        with redirected(OUT / "regress_prebuild.log"):
            for sim, cfg, defines, transport in builds:
                build_for(sim, config_by_name(cfg), transport, defines)
    except Exception as exc:
        res["regress"] = {"error": f"build failed: {type(exc).__name__}: {str(exc)[:500]}"}
        log(f"regress: build FAILED, see {OUT / 'regress_prebuild.log'}")
        return
    rec: dict = {}
    base = OUT / "regress"
    for rep in range(args.regress_reps):
        for n in (1, 2):
            argv = ["--suite", "smoke", "--sim", "icarus", "--jobs", str(n)]
            one = _regress(argv, base / f"smoke_jobs{n}", f"smoke_jobs{n}_{rep + 1}")
            rec.setdefault(f"jobs{n}_all", []).append(one)
            best = rec.get(f"jobs{n}")
            if "error" not in one and (best is None or one["run_s"] < best["run_s"]):
                rec[f"jobs{n}"] = one
            log(f"regress: smoke icarus --jobs {n} (repetition {rep + 1}): {one}")
    if rec.get("jobs1") and rec.get("jobs2"):
        rec["speedup"] = rec["jobs1"]["run_s"] / rec["jobs2"]["run_s"]
    if args.regress_nightly:
        rec["nightly"] = _regress(
            ["--suite", "nightly", "--jobs", "2"], base / "nightly", "nightly"
        )
        log(f"regress: nightly --jobs 2: {rec['nightly']}")
    LOOPBACK_SUITE.write_text(
        'configs = ["M2N4"]\ntransports = ["pins", "batch"]\n'
        '[[tests]]\nname = "SmokeTest"\nreseed = 4\n'
        '[[tests]]\nname = "ErrorInjectionTest"\nreseed = 2\n'
    )
    for sim, cfg, defines, transport in {
        j.build_key for j in expand(load_suite(str(LOOPBACK_SUITE)), None, None)
    }:
        build_for(sim, config_by_name(cfg), transport, defines)
    argv = ["--suite", str(LOOPBACK_SUITE)]
    # once first: both measured runs then plan their groups from the same wall times
    _regress([*argv, "--jobs", "2"], base / "loop_local", "loopback_warmup")
    local = _regress([*argv, "--jobs", "2"], base / "loop_local", "loopback_local")
    t0 = time.monotonic()
    with loopback_cluster(base / "dask", 2) as lb:
        started = time.monotonic() - t0
        remote = _regress([*argv, "--scheduler", lb.address], base / "loop_remote", "loopback")
    remote["cluster_start_s"] = started
    rec["loopback"] = {"local": local, "cluster": remote}
    if "error" not in local and "error" not in remote:
        rec["loopback"]["added_per_job_s"] = (remote["run_s"] - local["run_s"]) / local["jobs"]
    log(f"regress: loopback suite local {local}, cluster {remote}")
    res["regress"] = rec


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


# --------------------------------------------------------------------------- table


def table(res: dict, args) -> str:
    sims = args.sims
    cfg = config_by_name(args.config)
    rows: list[tuple[str, ...]] = []
    hdr = ("figure", *sims, "target")

    def per_sim(label, fn, target=""):
        vals = []
        for s in sims:
            try:
                v = fn(s)
            except (KeyError, TypeError, ZeroDivisionError):
                v = None
            vals.append("-" if v is None else v)
        rows.append((label, *vals, target))

    tb, txn, lim = res.get("tb", {}), res.get("tb_txn", {}), res.get("limit", {})
    if tb:
        per_sim("tb batch: LMMAs in stream", lambda s: str(tb[s]["lmma"]))
        per_sim("tb batch: LMMA/s verified", lambda s: fmt_rate(tb[s]["lmma_per_s"]))
        per_sim("tb batch: MAC/s verified", lambda s: fmt_rate(tb[s]["mac_per_s"]))
        per_sim("tb batch: run incl. start-up (s)", lambda s: f"{tb[s]['run_s']:.1f}")
    if txn:
        per_sim("tb pins: LMMAs", lambda s: str(txn[s]["lmma"]))
        per_sim("tb pins: LMMA/s", lambda s: fmt_rate(txn[s]["lmma_per_s"]))
    if lim:
        per_sim("limit: replay LMMA/s", lambda s: fmt_rate(lim[s]["lmma_per_s"]))
        per_sim("limit: replay MAC/s", lambda s: fmt_rate(lim[s]["mac_per_s"]))
        per_sim("limit: repeats x LMMAs", lambda s: f"{lim[s]['repeat']} x {lim[s]['lmma']}")
        per_sim("limit: start-up + load (s)", lambda s: f"{lim[s]['load_s']:.2f}")
    if res.get("ratio"):
        per_sim(
            "ratio tb batch / limit",
            lambda s: f"{res['ratio'][s]:.3f}",
            f">= {TARGETS['ratio_verilator']} (verilator)",
        )
    if res.get("ratio_txn"):
        per_sim("ratio tb pins / limit", lambda s: f"{res['ratio_txn'][s]:.3f}")
    e2e = res.get("e2e", {})
    if e2e.get("ratio"):
        n, on, off, rp = e2e["count"], e2e["cov_on"], e2e["cov_off"], e2e["replay"]

        def only(sim_val: str) -> list[str]:
            return [sim_val if s == e2e["sim"] else "-" for s in sims]

        rows.append(
            (
                f"e2e {n} LMMAs full: tb start -> verdict (s)",
                *only(
                    f"{on['wall_s']:.2f} ({n / on['wall_s'] / 1e3:.1f}k LMMA/s; "
                    f"process {on['run_s']:.1f})"
                ),
                "",
            )
        )
        rows.append(
            (
                "e2e: replay of the same stream (s)",
                *only(f"{rp['run_s']:.2f} (load {rp['load_s']:.2f})"),
                "",
            )
        )
        rows.append(("e2e ratio replay / tb", *only(f"{e2e['ratio']:.3f}"), ">= 0.35"))
        rows.append(
            (
                "e2e coverage on / off (rate)",
                *only(f"{e2e['cov_cost']:.3f} (off {off['wall_s']:.2f}s)"),
                ">= 0.9",
            )
        )
    fp = res.get("fp", {})
    if fp:
        tag = f"fp16 x w{args.wbits} {fp['config']}"
        per_sim(f"{tag}: tb batch LMMA/s", lambda s: fmt_rate(fp[s]["tb"]["lmma_per_s"]))
        per_sim(f"{tag}: tb pins LMMA/s", lambda s: fmt_rate(fp[s]["tb_txn"]["lmma_per_s"]))
        per_sim(f"{tag}: replay LMMA/s", lambda s: fmt_rate(fp[s]["limit"]["lmma_per_s"]))
        per_sim(f"{tag}: ratio tb batch / replay", lambda s: f"{fp[s]['ratio_tb']:.3f}")
        per_sim(f"{tag}: ratio tb pins / replay", lambda s: f"{fp[s]['ratio_tb_txn']:.3f}")
        for key, label in (
            ("build_core", "core build (pins)"),
            ("build_stream", "bridge build (batch)"),
            ("build_replay", "replay build"),
        ):
            per_sim(
                f"{fp['config']} {label}: s / MB",
                lambda s, key=key: f"{fp[s][key]['wall_s']:.3g} / {fp[s][key]['maxrss_mb']:.0f}",
            )
    util = res.get("util", {})
    if util:
        for b in range(1, cfg.W_BITS_MAX + 1):
            per_sim(
                f"utilization b={b} (cycles/LMMA)",
                lambda s, b=b: (
                    f"{util[s][str(b)]['utilization']:.4f} "
                    f"({util[s][str(b)]['cycles_per_lmma']:.3f})"
                ),
                f">= {TARGETS['util']}",
            )
    bld = res.get("build", {})
    if bld:
        for key, label in (
            ("core", "core build (pins, cocotb)"),
            ("stream", "bridge build (batch, cocotb)"),
            ("replay", "replay build"),
        ):
            per_sim(
                f"{label}: s / MB",
                lambda s, key=key: f"{bld[s][key]['wall_s']:.3g} / {bld[s][key]['maxrss_mb']:.0f}",
            )
    prof = res.get("profile", {})
    if prof.get("groups_s") and prof.get("lmma"):
        n = prof["lmma"]
        short = {
            "model": "model",
            "bridge: payload": "encode",
            "bridge: read": "decode",
            "scoreboard": "compare",
            "cocotb scheduler": "scheduler",
            "cocotb signal": "signals",
            "pyuvm": "pyuvm",
            "other": "other",
        }
        parts_txt = [f"sim {1e6 * prof['simulator_s'] / n:.1f}"]
        for label, sec in sorted(prof["groups_s"].items(), key=lambda kv: -kv[1]):
            key = next((v for k, v in short.items() if label.startswith(k)), label)
            parts_txt.append(f"{key} {1e6 * sec / n:.1f}")
        vals = [" ".join(parts_txt) if s == prof.get("sim") else "-" for s in sims]
        rows.append(("tb batch us/LMMA (cProfile)", *vals, ""))
    reg = res.get("regress")
    if reg and "error" in reg:
        rows.append(
            ("smoke jobs1 / jobs2", *["-" for _ in sims], "not measured: " + reg["error"][:60])
        )
    elif reg:
        rows += _regress_rows(reg, sims)
    widths = [max(len(str(r[i])) for r in [hdr, *rows]) for i in range(len(hdr))]

    def line(r: tuple) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    out = [line(hdr), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows]
    return "\n".join(out)


def _regress_rows(reg: dict, sims: list[str]) -> list[tuple]:
    """Rows of the regress part: Icarus column, the rest empty."""

    def on_icarus(text: str) -> list[str]:
        return [text if s == "icarus" else "-" for s in sims]

    rows = []
    if reg.get("jobs1") and reg.get("jobs2"):
        j1, j2 = reg["jobs1"], reg["jobs2"]
        rows.append(
            (
                "smoke jobs1 / jobs2 (run s)",
                *on_icarus(
                    f"{j1['run_s']:.1f}s / {j2['run_s']:.1f}s = {reg.get('speedup', 0):.2f}x"
                ),
                f">= {TARGETS['regress_speedup']}x",
            )
        )
        if "overhead_per_job_s" in j2:  # runs before the grouping runner lack it
            rows.append(
                (
                    "smoke start-up overhead per job",
                    *on_icarus(
                        f"{j2['overhead_per_job_s']:.2f} s ({j2['jobs']} jobs, "
                        f"{j2['processes']} processes)"
                    ),
                    "< 0.5 s",
                )
            )
    n = reg.get("nightly")
    if n and "error" not in n:
        rows.append(
            (
                "nightly jobs2 (run s)",
                f"{n['run_s']:.0f}s for {n['jobs']} jobs ({n['passed']} pass), "
                f"{n['processes']} processes, overhead {n['overhead_per_job_s']:.2f} s/job",
                *["" for _ in sims[1:]],
                "",
            )
        )
    lb = reg.get("loopback")
    if lb and "added_per_job_s" in lb:
        loc, rem = lb["local"], lb["cluster"]
        rows.append(
            (
                "Dask loopback vs local (run s)",
                f"{rem['run_s']:.1f}s vs {loc['run_s']:.1f}s for {loc['jobs']} jobs: "
                f"{lb['added_per_job_s']:+.2f} s/job (cluster start {rem['cluster_start_s']:.1f}s)",
                *["" for _ in sims[1:]],
                "",
            )
        )
    return rows


DOC = ROOT / "docs" / "performance.md"
DOC_BEGIN, DOC_END = "<!-- bench:begin -->", "<!-- bench:end -->"


def doc_block(res: dict) -> str:
    """The generated part of docs/performance.md: machine, command, table."""
    m = res["machine"]
    la0, la1 = m["loadavg_start"], m["loadavg_end"]
    busy = la0[0] > 0.5  # other jobs running when the benchmark started
    lines = [
        DOC_BEGIN,
        (
            f"Measured at commit {m.get('commit')} on {m.get('nproc')} CPUs ({m.get('cpu')}), "
            f"{m.get('mem_gb')} GB RAM, {m.get('platform')}; {m.get('verilator')}, "
            f"{m.get('iverilog')}, cocotb {m.get('cocotb')}."
        ),
        "",
        f"Command: `{res['command']}` ({res['wall_s']:.0f} s).",
        "",
        f"Load average {la0[0]:.2f} at start, {la1[0]:.2f} at the end"
        + (
            ": **the machine was shared with other jobs, the numbers are provisional**."
            if busy
            else "."
        ),
        "",
        res["table"],
        DOC_END,
    ]
    return "\n".join(lines)


def write_doc(res: dict, path: Path = DOC) -> None:
    text = path.read_text() if path.exists() else f"# Performance\n\n{DOC_BEGIN}\n{DOC_END}\n"
    if DOC_BEGIN not in text or DOC_END not in text:
        text = text.rstrip() + f"\n\n{DOC_BEGIN}\n{DOC_END}\n"
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    path.write_text(head + doc_block(res) + tail)


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
