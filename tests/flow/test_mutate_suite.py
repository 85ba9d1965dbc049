# SPDX-License-Identifier: Apache-2.0
"""The mutation suite's data: every RTL file placed, block steps on their blocks' files,
bad entries refused with one line; and every named configuration in some regression suite."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from blocks.units import UNITS
from flow.mutate import source, suite
from flow.simrun import RTL
from models.config import CONFIGS, CORES, config_by_name
from tb.tests import catalog

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = {u.name: u.kinds for u in UNITS.values()}


def _suite() -> suite.Suite:
    return suite.load(suite.SUITE, blocks=BLOCKS, tests=set(catalog()))


def test_every_mutable_file_has_cores_and_steps() -> None:
    s = _suite()
    files = [p.name for p in source.mutable_files(RTL)]
    assert sorted(s.files) == sorted(files)
    for f in files:
        steps = s.steps_for(f)
        tests = [st for st in steps if st.kind == "test"]
        assert {st.core for st in tests} == set(s.cores_of(f)), f  # every core that builds it
        if s.files[f].fp:
            assert all(config_by_name(st.config, st.core).has_fp for st in tests)


def test_block_steps_are_their_blocks_files_and_come_first() -> None:
    s = _suite()
    for st in s.steps:
        if st.kind == "block":
            assert UNITS[st.block].rtl.name in st.files
            assert all((RTL / f).exists() for f in st.files)
    kinds = [st.kind for st in s.steps]
    assert kinds == sorted(kinds)  # "block" < "test": the benches are the cheaper killers


def test_narrowing_to_a_core() -> None:
    s = _suite()
    assert {st.core for st in s.steps_for("lut_array.sv", ("mac",))} == {"mac"}
    with pytest.raises(suite.SuiteError, match="not in the mutation suite"):
        s.steps_for("nope.sv")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('sim = "vcs"\n', "sim: 'vcs' unknown; choose one of icarus, verilator"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("timeout_s = 0\n", "timeout_s must be a number > 0"),
        ('[[steps]]\ntest = "NoSuchTest"\n', "test: 'NoSuchTest' unknown"),
        ('[[steps]]\ntest = "SmokeTest"\nconfig = "M9"\n', "config: 'M9' unknown"),
        ('[[steps]]\ntest = "SmokeTest"\ncores = ["gpu"]\n', "cores: 'gpu' unknown"),
        ('[[steps]]\ntest = "SmokeTest"\nconfig = "M2N4FP"\ncores = ["lut_conv"]\n', "lut_conv"),
        ('[[steps]]\nblock = "fpadd"\nvectors = "random"\n', "needs count >= 1"),
        ('[[steps]]\nblock = "fpsqrt"\n', "block: 'fpsqrt' unknown"),
        ("[[steps]]\nname = 1\n", "names a `test` or a `block`"),
    ],
)
def test_bad_suite_refused_with_one_line(tmp_path: Path, text: str, says: str) -> None:
    p = tmp_path / "s.toml"
    files = '[files]\n"lut_unit.sv" = { cores = ["lut_tc"] }\n'
    p.write_text(files + text if text.startswith("[[") else text + files)
    with pytest.raises(suite.SuiteError) as e:
        suite.load(p, blocks=BLOCKS, tests=set(catalog()))
    msg = str(e.value)
    assert says in msg and "\n" not in msg


def test_reviewed_list_needs_a_reason(tmp_path: Path) -> None:
    p = tmp_path / "eq.toml"
    p.write_text('[[equivalent]]\nid = "a.sv:1:1:op_add"\nreason = "  "\n')
    with pytest.raises(suite.SuiteError, match="needs an id and a reason"):
        suite.load_reviewed(p)
    p.write_text('[[equivalent]]\nid = "a.sv:1:1:op_add"\nreason = "dead"\n')
    assert suite.load_reviewed(p) == {"a.sv:1:1:op_add": "dead"}
    for mid in suite.load_reviewed():  # the shipped list names real mutants
        source.find(source.all_mutants(RTL), mid)


def _suite_runs() -> set[tuple[str, str]]:
    """(configuration, core) pairs some regressions/*.toml entry runs."""
    runs = set()
    for p in sorted((ROOT / "regressions").glob("*.toml")):
        doc = tomllib.loads(p.read_text())
        for t in doc["tests"]:
            for c in t.get("configs", doc.get("configs", ["M2N64"])):
                for core in t.get("cores", doc.get("cores", ["lut_tc"])):
                    runs.add((c, core))
    return runs


def test_every_named_configuration_runs_in_some_suite() -> None:
    runs = _suite_runs()
    missing = sorted(set(CONFIGS) - {c for c, _ in runs})
    assert not missing, f"no suite in regressions/ runs {missing}"
    # the instances only a narrow configuration builds, on every core that builds them
    for name in NARROW:
        built = {core for core in CORES if CONFIGS[name].fits(core)}
        assert {core for c, core in runs if c == name} == built, name


#: Named configurations that build an instance no default width builds: INT8 only, 1-bit
#: weights, 3-bit weights with FP, FP16 only. Each decides a mutant no other one kills.
NARROW = ("M2N4I8", "M2N4W1", "M2N4FPW3", "M2N4F16")


def test_the_mutation_suite_runs_every_narrow_instance() -> None:
    """A mutant that shows only in a narrow instance dies only where a step builds it."""
    steps = {(st.config, st.core) for st in _suite().steps if st.kind == "test"}
    for name in NARROW:
        built = {core for core in CORES if CONFIGS[name].fits(core)}
        assert {core for c, core in steps if c == name} == built, name


def test_the_suite_check_sees_a_missing_configuration(monkeypatch) -> None:
    """The negative of the test above: a configuration no suite names is reported."""
    monkeypatch.setitem(CONFIGS, "M8N8", CONFIGS["M2N4"])
    with pytest.raises(AssertionError, match="M8N8"):
        test_every_named_configuration_runs_in_some_suite()
