#!/usr/bin/env python3
"""Merge per-test functional coverage and report bins hit / missed.

Each tb run with ``LUT_TC_COV_DIR`` set writes ``<test>_<seed>.json``:
``{covergroup: {coverpoint_or_cross: {bin: hits}}}``, plus ``_excluded``
(bins that cannot be hit, with the reason) and ``_meta``. A nightly closes
coverage over many tests and seeds, so only the merge decides:

    tools/covmerge.py build/cov/*.json              # summary per covergroup
    tools/covmerge.py build/cov --missed            # also list every missed bin
    tools/covmerge.py build/cov --strict            # exit 1 if a bin is missed
    tools/covmerge.py build/cov --out merged.json   # the merged hits

Files of different configurations (``_meta.config``) have different bins
(e.g. ``w8`` exists only with WBitsMax = 8); they are merged per configuration
and reported separately.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

Hits = dict[str, dict[str, dict[str, int]]]


def load(paths: list[Path]) -> list[tuple[Path, dict]]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.json")) if p.is_dir() else [p]
    return [(f, json.loads(f.read_text())) for f in files]


def merge(docs: list[dict]) -> tuple[Hits, dict]:
    """Sum hits bin by bin; union the exclusions."""
    hits: Hits = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    excluded: dict = defaultdict(lambda: defaultdict(dict))
    for doc in docs:
        for cg, cps in doc.items():
            if cg == "_excluded":
                for xcg, xcps in cps.items():
                    for xcp, bins in xcps.items():
                        excluded[xcg][xcp].update(bins)
            elif not cg.startswith("_"):
                for cp, bins in cps.items():
                    for b, n in bins.items():
                        hits[cg][cp][b] += int(n)
    return hits, excluded


def missed_bins(hits: Hits, excluded: dict) -> list[str]:
    return [
        f"{cg}.{cp}.{b}"
        for cg, cps in sorted(hits.items())
        for cp, bins in sorted(cps.items())
        for b, n in bins.items()
        if n == 0 and b not in excluded.get(cg, {}).get(cp, {})
    ]


def report(config: str, files: int, hits: Hits, excluded: dict, show_missed: bool) -> int:
    """Print one configuration's summary; returns the number of missed bins."""
    print(f"== config {config}: {files} file(s)")
    total_hit = total = 0
    for cg, cps in sorted(hits.items()):
        n_bins = sum(len(b) for b in cps.values())
        n_hit = sum(1 for b in cps.values() for v in b.values() if v)
        n_x = sum(len(b) for b in excluded.get(cg, {}).values())
        total_hit, total = total_hit + n_hit, total + n_bins
        xs = f", {n_x} excluded" if n_x else ""
        print(
            f"  {cg:<12} {n_hit:>5}/{n_bins:<5} bins hit "
            f"({100.0 * n_hit / max(n_bins, 1):5.1f} %){xs}"
        )
        for cp, bins in sorted(cps.items()):
            cp_hit = sum(1 for v in bins.values() if v)
            print(f"    {cp:<36} {cp_hit:>5}/{len(bins)}")
    missed = missed_bins(hits, excluded)
    print(f"  total        {total_hit:>5}/{total:<5} bins hit, {len(missed)} missed")
    if show_missed and missed:
        for m in missed:
            print(f"    missed: {m}")
    return len(missed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path, help="coverage JSON files or directories")
    ap.add_argument(
        "--strict", action="store_true", help="exit 1 if any non-excluded bin is missed"
    )
    ap.add_argument("--missed", action="store_true", help="list every missed bin")
    ap.add_argument("--out", type=Path, help="write the merged hits (per config) as JSON")
    args = ap.parse_args(argv)

    loaded = load(args.paths)
    if not loaded:
        print("covmerge: no coverage files found", file=sys.stderr)
        return 2
    by_config: dict[str, list[dict]] = defaultdict(list)
    for _, doc in loaded:
        by_config[doc.get("_meta", {}).get("config", "?")].append(doc)

    missed = 0
    merged_out = {}
    for config, docs in sorted(by_config.items()):
        hits, excluded = merge(docs)
        missed += report(config, len(docs), hits, excluded, args.missed)
        merged_out[config] = {
            **json.loads(json.dumps(hits)),
            "_excluded": json.loads(json.dumps(excluded)),
        }
    if args.out:
        args.out.write_text(json.dumps(merged_out, indent=1, sort_keys=True))
    if args.strict and missed:
        print(f"covmerge --strict: {missed} bins missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
