# SPDX-License-Identifier: Apache-2.0
"""Bridge pieces without a simulator: payload store, file formats, response timing."""

from __future__ import annotations

import numpy as np
import pytest

from models.batch import bus_bytes
from models.config import CONFIGS
from tb.bridge import MAGIC, NO_TIME, REC_MARK, BridgeError, PayloadStore, decode_segment
from tb.records import Observed

CFG = CONFIGS["M2N4"]


def _check(store: PayloadStore, rows: np.ndarray, shadow: dict[int, bytes]) -> int:
    """Place ``rows``; apply the writes to ``shadow`` (the bridge); every row must be there."""
    slots, writes = store.place(rows)
    for s, img in writes:
        shadow[s] = bytes(img)
    for r, s in zip(rows, slots, strict=False):
        assert shadow[int(s)] == bytes(r)
    return len(writes)


def test_store_sends_each_image_once() -> None:
    rng = np.random.default_rng(1)
    pool = rng.integers(0, 256, (5, 32), dtype=np.uint8)
    store, shadow = PayloadStore(16, 32, seed=0), {}
    rows = pool[rng.integers(0, 5, 40)]
    assert _check(store, rows, shadow) == len({bytes(r) for r in rows})
    assert _check(store, pool[rng.integers(0, 5, 40)], shadow) == 0


def test_store_hash_collisions_cost_a_resend_never_a_wrong_payload() -> None:
    rng = np.random.default_rng(2)
    store, shadow = PayloadStore(64, 12, seed=0), {}
    store._mul[:] = 0  # every image hashes to 0
    for _ in range(5):
        rows = rng.integers(0, 4, (30, 12), dtype=np.uint8)
        _check(store, rows, shadow)


def test_store_evicts_only_slots_this_batch_does_not_use() -> None:
    rng = np.random.default_rng(3)
    store, shadow = PayloadStore(8, 16, seed=1), {}
    for _ in range(20):
        rows = rng.integers(0, 256, (8, 16), dtype=np.uint8)  # 8 new images, 8 slots
        rows[rng.integers(0, 8)] = rows[0]
        _check(store, rows, shadow)
    with pytest.raises(ValueError, match="payload slots"):
        store.place(rng.integers(0, 256, (9, 16), dtype=np.uint8))


def _record(
    tag: int,
    status: int,
    d: np.ndarray,
    mark: int = REC_MARK,
    t_resp: int = 0,
    t_acc: int = 0,
    out_stall: int = 0,
    in_stall: int = 0,
) -> bytes:
    """One response record as the bridge writes it (format in its header)."""
    head = np.array(
        [tag | status << 8 | mark << 16, t_resp, t_acc, out_stall, in_stall], dtype="<u4"
    )
    return head.tobytes() + d.astype("<i4").tobytes()


def test_decode_segment_reads_records_and_rejects_damage() -> None:
    lanes = bus_bytes(CFG)["c"] // 4
    d = np.arange(2 * lanes, dtype=np.int32).reshape(2, lanes) - 5
    raw = _record(7, 0, d[0]) + _record(255, 4, d[1])
    obs = decode_segment(raw, CFG)
    assert isinstance(obs, Observed) and len(obs) == 2
    seg = obs.resp
    assert list(seg.tag) == [7, 255] and list(seg.status) == [0, 4]
    assert np.array_equal(seg.d, d)
    with pytest.raises(BridgeError, match="whole"):
        decode_segment(raw[:-4], CFG)
    with pytest.raises(BridgeError, match="marker"):
        decode_segment(_record(1, 0, d[0], mark=0x1234), CFG)
    assert MAGIC == int.from_bytes(b"LTS1", "big")


def test_decode_segment_gives_cycles_and_stalls() -> None:
    """Times in ns become cycles of the clock period; an unpaired response has -1."""
    lanes = bus_bytes(CFG)["c"] // 4
    d = np.zeros(lanes, dtype=np.int32)
    raw = (
        _record(1, 0, d, t_resp=1230, t_acc=1190, out_stall=3, in_stall=2)
        + _record(2, 0, d, t_resp=1240, t_acc=1200)
        + _record(3, 0, d, t_resp=0xFFFFFFF0, t_acc=NO_TIME, out_stall=7, in_stall=NO_TIME)
    )
    obs = decode_segment(raw, CFG, period_ns=10)
    for name in ("cycle", "stall", "in_cycle", "in_stall"):
        assert getattr(obs, name).dtype == np.int64, name
    assert list(obs.cycle) == [123, 124, 0xFFFFFFF0 // 10]  # 32 bits: no sign, no wrap
    assert list(obs.in_cycle) == [119, 120, -1]
    assert list(obs.stall) == [3, 0, 7]
    assert list(obs.in_stall) == [2, 0, -1]
    assert list(decode_segment(raw, CFG, period_ns=4).cycle[:2]) == [307, 310]
    with pytest.raises(ValueError, match="period_ns"):
        decode_segment(raw, CFG, period_ns=0)
