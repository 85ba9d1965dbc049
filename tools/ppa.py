#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Area of the three cores with open tools: ``make ppa``.

    tools/ppa.py                         # every core x weight bits x activation format
    tools/ppa.py --cores lut_tc,mac --wbits 1,2 --afmts INT8
    tools/ppa.py --render build/ppa/ppa.json [--write-doc]
    tools/ppa.py --cores lut_tc,mac --wbits 2 --afmts INT8 --energy llm,random,zero_w

Each precision pair is its own instance: M2 N64 K4 (``--m``, ``--n``), one
table register (``--t``), ``WBitsMax`` = the weight bits b and ``Formats``
= that one activation format, synthesized by :mod:`flow.synth` (Yosys 0.23,
``abc -g cmos2``, ``stat -tech cmos``; flip-flops at the stated transistor
count; gate levels of the longest path by ``ltp``). A core that does not
build a format has no row for it. The measuring and the report are
:mod:`flow.ppa`; this is its command line.

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

``--energy PROFILES`` also prices each pair's switching energy
(:mod:`flow.ppa.energy`): its gate-level netlist at ``--energy-n`` columns
replays a GEMM of each traffic profile under Verilator with toggle counters;
toggles x fan-out per MAC, a second table. Off by default: a netlist build
takes minutes.

Writes ``build/ppa/ppa.json`` and ``build/ppa/area.png`` (``--out``),
prints the table; ``--write-doc`` puts the table into ``docs/ppa.md``
between its markers and copies the plot to ``docs/ppa_area.png``. A
synthesis that fails or leaves no logic stops the run with one line naming
the configuration (exit 1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flow import synth
from flow.ppa import energy
from flow.ppa.energy_sim import EnergySimError
from flow.ppa.pairs import AFMTS, DEFAULT_AFMTS, measure
from flow.ppa.report import DOC, DOC_PNG, plot, render, render_energy, write_doc, write_energy_doc
from models.config import CORE_FORMATS, CORES

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "ppa"
_done = itertools.count(1)
_print_lock = threading.Lock()


def _list(field: str, text: str, choices) -> list[str]:
    items = [x for x in text.split(",") if x]
    for x in items:
        if x not in choices:
            raise SystemExit(f"{field}={x!r} unknown; choose from {', '.join(map(str, choices))}")
    return items


def _measure(pair: tuple[str, int, str], args: argparse.Namespace, total: int) -> dict:
    """One synthesis, and a progress line when it is done."""
    core, b, afmt = pair
    row = measure(core, b, afmt, args.m, args.n, args.t, args.out)
    with _print_lock:
        print(
            f"[ppa {next(_done)}/{total}] {core} W{b} x {afmt}: {row['transistors']:,} "
            f"transistors, {row['gate_levels']} gate levels ({row['synth_s']:.0f} s)",
            flush=True,
        )
    if args.profiles:
        t0 = time.monotonic()
        row["energy"] = energy.measure(
            core,
            b,
            afmt,
            args.profiles,
            args.m,
            args.energy_n,
            args.t,
            args.out,
            args.energy_lmmas,
        )
        with _print_lock:
            per_mac = ", ".join(f"{p} {e['energy_per_mac']:.1f}" for p, e in row["energy"].items())
            print(
                f"[ppa energy] {core} W{b} x {afmt}: per MAC {per_mac} "
                f"({time.monotonic() - t0:.0f} s)",
                flush=True,
            )
    return row


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
    ap.add_argument(
        "--energy",
        default="",
        help=f"switching-energy proxy on these traffic profiles ({', '.join(energy.PROFILES)}; "
        "default: none)",
    )
    ap.add_argument("--energy-n", type=int, default=4, help="columns of the energy instance")
    ap.add_argument(
        "--energy-lmmas", type=int, default=energy.DEFAULT_LMMAS, help="LMMAs per profile"
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
        args.profiles = _list("energy", args.energy, list(energy.PROFILES))
        for name, least in (("energy_n", 1), ("energy_lmmas", 4)):
            if getattr(args, name) < least:
                raise SystemExit(
                    f"{name.replace('_', '-')}={getattr(args, name)}: at least {least}"
                )
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
                rows = list(pool.map(lambda x: _measure(x, args, len(todo)), todo))
        except (synth.SynthError, energy.EnergyError, EnergySimError, ValueError) as exc:
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
                "energy_n": args.energy_n if args.profiles else None,
                "energy_lmmas": args.energy_lmmas if args.profiles else None,
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
    etable = render_energy(doc)
    if etable:
        print()
        print(etable)
    if args.write_doc:
        try:
            write_doc(table)
            if etable:
                write_energy_doc(etable)
        except ValueError as exc:
            print(f"ppa: {exc}", file=sys.stderr)
            return 1
        png = (args.render.parent if args.render else args.out) / "area.png"
        if png.exists():
            shutil.copyfile(png, DOC_PNG)
        print(f"wrote {DOC} and {DOC_PNG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
