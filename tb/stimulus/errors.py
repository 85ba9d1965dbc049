"""Error injection: every illegal field of docs section 6, status priority, random words.

Phase 1 (directed) walks each rule: illegal opcodes, every non-zero
``rsvd``, LUTGEN with ``wbits``/``accfmt`` set, reserved/unknown ``afmt``,
LMMA ``wbits`` 0 or above ``WBitsMax``, LMMA ``accfmt``, ``treg >= T``, and
TABLE_INVALID (never written / written in the other format). Combinations
check the priority order, and legal instructions in between prove that an
error changes no state (a failing LUTGEN must not overwrite the table).

Phase 2 sweeps the instruction coverage cross of ``tb.covbins``: for every
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
from models.config import AFmt, CoreConfig, Opcode, Status
from models.core import CoreModel
from tb.covbins import (
    STATUS_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)
from tb.stimulus import payloads as pl
from tb.stimulus.words import encode_words, retag

RANDOM, HOLD = "random", None  #: payload of a row: random bytes, or what the pins held
Payload = np.ndarray | str | None  #: an image row, RANDOM or HOLD


class _Stream:
    """Rows in order with a status mirror; payloads are built at the end, vectorized."""

    def __init__(self, cfg: CoreConfig, rng: np.random.Generator) -> None:
        self.cfg, self.rng = cfg, rng
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
        self.emit(isa.lutgen(treg, afmt, 0, self.cfg), a=self.acts(afmt, mode))

    def acts(self, afmt: int, mode: str) -> np.ndarray:
        v = pl.act_values(self.rng, np.array([afmt]), mode, self.cfg.M)
        return pl.a_images(self.cfg, v, np.zeros(1, bool), self.rng)[0]

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
    cfg = s.cfg
    W, T = cfg.W_BITS_MAX, cfg.T
    LG, LM = int(Opcode.LUTGEN), int(Opcode.LMMA)
    hi = T - 1
    s.lutgen(0, AFmt.INT8)
    s.lutgen(hi, AFmt.INT16)
    # ILLEGAL_INSTR
    for op in [0, *range(3, 16)]:
        s.send(s.word(op, 0, 0, 1))
    for rsvd in range(1, 16):
        s.send(s.word(LG, 0, 0, 0, 0, rsvd))
        s.send(s.word(LM, 0, 0, 1, 0, rsvd))
    for wb in range(1, 16):
        s.send(s.word(LG, 0, 0, wb))
    for acc in range(1, 16):
        s.send(s.word(LG, 0, 0, 0, acc))
    s.send(isa.lmma(0, AFmt.INT8, 1, cfg=cfg))  # table 0 survived all of that
    # UNSUPPORTED
    for af in range(2, 16):
        s.send(s.word(LG, 0, af))
        s.send(s.word(LM, 0, af, 1))
    for wb in [0, *range(W + 1, 16)]:
        s.send(s.word(LM, 0, 0, wb))
    for acc in range(1, 16):
        s.send(s.word(LM, 0, 0, 1, acc))
    s.send(isa.lmma(hi, AFmt.INT16, W, cfg=cfg))
    # TREG_RANGE
    for tr in range(T, 16):
        s.send(s.word(LG, tr, 0))
        s.send(s.word(LM, tr, 1, 1))
    # TABLE_INVALID: never written, and written in the other format
    for tr in range(1, T - 1):
        s.send(s.word(LM, tr, 0, 1))
    s.send(s.word(LM, 0, 1, 1))
    s.send(s.word(LM, hi, 0, 1))
    # Priority: the first rule that applies wins
    oor = min(T, 15)
    s.send(s.word(5, oor, 7, 0, 3, 2))  # everything wrong -> ILLEGAL_INSTR
    s.send(s.word(LG, oor, 9, 3))  # LUTGEN wbits beats afmt/treg -> ILLEGAL_INSTR
    s.send(s.word(LM, oor, 2, 0, 1))  # afmt/wbits/accfmt beat treg -> UNSUPPORTED
    s.send(s.word(LM, oor, 0, 1))  # treg beats table state -> TREG_RANGE
    # A failing LUTGEN changes no state; a failing LMMA neither
    s.lutgen(0, AFmt.INT8)
    a = s.acts(AFmt.INT8, "extreme")
    s.emit(s.word(LG, 0, 0, 0, 0, 1), a=a)
    s.emit(s.word(LG, 0, 1, 2), a=a)
    s.send(isa.lmma(0, AFmt.INT8, W, cfg=cfg))  # must still use the first table
    s.send(isa.lmma(0, AFmt.INT8, 1, cfg=cfg))


def cross_keys(cfg: CoreConfig) -> list[tuple[str, str, str, str, str]]:
    """Every reachable (op, wbits, afmt, treg, status) bin of the coverage cross."""
    unreachable = unreachable_instr_bins(cfg)
    return [
        key
        for o in op_bins()
        for w in wbits_bins(cfg)
        for a in afmt_bins()
        for t in treg_bins(cfg)
        for st in STATUS_BINS
        if (key := (o, w, a, t, st)) not in unreachable
    ]


def _sweep(s: _Stream) -> None:
    """One instruction per reachable bin, in random order grouped by register (a new
    register re-evaluates the whole array in a simulator)."""
    cfg, rng = s.cfg, s.rng
    bins = [op_bins(), wbits_bins(cfg), afmt_bins(), treg_bins(cfg)]
    t_order = {name: i for i, name in enumerate(bins[3])}
    keys = cross_keys(cfg)
    keys = sorted((keys[i] for i in rng.permutation(len(keys))), key=lambda k: t_order[k[3]])

    def pick(values: list[int]) -> int:
        return values[int(rng.integers(len(values)))]

    def nibble() -> int:
        return 0 if rng.random() < 0.5 else int(rng.integers(1, 16))

    for o, w, a, t, st in keys:
        target = STATUS_BINS[st]
        op, wb, af, tr = (pick(b[k]) for b, k in zip(bins, (o, w, a, t), strict=True))
        if op == Opcode.LMMA and target in (Status.OK, Status.TABLE_INVALID) and af in (0, 1):
            if tr < cfg.T:
                entry = s.mirror.tables[tr]
                valid = entry is not None and entry[0] == af
                if valid != (target == Status.OK):  # set the table state the bin needs
                    s.lutgen(tr, af if target == Status.OK else 1 - af)
        for _ in range(256):
            word = s.word(op, tr, af, wb, nibble(), nibble())
            if s.mirror.check(word) == target:
                break
        else:
            raise AssertionError(f"no word found for reachable bin {(o, w, a, t, st)}")
        if target == Status.OK or rng.random() < 0.125:
            s.send(word)
        else:  # payload unchanged: cheaper to simulate, and errors must ignore it anyway
            s.emit(word)


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
        "afmt": _bin_values(rng, afmt_bins(), n),
        "wbits": _bin_values(rng, wbits_bins(cfg), n),
        # accfmt and rsvd: zero against non-zero 6:1
        "accfmt": np.where(rng.random(n) < 6 / 7, 0, rng.integers(1, 16, size=n)),
        "rsvd": np.where(rng.random(n) < 6 / 7, 0, rng.integers(1, 16, size=n)),
    }
    words = encode_words(**f)
    for k in range(n):
        if k % 16 == 0:  # keep some tables valid so LMMAs can also pass
            s.lutgen(int(rng.integers(cfg.T)), int(rng.integers(2)))
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
    _directed(s)
    if sweep:
        _sweep(s)
    _field_bins(s, n_bins)
    for w in rng.integers(0, 1 << 32, size=n_random, dtype=np.uint64):
        s.send(int(w))
    return s.batch()
