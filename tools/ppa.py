#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Area and delay of the three cores with open tools: ``make ppa``.

    tools/ppa.py                         # every core x weight bits, INT8; the shape sweep
    tools/ppa.py --afmts INT8,INT16,FP16,BF16,FP8          # every activation format
    tools/ppa.py --cores lut_tc,mac --wbits 1,2 --shapes '' --no-liberty
    tools/ppa.py --afmts '' --shapes M2N64,M8N16           # the shape sweep alone
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

With ``--liberty`` (the default) each pair is also mapped to OSU's 0.18 um
standard cells (:mod:`flow.liberty`): area in um2, ABC's critical path in ns,
the clock it allows and GMAC/s per mm2.

``--energy PROFILES`` also prices each pair's switching energy
(:mod:`flow.ppa.energy`): its gate-level netlist at ``--energy-n`` columns
replays a GEMM of each traffic profile under Verilator with toggle counters;
toggles x fan-out per MAC, a table of its own. Off by default: a netlist
build takes minutes.

The tiling-shape sweep (``--shapes``, default M2N64, M4N32, M8N16, M16N8:
512 MACs per LMMA each) prices one precision pair (``--shape-wbits``,
``--shape-afmt``) on ``--shape-cores`` at each M x N: area, delay, table
storage and broadcast bits per MAC. A shape that is also a pair is
synthesized once.

