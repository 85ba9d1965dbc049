# SPDX-License-Identifier: Apache-2.0
"""Instruction word: raw encode/decode, validated builders, disassembly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import isa
from models.config import CONFIGS, FIELDS, AccFmt, AFmt, CoreConfig, Opcode
from models.isa import Instr, decode, disasm, encode

instrs = st.builds(Instr, **{f.name: st.integers(0, f.mask) for f in FIELDS})


@given(instrs)
def test_encode_decode_round_trip(i: Instr) -> None:
    word = encode(i)
    assert 0 <= word < 1 << 32
    assert decode(word) == i


@given(st.integers(0, 2**32 - 1))
def test_decode_encode_round_trip(word: int) -> None:
    assert encode(decode(word)) == word


def test_field_positions() -> None:
    """docs section 6, LSB first: opcode treg afmt wbits accfmt rsvd (4 bits each), tag (8)."""
    i = Instr(opcode=0x1, treg=0x2, afmt=0x3, wbits=0x4, accfmt=0x5, rsvd=0x6, tag=0x78)
    assert encode(i) == 0x78654321


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.name)
def test_encode_names_the_field_that_does_not_fit(f) -> None:  # type: ignore[no-untyped-def]
    too_big = Instr(**{"opcode": 1, f.name: f.mask + 1})
    with pytest.raises(ValueError, match=rf"^{f.name}={f.mask + 1} does not fit {f.width} bits$"):
        encode(too_big)
    with pytest.raises(ValueError, match=rf"^{f.name}=-1 "):
        encode(Instr(**{"opcode": 1, f.name: -1}))


def test_encode_message_example() -> None:
    with pytest.raises(ValueError, match=r"tag=300 does not fit 8 bits"):
        encode(Instr(opcode=1, tag=300))


@pytest.mark.parametrize("word", [-1, 2**32, 1.0, "1", True])
def test_decode_rejects_non_words(word: object) -> None:
    with pytest.raises(ValueError, match=r"^word="):
        decode(word)  # type: ignore[arg-type]


def test_raw_encode_allows_illegal_but_representable() -> None:
    word = encode(Instr(opcode=0xF, treg=15, afmt=AFmt.FP16, wbits=0, accfmt=3, rsvd=9, tag=1))
    assert decode(word).rsvd == 9


@given(
    cfg=st.sampled_from([*CONFIGS.values(), CoreConfig(M=2, N=4, formats=0b001001)]),
    tag=st.integers(0, 255),
    data=st.data(),
)
def test_builders_produce_the_documented_fields(
    cfg: CoreConfig, tag: int, data: st.DataObject
) -> None:
    afmt = data.draw(st.sampled_from(cfg.afmts))
    treg = data.draw(st.integers(0, cfg.T - 1))
    wbits = data.draw(st.integers(1, cfg.W_BITS_MAX))
    acc = cfg.accfmt_of(afmt)
    assert decode(isa.lutgen(treg, afmt, tag, cfg)) == Instr(Opcode.LUTGEN, treg, afmt, tag=tag)
    want = Instr(Opcode.LMMA, treg, afmt, wbits, acc, tag=tag)
    assert decode(isa.lmma(treg, afmt, wbits, tag, cfg=cfg)) == want, "accfmt follows afmt"
    assert decode(isa.lmma(treg, afmt, wbits, tag, acc, cfg)) == want


W8 = CONFIGS["M2N4W8"]
FP = CONFIGS["M2N4FP"]
FP16_ONLY = CoreConfig(M=2, N=4, formats=0b001001)  # INT8 and FP16


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: isa.lutgen(4, AFmt.INT8), "treg"),
        (lambda: isa.lutgen(-1, AFmt.INT8), "treg"),
        (lambda: isa.lutgen(2, AFmt.INT8, cfg=CoreConfig(T=2)), "treg"),
        (lambda: isa.lutgen(0, AFmt.FP8_E4M3), "afmt"),
        (lambda: isa.lutgen(0, AFmt.FP16), "afmt"),
        (lambda: isa.lutgen(0, 9), "afmt"),  # type: ignore[arg-type]
        (lambda: isa.lutgen(0, AFmt.INT8, tag=256), "tag"),
        (lambda: isa.lutgen(0, AFmt.INT8, tag=-1), "tag"),
        (lambda: isa.lmma(0, AFmt.INT8, 0), "wbits"),
        (lambda: isa.lmma(0, AFmt.INT8, 5), "wbits"),
        (lambda: isa.lmma(0, AFmt.INT8, 9, cfg=W8), "wbits"),
        (lambda: isa.lmma(0, AFmt.INT8, 2, accfmt=1), "accfmt"),  # type: ignore[arg-type]
        (lambda: isa.lmma(4, AFmt.INT8, 2), "treg"),
        (lambda: isa.lmma(0, AFmt.FP8_E4M3, 2), "afmt"),
        (lambda: isa.lutgen(0, AFmt.BF16, cfg=FP16_ONLY), "afmt"),
        (lambda: isa.lutgen(0, AFmt.INT16, cfg=FP16_ONLY), "afmt"),
        (lambda: isa.lmma(0, AFmt.FP8_E5M2, 2, cfg=FP16_ONLY), "afmt"),
        (lambda: isa.lutgen(0, 6, cfg=FP), "afmt"),  # type: ignore[arg-type]
        (lambda: isa.lmma(0, AFmt.FP16, 2, accfmt=AccFmt.INT32, cfg=FP), "accfmt"),
        (lambda: isa.lmma(0, AFmt.INT16, 2, accfmt=AccFmt.FP32, cfg=FP), "accfmt"),
        (lambda: isa.lmma(0, AFmt.BF16, 2, accfmt=2, cfg=FP), "accfmt"),  # type: ignore[arg-type]
        (lambda: isa.lmma(0, AFmt.FP16, 5, cfg=FP), "wbits"),
        (lambda: isa.lmma(0, AFmt.INT8, 2, tag=999), "tag"),
    ],
)
def test_builders_validate(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_builder_messages_name_the_valid_choice() -> None:
    with pytest.raises(ValueError, match=r"^accfmt=INT32 unsupported with afmt=FP16; use FP32$"):
        isa.lmma(0, AFmt.FP16, 2, accfmt=AccFmt.INT32, cfg=FP)
    with pytest.raises(ValueError, match=r"^accfmt=7 unsupported with afmt=INT8; use INT32$"):
        isa.lmma(0, AFmt.INT8, 2, accfmt=7)  # type: ignore[arg-type]
    built = r"^afmt=BF16 is not built by M2N4T4W4F09; it builds INT8, FP16$"
    with pytest.raises(ValueError, match=built):
        isa.lutgen(0, AFmt.BF16, cfg=FP16_ONLY)


def test_w8_builder_accepts_eight_bits() -> None:
    assert decode(isa.lmma(0, AFmt.INT16, 8, cfg=W8)).wbits == 8


def test_disasm() -> None:
    assert disasm(isa.lmma(1, AFmt.INT8, 2, tag=5)) == "lmma t1, int8, w2, acc=int32, tag=5"
    assert disasm(isa.lutgen(3, AFmt.INT16, tag=7)) == "lutgen t3, int16, tag=7"
    bad = encode(Instr(opcode=7, treg=2, afmt=1, rsvd=3, tag=9))
    assert disasm(bad) == "illegal opcode=7 t2, afmt=1, w0, acc=0, rsvd=3, tag=9"
    assert disasm(encode(Instr(opcode=1, afmt=9, wbits=2))) == "lutgen t0, ?9, wbits=2, tag=0"
    assert disasm(isa.lmma(1, AFmt.FP16, 3, tag=2, cfg=FP)) == "lmma t1, fp16, w3, acc=fp32, tag=2"
    assert disasm(isa.lutgen(0, AFmt.FP8_E4M3, cfg=FP)) == "lutgen t0, fp8_e4m3, tag=0"
    assert disasm(isa.lutgen(2, AFmt.BF16, cfg=FP)) == "lutgen t2, bf16, tag=0"
    odd = encode(Instr(opcode=2, afmt=AFmt.FP8_E5M2, wbits=1, accfmt=0))
    assert disasm(odd) == "lmma t0, fp8_e5m2, w1, acc=int32, tag=0"


@given(st.integers(0, 2**32 - 1))
def test_disasm_total(word: int) -> None:
    assert disasm(word).endswith(f"tag={word >> 24}")
