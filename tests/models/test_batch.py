# SPDX-License-Identifier: Apache-2.0
"""BatchModel answers exactly what CoreModel.step answers, one instruction at a time."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import isa
from models.batch import Batch, BatchModel, BatchResponse, from_bytes
from models.config import CONFIGS, FIELD, AFmt, CoreConfig, Opcode, Status
from models.core import CoreModel
from models.isa import Instr, encode
from models.lmma import pack_c


def random_stream(cfg: CoreConfig, rng: np.random.Generator, n: int) -> Batch:
    """A mix that reaches every status: valid LUTGEN/LMMA, bad fields, junk words, wrap-prone C."""
    words, a, w, c = [], [], [], []
    for _ in range(n):
        kind = rng.integers(10)
        treg = int(rng.integers(cfg.T + 1)) if rng.random() < 0.1 else int(rng.integers(cfg.T))
        tag = int(rng.integers(256))
        if kind < 3:
            fmt = int(rng.choice([AFmt.INT8, AFmt.INT16, AFmt.INT16, AFmt.FP8_E4M3]))
            word = encode(Instr(Opcode.LUTGEN, treg=treg, afmt=fmt, tag=tag))
        elif kind < 8:
            fmt = int(rng.choice([AFmt.INT8, AFmt.INT16]))
            b = int(rng.integers(1, cfg.W_BITS_MAX + 1))
            word = encode(Instr(Opcode.LMMA, treg=treg, afmt=fmt, wbits=b, tag=tag))
        elif kind < 9:  # one field off
            f = FIELD[str(rng.choice(["opcode", "wbits", "accfmt", "rsvd", "afmt"]))]
            base = encode(Instr(Opcode.LMMA, treg=treg, wbits=1, tag=tag))
            word = (base & ~(f.mask << f.lsb)) | (int(rng.integers(f.mask + 1)) << f.lsb)
        else:
            word = int(rng.integers(1 << 32))
        words.append(word)
        a.append(int.from_bytes(rng.bytes(cfg.a_bits // 8), "little"))
        w.append(int.from_bytes(rng.bytes(cfg.w_bits // 8), "little"))
        if rng.random() < 0.3:  # both INT32 limits: the accumulator must wrap
            lim = int(rng.choice([2**31 - 1, -(2**31)]))
            c.append(pack_c(np.full((cfg.M, cfg.N), lim, dtype=np.int64), cfg))
        else:
            c.append(int.from_bytes(rng.bytes(cfg.c_bits // 8), "little"))
    return Batch.from_buses(cfg, words, a, w, c)


def mismatches(model: BatchModel, cfg: CoreConfig, stream: Batch, cuts: list[int]) -> list[int]:
    """Indices where ``model`` (fed in pieces split at ``cuts``) differs from CoreModel."""
    ref = CoreModel(cfg)
    got = BatchResponse.concat(
        [model.step(stream[lo:hi]) for lo, hi in itertools.pairwise([0, *cuts, len(stream)])],
        cfg.M * cfg.N,
    )
    bad = []
    for i in range(len(stream)):
        r = ref.step(
            int(stream.words[i]),
            from_bytes(stream.a[i]),
            from_bytes(stream.w[i]),
            from_bytes(stream.c[i]),
        )
        d = r.d.reshape(-1)
        if (got.tag[i], got.status[i]) != (r.tag, r.status) or not np.array_equal(got.d[i], d):
            bad.append(i)
    return bad


@settings(max_examples=40)
@given(
    name=st.sampled_from(sorted(CONFIGS)),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 120),
    data=st.data(),
)
def test_batch_equals_core_model(name: str, seed: int, n: int, data) -> None:
    cfg = CONFIGS[name]
    stream = random_stream(cfg, np.random.default_rng(seed), n)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=4)))
    assert mismatches(BatchModel(cfg), cfg, stream, cuts) == []


def test_status_rules_exhaustive() -> None:
    """Every status-relevant field combination, after no LUTGEN, INT8 and INT16 LUTGENs."""
    cfg = CONFIGS["M2N4"]
    combos = itertools.product(
        [0, Opcode.LUTGEN, Opcode.LMMA, 3, 15],  # opcode
        [0, cfg.T - 1, cfg.T, 15],  # treg
        [AFmt.INT8, AFmt.INT16, AFmt.FP8_E4M3, AFmt.FP16, 15],  # afmt
        range(16),  # wbits
        [0, 1, 15],  # accfmt
        [0, 1],  # rsvd
    )
    words = [encode(Instr(*c)) for c in combos]
    for setup in (None, AFmt.INT8, AFmt.INT16):
        pre = [] if setup is None else [isa.lutgen(t, setup, 0, cfg) for t in range(cfg.T)]
        stream = random_stream(cfg, np.random.default_rng(len(pre)), len(pre) + len(words))
        stream.words[:] = pre + words
        assert mismatches(BatchModel(cfg), cfg, stream, [len(pre)]) == [], setup


def test_state_carries_across_batches() -> None:
    cfg = CONFIGS["M2N4"]
    a = np.arange(cfg.M * 4).reshape(cfg.M, 4)
    from models.tables import pack_a

    gen = isa.lutgen(2, AFmt.INT16, 1, cfg)
    mm = isa.lmma(2, AFmt.INT16, 2, tag=1, cfg=cfg)
    model = BatchModel(cfg)
    first = model.step(Batch.from_buses(cfg, [mm, gen], [0, pack_a(a, cfg)], [0, 0], [0, 0]))
    assert list(first.status) == [Status.TABLE_INVALID, Status.OK]
    second = model.step(Batch.from_buses(cfg, [mm], [0], [0x1234], [0]))
    assert second.status[0] == Status.OK
    assert np.any(second.d[0] != 0)


def test_bad_batch_names_field() -> None:
    cfg = CONFIGS["M2N4"]
    with pytest.raises(ValueError, match="^w: need uint8"):
        BatchModel(cfg).step(
            Batch(
                np.zeros(1, np.uint32),
                np.zeros((1, 16), np.uint8),
                np.zeros((1, 3), np.uint8),
                np.zeros((1, 32), np.uint8),
            )
        )
    with pytest.raises(ValueError, match="^words"):
        Batch.from_buses(cfg, [-1], [0], [0], [0])
    with pytest.raises(ValueError, match="^c:"):
        Batch.from_buses(cfg, [0], [0], [0], [1 << cfg.c_bits])


class _NoPlaneMask(BatchModel):
    """Broken on purpose: planes >= b are not ignored."""

    def _lmma(self, bank, ver, batch, rows, b):
        return super()._lmma(bank, ver, batch, rows, np.full_like(b, self.cfg.W_BITS_MAX))


class _NoTableCheck(BatchModel):
    """Broken on purpose: an LMMA on an invalid or other-format table reports OK."""

    def step(self, batch):
        out = super().step(batch)
        out.status[out.status == Status.TABLE_INVALID] = Status.OK
        return out


@pytest.mark.parametrize("broken", [_NoPlaneMask, _NoTableCheck])
def test_equivalence_check_catches_a_broken_model(broken) -> None:
    """Negative test: the same comparison that passes above fails on a wrong model."""
    cfg = CONFIGS["M2N4"]
    stream = random_stream(cfg, np.random.default_rng(7), 200)
    assert len(mismatches(broken(cfg), cfg, stream, [50, 120])) > 0
