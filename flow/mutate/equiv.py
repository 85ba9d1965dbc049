# SPDX-License-Identifier: Apache-2.0
"""Is a surviving mutant equivalent to the original? Proven by Yosys, or reviewed, never assumed.

For each *context* the design is built in, Yosys reads the original and the
mutated sources apart, elaborates the same top with the same parameters,
flattens both and builds the equivalence miter (``miter -equiv -flatten``);
``sat -tempinduct -prove-asserts -set-init-zero`` then proves the outputs
equal in every cycle from reset-to-zero state (for combinational blocks the
induction is trivial), or finds a counterexample, or runs out of its time or
step limit (undecided). A mutant is *equivalent* only when every context is
proven:

* the mutated module on its own at its default parameters (not the top:
  its defaults are the full M2 N64 array); for a module with no parameters
  (the FP adder and converter) that is the whole proof;
* a module with parameters: also the core's top, ``lut_tensor_core``, at
  every (configuration, core) the mutation suite runs the file in. A
  change that shows only in a configuration neither covers would count as
  equivalent; the report lists the contexts each proof covered.

An undecided or disproven survivor stays a survivor unless it is in the
reviewed list (``regressions/mutate/equivalent.toml``, a reason per entry).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flow import simrun
from models.config import config_by_name

TOP = "lut_tensor_core"
#: The files Yosys reads: the core's SystemVerilog (include files through -I).
YOSYS_SOURCES = [s for s in simrun.CORE_SOURCES if s.suffix == ".sv"]
MAX_STEPS = 12


@dataclass
class Context:
    top: str
    parameters: dict[str, int]
    label: str


@dataclass
class Proof:
    label: str
    verdict: str  #: proven | differs | undecided | error
    seconds: float
    detail: str = ""


def have_yosys() -> bool:
    return shutil.which("yosys") is not None


def contexts(module: str, file_text: str, configs: list[tuple[str, str]]) -> list[Context]:
    """Where a mutant of ``module`` must be proven equal (see the module docstring)."""
    has_params = re.search(rf"\bmodule\s+{re.escape(module)}\s*#\s*\(", file_text) is not None
    out = [] if module == TOP else [Context(module, {}, module)]
    if not has_params:
        return out
    for config, core in configs:
        cfg = config_by_name(config, core)
        out.append(Context(TOP, cfg.rtl_parameters(), f"{TOP} {config} {core}"))
    return out


def _read(sources: list[Path], top: str, params: dict[str, int], name: str) -> list[str]:
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    return [
        f"read_verilog -sv -I{simrun.RTL} {' '.join(str(s) for s in sources)}",
        f"hierarchy -check -top {top} {chparams}".rstrip(),
        "proc",
        "memory",
        "flatten",
        "opt_clean",
        f"rename {top} {name}",
        f"design -stash {name}",
    ]


def script(gold: list[Path], gate: list[Path], ctx: Context) -> str:
    lines = [
        *_read(gold, ctx.top, ctx.parameters, "gold"),
        *_read(gate, ctx.top, ctx.parameters, "gate"),
        "design -copy-from gold -as gold gold",
        "design -copy-from gate -as gate gate",
        "miter -equiv -flatten -make_assert -ignore_gold_x gold gate miter",
        "hierarchy -top miter",
        "async2sync",  # the SAT solver models synchronous flip-flops
        "opt -fast",
        f"sat -verify -prove-asserts -tempinduct -set-init-zero -maxsteps {MAX_STEPS} miter",
    ]
    return "\n".join(lines) + "\n"


def prove(
    gold: list[Path], gate: list[Path], ctx: Context, folder: Path, timeout_s: float
) -> Proof:
    """One context: proven equal, differs (a counterexample), or undecided."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = re.sub(r"[^A-Za-z0-9]+", "_", ctx.label)
    ys = folder / f"equiv_{tag}.ys"
    log = folder / f"equiv_{tag}.log"
    ys.write_text(script(gold, gate, ctx))
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            ["yosys", "-q", "-l", str(log), "-s", str(ys)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Proof(ctx.label, "undecided", time.monotonic() - t0, f"over {timeout_s:.0f} s")
    sec = time.monotonic() - t0
    text = log.read_text(errors="replace") if log.exists() else proc.stdout + proc.stderr
    if proc.returncode == 0 and re.search(r"SUCCESS|Induction step proven", text):
        return Proof(ctx.label, "proven", sec)
    if re.search(r"model found|failed: counter|Assert failed", text):
        return Proof(ctx.label, "differs", sec, "a counterexample (base case)")
    if "Reached maximum number of time steps" in text or "failed" in text.lower():
        return Proof(ctx.label, "undecided", sec, f"induction not closed in {MAX_STEPS} steps")
    err = [ln for ln in text.splitlines() if ln.startswith("ERROR")]
    return Proof(ctx.label, "error", sec, err[-1][:300] if err else f"yosys rc={proc.returncode}")


def check(
    mutant_file: Path,
    module: str,
    original_text: str,
    configs: list[tuple[str, str]],
    folder: Path,
    timeout_s: float = 120.0,
    extra_modules: tuple[str, ...] = (),
) -> dict:
    """The equivalence record of one survivor: verdict ``equivalent`` or ``not_proven`` and why.

    ``extra_modules``: more modules to prove at their defaults (the includers
    of a mutated include file). Stops at the first context not proven.
    """
    gold = list(YOSYS_SOURCES)
    if mutant_file.suffix == ".svh":
        gate = [mutant_file, *gold]
        ctxs = [Context(m, {}, m) for m in extra_modules]
    else:
        gate = [mutant_file if p.name == mutant_file.name else p for p in gold]
        ctxs = contexts(module, original_text, configs)
    proofs: list[Proof] = []
    for ctx in ctxs:
        p = prove(gold, gate, ctx, folder, timeout_s)
        proofs.append(p)
        if p.verdict != "proven":
            break
    ok = bool(proofs) and all(p.verdict == "proven" for p in proofs)
    return {
        "verdict": "equivalent" if ok else "not_proven",
        "method": "yosys miter -equiv, sat -tempinduct -set-init-zero",
        "proofs": [asdict(p) for p in proofs],
    }
