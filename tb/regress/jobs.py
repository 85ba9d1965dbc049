"""Jobs of a regression: suite files as data, validated, expanded into runs.

A suite (``regressions/<name>.toml``) is tests x seeds x configs x simulators
x transports. :func:`load_suite` checks every key and value before anything
builds; :func:`expand` turns it into :class:`Job` records, each carrying all
a rerun needs: its printed :meth:`Job.repro` command rebuilds exactly this
job (env, defines, transport, config, simulator and seed).
"""

from __future__ import annotations

import hashlib
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.config import (
    CONFIGS,
    CORES,
    DEFAULT_CORE,
    CoreConfig,
    config_by_name,
    config_label,
)
from tb import simrun
from tb.build import BUGS, CORE_BUGS, build_name_for
from tb.transports import TRANSPORTS

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "regressions"

#: The environment variable a bug-injection test reads; set from the test's ``needs_bug``.
EXPECT_BUG = "LUT_TC_EXPECT_DUT_BUG"
_EXPECT_VALUE = {"data": "1", "protocol": "protocol"}


class SuiteError(ValueError):
    """A suite file or a command line asks for something that does not exist (one line)."""


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
    core: str = DEFAULT_CORE

    @property
    def cfg(self) -> CoreConfig:
        """The configuration this job builds: its named shape on its core."""
        return config_by_name(self.config, self.core)

    @property
    def label(self) -> str:
        """The configuration as reports show it: ``M2N64``, or ``mac:M2N64`` on another core."""
        return config_label(self.config, self.core)

    @property
    def build_name(self) -> str:
        return build_name_for(self.transport, self.cfg, self.defines)

    @property
    def build_key(self) -> tuple[str, str, tuple[str, ...], str, str]:
        """What to compile: runs with the same key share one build."""
        return (self.sim, self.config, self.defines, self.transport, self.core)

    @property
    def group_key(self) -> tuple:
        """Runs with the same key can share one simulator process: the same build.

        The env is per test (a group test sets its own for its length), so
        jobs that differ only in it still share a process.
        """
        return self.build_key

    @property
    def job_id(self) -> str:
        tag = "".join(f"_{d}" for d in self.defines)
        core = "" if self.core == DEFAULT_CORE else f"{self.core}_"
        return f"{self.sim}-{self.transport}-{core}{self.config}{tag}-{self.test}-{self.seed}"

    def _make(self, target: str) -> str:
        cmd = "".join(f"{k}={shlex.quote(v)} " for k, v in self.env)
        cmd += (
            f"make {target} TEST={self.test} SEED={self.seed} SIM={self.sim} "
            f"CONFIG={self.config} TRANSPORT={self.transport}"
        )
        if self.core != DEFAULT_CORE:
            cmd += f" CORE={self.core}"
        if self.defines:
            cmd += f" DEFINES={','.join(self.defines)}"
        return cmd

    def repro(self) -> str:
        """The one command that reruns exactly this job (its env, defines and seed)."""
        return self._make("regress")

    def waves(self) -> str:
        """The same rerun with an FST and a GTKWave save file."""
        return self._make("waves")


@dataclass
class Result:
    """What one job did: verdict, times, where its log is, the first error."""

    job: Job
    result: str = "ERROR"  # PASS / FAIL / ERROR
    sim_time_ns: float = 0.0
    wall_s: float = 0.0
    log: str = ""  #: the job's simulator log (its section of its process's output)
    message: str = field(default="")
    first_error: dict | None = None  #: the scoreboard's first error (time_ns, error)
    responses: dict | None = None  #: count and sha256 of the responses the core gave
    attempt: int = 1  #: 1 in the first process of its group, 2+ after a crash or hang


def seed_for(base: int, test: str, i: int) -> int:
    """Deterministic per-test seeds of ``reseed``: the same suite and base seed, the same runs."""
    h = hashlib.sha256(f"{base}:{test}:{i}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES.glob("*.toml"))


def load_suite(name: str) -> dict:
    """A suite by name (``regressions/<name>.toml``) or by path to a .toml file."""
    path = Path(name) if name.endswith(".toml") else SUITES / f"{name}.toml"
    if not path.exists():
        raise SuiteError(f"suite={name!r} unknown; choose one of {suite_names()}")
    try:
        suite = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path.name}: not valid TOML: {exc}") from None
    check_suite(suite, path.name)
    return suite


