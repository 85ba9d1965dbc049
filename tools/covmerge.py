#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Merge per-test functional coverage; report holes first, write UCIS XML and HTML.

Each tb run with ``LUT_TC_COV_DIR`` set writes one JSON dump
(``{covergroup: {coverpoint_or_cross: {bin: hits}}}`` plus ``_excluded``, the
bins that cannot be hit with the reason, and ``_meta``). A nightly closes
coverage over many tests and seeds, so only the merge decides:

    tools/covmerge.py build/regress/latest/cov               # text report, UCIS XML, HTML
    tools/covmerge.py build/regress/latest/cov --missed      # list every hole, not the first 40
    tools/covmerge.py build/regress/latest/cov --details     # also every exclusion rule and bin
    tools/covmerge.py build/regress/latest/cov --strict      # exit 1 if a bin is missed
    tools/covmerge.py build/regress/latest/cov --out merged.json   # the merged hits as JSON
    tools/covmerge.py build/regress/latest/cov --run other/run.json  # check against that run
    tools/covmerge.py build/regress/latest/cov --testpoints my.toml  # another testpoint list

A merge is only as good as the runs in it: a run that fails before its end
writes no dump. The regression's ``run.json`` beside the dump folder (or
``--run PATH``) lists every job; the report ends with ``merged N of M runs``
and one line per run or file left out, with why (failed, did not finish,
passed without a dump, unreadable, unknown configuration, stale). Whatever
is readable is merged; exit 2 only when nothing is (or a path is missing).

Dumps of different configurations (``_meta.config``) have different bins; they
are merged and reported per configuration, with the excluded bins counted by
reason. Outputs (next to the dumps unless told otherwise):
``merged/<config>.xml`` (UCIS, excluded bins as ignore bins with their
reason) and ``report/index.html``: a summary per configuration and
covergroup, each testpoint of ``docs/testpoints.toml`` with its closure, the
holes grouped by covergroup and point, the runs not merged, and every hit
bin with the first test and seed that hit it ("first" in run.json's job
order; by dump file name without a run.json; ``--out`` has it as
``_first_hit``). The work is done by :mod:`flow.covdb`
(``flow.covdb.summary`` is the same merge as data); this is its command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flow.covdb import (  # noqa: E402
    Collected,
    CovError,
    Testpoint,
    collect,
    merge,
    runs_section,
    text_report,
    to_json,
    write_html,
    write_ucis_dir,
)
from flow.covdb import testpoints as tpdata  # noqa: E402

MAX_HOLES = 40  # per configuration, unless --missed
MISSED_HINT = "make cov MISSED=1 or --missed lists every hole"


def _shown(p: Path) -> str:
    """A path relative to the working directory when it is below it."""
    try:
        return os.path.relpath(p) if p.resolve().is_relative_to(Path.cwd()) else str(p)
    except ValueError:
        return str(p)


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("paths", nargs="+", type=Path, help="coverage JSON files or directories")
    ap.add_argument(
        "--run",
        type=Path,
        help="the regression's run.json to check the dumps against "
        "(default: run.json beside the one dump folder)",
    )
    ap.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if a non-excluded bin is missed or an excluded bin is hit",
    )
    ap.add_argument("--missed", action="store_true", help=f"list every hole (default: {MAX_HOLES})")
    ap.add_argument(
        "--details", action="store_true", help="also every exclusion rule and every bin with hits"
    )
    ap.add_argument("--out", type=Path, help="write the merged hits (per config) as JSON")
    ap.add_argument("--ucis-dir", type=Path, help="UCIS XML per config (default: <dumps>/merged)")
    ap.add_argument("--html", type=Path, help="HTML report (default: <dumps>/report/index.html)")
    ap.add_argument("--no-files", action="store_true", help="text report only: no XML, no HTML")
    ap.add_argument(
        "--testpoints",
        type=Path,
        help=f"testpoint -> coverage data (default: {tpdata.DATA.relative_to(ROOT)})",
    )
    return ap.parse_args(argv)


def _nothing_merged(col: Collected, paths: list[Path]) -> int:
    """Exit 2, saying why: one line for one bad file, else the runs and files left out."""
    where = ", ".join(str(p) for p in paths)
    if col.run is None and not col.not_merged:
        print(f"covmerge: no coverage dumps (*.json) in {where}", file=sys.stderr)
    elif col.run is None and len(col.not_merged) == 1:
        (bad,) = col.not_merged
        print(f"covmerge: nothing merged: {bad.file}: {bad.reason}", file=sys.stderr)
    else:
        print("\n".join(runs_section(col)))
        print(f"covmerge: nothing merged from {where}", file=sys.stderr)
    return 2


def _testpoints(path: Path | None) -> tuple[list[Testpoint] | None, str]:
    """The testpoints, or None and why. A file named on the command line must be usable
    (CovError); the default one, if broken, costs only the testpoint view (one line says so).
    """
    if path is not None:
        return tpdata.load(path), ""
    try:
        return tpdata.load(), ""
    except CovError as e:
        print(f"covmerge: no testpoint view: {e}", file=sys.stderr)
        return None, str(e)


def main(argv: list[str] | None = None) -> int:
    """The report on stdout; 2 on bad input or nothing merged, 1 under --strict, else 0."""
    args = _args(argv)
    try:
        col = collect(args.paths, args.run)
        tps, tps_note = _testpoints(args.testpoints)
    except CovError as e:
        print(f"covmerge: {e}", file=sys.stderr)
        return 2
    if col.run is None and col.run_note.startswith("no run.json"):
        col.run_note += "; --run PATH names one"
    if not col.dumps:
        return _nothing_merged(col, args.paths)
    covs = merge(col.dumps)
    report = text_report(
        covs,
        details=args.details,
        max_holes=None if args.missed else MAX_HOLES,
        hint=f" ({MISSED_HINT})",
        collected=col,
        testpoints=tps,
    )
    print(report, end="")
    holes = sum(len(c.holes()) for c in covs)
    cut = 0 if args.missed else sum(max(0, len(c.holes()) - MAX_HOLES) for c in covs)
    wrong = sum(len(c.excluded_hit()) for c in covs)

    first = args.paths[0]
    base = first if first.is_dir() else first.parent
    try:
        if args.out:
            args.out.write_text(json.dumps(to_json(covs), indent=1, sort_keys=True))
        if not args.no_files:
            xml_dir = args.ucis_dir or base / "merged"
            xml = write_ucis_dir(covs, xml_dir)
            html = write_html(
                covs,
                args.html or base / "report" / "index.html",
                xml,
                collected=col,
                testpoints=tps,
                testpoints_note=tps_note,
            )
            print(f"\nUCIS XML:    {', '.join(_shown(p) for p in xml.values())}")
            print(f"HTML report: {_shown(html)}")
    except OSError as e:
        print(f"covmerge: cannot write {e.filename or 'output'}: {e.strerror}", file=sys.stderr)
        return 2
    if cut:
        print(f"{cut} more hole(s) than listed above ({MISSED_HINT})")
    if args.strict and (holes or wrong):
        said = [f"{holes} bin(s) missed"] if holes else []
        said += [f"{wrong} excluded bin(s) hit"] if wrong else []
        print(f"covmerge --strict: {', '.join(said)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
