# SPDX-License-Identifier: Apache-2.0
"""The benchmark's table: printed, saved in ``build/bench.json`` and written into
``docs/performance.md``."""

from __future__ import annotations

from pathlib import Path

from flow import docblock
from flow.bench.common import ROOT, TARGETS, fmt_rate
from models.config import config_by_name


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
#: The generated block of the doc (:mod:`flow.docblock`) and the command that writes it.
DOC_BLOCK, DOC_COMMAND = "bench", "tools/bench.py --write-doc"


def doc_block(res: dict) -> str:
    """The generated part of docs/performance.md: machine, command, table."""
    m = res["machine"]
    la0, la1 = m["loadavg_start"], m["loadavg_end"]
    busy = la0[0] > 0.5  # other jobs running when the benchmark started
    lines = [
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
    ]
    return "\n".join(lines)


def write_doc(res: dict, path: Path = DOC) -> None:
    """The block of ``path`` (appended when the doc has none yet)."""
    docblock.write(path, DOC_BLOCK, doc_block(res), DOC_COMMAND, append=True)