#: Keys a suite file may have, at the top and per ``[[tests]]`` entry, with their types.
SUITE_KEYS: dict[str, type] = {
    "description": str,
    "seed": int,
    "sims": list,
    "configs": list,
    "transports": list,
    "cores": list,
    "reseed": int,
    "tests": list,
}
TEST_KEYS: dict[str, type] = {
    "name": str,
    "sims": list,
    "configs": list,
    "transports": list,
    "cores": list,
    "reseed": int,
    "defines": list,
    "env": dict,
}


_KIND = {str: "a string", int: "an integer", list: "a list", dict: "a table"}


def _check_keys(where: str, table: dict, keys: dict) -> None:
    for key, value in table.items():
        if key not in keys:
            raise SuiteError(f"{where}: key {key!r} unknown; choose one of {', '.join(keys)}")
        if isinstance(value, bool) or not isinstance(value, keys[key]):
            raise SuiteError(f"{where}: {key}={value!r} must be {_KIND[keys[key]]}")


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
        raise SuiteError(f"{file}: no [[tests]] entries")
    choices = {
        "sims": simrun.SIMS,
        "transports": TRANSPORTS,
        "configs": tuple(CONFIGS),
        "cores": tuple(CORES),
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
                raise SuiteError(f"{where}: needs a name (a test: {', '.join(sorted(registered))})")
            if table["name"] not in registered:
                raise SuiteError(
                    f"{where}: name={table['name']!r} is no registered test; "
                    f"choose one of {', '.join(sorted(registered))}"
                )
            where = f"{where} ({table['name']})"
        for key, valid in choices.items():
            for v in table.get(key, ()):
                if v not in valid:
                    raise SuiteError(
                        f"{where}: {key}: {v!r} unknown; choose one of {', '.join(valid)}"
                    )
        if table.get("reseed", 1) < 1:
            raise SuiteError(f"{where}: reseed={table['reseed']} must be >= 1")
        for k, v in table.get("env", {}).items():
            if not isinstance(v, str):
                raise SuiteError(f"{where}: env {k}={v!r} must be a string")


def _test_class(test: str) -> type:
    from tb.tests import test_class

    try:
        return test_class(test)
    except ValueError as exc:
        raise SuiteError(str(exc)) from None


def test_transports(test: str) -> tuple[tuple[str, ...], str]:
    """(transports ``test`` runs on, why only those); SuiteError naming the known tests."""
    cls = _test_class(test)
    return tuple(cls.transports), cls.transports_why


def refusal(test: str, transport: str) -> str | None:
    """The one-line reason ``test`` does not run on ``transport``, or None."""
    ok, why = test_transports(test)
    if transport in ok:
        return None
    return f"{test} runs on transport {' or '.join(ok)} only" + (f" ({why})" if why else "")


def config_refusal(test: str, config: str) -> str | None:
    """The one-line reason ``test`` does not run on configuration ``config``, or None."""
    from tb.tests.base_test import fp_configs

    try:
        cfg = config_by_name(config)
    except ValueError as exc:
        raise SuiteError(str(exc)) from None
    if _test_class(test).needs_fp and not cfg.has_fp:
        return f"{test} needs a configuration that builds FP formats ({', '.join(fp_configs())})"
    return None


def job_env(test: str, env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A job's env: what the suite or command line gives, plus what the test itself needs.

    A bug-injection test expects its kind of bug (``needs_bug``); the runner
    says so rather than relying on every suite entry to set it, so the job and
    its repro command carry the same variable.
    """
    out = dict(env)
    needs = _test_class(test).needs_bug
    if needs and EXPECT_BUG not in out:
        out[EXPECT_BUG] = _EXPECT_VALUE[needs]
    return tuple(sorted(out.items()))


def choice(field: str, value: str, choices) -> str:
    if value not in choices:
        raise SuiteError(f"{field}={value!r} unknown; choose one of {', '.join(choices)}")
    return value


def expand(
    suite: dict,
    sims: list[str] | None,
    seed: int | None,
    transports: list[str] | None = None,
    seeds: int | None = None,
    cores: list[str] | None = None,
    left_out: list[tuple[str, str]] | None = None,
) -> list[Job]:
    """Suite data -> list of jobs.

    ``seed`` given: every test runs with it (``seeds``: with ``seed``,
    ``seed + 1``, ... ``seeds`` times) instead of the suite's ``reseed`` seeds.
    A test runs on every transport its suite entry (or the suite) lists and
    the test itself accepts; the others are left out, not failed.
    ``cores`` (the command line's) replaces the suite's cores; a job whose
    configuration builds formats that core does not, or that plants a bug in
    a block the core does not have (``tb.build.CORE_BUGS``), is then left
    out, and ``(core, config or define, why)`` goes into ``left_out``, once
    per job (see :func:`left_out_lines`). A suite that itself names such a
    pair is refused.
    """
    base = suite.get("seed", 1) if seed is None else seed
    jobs = []
    for t in suite["tests"]:
        name = t["name"]
        accepted, _ = test_transports(name)
        t_sims = sims or t.get("sims", suite.get("sims", ["icarus"]))
        t_trs = transports or t.get("transports", suite.get("transports", ["pins"]))
        configs = t.get("configs", suite.get("configs", ["M2N64"]))
        t_cores = cores or t.get("cores", suite.get("cores", [DEFAULT_CORE]))
        if seeds is not None:
            run_seeds = [base + i for i in range(seeds)]
        elif seed is not None:
            run_seeds = [seed]
        else:
            reseed = int(t.get("reseed", suite.get("reseed", 1)))
            run_seeds = [seed_for(base, name, i) for i in range(reseed)]
        env = job_env(name, t.get("env", {}))
        for sim in t_sims:
            choice("sim", sim, simrun.SIMS)
            for tr in t_trs:
                choice("transport", tr, TRANSPORTS)
                if tr not in accepted:
                    continue
                for cfg in configs:
                    why = config_refusal(name, cfg)  # fail early on a typo
                    if why:
                        raise SuiteError(f"suite {name}: config={cfg!r}: {why}")
                    for core in t_cores:
                        choice("core", core, CORES)
                        missing = [d for d in t.get("defines", ()) if d not in CORE_BUGS[core]]
                        if not CONFIGS[cfg].fits(core):
                            why, what, kind = (
                                f"config {cfg} builds formats core {core} does not",
                                cfg,
                                FORMATS,
                            )
                        elif missing:
                            why, what, kind = (
                                f"core {core} has no block with {missing[0]}",
                                missing[0],
                                BUG,
                            )
                        else:
                            why = ""
                        if why:
                            if not cores:
                                raise SuiteError(f"suite {name}: core={core!r}: {why}")
                            if left_out is not None:
                                left_out += [(core, what, kind)] * len(run_seeds)
                            continue
                        for s in run_seeds:
                            jobs.append(
                                Job(
                                    test=name,
                                    seed=s,
                                    sim=sim,
                                    config=cfg,
                                    defines=tuple(t.get("defines", ())),
                                    env=env,
                                    transport=tr,
                                    core=core,
                                )
                            )
    seen: dict[str, Job] = {}
    for j in jobs:
        if j.job_id in seen:
            raise SuiteError(
                f"{j.job_id}: two [[tests]] entries give this job; give one of them "
                "other seeds (reseed), configs or defines"
            )
        seen[j.job_id] = j
    return jobs


#: Why :func:`expand` left a job out: the line :func:`left_out_lines` gives it.
FORMATS, BUG = "formats", "bug"
_LEFT_OUT = {
    FORMATS: ("on", "formats the core does not build"),
    BUG: ("with", "planted bugs in blocks the core does not have"),
}


def left_out_lines(left_out: list[tuple[str, str, str]]) -> list[str]:
    """One line per core and reason: how many jobs :func:`expand` left out, and on which
    configurations or with which defines."""
    out = []
    for core, kind in dict.fromkeys((c, k) for c, _, k in left_out):
        whats = sorted({w for c, w, k in left_out if (c, k) == (core, kind)})
        n = sum(1 for c, _, k in left_out if (c, k) == (core, kind))
        prep, why = _LEFT_OUT[kind]
        jobs = "job" if n == 1 else "jobs"
        out.append(f"left out on core {core}: {n} {jobs} {prep} {', '.join(whats)} ({why})")
    return out


def job_to_dict(job: Job) -> dict:
    return {
        "test": job.test,
        "seed": job.seed,
        "sim": job.sim,
        "config": job.config,
        "defines": list(job.defines),
        "env": dict(job.env),
        "transport": job.transport,
        "core": job.core,
    }


def job_from_dict(d: dict) -> Job:
    return Job(
        test=d["test"],
        seed=int(d["seed"]),
        sim=d["sim"],
        config=d["config"],
        defines=tuple(d.get("defines", ())),
        env=tuple(sorted(dict(d.get("env", {})).items())),
        transport=d.get("transport", "pins"),
        core=d.get("core", DEFAULT_CORE),
    )
