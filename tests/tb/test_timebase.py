# SPDX-License-Identifier: Apache-2.0
"""One time base: a job reports the same times alone and as the second test of a group.

In a group run the second test starts at whatever time the first one ended;
its reports, its log's time column and its ``first_error`` must still say
what its lone repro and its waves show (:mod:`tb.timebase`).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from models.batch import bus_bytes
from models.config import config_by_name
from tb.bridge import REC_MARK, decode_segment
from tests.needs import needs

BUG = ("LUT_TC_BUG_NO_NEGATE",)


def _first(result) -> tuple[dict, str]:
    """(first_error record, the log line of the first MISMATCH) of one job's result."""
    first = json.loads(result.files["scoreboard_first_error.json"])
    log = result.files["sim.log"].decode()
    return first, next(ln for ln in log.splitlines() if "MISMATCH:" in ln)


@needs("icarus")
@pytest.mark.parametrize("transport", ["pins", "batch"])
def test_a_failure_reports_the_same_time_alone_and_second_in_a_group(transport: str) -> None:
    from flow.build import build_for
    from flow.regress.group import run_group
    from flow.regress.jobs import Job, job_to_dict

    before = Job("RandomStreamTest", 2, "icarus", "M2N4", BUG, (), transport)
    failing = Job("RandomStreamTest", 1, "icarus", "M2N4", BUG, (), transport)
    build_for("icarus", failing.cfg, transport, BUG)
    alone = run_group([job_to_dict(failing)], cov=False)
    group = run_group([job_to_dict(before), job_to_dict(failing)], cov=False)
    assert group.processes == 1 and group.results[0].sim_time_ns > 0  # really after another
    (a_first, a_line), (g_first, g_line) = _first(alone.results[0]), _first(group.results[1])
    assert g_first == a_first  # time_ns, cycle, tag, message: "answered at 110 ns (cycle 11)"
    assert re.search(r"answered at \d+ ns \(cycle \d+\)", g_first["error"])
    assert g_line.split()[0] == a_line.split()[0]  # the log's time column, e.g. "110.00ns"
    running = next(ln for ln in group.results[1].files["sim.log"].decode().splitlines())
    assert running.split()[0] == "0.00ns", running  # its section starts at its own time 0


def _record(tag: int, t_resp: int, t_acc: int, lanes: int) -> bytes:
    head = [(REC_MARK << 16) | tag, t_resp, t_acc, 0, 0]
    return np.array(head + [0] * lanes, dtype="<u4").tobytes()


def test_bridge_times_count_from_the_jobs_origin() -> None:
    """A group's second test: the bridge stamps process time; cycles count from its start."""
    cfg = config_by_name("M2N4")
    lanes = bus_bytes(cfg)["c"] // 4
    raw = _record(1, 5510, 5470, lanes)
    alone = decode_segment(_record(1, 90, 50, lanes), cfg, period_ns=10)
    later = decode_segment(raw, cfg, period_ns=10, origin_ns=5420)
    assert (later.cycle[0], later.in_cycle[0]) == (alone.cycle[0], alone.in_cycle[0]) == (9, 5)
    assert decode_segment(raw, cfg, period_ns=10).cycle[0] == 551  # without it: process time
