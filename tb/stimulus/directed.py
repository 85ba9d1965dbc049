"""Directed smoke: one LUTGEN + LMMA for every activation format and weight width.

The first pair of each format uses extreme activations and C near INT32 max
(wrap-around); later pairs use uniform values, garbage in the ignored bus
bits (INT8 upper bytes, planes >= b), and even widths get a second LMMA that
reuses the table with codes of encoded random weights. Every response is OK.
"""

from __future__ import annotations

import numpy as np

from models.batch import Batch, bus_bytes
from models.config import AFmt, CoreConfig, Opcode
from tb.stimulus import payloads as pl
from tb.stimulus.words import TAG_MOD, encode_words


def directed(cfg: CoreConfig, rng: np.random.Generator) -> Batch:
    """LUTGEN then LMMA(s) on a rotating register, for afmt in (INT8, INT16), b in 1..WBitsMax."""
    nb = bus_bytes(cfg)
    fields: list[tuple[int, int, int, int]] = []  # opcode, treg, afmt, wbits
    a_rows, w_rows, c_rows = [], [], []
    zero = {k: np.zeros((1, v), np.uint8) for k, v in nb.items()}
    k = 0
    for afmt in (AFmt.INT8, AFmt.INT16):
        for b in range(1, cfg.W_BITS_MAX + 1):
            treg, first = k % cfg.T, b == 1
            fmt = np.array([int(afmt)])
            v = pl.act_values(rng, fmt, "extreme" if first else "uniform", cfg.M)
            dirty = np.array([not first and afmt == AFmt.INT8])
            fields.append((Opcode.LUTGEN, treg, int(afmt), 0))
            a_rows.append(pl.a_images(cfg, v, dirty, rng))
            w_rows.append(zero["w"])
            c_rows.append(zero["c"])
            for rep in range(1 if b % 2 else 2):
                c = pl.c_values(rng, cfg, "near_max" if first else "uniform", 1)
                codes = pl.codes_for(rng, cfg, b, from_weights=bool(rep), junk=not first)
                fields.append((Opcode.LMMA, treg, int(afmt), b))
                a_rows.append(zero["a"])
                w_rows.append(pl.w_images(cfg, codes[None]))
                c_rows.append(pl.c_images(c))
            k += 1
    f = np.array(fields, dtype=np.int64)
    words = encode_words(
        opcode=f[:, 0], treg=f[:, 1], afmt=f[:, 2], wbits=f[:, 3], tag=np.arange(len(f)) % TAG_MOD
    )
    batch = Batch(words, np.concatenate(a_rows), np.concatenate(w_rows), np.concatenate(c_rows))
    batch.check(cfg)
    return batch
