# SPDX-License-Identifier: Apache-2.0
"""The mutation suite (``regressions/mutate/suite.toml``): what runs against a mutant, in order.

Steps are cheapest first and a mutant stops at the first that fails. A test
step is one cocotb test of ``tb/tests`` on one (configuration, core), pins
transport, one seed; a block step is one vector set of a block bench
(``blocks/``). Which steps apply to a mutant follows from its file: a test
step only on a core that builds the file (``[files]``), on an FP
configuration when only those build it; a block step only for the files its
block is made of. Everything is checked when the suite loads (one line naming
the bad entry and the choices), before anything builds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.config import CONFIGS, CORES, config_by_name

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "regressions" / "mutate" / "suite.toml"
#: The reviewed equivalent mutants: id -> reason, for those Yosys cannot decide.
REVIEWED = ROOT / "regressions" / "mutate" / "equivalent.toml"
SIMS = ("icarus", "verilator")


class SuiteError(ValueError):
    """The suite or a command line asks for something that does not exist (one line)."""


@dataclass(frozen=True)
class Step:
    """One check a mutant may fail: a cocotb test on a core, or a block bench's vector set."""

    kind: str  #: ``test`` | ``block``
    test: str = ""
    config: str = ""
    core: str = ""
    transport: str = "pins"
    seed: int = 1
    env: tuple[tuple[str, str], ...] = ()
    block: str = ""
    vectors: str = ""
    count: int = 0
    files: tuple[str, ...] = ()  #: a block step: the RTL files the block is made of

    @property
    def label(self) -> str:
        if self.kind == "block":
            n = f" x{self.count}" if self.count else ""
            return f"block {self.block} {self.vectors}{n}"
        return f"{self.test} {self.config} {self.core} {self.transport} seed={self.seed}"

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class FileInfo:
    cores: tuple[str, ...]
    fp: bool = False  #: built only on a configuration with an FP format


@dataclass
class Suite:
    sim: str
    timeout_s: float
    seed: int
    files: dict[str, FileInfo]
    steps: list[Step] = field(default_factory=list)
    description: str = ""

    def steps_for(self, file: str, cores: tuple[str, ...] | None = None) -> list[Step]:
        """The steps that can see a change to ``file``, in suite order (``cores``: only these)."""
        info = self.files.get(file)
        if info is None:
            raise SuiteError(f"file={file!r} is not in the mutation suite's [files]")
        out = []
        for s in self.steps:
            if s.kind == "block":
                if file in s.files:
                    out.append(s)
                continue
            if s.core not in info.cores or (cores and s.core not in cores):
                continue
            if info.fp and not config_by_name(s.config, s.core).has_fp:
                continue
            out.append(s)
        return out

    def cores_of(self, file: str) -> tuple[str, ...]:
        return self.files[file].cores


def _one(where: str, value, kind: type, what: str):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise SuiteError(f"{where}: {what} must be a {kind.__name__}, not {value!r}")
    return value


def _choice(where: str, value: object, choices) -> str:
    if value not in choices:
        raise SuiteError(f"{where}: {value!r} unknown; choose one of {', '.join(choices)}")
    return str(value)


