# SPDX-License-Identifier: Apache-2.0
"""Where runs keep their results: one folder per run, ``latest`` the newest, one history.

A regression writes ``build/regress/<label>-<YYYYmmdd-HHMMSS>/`` (UTC; a
suffix ``-2``, ``-3`` when two runs start in the same second), and points
``build/regress/latest`` at it when it has written its ``run.json``: a repro
of one failing job is a run of its own and leaves the regression it came
from, its logs, coverage and dashboard as they were. The history of every
run is shared, ``history/`` beside the run folders.

``python -m flow.regress.rundirs [RUN]`` prints the folder of a run named the
way ``make report RUN=`` and ``make cov RUN=`` take it (``latest``, a run's
folder name, or a path), or one line saying why there is none.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from flow.regress.jobs import ROOT

#: The folder that holds the runs of ``make regress`` (each in its own folder) and the history.
RUNS = ROOT / "build" / "regress"
LATEST = "latest"
HISTORY = "history"
RUN_JSON = "run.json"


def run_name(label: str, when: datetime | None = None) -> str:
    """A run folder's name: the label made file-safe, then the UTC start time.

    ``TEST=RandomStreamTest`` -> ``TEST-RandomStreamTest-20261206-011500``.
    """
    when = when or datetime.now(UTC)
    safe = re.sub(r"[^A-Za-z0-9._]+", "-", label).strip("-.") or "run"
    return f"{safe[:80]}-{when.astimezone(UTC):%Y%m%d-%H%M%S}"


def new_run_dir(root: Path, label: str, when: datetime | None = None) -> Path:
    """Create and return a run folder under ``root`` no other run has (suffix on a clash)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    base = run_name(label, when)
    for n in range(1, 1000):
        d = root / (base if n == 1 else f"{base}-{n}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise RuntimeError(f"{root}: no free run folder name for {base}")


def point_latest(run_dir: Path) -> Path:
    """Make ``<root>/latest`` a relative symlink to ``run_dir``, replaced in one rename."""
    run_dir = Path(run_dir)
    link = run_dir.parent / LATEST
    tmp = run_dir.parent / f".{LATEST}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_dir.name, tmp)
    os.replace(tmp, link)
    return link


def history_dir(run_dir: Path) -> Path:
    """The history a run is recorded in: ``history/`` beside its folder (shared by the runs)."""
    return Path(run_dir).parent / HISTORY


class RunNotFound(Exception):
    """No run by that name: the message is the one line a user reads."""


def resolve(run: str | os.PathLike[str] | None = None, root: Path = RUNS) -> Path:
    """The folder of a run: ``latest`` (default), a folder name under ``root``, or a path.

    A path to a ``run.json`` names its folder. The folder is returned as given
    (``latest`` stays ``.../latest``), so printed paths are the ones a user
    typed, and must hold a ``run.json``.
    """
    spec = str(run) if run not in (None, "") else LATEST
    is_path = os.sep in spec or spec.startswith(".")
    cands = [Path(spec)] if is_path else []
    cands += [Path(root) / spec]
    for c in cands:
        d = c.parent if c.name == RUN_JSON else c
        if (d / RUN_JSON).is_file():
            return d
    if is_path:
        raise RunNotFound(f"no run recorded at {spec} (no {RUN_JSON} there)")
    if spec == LATEST:
        raise RunNotFound(f"no run recorded under {_show(root)} yet; run make regress first")
    names = [r.name for r in runs(root)]
    if not names:
        raise RunNotFound(f"no run {spec!r}: no run recorded under {_show(root)} yet")
    recent = ", ".join(names[:5])
    raise RunNotFound(f"no run {spec!r} under {_show(root)}; the newest: {recent}")


def runs(root: Path = RUNS) -> list[Path]:
    """The run folders under ``root`` that hold a ``run.json``, newest first."""
    if not Path(root).is_dir():
        return []
    found = [
        p
        for p in Path(root).iterdir()
        if not p.is_symlink() and p.is_dir() and (p / RUN_JSON).is_file()
    ]
    return sorted(found, key=lambda p: (p / RUN_JSON).stat().st_mtime, reverse=True)


def _show(path: Path) -> str:
    """``path`` relative to the working folder when it is under it (as a user types it)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        print(_show(resolve(args[0] if args else None)))
    except RunNotFound as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
