# SPDX-License-Identifier: Apache-2.0
"""The single source of truth for array shape, widths and encodings.

The RTL package ``rtl/lut_tc_pkg.sv`` is generated from this module
(``python -m models.gen_pkg``) and a test fails if the committed package
drifts. Array-shape parameters (M, N, T, W_BITS_MAX) reach the RTL as module
parameters, taken from a :class:`CoreConfig` by the test runners.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

# --- fixed by the algorithm -------------------------------------------------
K = 4  #: activations per table group (the paper's K)
TABLE_ENTRIES = 1 << (K - 1)  #: symmetrized table: 8 stored entries
CODE_BITS = K  #: one weight code = {negate, 3-bit entry select}
ACT_LANE_BITS = 16  #: every activation lane on the bus is 16 bits wide
TABLE_W = 19  #: signed table entry width: |sum of 4 INT16| <= 2^17
#: ... in an instance that builds INT8 as its only integer format: sums of 4 INT8
#: lie in [-512, 508]. Internal to the RTL (the buses and the model do not change).
TABLE_W_INT8 = 10
ACC_W = 32  #: INT32 accumulator, two's-complement wrap
FP_W = 32  #: binary32: FP table entries and the FP32 accumulator

# --- instruction word -------------------------------------------------------
INSTR_W = 32


@dataclass(frozen=True)
class Field:
    """A bit field of the instruction word."""

    name: str
    lsb: int
    width: int

    @property
    def mask(self) -> int:
        return (1 << self.width) - 1


#: Instruction word layout, LSB first. ``rsvd`` must be zero.
FIELDS: tuple[Field, ...] = (
    Field("opcode", 0, 4),
    Field("treg", 4, 4),
    Field("afmt", 8, 4),
    Field("wbits", 12, 4),
    Field("accfmt", 16, 4),
    Field("rsvd", 20, 4),
    Field("tag", 24, 8),
)
FIELD = {f.name: f for f in FIELDS}
TAG_W = FIELD["tag"].width


class Opcode(enum.IntEnum):
    LUTGEN = 0x1
    LMMA = 0x2


class AFmt(enum.IntEnum):
    """Activation formats (docs/architecture.md sections 6 and 10).

    The FP formats are defined by the FP contract (``models.fp``); a core
    instance answers UNSUPPORTED for every format it does not build.
    """

    INT8 = 0x0
    INT16 = 0x1
    FP8_E4M3 = 0x2  #: OCP "fn": no infinities, max 448, NaN = S.1111.111
    FP16 = 0x3
    BF16 = 0x4
    FP8_E5M2 = 0x5


class AccFmt(enum.IntEnum):
    INT32 = 0x0
    FP32 = 0x1
    FP16 = 0x2  #: binary16 in bits [15:0] of each C and D lane; an FpAcc.FP16* instance only


class FpAcc(enum.IntEnum):
    """The FP datapath's number format, an instance parameter (docs section 10).

    FP32: binary32 tables and accumulator, the FP LMMA's ``accfmt`` is FP32.
    FP16 and FP16_FTZ: binary16 tables and accumulator, ``accfmt`` FP16 (the
    paper's FP16-accumulate datapath; on the MAC core binary16 products and
    sums); FP16_FTZ reads every subnormal operand of an addition (and of a MAC
    product) as a zero and flushes every subnormal sum to a zero (``models.fp16``).
    """

    FP32 = 0
    FP16 = 1
    FP16_FTZ = 2


class Status(enum.IntEnum):
    """Response status; when several apply, the lowest non-OK value wins."""

    OK = 0x0
    ILLEGAL_INSTR = 0x1  #: unknown opcode, or a reserved/unused field non-zero
    UNSUPPORTED = 0x2  #: activation format, weight bits or accumulator format
    TREG_RANGE = 0x3  #: table register index >= T
    TABLE_INVALID = 0x4  #: table never written, or written with another format


STATUS_W = 4
#: The integer activation formats, with their bit widths.
INT_AFMT_BITS = {AFmt.INT8: 8, AFmt.INT16: 16}
#: The floating-point activation formats (contract: ``models.fp``).
FP_AFMTS = (AFmt.FP8_E4M3, AFmt.FP16, AFmt.BF16, AFmt.FP8_E5M2)
#: The accumulator format each activation format needs on LMMA.
ACCFMT_OF = {**{f: AccFmt.INT32 for f in INT_AFMT_BITS}, **{f: AccFmt.FP32 for f in FP_AFMTS}}
#: The FP formats a binary16 datapath builds: those that embed in binary16 exactly (BF16 does not).
FP16_ACC_AFMTS = (AFmt.FP8_E4M3, AFmt.FP16, AFmt.FP8_E5M2)


class CoreKind(enum.IntEnum):
    """Which core answers the instruction set (the RTL's ``Core`` parameter).

    All three have the same ports and instructions and give the same integer
    D (docs/architecture.md section 11); they differ in how they compute it,
    in latency and in area. The MAC core's FP D follows its own order of
    roundings (``models.fp.mac_fp_lmma``).
    """

    LUT_TC = 0  #: the LUT Tensor Core: one 8-entry table per row, broadcast
    LUT_CONV = 1  #: conventional LUT: a 16-entry table generator in every unit
    MAC = 2  #: dequantize the weights, multiply-accumulate, one LMMA per cycle


#: Core names as the command line and suites spell them.
CORES = {k.name.lower(): k for k in CoreKind}
DEFAULT_CORE = "lut_tc"


def formats_mask(afmts: object) -> int:
    """Activation formats -> the ``Formats`` bit mask (bit k: format k built)."""
    return sum(1 << int(AFmt(f)) for f in set(afmts))  # type: ignore[call-overload]


#: ``Formats`` of the integer-only core (the default build) and of the full one.
INT_FORMATS = formats_mask(INT_AFMT_BITS)
ALL_FORMATS = formats_mask(AFmt)
#: The formats each core kind can build.
CORE_FORMATS = {"lut_tc": ALL_FORMATS, "lut_conv": INT_FORMATS, "mac": ALL_FORMATS}


def check_core(core: object) -> str:
    """A core name, else ValueError naming the choices."""
    if not isinstance(core, str) or core not in CORES:
        raise ValueError(f"core={core!r} unknown; choose one of {', '.join(CORES)}")
    return core


@dataclass(frozen=True)
class CoreConfig:
    """Core kind, array shape and built formats.

    Defaults are the paper's M2 N64 K4 with 4 table registers and the integer
    formats on the LUT Tensor Core. ``formats`` is the RTL's ``Formats`` mask
    over ``afmt`` codes (bit k set: format k is built); every other format
    answers UNSUPPORTED. ``core`` names the RTL's datapath (:data:`CORES`);
    the conventional LUT core builds the integer formats only.
    """

    M: int = 2
    N: int = 64
    T: int = 4
    W_BITS_MAX: int = 4
    formats: int = INT_FORMATS
    core: str = DEFAULT_CORE
    fp_acc: FpAcc = FpAcc.FP32

    def __post_init__(self) -> None:
        for name, lo, hi in (
            ("M", 1, 64),
            ("N", 1, 1024),
            ("T", 1, 16),
            ("W_BITS_MAX", 1, 8),
            ("formats", 1, ALL_FORMATS),
        ):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ValueError(f"{name}={v!r} out of range [{lo}, {hi}]")
        if self.formats & ~CORE_FORMATS[check_core(self.core)]:
            built = ", ".join(f.name for f in AFmt if CORE_FORMATS[self.core] >> f & 1)
            raise ValueError(f"formats=0x{self.formats:02X}: core {self.core} builds {built} only")
        self._check_fp_acc()

    def _check_fp_acc(self) -> None:
        """A binary16 datapath needs an FP format and builds no BF16; both FP cores build it
        (the conventional LUT core builds no FP format, refused by ``formats`` already)."""
        v = self.fp_acc
        if isinstance(v, bool) or v not in list(FpAcc):
            raise ValueError(f"fp_acc={v!r} unknown; choose one of {', '.join(FpAcc.__members__)}")
        object.__setattr__(self, "fp_acc", FpAcc(v))
        if self.fp_acc == FpAcc.FP32:
            return
        name = f"fp_acc={self.fp_acc.name}"
        fmts = formats_mask(FP16_ACC_AFMTS)
        if not self.formats & fmts or self.formats & formats_mask([AFmt.BF16]):
            raise ValueError(
                f"{name} with formats=0x{self.formats:02X}: build one or more of "
                f"{', '.join(f.name for f in FP16_ACC_AFMTS)} and no BF16"
            )

    def accfmt_of(self, afmt: int) -> AccFmt:
        """The ``accfmt`` an LMMA of format ``afmt`` needs on this instance (FP: by ``fp_acc``)."""
        need = ACCFMT_OF[AFmt(afmt)]
        if need == AccFmt.FP32 and self.fp_acc != FpAcc.FP32:
            return AccFmt.FP16
        return need

    def with_core(self, core: str) -> CoreConfig:
        """This shape and these formats on core ``core``."""
        return dataclasses.replace(self, core=check_core(core))

    def fits(self, core: str) -> bool:
        """Whether core ``core`` builds every format of this configuration (the FP cores
        build both FP datapaths, binary32 and binary16)."""
        return not self.formats & ~CORE_FORMATS[check_core(core)]

    def builds(self, afmt: int) -> bool:
        """Whether this instance implements activation format code ``afmt``."""
        return 0 <= afmt < len(AFmt) and bool(self.formats >> afmt & 1)

    @property
    def afmts(self) -> tuple[AFmt, ...]:
        """The activation formats this instance implements, in code order."""
        return tuple(f for f in AFmt if self.builds(f))

    @property
    def has_fp(self) -> bool:
        """Whether any floating-point format is built (the FP datapath exists)."""
        return any(self.builds(f) for f in FP_AFMTS)

    # Bus widths, all derived: the RTL computes the same expressions.
    @property
    def a_bits(self) -> int:
        return self.M * K * ACT_LANE_BITS

    @property
    def w_bits(self) -> int:
        return self.W_BITS_MAX * self.N * CODE_BITS

    @property
    def c_bits(self) -> int:
        return self.M * self.N * ACC_W

    @property
    def shape_name(self) -> str:
        """The shape and formats spelled out: ``M2N4T4W4``, plus ``F`` and the ``Formats``
        mask in hex where it is not the integer pair (``M2N4T4W4F01``)."""
        base = f"M{self.M}N{self.N}T{self.T}W{self.W_BITS_MAX}"
        base = base if self.formats == INT_FORMATS else f"{base}F{self.formats:02X}"
        return base + _FP_ACC_SUFFIX[self.fp_acc]

    @property
    def name(self) -> str:
        """What logs, messages and build folders call this configuration: the name a user
        types (``M2N4I8``) if it is a named one (:data:`CONFIGS`), else :attr:`shape_name`;
        ``<core>_`` in front on a core other than the default (``mac_M2N4FP``)."""
        base = _NAMES.get(self._key(), self.shape_name)
        return base if self.core == DEFAULT_CORE else f"{self.core}_{base}"

    def _key(self) -> tuple[int, ...]:
        return (self.M, self.N, self.T, self.W_BITS_MAX, self.formats, int(self.fp_acc))

    @property
    def kind(self) -> CoreKind:
        return CORES[self.core]

    def lmma_cycles(self, b: int) -> int:
        """Cycles an LMMA of ``b``-bit weights takes from accept to response, and between
        back-to-back LMMAs: ``b`` on the bit-serial cores, 1 on the MAC core (docs
        section 11). LUTGEN and every error response take 1 on all three."""
        return 1 if self.core == "mac" else b

    def rtl_parameters(self) -> dict[str, int]:
        """Module parameters of ``lut_tensor_core`` for this configuration.

        ``FpAcc`` appears only for a binary16 FP datapath (``fp_acc`` other than FP32),
        so every binary32 build is the one it always was.
        """
        params = {
            "M": self.M,
            "N": self.N,
            "T": self.T,
            "WBitsMax": self.W_BITS_MAX,
            "Formats": self.formats,
            "Core": int(self.kind),
        }
        if self.fp_acc != FpAcc.FP32:
            params["FpAcc"] = int(self.fp_acc)
        return params


#: What a configuration's shape name adds for its FP datapath's format (FP32: nothing).
_FP_ACC_SUFFIX = {FpAcc.FP32: "", FpAcc.FP16: "H", FpAcc.FP16_FTZ: "HZ"}

DEFAULT = CoreConfig()
#: Named configurations used by regressions.
CONFIGS = {
    "M2N64": DEFAULT,
    "M2N4": CoreConfig(M=2, N=4),
    "M4N16": CoreConfig(M=4, N=16),
    # The tiling-shape sweep (make ppa --shapes): 512 MACs per LMMA at K = 4, elongated
    # (M2N64) to nearly square (M16N8).
    "M4N32": CoreConfig(M=4, N=32),
    "M8N16": CoreConfig(M=8, N=16),
    "M16N8": CoreConfig(M=16, N=8),
    "M2N4W8": CoreConfig(M=2, N=4, W_BITS_MAX=8),
    "M2N64W8": CoreConfig(M=2, N=64, W_BITS_MAX=8),
    "M2N64FP": CoreConfig(formats=ALL_FORMATS),
    "M2N4FP": CoreConfig(M=2, N=4, formats=ALL_FORMATS),
    # INT8 as the only format: the narrow datapaths (8-bit lanes, 10-bit entries).
    "M2N4I8": CoreConfig(M=2, N=4, formats=formats_mask([AFmt.INT8])),
    # Every format with 8-bit weights: the FP datapaths at their widest weights
    # (the MAC core's products a_k * w_k with |w| up to 255).
    "M2N4FPW8": CoreConfig(M=2, N=4, W_BITS_MAX=8, formats=ALL_FORMATS),
    # Every format with 3-bit weights: the LUT Tensor Core's FP scaler at its
    # narrowest multi-bit shift range (lut_unit's MaxShift = WBitsMax - 1 = 2).
    "M2N4FPW3": CoreConfig(M=2, N=4, W_BITS_MAX=3, formats=ALL_FORMATS),
    # 1-bit weights: one bit plane, the 1-bit-wide plane number every core keeps.
    "M2N4W1": CoreConfig(M=2, N=4, W_BITS_MAX=1),
    # FP16 as the only format: a wide FP activation without INT16 (the stored
    # activations of the MAC core stay 16 bits wide).
    "M2N4F16": CoreConfig(M=2, N=4, formats=formats_mask([AFmt.FP16])),
    # The paper's FP16-accumulate datapath: FP16 activations, binary16 tables and
    # accumulators (IEEE; HZ: flush-to-zero, as the artifact's DesignWare adder).
    "M2N4H": CoreConfig(M=2, N=4, formats=formats_mask([AFmt.FP16]), fp_acc=FpAcc.FP16),
    "M2N4HZ": CoreConfig(M=2, N=4, formats=formats_mask([AFmt.FP16]), fp_acc=FpAcc.FP16_FTZ),
    # Every format a binary16 datapath builds (all but BF16): the FP8 lanes embedded in
    # binary16, the integer formats beside it (19-bit table entries, the binary16 ones in
    # their low 16 bits, both paths on one accumulator).
    "M2N4IH": CoreConfig(
        M=2, N=4, formats=ALL_FORMATS & ~formats_mask([AFmt.BF16]), fp_acc=FpAcc.FP16
    ),
}
#: Shape and formats -> the name of the named configuration with them (``CoreConfig.name``).
_NAMES = {cfg._key(): name for name, cfg in CONFIGS.items()}


def config_label(name: str, core: str = DEFAULT_CORE) -> str:
    """A named configuration on a core as reports and coverage show it: ``M2N64``, or
    ``mac:M2N64`` on a core other than the default."""
    return name if core == DEFAULT_CORE else f"{core}:{name}"


def config_by_name(name: str, core: str = DEFAULT_CORE) -> CoreConfig:
    """Named configuration ``name`` on core ``core``; ValueError naming the choices."""
    try:
        cfg = CONFIGS[name]
    except KeyError:
        raise ValueError(f"config={name!r} unknown; choose one of {sorted(CONFIGS)}") from None
    if core == cfg.core:
        return cfg
    if not cfg.fits(check_core(core)):
        fitting = [n for n, c in CONFIGS.items() if c.fits(core)]
        raise ValueError(
            f"config={name!r} builds formats core {core} does not; "
            f"on {core} choose one of {fitting}"
        )
    return cfg.with_core(core)
