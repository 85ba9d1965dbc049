#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Area of the three cores with open tools: ``make ppa``.

    tools/ppa.py                         # every core x weight bits x activation format
    tools/ppa.py --cores lut_tc,mac --wbits 1,2 --afmts INT8
    tools/ppa.py --render build/ppa/ppa.json [--write-doc]

Each precision pair is its own instance: M2 N64 K4 (``--m``, ``--n``), one
table register (``--t``), ``WBitsMax`` = the weight bits b and ``Formats``
= that one activation format, synthesized by :mod:`flow.synth` (Yosys 0.23,
``abc -g cmos2``, ``stat -tech cmos``; flip-flops at the stated transistor
count). A core that does not build a format has no row for it.

Normalised by throughput: the bit-serial cores (lut_tc, lut_conv) finish
an LMMA, M*N*K multiply-accumulates, in b cycles; the MAC core in one. So
the figure of merit is transistors per (MAC per cycle):
``transistors / (M*N*K / b)`` and ``transistors / (M*N*K)``.

Also per row: table storage (bits of tables held: the LUT Tensor Core's
table register, M x 8 entries; the conventional core's M x N unit tables of
16 entries; none in the MAC core) and the broadcast width (bits driven
across the array each cycle: the tables, or the activations, of the M rows,
plus the weights of the N columns).

The MAC core is also built for 8-bit weights (``--mac-ref``): one design
that takes every weight width at full rate, as a tensor core that
dequantizes the weights to the activations' width and then multiplies.
The table gives each row's ratio against the MAC core of the same weight
width and against that one.

