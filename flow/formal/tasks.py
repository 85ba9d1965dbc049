# SPDX-License-Identifier: Apache-2.0
"""The formal tasks: one SymbiYosys job per (core, configuration, property set, defines).

A task proves one property set (:mod:`flow.formal.props`) on one core at one named
configuration (``models.config.CONFIGS``), or, for the set ``cover``, shows every
cover reachable. Its ``.sby`` file is written here from the same RTL the
simulators and synthesis read (``flow.simrun.CORE_SOURCES``) plus ``formal/``:
the sources are copied into the task's folder by SymbiYosys, so a finished
task folder reruns alone (``yowasp-sby -f <task>.sby``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flow.formal.props import CATCHES, COVER_DEFINE, GROUPS
from flow.simrun import CORE_SOURCES, ROOT, RTL
from models.config import check_core, config_by_name

FORMAL = ROOT / "formal"
#: The checker and the top, after the RTL.
FORMAL_SOURCES = (FORMAL / "lut_tc_props.sv", FORMAL / "lut_tc_formal.sv")
TOP = "lut_tc_formal"
#: Every source SymbiYosys copies into a task: the RTL, its include files, formal/.
SOURCES = (*CORE_SOURCES, RTL / "lut_tc_names.svh", *FORMAL_SOURCES)

#: Engine name -> the ``[engines]`` line. smtbmc runs k-induction in prove mode.
ENGINES = {
    "yices": "smtbmc yices",
    "z3": "smtbmc z3",
    "pdr": "abc pdr",
}
DEFAULT_ENGINE = "yices"
#: What ``make formal`` runs with no options: every core at M2 N4, both weight widths
#: the configurations build (WBitsMax 4 and 8), every property set and the covers.
DEFAULT_CORES = ("lut_tc", "lut_conv", "mac")
DEFAULT_CONFIGS = ("M2N4", "M2N4W8")
COVER = "cover"


@dataclass(frozen=True)
class Task:
    """One SymbiYosys run."""

    core: str
    config: str
    group: str  #: a property set of ``GROUPS``, or ``cover``
    engine: str = DEFAULT_ENGINE
    defines: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """``lut_tc-M2N4-handshake`` (``+LUT_TC_BUG_...`` with a planted bug)."""
        base = f"{self.core}-{self.config}-{self.group}"
        return base + "".join(f"+{d}" for d in self.defines)

    @property
    def mode(self) -> str:
        return "cover" if self.group == COVER else "prove"

    @property
    def wbits_max(self) -> int:
        return config_by_name(self.config, self.core).W_BITS_MAX

    @property
    def depth(self) -> int:
        """k of the induction (prove), or the bound of the cover search: enough for the
        longest LMMA (b cycles) behind a LUTGEN and a stalled response."""
        return self.wbits_max + (8 if self.mode == "cover" else 3)

    def all_defines(self) -> list[str]:
        """The Verilog defines of the run: FORMAL, the set's own, the planted bugs."""
        out = ["FORMAL"]
        if self.mode == "cover":
            out += [COVER_DEFINE]
        else:
            own = GROUPS[self.group][0]
            out += [own] if own else []
        return out + list(self.defines)

    def sby(self) -> str:
        """The task's ``.sby`` file."""
        cfg = config_by_name(self.config, self.core)
        params = " ".join(f"-chparam {k} {v}" for k, v in cfg.rtl_parameters().items())
        names = [p.name for p in SOURCES if p.suffix == ".sv"]
        defs = " ".join(f"-D{d}" for d in self.all_defines())
        engine = "smtbmc yices" if self.mode == "cover" else ENGINES[self.engine]
        return "\n".join(
            [
                "[options]",
                f"mode {self.mode}",
                f"depth {self.depth}",
                "",
                "[engines]",
                engine,
                "",
                "[script]",
                f"read -formal {defs} {' '.join(names)}",
                f"hierarchy -top {TOP} {params}",
                f"prep -top {TOP}",
                "",
                "[files]",
                *(str(p) for p in SOURCES),
                "",
            ]
        )


def expand(
    cores: Sequence[str] = DEFAULT_CORES,
    configs: Sequence[str] = DEFAULT_CONFIGS,
    groups: Sequence[str] = tuple(GROUPS),
    engine: str = DEFAULT_ENGINE,
    defines: Sequence[str] = (),
    cover: bool = True,
) -> list[Task]:
    """The tasks of a command line, every choice checked (ValueError: one line).

    With planted bugs the tasks are the sets that must catch them (``CATCHES``)
    among ``groups``, and no covers: the run is expected to fail.
    """
    for c in cores:
        check_core(c)
    for cfg in configs:
        for c in cores:
            config_by_name(cfg, c)
    if engine not in ENGINES:
        raise ValueError(f"ENGINE={engine} unknown; choose one of {', '.join(ENGINES)}")
    for d in defines:
        if d not in CATCHES:
            raise ValueError(
                f"DEFINES={d}: no formal property catches it; choose from {', '.join(CATCHES)}"
                " (the datapath and FP bugs are left to simulation: docs/verification_plan.md)"
            )
    if defines:
        wanted = {g for d in defines for g in CATCHES[d]}
        groups = [g for g in groups if g in wanted]
        if not groups:
            raise ValueError(
                f"PROPS= has no property set that catches {', '.join(defines)};"
                f" choose from {', '.join(sorted(wanted))}"
            )
        cover = False
    out = [
        Task(core, cfg, g, engine, tuple(defines))
        for core in cores
        for cfg in configs
        for g in groups
    ]
    if cover:
        out += [Task(core, cfg, COVER) for core in cores for cfg in configs]
    return out


def write(task: Task, folder: Path) -> Path:
    """Write ``<folder>/<task>.sby`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{task.name}.sby"
    path.write_text(task.sby())
    return path
