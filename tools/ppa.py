#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Area, delay and switching energy of the three cores with open tools: ``make ppa``.

    tools/ppa.py                                  # INT8 pairs with energy, the shape sweep
    tools/ppa.py --fp-acc fp16                    # + W1..W4 x FP16 with binary16 accumulation
    tools/ppa.py --afmts INT8,INT16,FP16,BF16,FP8 --energy ''   # every activation format
    tools/ppa.py --cores lut_tc,mac --wbits 1,2 --shapes '' --no-liberty --energy ''
    tools/ppa.py --energy llm,random,zero_w --wbits 2     # every traffic profile
    tools/ppa.py --render build/ppa/ppa.json [--write-doc]
    tools/ppa.py --render build/ppa/ppa.json build/ppa_fp16/ppa.json   # two runs as one

Each precision pair is its own instance: M2 N64 K4 (``--m``, ``--n``), one
table register (``--t``), ``WBitsMax`` = the weight bits and ``Formats`` = that
one activation format; the MAC core also at ``--mac-ref`` weight bits (a design
that dequantizes every width to 8 bits). Per pair: transistors (Yosys, ``abc -g
cmos2``), gate levels of the longest path, and with ``--liberty`` (default) area
in um2 and the critical path in ns in OSU 0.18 um cells, GMAC/s per mm2; with
``--energy PROFILES`` (default ``llm``) the switching-energy proxy per MAC of
the pair's gate-level netlist at ``--energy-n`` columns replaying a GEMM of
``--energy-lmmas`` LMMAs per profile (a netlist build of one to four minutes per
pair; ``--energy ''`` for none). ``--fp-acc fp16`` adds the paper's FP16
datapath: the LUT Tensor Core at each ``--wbits`` x FP16 with binary16 tables and
accumulation, and the MAC core at ``--mac-ref`` bits where it builds binary16
(else one line says it is left out). ``--shapes`` is the tiling-shape sweep at
512 MACs per LMMA (``--shape-*``: its pair and cores).

What is measured and how: :mod:`flow.ppa` (the job list and the run in
:mod:`flow.ppa.jobs`). Writes ``ppa.json`` and the plots ``area.png``,
``delay.png``, ``energy.png``, ``shapes.png`` into ``--out``, prints the
tables; ``--write-doc`` puts them into ``docs/ppa.md`` and copies the plots to
``docs/``. A bad option, or a measurement that fails, is one line (exit 1).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flow import liberty
from flow.ppa import energy, jobs, report, summary
from flow.ppa.pairs import AFMTS, DEFAULT_AFMTS, DEFAULT_WBITS, FP_ACCS
from models.config import CORES, CoreConfig

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "ppa"
#: Options that only matter to another one, and the option they need.
NEEDS = {
    "energy_n": ("energy", "--energy PROFILES"),
    "energy_lmmas": ("energy", "--energy PROFILES"),
    "energy_pairs": ("energy", "--energy PROFILES"),
    "shape_cores": ("shapes", "--shapes M<rows>N<columns>,..."),
    "shape_wbits": ("shapes", "--shapes M<rows>N<columns>,..."),
    "shape_afmt": ("shapes", "--shapes M<rows>N<columns>,..."),
}
#: Defaults of the options whose default is ``None`` (so a value the user gave is known).
DEFAULTS = {
    "cores": ",".join(CORES),
    "wbits": DEFAULT_WBITS,
    "afmts": DEFAULT_AFMTS,
    "fp_acc": "",
    "m": 2,
    "n": 64,
    "t": 1,
    "mac_ref": 8,
    "shapes": jobs.DEFAULT_SHAPES,
    "shape_cores": "lut_tc,mac",
    "shape_wbits": "2",
    "shape_afmt": "INT8",
    "energy": "llm",
    "energy_pairs": "lut+ref",
    "energy_n": 4,
    "energy_lmmas": energy.DEFAULT_LMMAS,
    "jobs": 2,
    "out": OUT,
}


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


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    d = DEFAULTS
    ap.add_argument("--cores", help=f"default {d['cores']}")
    ap.add_argument("--wbits", help=f"weight bits (default {d['wbits']})")
    ap.add_argument("--afmts", help=f"activation formats ('' for none; default {d['afmts']})")
    ap.add_argument(
        "--fp-acc", help=f"binary16-accumulate rows: {', '.join(FP_ACCS)} (default none)"
    )
    ap.add_argument("--m", type=int, help=f"rows (default {d['m']})")
    ap.add_argument("--n", type=int, help=f"columns (default {d['n']})")
    ap.add_argument("--t", type=int, help=f"table registers (default {d['t']})")
    ap.add_argument(
        "--mac-ref",
        type=int,
        help="the MAC core also built for this many weight bits, the reference every ratio "
        f"is against (0: none; default {d['mac_ref']})",
    )
    ap.add_argument(
        "--liberty",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"also map to {liberty.OSU018.name} (area um2, delay ns; default on)",
    )
    ap.add_argument("--shapes", help=f"tiling shapes ('' for none; default {d['shapes']})")
    ap.add_argument("--shape-cores", help=f"cores of the sweep (default {d['shape_cores']})")
    ap.add_argument("--shape-wbits", help=f"weight bits of the sweep (default {d['shape_wbits']})")
    ap.add_argument("--shape-afmt", help=f"format of the sweep (default {d['shape_afmt']})")
    ap.add_argument(
        "--energy",
        help=f"traffic profiles of the energy proxy: {', '.join(energy.PROFILES)} "
        f"('' for none; default {d['energy']})",
    )
    ap.add_argument(
        "--energy-pairs",
        help="the pairs the proxy prices: lut+ref (the LUT cores and the MAC reference; "
        "default) or all",
    )
    ap.add_argument("--energy-n", type=int, help="columns of the energy instance (default 4)")
    ap.add_argument("--energy-lmmas", type=int, help="LMMAs per profile (default 256)")
    ap.add_argument("--jobs", type=int, help="measurements at once (default 2)")
    ap.add_argument("--out", type=Path, help=f"output folder (default {OUT})")
    ap.add_argument(
        "--render",
        type=Path,
        nargs="+",
        help="print saved ppa.json files again, as one report (with --write-doc: its tables "
        "and plots into docs/)",
    )
    ap.add_argument(
        "--write-doc", action="store_true", help=f"put the tables into {report.DOC.name}"
    )
    return ap