Writes ``build/ppa/ppa.json`` and ``build/ppa/area.png`` (``--out``),
prints the table; ``--write-doc`` puts the table into ``docs/ppa.md``
between its markers and copies the plot to ``docs/ppa_area.png``. A
synthesis that fails or leaves no logic stops the run with one line naming
the configuration (exit 1).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flow import docblock, synth
from models.config import (
    ACC_W,
    ACT_LANE_BITS,
    CODE_BITS,
    CORE_FORMATS,
    CORES,
    FP_W,
    TABLE_ENTRIES,
    TABLE_W,
    TABLE_W_INT8,
    AFmt,
    CoreConfig,
    K,
    formats_mask,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "ppa"
DOC = ROOT / "docs" / "ppa.md"
DOC_PNG = ROOT / "docs" / "ppa_area.png"
#: The doc's generated block (:mod:`flow.docblock`) and the command that writes it.
DOC_BLOCK, DOC_COMMAND = "ppa", "tools/ppa.py --write-doc"
AFMTS = {"INT8": AFmt.INT8, "INT16": AFmt.INT16, "FP16": AFmt.FP16, "BF16": AFmt.BF16}
AFMTS["FP8"] = AFmt.FP8_E4M3
DEFAULT_AFMTS = "INT8,INT16,FP16,BF16,FP8"


def pair_config(core: str, b: int, afmt: str, m: int, n: int, t: int) -> CoreConfig:
    """The instance of one precision pair on one core."""
    return CoreConfig(M=m, N=n, T=t, W_BITS_MAX=b, formats=formats_mask([AFMTS[afmt]]), core=core)


def storage(cfg: CoreConfig) -> dict[str, int]:
    """Table storage and broadcast width in bits, from the RTL's widths (docs section 11)."""
    int16 = cfg.builds(AFmt.INT16)
    wide = int16 or cfg.builds(AFmt.FP16) or cfg.builds(AFmt.BF16)  # 16-bit stored lanes
    int_w = TABLE_W if int16 else TABLE_W_INT8
    entry_w = FP_W if cfg.has_fp else int_w
    acts = cfg.M * K * (ACT_LANE_BITS if wide else 8)
    if cfg.core == "lut_tc":
        tables, rows = cfg.T * cfg.M * TABLE_ENTRIES * entry_w, cfg.M * TABLE_ENTRIES * entry_w
        cols = cfg.N * CODE_BITS  # one bit plane of codes
    elif cfg.core == "lut_conv":
        tables, rows = cfg.M * cfg.N * (1 << CODE_BITS) * int_w, acts
        cols = cfg.N * CODE_BITS
    elif cfg.has_fp:  # the rows' activations converted to binary32, signed magnitudes
        tables, rows = 0, cfg.M * K * FP_W
        cols = cfg.N * K * (cfg.W_BITS_MAX + 1)
    else:
        tables, rows = 0, acts
        cols = cfg.N * K * (cfg.W_BITS_MAX + 2)  # dequantized weights
    return {"table_bits": tables, "broadcast_bits": rows + cols, "acc_bits": cfg.M * cfg.N * ACC_W}


def measure(core: str, b: int, afmt: str, args: argparse.Namespace) -> dict:
    cfg = pair_config(core, b, afmt, args.m, args.n, args.t)
    res = synth.synthesize(cfg, args.out / "runs" / cfg.name)
    macs = cfg.M * cfg.N * K
    per_cycle = macs if core == "mac" else macs / b
    return {
        "core": core,
        "wbits": b,
        "afmt": afmt,
        "config": cfg.name,
        "gates": res.gates,
        "flops": res.flops,
        "logic_transistors": res.logic_transistors,
        "transistors": res.transistors,
        "macs_per_cycle": per_cycle,
        "transistors_per_mac": res.transistors / per_cycle,
        "gates_per_mac": res.gates / per_cycle,
        "synth_s": round(res.seconds, 1),
        **storage(cfg),
    }


def _list(field: str, text: str, choices) -> list[str]:
    items = [x for x in text.split(",") if x]
    for x in items:
        if x not in choices:
            raise SystemExit(f"{field}={x!r} unknown; choose from {', '.join(map(str, choices))}")
    return items


def render(doc: dict) -> str:
    """The table as Markdown: one row per precision pair and core, ratios against MAC."""
    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    mac = {(r["wbits"], r["afmt"]): r for r in rows if r["core"] == "mac"}
    out = [
        "| W x A | core | transistors | gates | flops | MAC/cycle | transistors per MAC/cycle "
        f"| vs MAC (same W) | vs MAC W{ref_b} | table bits | broadcast bits |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def ratio(r: dict, base: dict | None) -> str:
        return f"{r['transistors_per_mac'] / base['transistors_per_mac']:.2f}" if base else "-"

    for r in sorted(rows, key=lambda r: (_afmt_order(r["afmt"]), r["wbits"], _core_order(r))):
        same = mac.get((r["wbits"], r["afmt"]))
        ref = mac.get((ref_b, r["afmt"]))
        out.append(
            f"| W{r['wbits']} x {r['afmt']} | {r['core']} | {r['transistors']:,} | {r['gates']:,} "
            f"| {r['flops']:,} | {r['macs_per_cycle']:g} | {r['transistors_per_mac']:,.0f} "
            f"| {ratio(r, same)} | {ratio(r, ref)} | {r['table_bits']:,} "
            f"| {r['broadcast_bits']:,} |"
        )
    meta = doc["meta"]
    out.append("")
    out.append(
        f"M{meta['M']} N{meta['N']} K{K}, T={meta['T']}; Yosys {meta['yosys']}, "
        f"`abc -g cmos2`, `stat -tech cmos`, flip-flops at {meta['flop_transistors']} "
        f"transistors (+{meta['reset_transistors']} with reset). "
        f"{len(rows)} syntheses in {meta['wall_s']:.0f} s. Command: `{meta['command']}`."
    )
    return "\n".join(out)


def _afmt_order(a: str) -> int:
    return list(AFMTS).index(a)


def _core_order(r: dict) -> int:
    return list(CORES).index(r["core"])


def plot(doc: dict, path: Path) -> None:
    """Transistors per (MAC per cycle) against weight bits, one panel per activation format."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after use(): no display needed

    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    afmts = [a for a in AFMTS if any(r["afmt"] == a for r in rows)]
    fig, axes = plt.subplots(1, len(afmts), figsize=(3.2 * len(afmts), 3.2), squeeze=False)
    styles = {"lut_tc": "o-", "lut_conv": "s--", "mac": "^:"}
    colors = {"lut_tc": "C0", "lut_conv": "C1", "mac": "C2"}  # one color per core, every panel
    for ax, a in zip(axes[0], afmts, strict=True):
        ref = [r for r in rows if r["core"] == "mac" and r["afmt"] == a and r["wbits"] == ref_b]
        if ref:
            ax.axhline(ref[0]["transistors_per_mac"], color="grey", ls="-.", lw=1)
            ax.text(1, ref[0]["transistors_per_mac"], f" mac W{ref_b}", fontsize=7, va="bottom")
        for core in CORES:
            pts = sorted(
                (r["wbits"], r["transistors_per_mac"])
                for r in rows
                if r["core"] == core and r["afmt"] == a and (core != "mac" or r["wbits"] != ref_b)
            )
            if pts:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                ax.plot(xs, ys, styles[core], color=colors[core], label=core)
        ax.set_title(f"A = {a}")
        ax.set_xlabel("weight bits")
        ax.set_xticks(sorted({r["wbits"] for r in rows if r["wbits"] != ref_b}))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("transistors per (MAC per cycle)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(
        f"Area per throughput, M{doc['meta']['M']} N{doc['meta']['N']} K{K} (Yosys, cmos2)"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(table: str, doc_path: Path = DOC) -> None:
    try:
        docblock.write(doc_path, DOC_BLOCK, table, DOC_COMMAND)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cores", default=",".join(CORES))
    ap.add_argument("--wbits", default="1,2,3,4")
    ap.add_argument("--afmts", default=DEFAULT_AFMTS)
    ap.add_argument("--m", type=int, default=2)
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--t", type=int, default=1, help="table registers (default 1)")
    ap.add_argument(
        "--mac-ref",
        type=int,
        default=8,
        help="also the MAC core built for this many weight bits, the reference for "
        "dequantizing to the activation width (0: none)",
    )
    ap.add_argument("--jobs", type=int, default=2, help="syntheses at once")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--render", type=Path, help="print a saved ppa.json again")
    ap.add_argument("--write-doc", action="store_true", help=f"put the table into {DOC.name}")
    args = ap.parse_args(argv)
    if args.render:
        doc = json.loads(args.render.read_text())
    else:
        cores = _list("cores", args.cores, list(CORES))
        wbits = [int(b) for b in _list("wbits", args.wbits, [str(i) for i in range(1, 9)])]
        afmts = _list("afmts", args.afmts, list(AFMTS))
        todo = [
            (c, b, a)
            for a in afmts
            for b in wbits
            for c in cores
            if CORE_FORMATS[c] >> AFMTS[a] & 1
        ]
        if args.mac_ref and "mac" in cores:
            todo += [
                ("mac", args.mac_ref, a)
                for a in afmts
                if CORE_FORMATS["mac"] >> AFMTS[a] & 1 and ("mac", args.mac_ref, a) not in todo
            ]
        if not todo:
            raise SystemExit("no precision pair is built by these cores")
        t0 = time.monotonic()
        try:
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                rows = list(pool.map(lambda x: measure(*x, args), todo))
        except (synth.SynthError, ValueError) as exc:
            print(f"ppa: {exc}", file=sys.stderr)
            return 1
        doc = {
            "meta": {
                "M": args.m,
                "N": args.n,
                "T": args.t,
                "yosys": synth.yosys_version(),
                "flop_transistors": synth.FLOP_TRANSISTORS,
                "reset_transistors": synth.RESET_TRANSISTORS,
                "mac_ref": args.mac_ref,
                "wall_s": time.monotonic() - t0,
                "command": "make ppa"
                if argv is None and len(sys.argv) == 1
                else "tools/ppa.py " + " ".join(sys.argv[1:]),
            },
            "rows": rows,
        }
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ppa.json").write_text(json.dumps(doc, indent=1))
        plot(doc, args.out / "area.png")
        print(f"wrote {args.out / 'ppa.json'} and {args.out / 'area.png'}")
    table = render(doc)
    print(table)
    if args.write_doc:
        write_doc(table)
        png = (args.render.parent if args.render else args.out) / "area.png"
        if png.exists():
            shutil.copyfile(png, DOC_PNG)
        print(f"wrote {DOC} and {DOC_PNG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
