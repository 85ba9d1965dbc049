# SPDX-License-Identifier: Apache-2.0
"""Vectorized twin of :class:`models.core.CoreModel`: one call per batch of instructions.

Verifying at simulator speed needs predictions at numpy speed: the batch
transport of the testbench hands the core thousands of instructions per
wake-up, and ``CoreModel.step`` costs about 100 us each. :class:`BatchModel`
answers exactly what ``CoreModel.step`` answers, instruction by instruction,
in a few array operations per batch. ``CoreModel`` stays the readable spec;
``tests/models/test_batch.py`` holds the two equal on random streams, on every
status-relevant field combination and across batch boundaries.

Payloads travel as the bytes the ports carry (little-endian bus images), so a
batch goes to the simulator and into the model without big-int conversions.

FP formats (docs section 10) share the table bank with the integer ones: an FP
register holds the uint32 bit patterns of its binary32 entries in the same
int64 array, and the register's format says how to read them. The integer
path therefore runs exactly the code it ran before FP existed; the FP path is
a separate vectorized pass over the FP rows of the batch. On the MAC core
an FP register holds the binary32 patterns of its M x 4 activations in entry
slots 0-3, what that core keeps (``fp.mac_fp_lmma``). On a binary16 instance
(``cfg.fp_acc``) an FP register holds binary16 patterns (``models.fp16``): the
entries, or on the MAC core the activations in slots 0-3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models import fp, fp16
from models.config import (
    DEFAULT,
    FIELD,
    FP_AFMTS,
    TABLE_ENTRIES,
    AFmt,
    CoreConfig,
    FpAcc,
    K,
    Opcode,
    Status,
)
from models.tables import SIGNS


def bus_bytes(cfg: CoreConfig) -> dict[str, int]:
    """Bytes of each payload bus image: ``a``, ``w``, ``c`` (``c`` is also ``out_d_o``)."""
    return {
        "a": (cfg.a_bits + 7) // 8,
        "w": (cfg.w_bits + 7) // 8,
        "c": (cfg.c_bits + 7) // 8,
    }


def to_bytes(values: Sequence[int], nbytes: int, name: str) -> np.ndarray:
    """Bus ints -> uint8 ``[len, nbytes]`` little-endian images; ValueError if one does not fit."""
    try:
        raw = b"".join(int(v).to_bytes(nbytes, "little") for v in values)
    except OverflowError:
        raise ValueError(f"{name}: a value does not fit {nbytes} bytes (or is negative)") from None
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(values), nbytes)


def from_bytes(row: np.ndarray) -> int:
    """One little-endian bus image -> int (for messages and the per-transaction model)."""
    return int.from_bytes(np.ascontiguousarray(row, dtype=np.uint8).tobytes(), "little")


@dataclass
class Batch:
    """Instructions with their payloads, as the input ports carry them."""

    words: np.ndarray  #: uint32 ``[B]``
    a: np.ndarray  #: uint8 ``[B, a bytes]`` image of ``in_a_i``
    w: np.ndarray  #: uint8 ``[B, w bytes]`` image of ``in_w_i``
    c: np.ndarray  #: uint8 ``[B, c bytes]`` image of ``in_c_i``

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def from_buses(
        cls,
        cfg: CoreConfig,
        words: Sequence[int],
        a: Sequence[int],
        w: Sequence[int],
        c: Sequence[int],
    ) -> Batch:
        """From per-instruction ints (``CoreModel.step`` arguments)."""
        nb = bus_bytes(cfg)
        words_arr = np.asarray(words, dtype=np.int64)
        if words_arr.size and (words_arr.min() < 0 or words_arr.max() >= 1 << 32):
            raise ValueError("words: an instruction word is not in [0, 2^32)")
        batch = cls(
            words_arr.astype(np.uint32),
            to_bytes(a, nb["a"], "a"),
            to_bytes(w, nb["w"], "w"),
            to_bytes(c, nb["c"], "c"),
        )
        batch.check(cfg)
        return batch

    def check(self, cfg: CoreConfig) -> None:
        """Shapes and dtypes; ValueError naming the field."""
        n = len(self.words)
        if self.words.dtype != np.uint32 or self.words.ndim != 1:
            raise ValueError(f"words: need uint32 [B], got {self.words.dtype} {self.words.shape}")
        for name, nbytes in bus_bytes(cfg).items():
            arr = getattr(self, name)
            if arr.dtype != np.uint8 or arr.shape != (n, nbytes):
                raise ValueError(
                    f"{name}: need uint8 [{n}, {nbytes}] for {cfg.name}, "
                    f"got {arr.dtype} {arr.shape}"
                )

    def __getitem__(self, s: slice) -> Batch:
        return Batch(self.words[s], self.a[s], self.w[s], self.c[s])


@dataclass
class BatchResponse:
    """Responses in order: what ``out_tag_o``/``out_status_o``/``out_d_o`` show."""

    tag: np.ndarray  #: uint8 ``[B]``
    status: np.ndarray  #: uint8 ``[B]``
    #: int32 ``[B, M*N]``, lane ``m*N + n`` (zeros unless an OK LMMA): the INT32
    #: result, or for an FP LMMA the binary32 bit pattern viewed as int32
    #: (``d.view(np.uint32)``), i.e. exactly the 32 bits of the ``out_d_o`` lane.
    d: np.ndarray

    def __len__(self) -> int:
        return len(self.tag)

    def __getitem__(self, s: slice) -> BatchResponse:
        return BatchResponse(self.tag[s], self.status[s], self.d[s])

    @classmethod
    def concat(cls, parts: Sequence[BatchResponse], lanes: int) -> BatchResponse:
        if not parts:
            return cls(np.zeros(0, np.uint8), np.zeros(0, np.uint8), np.zeros((0, lanes), np.int32))
        return cls(
            np.concatenate([p.tag for p in parts]),
            np.concatenate([p.status for p in parts]),
            np.concatenate([p.d for p in parts]),
        )


# Plain ints (enum lookups cost more than the arithmetic on one-instruction batches).
_LUTGEN, _LMMA = int(Opcode.LUTGEN), int(Opcode.LMMA)
_OK, _ILLEGAL, _UNSUPPORTED = int(Status.OK), int(Status.ILLEGAL_INSTR), int(Status.UNSUPPORTED)
_TREG_RANGE, _TABLE_INVALID = int(Status.TREG_RANGE), int(Status.TABLE_INVALID)
_AFMT_CODES = np.arange(1 << FIELD["afmt"].width)
_IS_FP = np.isin(_AFMT_CODES, list(FP_AFMTS))  #: by afmt code
#: binary32 -0.0, the pad for planes >= b: x + (-0) is x for every x, +0 and -0
#: included (a NaN stays a NaN), under RNE.
_NEG_ZERO = 0x80000000


def unpack_codes_batch(w: np.ndarray, cfg: CoreConfig, planes: int | None = None) -> np.ndarray:
    """``in_w_i`` images ``[L, bytes]`` -> codes uint8 ``[L, planes, N]`` (lane ``i*N + n``).

    ``planes`` (default WBitsMax): how many bit planes to unpack from the front.
    """
    planes = cfg.W_BITS_MAX if planes is None else planes
    lanes = np.stack([w & 0xF, w >> 4], axis=-1).reshape(len(w), -1)
    return lanes[:, : planes * cfg.N].reshape(len(w), planes, cfg.N)


def dequantize_batch(w: np.ndarray, b: np.ndarray, cfg: CoreConfig) -> np.ndarray:
    """``in_w_i`` images ``[L, bytes]`` and widths ``b [L]`` -> weights int64 ``[L, 4, N]``.

    The batch form of ``fp.dequantize``: the codes of the planes below each
    row's ``b`` give the raw plane indices, whose bit ``k`` is bit ``p`` of
    weight ``k``'s code ``q_k``, and ``w = 2q - (2^b - 1)``.
    """
    planes = int(b.max())
    codes = unpack_codes_batch(w[:, : (planes * cfg.N + 1) // 2], cfg, planes)  # [L, P, N]
    neg, sel = (codes >> 3) & 1, codes & 7
    idx = np.where(neg == 1, ~sel & 7, 8 | sel).astype(np.int64)
    idx[np.arange(planes)[None, :] >= b[:, None]] = 0  # planes >= b are ignored
    bit = (idx[:, :, None, :] >> np.arange(K)[None, None, :, None]) & 1  # [L, P, K, N]
    q = (bit << np.arange(planes)[None, :, None, None]).sum(axis=1)  # [L, K, N]
    return 2 * q - ((1 << b.astype(np.int64)) - 1)[:, None, None]


def activations_batch(a: np.ndarray, afmt: np.ndarray, cfg: CoreConfig) -> np.ndarray:
    """``in_a_i`` images ``[G, a bytes]`` -> int64 ``[G, M, 4]`` as the hardware reads them."""
    raw = np.ascontiguousarray(a).view("<i2").astype(np.int64).reshape(len(a), cfg.M, K)
    int8 = (afmt == AFmt.INT8)[:, None, None]
    low = ((raw & 0xFF) ^ 0x80) - 0x80  # INT8 lanes use bits [7:0] only
    return np.where(int8, low, raw)


def fp_tables_batch(a: np.ndarray, afmt: np.ndarray, cfg: CoreConfig) -> np.ndarray:
    """``in_a_i`` images ``[G, a bytes]`` with FP formats ``afmt [G]`` -> uint32 ``[G, M, 8]``.

    The bit patterns of the binary32 entries (``fp.fp_tables``), NaNs canonical;
    on the MAC core those of the converted activations, in slots 0-3. One
    vectorized conversion per format present.
    """
    lanes = np.ascontiguousarray(a).view("<u2").reshape(len(a), cfg.M, K)
    out = np.zeros((len(a), cfg.M, TABLE_ENTRIES), dtype=np.uint32)
    for f in FP_AFMTS:
        sel = afmt == f
        if sel.any() and cfg.fp_acc != FpAcc.FP32:
            ftz = cfg.fp_acc == FpAcc.FP16_FTZ
            acts16 = fp16.to_f16(lanes[sel], f)
            if cfg.core == "mac":
                out[sel, :, :K] = fp16.bits16(acts16)
            else:
                out[sel] = fp16.bits16(fp16.tables(acts16, ftz))
        elif sel.any():
            acts = fp.to_f32(lanes[sel], f)
            if cfg.core == "mac":
                out[sel, :, :K] = fp.bits(acts)
            else:
                out[sel] = fp.bits(fp.fp_tables(acts))
    return out


class BatchModel:
    """Table registers plus the status rules of docs section 6, for a batch at a time.

    ``tables`` is int64 ``[T, M, 8]``: integer entries, or for a register with
    an FP ``afmt`` the uint32 bit patterns of its binary32 entries.
    """

    def __init__(self, cfg: CoreConfig = DEFAULT) -> None:
        self.cfg = cfg
        #: By afmt code: built by this instance (reserved codes never are).
        self._built = np.array([cfg.builds(int(k)) for k in _AFMT_CODES])
        self._has_fp = cfg.has_fp  # an INT-only instance skips every FP test
        #: By afmt code: the accfmt an LMMA needs (-1 for reserved codes: matches none).
        self._accfmt_need = np.array(
            [int(cfg.accfmt_of(k)) if k < len(AFmt) else -1 for k in _AFMT_CODES]
        )
        self.reset()

    def reset(self) -> None:
        """Like ``rst_ni``: every table register invalid (format -1 matches no word)."""
        cfg = self.cfg
        self.afmt = np.full(cfg.T, -1, dtype=np.int64)
        self.tables = np.zeros((cfg.T, cfg.M, TABLE_ENTRIES), dtype=np.int64)

    def step(self, batch: Batch) -> BatchResponse:
        """Execute ``batch`` in order; error responses change no state, as in ``CoreModel``."""
        cfg = self.cfg
        batch.check(cfg)
        T, n = cfg.T, len(batch)
        words = batch.words.astype(np.int64)

        def field(name: str) -> np.ndarray:
            f = FIELD[name]
            return (words >> f.lsb) & f.mask

        op, treg, afmt, wbits = field("opcode"), field("treg"), field("afmt"), field("wbits")
        accfmt, rsvd = field("accfmt"), field("rsvd")
        is_gen, is_mm = op == _LUTGEN, op == _LMMA

        # Status rules, first match wins (CoreModel._status); assigned last rule first.
        illegal = ~(is_gen | is_mm) | (rsvd != 0) | (is_gen & ((wbits != 0) | (accfmt != 0)))
        wb_ok = (wbits >= 1) & (wbits <= cfg.W_BITS_MAX) & (accfmt == self._accfmt_need[afmt])
        unsupported = ~self._built[afmt] | (is_mm & ~wb_ok)
        status = np.where(treg >= T, _TREG_RANGE, _OK)
        status[unsupported] = _UNSUPPORTED
        status[illegal] = _ILLEGAL
        gen_ok = is_gen & (status == _OK)

        # Which table each instruction sees: bank row T + k for the k-th OK
        # LUTGEN of the batch (the last one to its register before it), else
        # row treg, the register as carried in from earlier batches.
        # All registers at once: last[t, i] is the index of the last OK LUTGEN
        # to register t up to instruction i (-1: none in this batch).
        idx = np.arange(n)
        rank = np.cumsum(gen_ok) - 1
        t_safe = np.minimum(treg, T - 1)
        hit = gen_ok[None, :] & (treg[None, :] == np.arange(T)[:, None])
        last = np.maximum.accumulate(np.where(hit, idx, -1), axis=1)
        final = last[:, -1] if n else np.full(T, -1, dtype=np.int64)
        before = np.concatenate((np.full((T, 1), -1), last[:, :-1]), axis=1)[t_safe, idx]
        ver = np.where(before >= 0, T + rank[np.maximum(before, 0)], t_safe)
        gen_rows = np.flatnonzero(gen_ok)
        bank_afmt = np.concatenate([self.afmt, afmt[gen_rows]])
        table_bad = is_mm & (status == _OK) & (bank_afmt[ver] != afmt)
        status[table_bad] = _TABLE_INVALID

        bank = np.empty((T + gen_rows.size, cfg.M, TABLE_ENTRIES), dtype=np.int64)
        bank[:T] = self.tables
        if gen_rows.size:
            act = activations_batch(batch.a[gen_rows], afmt[gen_rows], cfg)
            bank[T:] = act @ SIGNS.T
            if self._has_fp:
                fp_gen = _IS_FP[afmt[gen_rows]]
                if fp_gen.any():  # overwrite the FP versions: integer sums of bit patterns
                    fp_rows = gen_rows[fp_gen]
                    bank[T + np.flatnonzero(fp_gen)] = fp_tables_batch(
                        batch.a[fp_rows], afmt[fp_rows], cfg
                    )

        mm_ok = is_mm & (status == _OK)
        mm_rows = np.flatnonzero(mm_ok)
        d = np.empty((n, cfg.M * cfg.N), dtype=np.int32)
        d[~mm_ok] = 0
        if mm_rows.size:
            fp_mm = _IS_FP[afmt[mm_rows]] if self._has_fp else None
            if fp_mm is None or not fp_mm.any():
                d[mm_rows] = self._lmma(bank, ver[mm_rows], batch, mm_rows, wbits[mm_rows])
            else:
                run_fp = self._lmma_fp_mac if cfg.core == "mac" else self._lmma_fp
                if cfg.fp_acc != FpAcc.FP32:
                    run_fp = self._lmma_fp16_mac if cfg.core == "mac" else self._lmma_fp16
                for rows, run in ((mm_rows[~fp_mm], self._lmma), (mm_rows[fp_mm], run_fp)):
                    if rows.size:
                        d[rows] = run(bank, ver[rows], batch, rows, wbits[rows])

        for t in np.flatnonzero(final >= 0):
            self.afmt[t] = afmt[final[t]]
            self.tables[t] = bank[T + rank[final[t]]]
        return BatchResponse(field("tag").astype(np.uint8), status.astype(np.uint8), d)

    def _lmma(
        self, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """Lookup, conditional negation, plane shift, wrap-accumulate onto C (models.lmma).

        Each table version gets a 17-entry view per row: entries 0-7 as stored,
        8-15 negated (so the 4-bit code indexes it directly, neg = code[3]), 16
        zero for the planes >= b the hardware ignores. One flat gather per
        plane then replaces the per-lane ``lut_lookup``.
        """
        cfg = self.cfg
        n_rows, m, n = len(rows), cfg.M, cfg.N
        width = 2 * TABLE_ENTRIES + 1
        planes = int(b.max())
        view = np.zeros((len(bank), m, width), dtype=np.int32)
        view[:, :, :TABLE_ENTRIES] = bank
        view[:, :, TABLE_ENTRIES : 2 * TABLE_ENTRIES] = -bank
        flat = view.reshape(-1)
        base = (
            ver.astype(np.int32)[:, None, None] * m + np.arange(m, dtype=np.int32)[None, :, None]
        ) * width
        w_planes = batch.w[rows][:, : (planes * n + 1) // 2]  # only the planes in use
        codes = unpack_codes_batch(w_planes, cfg, planes)  # [L, P, N]
        acc = None  # |acc| < 2^(TABLE_W + 8): no overflow in int32
        for p in range(planes):
            code = codes[:, p]
            if p >= b.min():
                code = np.where((p < b)[:, None], code, 2 * TABLE_ENTRIES)
            v = np.take(flat, base + code[:, None, :], mode="clip")
            if acc is None:
                acc = v  # no np.zeros: calloc'd pages fault in on first touch
            else:
                v <<= p
                acc += v
        c = np.ascontiguousarray(batch.c[rows]).view("<u4")
        return (c + acc.reshape(n_rows, -1).view(np.uint32)).view(np.int32)  # INT32 wrap

    def _lmma_fp(
        self, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """FP LMMA (docs section 10): ``acc = C``, then ``acc = RNE(acc + term_i)``, i < b.

        Same gather as :meth:`_lmma`, on binary32 patterns: per plane ``p`` a
        17-entry view per table row holds ``entry * 2^p`` (0-7), its sign-flipped
        copy (8-15: the contract's negation flips the sign bit only, and
        ``(-e) * 2^p == -(e * 2^p)`` exactly, overflow included) and -0.0 (16)
        for lanes with ``p >= b``. Adding -0.0 leaves every accumulator value
        unchanged, a -0 C included (adding +0 would turn it into +0), so the
        inactive planes need no mask. One float32 addition per plane, in plane
        order: numpy element-wise float32 is IEEE binary32 with RNE.
        """
        cfg = self.cfg
        n_rows, m, n = len(rows), cfg.M, cfg.N
        width = 2 * TABLE_ENTRIES + 1
        planes = int(b.max())
        tab = bank.astype(np.uint32).view(np.float32)  # [V, M, 8]
        view = np.empty((len(bank), m, width), dtype=np.float32)
        view[:, :, 2 * TABLE_ENTRIES] = np.uint32(_NEG_ZERO).view(np.float32)
        base = (ver[:, None, None] * m + np.arange(m)[None, :, None]) * width
        w_planes = batch.w[rows][:, : (planes * n + 1) // 2]
        codes = unpack_codes_batch(w_planes, cfg, planes)  # [L, P, N]
        acc = np.ascontiguousarray(batch.c[rows]).view("<f4").reshape(n_rows, m, n).copy()
        with np.errstate(over="ignore", invalid="ignore"):
            for p in range(planes):
                np.multiply(tab, np.float32(2.0**p), out=view[:, :, :TABLE_ENTRIES])
                np.negative(view[:, :, :TABLE_ENTRIES], out=view[:, :, TABLE_ENTRIES:-1])
                code = codes[:, p]
                if p >= b.min():
                    code = np.where((p < b)[:, None], code, 2 * TABLE_ENTRIES)
                acc += np.take(view.reshape(-1), base + code[:, None, :])
        return fp.bits(acc).reshape(n_rows, -1).view(np.int32)

    def _lmma_fp16(
        self, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """FP LMMA on a binary16 instance (``fp16.lmma``), for every row at once.

        The lanes with ``p >= b`` keep their accumulator by a mask, not by
        adding -0: under FTZ that addition would flush a subnormal C.
        """
        cfg = self.cfg
        n_rows, m, n = len(rows), cfg.M, cfg.N
        ftz = cfg.fp_acc == FpAcc.FP16_FTZ
        planes = int(b.max())
        tab = bank[ver].astype(np.uint16).view(np.float16)  # [L, M, 8]
        codes = unpack_codes_batch(batch.w[rows][:, : (planes * n + 1) // 2], cfg, planes)
        c = np.ascontiguousarray(batch.c[rows]).view("<u4").reshape(n_rows, m, n)
        acc = (c & 0xFFFF).astype(np.uint16).view(np.float16)
        for p in range(planes):
            code = codes[:, p].astype(np.int64)  # [L, N]
            sel = np.broadcast_to((code & 7)[:, None, :], (n_rows, m, n))
            entry = np.take_along_axis(tab, sel, axis=2)
            t = fp16.term(entry, ((code >> 3) & 1).astype(bool)[:, None, :], p)
            acc = np.where((p < b)[:, None, None], fp16.add(acc, t, ftz), acc)
        return fp16.bits16(acc).astype(np.uint32).reshape(n_rows, -1).view(np.int32)

    def _lmma_fp16_mac(
        self, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """FP LMMA on a binary16 MAC core (``fp16.mac_lmma``), for every row at once."""
        cfg = self.cfg
        n_rows = len(rows)
        acts = bank[ver][:, :, :K].astype(np.uint16).view(np.float16)  # [L, M, K]
        w = dequantize_batch(batch.w[rows], b, cfg)
        c = np.ascontiguousarray(batch.c[rows]).view("<u4").reshape(n_rows, cfg.M, cfg.N)
        c16 = (c & 0xFFFF).astype(np.uint16).view(np.float16)
        d = fp16.mac_sums(acts, w, c16, cfg.fp_acc == FpAcc.FP16_FTZ).d
        return fp16.bits16(d).astype(np.uint32).reshape(n_rows, -1).view(np.int32)

    def _lmma_fp_mac(
        self, bank: np.ndarray, ver: np.ndarray, batch: Batch, rows: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """FP LMMA on the MAC core (``fp.mac_fp_lmma``), for every row at once.

        ``w`` (:func:`dequantize_batch`) is exact in float32 and so are the
        products (or they overflow to infinity), then the additions in the
        contract's order, element-wise.
        """
        cfg = self.cfg
        n_rows = len(rows)
        acts = bank[ver][:, :, :K].astype(np.uint32).view(np.float32)  # [L, M, K]
        w = dequantize_batch(batch.w[rows], b, cfg).astype(np.float32)
        c = np.ascontiguousarray(batch.c[rows]).view("<f4").reshape(n_rows, cfg.M, cfg.N)
        return fp.bits(fp.mac_fp_sums(acts, w, c).d).reshape(n_rows, -1).view(np.int32)
