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

* a module with no parameters (the FP adder and converter): the module on
  its own, which is the whole proof;
* a module with parameters: each of its instances as the core's top
  elaborates them at every (configuration, core) the mutation suite runs
  the file in (one proof per distinct parameter set), then the module at
  its own defaults, where only a counterexample counts (it is the proof
  when the suite builds no instance); the top itself at each configuration.
  A change that shows only in a configuration the suite does not build
  counts as equivalent: the report lists the contexts each proof covered.

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
    module: str = ""  #: prove this module as the top elaborates it (a ``$paramod`` name)
    required: bool = True  #: False: only a counterexample counts (the module's own defaults)


@dataclass
class Proof:
    label: str
    verdict: str  #: proven | differs | undecided | error
    seconds: float
    detail: str = ""


def have_yosys() -> bool:
    return shutil.which("yosys") is not None


def has_parameters(module: str, file_text: str) -> bool:
    return re.search(rf"\bmodule\s+{re.escape(module)}\s*#\s*\(", file_text) is not None


def contexts(
    module: str, has_params: bool, configs: list[tuple[str, str]], gold: list[Path], folder: Path
) -> list[Context]:
    """Where a mutant of ``module`` must be proven equal (see the module docstring).

    For a module below the top, each configuration's contexts are the
    module's instances as the top elaborates them (one per distinct
    parameter set, Yosys's ``$paramod`` names): a proof of the module alone
    with exactly those parameters, not of the whole core.
    """
    own = Context(module, {}, module)
    if module != TOP and not has_params:
        return [own]
    out: list[Context] = []
    seen: set[str] = set()
    for config, core in configs:
        params = config_by_name(config, core).rtl_parameters()
        label = f"{TOP} {config} {core}"
        if module == TOP:
            out.append(Context(TOP, params, label))
            continue
        for d in derived(gold, params, module, folder):
            if d not in seen:  # the same instance parameters as an earlier configuration's
                seen.add(d)
                out.append(Context(TOP, params, f"{label}: {d}", d))
    if module != TOP:  # its defaults: a guard when instances exist, the proof when none does
        own.required = not out
        out.append(own)
    return out


def derived(sources: list[Path], params: dict[str, int], module: str, folder: Path) -> list[str]:
    """The names of ``module``'s instances after the top's elaboration with ``params``."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "modules.txt"
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    ys = folder / "modules.ys"
    ys.write_text(
        f"read_verilog -sv -I{simrun.RTL} {' '.join(str(s) for s in sources)}\n"
        f"hierarchy -top {TOP} {chparams}\n"
        f"tee -q -o {listing} ls\n"
    )
    subprocess.run(["yosys", "-q", "-s", str(ys)], capture_output=True, check=False, timeout=300)
    names = listing.read_text().split() if listing.exists() else []
    own = re.compile(rf"^(\$paramod(\$[0-9a-f]+)?\\)?{re.escape(module)}(\\.*)?$")
    return [n for n in names if own.match(n)]


def _read(
    sources: list[Path], top: str, params: dict[str, int], name: str, sub: str = ""
) -> list[str]:
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    return [
        f"read_verilog -sv -I{simrun.RTL} {' '.join(str(s) for s in sources)}",
        f"hierarchy -check -top {top} {chparams}".rstrip(),
        *([f"hierarchy -top {sub}"] if sub else []),
        "proc",
        "memory",
        "flatten",
        "opt_clean",
        f"rename {sub or top} {name}",
        f"design -stash {name}",
    ]


def script(gold: list[Path], gate: list[Path], ctx: Context) -> str:
    lines = [
        *_read(gold, ctx.top, ctx.parameters, "gold", ctx.module),
        *_read(gate, ctx.top, ctx.parameters, "gate", ctx.module),
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
    if proc.returncode < 0:
        return Proof(ctx.label, "undecided", sec, f"yosys stopped by signal {-proc.returncode}")
    return Proof(ctx.label, "error", sec, err[-1][:300] if err else f"yosys rc={proc.returncode}")


def check(
    mutant_file: Path,
    module: str,
    original_text: str,
    configs: list[tuple[str, str]],
    folder: Path,
    timeout_s: float = 60.0,
    includers: dict[str, bool] | None = None,
) -> dict:
    """The equivalence record of one survivor: verdict ``equivalent`` or ``not_proven`` and why.

    ``includers``: for a mutated include file, the modules that expand it
    (name -> whether it has parameters), each proven in its contexts. Stops
    at the first context not proven.
    """
    gold = list(YOSYS_SOURCES)
    if mutant_file.suffix == ".svh":
        gate = [mutant_file, *gold]
        ctxs = [
            c for m, p in (includers or {}).items() for c in contexts(m, p, configs, gold, folder)
        ]
    else:
        gate = [mutant_file if p.name == mutant_file.name else p for p in gold]
        ctxs = contexts(module, has_parameters(module, original_text), configs, gold, folder)
    proofs: list[Proof] = []
    ok = bool(ctxs)
    for ctx in ctxs:
        p = prove(gold, gate, ctx, folder, timeout_s)
        proofs.append(p)
        if p.verdict == "proven" or (not ctx.required and p.verdict == "undecided"):
            continue
        ok = False
        break
    return {
        "verdict": "equivalent" if ok else "not_proven",
        "method": "yosys miter -equiv, sat -tempinduct -set-init-zero",
        "proofs": [asdict(p) for p in proofs],
    }
