# SPDX-License-Identifier: Apache-2.0
"""Error injection: every illegal field of docs section 6, status priority, random words.

Phase 1 (directed) walks each rule: illegal opcodes, every non-zero
``rsvd``, LUTGEN with ``wbits``/``accfmt`` set, every ``afmt`` the
configuration does not build, LMMA ``wbits`` 0 or above ``WBitsMax``, LMMA
``accfmt``, ``treg >= T``, and TABLE_INVALID (never written / written in the
other format). Combinations check the priority order, and legal instructions
in between prove that an error changes no state (a failing LUTGEN must not
overwrite the table). A configuration with FP formats gets the FP rules too
(accfmt FP32 against INT32, integer and FP tables read in the other kind).

Phase 2 sweeps the instruction coverage cross of ``tb.coverage.bins``: for every
reachable (opcode, wbits, afmt, treg, status) bin it builds a word that
lands there, first setting up the table register when the status depends on
it. An offline ``models.core.CoreModel`` mirror of the stream checks each
candidate word: nothing here depends on the DUT, so one run closes the cross.

Phase 3 draws every field uniformly over its coverage bins, phase 4 sends
uniformly random 32-bit words, both with random payloads.
"""

from __future__ import annotations

import numpy as np

from models import isa
from models.batch import Batch, bus_bytes
from models.config import FP_AFMTS, AccFmt, CoreConfig, Opcode, Status
from models.core import CoreModel
from tb.coverage.bins import (
    STATUS_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)
from tb.stimulus import fp_payloads as fpp
from tb.stimulus import payloads as pl
from tb.stimulus.words import encode_words, retag

RANDOM, HOLD = "random", None  #: payload of a row: random bytes, or what the pins held
Payload = np.ndarray | str | None  #: an image row, RANDOM or HOLD


class _Stream:
    """Rows in order with a status mirror; payloads are built at the end, vectorized."""

    def __init__(self, cfg: CoreConfig, rng: np.random.Generator) -> None:
        self.cfg, self.rng = cfg, rng
        self.frng = fpp.fp_rng(rng)  # FP payloads; leaves rng's sequence as it is
        self.mirror = CoreModel(cfg)  # table state as the core sees it, from reset
        self.words: list[int] = []
        self.pay: dict[str, list] = {"a": [], "w": [], "c": []}

    def emit(self, word: int, a: Payload = HOLD, w: Payload = HOLD, c: Payload = HOLD) -> None:
        """One row; ``a/w/c``: an image row, RANDOM or HOLD."""
        i = isa.decode(word)
        if i.opcode == Opcode.LUTGEN and self.mirror.check(word) == Status.OK:
            self.mirror.step(word)  # only the format of a table matters to a status
        self.words.append(word)
        for bus, v in zip("awc", (a, w, c), strict=True):
            self.pay[bus].append(v)

    def word(
        self,
        opcode: int,
        treg: int = 0,
        afmt: int = 0,
        wbits: int = 0,
        accfmt: int = 0,
        rsvd: int = 0,
    ) -> int:
        return isa.encode(isa.Instr(opcode, treg, afmt, wbits, accfmt, rsvd, 0))

    def lutgen(self, treg: int, afmt: int, mode: str = "uniform") -> None:
        assert 0 <= treg < self.cfg.T and self.cfg.builds(afmt), (treg, afmt)
        self.emit(self.word(Opcode.LUTGEN, treg, afmt), a=self.acts(afmt, mode))

    def acts(self, afmt: int, mode: str) -> np.ndarray:
        """One ``in_a_i`` image; an FP format takes the FP mode that matches the integer
        ``mode`` (uniform values: ``llm``; extremes: ``specials``)."""
        if afmt in FP_AFMTS:
            fp_mode = {"uniform": "llm", "extreme": "specials"}.get(mode, mode)
            v = fpp.fp_lanes(self.frng, np.array([afmt]), fp_mode, self.cfg.M)
            return pl.a_images(self.cfg, v, np.zeros(1, bool), self.frng)[0]
        v = pl.act_values(self.rng, np.array([afmt]), mode, self.cfg.M)
        return pl.a_images(self.cfg, v, np.zeros(1, bool), self.rng)[0]

    def lmma(self, treg: int, afmt: int, wbits: int) -> int:
        """A legal LMMA word: the accfmt ``afmt`` needs (the status comes from the table)."""
        return self.word(Opcode.LMMA, treg, afmt, wbits, int(self.cfg.accfmt_of(afmt)))

    def send(self, word: int) -> None:
        """A word with random payloads on every bus (the core must ignore what it does not use)."""
        self.emit(word, RANDOM, RANDOM, RANDOM)

    def batch(self) -> Batch:
        cfg, n = self.cfg, len(self.words)
        nb = bus_bytes(cfg)
        out = {}
        for bus, rows in self.pay.items():
            img = np.zeros((n, nb[bus]), dtype=np.uint8)
            rnd = np.array([r is RANDOM for r in rows], dtype=bool)
            given = np.array([r is not HOLD for r in rows], dtype=bool)
            for k, r in enumerate(rows):
                if isinstance(r, np.ndarray):
                    img[k] = r
            make = {"a": pl.make_a, "w": pl.make_w, "c": pl.make_c}[bus]
            img[rnd] = make(cfg, self.rng, np.full(int(rnd.sum()), pl.GARBAGE))
            out[bus] = pl.hold(img, given)
        words = np.array(self.words, dtype=np.uint32)
        return retag(Batch(words, out["a"], out["w"], out["c"]), 0)


