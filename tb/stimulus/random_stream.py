# SPDX-License-Identifier: Apache-2.0
"""The constrained-random instruction stream, vectorized: knobs in, a Batch out.

Every choice is a numpy draw over the whole stream. The choices that depend
on what happened before (which registers hold a table and in which format,
the register written last) come from running maxima over instruction
indices, one pass per table register, so 10^5 instructions take a fraction
of a second and no per-instruction Python runs.

Stream layout: ``cold_lmmas`` LMMAs on never-written registers, then (with
``lutgen_first``) one LUTGEN per register, then the body drawn from ``mix``,
with a table refresh before every ``refresh_every``-th body LMMA. If no
table exists when the first body LMMA comes, that LMMA becomes a LUTGEN
(an LMMA needs a table to read). Tags count from 0.

Every LMMA that should pass carries the accumulator format of its table's
format (``CoreConfig.accfmt_of``: INT32 for integer tables, FP32 for FP ones,
FP16 on a binary16 instance). Draws that only FP streams need (FP values, FP
C, a choice among more than two built formats) come from
``fp_payloads.fp_rng``, which leaves the caller's generator untouched: an
integer-only stream is the same draw for draw whatever the FP knobs say.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np

from models.batch import Batch
from models.config import FP_AFMTS, AFmt, CoreConfig, Opcode
from tb.stimulus import fp_payloads as fpp
from tb.stimulus import payloads as pl
from tb.stimulus.knobs import ERROR_KINDS, MIX_KINDS, Knobs
from tb.stimulus.words import TAG_MOD, encode_words

# Row kinds of the plan.
K_GEN, K_MM, K_ERR, K_UP, K_COLD = 0, 1, 2, 3, 4  # first three in MIX_KINDS order
E = {k: i for i, k in enumerate(ERROR_KINDS)}
ILLEGAL_OPS = np.array([v for v in range(16) if v not in (Opcode.LUTGEN, Opcode.LMMA)])
#: per afmt code: FP or not, FP8 or not
IS_FP = np.isin(np.arange(16), [int(f) for f in FP_AFMTS])
IS_FP8 = np.isin(np.arange(16), [int(AFmt.FP8_E4M3), int(AFmt.FP8_E5M2)])


def _draw(rng: np.random.Generator, dist: Mapping, codes: Mapping, size: int) -> np.ndarray:
    """``size`` draws of ``codes[value]`` over the positive weights of ``dist``."""
    vals = [k for k, w in dist.items() if w > 0]
    p = np.array([dist[k] for k in vals], dtype=np.float64)
    table = np.array([codes[k] for k in vals], dtype=np.int64)
    if not size:
        return np.zeros(0, dtype=np.int64)
    return table[rng.choice(len(vals), size=size, p=p / p.sum())]


def acc_of(cfg: CoreConfig) -> np.ndarray:
    """Per afmt code the accfmt an LMMA needs; 0 for a code ``cfg`` does not build (its
    LMMA is UNSUPPORTED whatever the accfmt, and 0 is what the integer streams send)."""
    return np.array(
        [int(cfg.accfmt_of(c)) if cfg.builds(c) else 0 for c in range(16)], dtype=np.int64
    )


def other_afmt(cfg: CoreConfig, frng: np.random.Generator, f: np.ndarray) -> np.ndarray:
    """Per row a built format other than ``f[r]`` (itself built): the other one of two,
    else uniform over the rest (drawn from the FP generator: only FP configs build more)."""
    built = np.array([int(a) for a in cfg.afmts], dtype=np.int64)
    pos = np.searchsorted(built, f)
    if len(built) == 2 or not len(f):
        return built[1 - pos] if len(built) == 2 else f.copy()
    j = (frng.random(len(f)) * (len(built) - 1)).astype(np.int64)
    return built[j + (j >= pos)]


def _before(mask: np.ndarray) -> np.ndarray:
    """Per row: index of the last earlier row where ``mask`` holds, else -1."""
    if not len(mask):
        return np.zeros(0, dtype=np.int64)
    last = np.maximum.accumulate(np.where(mask, np.arange(len(mask)), -1))
    return np.concatenate(([-1], last[:-1]))


class _Plan:
    """Row kinds of a stream: the prologue, then body rows drawn chunk by chunk."""

    def __init__(self, cfg: CoreConfig, rng: np.random.Generator, kn: Knobs) -> None:
        self.cfg, self.rng, self.kn = cfg, rng, kn
        up = cfg.T if kn.lutgen_first else 0
        self.pro = np.array([K_COLD] * kn.cold_lmmas + [K_UP] * up, dtype=np.int64)
        self.body: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def draw(self, size: int) -> None:
        kn, rng = self.kn, self.rng
        kind = _draw(rng, kn.mix, {k: i for i, k in enumerate(MIX_KINDS)}, size)
        if kn.mix.get("illegal", 0) > 0:
            err = _draw(rng, kn.errors, E, size)
        else:
            err = np.zeros(size, dtype=np.int64)
        self.body.append((kind, err, rng.random(size) < 0.5))  # base LMMA (else LUTGEN)

    def rows(self, body_n: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kind, error kind, base-is-LMMA) of prologue + body, refreshes and fix-up applied."""
        parts = self.body or [(np.zeros(0, np.int64),) * 2 + (np.zeros(0, bool),)]
        kind, err, base = (np.concatenate(p) for p in zip(*parts, strict=True))
        every = self.kn.refresh_every
        if every:
            is_mm = kind == K_MM
            j = np.cumsum(is_mm) - 1
            ins = is_mm & (j > 0) & (j % every == 0)
            rep = 1 + ins.astype(np.int64)
            kind, err, base = (np.repeat(x, rep) for x in (kind, err, base))
            kind[(np.cumsum(rep) - 1)[ins] - 1] = K_GEN
        if body_n is not None:
            kind, err, base = kind[:body_n], err[:body_n], base[:body_n]
        n_pro = len(self.pro)
        kind = np.concatenate([self.pro, kind])
        err = np.concatenate([np.zeros(n_pro, np.int64), err])
        base = np.concatenate([np.zeros(n_pro, bool), base])
        if not self.kn.lutgen_first:
            cand = np.flatnonzero((kind == K_GEN) | (kind == K_MM))
            if cand.size and kind[cand[0]] == K_MM:
                kind[cand[0]] = K_GEN
        return kind, err, base


