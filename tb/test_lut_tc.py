# SPDX-License-Identifier: Apache-2.0
"""The cocotb test module of the LUT Tensor Core (``tb.test_lut_tc``), every transport.

Importing it registers every test of :func:`tb.tests.catalog` under its class
name, on the toplevel of the run's transport (``lut_tensor_core`` for
``pins``, ``lut_tc_bridge`` for ``batch``). Knobs: :mod:`tb.knobs`.
On a bug-injection build (``LUT_TC_EXPECT_DUT_BUG``) only the tests that
expect that kind of bug run; on a clean build they are skipped.

Group runs (``LUT_TC_GROUP``, a JSON file the regression runner writes) put
several jobs of one build into one simulator process instead: one cocotb
test per job, each with its own env (set for the length of the test), its own
seed (seeded as a lone run of that test would be), its own folder for its
coverage dump, first error and response digest, and its own verdict. Each
verdict is written to the results file as soon as it is known, so a later
test that crashes the simulator does not take it along. Each test also has
its own time base (:mod:`tb.timebase`): every time it prints, in reports and
in the log, counts from its own start, as in a lone run of that job.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cocotb
import pyuvm
from pyuvm import uvm_root

from tb import knobs, rand, timebase
from tb.tests import catalog


def _bug() -> str | None:
    """The kind of bug the run's build carries, as ``LUT_TC_EXPECT_DUT_BUG`` says."""
    if knobs.expect_protocol_bug():
        return "protocol"
    return "data" if knobs.expect_dut_bug() else None


def _timeout(name: str) -> int:
    return 10_000_000 if name.endswith("BenchTest") else 50_000 * max(1.0, knobs.scale())


#: A test's name in a lone run's results; its seed derives from it (cocotb's rule).
_MODULE = __name__

#: The line a group test logs first: the runner splits the process log at it.
JOB_MARK = "==== job "


@contextmanager
def _env(env: dict[str, str]) -> Iterator[None]:
    """``env`` in ``os.environ`` for the length of the block (knobs read it when asked)."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _job(entry: dict) -> Iterator[None]:
    """One group entry's env, seed, folder and coverage name, for the length of its test."""
    d = Path(entry["dir"])
    d.mkdir(parents=True, exist_ok=True)
    own = {**entry.get("env", {}), "LUT_TC_JOB_DIR": str(d), "LUT_TC_COV_NAME": entry["job_id"]}
    with _env(own):
        rand.set_test_seed(int(entry["seed"]), f"{_MODULE}.{entry['test']}")
        progress = os.environ.get("LUT_TC_PROGRESS")
        if progress:  # the runner's watchdog: which test runs, since when
            Path(progress + ".part").write_text(json.dumps({"job_id": entry["job_id"]}))
            os.replace(progress + ".part", progress)
        cocotb.log.info(f"{JOB_MARK}{entry['job_id']}")
        try:
            yield
        finally:
            rand.clear_test_seed()


async def _run_job(entry: dict, cls: type) -> None:
    with _job(entry):
        await timebase.start()  # the job's time 0: its clock starts here
        waited = timebase.waited_ns()
        if waited:  # the runner takes it off the test's simulated time (as a lone run has it)
            wait = json.dumps({"waited_ns": waited})
            (Path(entry["dir"]) / timebase.WAITED_FILE).write_text(wait)
        await uvm_root().run_test(cls)


def _register_group(path: Path) -> None:
    tests = catalog(selftests=True)
    timebase.install_log_time()
    created: list[str] = []
    for i, entry in enumerate(json.loads(path.read_text())["jobs"]):
        cls = tests[entry["test"]]

        # A plain function that returns the test's coroutine: cocotb calls it when
        # it creates the test, before it logs the test's `running` line, so the
        # job's time base (tb.timebase) is in place for that line too.
        def run(_dut, entry=entry, cls=cls):
            timebase.plan(first=not created)
            created.append(entry["job_id"])
            return _run_job(entry, cls)

        run.__name__ = run.__qualname__ = entry["name"]
        with _env(entry.get("env", {})):  # its scale and expected bug, as in a lone run
            timeout, bug = _timeout(entry["test"]), _bug()
        globals()[f"__job{i}"] = cocotb.test(
            name=entry["name"],
            timeout_time=timeout,
            timeout_unit="us",
            skip=cls.needs_bug != bug,
            expect_error=cls.expect_error,
        )(run)
    _write_results_as_they_come()


def _write_results_as_they_come() -> None:
    """Write the results file after every test, not only at the end of the process.

    cocotb (2.1, pinned) writes its xUnit file once, when the regression
    ends; a simulator that crashes or is killed by the runner's watchdog
    would lose every verdict of its group. Each ``add_testcase`` now also
    rewrites the file (atomically), so the runner knows exactly which jobs
    finished and reruns only the rest.
    """
    from cocotb._xunit_reporter import XUnitReporter

    add = XUnitReporter.add_testcase

    def add_and_write(self, *args, **kwargs) -> None:
        add(self, *args, **kwargs)
        path = os.environ.get("COCOTB_RESULTS_FILE", "results.xml")
        self.write(path + ".part")
        os.replace(path + ".part", path)

    XUnitReporter.add_testcase = add_and_write


if os.environ.get("LUT_TC_GROUP"):
    _register_group(Path(os.environ["LUT_TC_GROUP"]))
else:
    for _name, _cls in sorted(catalog().items()):
        pyuvm.test(
            timeout_time=_timeout(_name),
            timeout_unit="us",
            skip=_cls.needs_bug != _bug(),
            expect_error=_cls.expect_error,
        )(_cls)
