"""pytest side of the regression runner: one test item per job, for xdist.

``tools/regress.py`` writes the jobs to ``$LUT_TC_JOBS_FILE`` and calls pytest
on this file; each item runs one simulation and records its result as JSON.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest

from tools.regress import OUT, Job, result_path, run_job

_JOBS = (
    [
        Job(
            **{
                k: tuple(tuple(x) if isinstance(x, list) else x for x in v)
                if isinstance(v, list)
                else v
                for k, v in d.items()
            }
        )
        for d in json.loads(Path(os.environ["LUT_TC_JOBS_FILE"]).read_text())
    ]
    if os.environ.get("LUT_TC_JOBS_FILE")
    else []
)


@pytest.mark.parametrize("job", _JOBS, ids=[j.job_id for j in _JOBS])
def test_job(job: Job) -> None:
    out = Path(os.environ.get("LUT_TC_OUT", OUT))
    res = run_job(job, out, cov_dir=out / "cov", prebuilt=True)
    path = result_path(job, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**asdict(res), "job": asdict(job)}))
    assert res.result == "PASS", f"{res.message}\nreproduce: {job.repro()}"
