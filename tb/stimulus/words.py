# SPDX-License-Identifier: Apache-2.0
"""Instruction words as arrays: encode, decode, tags, concatenation.

``models.isa`` packs one word at a time with checks; a stream of 10^5 words
needs the same layout (``models.config.FIELDS``) as a few array operations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.batch import Batch
from models.config import FIELD, FIELDS

TAG_MOD = FIELD["tag"].mask + 1


def encode_words(**fields: np.ndarray | int) -> np.ndarray:
    """uint32 words from field arrays (missing fields are 0); ValueError if one does not fit."""
    unknown = set(fields) - set(FIELD)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}; choose from {list(FIELD)}")
    n = max((np.size(v) for v in fields.values()), default=0)
    word = np.zeros(n, dtype=np.int64)
    for f in FIELDS:
        v = np.asarray(fields.get(f.name, 0), dtype=np.int64)
        if v.size and (v.min() < 0 or v.max() > f.mask):
            raise ValueError(f"{f.name}: a value does not fit {f.width} bits")
        word |= v << f.lsb
    return word.astype(np.uint32)


def decode_words(words: np.ndarray) -> dict[str, np.ndarray]:
    """Field name -> int64 array of every word (vectorized ``models.isa.decode``)."""
    w = np.asarray(words).astype(np.int64)
    return {f.name: (w >> f.lsb) & f.mask for f in FIELDS}


def retag(batch: Batch, start: int = 0) -> Batch:
    """A copy of ``batch`` whose tags run ``start, start+1, ...`` mod 256 (payloads shared)."""
    f = FIELD["tag"]
    tags = (np.arange(len(batch), dtype=np.int64) + start) % TAG_MOD
    keep = np.uint32(0xFFFFFFFF ^ (f.mask << f.lsb))
    words = (batch.words & keep) | (tags.astype(np.uint32) << np.uint32(f.lsb))
    return Batch(words.astype(np.uint32), batch.a, batch.w, batch.c)


def concat(batches: Sequence[Batch], start: int = 0) -> Batch:
    """Scenarios one after the other, tags renumbered from ``start`` across all of them."""
    if not batches:
        raise ValueError("concat: no batches")
    joined = Batch(
        np.concatenate([b.words for b in batches]),
        np.concatenate([b.a for b in batches]),
        np.concatenate([b.w for b in batches]),
        np.concatenate([b.c for b in batches]),
    )
    return retag(joined, start)
