# SPDX-License-Identifier: Apache-2.0
"""Generated doc blocks: one marker format for make ppa, make bench and tools/doc_tables.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from flow import docblock
from flow.bench import table as bench_table
from flow.ppa import report as ppa_report
from tools import doc_tables

ROOT = Path(__file__).resolve().parents[2]


def test_a_block_is_replaced_whole_and_the_rest_kept(tmp_path: Path) -> None:
    begin, end = docblock.markers("t", "cmd")
    text = f"head\n{begin}\nold\nrows\n{end}\ntail\n"
    new = docblock.splice(text, "t", "new")
    assert new == f"head\n{begin}\nnew\n{end}\ntail\n"
    assert docblock.block(new, "t") == "new\n"
    assert docblock.splice(new, "t", "new") == new  # idempotent
    with pytest.raises(ValueError, match="no <!-- BEGIN other"):
        docblock.splice(text, "other", "x")


def test_write_appends_only_when_asked(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Title\n")
    with pytest.raises(ValueError, match="doc.md: no <!-- BEGIN b"):
        docblock.write(doc, "b", "body", "cmd")
    assert doc.read_text() == "# Title\n"
    docblock.write(doc, "b", "body", "cmd", append=True)
    assert (
        doc.read_text() == f"# Title\n\n{docblock.markers('b', 'cmd')[0]}\nbody\n<!-- END b -->\n"
    )
    docblock.write(doc, "b", "two", "cmd")
    assert docblock.block(doc.read_text(), "b") == "two\n"


def test_each_generated_doc_holds_its_block() -> None:
    for path, name in (
        (ppa_report.DOC, ppa_report.DOC_BLOCK),
        (ppa_report.DOC, ppa_report.LIBERTY_BLOCK),
        (ppa_report.DOC, ppa_report.SHAPES_BLOCK),
        (bench_table.DOC, bench_table.DOC_BLOCK),
        *((p, n) for n, (p, _) in doc_tables.TABLES.items()),
    ):
        assert docblock.block(path.read_text(), name).strip(), f"{path.name}: block {name}"
