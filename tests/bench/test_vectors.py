# SPDX-License-Identifier: Apache-2.0
"""Vector sets without a simulator: pools, records and hex files say what the stream says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flow.replay import vectors
from models.batch import Batch, BatchModel, bus_bytes
from models.config import config_by_name
from tools import replay

CFG = config_by_name("M2N4")


def _stream(count: int = 200, seed: int = 5, mix: str = "full") -> Batch:
    return replay.make_stream(CFG, count, seed, mix)


def _read_lanes(path: Path, nbytes: int) -> np.ndarray:
    """A pool file back into uint8 ``[P, nbytes]`` images."""
    lanes = np.array([int(x, 16) for x in path.read_text().split()], dtype="<u4")
    per = (nbytes + 3) // 4
    return lanes.reshape(-1, per).view(np.uint8)[:, :nbytes]


def test_dedupe_is_exact_even_when_every_hash_collides(monkeypatch) -> None:
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 3, (500, 13), dtype=np.uint8)  # few distinct rows, odd width
    pool, idx = vectors.dedupe(rows)
    assert np.array_equal(pool[idx], rows)
    assert len(pool) == len({bytes(r) for r in rows})
    monkeypatch.setattr(vectors, "_MUL", np.zeros_like(vectors._MUL))  # one hash for all
    pool, idx = vectors.dedupe(rows)
    assert np.array_equal(pool[idx], rows)
    assert len(pool) == len({bytes(r) for r in rows})


def test_predict_in_chunks_equals_one_step() -> None:
    """State (table registers) carries across chunk boundaries exactly as in one step."""
    stream = _stream()
    whole = BatchModel(CFG).step(stream)
    exp = vectors.predict(CFG, stream, chunk=7)
    assert np.array_equal(exp.tag, whole.tag) and np.array_equal(exp.status, whole.status)
    assert np.array_equal(exp.d_pool[exp.d_idx].view("<i4"), whole.d)
    with pytest.raises(ValueError, match="chunk"):
        vectors.predict(CFG, stream, chunk=0)


def test_written_files_decode_back_to_the_stream(tmp_path: Path) -> None:
    stream = _stream()
    exp = vectors.predict(CFG, stream)
    sizes = vectors.write_vectors(CFG, stream, exp, tmp_path)
    nb = bus_bytes(CFG)
    pools = {k: _read_lanes(tmp_path / f"{k}.hex", nb["c" if k == "d" else k]) for k in "awcd"}
    assert {f"n_{k}": len(v) for k, v in pools.items()} == {
        k: v for k, v in sizes.items() if k != "n_vec"
    }
    recs = [int(x, 16) for x in (tmp_path / "vec.hex").read_text().split()]
    assert len(recs) == sizes["n_vec"] == len(stream)

    def field(r: int, lsb: int, width: int) -> int:
        return (r >> lsb) & ((1 << width) - 1)

    for i in (0, 1, 57, len(stream) - 1):
        r = recs[i]
        assert field(r, 0, 32) == stream.words[i]
        assert field(r, 32, 8) == exp.tag[i] and field(r, 40, 4) == exp.status[i]
        assert field(r, 44, 4) == 0
        for bus, lsb in (("a", 48), ("w", 68), ("c", 88)):
            assert np.array_equal(pools[bus][field(r, lsb, 20)], getattr(stream, bus)[i]), bus
        assert np.array_equal(pools["d"][field(r, 108, 20)], exp.d_pool[exp.d_idx[i]])
        assert vectors.record_word(tmp_path, i) == stream.words[i]
    meta = [int(x, 16) for x in (tmp_path / "meta.hex").read_text().split()]
    assert meta[0] == len(stream) and meta[5] == vectors.FORMAT_VERSION
    assert meta[6:] == [CFG.M, CFG.N, CFG.T, CFG.W_BITS_MAX, CFG.formats]


def test_corrupt_flips_one_bit_of_one_response() -> None:
    exp = vectors.predict(CFG, _stream())
    bad = exp.corrupt(10, lane=2)
    d0, d1 = exp.d_pool[exp.d_idx], bad.d_pool[bad.d_idx]
    diff = np.flatnonzero(np.any(d0 != d1, axis=1))
    assert list(diff) == [10]
    assert np.unpackbits(d0[10] ^ d1[10]).sum() == 1 and (d0[10] ^ d1[10])[8] == 1
    with pytest.raises(ValueError, match="corrupt_index"):
        exp.corrupt(len(exp))


def test_prepare_caches_by_key_and_calls_the_generator_only_when_needed(tmp_path: Path) -> None:
    calls = []

    def make() -> Batch:
        calls.append(1)
        return _stream(50)

    out = tmp_path / "set"
    key = {"what": "test", "n": 50}
    first = vectors.prepare(CFG, make, out, key)
    again = vectors.prepare(CFG, make, out, key)
    assert not first.cached and again.cached and len(calls) == 1
    assert set(first.times) == {"gen", "predict", "write"}
    assert (again.sizes, again.n_vec, again.n_lmma) == (first.sizes, first.n_vec, first.n_lmma)
    vectors.prepare(CFG, make, out, {**key, "n": 51})  # another key: regenerated
    vectors.prepare(CFG, make, out)  # no key: never cached
    assert len(calls) == 3
