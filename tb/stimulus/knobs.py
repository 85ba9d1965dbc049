# SPDX-License-Identifier: Apache-2.0
"""The knobs of a generated instruction stream: every distribution draws only what it lists.

A distribution is a dict value -> weight. A value that is not listed is
never drawn and a weight of 0 switches a value off, so a test that asks for
``wbits={4: 8, 3: 2}`` gets 4-bit weights in 80 % of its LMMAs and nothing
but 3 or 4. Validation names the bad field and the valid choices, because a
knob typo must fail the test that made it, not quietly change its stream.

Activation formats: ``afmt`` names formats (``int8``, ``int16``, ``fp8_e4m3``,
``fp16``, ``bf16``, ``fp8_e5m2``) or groups (``int``, ``fp``: the weight is
shared by the formats of that kind the configuration builds); None draws
every built format alike. Which formats exist is a property of the
configuration (``CoreConfig.formats``), so it is checked where the
configuration is known (:meth:`Knobs.afmt_for`), like ``wbits`` against
WBitsMax. FP LUTGENs take their values from ``fp_modes`` and FP LMMAs their
C from ``fp_c_modes``; integer rows keep ``act_modes`` and ``c_modes``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.config import FP_AFMTS, INT_AFMT_BITS, AFmt, CoreConfig
from models.encoding import MAX_WEIGHT_BITS
from tb.stimulus.fp_payloads import FP_C_MODES, FP_MODES
from tb.stimulus.payloads import ACT_MODES, C_MODES

MIX_KINDS = ("lutgen", "lmma", "illegal")
AFMTS = {
    "int8": AFmt.INT8,
    "int16": AFmt.INT16,
    "fp8_e4m3": AFmt.FP8_E4M3,
    "fp16": AFmt.FP16,
    "bf16": AFmt.BF16,
    "fp8_e5m2": AFmt.FP8_E5M2,
}
AFMT_NAME = {v: k for k, v in AFMTS.items()}
#: ``afmt`` keys that stand for every built format of a kind. ``fp`` on a core without
#: FP is an error (the stream would lose its point); ``int`` on one without integer
#: formats draws nothing (integer traffic is only ever mixed in).
AFMT_GROUPS: dict[str, tuple[AFmt, ...]] = {"int": tuple(INT_AFMT_BITS), "fp": FP_AFMTS}
#: Ways an "illegal" instruction is broken (docs section 6): one field each, or
#: an LMMA whose table has the other format (or was never written).
ERROR_KINDS = ("opcode", "rsvd", "afmt", "treg", "wbits", "accfmt", "wrong_afmt")
UNITS = ("instr", "lmma")
Dist = Mapping[Any, float]


def _dist(name: str, value: object, choices: tuple | None, required: bool = True) -> dict:
    """A checked copy of a value -> weight dict (a copy, so the caller's dict can change)."""
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{name}={value!r}: need a dict value -> weight"
            + (f" over {list(choices)}" if choices else "")
        )
    out = {}
    for k, w in value.items():
        if choices is not None and k not in choices:
            raise ValueError(f"{name}: {k!r} unknown; choose from {list(choices)}")
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not math.isfinite(w):
            raise ValueError(f"{name}[{k!r}]={w!r}: a weight must be a finite number")
        if w < 0:
            raise ValueError(f"{name}[{k!r}]={w}: a weight must be >= 0")
        out[k] = w
    if required and sum(out.values()) <= 0:
        raise ValueError(
            f"{name}={dict(value)!r}: all weights are zero (or none listed); "
            "give at least one value a positive weight"
        )
    return out


def _prob(name: str, p: object) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}={p!r} must be a probability in [0, 1]")
    return float(p)


def _count(name: str, v: object, lo: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"{name}={v!r} must be an integer >= {lo}")
    return v


def _shares(d: Mapping) -> str:
    tot = sum(d.values())
    return ", ".join(f"{k} {100 * w / tot:.0f}%" for k, w in d.items() if w > 0)


