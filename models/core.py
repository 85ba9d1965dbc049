# SPDX-License-Identifier: Apache-2.0
"""Transaction-level model of ``lut_tensor_core``: one call per instruction.

It sees exactly what the RTL ports carry (instruction word and bus ints) and
answers what ``out_tag_o``/``out_status_o``/``out_d_o`` must show, so the
testbench predictor is this class and nothing else.

Integer formats follow docs sections 1-2 (``models.tables``, ``models.lmma``),
FP formats the contract of docs section 10 (``models.fp``), on the MAC core
its own (``fp.mac_fp_lmma``, section 11), on a binary16 instance
(``cfg.fp_acc``) the binary16 one (``models.fp16``); which formats exist is
``cfg.formats``, as in the RTL's ``Formats`` parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import fp, fp16
from models.config import DEFAULT, FP_AFMTS, AFmt, CoreConfig, FpAcc, Opcode, Status
from models.encoding import check_word, unpack_codes
from models.isa import Instr, decode
from models.lmma import lmma, unpack_c
from models.tables import make_tables, unpack_a, unpack_lanes


@dataclass(eq=False)
class Response:
    """One response: ``d`` is int64 ``[M, N]``, zeros unless an OK LMMA.

    ``d`` holds each 32-bit ``out_d_o`` lane as a signed int32 value: the INT32
    result for an integer LMMA, the binary32 bit pattern read as int32 for an
    FP one (``d.astype(np.int32).view(np.uint32)`` gives the patterns back).
    One representation for both keeps ``lmma.pack_c(d)`` the bus image and
    makes ``d`` equal, lane for lane, to ``BatchResponse.d``.
    """

    tag: int
    status: Status
    d: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        return (
            self.tag == other.tag
            and self.status == other.status
            and np.array_equal(self.d, other.d)
        )


class CoreModel:
    """Table registers plus the status rules of docs section 6.

    ``tables[t]`` is ``None`` (invalid) or ``(afmt, entries [M, 8])``: int64
    entries for an integer format, float32 (binary32) ones for an FP format,
    float16 ones on a binary16 instance (``cfg.fp_acc``).
    On the MAC core an FP register holds what that core keeps, the
    activations as float32 ``[M, 4]``; its integer D equals the tables'.
    """

    def __init__(self, cfg: CoreConfig = DEFAULT) -> None:
        self.cfg = cfg
        self.tables: list[tuple[AFmt, np.ndarray] | None] = []
        self.reset()

    def reset(self) -> None:
        """Like ``rst_ni``: every table register invalid."""
        self.tables = [None] * self.cfg.T

    def check(self, word: int) -> Status:
        """The status ``word`` gets now; the first rule that applies wins, as in the RTL."""
        i = decode(word)
        return self._status(i)

    def _status(self, i: Instr) -> Status:
        is_lutgen, is_lmma = i.opcode == Opcode.LUTGEN, i.opcode == Opcode.LMMA
        if not (is_lutgen or is_lmma) or i.rsvd != 0:
            return Status.ILLEGAL_INSTR
        if is_lutgen and (i.wbits != 0 or i.accfmt != 0):
            return Status.ILLEGAL_INSTR
        if not self.cfg.builds(i.afmt):  # reserved codes 6..15 included
            return Status.UNSUPPORTED
        if is_lmma and not (
            1 <= i.wbits <= self.cfg.W_BITS_MAX and i.accfmt == self.cfg.accfmt_of(i.afmt)
        ):
            return Status.UNSUPPORTED
        if i.treg >= self.cfg.T:
            return Status.TREG_RANGE
        if is_lmma:
            entry = self.tables[i.treg]
            if entry is None or entry[0] != i.afmt:
                return Status.TABLE_INVALID
        return Status.OK

    def step(self, word: int, a_bus: int = 0, w_bus: int = 0, c_bus: int = 0) -> Response:
        """Execute one instruction with its payload; an error response changes no state."""
        cfg = self.cfg
        a_bus = check_word(a_bus, "a_bus", cfg.a_bits)
        w_bus = check_word(w_bus, "w_bus", cfg.w_bits)
        c_bus = check_word(c_bus, "c_bus", cfg.c_bits)
        i = decode(word)
        status = self._status(i)
        d = np.zeros((cfg.M, cfg.N), dtype=np.int64)
        if status == Status.OK:
            afmt = AFmt(i.afmt)
            if i.opcode == Opcode.LUTGEN:
                self.tables[i.treg] = (afmt, self._tables(a_bus, afmt))
            else:
                entry = self.tables[i.treg]
                assert entry is not None
                codes = unpack_codes(w_bus, i.wbits, cfg)
                c = unpack_c(c_bus, cfg)  # signed int32 lane values
                if afmt in FP_AFMTS and cfg.fp_acc != FpAcc.FP32:
                    ftz = cfg.fp_acc == FpAcc.FP16_FTZ
                    run16 = fp16.mac_lmma if cfg.core == "mac" else fp16.lmma
                    d = run16(entry[1], codes, c, ftz).astype(np.int64)
                elif afmt in FP_AFMTS:
                    c_bits = c.astype(np.int32).view(np.uint32)
                    run = fp.mac_fp_lmma if cfg.core == "mac" else fp.fp_lmma
                    d = run(entry[1], codes, c_bits).view(np.int32).astype(np.int64)
                else:
                    d = lmma(entry[1], codes, c)
        return Response(i.tag, status, d)

    def _tables(self, a_bus: int, afmt: AFmt) -> np.ndarray:
        """LUTGEN's table register contents for ``in_a_i`` read in format ``afmt``."""
        if afmt in FP_AFMTS and self.cfg.fp_acc != FpAcc.FP32:
            acts16 = fp16.to_f16(unpack_lanes(a_bus, self.cfg), afmt)
            if self.cfg.core == "mac":
                return acts16
            return fp16.tables(acts16, self.cfg.fp_acc == FpAcc.FP16_FTZ)
        if afmt in FP_AFMTS:
            acts = fp.to_f32(unpack_lanes(a_bus, self.cfg), afmt)
            return acts if self.cfg.core == "mac" else fp.fp_tables(acts)
        return make_tables(unpack_a(a_bus, self.cfg, afmt), afmt)
