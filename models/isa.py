# SPDX-License-Identifier: Apache-2.0
"""The 32-bit instruction word (docs section 6).

``encode``/``decode`` are raw: any value that fits its field is accepted, so
tests can build illegal words on purpose. ``lutgen``/``lmma`` are the checked
builders a program should use.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

from models.config import (
    DEFAULT,
    FIELD,
    FIELDS,
    INSTR_W,
    AccFmt,
    AFmt,
    CoreConfig,
    Opcode,
)
from models.encoding import check_int
from models.tables import check_any_afmt


@dataclass(frozen=True)
class Instr:
    """Decoded instruction fields, plain ints (enum members are accepted too)."""

    opcode: int
    treg: int = 0
    afmt: int = 0
    wbits: int = 0
    accfmt: int = 0
    rsvd: int = 0
    tag: int = 0


assert [f.name for f in fields(Instr)] == [f.name for f in FIELDS], "Instr must mirror FIELDS"


def encode(instr: Instr) -> int:
    """Pack the fields per ``config.FIELDS``; ValueError naming any field that does not fit."""
    word = 0
    for f in FIELDS:
        v = getattr(instr, f.name)
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{f.name}={v!r} must be an integer")
        if not 0 <= v <= f.mask:
            raise ValueError(f"{f.name}={v} does not fit {f.width} bits")
        word |= int(v) << f.lsb
    return word


def decode(word: int) -> Instr:
    """Split a word into fields; ValueError if it is not a 32-bit unsigned value."""
    ok = isinstance(word, (int, np.integer)) and not isinstance(word, (bool, np.bool_))
    if not ok or not 0 <= word < 1 << INSTR_W:
        raise ValueError(f"word={word!r} is not in [0, 2^{INSTR_W})")
    word = int(word)
    return Instr(**{f.name: (word >> f.lsb) & f.mask for f in FIELDS})


def _check_tag(tag: int) -> int:
    return check_int(tag, "tag", 0, FIELD["tag"].mask)


def _check_treg(treg: int, cfg: CoreConfig) -> int:
    return check_int(treg, "treg", 0, cfg.T - 1)


def _check_afmt(afmt: object, cfg: CoreConfig) -> AFmt:
    """``afmt`` as a format that ``cfg`` builds; ValueError naming ``afmt`` otherwise.

    Refused like too many weight bits: the instance would only answer UNSUPPORTED.
    """
    fmt = check_any_afmt(afmt)
    if not cfg.builds(fmt):
        built = ", ".join(f.name for f in cfg.afmts)
        raise ValueError(f"afmt={fmt.name} is not built by {cfg.name}; it builds {built}")
    return fmt


def lutgen(treg: int, afmt: AFmt, tag: int = 0, cfg: CoreConfig = DEFAULT) -> int:
    """``LUTGEN treg, afmt``: table register ``treg`` <- tables of ``in_a_i``.

    ``afmt`` may be any format ``cfg`` builds (``cfg.formats``), integer or FP.
    """
    return encode(
        Instr(Opcode.LUTGEN, _check_treg(treg, cfg), _check_afmt(afmt, cfg), tag=_check_tag(tag))
    )


def lmma(
    treg: int,
    afmt: AFmt,
    wbits: int,
    tag: int = 0,
    accfmt: AccFmt | None = None,
    cfg: CoreConfig = DEFAULT,
) -> int:
    """``LMMA treg, afmt, wbits, accfmt``: ``D = C + lookups`` over ``wbits`` planes.

    Each activation format has exactly one accumulator format (INT32 for the
    integer formats, FP32 for the FP ones or FP16 on a binary16 instance,
    ``CoreConfig.accfmt_of``), so ``accfmt``
    defaults to it; any other value is refused, as the core would answer
    UNSUPPORTED.
    """
    fmt = _check_afmt(afmt, cfg)
    need = cfg.accfmt_of(fmt)
    if accfmt is None:
        acc = need
    else:
        try:
            acc = AccFmt(accfmt)
        except ValueError:
            acc = None
        if acc != need:
            shown = accfmt.name if isinstance(accfmt, AccFmt) else repr(accfmt)
            raise ValueError(f"accfmt={shown} unsupported with afmt={fmt.name}; use {need.name}")
    return encode(
        Instr(
            Opcode.LMMA,
            _check_treg(treg, cfg),
            fmt,
            check_int(wbits, "wbits", 1, cfg.W_BITS_MAX),
            acc,
            tag=_check_tag(tag),
        )
    )


def _name(kind: type[IntEnum], value: int) -> str:
    try:
        return kind(value).name.lower()
    except ValueError:
        return f"?{value}"


def disasm(word: int) -> str:
    """One line for logs, e.g. ``lmma t1, int8, w2, acc=int32, tag=5``; odd fields shown raw."""
    i = decode(word)
    if i.opcode == Opcode.LUTGEN:
        text = f"lutgen t{i.treg}, {_name(AFmt, i.afmt)}"
        extra = [f"{n}={getattr(i, n)}" for n in ("wbits", "accfmt") if getattr(i, n)]
    elif i.opcode == Opcode.LMMA:
        text = f"lmma t{i.treg}, {_name(AFmt, i.afmt)}, w{i.wbits}, acc={_name(AccFmt, i.accfmt)}"
        extra = []
    else:
        text = f"illegal opcode={i.opcode} t{i.treg}, afmt={i.afmt}, w{i.wbits}, acc={i.accfmt}"
        extra = []
    if i.rsvd:
        extra.append(f"rsvd={i.rsvd}")
    return ", ".join([text, *extra, f"tag={i.tag}"])
