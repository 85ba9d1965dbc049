# SPDX-License-Identifier: Apache-2.0
"""``make ppa``: every core synthesizes with Yosys, the counts are real, bad runs are errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flow import synth
from flow.ppa import jobs, pairs, report, summary
from models.config import CoreConfig, FpAcc
from tests.needs import needs
from tests.tools.chain_core import adder_chain_core
from tools import ppa

pytestmark = needs("yosys")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, synth.SynthResult]:
    """Each core at M2 N4, one table register, 2-bit weights: synthesized once for the module."""
    out = tmp_path_factory.mktemp("synth")
    return {
        core: synth.synthesize(CoreConfig(N=4, T=1, W_BITS_MAX=2, core=core), out / core)
        for core in ("lut_tc", "lut_conv", "mac")
    }


@pytest.mark.parametrize("core", ["lut_tc", "lut_conv", "mac"])
def test_every_core_synthesizes_to_gates_and_flops(core: str, small) -> None:
    res = small[core]
    cfg = res.cfg
    assert res.gates > 1000 and res.flops > 0
    assert set(res.cells) <= set(synth.GATES) | set(synth.FLOPS), res.cells
    # The accumulators alone are M*N*32 flip-flops in every core.
    assert res.flops >= cfg.M * cfg.N * 32
    assert res.transistors > res.logic_transistors > 2 * res.gates


def test_a_conventional_core_holds_a_table_in_every_unit(small) -> None:
    """Its 16-entry unit tables are flip-flops: the storage the LUT Tensor Core saves."""
    lut, conv = small["lut_tc"], small["lut_conv"]
    extra = conv.flops - lut.flops
    assert extra >= 2 * 4 * 16 * 19 - 2 * 8 * 19, (conv.flops, lut.flops)


def test_a_synthesis_error_is_one_line_naming_the_configuration(
    tmp_path: Path, monkeypatch
) -> None:
    bad = tmp_path / "bad.sv"
    bad.write_text("module lut_tensor_core (input logic a_i; endmodule\n")
    monkeypatch.setattr(synth, "sources", lambda: [bad])
    with pytest.raises(synth.SynthError, match=r"^M2N4: yosys failed: .*"):
        synth.synthesize(CoreConfig(N=4), tmp_path / "out")


def test_a_core_that_synthesizes_to_nothing_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """Outputs tied off: everything is optimized away, and that is no row."""
    empty = tmp_path / "empty.sv"
    empty.write_text(
        "module lut_tensor_core #(parameter int M = 2, parameter int N = 4, parameter int T = 4,\n"
        "  parameter int WBitsMax = 4, parameter int Formats = 3, parameter int Core = 0)\n"
        "  (input logic clk_i, input logic [7:0] in_a_i, output logic [7:0] out_d_o);\n"
        "  logic [7:0] q;\n"
        "  always_ff @(posedge clk_i) q <= in_a_i;\n"
        "  assign out_d_o = '0;\n"
        "endmodule\n"
    )
    monkeypatch.setattr(synth, "sources", lambda: [empty])
    with pytest.raises(synth.SynthError, match=r"synthesized to nothing \(0 gates, 0 flops\)"):
        synth.synthesize(CoreConfig(N=4), tmp_path / "out")


def test_missing_yosys_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(synth.SynthError, match="yosys is not installed"):
        synth.synthesize(CoreConfig(N=4), tmp_path)


@pytest.mark.needs("osu018")
def test_ppa_writes_table_json_and_plot(tmp_path: Path, capsys) -> None:
    argv = ["--cores", "lut_tc,mac", "--wbits", "1", "--afmts", "INT8", "--n", "4"]
    # The sweep's one shape is the pairs' own instance: no synthesis of its own.
    argv += ["--shapes", "M2N4", "--shape-wbits", "1", "--energy", ""]
    assert ppa.main([*argv, "--mac-ref", "3", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "ppa.json").read_text())
    assert [(r["core"], r["shape"]) for r in doc["shapes"]] == [("lut_tc", "M2N4"), ("mac", "M2N4")]
    for r in doc["rows"]:
        per_cycle = r["macs_per_cycle"]
        assert r["area_um2"] > r["transistors"]  # a few um2 per transistor at 0.18 um
        assert 0.5 < r["delay_ns"] < 50
        assert r["gmacs_per_mm2"] == pytest.approx(
            per_cycle * r["fmax_mhz"] / 1000 / (r["area_um2"] / 1e6)
        )
        assert r["broadcast_bits_per_mac"] == pytest.approx(r["broadcast_bits"] / per_cycle)
    assert (tmp_path / "shapes.png").read_bytes().startswith(b"\x89PNG")
    assert {(r["core"], r["wbits"]) for r in doc["rows"]} == {("lut_tc", 1), ("mac", 1), ("mac", 3)}
    # INT8 only: 10-bit table entries, 8-bit activations (docs section 11).
    lut = next(r for r in doc["rows"] if r["core"] == "lut_tc")
    assert lut["table_bits"] == 1 * 2 * 8 * 10
    for r in doc["rows"]:
        per_cycle = 2 * 4 * 4 / (1 if r["core"] == "mac" else r["wbits"])
        assert r["macs_per_cycle"] == per_cycle
        assert r["transistors_per_mac"] == pytest.approx(r["transistors"] / per_cycle)
        assert r["gate_levels"] > 10 and " -> " in r["critical_path"]
        assert r["area_delay_per_mac"] == pytest.approx(
            r["transistors"] * r["gate_levels"] / per_cycle
        )
    for name in ("area.png", "delay.png"):
        png = (tmp_path / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert not (tmp_path / "energy.png").exists()  # no profile, no energy plot
    out = capsys.readouterr().out
    assert "| W1 x INT8 | lut_tc |" in out and "| W1 x INT8 | mac |" in out
    assert "| vs MAC W3 |" in out and "| W3 x INT8 | mac |" in out
    assert "| vs MAC W3 (area x delay) |" in out
    assert "[ppa 3/3]" in out  # a progress line per pair
    assert "| W1 x INT8 | lut_tc | " in out.split("| energy per MAC (none) |")[1]  # the summary
    assert "| W_INT1 x A_FP16" in out and "`--fp-acc fp16`" in out  # the claims
    assert "| W1 x INT8 | lut_tc | " in out.split("critical path ns")[1]  # the library's table
    assert "| M2N4 | mac | " in out and "broadcast bits per MAC |" in out  # the sweep's


@pytest.mark.parametrize(
    "argv, msg",
    [
        (["--cores", "dsp"], "cores='dsp' unknown; choose from lut_tc, lut_conv, mac"),
        (["--afmts", "INT4"], "afmts='INT4' unknown; choose from INT8, INT16, FP16, BF16, FP8"),
        (
            ["--cores", "lut_conv", "--afmts", "FP16", "--shapes", ""],
            "no precision pair is built by these cores",
        ),
        (["--shapes", "M4X32"], "shapes='M4X32' is not of the form M<rows>N<columns>"),
        (["--shapes", "M2N2048"], r"shapes='M2N2048': N=2048 out of range"),
        (["--shape-wbits", "2,3"], "shape-wbits='2,3': give one of 1, 2"),
        (["--shape-afmt", "INT4"], "shape-afmt='INT4' unknown; choose from INT8"),
        (["--shape-cores", "tpu"], "shape-cores='tpu' unknown; choose from lut_tc"),
        (["--fp-acc", "fp32"], "fp-acc='fp32' unknown; choose from fp16, fp16_ftz"),
        (["--fp-acc", "fp16", "--cores", "lut_conv"], "fp-acc: binary16 datapaths are built by"),
        (["--fp-acc", "fp16", "--cores", "mac", "--mac-ref", "0"], "fp-acc: its rows are lut_tc"),
        (["--cores", "lut_tc", "--mac-ref", "8"], "mac-ref=8: needs mac in --cores"),
        (["--mac-ref", "9"], "mac-ref=9: at least 0, at most 8"),
        (["--energy", "", "--energy-n", "2"], "energy-n: applies with --energy PROFILES"),
        (["--energy", "", "--energy-pairs", "all"], "energy-pairs: applies with --energy"),
        (["--energy-pairs", "fp"], "energy-pairs='fp' unknown; choose from lut\\+ref, all"),
        (["--shapes", "", "--shape-wbits", "2"], "shape-wbits: applies with --shapes"),
        (["--jobs", "0"], "jobs=0: at least 1"),
        (["--n", "0"], "m, n, t: N=0 out of range"),
        (["--render", "x.json", "--cores", "mac"], "cores: --render prints a saved run"),
        (["--render", "x.json", "--no-liberty"], "no-liberty: --render prints a saved run"),
        (["--render", "missing.json"], "render=missing.json: no such file"),
    ],
)
def test_bad_arguments_are_one_line(argv: list[str], msg: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=msg):
        ppa.main([*argv, "--out", str(tmp_path)])


def test_storage_and_broadcast_follow_the_datapaths() -> None:
    """Table bits and broadcast width per core, from the RTL's widths (no synthesis)."""
    lut = pairs.storage(pairs.pair_config("lut_tc", 2, "FP16", 2, 64, 1))
    assert lut["table_bits"] == 2 * 8 * 32 and lut["broadcast_bits"] == 2 * 8 * 32 + 64 * 4
    mac_fp = pairs.storage(pairs.pair_config("mac", 2, "FP16", 2, 64, 1))
    # binary32 activations of the rows, sign and magnitude of the column weights
    assert mac_fp == {"table_bits": 0, "broadcast_bits": 2 * 4 * 32 + 64 * 4 * 3, "acc_bits": 4096}
    mac_int8 = pairs.storage(pairs.pair_config("mac", 2, "INT8", 2, 64, 1))
    assert mac_int8["broadcast_bits"] == 2 * 4 * 8 + 64 * 4 * 4
    conv = pairs.storage(pairs.pair_config("lut_conv", 1, "INT16", 2, 64, 1))
    assert conv["table_bits"] == 2 * 64 * 16 * 19


