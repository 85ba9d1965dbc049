# SPDX-License-Identifier: Apache-2.0
"""The response digest: the same responses, the same digest, however they are cut into records."""

from __future__ import annotations

import numpy as np

from models.batch import BatchResponse
from tb.responses import Digest


def _responses(n: int = 300, lanes: int = 8) -> BatchResponse:
    rng = np.random.default_rng(3)
    return BatchResponse(
        tag=(np.arange(n) % 256).astype(np.uint8),
        status=rng.integers(0, 4, n).astype(np.uint8),
        d=rng.integers(-(2**31), 2**31, size=(n, lanes)).astype(np.int32),
    )


def _cut(r: BatchResponse, sizes: list[int]) -> list[BatchResponse]:
    out, at = [], 0
    for k in sizes:
        out.append(BatchResponse(r.tag[at : at + k], r.status[at : at + k], r.d[at : at + k]))
        at += k
    return out


def _digest(parts: list[BatchResponse]) -> str:
    d = Digest()
    for p in parts:
        d.update(p)
    return d.hexdigest()


def test_the_digest_does_not_depend_on_how_records_are_cut() -> None:
    r = _responses()
    one = _digest([r])
    assert _digest(_cut(r, [1] * 300)) == one  # pins: one response per record
    assert _digest(_cut(r, [7, 100, 193])) == one  # batch: segments
    wide = BatchResponse(r.tag.astype(np.int64), r.status.astype(np.int64), r.d.astype(np.int64))
    assert _digest([wide]) == one  # the hardware's widths, whatever the transport's dtype


def test_every_field_changes_the_digest() -> None:
    r = _responses()
    one = _digest([r])
    for field, i in (("tag", 5), ("status", 17), ("d", 299)):
        bad = BatchResponse(r.tag.copy(), r.status.copy(), r.d.copy())
        arr = getattr(bad, field)
        arr.flat[i] ^= 1
        assert _digest([bad]) != one, field
    assert _digest([_cut(r, [299])[0]]) != one  # one response fewer
