# SPDX-License-Identifier: Apache-2.0
"""Jobs of a regression: suite files as data, validated, expanded into runs.

A suite (``regressions/<name>.toml``) is tests x seeds x configs x simulators
x transports x cores (the format: ``regressions/README.md``).
:func:`load_suite` checks every key and value before anything builds;
:func:`expand` turns it into :class:`Job` records under the command line's
overrides (simulators, transports, configurations, cores, defines, seeds,
env) and says what it left out. Each job carries all a rerun needs: its
printed :meth:`Job.repro` command rebuilds exactly this job (env, defines,
transport, config, core, simulator and seed).
"""

from __future__ import annotations

import hashlib
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flow import simrun
from flow.bugs import DOC as BUG_DOC
from flow.build import BUGS, CORE_BUGS, FP_BUG_DATAPATHS, FP_BUGS, build_for, build_name_for
from flow.codecov.flags import NO_ICARUS
from models.config import (
    CONFIGS,
    CORES,
    DEFAULT_CORE,
    CoreConfig,
    config_by_name,
    config_label,
)
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
    #: built with Verilator code coverage (``flow.codecov``); never with a planted bug
    coverage: bool = False

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
    def build_key(self) -> tuple[str, str, tuple[str, ...], str, str, bool]:
        """What to compile: runs with the same key share one build."""
        return (self.sim, self.config, self.defines, self.transport, self.core, self.coverage)

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
        if self.coverage and target == "regress":  # waves: a traced build, no counts
            cmd += " COVERAGE=1"
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
    "coverage": bool,
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


_KIND = {
    str: "a string",
    int: "an integer",
    list: "a list",
    dict: "a table",
    bool: "true or false",
}


def _check_keys(where: str, table: dict, keys: dict) -> None:
    for key, value in table.items():
        if key not in keys:
            raise SuiteError(f"{where}: key {key!r} unknown; choose one of {', '.join(keys)}")
        if keys[key] is bool:
            if not isinstance(value, bool):
                raise SuiteError(f"{where}: {key}={value!r} must be {_KIND[bool]}")
        elif isinstance(value, bool) or not isinstance(value, keys[key]):
            raise SuiteError(f"{where}: {key}={value!r} must be {_KIND[keys[key]]}")


def check_suite(suite: dict, file: str) -> None:
    """Every key known and of its type, every name, value and test registered: one line each.

    A misspelled key (``sim =`` for ``sims =``) would otherwise be ignored and the
    run go ahead on other settings than the file asks for; so would a bad value
    until its build started. Nothing is built before this passes.
    """
    from tb.tests import catalog

    try:
        registered = catalog()
    except ValueError as exc:  # a test module that cannot be imported, or a name twice
        raise SuiteError(str(exc)) from None
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
                    about = f" (what each breaks: {BUG_DOC})" if key == "defines" else ""
                    raise SuiteError(
                        f"{where}: {key}: {v!r} unknown; choose one of {', '.join(valid)}{about}"
                    )
        default_sims = ["icarus"] if table is suite else []
        if suite.get("coverage") and "icarus" in table.get("sims", default_sims):
            raise SuiteError(f'{where}: coverage = true needs sims = ["verilator"] ({NO_ICARUS})')
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
    try:
        cfg = config_by_name(config)
    except ValueError as exc:
        raise SuiteError(str(exc)) from None
    return _test_class(test).refusal(cfg)


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


def define_refusal(define: str, config: str, core: str) -> str | None:
    """Why ``define`` plants nothing in ``config`` on ``core`` (one line), or None."""
    if define not in CORE_BUGS[core]:
        return f"core {core} has no block with {define}"
    cfg = config_by_name(config, core)
    if define in FP_BUGS and not cfg.has_fp:
        return f"config {config} builds no FP block for {define}"
    if define in FP_BUGS and int(cfg.fp_acc) not in FP_BUG_DATAPATHS[define]:
        return f"config {config}'s {cfg.fp_acc.name} FP datapath has no block with {define}"
    return None


