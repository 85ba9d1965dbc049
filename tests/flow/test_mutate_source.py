# SPDX-License-Identifier: Apache-2.0
"""The source-level mutator: what it changes, what it leaves alone, and its ids and samples."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from flow.mutate import source
from flow.simrun import RTL

TOY = """\
module toy #(
  parameter int W = 8  // a parameter: left alone
) (
  input  logic [W-1:0] a_i, b_i,
  input  logic         sel_i,
  output logic [W-1:0] y_o,
  output logic         eq_o
);
  // a comment: a + b == c is not code
  localparam string Msg = "a - b";
  assign eq_o = (a_i == b_i) && !sel_i;
`ifdef LUT_TC_BUG_TOY
  assign y_o = a_i - b_i;
`else
  always_comb begin
    if (sel_i) y_o = a_i + b_i;
    else y_o = sel_i ? a_i[3:0] : 8'h0f;
  end
`endif
  `LUT_TC_ASSERT(Toy, a_i >= 0, "never")
endmodule
"""


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    p = tmp_path / "toy.sv"
    p.write_text(TOY)
    return p


def _by_kind(ms: list[source.Mutant]) -> dict[str, list[source.Mutant]]:
    out: dict[str, list[source.Mutant]] = collections.defaultdict(list)
    for m in ms:
        out[m.kind].append(m)
    return out


def test_each_kind_on_a_toy_module(toy: Path) -> None:
    ms = source.mutants_of(toy)
    kinds = _by_kind(ms)
    assert [m.old for m in kinds["op_ne"]] == ["=="]
    assert [m.old for m in kinds["op_lor"]] == ["&&"]
    assert [m.old for m in kinds["not_drop"]] == ["!"]
    assert [m.old for m in kinds["op_sub"]] == ["+"]  # the built branch's +, not the bug's -
    assert "op_add" not in kinds
    assert [(m.old, m.new) for m in kinds["if_neg"]] == [("sel_i", "!(sel_i)")]
    assert [m.new for m in kinds["if_true"] + kinds["if_false"]] == ["1'b1", "1'b0"]
    assert [(m.old, m.new) for m in kinds["ternary_swap"]] == [
        ("a_i[3:0] : 8'h0f", "8'h0f : a_i[3:0]")
    ]
    assert {m.new for m in kinds["const_inc"]} == {"8'h10"}
    assert {m.new for m in kinds["index_inc"]} == {"4", "1"}
    assert all(m.module == "toy" for m in ms)


def test_left_alone(toy: Path) -> None:
    """Comments, strings, parameters, declaration bounds, unbuilt branches, assertion macros."""
    lines = TOY.splitlines()
    touched = {m.line for m in source.mutants_of(toy)}
    for i, text in enumerate(lines, 1):
        if any(w in text for w in ("parameter", "//", "Msg", "logic [", "BUG_TOY", "a_i - b_i")):
            assert i not in touched, text
        if "LUT_TC_ASSERT" in text:
            assert i not in touched, text


def test_apply_diff_and_stale_text(toy: Path) -> None:
    m = next(m for m in source.mutants_of(toy) if m.kind == "op_sub")
    assert m.id == f"toy.sv:{m.line}:{m.col}:op_sub"
    assert "y_o = a_i - b_i" in m.apply(TOY).splitlines()[m.line - 1]
    diff = m.diff(TOY)
    assert diff.startswith("--- a/rtl/toy.sv\n+++ b/rtl/toy.sv\n")
    assert "-    if (sel_i) y_o = a_i + b_i;" in diff and "+    if (sel_i) y_o = a_i - b_i;" in diff
    with pytest.raises(ValueError, match="changed since"):
        m.apply(TOY.replace("a_i + b_i", "a_i * b_i"))


def test_rtl_ids_unique_and_every_file_mutated() -> None:
    ms = source.all_mutants(RTL)
    ids = [m.id for m in ms]
    assert len(ids) == len(set(ids))
    assert {m.file for m in ms} == {p.name for p in source.mutable_files(RTL)}
    assert not {m.file for m in ms} & set(source.NOT_MUTATED)
    for m in ms:  # every mutant applies to the file it came from
        text = (RTL / m.file).read_text()
        assert text[m.start : m.end] == m.old and m.old != m.new


def test_no_rtl_mutant_in_a_planted_bug_or_assertion() -> None:
    for m in source.all_mutants(RTL):
        lines = (RTL / m.file).read_text().splitlines()
        built = source.built_lines(source.mask("\n".join(lines)))
        assert built[m.line - 1], m.id
        assert "LUT_TC_ASSERT" not in lines[m.line - 1], m.id


def test_sample_is_seeded_and_spread() -> None:
    ms = source.all_mutants(RTL)
    files = {m.file for m in ms}
    a = source.sample(ms, 48, 1)
    assert [m.id for m in a] == [m.id for m in source.sample(ms, 48, 1)]
    assert [m.id for m in a] != [m.id for m in source.sample(ms, 48, 2)]
    assert len(a) == 48 and {m.file for m in a} == files
    assert len(source.sample(ms, 0, 1)) == len(ms)


def test_find_names_the_listing() -> None:
    with pytest.raises(ValueError, match=r"MUTANT='x' unknown.*--list-mutants"):
        source.find(source.all_mutants(RTL), "x")