def _directed(s: _Stream) -> None:
    """Every rule once. ``fa``/``fb`` are the first two built formats (INT8 and INT16
    unless the configuration leaves one out; with one format built, the "other
    format" reads are of the same format and pass)."""
    cfg = s.cfg
    W, T = cfg.W_BITS_MAX, cfg.T
    LG, LM = int(Opcode.LUTGEN), int(Opcode.LMMA)
    hi = T - 1
    built = [int(f) for f in cfg.afmts]
    fa, fb = built[0], built[min(1, len(built) - 1)]
    acc_a = int(cfg.accfmt_of(fa))
    s.lutgen(0, fa)
    s.lutgen(hi, fb)
    # ILLEGAL_INSTR
    for op in [0, *range(3, 16)]:
        s.send(s.word(op, 0, 0, 1))
    for rsvd in range(1, 16):
        s.send(s.word(LG, 0, fa, 0, 0, rsvd))
        s.send(s.word(LM, 0, fa, 1, acc_a, rsvd))
    for wb in range(1, 16):
        s.send(s.word(LG, 0, fa, wb))
    for acc in range(1, 16):
        s.send(s.word(LG, 0, fa, 0, acc))
    s.send(s.lmma(0, fa, 1))  # table 0 survived all of that
    # UNSUPPORTED
    for af in (af for af in range(16) if not cfg.builds(af)):
        s.send(s.word(LG, 0, af))
        s.send(s.word(LM, 0, af, 1))
    for wb in [0, *range(W + 1, 16)]:
        s.send(s.word(LM, 0, fa, wb, acc_a))
    for acc in (acc for acc in range(16) if acc != acc_a):
        s.send(s.word(LM, 0, fa, 1, acc))
    s.send(s.lmma(hi, fb, W))
    # TREG_RANGE
    for tr in range(T, 16):
        s.send(s.word(LG, tr, fa))
        s.send(s.lmma(tr, fb, 1))
    # TABLE_INVALID: never written, and written in the other format
    for tr in range(1, T - 1):
        s.send(s.lmma(tr, fa, 1))
    s.send(s.lmma(0, fb, 1))
    s.send(s.lmma(hi, fa, 1))
    # Priority: the first rule that applies wins
    oor = min(T, 15)
    s.send(s.word(5, oor, 7, 0, 3, 2))  # everything wrong -> ILLEGAL_INSTR
    s.send(s.word(LG, oor, 9, 3))  # LUTGEN wbits beats afmt/treg -> ILLEGAL_INSTR
    s.send(s.word(LM, oor, 2, 0, 1))  # afmt/wbits/accfmt beat treg -> UNSUPPORTED
    s.send(s.lmma(oor, fa, 1))  # treg beats table state -> TREG_RANGE
    # A failing LUTGEN changes no state; a failing LMMA neither
    s.lutgen(0, fa)
    a = s.acts(fa, "extreme")
    s.emit(s.word(LG, 0, fa, 0, 0, 1), a=a)
    s.emit(s.word(LG, 0, fb, 2), a=a)
    s.send(s.lmma(0, fa, W))  # must still use the first table
    s.send(s.lmma(0, fa, 1))
    if cfg.has_fp:
        _directed_fp(s)