def load(
    path: Path = SUITE,
    sim: str | None = None,
    blocks: dict[str, tuple[str, ...]] | None = None,
    tests: set[str] | None = None,
) -> Suite:
    """Read and check the suite; ``sim`` overrides its simulator.

    ``blocks``: unit -> its vector-set kinds (``blocks.units``, which the flow
    does not import), ``tests``: the test catalogue; each checked when given.
    """
    try:
        doc = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"{path}: {exc}") from None
    top = {"description", "sim", "timeout_s", "seed", "files", "steps"}
    extra = sorted(set(doc) - top)
    if extra:
        raise SuiteError(f"{path}: unknown key {extra[0]!r}; known: {', '.join(sorted(top))}")
    s = _choice(f"{path}: sim", sim or doc.get("sim", "icarus"), SIMS)
    timeout = doc.get("timeout_s", 180)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise SuiteError(f"{path}: timeout_s must be a number > 0, not {timeout!r}")
    seed = _one(f"{path}: seed", doc.get("seed", 1), int, "seed")
    files: dict[str, FileInfo] = {}
    for name, info in (doc.get("files") or {}).items():
        where = f"{path}: files.{name}"
        if not isinstance(info, dict):
            raise SuiteError(f"{where}: a table, {{ cores = [...], fp = true|false }}")
        cores = tuple(info.get("cores", ()))
        for c in cores:
            _choice(where, c, tuple(CORES))
        files[name] = FileInfo(cores, bool(info.get("fp", False)))
    if not files:
        raise SuiteError(f"{path}: [files] is empty: say which cores build each RTL file")
    steps: list[Step] = []
    for i, st in enumerate(doc.get("steps") or ()):
        where = f"{path}: steps[{i}]"
        if "block" in st:
            steps.append(_block_step(where, st, blocks, files))
        elif "test" in st:
            steps.extend(_test_steps(where, st, tests, seed))
        else:
            raise SuiteError(f"{where}: a step names a `test` or a `block`")
    if not steps:
        raise SuiteError(f"{path}: no [[steps]]")
    return Suite(s, float(timeout), seed, files, steps, str(doc.get("description", "")))


def _block_step(where: str, st: dict, blocks, files) -> Step:
    known = {"block", "vectors", "count", "files", "seed"}
    extra = sorted(set(st) - known)
    if extra:
        raise SuiteError(f"{where}: unknown key {extra[0]!r}; known: {', '.join(sorted(known))}")
    unit = str(st["block"])
    kind = str(st.get("vectors", "corners"))
    if blocks is not None:
        _choice(f"{where}: block", unit, tuple(blocks))
        _choice(f"{where}: vectors", kind, blocks[unit])
    count = _one(where, st.get("count", 0), int, "count")
    if kind == "random" and count < 1:
        raise SuiteError(f"{where}: a random vector set needs count >= 1")
    fs = tuple(st.get("files", ()))
    for f in fs:
        _choice(f"{where}: files", f, tuple(files))
    return Step("block", block=unit, vectors=kind, count=count, files=fs, seed=st.get("seed", 1))


def _test_steps(where: str, st: dict, tests, seed: int) -> list[Step]:
    known = {"test", "config", "cores", "transport", "seed", "env"}
    extra = sorted(set(st) - known)
    if extra:
        raise SuiteError(f"{where}: unknown key {extra[0]!r}; known: {', '.join(sorted(known))}")
    test = str(st["test"])
    if tests is not None:
        _choice(f"{where}: test", test, sorted(tests))
    config = _choice(f"{where}: config", st.get("config", "M2N4"), tuple(CONFIGS))
    transport = _choice(f"{where}: transport", st.get("transport", "pins"), ("pins", "batch"))
    env = tuple(sorted((str(k), str(v)) for k, v in (st.get("env") or {}).items()))
    out = []
    for core in st.get("cores", ["lut_tc"]):
        _choice(f"{where}: cores", core, tuple(CORES))
        try:
            config_by_name(config, core)
        except ValueError as exc:
            raise SuiteError(f"{where}: {exc}") from None
        s = _one(where, st.get("seed", seed), int, "seed")
        out.append(Step("test", test, config, core, transport, s, env))
    return out


def load_reviewed(path: Path = REVIEWED) -> dict[str, str]:
    """The reviewed equivalent mutants: id -> reason (every entry needs one)."""
    if not Path(path).exists():
        return {}
    try:
        doc = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path}: {exc}") from None
    out = {}
    for i, e in enumerate(doc.get("equivalent", ())):
        mid, reason = e.get("id"), e.get("reason")
        if not mid or not isinstance(reason, str) or not reason.strip():
            raise SuiteError(f"{path}: equivalent[{i}] needs an id and a reason")
        out[str(mid)] = reason.strip()
    return out
