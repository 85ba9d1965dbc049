# SPDX-License-Identifier: Apache-2.0
"""Floating-point functional coverage, binned in bulk with numpy (no simulator import).

Three covergroups exist on configurations that build an FP format (none on
the integer ones, whose dumps keep exactly their bins):

* ``fp_input``: every lane of every OK FP LUTGEN (as the hardware reads it:
  FP8 uses bits [7:0]) by format and class (:data:`~tb.coverage.bins.FP_INPUT_BINS`);
* ``fp_acc``: every plane addition ``acc + term_i`` (``i < b``) of every lane of
  every OK FP LMMA, by format, weight width, result class
  (:data:`~tb.coverage.bins.FP_RESULT_BINS`: an addition counts in each class it is
  in) and alignment distance (:data:`~tb.coverage.bins.FP_ALIGN_BINS`);
* ``fp_tablegen``: the twelve additions of each table row of an OK FP LUTGEN
  (``hi``, ``lo``, the eight entries) by format and result class.

The operands come from the stream itself, as the core sees it:
:class:`FpCoverage` keeps the FP table of every register (the last OK FP
LUTGEN to it, in stream order, across records) and replays each FP LMMA plane
by plane in the contract's order, so it bins the very operands the adder
gets. The replay's result is the model's D (held equal in the tests), so a
collector that read a stale table or skipped a plane would show.

Result classes need the exact rounding error. Adding two binary32 values in
float64 is exact only while their exponents differ by at most 29, so the
classifier uses TwoSum: in float32 for the bulk (:func:`add_codes`: exact,
subnormals included, unless a step overflows, which shows and sends those few
lanes on), in float64 for the rest (:func:`kinds_exact`: valid for every pair
of binary32 operands). ``tests/tb/test_coverage_fp.py`` holds both equal to
Berkeley SoftFloat's exception flags and to exact rational arithmetic.

Cost: about 1.4 times ``BatchModel.step`` on the same FP LMMAs (every lane
of every plane is classified), a few microseconds per one-instruction record
(those are binned in groups of :data:`FLUSH`).

Unreachable cross bins are derived, not written by hand: a lane class is
excluded for a format when none of the format's bit patterns decodes to it;
an adder class or distance is reachable when a witness pair of operands the
stream can produce is in it (classified by the same classifier), and it is
excluded only with a proof from the format's range and grid (below). A class
with neither a witness nor a proof is an error at construction.
"""

from __future__ import annotations

import functools

import ml_dtypes
import numpy as np

from models import fp
from models.batch import Batch, unpack_codes_batch
from models.config import FIELD, TABLE_ENTRIES, AFmt, CoreConfig, K, Opcode, Status
from tb.coverage.bins import (
    FP_ALIGN_BINS,
    FP_INPUT_BINS,
    FP_RESULT_BINS,
    fp_afmt_bins,
    fp_wbits_bins,
)

#: Bit of each result class in a class mask (:func:`add_classes`).
RESULT_BIT = {name: 1 << i for i, name in enumerate(FP_RESULT_BINS)}
#: The combinations of result classes one addition can be in (its *kind*, 3 bits).
#: Rounding never yields a subnormal (a sum of two binary32 values below 2^-126 is
#: a multiple of 2^-149, so exact) and a zero sum is exact, hence eight kinds.
KINDS = (
    ("exact",),
    ("exact", "cancel_zero"),
    ("exact", "subnormal"),
    ("inexact",),
    ("inexact", "tie"),
    ("inexact", "overflow"),
    ("inexact", "tie", "overflow"),
    ("nonfinite",),
)
_K = {k: i for i, k in enumerate(KINDS)}
K_EXACT, K_CANCEL, K_SUBNORMAL = _K[("exact",)], _K[("exact", "cancel_zero")], _K[KINDS[2]]
K_INEXACT, K_TIE, K_OVF, K_TIE_OVF = (_K[k] for k in KINDS[3:7])
K_NONFINITE = _K[("nonfinite",)]
if (K_EXACT, K_CANCEL, K_SUBNORMAL, K_INEXACT, K_TIE, K_OVF, K_NONFINITE) != (0, 1, 2, 3, 4, 5, 7):
    raise ImportError("tb.coverage.fp: the kind arithmetic of add_codes needs this order of KINDS")
#: kind -> class mask, and kind -> 0/1 per class (turns a kind histogram into class hits)
KIND_MASK = np.array([sum(RESULT_BIT[c] for c in k) for k in KINDS], dtype=np.uint8)
_KIND_CLASSES = (KIND_MASK[:, None] >> np.arange(len(FP_RESULT_BINS))) & 1
N_DIST = len(FP_ALIGN_BINS)  #: distance buckets
#: Per addition one code ``d << 3 | kind`` (d = alignment distance 0..254, any for a
#: non-finite operand): one histogram holds the result classes and the distances.
N_CODES = 256 << 3
_FRAC = np.uint32(0x007FFFFF)
_MIN_NORMAL = 2.0**-126
_HALF_ULP_MAX = 2.0**103  #: half an ulp of FLT_MAX: a smaller term cannot push FLT_MAX to inf
_F32_MAX = float(np.finfo(np.float32).max)
#: Discarded bits of a float64 significand rounded to binary32's 24 bits: a tie
#: leaves exactly the top one of them set (bit 28: the half ulp).
_LOW29, _HALF = np.uint64((1 << 29) - 1), np.uint64(1 << 28)