def test_the_longest_path_is_counted_in_gates_between_registers(
    tmp_path: Path, monkeypatch
) -> None:
    """A chain of four dependent adders is deeper than one adder, and ltp names its ends."""

    depth = {}
    for adds in (1, 4):
        src = adder_chain_core(tmp_path, adds)
        monkeypatch.setattr(synth, "sources", lambda src=src: [src])
        res = synth.synthesize(CoreConfig(N=4), tmp_path / f"out{adds}", depth=True)
        depth[adds] = res.depth
    assert depth[1].levels > 10 and depth[4].levels > depth[1].levels + 5, depth
    assert depth[4].path == "a_q -> d_q"


def test_a_report_without_a_longest_path_is_an_error() -> None:
    with pytest.raises(synth.SynthError, match="no longest path"):
        synth.parse_ltp("End of script.")


def test_every_swept_shape_is_verified_before_it_is_priced() -> None:
    """Each default shape is a named configuration that regressions/shapes.toml runs, on
    every core the sweep prices, at the same MACs per LMMA."""
    import tomllib

    from models.config import CONFIGS, K

    suite = tomllib.loads((Path(__file__).parents[2] / "regressions" / "shapes.toml").read_text())
    assert set(pairs.SHAPES) <= set(suite["configs"])
    assert {"lut_tc", "mac"} <= set(suite["cores"])
    macs = {CONFIGS[s].M * CONFIGS[s].N * K for s in pairs.SHAPES}
    assert macs == {512}


