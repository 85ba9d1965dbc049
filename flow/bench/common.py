# SPDX-License-Identifier: Apache-2.0
"""What every benchmark part shares: the testbench kinds it builds, where results go,
the machine they were measured on, and process measurement."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flow import measure, simrun
from flow.build import STREAM_PARAMS, STREAM_SOURCES, STREAM_TOPLEVEL, TEST_MODULE
from models.config import config_by_name

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("build", "tb", "limit", "ratio", "fp", "e2e", "util", "regress", "profile")
#: The FP part's core and stream: every format built, FP16 activations, FP32 C.
FP_CONFIG, FP_MIX = "M2N64FP", "bench_fp16"
TOPLEVEL = "lut_tensor_core"


@dataclass(frozen=True)
class TbKind:
    """One testbench environment as the benchmark builds and runs it."""

    label: str
    toplevel: str
    module: str
    test: str
    sources: tuple[Path, ...]
    extra_params: tuple[tuple[str, int], ...] = ()
    marked_public_only: bool = False
    transport: str = "pins"  #: ``LUT_TC_TRANSPORT`` of the run

    def build_name(self, cfg_name: str) -> str:
        return f"bench_{'core' if self.toplevel == TOPLEVEL else 'stream'}_{cfg_name}"

    def parameters(self, cfg_name: str) -> dict[str, int]:
        return {**config_by_name(cfg_name).rtl_parameters(), **dict(self.extra_params)}


TB_KINDS = {
    "stream": TbKind(
        "batch transport",
        STREAM_TOPLEVEL,
        TEST_MODULE,
        "StreamBenchTest",
        tuple(STREAM_SOURCES),
        tuple(STREAM_PARAMS.items()),
        marked_public_only=True,
        transport="batch",
    ),
    "txn": TbKind("pins transport", TOPLEVEL, TEST_MODULE, "BenchTest", tuple(simrun.CORE_SOURCES)),
}
OUT = ROOT / "build" / "bench"
TARGETS = {"ratio_verilator": 0.25, "util": 0.95, "regress_speedup": 1.7}


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def machine() -> dict:
    """Where the numbers come from: nproc, CPU, memory, load, tool versions, commit."""
    info: dict = {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.*)", cpu)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
        mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        info["mem_gb"] = round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None
    except OSError:
        info["cpu"] = platform.processor()
    info["loadavg_start"] = list(os.getloadavg())
    info["rtl"] = rtl_digest()
    simrun.setup_verilator_env()
    for tool, cmd in (("iverilog", ["iverilog", "-V"]), ("verilator", ["verilator", "--version"])):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
            info[tool] = out.splitlines()[0].strip() if out else "?"
        except (OSError, subprocess.SubprocessError):
            info[tool] = "missing"
    try:
        import cocotb
        import pyuvm  # noqa: F401

        info["cocotb"] = cocotb.__version__
    except ImportError:
        pass
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        info["commit"] = rev + ("+dirty" if dirty else "")
    except OSError:
        pass
    return info


def rtl_digest() -> str:
    """Hash of the RTL: a benchmark whose RTL changed mid-run is flagged."""
    h = hashlib.sha256()
    for src in sorted((ROOT / "rtl").glob("*.sv*")):
        h.update(src.name.encode() + src.read_bytes())
    return h.hexdigest()[:12]


def measured(cmd: list[str], cwd: Path, env: dict | None = None, log_file: Path | None = None):
    """Run ``cmd``; returns (rc, wall s, CPU s of the tree, peak RSS MB of its largest process)."""
    if log_file is None:
        m = measure.run_measured(cmd, cwd, subprocess.DEVNULL, env)
    else:
        with open(log_file, "wb") as fh:
            m = measure.run_measured(cmd, cwd, fh, env)
    return m.returncode, m.wall_s, m.cpu_s, m.maxrss_mb


@contextlib.contextmanager
def redirected(path: Path):
    """Send this process's and its children's stdout/stderr to ``path`` (simulator chatter)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "-"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"