def _lmma_op(kind: np.ndarray, err: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Rows whose opcode is LMMA (what a long stream's count counts)."""
    err_mm = (err == E["wrong_afmt"]) | ((err != E["opcode"]) & base)
    return (kind == K_MM) | (kind == K_COLD) | ((kind == K_ERR) & err_mm)


def plan_rows(
    cfg: CoreConfig, rng: np.random.Generator, kn: Knobs
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row kinds for ``kn.n`` instructions, or up to and including the ``kn.n``-th LMMA."""
    plan = _Plan(cfg, rng, kn)
    if kn.unit == "instr":
        if kn.n <= len(plan.pro):
            plan.pro = plan.pro[: kn.n]
            return plan.rows(0)
        body_n = kn.n - len(plan.pro)
        plan.draw(body_n)
        return plan.rows(body_n)
    if kn.n == 0:
        plan.pro = plan.pro[:0]
        return plan.rows(0)
    mix = kn.mix
    e = kn.errors
    tot_e = sum(e.values()) or 1
    wrong, op_err = e.get("wrong_afmt", 0), e.get("opcode", 0)
    p_err_mm = (wrong + 0.5 * (tot_e - wrong - op_err)) / tot_e  # estimate only
    p_mm = (mix.get("lmma", 0) + mix.get("illegal", 0) * p_err_mm) / sum(mix.values())
    have = 0
    while True:
        plan.draw(int((kn.n - have) / p_mm * 1.05) + 32)
        kind, err, base = plan.rows()
        count = np.cumsum(_lmma_op(kind, err, base))
        have = int(count[-1]) if len(count) else 0
        if have >= kn.n:
            end = int(np.searchsorted(count, kn.n)) + 1
            return kind[:end], err[:end], base[:end]


def random_stream(cfg: CoreConfig, rng: np.random.Generator, knobs: Knobs | None = None) -> Batch:
    """The stream ``knobs`` describe (default :class:`Knobs`), tags from 0."""
    kn = Knobs() if knobs is None else knobs
    wdist = kn.check(cfg)
    adist = kn.afmt_for(cfg)
    frng = fpp.fp_rng(rng)  # does not advance rng
    kind, err, base = plan_rows(cfg, rng, kn)
    n, T, W = len(kind), cfg.T, cfg.W_BITS_MAX
    idx = np.arange(n)
    afmt_codes = {f: int(f) for f in adist}
    wb_codes = {b: b for b in wdist}
    z = partial(np.zeros, dtype=np.int64)
    op, treg, afmt, wbits, accfmt, rsvd = z(n), z(n), z(n), z(n), z(n), z(n)

    # LUTGENs first: they are the state every LMMA reads.
    gen = (kind == K_GEN) | (kind == K_UP)
    op[gen] = Opcode.LUTGEN
    g = np.flatnonzero(kind == K_GEN)
    treg[g] = rng.integers(0, T, size=g.size)
    afmt[g] = _draw(rng, adist, afmt_codes, g.size)
    u = np.flatnonzero(kind == K_UP)
    listed = np.array(list(afmt_codes.values()))
    treg[u] = np.arange(u.size) % T
    afmt[u] = listed[treg[u] % len(listed)]

    last_gen = _before(gen)
    tab = np.full((T, n), -1, dtype=np.int64)  # afmt of register t's table before row i
    first = np.full(T, n, dtype=np.int64)
    for t in range(T):
        wr = gen & (treg == t)
        last = _before(wr)
        tab[t] = np.where(last >= 0, afmt[np.maximum(last, 0)], -1)
        hits = np.flatnonzero(wr)
        if hits.size:
            first[t] = hits[0]
    order = np.argsort(first, kind="stable")  # registers by first write
    n_written = np.searchsorted(first[order], idx, side="left")  # registers written before i

    c = np.flatnonzero(kind == K_COLD)
    op[c], treg[c] = Opcode.LMMA, np.arange(c.size) % T
    afmt[c] = _draw(rng, adist, afmt_codes, c.size)
    wbits[c] = _draw(rng, wdist, wb_codes, c.size)
    accfmt[c] = acc_of(cfg)[afmt[c]]

    m = np.flatnonzero(kind == K_MM)
    reuse = (rng.random(m.size) < kn.p_reuse_latest) & (last_gen[m] >= 0)
    assert (n_written[m] > 0).all(), "an LMMA before any LUTGEN slipped through the plan"
    anyone = order[(rng.random(m.size) * n_written[m]).astype(np.int64)]
    r = np.where(reuse, treg[np.maximum(last_gen[m], 0)], anyone)
    f = tab[r, m]
    wrong = rng.random(m.size) < kn.p_wrong_afmt
    op[m], treg[m] = Opcode.LMMA, r
    c_fmt = z(n)  # the format whose C an LMMA carries: its table's (a stream format)
    c_fmt[m] = f
    wrong_f = f.copy()
    wrong_f[wrong] = other_afmt(cfg, frng, f[wrong])
    afmt[m] = wrong_f
    wbits[m] = _draw(rng, wdist, wb_codes, m.size)
    accfmt[m] = acc_of(cfg)[afmt[m]]

    e = np.flatnonzero(kind == K_ERR)
    fields = (op, treg, afmt, wbits, accfmt, rsvd)
    _illegal(cfg, rng, frng, adist, wdist, e, err[e], base[e], tab, fields)

    # Payload keys: what each row's buses carry (payloads.make_*).
    a_k, w_k, c_k = z(n), z(n), z(n)
    mode = _draw(rng, kn.act_modes, {k: i for i, k in enumerate(pl.ACT_MODES)}, gen.sum())
    gi = np.flatnonzero(gen)
    raw = mode == pl.ACT_MODES.index("raw")
    junk = rng.random(gi.size) < kn.p_dirty
    dirty = (afmt[gi] == AFmt.INT8) & junk & ~raw
    a_k[gi] = pl.a_key(mode, np.where(raw, 1, afmt[gi]), dirty)
    fg = np.flatnonzero(IS_FP[afmt[gi]])  # FP LUTGENs: FP modes, junk above an FP8 lane
    if fg.size:
        f_mode = _draw(frng, kn.fp_modes, {k: i for i, k in enumerate(fpp.FP_MODES)}, fg.size)
        f_af = afmt[gi[fg]]
        a_k[gi[fg]] = pl.fp_a_key(f_mode, f_af, junk[fg] & IS_FP8[f_af])
    lm = np.flatnonzero((kind == K_MM) | (kind == K_COLD))
    w_dirty = (wbits[lm] < W) & (rng.random(lm.size) < kn.p_dirty)
    w_k[lm] = pl.w_key(wbits[lm], w_dirty)
    c_k[lm] = pl.c_key(_draw(rng, kn.c_modes, {k: i for i, k in enumerate(pl.C_MODES)}, lm.size))
    c_fmt[c] = afmt[c]
    fl = lm[IS_FP[c_fmt[lm]]]  # LMMAs on FP tables: binary32 C
    if fl.size:
        fc_codes = {k: i for i, k in enumerate(fpp.FP_C_MODES)}
        c_k[fl] = pl.fp_c_key(_draw(frng, kn.fp_c_modes, fc_codes, fl.size))
    for keys, ignored in ((a_k, ~gen), (w_k, gen), (c_k, gen)):
        ig = np.flatnonzero(ignored & (kind != K_ERR))
        keys[ig] = np.where(rng.random(ig.size) < kn.p_dirty, pl.GARBAGE, pl.ZERO)
        keys[e] = pl.GARBAGE  # an error must ignore whatever the buses carry
    pa, pw, pc = kn.pools if kn.pools is not None else (None, None, None)
    words = encode_words(
        opcode=op,
        treg=treg,
        afmt=afmt,
        wbits=wbits,
        accfmt=accfmt,
        rsvd=rsvd,
        tag=idx % TAG_MOD,
    )
    batch = Batch(
        words,
        pl.fill_bus(rng, a_k, partial(pl.make_a, cfg, fp_gen=frng), pa, pl.FIXED_A),
        pl.fill_bus(rng, w_k, partial(pl.make_w, cfg), pw, pl.FIXED_W),
        pl.fill_bus(rng, c_k, partial(pl.make_c, cfg, fp_gen=frng), pc, pl.FIXED_C),
    )
    batch.check(cfg)
    return batch


def _illegal(
    cfg: CoreConfig,
    rng: np.random.Generator,
    frng: np.random.Generator,
    adist: Mapping[AFmt, float],
    wdist: Mapping[int, float],
    e: np.ndarray,
    kinds: np.ndarray,
    base_mm: np.ndarray,
    tab: np.ndarray,
    out: tuple[np.ndarray, ...],
) -> None:
    """Fill rows ``e`` with words that must be rejected: a legal LUTGEN/LMMA with one
    field broken (docs section 6), or an LMMA on a table of another format.

    The fields not broken are legal, so each kind gets its own status: ``afmt``
    names a format ``cfg`` does not build (UNSUPPORTED), ``accfmt`` is non-zero on
    a LUTGEN (ILLEGAL_INSTR) or not the table format's on an LMMA (UNSUPPORTED),
    ``treg`` is out of range with an LMMA's accfmt right (TREG_RANGE), and
    ``wrong_afmt`` names another built format with its accfmt (TABLE_INVALID).
    """
    T, W, k = cfg.T, cfg.W_BITS_MAX, e.size
    need = acc_of(cfg)
    op = np.where(base_mm, int(Opcode.LMMA), int(Opcode.LUTGEN))
    treg = rng.integers(0, T, size=k)
    afmt = _draw(rng, adist, {f: int(f) for f in adist}, k)
    wb_ok = _draw(rng, wdist, {b: b for b in wdist}, k)
    wbits = np.where(base_mm, wb_ok, 0)
    accfmt, rsvd = np.zeros(k, np.int64), np.zeros(k, np.int64)
    nib = rng.integers(0, 16, size=(5, k))  # opcode errors: every other field anything
    bad_wb_mm = np.array([0, *range(W + 1, 16)])

    sel = kinds == E["opcode"]
    op = np.where(sel, ILLEGAL_OPS[rng.integers(0, ILLEGAL_OPS.size, size=k)], op)
    treg, afmt, wbits, accfmt, rsvd = (
        np.where(sel, nib[i], x) for i, x in enumerate((treg, afmt, wbits, accfmt, rsvd))
    )
    rsvd = np.where(kinds == E["rsvd"], rng.integers(1, 16, size=k), rsvd)
    unbuilt = np.array([c for c in range(16) if not cfg.builds(c)])  # reserved codes always
    bad_af = unbuilt[rng.integers(0, unbuilt.size, size=k)]
    afmt = np.where(kinds == E["afmt"], bad_af, afmt)
    if T < 16:
        treg = np.where(kinds == E["treg"], rng.integers(T, 16, size=k), treg)
    bad_wb = np.where(
        base_mm, bad_wb_mm[rng.integers(0, bad_wb_mm.size, size=k)], rng.integers(1, 16, size=k)
    )
    wbits = np.where(kinds == E["wbits"], bad_wb, wbits)
    # a bad accfmt: any non-zero one on a LUTGEN; on an LMMA any but the one its afmt
    # needs (1..15 with the needed one moved to 0: uniform over the other 15 codes)
    bad_acc = rng.integers(1, 16, size=k)
    bad_acc = np.where(base_mm & (bad_acc == need[afmt]), 0, bad_acc)
    accfmt = np.where(kinds == E["accfmt"], bad_acc, accfmt)
    sel = kinds == E["wrong_afmt"]
    op = np.where(sel, int(Opcode.LMMA), op)
    wbits = np.where(sel, wb_ok, wbits)
    held = tab[np.minimum(treg, T - 1), e] if k else np.zeros(0, np.int64)
    written = np.flatnonzero(sel & (held >= 0))  # unwritten: any format is wrong
    afmt[written] = other_afmt(cfg, frng, held[written])
    # every LMMA not broken in accfmt carries its afmt's (0 for a code that is no format)
    acc_ok = (op == Opcode.LMMA) & (kinds != E["accfmt"])
    accfmt = np.where(acc_ok, need[afmt], accfmt)
    for dst, v in zip(out, (op, treg, afmt, wbits, accfmt, rsvd), strict=True):
        dst[e] = v
