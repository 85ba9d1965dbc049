# SPDX-License-Identifier: Apache-2.0
"""``make mutate`` end to end on a tiny suite: a mutant the suite kills is reported killed (by a
test, or by a block bench), one it cannot reach survives with its diff, its rerun command and
a Yosys verdict that it differs; an equivalent change is proven equivalent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flow.mutate import equiv
from tools import mutate

KILLED_BY_TEST = "lut_unit.sv:100:28:op_sub"  # acc_q + term -> acc_q - term
KILLED_BY_BLOCK = "lut_fp32_add.sv:226:18:if_true"
#: The scaler is built only on an FP configuration: an integer-only suite cannot reach it.
UNREACHED = "lut_fp32_pow2.sv:109:25:ternary_swap"
#: 1 -> 2 in ``(1 << ShiftW)`` of ``EW``: the same width for every ShiftW the core builds.
EQUIVALENT = "lut_fp32_pow2.sv:71:63:const_inc"

TINY = """\
sim = "icarus"
timeout_s = 120
[files]
"lut_unit.sv" = { cores = ["lut_tc"] }
"lut_fp32_pow2.sv" = { cores = ["lut_tc"] }
"lut_fp32_add.sv" = { cores = ["lut_tc"], fp = true }
[[steps]]
block = "fpadd"
vectors = "corners"
files = ["lut_fp32_add.sv"]
[[steps]]
test = "SmokeTest"
config = "M2N4"
cores = ["lut_tc"]
"""


@pytest.mark.needs("icarus", "yosys")
def test_killed_and_survived(tmp_path: Path) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(TINY)
    out = tmp_path / "run"
    args = ["--suite", str(suite), "--out", str(out), "--jobs", "2"]
    for m in (KILLED_BY_TEST, KILLED_BY_BLOCK, UNREACHED, EQUIVALENT):
        args += ["--mutant", m]
    assert mutate.main(args) == 0
    doc = json.loads((out / "mutate.json").read_text())
    by_id = {r["mutant"]["id"]: r for r in doc["mutants"]}
    t = by_id[KILLED_BY_TEST]["outcome"]
    assert t["status"] == "killed" and t["by"].startswith("SmokeTest M2N4 lut_tc")
    b = by_id[KILLED_BY_BLOCK]["outcome"]
    assert b["status"] == "killed" and b["by"] == "block fpadd corners"
    s = by_id[UNREACHED]
    assert s["outcome"]["status"] == "survived"
    assert s["repro"] == f".venv/bin/python tools/mutate.py --mutant {UNREACHED} --suite {suite}"
    assert s["diff"].startswith("--- a/rtl/lut_fp32_pow2.sv") and "+" in s["diff"]
    proofs = s["outcome"]["equivalence"]["proofs"]
    assert s["outcome"]["equivalence"]["verdict"] == "not_proven"
    assert proofs[0]["verdict"] == "differs"
    report = (out / "report.txt").read_text()
    assert f"SURVIVED {UNREACHED}" in report and f"rerun: {s['repro']}" in report
    assert f"SURVIVED {KILLED_BY_TEST}" not in report
    e = by_id[EQUIVALENT]["outcome"]
    assert e["status"] == "equivalent" and e["equivalence"]["method"].startswith("yosys")
    assert [p["verdict"] for p in e["equivalence"]["proofs"]] == ["proven"]
    assert doc["summary"]["overall"]["score"] == pytest.approx(2 / 3)  # equivalent: not counted
    assert (out / "mutate.html").read_text().count("<details") == 4


COMB = """module m (input logic [7:0] a, input logic [7:0] b, output logic [7:0] y);
  assign y = {EXPR};
endmodule
"""
SEQ = """module m (input logic clk_i, rst_ni, input logic [3:0] d, output logic [2:0] q);
  logic [3:0] r;
  always_ff @(posedge clk_i or negedge rst_ni) if (!rst_ni) r <= '0; else r <= {EXPR};
  assign q = r[2:0];
endmodule
"""


@pytest.mark.needs("yosys")
@pytest.mark.parametrize(
    ("template", "gold", "gate", "verdict"),
    [
        (COMB, "a + 8'd0", "a - 8'd0", "proven"),  # x + 0 == x - 0
        (COMB, "a + b", "a - b", "differs"),
        (SEQ, "d", "d ^ 4'b1000", "proven"),  # only the register's unused bit changes
        (SEQ, "d", "d ^ 4'b0001", "differs"),
    ],
)
def test_yosys_equivalence(tmp_path: Path, template, gold, gate, verdict) -> None:
    g, m = tmp_path / "gold" / "m.sv", tmp_path / "gate" / "m.sv"
    for p, e in ((g, gold), (m, gate)):
        p.parent.mkdir()
        p.write_text(template.replace("{EXPR}", e))
    ctx = equiv.Context("m", {}, "m")
    assert equiv.prove([g], [m], ctx, tmp_path / "eq", 60).verdict == verdict


#: PlaneW's fallback 1 -> 0: a [-1:0] plane number, which only a 1-bit-weight instance builds.
NARROW_ONLY = "lut_conv_unit.sv:32:65:const_dec"
#: ``entry << plane_i`` -> ``>>``: lint clean at every width (a test would kill it).
LINT_CLEAN = "lut_conv_unit.sv:99:40:op_shr"
TWO_WIDTHS = """\
sim = "icarus"
[files]
"lut_conv_unit.sv" = { cores = ["lut_conv"] }
[[steps]]
test = "SmokeTest"
config = "M2N4"
cores = ["lut_conv"]
[[steps]]
test = "SmokeTest"
config = "M2N4W1"
cores = ["lut_conv"]
"""


@pytest.mark.needs("verilator")
@pytest.mark.parametrize(
    ("mutant_id", "status"), [(NARROW_ONLY, "did_not_build"), (LINT_CLEAN, "survived")]
)
def test_lint_at_every_configuration_a_step_builds(
    tmp_path: Path, monkeypatch, mutant_id: str, status: str
) -> None:
    """Lint runs at each step's configuration before its build, as ``make lint`` covers every
    one: a change only a narrow instance shows is refused there, after the wide step ran."""
    from flow.mutate import run, source, suite
    from flow.simrun import RTL
    from tb.tests import catalog

    p = tmp_path / "s.toml"
    p.write_text(TWO_WIDTHS)
    s = suite.load(p, tests=set(catalog()))
    ran: list[str] = []

    def passes(batch, *_args, **_kw):  # no simulator: every test step passes
        ran.extend(st.label for st in batch)
        return [run.StepResult(st.label, "pass", 0.0) for st in batch]

    monkeypatch.setattr(run, "run_test_group", passes)
    m = source.find(source.all_mutants(RTL), mutant_id)
    out = run.run_mutant(m.to_dict(), s, str(RTL), str(tmp_path / "m"))
    assert out["status"] == status, out["detail"]
    assert ran[0].startswith("SmokeTest M2N4 lut_conv")
    if status == "did_not_build":
        assert out["by"] == "lint M2N4W1 lut_conv" and "ASCRANGE" in out["detail"]
        assert len(ran) == 1
    else:
        assert len(ran) == 2