def _dist_bucket() -> np.ndarray:
    """Distance 0..255 -> FP_ALIGN_BINS index (255 and above never occur)."""
    lut = np.full(256, N_DIST - 1, dtype=np.intp)
    for i, (lo, hi) in enumerate(FP_ALIGN_BINS.values()):
        lut[lo : hi + 1] = i
    return lut


_DIST_BUCKET = _dist_bucket()


# --- classifiers ------------------------------------------------------------------
def kinds_exact(x: np.ndarray, y: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Kind (index into :data:`KINDS`) of each addition, uint8, by TwoSum in binary64.

    Valid for every pair of binary32 operands: binary64 neither overflows nor
    underflows on them, so ``X + Y == S + err`` exactly. The sum is a tie when
    it is exact in binary64 (``err == 0``; a tie has 25 significant bits) with
    exactly the half-ulp bit left below binary32's 24 bits, in the normal range
    (below 2^-126 every sum is on the 2^-149 grid) or above FLT_MAX (unbounded
    exponent: FLT_MAX + 2^103 is a tie that rounds to infinity).
    """
    x, y, s = (np.asarray(v, dtype=np.float32) for v in (x, y, s))
    u8 = np.uint8
    with np.errstate(all="ignore"):
        X, Y = x.astype(np.float64), y.astype(np.float64)
        S = X + Y
        yv = S - X
        err = (X - (S - yv)) + (Y - yv)
        exact_sum = err == 0
        inexact = ~(exact_sum & (S == s))
        tie = exact_sum & (np.abs(S) >= _MIN_NORMAL) & ((S.view(np.uint64) & _LOW29) == _HALF)
        zero = s == 0
        # kinds as sums: inexact 3, + tie 1, + overflow 2; exact 0, + cancel 1, + subnormal 2
        kind = inexact.view(u8) * u8(K_INEXACT)
        kind += tie.view(u8) * u8(K_TIE - K_INEXACT)
        kind += np.isinf(s).view(u8) * u8(K_OVF - K_INEXACT)
        kind += (zero & (x != 0)).view(u8) * u8(K_CANCEL)  # a zero sum: y = -x
        kind += (~zero & (np.abs(s) < _MIN_NORMAL)).view(u8) * u8(K_SUBNORMAL)
        kind[~(np.isfinite(x) & np.isfinite(y))] = K_NONFINITE
    return kind


def add_codes(x: np.ndarray, y: np.ndarray, s: np.ndarray | None = None) -> np.ndarray:
    """Per addition ``RNE(x + y)`` of float32 arrays: ``d << 3 | kind`` (uint16).

    ``d``: alignment distance (:func:`align_distance`); ``kind``: :data:`KINDS`.
    Bulk float32 work, no per-lane Python: TwoSum gives the rounding error
    ``err`` exactly (also in binary32, subnormals included) unless one of its
    operations overflows, which shows as a non-finite ``err`` and sends those
    rare lanes to :func:`kinds_exact`. A tie is an ``err`` of exactly half the
    distance from ``s`` to its neighbour on that side, so ``s + 2 err`` is that
    neighbour and ``(s + 2 err) - s == 2 err``; otherwise ``|2 err|`` is below the
    distance, ``s + 2 err`` rounds to ``s`` or the neighbour, and the difference
    is 0 or the whole distance (a non-finite ``s + 2 err`` is no tie either: past
    FLT_MAX a tie would have rounded ``s`` itself to infinity). ``s``: the float32
    sum if the caller has it (numpy's float32 addition is the contract's RNE).
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    u8, u32 = np.uint8, np.uint32
    with np.errstate(all="ignore"):
        if s is None:
            s = x + y
        ex = np.empty(x.shape, dtype=u8)
        ey = np.empty(y.shape, dtype=u8)
        np.right_shift(x.view(u32), u32(23), out=ex, casting="unsafe")  # exponent field
        np.right_shift(y.view(u32), u32(23), out=ey, casting="unsafe")
        nonfinite = ex == 255
        nonfinite |= ey == 255
        # TwoSum: x + y == s + err
        yv = s - x
        err = s - yv
        np.subtract(x, err, out=err)
        np.subtract(y, yv, out=yv)
        err += yv
        ne = err != 0
        e2 = err + err
        t = s + e2
        t -= s
        tie = t == e2  # False where err is NaN
        tie &= ne
        zero = s == 0
        np.abs(s, out=t)
        sub = t < np.float32(_MIN_NORMAL)  # False for NaN
        sub &= ~zero  # before zero becomes the cancellation flag
        # kinds as sums: inexact 3, tie 4, non-finite 7, cancel 1, subnormal 2
        kind = (ne | nonfinite).view(u8) * u8(K_INEXACT)
        kind += nonfinite.view(u8) * u8(K_NONFINITE - K_INEXACT)
        kind += tie.view(u8)  # K_TIE = K_INEXACT + 1
        zero &= x != 0  # a zero sum of non-zero operands (y = -x, both finite)
        kind += zero.view(u8)  # K_CANCEL = K_EXACT + 1
        kind += sub.view(u8) * u8(K_SUBNORMAL)
        ok = np.isfinite(err)
        ok |= nonfinite
        if not ok.all():  # finite operands, and a TwoSum step overflowed (s itself, or not)
            i = np.flatnonzero(~ok)
            kind.reshape(-1)[i] = kinds_exact(x.reshape(-1)[i], y.reshape(-1)[i], s.reshape(-1)[i])
        ex |= ex == 0  # effective exponent 1 for zero/subnormal
        ey |= ey == 0
        d = np.maximum(ex, ey)
        d -= np.minimum(ex, ey)
        d = d.astype(np.uint16)
    d <<= np.uint16(3)
    d |= kind
    return d


def add_classes(x: np.ndarray, y: np.ndarray, s: np.ndarray | None = None) -> np.ndarray:
    """Class mask (:data:`RESULT_BIT`) of each binary32 addition ``RNE(x + y)``, uint8."""
    return KIND_MASK[add_codes(x, y, s) & np.uint16(7)]


def align_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``|e_x - e_y|`` of the biased exponent fields, 1 for zero/subnormal (uint8).

    The adder's alignment shift before it is clamped to 26 (``rtl/lut_fp32_add.sv``).
    """
    ex = np.maximum((np.asarray(x, np.float32).view(np.uint32) >> 23).astype(np.uint8), 1)
    ey = np.maximum((np.asarray(y, np.float32).view(np.uint32) >> 23).astype(np.uint8), 1)
    return np.maximum(ex, ey) - np.minimum(ex, ey)


def code_counts(hist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Histogram over codes ``[..., N_CODES]`` -> (hits per result class ``[..., 7]``,
    hits per distance bucket ``[..., N_DIST]``, finite operands only)."""
    h = hist.reshape(*hist.shape[:-1], 256, len(KINDS))
    classes = h.sum(axis=-2) @ _KIND_CLASSES
    by_d = h[..., :K_NONFINITE].sum(axis=-1)  # [..., 256]
    buckets = np.zeros((*hist.shape[:-1], N_DIST), dtype=np.int64)
    for i in range(N_DIST):
        buckets[..., i] = by_d[..., _DIST_BUCKET == i].sum(axis=-1)
    return classes, buckets


# --- what a format can hold -----------------------------------------------------------
@functools.cache
def format_values(afmt: int) -> np.ndarray:
    """float32 value of every lane pattern of FP format ``afmt`` (FP8: the 256 of [7:0])."""
    bits = fp.FP_FORMATS[fp.check_fp_afmt(afmt)][1]
    return fp.to_f32(np.arange(1 << bits, dtype=np.uint16), afmt)


@functools.cache
def lane_class_lut(afmt: int) -> np.ndarray:
    """Input class (index into FP_INPUT_BINS) of every 16-bit lane pattern, uint8 [65536].

    From decoding every pattern: ``max`` is the largest finite magnitude the
    format decodes to, ``subnormal`` a non-zero magnitude below the format's
    smallest normal. FP8 lanes are classified by bits [7:0], as read.
    """
    v = fp.to_f32(np.arange(1 << 16, dtype=np.uint16), afmt)
    mag = np.abs(v)
    finite = np.isfinite(v)
    top = mag[finite].max()
    tiny = float(ml_dtypes.finfo(fp.FP_FORMATS[AFmt(afmt)][0]).smallest_normal)
    cls = np.select(
        [np.isnan(v), np.isinf(v), mag == 0, mag < tiny, mag == top],
        [FP_INPUT_BINS.index(c) for c in ("nan", "inf", "zero", "subnormal", "max")],
        FP_INPUT_BINS.index("normal"),
    )
    return cls.astype(np.uint8)


def unreachable_input_bins(afmt: int) -> dict[str, str]:
    """Input class -> why no lane of format ``afmt`` is in it (no pattern decodes to it)."""
    bits = fp.FP_FORMATS[AFmt(afmt)][1]
    present = np.bincount(lane_class_lut(afmt)[: 1 << bits], minlength=len(FP_INPUT_BINS))
    name = AFmt(afmt).name.lower()
    return {
        c: f"{name}: none of its {1 << bits} lane patterns decodes to {c}"
        for c, n in zip(FP_INPUT_BINS, present, strict=True)
        if n == 0
    }


def _probe_values(afmt: int) -> np.ndarray:
    """Activation values a witness may use: zeros, every power of two, the largest and
    smallest magnitudes and the specials of the format, both signs (all values for FP8)."""
    v = format_values(afmt)
    nan = v[np.isnan(v)][:1]
    if v.size <= 256:
        return np.concatenate([np.unique(v[~np.isnan(v)]), nan])
    finite = v[np.isfinite(v) & (v > 0)]
    mant, _ = np.frexp(finite)
    keep = finite[(mant == 0.5) | (finite == finite.max())]
    special = np.concatenate([v[np.isinf(v)], nan, np.zeros(1, np.float32)])
    return np.concatenate([np.unique(np.concatenate([keep, -keep])), special])


@functools.cache
def format_facts(afmt: int) -> dict[str, float]:
    """Range and grid of format ``afmt`` from its patterns (the derivations' premises).

    ``q``: smallest positive value (every value is a multiple of it); ``max``:
    largest finite magnitude; ``top_entry``: the largest finite table entry
    magnitude, ``RN(RN(max + max) + RN(max + max))`` (rounding is monotone, so no
    entry is larger) or inf when that overflows.
    """
    v = format_values(afmt)
    pos = v[np.isfinite(v) & (v > 0)]
    vmax = float(pos.max())
    top = float(fp.fp_tables(np.full(K, vmax, dtype=np.float32))[TABLE_ENTRIES - 1])
    return {"q": float(pos.min()), "max": vmax, "top_entry": top}


def _pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (x, y) combination, flattened, float32."""
    xx, yy = np.meshgrid(np.asarray(x, np.float32), np.asarray(y, np.float32), indexing="ij")
    return xx.ravel(), yy.ravel()


def _seen(x: np.ndarray, y: np.ndarray) -> tuple[set[str], set[str]]:
    """Result classes and distance buckets some addition of (x, y) pairs is in."""
    classes, dists = code_counts(np.bincount(add_codes(x, y), minlength=N_CODES))
    return (
        {c for c, n in zip(FP_RESULT_BINS, classes, strict=True) if n},
        {d for d, n in zip(FP_ALIGN_BINS, dists, strict=True) if n},
    )


#: Accumulator values a witness may use: C is any binary32 pattern, and the first
#: plane adds its term to C itself, so every binary32 value is a possible ``acc``.
_ACC_PROBES = np.unique(
    np.concatenate(
        [
            np.ldexp(1.0, np.arange(-149, 128)),
            -np.ldexp(1.0, np.arange(-149, 128)),
            [_F32_MAX, -_F32_MAX, 0.0, -0.0, np.inf, -np.inf, np.nan],
        ]
    ).astype(np.float32)
)


@functools.cache
def addend_witnessed(afmt: int, top: float) -> tuple[frozenset[str], frozenset[str]]:
    """Result classes and distance buckets of witness additions ``C + v`` of ``afmt``.

    On ``lut_tc`` plane 0 adds ``+-entry`` to C itself, and C is any binary32
    pattern, so any probe acc meets any entry; every format value ``v`` is an
    entry (a table of one non-zero lane holds ``+-v``), and so is ``top``, the
    largest entry. Each probe term goes against every probe acc and against its
    own negation. Every LMMA has a plane 0, so a witness here is one for every
    width. (The MAC core's last addition ``C + s`` meets the same values:
    ``tb.coverage.fp_mac``.)
    """
    with np.errstate(all="ignore"):
        t = np.float32(top)
        terms = np.unique(np.concatenate([_probe_values(afmt), [t, -t]]).astype(np.float32))
    x, y = _pairs(_ACC_PROBES, terms)
    classes, dists = _seen(np.concatenate([x, -terms]), np.concatenate([y, terms]))
    return frozenset(classes), frozenset(dists)


@functools.cache
def acc_reach(afmt: int, b: int) -> tuple[dict[str, str], dict[str, str]]:
    """Unreachable (result classes, distance buckets) of the accumulate adder for FP
    LMMAs of format ``afmt`` and width ``b``, each with the reason.

    Reachable: what a plane-0 witness shows (:func:`addend_witnessed`). The one
    proof needed: overflow takes ``|acc + term| >= 2^128 - 2^103`` (FLT_MAX plus
    half its ulp), so with ``|acc| <= FLT_MAX`` a finite term of at least 2^103;
    the largest finite term of width ``b`` is ``top_entry * 2^(b-1)``.
    """
    facts = format_facts(afmt)
    top_term = facts["top_entry"] * 2.0 ** (b - 1)
    why = f"the largest term, top entry {facts['top_entry']:g} * 2^(b-1),"
    return addend_reach(afmt, b, addend_witnessed(afmt, facts["top_entry"]), top_term, why)


def addend_reach(
    afmt: int, b: int, seen: tuple[frozenset[str], frozenset[str]], top: float, what: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Unreachable (result classes, distance buckets) given the witnessed ones ``seen``
    and ``top``, the largest finite addend (``what`` says which it is): overflow is
    ruled out when ``top`` is below 2^103; any other unwitnessed bin is an error."""
    classes, dists = seen
    name = AFmt(afmt).name.lower()
    no_class: dict[str, str] = {}
    for c in FP_RESULT_BINS:
        if c in classes:
            continue
        if c == "overflow" and top < _HALF_ULP_MAX:
            no_class[c] = (
                f"{name} at w{b}: {what} "
                "is below 2^103 (half an ulp of FLT_MAX), so acc + term cannot round to infinity"
            )
        else:
            raise RuntimeError(f"{name} w{b}: {c} has no witness and no proof it is unreachable")
    missing = [d for d in FP_ALIGN_BINS if d not in dists]
    if missing:
        raise RuntimeError(f"{name} w{b}: no witness for distances {missing}")
    return no_class, {}


@functools.cache
def tablegen_reach(afmt: int) -> dict[str, str]:
    """Unreachable result classes of the table generator's additions for ``afmt``, with why.

    Witnesses: the first additions ``a3 +- a2`` over pairs of probe values (all
    256 values of an FP8 format). Proofs, from the format's grid: every lane is
    a multiple of ``q``, and binary32 rounding keeps a multiple of ``q`` one (a
    rounded value is on a grid at least as coarse), so a non-zero sum is at
    least ``q``: no subnormal sum if ``q >= 2^-126``. If moreover every multiple
    of ``q`` up to ``4 * max`` is a binary32 (``4 * max / q <= 2^24``), every
    partial sum of up to four lanes is exact: no inexact sum, no tie, no overflow.
    A finite ``top_entry`` rules out overflow alone.
    """
    facts = format_facts(afmt)
    v = _probe_values(afmt)
    x, y = _pairs(v, v)
    classes, _ = _seen(np.concatenate([x, x]), np.concatenate([y, -y]))
    name = AFmt(afmt).name.lower()
    q, top = facts["q"], facts["max"]
    span_exact = 4 * top / q <= 2.0**24
    out: dict[str, str] = {}
    for c in FP_RESULT_BINS:
        if c in classes:
            continue
        if c == "subnormal" and q >= _MIN_NORMAL:
            out[c] = f"{name}: lanes are multiples of {q:g} >= 2^-126, so a non-zero sum is normal"
        elif c in ("inexact", "tie", "overflow") and span_exact:
            out[c] = (
                f"{name}: table sums are multiples of {q:g} below 4 * {top:g}, "
                "all exact in binary32 (fewer than 2^24 steps): no rounding"
            )
        elif c == "overflow" and np.isfinite(facts["top_entry"]):
            out[c] = f"{name}: no table sum exceeds {facts['top_entry']:g}, far below FLT_MAX"
        else:
            raise RuntimeError(
                f"{name} tablegen: no witness for {c} and no proof it is unreachable"
            )
    return out


# --- the collector ------------------------------------------------------------------
#: Instructions of small records the collector gathers before binning them together.
FLUSH = 512


def _field(words: np.ndarray, name: str) -> np.ndarray:
    f = FIELD[name]
    return ((words >> np.uint32(f.lsb)) & np.uint32(f.mask)).astype(np.intp)


class FpCoverage:
    """The FP bins of one configuration with FP formats, sampled from Predictions.

    ``sample(batch, status)`` takes the accepted instructions with their bus
    images and the statuses the model answered; only OK FP LUTGENs and OK FP
    LMMAs are binned. Counts are exact whatever the record sizes (one record of
    a thousand instructions or a thousand records of one bin the same).
    """

    #: Whether the core has a table generator of FP additions (``fp_tablegen``).
    TABLEGEN = True

    def __init__(self, cfg: CoreConfig) -> None:
        if not cfg.has_fp:
            raise ValueError(f"{cfg.name} builds no FP format: it has no FP coverage")
        self.cfg = cfg
        self.fmts = fp_afmt_bins(cfg)  # bin name -> afmt code
        self.fmt_index = np.full(16, -1, dtype=np.intp)
        for i, code in enumerate(self.fmts.values()):
            self.fmt_index[code] = i
        self.wbits = fp_wbits_bins(cfg)
        nf, nw = len(self.fmts), cfg.W_BITS_MAX
        self.lane_lut = np.stack([lane_class_lut(c) for c in self.fmts.values()]).reshape(-1)
        self.input = np.zeros((nf, len(FP_INPUT_BINS)), dtype=np.int64)
        self.acc = np.zeros((nf * nw, N_CODES), dtype=np.int64)  # row f * nw + b - 1
        self.tablegen = np.zeros((nf, len(KINDS)), dtype=np.int64)
        self.unreachable = self._unreachable()
        #: Set to a list to record, per binned OK FP LMMA, its position in the stream of
        #: sampled instructions and the D bit patterns the replay computed: the model's D
        #: exactly when the collector binned the operands the core adds (tests).
        self.trace: list[tuple[np.ndarray, np.ndarray]] | None = None
        self.position = 0  #: instructions binned so far (the trace's positions)
        self._pending: list[tuple[Batch, np.ndarray]] = []
        self._n_pending = 0
        self.bank = np.zeros((cfg.T, cfg.M, TABLE_ENTRIES), dtype=np.float32)

    def restart(self) -> None:
        """After a reset every register is invalid: an OK FP LMMA reads a later LUTGEN.

        What was sampled before the reset is binned first, with the tables it saw.
        """
        self.flush()
        self.bank[:] = 0

    # --- sampling -----------------------------------------------------------------
    def sample(self, batch: Batch, status: np.ndarray) -> None:
        """Take one record: the accepted instructions and the statuses the model answered.

        A record of one instruction (the ``pins`` transport) costs as many numpy
        calls to bin as one of a thousand, so small records wait, in order, until
        :data:`FLUSH` instructions are pending and are binned as one; :meth:`hits`
        and :meth:`restart` bin what is pending first. The counts are the same.
        """
        status = np.asarray(status)
        if len(batch) >= FLUSH and not self._pending:
            self._sample_now(batch, status)
            return
        self._pending.append((batch, status))
        self._n_pending += len(batch)
        if self._n_pending >= FLUSH:
            self.flush()

    def flush(self) -> None:
        """Bin the pending records (as one record: they are consecutive)."""
        if not self._pending:
            return
        parts, self._pending, self._n_pending = self._pending, [], 0
        if len(parts) == 1:
            batch, status = parts[0]
        else:
            fields = ("words", "a", "w", "c")
            batch = Batch(*(np.concatenate([getattr(b, f) for b, _ in parts]) for f in fields))
            status = np.concatenate([st for _, st in parts])
        self._sample_now(batch, status)

    def _sample_now(self, batch: Batch, status: np.ndarray) -> None:
        """Bin one record: only OK FP LUTGENs and OK FP LMMAs count."""
        start = self.position
        self.position += len(batch)
        words = batch.words
        op, tr, af = _field(words, "opcode"), _field(words, "treg"), _field(words, "afmt")
        ok_fp = (status == Status.OK) & (self.fmt_index[af] >= 0)
        gen = ok_fp & (op == Opcode.LUTGEN)
        mm = ok_fp & (op == Opcode.LMMA)
        has_gen, has_mm = bool(gen.any()), bool(mm.any())
        if not (has_gen or has_mm):
            return
        T = self.cfg.T
        gen_rows = np.flatnonzero(gen)
        tables = self._sample_lutgen(batch.a[gen_rows], af[gen_rows]) if has_gen else None
        n = len(words)
        # last[t, r]: the last OK FP LUTGEN to register t at or before row r (-1: none here)
        hit = gen[None, :] & (tr[None, :] == np.arange(T)[:, None])
        last = np.maximum.accumulate(np.where(hit, np.arange(n), -1), axis=1)
        if has_mm:
            rows = np.flatnonzero(mm)
            # an OK FP LMMA reads the last LUTGEN to its register, and that one is FP
            src = last[tr[rows], rows]
            if has_gen:
                rank = np.cumsum(gen) - 1
                bank = np.concatenate([self.bank, tables])
                ver = np.where(src >= 0, T + rank[np.maximum(src, 0)], tr[rows])
            else:
                bank, ver = self.bank, tr[rows]
            b = rows_b(words[rows])
            order = self._order(b, af[rows])
            rows, ver = rows[order], ver[order]
            want = self.trace is not None
            w, c = batch.w[rows], batch.c[rows]
            d = self._replay_sorted(bank[ver], w, c, b[order], af[rows], want)
            if want:
                self.trace.append((start + rows, d))
        if has_gen:
            final = last[:, -1]
            for t in np.flatnonzero(final >= 0):
                self.bank[t] = tables[rank_of(gen, final[t])]

    def _sample_lutgen(self, a: np.ndarray, af: np.ndarray) -> np.ndarray:
        """Input classes and table-generator additions of OK FP LUTGEN rows; their tables."""
        cfg = self.cfg
        lanes = np.ascontiguousarray(a).view("<u2").reshape(len(a), cfg.M, K)
        fi = self._bin_inputs(lanes, af)
        vals = np.empty((len(a), cfg.M, K), dtype=np.float32)
        for code in self.fmts.values():
            sel = af == code
            if sel.any():
                vals[sel] = fp.to_f32(lanes[sel], code)
        x, y = tablegen_operands(vals)
        with np.errstate(all="ignore"):
            s = x + y
        kind = add_codes(x, y, s) & np.uint16(7)
        hist = np.bincount(
            (fi[:, None, None] * len(KINDS) + kind).ravel(), minlength=self.tablegen.size
        )
        self.tablegen += hist.reshape(self.tablegen.shape)
        return s[..., 4:]  # the eight entries, j = 0..7

    def _bin_inputs(self, lanes: np.ndarray, af: np.ndarray) -> np.ndarray:
        """``fp_input``: the class of every lane ``[G, M, 4]`` of OK FP LUTGENs of
        formats ``af [G]``; returns their format bin indices."""
        fi = self.fmt_index[af]
        cls = self.lane_lut[(fi[:, None, None] << 16) + lanes]
        self.input += np.bincount(
            (fi[:, None, None] * len(FP_INPUT_BINS) + cls).ravel(), minlength=self.input.size
        ).reshape(self.input.shape)
        return fi

    def _order(self, b: np.ndarray, af: np.ndarray) -> np.ndarray:
        """Widest first, and the rows of one (format, b) adjacent: the order of the replay."""
        return np.lexsort((self.fmt_index[af], -b))

    def replay(
        self, tables: np.ndarray, w: np.ndarray, c: np.ndarray, b: np.ndarray, af: np.ndarray
    ) -> np.ndarray:
        """Accumulate OK FP LMMAs plane by plane, binning every addition; returns D bits.

        ``tables``: float32 ``[L, M, 8]``, the entries each LMMA read; ``w``, ``c``:
        its bus images ``[L, bytes]``; ``b``: widths; ``af``: formats.
        """
        order = self._order(b, af)
        d = self._replay_sorted(tables[order], w[order], c[order], b[order], af[order])
        out = np.empty_like(d)
        out[order] = d
        return out

    def _replay_sorted(
        self,
        tables: np.ndarray,
        w: np.ndarray,
        c: np.ndarray,
        b: np.ndarray,
        af: np.ndarray,
        want_d: bool = True,
    ) -> np.ndarray | None:
        """:meth:`replay` on rows in :meth:`_order`: the rows still adding at plane ``p``
        are a prefix, and each (format, b) is one block of rows, binned with one
        histogram per plane. ``want_d``: also return the D bit patterns ``[L, M*N]``.

        The gather is the model's (``BatchModel._lmma_fp``): per plane a 16-entry
        view per table row, ``entry * 2^p`` and its negation, indexed by the code.
        """
        cfg = self.cfg
        m, n, nw = cfg.M, cfg.N, cfg.W_BITS_MAX
        rows = len(b)
        key = self.fmt_index[af] * nw + b - 1
        planes = int(b[0])
        codes = unpack_codes_batch(w[:, : (planes * n + 1) // 2], cfg, planes)  # [L, P, N]
        acc = np.ascontiguousarray(c).view("<f4").reshape(rows, m, n)
        out = np.empty((rows, m, n), dtype=np.float32)
        starts = np.flatnonzero(np.diff(key, prepend=-1))
        ends = [*starts[1:].tolist(), rows]
        blocks = list(zip(starts.tolist(), ends, key[starts].tolist(), strict=True))
        active = np.count_nonzero(b[None, :] > np.arange(planes + 1)[:, None], axis=1)
        width = 2 * TABLE_ENTRIES
        base = (np.arange(rows)[:, None, None] * m + np.arange(m)[None, :, None]) * width
        with np.errstate(all="ignore"):
            for p in range(planes):
                k = int(active[p])  # a prefix: rows are sorted by b
                view = np.empty((k, m, width), dtype=np.float32)
                np.multiply(tables[:k], np.float32(2.0**p), out=view[:, :, :TABLE_ENTRIES])
                np.negative(view[:, :, :TABLE_ENTRIES], out=view[:, :, TABLE_ENTRIES:])
                term = np.take(view.reshape(-1), base[:k] + codes[:k, p][:, None, :])
                s = acc[:k] + term
                code = add_codes(acc[:k], term, s).astype(np.intp)
                for r0, r1, kk in blocks:
                    if r0 >= k:
                        break
                    self.acc[kk] += np.bincount(code[r0:r1].reshape(-1), minlength=N_CODES)
                done = int(active[p + 1])  # rows from here on had their last plane
                out[done:k] = s[done:]
                acc = s
        return fp.bits(out).reshape(rows, -1) if want_d else None

    # --- results ----------------------------------------------------------------------
    def _unreachable(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{group: {cross: {bin: reason}}}`` of every FP cross bin that cannot be hit."""
        inp, res, dist, gen = {}, {}, {}, {}
        for f, code in self.fmts.items():
            for c, why in unreachable_input_bins(code).items():
                inp[f"<{f},{c}>"] = why
            for w, b in self.wbits.items():
                no_class, no_dist = self._acc_reach(code, b)
                res.update({f"<{f},{w},{c}>": why for c, why in no_class.items()})
                dist.update({f"<{f},{w},{d}>": why for d, why in no_dist.items()})
            if self.TABLEGEN:
                gen.update({f"<{f},{c}>": why for c, why in tablegen_reach(code).items()})
        out = {
            "fp_input": {"cross_afmt_class": inp},
            "fp_acc": {"cross_afmt_wbits_result": res, "cross_afmt_wbits_dist": dist},
            "fp_tablegen": {"cross_afmt_result": gen},
        }
        return {g: {p: v for p, v in pts.items() if v} for g, pts in out.items()}

    def _acc_reach(self, afmt: int, b: int) -> tuple[dict[str, str], dict[str, str]]:
        """Unreachable ``fp_acc`` bins of one format and width (:func:`acc_reach`)."""
        return acc_reach(afmt, b)

    def hits(self) -> dict:
        """The FP covergroups in the dump layout; an excluded bin appears only if hit
        (then the merge reports the exclusion as wrong)."""
        self.flush()
        fmts, wbs = list(self.fmts), list(self.wbits)
        nf, nw = len(fmts), len(wbs)
        acc = self.acc.reshape(nf, nw, N_CODES)
        res, dist = code_counts(acc)  # [f, w, class], [f, w, bucket]
        gen = self.tablegen @ _KIND_CLASSES  # [f, class]

        def cross(counts: np.ndarray, axes: list[list[str]], group: str, point: str) -> dict:
            skip = self.unreachable.get(group, {}).get(point, {})
            out = {}
            for key in np.ndindex(*counts.shape):
                name = "<" + ",".join(ax[k] for ax, k in zip(axes, key, strict=True)) + ">"
                if name not in skip or counts[key]:
                    out[name] = int(counts[key])
            return out

        def point(names: list[str] | tuple[str, ...], counts: np.ndarray) -> dict[str, int]:
            return {nm: int(v) for nm, v in zip(names, counts, strict=True)}

        classes, dists = list(FP_RESULT_BINS), list(FP_ALIGN_BINS)
        out = {
            "fp_input": {
                "cp_afmt": point(fmts, self.input.sum(axis=1)),
                "cp_class": point(FP_INPUT_BINS, self.input.sum(axis=0)),
                "cross_afmt_class": cross(
                    self.input, [fmts, list(FP_INPUT_BINS)], "fp_input", "cross_afmt_class"
                ),
            },
            "fp_acc": {
                "cp_afmt": point(fmts, acc.sum(axis=(1, 2))),
                "cp_wbits": point(wbs, acc.sum(axis=(0, 2))),
                "cp_result": point(classes, res.sum(axis=(0, 1))),
                "cp_dist": point(dists, dist.sum(axis=(0, 1))),
                "cross_afmt_wbits_result": cross(
                    res, [fmts, wbs, classes], "fp_acc", "cross_afmt_wbits_result"
                ),
                "cross_afmt_wbits_dist": cross(
                    dist, [fmts, wbs, dists], "fp_acc", "cross_afmt_wbits_dist"
                ),
            },
            "fp_tablegen": {
                "cp_afmt": point(fmts, self.tablegen.sum(axis=1)),
                "cp_result": point(classes, gen.sum(axis=0)),
                "cross_afmt_result": cross(
                    gen, [fmts, classes], "fp_tablegen", "cross_afmt_result"
                ),
            },
        }
        if not self.TABLEGEN:
            del out["fp_tablegen"]
        return out


def tablegen_operands(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activations float32 ``[..., 4]`` -> the 12 additions' operands ``x, y [..., 12]``.

    ``hi = a3 + (-a2), a3 + a2``, ``lo = a1 + (-a0), a1 + a0`` (additions 0-3), then
    entry ``j`` (addition 4 + j) = ``hi[j2] + lo[j0]`` if ``j1`` else
    ``hi[j2] + (-lo[!j0])``, as ``models.fp.fp_tables`` pairs them (``x - y`` is
    ``x + (-y)`` under RNE, signed zeros included).
    """
    a0, a1, a2, a3 = (a[..., k] for k in range(K))
    with np.errstate(all="ignore"):
        hi = (a3 - a2, a3 + a2)
        lo = (a1 - a0, a1 + a0)
    xs = [a3, a3, a1, a1]
    ys = [-a2, a2, -a0, a0]
    for j in range(TABLE_ENTRIES):
        j2, j1, j0 = (j >> 2) & 1, (j >> 1) & 1, j & 1
        xs.append(hi[j2])
        ys.append(lo[j0] if j1 else -lo[1 - j0])
    return np.stack(xs, axis=-1), np.stack(ys, axis=-1)


def rows_b(words: np.ndarray) -> np.ndarray:
    """Weight width ``b`` of each instruction word."""
    return _field(words, "wbits")


def rank_of(mask: np.ndarray, row: int) -> int:
    """Position of ``row`` among the set rows of ``mask``."""
    return int(np.count_nonzero(mask[:row]))
