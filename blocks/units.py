# SPDX-License-Identifier: Apache-2.0
"""The FP blocks under the block harness: what each one's vectors and build need.

One table (:data:`UNITS`) says, per unit, which RTL block it is, the harness
top around it (``blocks/sv/<unit>_tb.sv`` over the shared checker
``blocks/sv/fp_block_check.sv``), the vector files' magic word, the prefix and
input names of its output lines, its planted bugs, the vector sets it has and
the block parameters its harness gives the block (what a netlist of the block
is synthesized with). Plain data, no numpy, so ``tools/lint.py`` reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flow.simrun import RTL

SV = Path(__file__).resolve().parent / "sv"
#: The vector loop every unit's harness top instantiates.
CHECKER = SV / "fp_block_check.sv"
#: The scaler's default MaxShift (rtl/lut_fp32_pow2.sv): planes 0..7 of an 8-bit weight.
DEFAULT_MAX_SHIFT = 7
#: The multiplier's magnitude width in its harness: 8-bit weight magnitudes.
FMUL_MAG_W = 8
#: The adder's parameters for binary16 (its default is binary32).
FP16_ADD = {"ExpW": 5, "FracW": 10, "Ftz": 0}
#: The adder's units: binary32, binary16 IEEE, binary16 flush-to-zero.
ADDERS = ("fpadd", "fpadd16", "fpadd16z")
#: The multiplier's parameters for the binary16 MAC (its default is binary32, exact).
FP16_MUL = {"SigW": 11, "MagW": 8, "ExpW": 5, "FracW": 10, "Ftz": 0}
#: The binary16 units (tests/rtl/test_fp16_add.py, test_fp16_pow2.py, test_fp16_mul.py).
BINARY16 = ("fpadd16", "fpadd16z", "fpow2h", "fmul16", "fmul16z")


@dataclass(frozen=True)
class Unit:
    """One FP block under test: its harness, file format and planted bugs."""

    name: str
    block: str  #: the RTL module (and ``rtl/<block>.sv``)
    magic: int  #: meta.hex word 0
    prefix: str  #: of the harness's output lines
    bugs: tuple[str, ...]
    kinds: tuple[str, ...]  #: the vector sets :func:`blocks.vectors.vector_set` makes
    operands: tuple[str, str] = ("in0", "in1")  #: input names in the mismatch lines
    default_max_vec: int = 1 << 19
    block_params: dict[str, int] = field(default_factory=dict)  #: the harness's, of the block

    @property
    def top(self) -> str:
        """The harness top module."""
        return f"{self.name}_tb"

    @property
    def rtl(self) -> Path:
        return RTL / f"{self.block}.sv"

    @property
    def harness(self) -> tuple[Path, Path]:
        """The harness sources, compiled after the block's (RTL or netlist)."""
        return (CHECKER, SV / f"{self.top}.sv")


UNITS: dict[str, Unit] = {
    "fpadd": Unit(
        "fpadd",
        "lut_fp32_add",
        0x46414444,  # "FADD"
        "FPADD",
        ("LUT_TC_BUG_FP_RTZ", "LUT_TC_BUG_FP_FTZ"),
        ("corners", "random"),
        operands=("a", "b"),
        default_max_vec=1 << 20,  # one build takes the corners and 10^6 random pairs
    ),
    # The binary16 instances of the same adder (the FP16-accumulate datapath), IEEE and FTZ.
    "fpadd16": Unit(
        "fpadd16",
        "lut_fp32_add",
        0x46414448,  # "FADH"
        "FPADD16",
        ("LUT_TC_BUG_FP16_TRUNC",),
        ("corners", "random"),
        operands=("a", "b"),
        block_params=FP16_ADD,
    ),
    "fpadd16z": Unit(
        "fpadd16z",
        "lut_fp32_add",
        0x4641445A,  # "FADZ"
        "FPADD16Z",
        ("LUT_TC_BUG_FP16_TRUNC",),
        ("corners", "random"),
        operands=("a", "b"),
        block_params={**FP16_ADD, "Ftz": 1},
    ),
    "fcvt": Unit(
        "fcvt",
        "lut_fp_to_f32",
        0x46435654,  # "FCVT"
        "FCVT",
        ("LUT_TC_BUG_FP_SUBNORMAL_IN",),
        ("exhaustive", "sample"),
    ),
    "fpow2": Unit(
        "fpow2",
        "lut_fp32_pow2",
        0x46505732,  # "FPW2"
        "FPOW2",
        ("LUT_TC_BUG_FP_POW2_FTZ",),
        ("corners", "random"),
        block_params={"MaxShift": DEFAULT_MAX_SHIFT},
    ),
    # The scaler at binary16 (the FP16-accumulate datapath's plane term).
    "fpow2h": Unit(
        "fpow2h",
        "lut_fp32_pow2",
        0x46505748,  # "FPWH"
        "FPOW2H",
        ("LUT_TC_BUG_FP_POW2_FTZ",),
        ("exhaustive", "sample"),
        default_max_vec=1 << 20,  # every pattern at every shift, both negations
        block_params={"MaxShift": DEFAULT_MAX_SHIFT, "ExpW": 5, "FracW": 10},
    ),
    "fmul": Unit(
        "fmul",
        "mac_fp_mul",
        0x464D554C,  # "FMUL"
        "FMUL",
        ("LUT_TC_BUG_FP_MUL_FTZ",),
        ("corners", "random"),
        block_params={"SigW": 11, "MagW": FMUL_MAG_W},
    ),
    # The binary16 MAC's product, rounded once (IEEE; FTZ: a subnormal x reads as zero,
    # so the planted bug, which flushes it, changes nothing there).
    "fmul16": Unit(
        "fmul16",
        "mac_fp_mul",
        0x464D4C48,  # "FMLH"
        "FMUL16",
        ("LUT_TC_BUG_FP_MUL_FTZ",),
        ("sample", "random"),
        block_params=FP16_MUL,
    ),
    "fmul16z": Unit(
        "fmul16z",
        "mac_fp_mul",
        0x464D4C5A,  # "FMLZ"
        "FMUL16Z",
        (),
        ("sample", "random"),
        block_params={**FP16_MUL, "Ftz": 1},
    ),
}


def check_unit(unit: str) -> Unit:
    """The :class:`Unit` named ``unit``; ValueError naming the known ones."""
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r} unknown; choose one of {sorted(UNITS)}")
    return UNITS[unit]
