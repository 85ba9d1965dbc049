# SPDX-License-Identifier: Apache-2.0
"""The signoff evidence a regression's dashboard shows beside its own code coverage.

Mutation testing (``make mutate``) and formal proofs (``make formal``) are runs
of their own, not jobs of a regression: the dashboard shows the newest of each
(their ``latest`` folders) as a panel, naming the run it came from, so one page
holds functional coverage, code coverage, the mutation score and the proofs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flow.formal import runner as formal_runner
from flow.mutate import campaign as mutate_campaign
from flow.mutate import report as mutate_report


def _href(target: Path, out_dir: Path) -> str:
    rel = os.path.relpath(target.resolve(), Path(out_dir).resolve())
    return quote(Path(rel).as_posix())


def _pct(score: float | None) -> str:
    return "n/a" if score is None else f"{100 * score:.1f} %"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v)


def _newest(
    kind: str,
    title: str,
    command: str,
    path: Path,
    read: Callable[[Path], Any],
    shape: Callable[[Any, Path], dict[str, Any]],
) -> dict[str, Any]:
    """The panel of the run ``path`` (a ``latest/<file>``) belongs to: ``read`` it, then
    ``shape`` the figures with the run's own folder; a missing or unreadable run says so."""
    head = {"kind": kind, "title": title, "view": ""}
    if not path.is_file():
        return {**head, "missing": command}
    try:
        data = read(path)
    except (OSError, ValueError, KeyError) as exc:
        return {**head, "error": str(exc)}
    run_dir = path.parent.resolve()
    return {**head, "view": f"signoff_{kind}.html.j2", "run": run_dir.name, **shape(data, run_dir)}


def mutation_panel(out_dir: Path, runs: Path = mutate_campaign.RUNS) -> dict[str, Any]:
    """The newest ``make mutate`` run's scores, or a panel saying there is none."""

    def shape(p: dict, run_dir: Path) -> dict[str, Any]:
        return {
            **p,
            "page": _href(run_dir / "mutate.html", out_dir),
            "score_text": _pct(p["score"]),
            "counts_text": _counts(p["counts"]),
            "core_rows": [
                {
                    "name": c,
                    "score": _pct(r["score"]),
                    "total": r["total"],
                    "counts": _counts(r["counts"]),
                }
                for c, r in p["cores"].items()
            ],
        }

    path = runs / "latest" / "mutate.json"
    return _newest("mutation", "Mutation score", "make mutate", path, mutate_report.panel, shape)


def formal_panel(out_dir: Path, runs: Path = formal_runner.RUNS) -> dict[str, Any]:
    """The newest ``make formal`` run's results per core, or a panel saying there is none."""

    def shape(per_core: dict, run_dir: Path) -> dict[str, Any]:
        return {
            "page": _href(run_dir, out_dir),
            "core_rows": [{"name": c, **r} for c, r in per_core.items()],
        }

    path = runs / "latest" / "formal.json"
    return _newest("formal", "Formal proofs", "make formal", path, formal_runner.signoff, shape)


def latest_panels(out_dir: Path) -> list[dict[str, Any]]:
    """The mutation and formal panels, after the run's own (every key the page reads set)."""
    return [
        {"error": "", "missing": "", **panel}
        for panel in (mutation_panel(out_dir), formal_panel(out_dir))
    ]
