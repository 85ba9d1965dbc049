#!/usr/bin/env python3
"""Regression runner: suite file -> builds -> parallel cocotb runs -> summary.

A suite (``regressions/<name>.toml``) is data: tests x seeds x configs x
simulators. Each (simulator, config, defines) is built once and reused by all
its tests; the runs go through pytest-xdist so ``--jobs`` scales and JUnit XML
comes for free. Every failure is printed with the one command that reproduces
it with waves.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.config import CONFIGS, config_by_name  # noqa: E402
from tb import simrun  # noqa: E402
from tb.build import BUGS, TEST_MODULE, build_for, build_name_for, toplevel_for  # noqa: E402
from tb.scoreboard import FIRST_ERROR_FILE  # noqa: E402
from tb.transports import TRANSPORTS  # noqa: E402

SUITES = ROOT / "regressions"
OUT = ROOT / "build" / "regress"


@dataclass(frozen=True)
class Job:
    """One simulation: what to build and what to run, all a rerun needs."""

    test: str
    seed: int
    sim: str
    config: str
    defines: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    transport: str = "pins"

    @property
    def build_name(self) -> str:
        return build_name_for(self.transport, config_by_name(self.config), self.defines)

    @property
    def build_key(self) -> tuple[str, str, tuple[str, ...], str]:
        """What to compile: runs with the same key share one build."""
        return (self.sim, self.config, self.defines, self.transport)

    @property
    def job_id(self) -> str:
        tag = "".join(f"_{d}" for d in self.defines)
        return f"{self.sim}-{self.transport}-{self.config}{tag}-{self.test}-{self.seed}"

    def repro(self) -> str:
        """The one command that reruns this job with waves (its suite env included)."""
        cmd = "".join(f"{k}={shlex.quote(v)} " for k, v in self.env)
        cmd += (
            f"make waves TEST={self.test} SEED={self.seed} SIM={self.sim} "
            f"CONFIG={self.config} TRANSPORT={self.transport}"
        )
        if self.defines:
            cmd += f" DEFINES={','.join(self.defines)}"
        return cmd


@dataclass
class Result:
    job: Job
    result: str = "ERROR"  # PASS / FAIL / ERROR
    sim_time_ns: float = 0.0
    wall_s: float = 0.0
    log: str = ""
    message: str = field(default="")


def _seed_for(base: int, test: str, i: int) -> int:
    """Deterministic per-test seeds: the same suite and base seed, the same runs."""
    h = hashlib.sha256(f"{base}:{test}:{i}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def load_suite(name: str) -> dict:
    """A suite by name (``regressions/<name>.toml``) or by path to a .toml file."""
    path = Path(name) if name.endswith(".toml") else SUITES / f"{name}.toml"
    if not path.exists():
        known = sorted(p.stem for p in SUITES.glob("*.toml") if p.stem != "testplan")
        raise SystemExit(f"suite={name!r} unknown; choose one of {known}")
    try:
        suite = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SystemExit(f"{path.name}: not valid TOML: {exc}") from None
    check_suite(suite, path.name)
    return suite


#: Keys a suite file may have, at the top and per ``[[tests]]`` entry, with their types.
SUITE_KEYS: dict[str, type] = {
    "description": str,
    "seed": int,
    "sims": list,
    "configs": list,
    "transports": list,
    "reseed": int,
    "tests": list,
}
TEST_KEYS: dict[str, type] = {
    "name": str,
    "sims": list,
    "configs": list,
    "transports": list,
    "reseed": int,
    "defines": list,
    "env": dict,
}


_KIND = {str: "a string", int: "an integer", list: "a list", dict: "a table"}


def _check_keys(where: str, table: dict, keys: dict) -> None:
    for key, value in table.items():
        if key not in keys:
            raise SystemExit(f"{where}: key {key!r} unknown; choose one of {', '.join(keys)}")
        if isinstance(value, bool) or not isinstance(value, keys[key]):
            raise SystemExit(f"{where}: {key}={value!r} must be {_KIND[keys[key]]}")


def check_suite(suite: dict, file: str) -> None:
    """Every key known and of its type, every name, value and test registered: one line each.

    A misspelled key (``sim =`` for ``sims =``) would otherwise be ignored and the
    run go ahead on other settings than the file asks for; so would a bad value
    until its build started. Nothing is built before this passes.
    """
    from tb.tests import catalog

    _check_keys(file, suite, SUITE_KEYS)
    tests = suite.get("tests")
    if not tests:
        raise SystemExit(f"{file}: no [[tests]] entries")
    choices = {
        "sims": simrun.SIMS,
        "transports": TRANSPORTS,
        "configs": tuple(CONFIGS),
        "defines": BUGS,
    }
    registered = catalog()
    tables = [(file, suite)] + [
        (f"{file} [[tests]] #{i + 1}", t if isinstance(t, dict) else {"name": t})
        for i, t in enumerate(tests)
    ]
    for where, table in tables:
        if table is not suite:
            _check_keys(where, table, TEST_KEYS)
            if "name" not in table:
                raise SystemExit(f"{where}: needs a name (a test: {', '.join(sorted(registered))})")
            if table["name"] not in registered:
                raise SystemExit(
                    f"{where}: name={table['name']!r} is no registered test; "
                    f"choose one of {', '.join(sorted(registered))}"
                )
            where = f"{where} ({table['name']})"
        for key, valid in choices.items():
            for v in table.get(key, ()):
                if v not in valid:
                    raise SystemExit(
                        f"{where}: {key}: {v!r} unknown; choose one of {', '.join(valid)}"
                    )
        if table.get("reseed", 1) < 1:
            raise SystemExit(f"{where}: reseed={table['reseed']} must be >= 1")
        for k, v in table.get("env", {}).items():
            if not isinstance(v, str):
                raise SystemExit(f"{where}: env {k}={v!r} must be a string")


def test_transports(test: str) -> tuple[tuple[str, ...], str]:
    """(transports ``test`` runs on, why only those); ValueError naming the known tests."""
    from tb.tests import test_class

    cls = test_class(test)
    return tuple(cls.transports), cls.transports_why


def refusal(test: str, transport: str) -> str | None:
    """The one-line reason ``test`` does not run on ``transport``, or None."""
    ok, why = test_transports(test)
    if transport in ok:
        return None
    return f"{test} runs on transport {' or '.join(ok)} only" + (f" ({why})" if why else "")


def config_refusal(test: str, config: str) -> str | None:
    """The one-line reason ``test`` does not run on configuration ``config``, or None."""
    from tb.tests import test_class
    from tb.tests.base_test import fp_configs

    cfg = config_by_name(config)  # ValueError naming the configurations
    if test_class(test).needs_fp and not cfg.has_fp:
        return f"{test} needs a configuration that builds FP formats ({', '.join(fp_configs())})"
    return None


def _choice(field: str, value: str, choices) -> str:
    if value not in choices:
        raise SystemExit(f"{field}={value!r} unknown; choose one of {', '.join(choices)}")
    return value


def expand(
    suite: dict, sims: list[str] | None, seed: int | None, transports: list[str] | None = None
) -> list[Job]:
    """Suite data -> list of jobs. ``seed`` given: every test runs once with it.

    A test runs on every transport its suite entry (or the suite) lists and
    the test itself accepts; the others are left out, not failed.
    """
    base = suite.get("seed", 1) if seed is None else seed
    jobs = []
    for t in suite["tests"]:
        name = t["name"]
        try:
            accepted, _ = test_transports(name)
        except ValueError as exc:
            raise SystemExit(f"suite test name: {exc}") from None
        t_sims = sims or t.get("sims", suite.get("sims", ["icarus"]))
        t_trs = transports or t.get("transports", suite.get("transports", ["pins"]))
        configs = t.get("configs", suite.get("configs", ["M2N64"]))
        reseed = 1 if seed is not None else int(t.get("reseed", suite.get("reseed", 1)))
        for sim in t_sims:
            _choice("sim", sim, simrun.SIMS)
            for tr in t_trs:
                _choice("transport", tr, TRANSPORTS)
                if tr not in accepted:
                    continue
                for cfg in configs:
                    try:
                        why = config_refusal(name, cfg)  # fail early on a typo
                    except ValueError as exc:
                        raise SystemExit(f"suite {name}: {exc}") from None
                    if why:
                        raise SystemExit(f"suite {name}: config={cfg!r}: {why}")
                    for i in range(reseed):
                        s = seed if seed is not None else _seed_for(base, name, i)
                        jobs.append(
                            Job(
                                test=name,
                                seed=s,
                                sim=sim,
                                config=cfg,
                                defines=tuple(t.get("defines", ())),
                                env=tuple(sorted(t.get("env", {}).items())),
                                transport=tr,
                            )
                        )
    return jobs


def build_one(
    sim: str, config: str, defines: tuple[str, ...], transport: str = "pins", waves: bool = False
):
    return build_for(sim, config_by_name(config), transport, defines, waves)


def run_job(
    job: Job, out: Path, waves: bool = False, cov_dir: Path | None = None, prebuilt: bool = False
) -> Result:
    """Run one job (building first unless ``prebuilt``); errors become results."""
    res = Result(job)
    t0 = time.monotonic()
    test_dir = out / "runs" / job.job_id
    xml = test_dir / "results.xml"
    if xml.exists():
        xml.unlink()  # a stale file must not pass for this run's result
    (test_dir / FIRST_ERROR_FILE).unlink(missing_ok=True)
    env = {"LUT_TC_CONFIG": job.config, "LUT_TC_TRANSPORT": job.transport, **dict(job.env)}
    if cov_dir is not None:
        env["LUT_TC_COV_DIR"] = str(cov_dir)
        env["LUT_TC_COV_NAME"] = job.job_id
    try:
        runner = None if prebuilt else build_one(*job.build_key, waves=waves)
        toplevel = toplevel_for(job.transport)
        simrun.run(
            runner,
            job.sim,
            toplevel,
            TEST_MODULE,
            testcase=job.test,
            seed=job.seed,
            extra_env=env,
            waves=waves,
            test_dir=test_dir,
            results_xml=str(xml),
            build_dir=simrun.build_dir_for(job.sim, job.build_name, waves),
            # Icarus dumps into the build dir unless told; keep waves per run.
            plusargs=[f"+dumpfile_path={test_dir / (toplevel + '.fst')}"] if waves else [],
        )
    except SystemExit:
        pass  # under pytest the cocotb runner exits on a failed test: the XML says why
    except Exception as exc:  # a build failure or a crashed simulator
        res.message = f"{type(exc).__name__}: {exc}"
    if not res.message:
        res.sim_time_ns, res.result, res.message = _parse_results(xml, job.test)
    res.wall_s = time.monotonic() - t0
    res.log = str(test_dir)
    return res


def _parse_results(xml: Path, test: str) -> tuple[float, str, str]:
    import xml.etree.ElementTree as ET

    if not xml.exists():
        return 0.0, "ERROR", "no results file: the simulator did not finish"
    cases = [c for c in ET.parse(xml).iter("testcase") if c.get("name") == test]
    if not cases:
        return 0.0, "ERROR", f"test {test!r} did not run (unknown name?)"
    case = cases[0]
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    sim_ns = float(props.get("sim_time_duration") or 0.0)
    fail = case.find("failure")
    err = case.find("error")
    if fail is not None or err is not None:
        node = fail if fail is not None else err
        return (
            sim_ns,
            "FAIL",
            (node.get("message") or "").splitlines()[0][:200] if node.get("message") else "failed",
        )
    return sim_ns, "PASS", ""


def summarize(results: list[Result], junit: Path) -> int:
    tw = max([24, *(len(r.job.test) for r in results)])
    hdr = (
        f"{'test':<{tw}} {'seed':>10} {'sim':<9} {'transport':<9} {'config':<8} {'result':<6} "
        f"{'sim time':>12} {'wall':>7}"
    )
    print("\n" + hdr + "\n" + "-" * len(hdr))
    for r in sorted(results, key=lambda r: dataclasses.astuple(r.job)[:5]):
        j = r.job
        print(
            f"{j.test:<{tw}} {j.seed:>10} {j.sim:<9} {j.transport:<9} {j.config:<8} "
            f"{r.result:<6} {r.sim_time_ns / 1000:>10.1f}us {r.wall_s:>6.1f}s"
        )
    failed = [r for r in results if r.result != "PASS"]
    print("-" * len(hdr))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    print(f"JUnit XML: {junit}")
    for r in failed:
        j = r.job
        print(
            f"\nFAILED {j.test} seed={j.seed} sim={j.sim} transport={j.transport} "
            f"config={j.config}: {r.message}"
        )
        print(f"  log:        {r.log}")
        print(f"  reproduce:  {j.repro()}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--suite", default="smoke", help="regressions/<suite>.toml")
    ap.add_argument(
        "--sim", default="", help="icarus, verilator, all, or empty for the suite's own"
    )
    ap.add_argument("--seed", type=int, default=None, help="run every test once with this seed")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--test", help="run one test (with --config, --seed) instead of a suite")
    ap.add_argument("--config", default="M2N64")
    ap.add_argument(
        "--transport",
        default="",
        help="pins, batch, all, or empty for the suite's own (a single --test: pins)",
    )
    ap.add_argument("--define", action="append", default=[], help="RTL define (bug injection)")
    ap.add_argument("--waves", action="store_true", help="dump FST + GTKWave save file")
    ap.add_argument("--list", action="store_true", help="print the jobs and exit")
    ap.add_argument("--out", type=Path, default=OUT, help="results, logs, JUnit XML, coverage")
    args = ap.parse_args(argv)

    if args.test:
        return _single(args)

    sims = _many("sim", args.sim, simrun.SIMS)
    transports = _many("transport", args.transport, TRANSPORTS)
    suite = load_suite(args.suite)
    jobs = expand(suite, sims, args.seed, transports)
    if args.list:
        for j in jobs:
            print(j.job_id, j.defines or "")
        return 0
    return _run_suite(args.suite, jobs, args.jobs, args.out)


def _many(field: str, value: str, choices) -> list[str] | None:
    """``all`` -> every choice, ``""`` -> None (the suite's own), else that one (checked)."""
    if not value:
        return None
    if value == "all":
        return list(choices)
    return [_choice(field, value, choices)]


def _run_suite(suite: str, jobs: list[Job], n: int, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    cov_dir = out / "cov"
    if cov_dir.exists():
        for f in cov_dir.glob("*.json"):
            f.unlink()
    cov_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # Builds first, in parallel: each (sim, config, defines) exactly once.
    builds = sorted({j.build_key for j in jobs})
    print(f"suite {suite}: {len(jobs)} runs, {len(builds)} builds, {n} jobs")
    with ThreadPoolExecutor(max_workers=max(1, n)) as pool:
        for b, exc in zip(builds, pool.map(_safe_build, builds), strict=True):
            if exc:
                print(f"BUILD FAILED {b}: {exc}")
    t_build = time.monotonic() - t0
    jobs_file = out / "jobs.json"
    jobs_file.write_text(json.dumps([asdict(j) for j in _longest_first(jobs, out)]))
    for j in jobs:  # a crashed worker must not leave an old PASS standing
        result_path(j, out).unlink(missing_ok=True)
    junit = out / "junit.xml"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "tools" / "regress_cases.py"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(ROOT),
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit2",
    ]
    if n > 1:
        cmd += ["-n", str(n)]
    env = {**os.environ, "LUT_TC_JOBS_FILE": str(jobs_file), "LUT_TC_OUT": str(out)}
    subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    results = [_load_result(j, out) for j in jobs]
    rc = summarize(results, junit)
    print(f"builds {t_build:.1f}s, total {time.monotonic() - t0:.1f}s wall; coverage: make cov")
    return rc


def _longest_first(jobs: list[Job], out: Path) -> list[Job]:
    """Order by the last run's wall time, longest (or never run) first.

    xdist hands jobs out in order; a long job started last leaves the other
    worker idle at the end, which is what limits scaling with 2 jobs.
    """

    def last_wall(j: Job) -> float:
        p = result_path(j, out)
        return json.loads(p.read_text()).get("wall_s", 0.0) if p.exists() else float("inf")

    return sorted(jobs, key=last_wall, reverse=True)


def _safe_build(b: tuple[str, str, tuple[str, ...], bool]) -> str | None:
    try:
        build_one(*b)
        return None
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"


def result_path(job: Job, out: Path) -> Path:
    return out / "results" / f"{job.job_id}.json"


def _load_result(job: Job, out: Path) -> Result:
    p = result_path(job, out)
    if not p.exists():
        return Result(job, "ERROR", message="no result recorded (worker crashed?)")
    d = json.loads(p.read_text())
    d.pop("job")
    return Result(job, **d)


def _single(args: argparse.Namespace) -> int:
    # The suite's env for the test, unless the command line's environment says otherwise
    # (a repro command sets it explicitly).
    runner_vars = {
        "LUT_TC_CONFIG",
        "LUT_TC_COV_DIR",
        "LUT_TC_COV_NAME",
        "LUT_TC_JOBS_FILE",
        "LUT_TC_OUT",
    }
    given = {
        k: v for k, v in os.environ.items() if k.startswith("LUT_TC_") and k not in runner_vars
    }
    sim = _choice("sim", args.sim or "icarus", simrun.SIMS)
    transport = args.transport or os.environ.get("LUT_TC_TRANSPORT") or "pins"
    transport = _choice("transport", transport, TRANSPORTS)
    try:
        cfg_why = config_refusal(args.test, args.config)
        why = refusal(args.test, transport)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    if cfg_why:
        raise SystemExit(f"refused: {cfg_why}; asked for config {args.config}")
    if why:
        raise SystemExit(f"refused: {why}; asked for transport {transport}")
    given.pop("LUT_TC_TRANSPORT", None)
    env = {**_env_for(args.test), **given}
    job = Job(
        args.test,
        args.seed if args.seed is not None else 1,
        sim,
        args.config,
        tuple(args.define),
        tuple(sorted(env.items())),
        transport,
    )
    out = ROOT / "build" / "waves" if args.waves else args.out
    res = run_job(job, out, waves=args.waves)
    rc = summarize([res], Path("-"))
    if args.waves:
        from tools.waves import ERROR_WINDOW_NS, check_save_file, core_scope, write_save_file

        dump = _find_dump(Path(res.log))
        if dump is None:
            print("no wave file was written")
            return 1
        window, marker, first = (0.0, max(res.sim_time_ns, 1.0)), None, _first_error(dump.parent)
        if first is not None:
            marker = first["time_ns"]
            window = (marker - ERROR_WINDOW_NS, marker + ERROR_WINDOW_NS)
            print(f"first error at {marker:.0f} ns (marker set): {first['error'][:160]}")
        gtkw = write_save_file(
            dump, config_by_name(job.config), core_scope(job.transport), window, marker
        )
        for problem in check_save_file(gtkw, dump):
            print(f"warning: {problem}")
        print(f"\nwaves: {dump}\nopen:  gtkwave {shlex.quote(str(gtkw))}")
    return rc


def _env_for(test: str) -> dict[str, str]:
    """What a bug-injection test expects, from any suite that lists it (not its scale)."""
    for path in sorted(SUITES.glob("*.toml")):
        for t in tomllib.loads(path.read_text()).get("tests", []):
            expect = t.get("env", {}).get("LUT_TC_EXPECT_DUT_BUG")
            if t.get("name") == test and expect:
                return {"LUT_TC_EXPECT_DUT_BUG": expect}
    return {}


def _first_error(test_dir: Path) -> dict | None:
    """The scoreboard's first error of a run (time and message), if it had one."""
    p = test_dir / FIRST_ERROR_FILE
    return json.loads(p.read_text()) if p.exists() else None


def _find_dump(test_dir: Path) -> Path | None:
    cands = list(test_dir.glob("*.fst"))
    return max(cands, key=lambda p: p.stat().st_mtime) if cands else None


if __name__ == "__main__":
    sys.exit(main())
