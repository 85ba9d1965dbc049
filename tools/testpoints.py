#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check or rewrite the verification plan's testpoint table from ``docs/testpoints.toml``.

    tools/testpoints.py            # exit 1 if docs/verification_plan.md's table differs
    tools/testpoints.py --write    # regenerate the table from the data file

The data file is the one list of testpoints; ``make cov`` reads it for its
testpoint view (:mod:`flow.covdb.testpoints`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flow.covdb import CovError  # noqa: E402
from flow.covdb.testpoints import DATA, PLAN, WRITE_CMD, load, with_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """0: the table matches (or was written); 1: it differs; 2: a file cannot be used."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--write", action="store_true", help=f"rewrite the table in {PLAN.name}")
    args = ap.parse_args(argv)
    plan = PLAN.relative_to(ROOT)
    try:
        tps = load()
        text = PLAN.read_text()
        if args.write:
            PLAN.write_text(with_table(text, tps))
            print(f"{plan}: testpoint table written from {DATA.name}")
            return 0
        if with_table(text, tps) != text:
            print(f"{plan}: the testpoint table differs from {DATA.name}; run {WRITE_CMD}")
            return 1
    except (CovError, OSError) as e:
        print(f"testpoints: {e}", file=sys.stderr)
        return 2
    print(f"{plan}: the testpoint table matches {DATA.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
