"""Wall time, CPU time and peak memory of one child command.

Builds (``tb.simrun``) and replay runs (``tb.replay.harness``) report what
they cost; the benchmarks print it. ``os.wait4`` on a child of this
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
