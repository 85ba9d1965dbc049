#!/usr/bin/env python3
"""Replay long vector streams through the core at simulator speed, no Python in the loop.

The vectorized model (``models.batch.BatchModel``, the bit-exact twin of
``CoreModel``) predicts every response of an instruction stream; the stream
and the predictions go to hex files (``tb.replay.vectors``) and the
pure-SystemVerilog harness ``tb/sv/lut_tc_replay_tb.sv`` (``tb.replay.harness``)
drives them, compares every response (tag, status, D) bit-exactly and
reports the first mismatch with its index. This file is the command line;
the replay itself is ``tb.replay``, which takes any ``models.batch.Batch``.

    tools/replay.py --sim verilator --config M2N64 --count 100000 --seed 1
    tools/replay.py --sim icarus --config M2N4 --mix bench --wbits 2
    make replay SIM=icarus CONFIG=M2N4
    make replay SIM=verilator COUNT=200000 SEED=7 REPLAY_ARGS=--fresh   # no vector cache

Streams (``--mix``) come from the presets of the vectorized stimulus library
``tb.stimulus`` (``--gen stimulus``, the default); ``--gen legacy`` uses
:func:`gen_stream` below, the earlier generator with one Python step per
instruction, kept for comparison. The mixes:

* ``full`` (default): LMMAs of every weight width 1..WBitsMax, LUTGENs of
  INT8 and INT16 tables (INT8 lanes with junk in bits [15:8]), a few percent
  illegal/unsupported/out-of-range/invalid-table instructions, C near the
  INT32 limits so the accumulator wraps.
* ``bench``: the benchmark stream: INT8 activations, ``--wbits``
  (default 2) weights, T LUTGENs up front and one table refresh per 16 LMMAs.
* ``lmma``: T LUTGENs then back-to-back LMMAs only (core utilization).

Payloads come from small random pools (``--pool-a/w/c``) so a stream of 10^5
instructions loads in milliseconds; each response is still compared against
its own expected D (the expected-D pool is deduplicated by value). Vector
sets are cached under ``build/replay/`` by what determines the stream
(generator and its source, mix, count, seed, pools), harness builds under
``sim_build/<sim>/replay_<config>...`` by ``tb.simrun``'s stamp.

Exit status 1 on a mismatch, after printing the first mismatching index.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import isa  # noqa: E402
from models.batch import Batch, bus_bytes, to_bytes  # noqa: E402
from models.config import FIELD, AFmt, CoreConfig, Opcode, config_by_name  # noqa: E402
from models.lmma import pack_c  # noqa: E402
from models.tables import pack_a  # noqa: E402
from tb import simrun  # noqa: E402
from tb.replay import harness, vectors  # noqa: E402
from tb.replay.harness import RunResult, describe_mismatch  # noqa: E402
from tb.replay.vectors import VectorSet  # noqa: E402

GEN_VERSION = 1  # bump when the stream generator changes (vector cache key)
MIXES = ("full", "bench", "lmma")


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

    def batch(self) -> Batch:
        """The stream as one :class:`Batch`: pool images gathered by index (no per-row loop).

        The same conversion as ``tb.stream.sequences.batch_of``, without
        importing the pyuvm environment into a command-line tool.
        """
        nb = bus_bytes(self.cfg)
        imgs = {
            name: to_bytes(getattr(self, f"{name}_pool"), nb[name], name)
            for name in ("a", "w", "c")
        }
        return Batch(
            np.asarray(self.words, dtype=np.uint32),
            imgs["a"][np.asarray(self.a_idx, dtype=np.intp)],
            imgs["w"][np.asarray(self.w_idx, dtype=np.intp)],
            imgs["c"][np.asarray(self.c_idx, dtype=np.intp)],
        )


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


# --------------------------------------------------------------------------- replay


#: Stream generators: ``stimulus`` is the vectorized library (``tb.stimulus``
#: presets ``full``, ``bench``, ``lmma``); ``legacy`` is :func:`gen_stream` above,
#: a loop per instruction (about 3 s per 200,000 LMMAs).
GENERATORS = ("stimulus", "legacy")
STIMULUS = ROOT / "tb" / "stimulus"


def make_stream(
    cfg: CoreConfig,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    gen: str = "stimulus",
) -> Batch:
    """The ``mix`` stream with ``count`` LMMAs from generator ``gen``, as one Batch."""
    if mix not in MIXES:
        raise ValueError(f"mix={mix!r} unknown; choose one of {MIXES}")
    if gen == "legacy":
        return gen_stream(cfg, count, seed, mix, wbits, *pools).batch()
    if gen != "stimulus":
        raise ValueError(f"gen={gen!r} unknown; choose one of {GENERATORS}")
    from tb.stimulus import long_stream, preset

    knobs = preset(mix, count, pools=tuple(pools), **({"wbits": wbits} if wbits else {}))
    return long_stream(cfg, np.random.default_rng(seed), knobs)


def stream_key(
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    gen: str = "stimulus",
) -> dict[str, object]:
    """What determines a generated stream: the vector cache key.

    For ``stimulus`` it includes a hash of the library's sources, so a
    changed generator never reuses vectors of the old one.
    """
    if gen == "stimulus":
        h = hashlib.sha256()
        for src in sorted(STIMULUS.glob("*.py")):
            h.update(src.name.encode() + src.read_bytes())
        version = h.hexdigest()[:16]
    else:
        version = str(GEN_VERSION)
    return dict(
        gen=gen,
        version=version,
        count=count,
        seed=seed,
        mix=mix,
        wbits=wbits,
        pools=list(pools),
    )


def prepare(
    cfg_name: str,
    count: int,
    seed: int,
    mix: str = "full",
    wbits: int | None = None,
    pools: tuple[int, int, int] = (16, 32, 4),
    corrupt_index: int | None = None,
    use_cache: bool = True,
    gen: str = "stimulus",
) -> VectorSet:
    """The vector set of one generated stream (generated, predicted and written, or cached)."""
    cfg = config_by_name(cfg_name)
    key = stream_key(count, seed, mix, wbits, pools, gen)
    wtag = f"_w{wbits}" if wbits else ""
    bad = "" if corrupt_index is None else f"_corrupt{corrupt_index}"
    out = vectors.out_dir(
        f"{cfg_name}_{mix}{wtag}_n{count}_s{seed}{bad}",
        {**key, "cfg": cfg_name, "corrupt": corrupt_index},
    )
    return vectors.prepare(
        cfg,
        lambda: make_stream(cfg, count, seed, mix, wbits, pools, gen),
        out,
        key,
        corrupt_index,
        use_cache,
    )


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
    gen: str = "stimulus",
) -> tuple[VectorSet, simrun.Build, RunResult]:
    """Vectors -> build -> run in one call (tests and the benchmark use it)."""
    vs = prepare(cfg_name, count, seed, mix, wbits, pools, corrupt_index=corrupt_index, gen=gen)
    b = harness.build(sim, cfg_name, defines, harness.caps_for(vs.sizes))
    r = harness.run(b, vs.path, bp=bp, gap=gap, seed=seed, max_errors=max_errors)
    return vs, b, r


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
    ap.add_argument(
        "--fresh", action="store_true", help="regenerate the vectors even if a cached set matches"
    )
    ap.add_argument(
        "--gen",
        choices=GENERATORS,
        default="stimulus",
        help="stream generator: tb.stimulus presets (default) or the loop of gen_stream",
    )
    args = ap.parse_args(argv)
    sims = list(simrun.SIMS) if args.sim == "all" else [args.sim or "verilator"]
    pools = (args.pool_a, args.pool_w, args.pool_c)
    t0 = time.monotonic()
    rc = 0
    for sim in sims:
        count = args.count or (100000 if sim == "verilator" else 2000)
        vs = prepare(
            args.config,
            count,
            args.seed,
            args.mix,
            args.wbits,
            pools,
            corrupt_index=args.corrupt,
            use_cache=not args.fresh,
            gen=args.gen,
        )
        spent = ", ".join(f"{k} {v:.2f}s" for k, v in vs.times.items())
        print(
            f"vectors: {vs.path}  {vs.n_vec} instructions ({vs.n_lmma} LMMA), pools {vs.sizes}"
            + ("  [cached]" if vs.cached else f"  [{spent}]")
        )
        b = harness.build(
            sim,
            args.config,
            tuple(args.define),
            harness.caps_for(vs.sizes),
            assertions=not args.no_assertions,
        )
        print(f"{sim}: build {b.path}" + (f" [{b.wall_s:.1f}s]" if b.built else " [up to date]"))
        r = harness.run(
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
