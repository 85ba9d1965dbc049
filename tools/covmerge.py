#!/usr/bin/env python3
"""Merge per-test functional coverage; report holes first, write UCIS XML and HTML.

Each tb run with ``LUT_TC_COV_DIR`` set writes one JSON dump
(``{covergroup: {coverpoint_or_cross: {bin: hits}}}`` plus ``_excluded``, the
bins that cannot be hit with the reason, and ``_meta``). A nightly closes
coverage over many tests and seeds, so only the merge decides:

    tools/covmerge.py build/regress/cov               # text report, UCIS XML, HTML
    tools/covmerge.py build/regress/cov --missed      # list every hole, not the first 40
    tools/covmerge.py build/regress/cov --details     # also every bin with its hits
    tools/covmerge.py build/regress/cov --strict      # exit 1 if a bin is missed
    tools/covmerge.py build/regress/cov --out merged.json   # the merged hits as JSON

Dumps of different configurations (``_meta.config``) have different bins; they
are merged and reported per configuration. Outputs (next to the dumps unless
told otherwise): ``merged/<config>.xml`` (UCIS, excluded bins as ignore bins
with their reason) and ``report/index.html``. The work is done by
:mod:`tb.covdb`; this is its command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tb.covdb import (  # noqa: E402
    CovError,
    load_dumps,
    merge,
    text_report,
    to_json,
    write_html,
    write_ucis_dir,
)

MAX_HOLES = 40  # per configuration, unless --missed


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
    ap.add_argument("--strict", action="store_true", help="exit 1 if a non-excluded bin is missed")
    ap.add_argument("--missed", action="store_true", help=f"list every hole (default: {MAX_HOLES})")
    ap.add_argument("--details", action="store_true", help="also list every bin with its hits")
    ap.add_argument("--out", type=Path, help="write the merged hits (per config) as JSON")
    ap.add_argument("--ucis-dir", type=Path, help="UCIS XML per config (default: <dumps>/merged)")
    ap.add_argument("--html", type=Path, help="HTML report (default: <dumps>/report/index.html)")
    ap.add_argument("--no-files", action="store_true", help="text report only: no XML, no HTML")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    try:
        covs = merge(load_dumps(args.paths))
    except CovError as e:
        print(f"covmerge: {e}", file=sys.stderr)
        return 2
    hint = "" if args.missed else " (--missed lists every hole)"
    report = text_report(
        covs, details=args.details, max_holes=None if args.missed else MAX_HOLES, hint=hint
    )
    print(report, end="")
    holes = sum(len(c.holes()) for c in covs)

    first = args.paths[0]
    base = first if first.is_dir() else first.parent
    try:
        if args.out:
            args.out.write_text(json.dumps(to_json(covs), indent=1, sort_keys=True))
        if not args.no_files:
            xml_dir = args.ucis_dir or base / "merged"
            xml = write_ucis_dir(covs, xml_dir)
            html = write_html(covs, args.html or base / "report" / "index.html", xml)
            print(f"\nUCIS XML:    {', '.join(_shown(p) for p in xml.values())}")
            print(f"HTML report: {_shown(html)}")
    except OSError as e:
        print(f"covmerge: cannot write {e.filename or 'output'}: {e.strerror}", file=sys.stderr)
        return 2
    if args.strict and holes:
        print(f"covmerge --strict: {holes} bin(s) missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
