# SPDX-License-Identifier: Apache-2.0
"""Merged functional coverage: per-test JSON dumps -> one database per configuration.

Plain Python (no cocotb, no pyvsc): the merge runs after the regression, on
the dumps ``tb/coverage/collector.py`` writes (``{covergroup: {coverpoint_or_cross:
{bin: hits}}}`` plus ``_excluded`` and ``_meta``). Three outputs, one model:

* :mod:`flow.covdb.model`: load and validate the dumps, sum the hits per
  configuration (:class:`ConfigCoverage`), list the holes;
* :mod:`flow.covdb.runs`: which dumps to merge, measured against the
  regression's ``run.json`` (runs without a dump, unreadable or stale files,
  each with why), and :func:`summary`, the merge as plain data;
* :mod:`flow.covdb.ucisdb`: the merged database as UCIS XML through pyucis, and
  read back (excluded bins are UCIS ``ignore`` bins with their reason);
* :mod:`flow.covdb.testpoints`: the verification plan's testpoints and the
  covergroups that close each (``docs/testpoints.toml``);
* :mod:`flow.covdb.holes`: a cross's holes as a few patterns;
* :mod:`flow.covdb.report` and :mod:`flow.covdb.htmlreport`: a text report (holes
  first) and a static HTML page (a summary per configuration and covergroup
  first, then the testpoints, the holes grouped, and each bin's first hit).

``tools/covmerge.py`` is the command line on top.
"""

from flow.covdb.htmlreport import html_report, write_html
from flow.covdb.model import (
    ConfigCoverage,
    CoverGroup,
    CoverPoint,
    CovError,
    Dump,
    Hole,
    load_dumps,
    merge,
    to_json,
)
from flow.covdb.report import reason_families, reason_summary, runs_section, text_report
from flow.covdb.runs import Collected, NotMerged, Unmerged, collect, read_run, summary
from flow.covdb.testpoints import Testpoint
from flow.covdb.ucisdb import read_ucis, write_ucis, write_ucis_dir

__all__ = [
    "Collected",
    "ConfigCoverage",
    "CovError",
    "CoverGroup",
    "CoverPoint",
    "Dump",
    "Hole",
    "Testpoint",
    "NotMerged",
    "Unmerged",
    "collect",
    "html_report",
    "load_dumps",
    "merge",
    "read_run",
    "read_ucis",
    "reason_families",
    "reason_summary",
    "runs_section",
    "summary",
    "text_report",
    "to_json",
    "write_html",
    "write_ucis",
    "write_ucis_dir",
]