@dataclass(frozen=True)
class Knobs:
    """What a test can turn; the defaults give a balanced, mostly legal stream.

    ``n`` counts instructions (``unit="instr"``) or LMMA-opcode instructions
    (``unit="lmma"``: the stream ends right after its n-th LMMA, as the long
    stream presets count).
    """

    n: int = 200
    unit: str = "instr"
    mix: Dist = field(default_factory=lambda: {"lutgen": 30, "lmma": 60, "illegal": 10})
    #: LMMA weight width b -> weight; None = uniform over 1..WBitsMax of the config
    wbits: Dist | None = None
    #: activation format of LUTGENs (an LMMA uses the format of the table it reads):
    #: format or group names -> weight; None = every format the config builds, alike
    afmt: Dist | None = None
    act_modes: Dist = field(
        default_factory=lambda: {
            "uniform": 50,
            "extreme": 25,
            "small": 10,
            "entry_min": 5,
            "entry_max": 5,
        }
    )
    c_modes: Dist = field(
        default_factory=lambda: {
            "zero": 15,
            "uniform": 40,
            "near_max": 15,
            "near_min": 15,
            "small": 15,
        }
    )
    #: values of FP LUTGENs (tb.stimulus.fp_payloads.FP_MODES)
    fp_modes: Dist = field(
        default_factory=lambda: {
            "uniform": 20,
            "llm": 30,
            "subnormal": 15,
            "specials": 15,
            "cancel": 20,
        }
    )
    #: C of FP LMMAs (tb.stimulus.fp_payloads.FP_C_MODES)
    fp_c_modes: Dist = field(
        default_factory=lambda: {
            "zero": 15,
            "uniform": 10,
            "normal": 40,
            "subnormal": 10,
            "specials": 10,
            "huge": 15,
        }
    )
    #: how an "illegal" instruction is broken (used when mix["illegal"] > 0)
    errors: Dist = field(default_factory=lambda: {k: 1 for k in ERROR_KINDS if k != "wrong_afmt"})
    p_dirty: float = 0.3  #: garbage in ignored bus bits (INT8 upper bytes, planes >= b, buses)
    p_reuse_latest: float = 0.5  #: an LMMA reads the register written last, else any written one
    p_wrong_afmt: float = 0.05  #: an LMMA with another format than its table (TABLE_INVALID)
    #: distinct payload images per bus (a, w, c), or None: every payload fresh
    pools: tuple[int, int, int] | None = None
    cold_lmmas: int = 0  #: LMMAs before any LUTGEN (TABLE_INVALID after reset)
    lutgen_first: bool = False  #: one LUTGEN per table register up front
    refresh_every: int = 0  #: a LUTGEN before every k-th LMMA (0: none)

    def __post_init__(self) -> None:
        _count("n", self.n)
        if self.unit not in UNITS:
            raise ValueError(f"unit={self.unit!r} unknown; choose from {list(UNITS)}")
        mix = _dist("mix", self.mix, MIX_KINDS)
        wbits = None
        if self.wbits is not None:
            wbits = {}
            for b, w in _dist("wbits", self.wbits, None).items():
                ok = isinstance(b, numbers.Integral) and not isinstance(b, bool)
                if not ok or not 1 <= b <= MAX_WEIGHT_BITS:
                    raise ValueError(
                        f"wbits: {b!r} is not a weight width; choose from 1..{MAX_WEIGHT_BITS}"
                    )
                wbits[int(b)] = w
        afmt = None
        if self.afmt is not None:
            afmt = _dist("afmt", self.afmt, (*AFMTS, *AFMT_GROUPS))
        act = _dist("act_modes", self.act_modes, ACT_MODES)
        cm = _dist("c_modes", self.c_modes, C_MODES)
        # FP modes may all be zero in a stream without FP: checked against the config
        fpm = _dist("fp_modes", self.fp_modes, FP_MODES, required=False)
        fpc = _dist("fp_c_modes", self.fp_c_modes, FP_C_MODES, required=False)
        errors = _dist("errors", self.errors, ERROR_KINDS, required=mix.get("illegal", 0) > 0)
        for name in ("p_dirty", "p_reuse_latest", "p_wrong_afmt"):
            object.__setattr__(self, name, _prob(name, getattr(self, name)))
        pools = self.pools
        if pools is not None:
            if not isinstance(pools, (tuple, list)) or len(pools) != 3:
                raise ValueError(f"pools={pools!r}: need (a, w, c) image counts or None")
            pools = tuple(_count(f"pools[{k}]", v, 1) for k, v in zip("awc", pools, strict=True))
        _count("cold_lmmas", self.cold_lmmas)
        _count("refresh_every", self.refresh_every)
        if not isinstance(self.lutgen_first, bool):
            raise ValueError(f"lutgen_first={self.lutgen_first!r} must be True or False")
        if not (mix.get("lutgen", 0) > 0 or self.lutgen_first or self.refresh_every):
            if mix.get("lmma", 0) > 0:
                raise ValueError(
                    f"mix={mix}: LMMAs but no LUTGEN to give them a table; "
                    "weight 'lutgen', or set lutgen_first or refresh_every"
                )
        if self.unit == "lmma" and self.n and mix.get("lmma", 0) <= 0:
            raise ValueError(f"unit='lmma' counts LMMAs, but mix={mix} gives no 'lmma' weight")
        for name, v in (
            ("mix", mix),
            ("wbits", wbits),
            ("afmt", afmt),
            ("act_modes", act),
            ("c_modes", cm),
            ("fp_modes", fpm),
            ("fp_c_modes", fpc),
            ("errors", errors),
            ("pools", pools),
        ):
            object.__setattr__(self, name, v)

    # --- against a configuration ------------------------------------------------
    def wbits_for(self, cfg: CoreConfig) -> dict[int, float]:
        """The weight-width distribution on ``cfg`` (ValueError if a width does not fit)."""
        if self.wbits is None:
            return {b: 1 for b in range(1, cfg.W_BITS_MAX + 1)}
        bad = [b for b in self.wbits if b > cfg.W_BITS_MAX]
        if bad:
            raise ValueError(
                f"wbits: {bad} above WBitsMax={cfg.W_BITS_MAX} of {cfg.name}; "
                f"choose from 1..{cfg.W_BITS_MAX}"
            )
        return dict(self.wbits)

    def afmt_for(self, cfg: CoreConfig) -> dict[AFmt, float]:
        """The LUTGEN format distribution on ``cfg``, format -> weight, positive weights only.

        ValueError if a listed format (positive weight) is not built by ``cfg``,
        or if ``fp`` is asked of a core without FP formats.
        """
        built = ", ".join(AFMT_NAME[f] for f in cfg.afmts)
        if self.afmt is None:
            return {f: 1 for f in cfg.afmts}
        out: dict[AFmt, float] = {}
        for k, w in self.afmt.items():
            if w <= 0:
                continue
            if k in AFMT_GROUPS:
                members = [f for f in AFMT_GROUPS[k] if cfg.builds(f)]
                if not members and k == "fp":
                    raise ValueError(
                        f"afmt: 'fp' asks for floating-point formats, but {cfg.name} builds "
                        f"only {built}; choose from {built}"
                    )
                for f in members:
                    out[f] = out.get(f, 0) + w / len(members)
            elif not cfg.builds(AFMTS[k]):
                raise ValueError(
                    f"afmt: {k!r} is not built by {cfg.name} (formats {built}); "
                    f"choose from {built} or the groups {list(AFMT_GROUPS)}"
                )
            else:
                out[AFMTS[k]] = out.get(AFMTS[k], 0) + w
        if not out:
            raise ValueError(f"afmt={self.afmt!r}: no format built by {cfg.name} ({built})")
        return out

    def fitted(self, cfg: CoreConfig) -> Knobs:
        """These knobs fitted to what ``cfg`` builds, for a test's defaults.

        A test's default stream may name a format the instance does not build
        (the ``full`` preset's INT16 on an INT8-only core: those weights are
        dropped when a named format remains) and names another built format now
        and then (an LMMA on a table of the other format: TABLE_INVALID); with
        one format built no LMMA can, so those draws are left out there. Knobs a
        user sets that ask for either are still refused by :meth:`check`.
        """
        out, named = self, self.afmt or {}
        built = {k: w for k, w in named.items() if k in AFMT_GROUPS or cfg.builds(AFMTS[k])}
        if built and built != named:
            out = dataclasses.replace(out, afmt=built)
        if len(cfg.afmts) > 1:
            return out
        errors = {k: w for k, w in self.errors.items() if k != "wrong_afmt"}
        return dataclasses.replace(out, p_wrong_afmt=0.0, errors=errors)

    def check(self, cfg: CoreConfig) -> dict[int, float]:
        """Everything that depends on ``cfg``; returns :meth:`wbits_for`."""
        wb = self.wbits_for(cfg)
        illegal = self.mix.get("illegal", 0) > 0
        if illegal and self.errors.get("treg", 0) > 0 and cfg.T >= 16:
            raise ValueError(
                f"errors['treg']: {cfg.name} has T=16, no register is out of range; "
                "give 'treg' weight 0"
            )
        afmts = self.afmt_for(cfg)
        if len(cfg.afmts) < 2:
            for name, on in (
                ("p_wrong_afmt", self.p_wrong_afmt > 0),
                ("errors['wrong_afmt']", illegal and self.errors.get("wrong_afmt", 0) > 0),
            ):
                if on:
                    raise ValueError(
                        f"{name}: {cfg.name} builds one format, an LMMA cannot name another "
                        "built one; set it to 0"
                    )
        if any(f in FP_AFMTS for f in afmts):
            for name in ("fp_modes", "fp_c_modes"):
                if sum(getattr(self, name).values()) <= 0:
                    raise ValueError(
                        f"{name}={getattr(self, name)!r}: all weights are zero, but the stream "
                        f"has FP formats on {cfg.name}; give at least one value a positive weight"
                    )
        return wb

    def _has_fp(self, cfg: CoreConfig | None) -> bool:
        """Whether FP rows may be drawn (on ``cfg`` if given, else on some config)."""
        if cfg is not None:
            try:
                return any(f in FP_AFMTS for f in self.afmt_for(cfg))
            except ValueError:
                return False
        if self.afmt is None:
            return True
        return any(w > 0 and (k == "fp" or AFMTS.get(k) in FP_AFMTS) for k, w in self.afmt.items())

    def describe(self, cfg: CoreConfig | None = None) -> str:
        """One paragraph for the start of a test log."""
        what = "instructions" if self.unit == "instr" else "LMMAs"
        if self.wbits is None:
            wb = "uniform over 1..WBitsMax" + (f"={cfg.W_BITS_MAX}" if cfg else "")
        else:
            wb = _shares({f"w{b}": w for b, w in sorted(self.wbits.items())})
        parts = [
            f"{self.n} {what}" + (f" on {cfg.name}" if cfg else ""),
            f"mix {_shares(self.mix)}",
        ]
        if self.mix.get("illegal", 0) > 0:
            parts.append(f"errors {_shares(self.errors)}")
        parts += [
            f"weight widths {wb}",
            f"LUTGEN formats {self._afmt_text(cfg)}",
            f"activations {_shares(self.act_modes)}",
            f"C {_shares(self.c_modes)}",
        ]
        if self._has_fp(cfg):
            parts += [
                f"FP activations {_shares(self.fp_modes)}",
                f"FP C {_shares(self.fp_c_modes)}",
            ]
        parts += [
            f"p_dirty {self.p_dirty:g}, p_reuse_latest {self.p_reuse_latest:g}, "
            f"p_wrong_afmt {self.p_wrong_afmt:g}",
            "fresh payloads"
            if self.pools is None
            else "payload pools a/w/c {}/{}/{}".format(*self.pools),
        ]
        if self.cold_lmmas:
            parts.append(f"{self.cold_lmmas} LMMAs before any LUTGEN")
        if self.lutgen_first:
            parts.append("one LUTGEN per register up front")
        if self.refresh_every:
            parts.append(f"a table refresh before every {self.refresh_every}th LMMA")
        return "Knobs: " + "; ".join(parts) + "."

    __str__ = describe

    def _afmt_text(self, cfg: CoreConfig | None) -> str:
        if self.afmt is not None:
            return _shares(self.afmt)
        if cfg is None:
            return "every built format alike"
        return _shares({AFMT_NAME[f]: 1 for f in cfg.afmts})

    # --- presets: the long streams of tools/replay.py -----------------------------
    @classmethod
    def full(
        cls,
        count: int = 2000,
        wbits: int | Dist | None = None,
        pools: tuple[int, int, int] | None = (16, 32, 4),
    ) -> Knobs:
        """Everything at once: every width, both formats, every error kind, INT32 wrap."""
        return cls(
            n=count,
            unit="lmma",
            mix={"lutgen": 7, "lmma": 89, "illegal": 4},
            wbits=_wbits_arg(wbits),
            afmt={"int8": 6, "int16": 4},
            # raw 16-bit lanes: full INT16 range, and junk in the INT8 upper byte
            act_modes={"raw": 6, "extreme": 2, "entry_min": 1, "entry_max": 1},
            c_modes={"zero": 1, "max": 1, "min": 1, "uniform": 1},
            errors={k: 1 for k in ERROR_KINDS},
            p_dirty=0.5,
            p_reuse_latest=0.0,
            p_wrong_afmt=0.0,
            pools=pools,
            cold_lmmas=2,
            lutgen_first=True,
        )

    @classmethod
    def fp(
        cls,
        count: int = 2000,
        wbits: int | Dist | None = None,
        pools: tuple[int, int, int] | None = (64, 32, 16),
    ) -> Knobs:
        """FP everything: every built FP format, every FP value and C mode, every width,
        every error kind, with a fifth of the tables integer where the config builds them.

        A core without FP formats is a ValueError (``afmt: 'fp'``). The pools are
        larger than ``full``'s: a pool keeps one image per (mode, format) key, and
        FP has more of those.
        """
        return cls(
            n=count,
            unit="lmma",
            mix={"lutgen": 10, "lmma": 84, "illegal": 6},
            wbits=_wbits_arg(wbits),
            afmt={"fp": 8, "int": 2},
            act_modes={"raw": 6, "extreme": 2, "entry_min": 1, "entry_max": 1},
            c_modes={"zero": 1, "max": 1, "min": 1, "uniform": 1},
            fp_modes={"uniform": 2, "llm": 3, "subnormal": 2, "specials": 2, "cancel": 3},
            fp_c_modes={
                "zero": 2,
                "uniform": 1,
                "normal": 4,
                "subnormal": 1,
                "specials": 1,
                "huge": 1,
            },
            errors={k: 1 for k in ERROR_KINDS},
            p_dirty=0.5,
            p_reuse_latest=0.3,
            p_wrong_afmt=0.02,
            pools=pools,
            cold_lmmas=2,
            lutgen_first=True,
        )

    @classmethod
    def bench(
        cls,
        count: int = 2000,
        wbits: int | Dist | None = 2,
        pools: tuple[int, int, int] | None = (16, 32, 4),
        refresh_every: int = 16,
    ) -> Knobs:
        """The benchmark stream: INT8, one width, T LUTGENs then a refresh per 16 LMMAs."""
        return cls(
            n=count,
            unit="lmma",
            mix={"lmma": 1},
            wbits=_wbits_arg(wbits),
            afmt={"int8": 1},
            act_modes={"uniform": 1},
            c_modes={"zero": 1, "uniform": 3},
            errors={},
            p_dirty=1.0,
            p_reuse_latest=0.0,
            p_wrong_afmt=0.0,
            pools=pools,
            lutgen_first=True,
            refresh_every=refresh_every,
        )

    @classmethod
    def bench_fp16(
        cls,
        count: int = 2000,
        wbits: int | Dist | None = 2,
        pools: tuple[int, int, int] | None = (16, 32, 4),
    ) -> Knobs:
        """The benchmark stream with FP16 activations (LLM-like) and FP32 C: the paper's
        W_INT x A_FP16 point, otherwise :meth:`bench` (one width, a refresh per 16 LMMAs)."""
        return dataclasses.replace(
            cls.bench(count, wbits, pools),
            afmt={"fp16": 1},
            fp_modes={"llm": 1},
            fp_c_modes={"zero": 1, "normal": 3},
        )

    @classmethod
    def lmma(
        cls,
        count: int = 2000,
        wbits: int | Dist | None = 2,
        pools: tuple[int, int, int] | None = (16, 32, 4),
    ) -> Knobs:
        """Core utilization: T LUTGENs, then back-to-back LMMAs only."""
        return cls.bench(count, wbits, pools, refresh_every=0)


def _wbits_arg(wbits: int | Dist | None) -> Dist | None:
    """A preset's ``wbits``: one width, a distribution, or None (every width)."""
    if wbits is None or isinstance(wbits, Mapping):
        return wbits
    return {wbits: 1}