def _directed_fp(s: _Stream) -> None:
    """The FP rules: accfmt per kind, tables read in the other kind or another FP format.

    Runs after the integer part, so an integer-only configuration's stream is
    the same as it always was.
    """
    cfg = s.cfg
    W, T = cfg.W_BITS_MAX, cfg.T
    LG, LM = int(Opcode.LUTGEN), int(Opcode.LMMA)
    hi, oor = T - 1, min(T, 15)
    fps = [f for f in cfg.afmts if f in FP_AFMTS]
    ints = [f for f in cfg.afmts if f not in FP_AFMTS]
    f0 = int(fps[0])
    need = int(cfg.accfmt_of(f0))  # FP32, or FP16 on a binary16 instance
    s.lutgen(0, f0, "extreme")
    s.send(s.lmma(0, f0, 1))  # OK
    s.send(s.lmma(0, f0, W))  # OK
    for acc in (a for a in range(16) if a != need):  # an FP LMMA takes `need` only
        s.send(s.word(LM, 0, f0, 1, acc))
    for acc in range(1, 16):  # LUTGEN keeps its rule: accfmt != 0 -> ILLEGAL_INSTR
        s.send(s.word(LG, 0, f0, 0, acc))
    for wb in [0, *range(W + 1, 16)]:
        s.send(s.word(LM, 0, f0, wb, need))  # UNSUPPORTED
    for f in fps[1:] + ints:  # FP table read as another format -> TABLE_INVALID
        s.send(s.lmma(0, int(f), 1))
    if ints:  # integer table read as FP -> TABLE_INVALID; INT32 needed there -> UNSUPPORTED
        s.lutgen(hi, int(ints[0]))
        for f in fps:
            s.send(s.lmma(hi, int(f), 1))
        s.send(s.word(LM, hi, int(ints[0]), 1, need))
    for tr in range(1, T - 1):  # never written -> TABLE_INVALID
        s.send(s.lmma(tr, f0, 1))
    for tr in range(T, 16):  # TREG_RANGE
        s.send(s.word(LG, tr, f0))
        s.send(s.lmma(tr, f0, 1))
    s.send(s.word(LM, oor, f0, 1, int(AccFmt.INT32)))  # accfmt beats treg -> UNSUPPORTED
    s.send(s.word(LG, oor, f0, 0, need))  # LUTGEN accfmt first -> ILLEGAL_INSTR
    # A failing FP LUTGEN changes no state
    a = s.acts(f0, "extreme")
    other = int(fps[-1] if len(fps) > 1 else (ints or fps)[0])
    s.emit(s.word(LG, 0, other, 0, need), a=a)
    s.emit(s.word(LG, 0, other, 0, 0, 1), a=a)
    s.send(s.lmma(0, f0, W))  # OK: still the FP table written first
    for f in fps:  # a table of every FP format, read once (OK)
        s.lutgen(hi, int(f), "uniform")
        s.send(s.lmma(hi, int(f), 1))


def cross_keys(cfg: CoreConfig) -> list[tuple[str, str, str, str, str]]:
    """Every reachable (op, wbits, afmt, treg, status) bin of the coverage cross."""
    unreachable = unreachable_instr_bins(cfg)
    return [
        key
        for o in op_bins()
        for w in wbits_bins(cfg)
        for a in afmt_bins(cfg)
        for t in treg_bins(cfg)
        for st in STATUS_BINS
        if (key := (o, w, a, t, st)) not in unreachable
    ]