def expand(
    suite: dict,
    sims: list[str] | None,
    seed: int | None,
    transports: list[str] | None = None,
    seeds: int | None = None,
    cores: list[str] | None = None,
    left_out: list[tuple[str, str, str]] | None = None,
    configs: list[str] | None = None,
    defines: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    coverage: bool | None = None,
) -> list[Job]:
    """Suite data -> list of jobs, with the command line's overrides applied.

    The suite gives each ``[[tests]]`` entry its simulators, transports,
    configurations, cores, defines, env and seeds (the entry's own key, else
    the suite's, else the default: icarus, every transport the test accepts,
    M2N64, lut_tc, none, none, ``reseed`` seeds from the suite's ``seed``).
    The command line narrows or overrides that, as dvsim's ``--build-opts`` and
    ``--seeds`` do: ``sims``, ``transports``, ``configs`` and ``cores``
    replace the suite's lists; ``defines`` are added to every job's own;
    ``env`` (``LUT_TC_*`` knobs) is set in every job over the suite's;
    ``seed`` runs every test once with it (``seeds``: ``seed``, ``seed + 1``,
    ... ``seeds`` times; the suite's ``seed`` is the base if ``seed`` is None).

    A test runs on the transports it accepts; the suite's others are left
    out quietly (documented), those the command line named are left out and
    said. A job the command line makes impossible (a core without the
    configuration's formats or the define's block, an FP bug on a
    configuration without FP, an FP test on an integer configuration) is left
    out, and ``(scope, what, kind)`` goes into ``left_out`` once per job (see
    :func:`left_out_lines`); a suite that itself asks for one is refused. Two
    entries that give the same job are refused too, unless an override made
    them alike: then the first is kept and the rest left out.

    ``coverage`` (``COVERAGE=1``; None: the suite's ``coverage`` key) builds
    every job with Verilator code coverage; an Icarus job is left out, said
    (Icarus has none), and a job with a planted bug runs on the default build
    (the coverage of a broken design is not the design's).
    """
    base = suite.get("seed", 1) if seed is None else seed
    cov = bool(suite.get("coverage", False)) if coverage is None else coverage
    env = dict(env or {})
    overridden = bool(sims or transports or configs or cores or defines or env) or (
        seed is not None or seeds is not None
    )
    out: list[tuple[str, str, str]] = []
    jobs = []
    for t in suite["tests"]:
        name = t["name"]
        accepted, _ = test_transports(name)
        t_sims = sims or t.get("sims", suite.get("sims", ["icarus"]))
        t_trs = transports or t.get("transports", suite.get("transports", list(TRANSPORTS)))
        t_cfgs = configs or t.get("configs", suite.get("configs", ["M2N64"]))
        t_cores = cores or t.get("cores", suite.get("cores", [DEFAULT_CORE]))
        own = tuple(t.get("defines", ()))
        t_defines = tuple(dict.fromkeys(own + tuple(defines)))
        if seeds is not None:
            run_seeds = [base + i for i in range(seeds)]
        elif seed is not None:
            run_seeds = [seed]
        else:
            reseed = int(t.get("reseed", suite.get("reseed", 1)))
            run_seeds = [seed_for(base, name, i) for i in range(reseed)]
        t_env = job_env(name, {**t.get("env", {}), **env})
        n = len(run_seeds)
        for sim in t_sims:
            choice("sim", sim, simrun.SIMS)
            for tr in t_trs:
                choice("transport", tr, TRANSPORTS)
                if tr not in accepted:
                    if transports:
                        out += [(tr, name, TRANSPORT)] * n
                    continue
                for cfg in t_cfgs:
                    why = config_refusal(name, cfg)  # fail early on a typo
                    if why:
                        if not configs:
                            raise SuiteError(f"suite {name}: config={cfg!r}: {why}")
                        fp = _test_class(name).needs_fp and not config_by_name(cfg).has_fp
                        out += [(cfg, name, NEEDS_FP if fp else NEEDS_AFMT)] * n
                        continue
                    for core in t_cores:
                        choice("core", core, CORES)
                        skip = _impossible(name, cfg, core, own, t_defines, bool(cores or configs))
                        if skip is not None:
                            out += [skip] * n
                            continue
                        if cov and sim != "verilator":
                            out += [(sim, name, NO_CODECOV)] * n
                            continue
                        c = cov and not t_defines
                        for s in run_seeds:
                            jobs.append(Job(name, s, sim, cfg, t_defines, t_env, tr, core, c))
    seen: dict[str, Job] = {}
    for j in jobs:
        if j.job_id in seen:
            if not overridden:
                raise SuiteError(
                    f"{j.job_id}: two [[tests]] entries give this job; give one of them "
                    "other seeds (reseed), configs or defines"
                )
            out.append(("", j.test, DUPLICATE))
            continue
        seen[j.job_id] = j
    if left_out is not None:
        left_out += out
    return list(seen.values())