def settings(args: argparse.Namespace, command: str) -> jobs.Settings:
    """The checked settings of ``args``, or one line (SystemExit) naming a bad option."""
    given = {k for k in DEFAULTS if getattr(args, k) is not None}
    for k, v in DEFAULTS.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    for k, (need, how) in NEEDS.items():
        if k in given and not getattr(args, need):
            raise SystemExit(f"{k.replace('_', '-')}: applies with {how}, which is off")
    cores = _list("cores", args.cores, list(CORES))
    fp_acc = [FP_ACCS[a] for a in _list("fp-acc", args.fp_acc, list(FP_ACCS))]
    if fp_acc and not {"lut_tc", "mac"} & set(cores):
        raise SystemExit(
            "fp-acc: binary16 datapaths are built by lut_tc and mac; --cores has neither"
        )
    if fp_acc and "lut_tc" not in cores and not ("mac" in cores and args.mac_ref):
        raise SystemExit("fp-acc: its rows are lut_tc at --wbits and mac at --mac-ref; none asked")
    if "mac_ref" in given and args.mac_ref and "mac" not in cores:
        raise SystemExit(f"mac-ref={args.mac_ref}: needs mac in --cores (or --mac-ref 0)")
    for name, lo, hi in (
        ("mac_ref", 0, 8),
        ("energy_n", 1, 1024),
        ("energy_lmmas", 4, 1 << 16),
        ("jobs", 1, 64),
    ):
        if not lo <= getattr(args, name) <= hi:
            raise SystemExit(
                f"{name.replace('_', '-')}={getattr(args, name)}: at least {lo}, at most {hi}"
            )
    try:
        CoreConfig(M=args.m, N=args.n, T=args.t)
    except ValueError as exc:
        raise SystemExit(f"m, n, t: {exc}") from None
    return jobs.Settings(
        cores=cores,
        wbits=[int(b) for b in _list("wbits", args.wbits, [str(i) for i in range(1, 9)])],
        afmts=_list("afmts", args.afmts, list(AFMTS)),
        fp_acc=fp_acc,
        m=args.m,
        n=args.n,
        t=args.t,
        mac_ref=args.mac_ref,
        liberty=args.liberty,
        shapes=_shapes(args.shapes),
        shape_cores=_list("shape-cores", args.shape_cores, list(CORES)),
        shape_wbits=int(_one("shape-wbits", args.shape_wbits, [*"12345678"])),
        shape_afmt=_one("shape-afmt", args.shape_afmt, list(AFMTS)),
        profiles=_list("energy", args.energy, list(energy.PROFILES)),
        energy_pairs=_one("energy-pairs", args.energy_pairs, list(jobs.ENERGY_PAIRS)),
        energy_n=args.energy_n,
        energy_lmmas=args.energy_lmmas,
        jobs=args.jobs,
        out=args.out,
        command=command,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = (
        "make ppa"
        if argv is None and len(sys.argv) == 1
        else "tools/ppa.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    )
    if args.render:
        extra = [k for k in DEFAULTS if k != "out" and getattr(args, k) is not None]
        if extra or not args.liberty:
            name = extra[0] if extra else "no_liberty"
            raise SystemExit(
                f"{name.replace('_', '-')}: --render prints a saved run, measures nothing"
            )
        for path in args.render:
            if not path.exists():
                raise SystemExit(f"render={path}: no such file")
        doc = jobs.merge([json.loads(path.read_text()) for path in args.render])
    else:
        s = settings(args, command)
        try:
            p = jobs.plan(s)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        try:
            doc = jobs.run(s, p, say=lambda line: print(line, flush=True))
        except jobs.ERRORS as exc:
            print(f"ppa: {exc}", file=sys.stderr)
            return 1
        written = jobs.save(doc, s.out)
        print(f"wrote {', '.join(str(w) for w in written)}")
    blocks = {
        report.SUMMARY_BLOCK: summary.render_summary(doc),
        report.DOC_BLOCK: report.render(doc) if doc["rows"] else "",
        report.LIBERTY_BLOCK: report.render_liberty(doc) if doc["rows"] else "",
        report.ENERGY_BLOCK: report.render_energy(doc) if doc["rows"] else "",
        report.SHAPES_BLOCK: report.render_shapes(doc) if doc.get("shapes") else "",
        report.CLAIMS_BLOCK: summary.render_claims(doc),
    }
    print("\n\n".join(t for t in blocks.values() if t))
    if args.write_doc:
        try:
            report.write_doc(blocks)
        except ValueError as exc:
            print(f"ppa: {exc}", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory() as tmp:  # the plots of the doc being written
            for path in jobs.save(doc, Path(tmp)):
                if path.name in report.DOC_PNGS:
                    shutil.copyfile(path, report.DOC_PNGS[path.name])
        print(f"wrote {report.DOC} and the plots beside it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