def test_the_default_plan_is_the_int8_pairs_and_the_sweep() -> None:
    plan = jobs.plan(jobs.Settings(shapes=ppa._shapes(jobs.DEFAULT_SHAPES)))
    assert len(plan.pairs) == 13 and {j.afmt for j in plan.pairs} == {"INT8"}
    assert ("mac", 8) in {(j.core, j.wbits) for j in plan.pairs}
    assert len(plan.sweep) == 8 and len(plan.jobs) == 13 + 6  # M2N64 is a pair already
    assert plan.notes == []


def test_binary16_rows_are_priced_where_a_core_builds_them(monkeypatch) -> None:
    """The LUT Tensor Core's W1..W4 x FP16 acc FP16 and the MAC core's W8 baseline; a core
    that builds no binary16 datapath (``fits``) is said in one line and left out."""
    s = jobs.Settings(fp_acc=[FpAcc.FP16])
    plan = jobs.plan(s)
    fp16 = [(j.core, j.wbits) for j in plan.pairs if j.fp_acc == FpAcc.FP16]
    assert fp16 == [("lut_tc", b) for b in (1, 2, 3, 4)] + [("mac", 8)]
    assert plan.notes == []
    real_fits = CoreConfig.fits
    monkeypatch.setattr(
        CoreConfig, "fits", lambda self, core: core != "mac" and real_fits(self, core)
    )
    plan = jobs.plan(s)
    assert ("mac", 8, FpAcc.FP16) not in {(j.core, j.wbits, j.fp_acc) for j in plan.pairs}
    assert plan.notes == [
        "mac W8 x FP16 acc FP16: the MAC core builds no binary16 datapath "
        "(CoreConfig.fits); its baseline row is left out"
    ]


def _fake_row(core: str, b: int, afmt: str, m: int, n: int, *rest, **kw) -> tuple:
    per_cycle = m * n * 4 / (1 if core == "mac" else b)
    um2 = {"lut_tc": 1.0, "lut_conv": 3.0, "mac": 2.0}[core] * 1e5 * b ** (core != "mac")
    row = {
        "core": core,
        "wbits": b,
        "afmt": afmt,
        "fp_acc": (rest[3] if len(rest) > 3 else FpAcc.FP32).name,
        "shape": f"M{m}N{n}",
        "transistors": int(um2 / 5),
        "macs_per_cycle": per_cycle,
        "transistors_per_mac": um2 / 5 / per_cycle,
        "gate_levels": 70,
        "synth_s": 1.0,
        "area_um2_per_mac": um2 / per_cycle,
        "delay_ns": 5.0,
        "table_bits_per_mac": m / 4,
        "broadcast_bits_per_mac": 1.0 + m / 8,
        "gmacs_per_mm2": per_cycle / 5.0 / (um2 / 1e6),
        "area_delay_per_mac": 1.0,
    }
    return row, None