def _impossible(
    test: str, cfg: str, core: str, own: tuple[str, ...], defines: tuple[str, ...], chosen: bool
) -> tuple[str, str, str] | None:
    """Why a (config, core, defines) job cannot be built, as a left-out record, or None.

    Raises SuiteError instead when the suite itself asks for it: ``chosen`` (the
    command line named the cores or configurations) and defines not in ``own``
    (added by the command line) are the command line's doing.
    """
    if not CONFIGS[cfg].fits(core):
        if not chosen:
            raise SuiteError(
                f"suite {test}: core={core!r}: config {cfg} builds formats core {core} does not"
            )
        return (core, cfg, FORMATS)
    for d in defines:
        why = define_refusal(d, cfg, core)
        if why is None:
            continue
        if d in own and not chosen:
            raise SuiteError(f"suite {test}: core={core!r}: {why}")
        return (core, d, BUG) if d not in CORE_BUGS[core] else (cfg, d, NO_FP_BLOCK)
    return None


#: Why :func:`expand` left a job out: the line :func:`left_out_lines` gives it.
FORMATS, BUG, NO_FP_BLOCK, NEEDS_FP, NEEDS_AFMT, TRANSPORT, DUPLICATE, NO_CODECOV = (
    "formats",
    "bug",
    "no_fp_block",
    "needs_fp",
    "needs_afmt",
    "transport",
    "duplicate",
    "no_codecov",
)
#: kind -> (what the scope is, the word before the list, why)
_LEFT_OUT = {
    FORMATS: ("core", "on", "formats or an FP datapath the core does not build"),
    BUG: ("core", "with", "planted bugs in blocks the core does not have"),
    NO_FP_BLOCK: ("config", "with", "planted bugs in FP blocks the configuration does not build"),
    NEEDS_FP: ("config", "of", "tests that need a configuration that builds FP formats: {fp}"),
    NEEDS_AFMT: (
        "config",
        "of",
        "tests whose stimulus names a format the configuration does not build",
    ),
    TRANSPORT: ("transport", "of", "tests that do not run on that transport"),
    DUPLICATE: ("", "of", "another [[tests]] entry gives the same job here; the first is kept"),
    NO_CODECOV: ("sim", "of", NO_ICARUS),
}


def left_out_lines(left_out: list[tuple[str, str, str]]) -> list[str]:
    """One line per scope and reason: how many jobs :func:`expand` left out, and which
    configurations, defines or tests."""
    out = []
    for scope, kind in dict.fromkeys((c, k) for c, _, k in left_out):
        whats = sorted({w for c, w, k in left_out if (c, k) == (scope, kind)})
        n = sum(1 for c, _, k in left_out if (c, k) == (scope, kind))
        label, prep, why = _LEFT_OUT[kind]
        if kind == NEEDS_FP:
            from tb.tests.base_test import fp_configs

            why = why.format(fp=", ".join(fp_configs()))
        jobs = "job" if n == 1 else "jobs"
        where = f" on {label} {scope}" if label else ""
        out.append(f"left out{where}: {n} {jobs} {prep} {', '.join(whats)} ({why})")
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
        "coverage": job.coverage,
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
        coverage=bool(d.get("coverage", False)),
    )


def build_for_key(key: tuple[str, str, tuple[str, ...], str, str, bool]) -> None:
    """Make (or reuse) the build a :attr:`Job.build_key` names: the one place that reads the
    key's fields back, so a field added to the key cannot be dropped by one of its users."""
    sim, config, defines, transport, core, coverage = key
    build_for(sim, config_by_name(config, core), transport, tuple(defines), coverage=coverage)