def _sweep(s: _Stream, statuses: tuple[str, ...] = ()) -> None:
    """One instruction per reachable bin (of ``statuses``, if given), in random order
    grouped by register (a new register re-evaluates the whole array in a simulator).

    With one format built, a written table is valid for good: a ``table_invalid`` bin
    of a written register is left to the sweep of those bins from reset
    (:func:`error_injection` runs it first)."""
    cfg, rng = s.cfg, s.rng
    bins = [op_bins(), wbits_bins(cfg), afmt_bins(cfg), treg_bins(cfg)]
    t_order = {name: i for i, name in enumerate(bins[3])}
    keys = [k for k in cross_keys(cfg) if not statuses or k[4] in statuses]
    keys = sorted((keys[i] for i in rng.permutation(len(keys))), key=lambda k: t_order[k[3]])

    def pick(values: list[int]) -> int:
        return values[int(rng.integers(len(values)))]

    def nibble() -> int:
        return 0 if rng.random() < 0.5 else int(rng.integers(1, 16))

    for o, w, a, t, st in keys:
        target = STATUS_BINS[st]
        op, wb, af, tr = (pick(b[k]) for b, k in zip(bins, (o, w, a, t), strict=True))
        built = cfg.builds(af)
        if op == Opcode.LMMA and target in (Status.OK, Status.TABLE_INVALID) and built:
            if tr < cfg.T:
                entry = s.mirror.tables[tr]
                valid = entry is not None and entry[0] == af
                if valid != (target == Status.OK):  # set the table state the bin needs
                    other = _next_built(cfg, af)
                    if target == Status.TABLE_INVALID and other == af:
                        continue  # one format: only a never-written table (swept from reset)
                    s.lutgen(tr, af if target == Status.OK else other)
        # an FP LMMA needs accfmt 1 (2 on a binary16 instance) where an integer one needs
        # 0: swap 0 with that one
        swap = int(cfg.accfmt_of(af)) if built and af in FP_AFMTS and op == Opcode.LMMA else 0
        for _ in range(256):
            acc = nibble()
            acc = swap if acc == 0 else 0 if acc == swap else acc
            word = s.word(op, tr, af, wb, acc, nibble())
            if s.mirror.check(word) == target:
                break
        else:
            raise AssertionError(f"no word found for reachable bin {(o, w, a, t, st)}")
        if target == Status.OK or rng.random() < 0.125:
            s.send(word)
        else:  # payload unchanged: cheaper to simulate, and errors must ignore it anyway
            s.emit(word)


def _next_built(cfg: CoreConfig, af: int) -> int:
    """The built format after ``af`` (cyclically): the other one of the integer pair."""
    built = [int(f) for f in cfg.afmts]
    return built[(built.index(af) + 1) % len(built)]


def _bin_values(rng: np.random.Generator, bins: dict[str, list[int]], n: int) -> np.ndarray:
    """``n`` values, each bin equally likely, then a value of the bin (a range bin
    weighs as much as a single-value bin)."""
    flat = np.concatenate([np.asarray(v, dtype=np.int64) for v in bins.values()])
    lens = np.array([len(v) for v in bins.values()], dtype=np.int64)
    start = np.cumsum(lens) - lens
    b = rng.integers(0, len(lens), size=n)
    return flat[start[b] + (rng.random(n) * lens[b]).astype(np.int64)]


def _field_bins(s: _Stream, n: int) -> None:
    cfg, rng = s.cfg, s.rng
    f = {
        "opcode": _bin_values(rng, op_bins(), n),
        "treg": _bin_values(rng, treg_bins(cfg), n),
        "afmt": _bin_values(rng, afmt_bins(cfg), n),
        "wbits": _bin_values(rng, wbits_bins(cfg), n),
        # accfmt and rsvd: zero against non-zero 6:1
        "accfmt": np.where(rng.random(n) < 6 / 7, 0, rng.integers(1, 16, size=n)),
        "rsvd": np.where(rng.random(n) < 6 / 7, 0, rng.integers(1, 16, size=n)),
    }
    words = encode_words(**f)
    built = [int(a) for a in cfg.afmts]
    for k in range(n):
        if k % 16 == 0:  # keep some tables valid so LMMAs can also pass
            s.lutgen(int(rng.integers(cfg.T)), built[int(rng.integers(len(built)))])
        s.send(int(words[k]))


def error_injection(
    cfg: CoreConfig,
    rng: np.random.Generator,
    n_bins: int = 60,
    n_random: int = 60,
    sweep: bool = True,
) -> Batch:
    """All four phases as one Batch from reset (tags from 0)."""
    for name, v in (("n_bins", n_bins), ("n_random", n_random)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"{name}={v!r} must be an integer >= 0")
    s = _Stream(cfg, rng)
    if sweep and len(cfg.afmts) == 1:  # TABLE_INVALID needs a never-written table
        _sweep(s, ("table_invalid",))
    _directed(s)
    if sweep:
        _sweep(s)
    _field_bins(s, n_bins)
    for w in rng.integers(0, 1 << 32, size=n_random, dtype=np.uint64):
        s.send(int(w))
    return s.batch()