def test_energy_is_priced_on_the_pairs_and_reported(monkeypatch, tmp_path: Path, capsys) -> None:
    """The run wires the proxy into each pair's row (the sweep's shapes are not priced),
    plots it and reports it beside area and delay; ``lut+ref`` leaves the MAC core's other
    widths out, ``all`` prices them."""
    priced = []

    def fake_energy(core, b, afmt, profiles, m, n, t, out, lmmas, fp_acc, synthesized):
        priced.append((core, b, afmt, n))
        e = {"energy_per_mac": 100.0 * (core == "mac") + 50.0 * b, "build_s": 1, "replay_s": 1}
        return {p: e for p in profiles}

    monkeypatch.setattr(jobs, "measure", _fake_row)
    monkeypatch.setattr(jobs.energy, "measure", fake_energy)
    s = jobs.Settings(
        cores=["lut_tc", "mac"],
        wbits=[1, 2],
        liberty=False,
        shapes=[(2, 64), (4, 32)],
        profiles=["llm"],
        out=tmp_path,
    )
    doc = jobs.run(s, jobs.plan(s), say=print)
    assert sorted(priced) == [
        ("lut_tc", 1, "INT8", 4),
        ("lut_tc", 2, "INT8", 4),
        ("mac", 8, "INT8", 4),
    ]
    # M2N64 is a pair's own instance; the other shapes are priced in area and delay only
    assert ["energy" in r for r in doc["shapes"]] == [True, False, False, False]
    assert "switching energy of 3 pairs" in capsys.readouterr().out
    priced.clear()
    s.energy_pairs = "all"
    jobs.run(s, jobs.plan(s), say=print)
    assert len(priced) == 5
    written = jobs.save(doc, tmp_path)
    assert tmp_path / "energy.png" in written
    assert (tmp_path / "energy.png").read_bytes().startswith(b"\x89PNG")
    table = summary.render_summary(doc)
    # lut_tc W1 energy 50 against mac W8's 500
    assert "| W1 x INT8 | lut_tc | " in table and "| 50.0 | 0.10 |" in table
    claims = summary.render_claims(doc)
    assert "W1 10.00x, W2 5.00x" in claims  # mac W8 / lut_tc energy per MAC
    assert "table bits per MAC 2.0x" in claims  # M2N64 to M4N32


def test_saved_runs_merge_into_one_report() -> None:
    """An instance two runs measured is one row, its traffic profiles joined; the energy
    table shows a profile a row was not priced on as '-'."""

    def doc(command: str, rows: list[dict], profiles: list[str]) -> dict:
        meta = {"M": 2, "N": 64, "T": 1, "mac_ref": 8, "command": command, "wall_s": 60.0}
        return {"meta": {**meta, "energy_profiles": profiles}, "rows": rows, "shapes": []}

    def row(b: int, profiles: dict[str, float]) -> dict:
        e = {
            p: {"energy_per_mac": v, "cycles": 3, "lmmas": 1, "load_matched": 1.0}
            for p, v in profiles.items()
        }
        return {
            "core": "lut_tc",
            "wbits": b,
            "afmt": "INT8",
            "config": f"W{b}",
            "shape": "M2N64",
            "energy": e,
        }

    a = doc("make ppa", [row(1, {"llm": 10.0}), row(2, {"llm": 20.0})], ["llm"])
    b = doc("tools/ppa.py --wbits 2", [row(2, {"llm": 99.0, "random": 30.0})], ["llm", "random"])
    merged = jobs.merge([a, b])
    assert [r["config"] for r in merged["rows"]] == ["W1", "W2"]
    assert merged["rows"][1]["energy"]["llm"]["energy_per_mac"] == 20.0  # the first run's
    assert merged["rows"][1]["energy"]["random"]["energy_per_mac"] == 30.0
    assert merged["meta"]["energy_profiles"] == ["llm", "random"]
    assert (
        merged["meta"]["wall_s"] == 120.0 and "tools/ppa.py --wbits 2" in merged["meta"]["command"]
    )
    table = report.render_energy(merged)
    assert "| W1 x INT8 | lut_tc | 10.0 | - |" in table
    assert "| W2 x INT8 | lut_tc | 20.0 | 30.0 |" in table
