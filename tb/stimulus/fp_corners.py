# SPDX-License-Identifier: Apache-2.0
"""Directed FP corners: the additions random FP traffic reaches too rarely to close coverage.

For every FP format a configuration builds, one LUTGEN + LMMA group per case,
every response OK (docs/architecture.md section 10):

* ``cancel``: LLM-like activations, and C set to minus plane 0's term in
  every lane, for every width b: the first accumulation is ``x + (-x) = +0``
  (cancellation to zero, which a 1-bit LMMA reaches in no other way).
* ``tie``: ``a3 = p`` and ``a2 = p * 2^-24`` (a power of two ``p`` with both
  in the format): ``a3 + a2`` lies exactly halfway between two binary32
  numbers, the table generator's tie, rounded to even. Formats too narrow
  for the ratio (E4M3) have no such pair and skip it.
* ``table_overflow``: every lane at the format's largest finite value: table
  sums overflow where the format reaches binary32's range (BF16).
* ``acc_overflow``: ``a3`` at the format's largest finite value, the other
  lanes zero (every entry is that value), C = +FLT_MAX and all-positive
  codes, for every b: a finite sum that rounds to infinity wherever the
  entry reaches 2^103 (BF16).
* ``classes``: one lane of each input class (zero, largest subnormal,
  normal, max, inf where the format has it, NaN, and their negatives).
* ``subnormal_c``: zero lanes (every term a zero) and subnormal C: every
  accumulation has a subnormal result, whatever the format's range.

Every case but ``acc_overflow`` and ``subnormal_c`` takes C = minus plane 0's term.

The values are computed from the same contract the model implements
(``models.fp``), not checked here: the scoreboard checks every response.
"""

from __future__ import annotations

import numpy as np

from models.batch import bus_bytes
from models.config import FP_AFMTS, AFmt, CoreConfig, K, Opcode
from models.fp import bits, fp_tables, to_f32
from tb.stimulus import fp_payloads as fpp
from tb.stimulus import payloads as pl

FLT_MAX_BITS = 0x7F7FFFFF
CASES = ("cancel", "tie", "table_overflow", "acc_overflow", "classes", "subnormal_c")

#: one instruction: (opcode, treg, afmt, wbits, accfmt), a, w, c images
Row = tuple[tuple[int, int, int, int, int], np.ndarray, np.ndarray, np.ndarray]


def _tie_lanes(fmt: fpp.FpFormat, m: int) -> np.ndarray | None:
    """Lanes with ``a3 = p``, ``a2 = p * 2^-24`` (the largest such power of two), or None."""
    for e in range(15, -40, -1):
        p, q = np.float32(2.0**e), np.float32(2.0 ** (e - 24))
        pats = fmt.patterns(np.array([p, q]))
        if np.array_equal(fmt.decode(pats), [p, q]):
            lanes = np.zeros((1, m, K), dtype=np.int64)
            lanes[..., 3], lanes[..., 2] = pats[0], pats[1]
            return lanes
    return None


def _class_lanes(fmt: fpp.FpFormat, m: int) -> np.ndarray:
    """One lane per input class and sign, in turn over the ``m * 4`` lanes."""
    pos = [0, fmt.min_normal - 1, fmt.min_normal, fmt.max_pat, *fmt.inf[:1], int(fmt.nan[0])]
    every = [p | s for s in (0, fmt.sign) for p in pos]
    return np.resize(np.array(every, dtype=np.int64), (1, m, K))


def fp_corners(cfg: CoreConfig, rng: np.random.Generator, treg: int = 0) -> list[Row]:
    """The corner groups for every FP format ``cfg`` builds (none for an integer core)."""
    nb = bus_bytes(cfg)
    zero = {k: np.zeros((1, v), np.uint8) for k, v in nb.items()}
    out: list[Row] = []
    for afmt in (f for f in cfg.afmts if f in FP_AFMTS):
        fmt = fpp.fp_format(afmt)
        acc = int(cfg.accfmt_of(afmt))
        big = np.zeros((1, cfg.M, K), dtype=np.int64)
        big[..., 3] = fmt.max_pat
        cases = {
            "cancel": fpp.fp_lanes(rng, np.array([int(afmt)]), "llm", cfg.M),
            "tie": _tie_lanes(fmt, cfg.M),
            "table_overflow": np.full((1, cfg.M, K), fmt.max_pat, dtype=np.int64),
            "acc_overflow": big,
            "classes": _class_lanes(fmt, cfg.M),
            "subnormal_c": np.zeros((1, cfg.M, K), dtype=np.int64),
        }
        for case, lanes in cases.items():
            if lanes is None:
                continue
            a = pl.a_images(cfg, lanes, np.zeros(1, bool), rng)
            out.append(((Opcode.LUTGEN, treg, int(afmt), 0, 0), a, zero["w"], zero["c"]))
            tables = fp_tables(to_f32(lanes.reshape(cfg.M, K), AFmt(afmt)))  # [M, 8]
            for b in range(1, cfg.W_BITS_MAX + 1):
                codes = pl.codes_for(rng, cfg, b, from_weights=False, junk=False)  # [W, N]
                if case == "acc_overflow":
                    codes = codes & 0x7  # positive terms
                    c = np.full((1, cfg.M * cfg.N), FLT_MAX_BITS, dtype=np.uint32)
                elif case == "subnormal_c":  # both signs, smallest to largest subnormal
                    sub = rng.integers(1, 1 << 23, size=cfg.M * cfg.N, dtype=np.int64)
                    sign = rng.integers(0, 2, size=cfg.M * cfg.N, dtype=np.int64) << 31
                    c = (sub | sign).astype(np.uint32).reshape(1, -1)
                else:
                    plane0 = codes[0]
                    entry = tables[:, plane0 & 7]  # [M, N]
                    term = np.where((plane0 >> 3).astype(bool)[None, :], -entry, entry)
                    c = bits(-term).reshape(1, -1)
                w = pl.w_images(cfg, codes[None])
                lmma = (Opcode.LMMA, treg, int(afmt), b, acc)
                out.append((lmma, zero["a"], w, pl.fp_c_images(c)))
    return out
