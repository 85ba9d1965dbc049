# SPDX-License-Identifier: Apache-2.0
"""Wall time, CPU time and peak memory of one child command.

Builds (``flow.simrun``) and the runs of the pure-SV harnesses (replay, FP
blocks) report what they cost; the benchmarks print it. ``os.wait4`` on a child of this
(possibly large) Python process would count the fork's copy of our own
memory as the child's peak RSS, so the command runs under GNU time when it
is installed: a tiny parent whose figure is the largest process the command
ran (``make`` and its ``cc1plus`` children included).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

TIME = shutil.which("time", path="/usr/bin:/bin")


class Rusage:
    """Resources of one command's process tree, via GNU time when present."""

    def __init__(self, cmd: Sequence[str]) -> None:
        self._file: Path | None = None
        if TIME:
            fd, name = tempfile.mkstemp(prefix="rusage_", suffix=".txt")
            os.close(fd)
            self._file = Path(name)
            self.cmd = [TIME, "-f", "%M %U %S", "-o", name, *cmd]
        else:
            self.cmd = list(cmd)
        self.cpu_s = 0.0
        self.maxrss_mb = 0.0

    def collect(self, ru: os.struct_rusage | None) -> None:
        """``ru``: the ``os.wait4`` rusage, used when GNU time is missing or failed."""
        if ru is not None:
            self.cpu_s = ru.ru_utime + ru.ru_stime
            self.maxrss_mb = ru.ru_maxrss / 1024.0
        if self._file is not None:
            try:
                last = self._file.read_text().strip().splitlines()[-1].split()
                self.maxrss_mb = int(last[0]) / 1024.0
                self.cpu_s = float(last[1]) + float(last[2])
            except (OSError, IndexError, ValueError):
                pass
            self._file.unlink(missing_ok=True)


@dataclass
class Measured:
    """What one command (or a sequence of them) cost."""

    returncode: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  #: user + system of the whole process tree
    maxrss_mb: float = 0.0  #: peak RSS of the largest process

    def add(self, other: Measured) -> None:
        """Commands run one after the other: times add up, the peak is the larger one."""
        self.returncode = self.returncode or other.returncode
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s
        self.maxrss_mb = max(self.maxrss_mb, other.maxrss_mb)


def run_measured(
    cmd: Sequence[str],
    cwd: Path,
    stdout: IO[bytes] | int | None,
    env: Mapping[str, str] | None = None,
) -> Measured:
    """Run ``cmd`` (stderr joins ``stdout``) and measure it; never raises on failure."""
    ru_ = Rusage(cmd)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        ru_.cmd,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        env=None if env is None else dict(env),
    )
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    ru_.collect(ru)
    return Measured(proc.returncode, wall, ru_.cpu_s, ru_.maxrss_mb)


def run_logged(
    cmd: Sequence[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None
) -> Measured:
    """Run ``cmd`` appending its output to ``log``; RuntimeError with the log's tail on failure."""
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        m = run_measured(cmd, cwd, fh, env)
    if m.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError(
            f"command failed ({m.returncode}): {' '.join(cmd)}\n  log: {log}\n" + "\n".join(tail)
        )
    return m


@dataclass
class Captured:
    """A harness run's output lines and where its time went."""

    lines: list[str]
    returncode: int
    run_s: float  #: whole process
    load_s: float  #: process start -> the line that says the vectors are loaded
    sim_s: float  #: the rest: the harness's work proper
    maxrss_mb: float


def harness_command(sim: str, exe: Path) -> list[str]:
    """How a built pure-SV harness starts: ``vvp`` for Icarus, the binary for Verilator."""
    return ["vvp", "-n", str(exe)] if sim == "icarus" else [str(exe)]


def run_captured(
    cmd: Sequence[str],
    cwd: Path,
    loaded: str,
    log: Path,
    timeout_s: float | None = None,
) -> Captured:
    """Run a harness, keep its output, and write ``$ cmd`` plus the output to ``log``.

    Start-up and vector loading (up to the first line starting with
    ``loaded``) are timed apart from the rest. With ``timeout_s`` a run
    still going then is killed (a hung simulator must not hang the caller).
    """
    ru_ = Rusage(cmd)
    t0 = time.monotonic()
    t_loaded = None
    lines: list[str] = []
    proc = subprocess.Popen(
        ru_.cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        bufsize=1,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    watchdog = threading.Timer(timeout_s, proc.kill) if timeout_s is not None else None
    if watchdog is not None:
        watchdog.start()
    try:
        for line in proc.stdout:
            if t_loaded is None and line.startswith(loaded):
                t_loaded = time.monotonic()
            lines.append(line)
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        if watchdog is not None:
            watchdog.cancel()
    t1 = time.monotonic()
    ru_.collect(ru)
    log.write_text("$ " + " ".join(cmd) + "\n" + "".join(lines))
    return Captured(
        lines,
        os.waitstatus_to_exitcode(status),
        t1 - t0,
        (t_loaded or t1) - t0,
        t1 - (t_loaded or t1),
        ru_.maxrss_mb,
    )