Writes ``build/ppa/ppa.json``, ``build/ppa/area.png`` and
``build/ppa/shapes.png`` (``--out``), prints the tables; ``--write-doc``
puts them into ``docs/ppa.md`` between their markers and copies the plots
to ``docs/``. A synthesis that fails or leaves no logic stops the run with
one line naming the configuration (exit 1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flow import liberty, synth
from flow.ppa import energy
from flow.ppa.energy_sim import EnergySimError
from flow.ppa.pairs import AFMTS, DEFAULT_AFMTS, DEFAULT_WBITS, SHAPES, measure
from flow.ppa.report import (
    DOC,
    DOC_PNG,
    DOC_SHAPES_PNG,
    plot,
    plot_shapes,
    render,
    render_energy,
    render_liberty,
    render_shapes,
    write_doc,
)
from models.config import CORE_FORMATS, CORES, CoreConfig

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


def _one(field: str, text: str, choices) -> str:
    """Exactly one of ``choices``, or one line naming the option and the choices."""
    items = _list(field, text, choices)
    if len(items) != 1:
        raise SystemExit(f"{field}={text!r}: give one of {', '.join(map(str, choices))}")
    return items[0]


def _shapes(text: str) -> list[tuple[int, int]]:
    """``M2N64,M4N32``: the (M, N) of each tiling shape, or one line naming the bad one."""
    out = []
    for x in (x for x in text.split(",") if x):
        found = re.fullmatch(r"M(\d+)N(\d+)", x)
        if not found:
            raise SystemExit(f"shapes={x!r} is not of the form M<rows>N<columns>, e.g. M4N32")
        try:
            CoreConfig(M=int(found[1]), N=int(found[2]))
        except ValueError as exc:
            raise SystemExit(f"shapes={x!r}: {exc}") from None
        out.append((int(found[1]), int(found[2])))
    return out


#: One measurement: core, weight bits, activation format, M, N.
Job = tuple[str, int, str, int, int]


def _measure(job: Job, args: argparse.Namespace, lib: Path | None, total: int) -> dict:
    """The two syntheses of one pair, and a progress line when they are done."""
    core, b, afmt, m, n = job
    row = measure(core, b, afmt, m, n, args.t, args.out, lib)
    um2 = f", {row['area_um2']:,.0f} um2, {row['delay_ns']:.2f} ns" if "area_um2" in row else ""
    with _print_lock:
        print(
            f"[ppa {next(_done)}/{total}] {core} M{m}N{n} W{b} x {afmt}: "
            f"{row['transistors']:,} transistors, {row['gate_levels']} gate levels{um2} "
            f"({row['synth_s']:.0f} s)",
            flush=True,
        )
    if args.profiles and job[3:] == (args.m, args.n):  # pairs, not the other shapes
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
    ap.add_argument("--wbits", default=DEFAULT_WBITS)
    ap.add_argument(
        "--afmts", default=DEFAULT_AFMTS, help="activation formats ('' for the sweep alone)"
    )
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
        "--liberty",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"also map to {liberty.OSU018.name} (area um2, delay ns; default on)",
    )
    ap.add_argument(
        "--shapes",
        default=",".join(SHAPES),
        help="the tiling-shape sweep: M<rows>N<columns>,... ('' for none; default %(default)s)",
    )
    ap.add_argument("--shape-cores", default="lut_tc,mac", help="cores of the sweep")
    ap.add_argument("--shape-wbits", default="2", help="weight bits of the sweep")
    ap.add_argument("--shape-afmt", default="INT8", help="activation format of the sweep")
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
    ap.add_argument("--jobs", type=int, default=2, help="pairs measured at once")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--render", type=Path, help="print a saved ppa.json again")
    ap.add_argument("--write-doc", action="store_true", help=f"put the tables into {DOC.name}")
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
        shapes = _shapes(args.shapes)
        shape_cores = _list("shape-cores", args.shape_cores, list(CORES))
        shape_b = int(_one("shape-wbits", args.shape_wbits, [*"12345678"]))
        shape_a = _one("shape-afmt", args.shape_afmt, list(AFMTS))
        todo: list[Job] = [
            (c, b, a, args.m, args.n)
            for a in afmts
            for b in wbits
            for c in cores
            if CORE_FORMATS[c] >> AFMTS[a] & 1
        ]
        if args.mac_ref and "mac" in cores:
            todo += [
                ("mac", args.mac_ref, a, args.m, args.n)
                for a in afmts
                if CORE_FORMATS["mac"] >> AFMTS[a] & 1
                and ("mac", args.mac_ref, a, args.m, args.n) not in todo
            ]
        sweep: list[Job] = [
            (c, shape_b, shape_a, m, n)
            for m, n in shapes
            for c in shape_cores
            if CORE_FORMATS[c] >> AFMTS[shape_a] & 1
        ]
        if not todo and not sweep:
            raise SystemExit("no precision pair is built by these cores")
        jobs = list(dict.fromkeys(todo + sweep))  # a sweep shape may be a pair already
        t0 = time.monotonic()
        try:
            lib = liberty.prepared(args.out) if args.liberty else None
            print(
                f"ppa: {len(todo)} precision pairs and {len(sweep)} shapes, {len(jobs)} "
                f"measurements of two syntheses each, {args.jobs} at a time"
                + (f", mapped to {liberty.OSU018.name} too" if lib else ""),
                flush=True,
            )
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                done = dict(
                    zip(
                        jobs,
                        pool.map(lambda x: _measure(x, args, lib, len(jobs)), jobs),
                        strict=True,
                    )
                )
        except (
            synth.SynthError,
            liberty.LibertyError,
            energy.EnergyError,
            EnergySimError,
            ValueError,
        ) as exc:
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
                "liberty": liberty.OSU018.name if lib else None,
                "abc_target_ps": liberty.TARGET_PS,
                "shape_pair": f"W{shape_b} x {shape_a}",
                "energy_n": args.energy_n if args.profiles else None,
                "energy_lmmas": args.energy_lmmas if args.profiles else None,
                "wall_s": time.monotonic() - t0,
                "command": "make ppa"
                if argv is None and len(sys.argv) == 1
                else "tools/ppa.py " + " ".join(sys.argv[1:]),
            },
            "rows": [done[j] for j in todo],
            "shapes": [done[j] for j in sweep],
        }
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ppa.json").write_text(json.dumps(doc, indent=1))
        if doc["rows"]:
            plot(doc, args.out / "area.png")
        if doc["shapes"]:
            plot_shapes(doc, args.out / "shapes.png")
        print(f"wrote {args.out / 'ppa.json'} and the plots beside it")
    table = render(doc) if doc["rows"] else ""
    lib_table = render_liberty(doc) if doc["rows"] else ""
    shapes_table = render_shapes(doc) if doc.get("shapes") else ""
    energy_table = render_energy(doc) if doc["rows"] else ""
    print("\n\n".join(t for t in (table, lib_table, shapes_table, energy_table) if t))
    if args.write_doc:
        try:
            write_doc(table, lib_table, shapes_table, energy_table)
        except ValueError as exc:
            print(f"ppa: {exc}", file=sys.stderr)
            return 1
        src = args.render.parent if args.render else args.out
        for png, dst in ((src / "area.png", DOC_PNG), (src / "shapes.png", DOC_SHAPES_PNG)):
            if png.exists():
                shutil.copyfile(png, dst)
        print(f"wrote {DOC}, {DOC_PNG.name} and {DOC_SHAPES_PNG.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
