# SPDX-License-Identifier: Apache-2.0
"""Directed smoke: one LUTGEN + LMMA for every built activation format and weight width.

The first pair of each integer format uses extreme activations and C near
INT32 max (wrap-around); later pairs use uniform values, garbage in the
ignored bus bits (INT8 upper bytes, planes >= b), and even widths get a
second LMMA that reuses the table with codes of encoded random weights.

FP formats (when the configuration builds them) follow the same pattern
with the FP modes in turn: the first pair has special activations and C
near FLT_MAX (overflow to infinity), the later ones walk the other
activation and C modes, FP8 lanes get junk in bits [15:8], and every FP
LMMA carries accfmt FP32. Then the FP corners of :mod:`tb.stimulus.fp_corners`
(cancellation to zero at every width, table-generator ties, overflow).
Every response is OK.
"""

from __future__ import annotations

import numpy as np

from models.batch import Batch, bus_bytes
from models.config import FP_AFMTS, AFmt, CoreConfig, FpAcc, Opcode
from tb.stimulus import fp_payloads as fpp
from tb.stimulus import payloads as pl
from tb.stimulus.fp_corners import fp_corners
from tb.stimulus.words import TAG_MOD, encode_words

#: FP activation / C modes by weight width b (b = 1 first); a later b reuses them in turn
FP_A_ORDER = ("specials", "llm", "subnormal", "cancel", "uniform")
FP_C_ORDER = ("huge", "normal", "subnormal", "specials", "zero", "uniform")


def directed(cfg: CoreConfig, rng: np.random.Generator) -> Batch:
    """LUTGEN then LMMA(s) on a rotating register, for every afmt ``cfg`` builds (integer
    formats first, as before FP existed), b in 1..WBitsMax."""
    nb = bus_bytes(cfg)
    fields: list[tuple[int, int, int, int, int]] = []  # opcode, treg, afmt, wbits, accfmt
    a_rows, w_rows, c_rows = [], [], []
    zero = {k: np.zeros((1, v), np.uint8) for k, v in nb.items()}
    frng = fpp.fp_rng(rng)  # FP draws; rng itself is not advanced by them
    k = 0
    for afmt in cfg.afmts:
        fp = afmt in FP_AFMTS
        g = frng if fp else rng
        for b in range(1, cfg.W_BITS_MAX + 1):
            treg, first = k % cfg.T, b == 1
            fmt = np.array([int(afmt)])
            if fp:
                v = fpp.fp_lanes(g, fmt, FP_A_ORDER[(b - 1) % len(FP_A_ORDER)], cfg.M)
                dirty = np.array([not first and afmt in (AFmt.FP8_E4M3, AFmt.FP8_E5M2)])
            else:
                v = pl.act_values(g, fmt, "extreme" if first else "uniform", cfg.M)
                dirty = np.array([not first and afmt == AFmt.INT8])
            fields.append((Opcode.LUTGEN, treg, int(afmt), 0, 0))
            a_rows.append(pl.a_images(cfg, v, dirty, g))
            w_rows.append(zero["w"])
            c_rows.append(zero["c"])
            for rep in range(1 if b % 2 else 2):
                if fp:
                    mode = FP_C_ORDER[0 if first else 1 + (b + rep) % (len(FP_C_ORDER) - 1)]
                    c = pl.fp_c_images(
                        fpp.fp_c_values(g, mode, 1, cfg.M * cfg.N, cfg.fp_acc != FpAcc.FP32)
                    )
                else:
                    c = pl.c_images(pl.c_values(g, cfg, "near_max" if first else "uniform", 1))
                codes = pl.codes_for(g, cfg, b, from_weights=bool(rep), junk=not first)
                fields.append((Opcode.LMMA, treg, int(afmt), b, int(cfg.accfmt_of(afmt))))
                a_rows.append(zero["a"])
                w_rows.append(pl.w_images(cfg, codes[None]))
                c_rows.append(c)
            k += 1
    for fld, a, w, c in fp_corners(cfg, frng, treg=k % cfg.T):
        fields.append(tuple(int(x) for x in fld))
        a_rows.append(a)
        w_rows.append(w)
        c_rows.append(c)
    f = np.array(fields, dtype=np.int64)
    words = encode_words(
        opcode=f[:, 0],
        treg=f[:, 1],
        afmt=f[:, 2],
        wbits=f[:, 3],
        accfmt=f[:, 4],
        tag=np.arange(len(f)) % TAG_MOD,
    )
    batch = Batch(words, np.concatenate(a_rows), np.concatenate(w_rows), np.concatenate(c_rows))
    batch.check(cfg)
    return batch
