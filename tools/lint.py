"""Lint the RTL with Verilator and Icarus for every named configuration.

For each configuration of ``models.config.CONFIGS`` and each tool, the core
(``lut_tensor_core`` and everything below it, sources from
``tb.simrun.CORE_SOURCES``) is compiled three ways:

* ``plain``: no defines (what synthesis sees),
* ``assert``: ``LUT_TC_ASSERTIONS`` (the assertion code, used by the tests),
* ``bugs``: assertions plus every bug-injection define (negative tests).

Verilator runs ``--lint-only -Wall``, Icarus ``-g2012 -Wall`` into /dev/null.
The SystemVerilog testbench pieces of ``tb/sv`` (the core behind its
gap/back-pressure pacer, and the two harnesses around it: the stream bridge
and the replay harness) are linted the same way around the core, at the
default configuration with assertions on; the harnesses' deliberate
testbench idioms are waived in the files themselves.
Any diagnostic at all (a warning, a ``sorry``, an error) fails the run.
One summary line is printed per (tool, config); the diagnostics of a failing
variant follow it. Exit status 1 on any failure.

Run from the repository root::

    python tools/lint.py [--config M2N4 ...] [--tool verilator|icarus]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.config import CONFIGS, CoreConfig  # noqa: E402
from tb.simrun import CORE_SOURCES, PACED_CORE, RTL, TB_SV, setup_verilator_env  # noqa: E402

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
    "stream": ("lut_tc_bridge", (PACED, SV / "lut_tc_bridge.sv"), ()),
    "replay": ("lut_tc_replay_tb", (PACED, SV / "lut_tc_replay_tb.sv"), ("--timing",)),
}


def _command(
    tool: str, cfg: CoreConfig, defines: tuple[str, ...], harness: str | None = None
) -> list[str]:
    params = cfg.rtl_parameters()
    sources = [str(s) for s in CORE_SOURCES]
    top, extra = TOP, ()
    if harness is not None:
        top, paths, extra = HARNESSES[harness]
        sources += [str(p) for p in paths]
    if tool == "verilator":
        return [
            "verilator",
            "--lint-only",
            "-Wall",
            *extra,
            "--top-module",
            top,
            f"-I{RTL}",
            *(f"-D{d}" for d in defines),
            *(f"-G{k}={v}" for k, v in params.items()),
            *sources,
        ]
    return [
        "iverilog",
        "-g2012",
        "-Wall",
        "-o",
        "/dev/null",
        "-s",
        top,
        "-I",
        str(RTL),
        *(f"-D{d}" for d in defines),
        *(f"-P{top}.{k}={v}" for k, v in params.items()),
        *sources,
    ]


def lint_one(
    tool: str, cfg: CoreConfig, defines: tuple[str, ...], harness: str | None = None
) -> tuple[bool, str]:
    """(clean, diagnostics) for one tool / configuration / define set (/ harness)."""
    proc = subprocess.run(
        _command(tool, cfg, defines, harness),
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
    ap.add_argument("--tool", action="append", choices=TOOLS, help="default: both")
    args = ap.parse_args(argv)
    setup_verilator_env()

    failed = 0
    for tool in args.tool or TOOLS:
        for name in args.config or CONFIGS:
            cfg = CONFIGS[name]
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
                print(f"FAIL  {tool:9s} {name:8s} ({which} of {variants}) {dt:5.1f}s")
                for variant, text in bad:
                    print(f"----- {tool} {name} {variant}:")
                    print(text)
            else:
                print(f"ok    {tool:9s} {name:8s} ({variants}) {dt:5.1f}s")
        for harness in HARNESSES:
            t0 = time.monotonic()
            clean, text = lint_one(tool, CONFIGS["M2N64"], VARIANTS["assert"], harness)
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
