"""Merged functional coverage: per-test JSON dumps -> one database per configuration.

Plain Python (no cocotb, no pyvsc): the merge runs after the regression, on
the dumps ``tb/coverage.py`` writes (``{covergroup: {coverpoint_or_cross:
{bin: hits}}}`` plus ``_excluded`` and ``_meta``). Three outputs, one model:

* :mod:`tb.covdb.model`: load and validate the dumps, sum the hits per
  configuration (:class:`ConfigCoverage`), list the holes;
* :mod:`tb.covdb.runs`: which dumps to merge, measured against the
  regression's ``run.json`` (runs without a dump, unreadable or stale files,
  each with why), and :func:`summary`, the merge as plain data;
* :mod:`tb.covdb.ucisdb`: the merged database as UCIS XML through pyucis, and
  read back (excluded bins are UCIS ``ignore`` bins with their reason);
* :mod:`tb.covdb.testpoints`: the verification plan's testpoints and the
  covergroups that close each (``docs/testpoints.toml``);
* :mod:`tb.covdb.holes`: a cross's holes as a few patterns;
* :mod:`tb.covdb.report` and :mod:`tb.covdb.htmlreport`: a text report (holes
  first) and a static HTML page (a summary per configuration and covergroup
  first, then the testpoints, the holes grouped, and each bin's first hit).

``tools/covmerge.py`` is the command line on top.
"""

from tb.covdb.htmlreport import html_report, write_html
from tb.covdb.model import (
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
from tb.covdb.report import reason_families, reason_summary, runs_section, text_report
from tb.covdb.runs import Collected, NotMerged, Unmerged, collect, read_run, summary
from tb.covdb.testpoints import Testpoint
from tb.covdb.ucisdb import read_ucis, write_ucis, write_ucis_dir

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
