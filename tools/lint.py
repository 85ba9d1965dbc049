# SPDX-License-Identifier: Apache-2.0
"""Lint the RTL with Verilator and Icarus for every named configuration.

For each configuration of ``models.config.CONFIGS`` on each core that builds
its formats (``models.config.CORES``), and the one-format instances ``make
ppa`` synthesizes (at M2 N4), and each tool, the core
(``lut_tensor_core`` and everything below it, sources from
``flow.simrun.CORE_SOURCES``) is compiled three ways:

* ``plain``: no defines (what synthesis sees),
* ``assert``: ``LUT_TC_ASSERTIONS`` (the assertion code, used by the tests),
* ``bugs``: assertions plus every bug-injection define (negative tests).

Verilator runs ``--lint-only -Wall``, Icarus ``-g2012 -Wall`` into /dev/null.
Stand-alone units outside the core (the FP32 adder ``lut_fp32_add``) are
linted on their own, once plain and once per set of their bug defines.
The SystemVerilog testbench pieces of ``tb/sv`` (the core behind its
gap/back-pressure pacer, and the two harnesses around it: the stream bridge
and the replay harness) are linted the same way around the core, at the
default configuration with assertions on, and a unit's vector harness
(the block benches of ``blocks/sv``) around its unit; the harnesses'
deliberate testbench idioms are waived in the files themselves.
Any diagnostic at all (a warning, a ``sorry``, an error) fails the run.
One summary line is printed per (tool, config); the diagnostics of a failing
variant follow it. Exit status 1 on any failure.

Run from the repository root::

    python tools/lint.py [--config M2N4 ...] [--core mac ...] [--tool verilator|icarus]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blocks.units import UNITS as BLOCK_UNITS  # noqa: E402
from flow.simrun import (  # noqa: E402
    CORE_SOURCES,
    PACED_CORE,
    PACED_DUT,
    RTL,
    TB_SV,
    setup_verilator_env,
)
from models.config import CONFIGS, CORES, AFmt, CoreConfig, config_label, formats_mask  # noqa: E402

TOP = "lut_tensor_core"
TOOLS = ("verilator", "icarus")
VARIANTS: dict[str, tuple[str, ...]] = {
    "plain": (),
    "assert": ("LUT_TC_ASSERTIONS",),
    "bugs": (
        "LUT_TC_ASSERTIONS",
        "LUT_TC_BUG_NO_NEGATE",
        "LUT_TC_BUG_SWAP_ENTRIES",
        "LUT_TC_BUG_OVERWRITE_STALLED",
        "LUT_TC_BUG_DROP_STALLED",
    ),
}


SV = TB_SV
#: The core behind the gap/back-pressure pacer, shared by both harnesses.
PACED = PACED_CORE
#: Testbench harnesses: top module, its files after the core's, Verilator options it needs.
HARNESSES: dict[str, tuple[str, tuple[Path, ...], tuple[str, ...]]] = {
    "paced": ("lut_tc_paced_core", (PACED,), ()),
    "stream": ("lut_tc_bridge", (PACED, PACED_DUT, SV / "lut_tc_bridge.sv"), ()),
    "replay": ("lut_tc_replay_tb", (PACED, PACED_DUT, SV / "lut_tc_replay_tb.sv"), ("--timing",)),
}

FP32_ADD = RTL / "lut_fp32_add.sv"
FP_TO_F32 = RTL / "lut_fp_to_f32.sv"
FP32_POW2 = RTL / "lut_fp32_pow2.sv"
FP_MUL = RTL / "mac_fp_mul.sv"
#: Units outside the core (no package, no core parameters): top module, files,
#: the define sets to lint (plain, each planted bug, all of them).
UNITS: dict[str, tuple[str, tuple[Path, ...], tuple[tuple[str, ...], ...]]] = {
    "fp32_add": (
        "lut_fp32_add",
        (FP32_ADD,),
        (
            (),
            ("LUT_TC_BUG_FP_RTZ",),
            ("LUT_TC_BUG_FP_FTZ",),
            ("LUT_TC_BUG_FP_RTZ", "LUT_TC_BUG_FP_FTZ"),
            ("LUT_TC_BUG_FP16_TRUNC",),
        ),
    ),
    "fp_to_f32": ("lut_fp_to_f32", (FP_TO_F32,), ((), ("LUT_TC_BUG_FP_SUBNORMAL_IN",))),
    "fp_pow2": ("lut_fp32_pow2", (FP32_POW2,), ((), ("LUT_TC_BUG_FP_POW2_FTZ",))),
    "fp_mul": ("mac_fp_mul", (FP_MUL,), ((), ("LUT_TC_BUG_FP_MUL_FTZ",))),
}
#: A unit's vector harness (``blocks/``): top module, files, Verilator options it needs.
UNIT_HARNESSES: dict[str, tuple[str, tuple[Path, ...], tuple[str, ...]]] = {
    u.name: (u.top, (u.rtl, *u.harness), ("--timing",)) for u in BLOCK_UNITS.values()
}


def _command(
    tool: str, cfg: CoreConfig, defines: tuple[str, ...], harness: str | None = None
) -> list[str]:
    sources = [str(s) for s in CORE_SOURCES]
    top, extra = TOP, ()
    if harness is not None:
        top, paths, extra = HARNESSES[harness]
        sources += [str(p) for p in paths]
    return _tool_command(tool, top, sources, defines, extra, cfg.rtl_parameters())


def _unit_command(
    tool: str, top: str, sources: tuple[Path, ...], defines: tuple[str, ...], extra: tuple[str, ...]
) -> list[str]:
    """A unit without core parameters: the same flags as :func:`_command`."""
    return _tool_command(tool, top, [str(s) for s in sources], defines, extra)


def _tool_command(
    tool: str,
    top: str,
    sources: list[str],
    defines: tuple[str, ...],
    extra: tuple[str, ...] = (),
    params: dict[str, int] | None = None,
) -> list[str]:
    """One lint command line: ``-Wall``, the RTL include path, defines, parameters."""
    defs = [f"-D{d}" for d in defines]
    params = params or {}
    if tool == "verilator":
        return [
            "verilator", "--lint-only", "-Wall", *extra, "--top-module", top, f"-I{RTL}",
            *defs, *(f"-G{k}={v}" for k, v in params.items()), *sources,
        ]  # fmt: skip
    return [
        "iverilog", "-g2012", "-Wall", "-o", "/dev/null", "-s", top, "-I", str(RTL),
        *defs, *(f"-P{top}.{k}={v}" for k, v in params.items()), *sources,
    ]  # fmt: skip


def lint_one(
    tool: str, cfg: CoreConfig, defines: tuple[str, ...], harness: str | None = None
) -> tuple[bool, str]:
    """(clean, diagnostics) for one tool / configuration / define set (/ harness)."""
    return _lint(tool, _command(tool, cfg, defines, harness))


def lint_unit(
    tool: str,
    top: str,
    sources: tuple[Path, ...],
    defines: tuple[str, ...],
    extra: tuple[str, ...] = (),
) -> tuple[bool, str]:
    """(clean, diagnostics) for a unit outside the core, or its harness."""
    return _lint(tool, _unit_command(tool, top, sources, defines, extra))


def _lint(tool: str, cmd: list[str]) -> tuple[bool, str]:
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    text = (proc.stdout + proc.stderr).strip()
    if tool == "verilator":
        # --lint-only prints nothing on a clean run except, in some builds, the
        # "- V e r i l a t i o n   R e p o r t" statistics block.
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("- V"))
    return proc.returncode == 0 and not text, text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--config", action="append", choices=sorted(CONFIGS), help="default: all")
    ap.add_argument("--core", action="append", choices=list(CORES), help="default: all")
    ap.add_argument("--tool", action="append", choices=TOOLS, help="default: both")
    args = ap.parse_args(argv)
    setup_verilator_env()

    failed = 0
    cores = args.core or list(CORES)
    targets = [
        (config_label(name, core), CONFIGS[name].with_core(core))
        for core in cores
        for name in args.config or CONFIGS
        if CONFIGS[name].fits(core)
    ]
    if not args.config:  # the one-format instances `make ppa` synthesizes, at M2 N4
        targets += [
            (config_label(f"M2N4:{f.name}", core), one.with_core(core))
            for core in cores
            for f in AFmt
            if (one := CoreConfig(M=2, N=4, formats=formats_mask([f]))).fits(core)
        ]
    for tool in args.tool or TOOLS:
        for name, cfg in targets:
            t0 = time.monotonic()
            bad: list[tuple[str, str]] = []
            for variant, defines in VARIANTS.items():
                clean, text = lint_one(tool, cfg, defines)
                if not clean:
                    bad.append((variant, text or "non-zero exit status, no output"))
            dt = time.monotonic() - t0
            variants = ",".join(VARIANTS)
            if bad:
                failed += 1
                which = ",".join(v for v, _ in bad)
                print(f"FAIL  {tool:9s} {name:14s} ({which} of {variants}) {dt:5.1f}s")
                for variant, text in bad:
                    print(f"----- {tool} {name} {variant}:")
                    print(text)
            else:
                print(f"ok    {tool:9s} {name:14s} ({variants}) {dt:5.1f}s")
        for harness in HARNESSES:
            t0 = time.monotonic()
            clean, text = lint_one(tool, CONFIGS["M2N64"], VARIANTS["assert"], harness)
            dt = time.monotonic() - t0
            print(f"{'ok  ' if clean else 'FAIL'}  {tool:9s} {harness:8s} (harness) {dt:5.1f}s")
            if not clean:
                failed += 1
                print(text or "non-zero exit status, no output")
        for unit, (top, paths, define_sets) in UNITS.items():
            t0 = time.monotonic()
            bad = []
            for defines in define_sets:
                clean, text = lint_unit(tool, top, paths, defines)
                if not clean:
                    bad.append((",".join(defines) or "plain", text or "non-zero exit status"))
            dt = time.monotonic() - t0
            verdict, sets = ("FAIL" if bad else "ok  "), len(define_sets)
            print(f"{verdict}  {tool:9s} {unit:8s} (unit, {sets} define sets) {dt:5.1f}s")
            if bad:
                failed += 1
                for variant, text in bad:
                    print(f"----- {tool} {unit} {variant}:")
                    print(text)
        for harness, (top, paths, extra) in UNIT_HARNESSES.items():
            t0 = time.monotonic()
            clean, text = lint_unit(tool, top, paths, (), extra)
            dt = time.monotonic() - t0
            print(f"{'ok  ' if clean else 'FAIL'}  {tool:9s} {harness:8s} (harness) {dt:5.1f}s")
            if not clean:
                failed += 1
                print(text or "non-zero exit status, no output")
    if failed:
        print(f"lint: {failed} (tool, config) pair(s) failed")
        return 1
    print("lint: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
