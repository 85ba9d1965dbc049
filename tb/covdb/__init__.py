"""Merged functional coverage: per-test JSON dumps -> one database per configuration.

Plain Python (no cocotb, no pyvsc): the merge runs after the regression, on
the dumps ``tb/coverage.py`` writes (``{covergroup: {coverpoint_or_cross:
{bin: hits}}}`` plus ``_excluded`` and ``_meta``). Three outputs, one model:

* :mod:`tb.covdb.model`: load and validate the dumps, sum the hits per
  configuration (:class:`ConfigCoverage`), list the holes;
* :mod:`tb.covdb.ucisdb`: the merged database as UCIS XML through pyucis, and
  read back (excluded bins are UCIS ``ignore`` bins with their reason);
* :mod:`tb.covdb.report` and :mod:`tb.covdb.htmlreport`: a text report and a
  static HTML page, holes first.

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
from tb.covdb.report import reason_summary, text_report
from tb.covdb.ucisdb import read_ucis, write_ucis, write_ucis_dir

__all__ = [
    "ConfigCoverage",
    "CovError",
    "CoverGroup",
    "CoverPoint",
    "Dump",
    "Hole",
    "html_report",
    "load_dumps",
    "merge",
    "read_ucis",
    "reason_summary",
    "text_report",
    "to_json",
    "write_html",
    "write_ucis",
    "write_ucis_dir",
]
