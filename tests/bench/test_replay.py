# SPDX-License-Identifier: Apache-2.0
"""The replay harness on the real RTL: it passes, and it finds planted errors at the right index.

Small streams on M2N4 under both simulators. Nothing here measures time:
``tools/bench.py`` reports speed, these tests check behaviour.
"""

from __future__ import annotations

import numpy as np
import pytest

from flow import simrun
from flow.replay import harness
from models.batch import BatchModel, from_bytes
from models.config import Opcode, Status, config_by_name
from models.core import CoreModel
from models.encoding import unpack_codes
from models.isa import decode
from models.lmma import lmma, pack_c, unpack_c
from tests.needs import needs
from tools import replay

CONFIG = "M2N4"
COUNT = 300
SEED = 3

SIMS = [pytest.param(s, marks=needs(s)) for s in simrun.SIMS]


def _run(sim: str, **kw):
    kw.setdefault("count", COUNT)
    kw.setdefault("seed", SEED)
    return replay.replay(sim, CONFIG, **kw)


@pytest.mark.parametrize("sim", SIMS)
def test_replay_passes_full_mix(sim: str) -> None:
    vs, _, r = _run(sim)
    assert r.passed, harness.describe_mismatch(vs, r)
    s = r.stats
    assert s["ok"] == vs.n_vec and s["errors"] == 0
    # The full mix exercises every kind of response.
    assert s["lmma_ok"] > 0 and s["lutgen"] > 0 and s["other"] > 0
    assert s["lmma_ok"] + s["lutgen"] + s["other"] == vs.n_vec


@pytest.mark.parametrize("sim", SIMS)
def test_replay_backpressure_gaps_and_repeat(sim: str) -> None:
    vs, b, _ = _run(sim)
    r = harness.run(b, vs.path, bp=40, gap=25, seed=5, repeat=2)
    assert r.passed, harness.describe_mismatch(vs, r)
    assert r.stats["ok"] == 2 * vs.n_vec
    # Gaps and stalls cost cycles: the pacer really throttled the core.
    plain = harness.run(b, vs.path)
    assert r.stats["cycles"] > 2 * plain.stats["cycles"]


def _stream(cfg_name: str = CONFIG, count: int = COUNT, seed: int = SEED):
    return replay.make_stream(config_by_name(cfg_name), count, seed)


@pytest.mark.parametrize("sim", SIMS)
def test_replay_reports_corrupted_response_index(sim: str) -> None:
    """One expected D with a flipped bit: the harness stops exactly there."""
    cfg = config_by_name(CONFIG)
    clean = replay.prepare(CONFIG, COUNT, SEED)
    stream = _stream()
    # Corrupt an OK LMMA in the second half, after many matching responses.
    exp = BatchModel(cfg).step(stream)
    op = np.array([decode(int(w)).opcode for w in stream.words])
    ok_lmma = np.flatnonzero((exp.status == Status.OK) & (op == Opcode.LMMA))
    index = int(ok_lmma[len(ok_lmma) * 2 // 3])
    vs, _, r = _run(sim, corrupt_index=index)
    assert vs.n_vec == clean.n_vec and vs.path != clean.path
    assert not r.passed
    assert r.first_mismatch == index, r.mismatches
    assert any(f"index={index}" in m for m in r.mismatches)
    assert r.returncode != 0
    assert f"instruction {index}: lmma" in harness.describe_mismatch(vs, r)


def _first_no_negate_divergence(cfg_name: str, count: int, seed: int) -> int:
    """Index of the first response a core without negation gets wrong (model-side)."""
    cfg = config_by_name(cfg_name)
    stream = _stream(cfg_name, count, seed)
    model = CoreModel(cfg)
    for i in range(len(stream)):
        word = int(stream.words[i])
        a, w, c = (from_bytes(getattr(stream, bus)[i]) for bus in ("a", "w", "c"))
        ins = decode(word)
        entry = model.tables[ins.treg] if ins.treg < cfg.T else None
        r = model.step(word, a, w, c)
        if r.status == Status.OK and ins.opcode == Opcode.LMMA:
            assert entry is not None
            codes = unpack_codes(w, ins.wbits, cfg) & 7  # the neg bit ignored
            d_bug = lmma(entry[1], codes, unpack_c(c, cfg))
            if pack_c(d_bug, cfg) != pack_c(r.d, cfg):
                return i
    raise AssertionError("the stream never exposes the bug")


@pytest.mark.parametrize("sim", SIMS)
def test_replay_catches_injected_dut_bug(sim: str) -> None:
    """Built with LUT_TC_BUG_NO_NEGATE, the replay fails at the first response the bug changes."""
    want = _first_no_negate_divergence(CONFIG, COUNT, SEED)
    _, _, r = _run(sim, defines=("LUT_TC_BUG_NO_NEGATE",))
    assert not r.passed
    assert r.first_mismatch == want, r.mismatches
    assert r.stats["ok"] == want  # everything before it matched


def test_vector_files_are_compact() -> None:
    """Pools keep the files small: far fewer distinct payloads than instructions."""
    vs = replay.prepare("M2N64", 2000, 1, mix="bench", wbits=2)
    assert vs.sizes["n_c"] <= 4 and vs.sizes["n_w"] <= 32
    assert vs.sizes["n_d"] < vs.n_vec
    assert vs.n_lmma == 2000


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("b", [1, 3])
def test_fp_lmmas_issue_back_to_back_like_integer_ones(sim: str, b: int, tmp_path) -> None:
    """FP16 LMMAs take b cycles each with no bubble: exactly the cycles of the INT8 stream."""
    import dataclasses

    from flow.replay import vectors
    from tb.stimulus import Knobs, random_stream

    cfg = config_by_name("M2N4FP")
    cycles = {}
    for afmt in ("int8", "fp16"):
        kn = dataclasses.replace(Knobs.lmma(200, wbits=b), afmt={afmt: 1})
        stream = random_stream(cfg, np.random.default_rng(11), kn)
        vs = vectors.prepare(cfg, stream, tmp_path / afmt)
        r = harness.run(harness.build(sim, "M2N4FP", caps=harness.caps_for(vs.sizes)), vs.path)
        assert r.passed, harness.describe_mismatch(vs, r)
        assert r.stats["lmma_ok"] == vs.n_lmma == 200
        cycles[afmt] = r.stats["cycles"]
    assert cycles["fp16"] == cycles["int8"], cycles
    # T LUTGENs (one cycle each), then 200 LMMAs of b cycles, then the output register.
    assert cycles["fp16"] == cfg.T + 200 * b + 1, cycles


def test_a_mix_the_configuration_cannot_run_is_refused_in_one_line(capsys) -> None:
    """The default mix asks for INT8, which the FP16-only binary16 core does not build: one
    line naming the mixes it runs, no traceback, nothing simulated."""
    assert replay.main(["--sim", "icarus", "--config", "M2N4H", "--count", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("replay: --mix full on M2N4H: afmt: 'int8' is not built by M2N4H")
    assert err.endswith("the mixes it runs: fp, bench_fp16") and "\n" not in err


@needs("icarus")
def test_replay_of_the_binary16_core_is_bit_exact() -> None:
    """The pure-SV replay builds the harness with FpAcc: FP16-accumulate LMMAs bit-exact."""
    assert (
        replay.main(["--sim", "icarus", "--config", "M2N4H", "--count", "200", "--mix", "fp"]) == 0
    )
