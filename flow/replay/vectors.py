# SPDX-License-Identifier: Apache-2.0
"""Vector sets of the replay harness: any instruction stream, its predicted responses, hex files.

The harness (``tb/sv/lut_tc_replay_tb.sv``, file formats in its header)
replays a stream with no Python in the loop, so the whole stream is
predicted before the simulation starts. Both halves of that are numpy
array operations, never a Python loop per instruction: a stream of 200,000
LMMAs is predicted and written in about a second, where stepping
``CoreModel`` once per instruction took 25 s.

* The stream is a :class:`models.batch.Batch` (words plus the byte images of
  the A, W and C buses), whoever made it.
* :class:`models.batch.BatchModel`, the bit-exact twin of ``CoreModel``
  (``tests/models/test_batch.py`` holds them equal), predicts it in chunks.
* Every bus and the expected D are deduplicated into pools (hash of each
  row, then an exact compare, so a collision never merges two payloads);
  each instruction becomes one 128-bit record of pool indices, and the
  harness still compares every response against its own expected D.
* Hex text is made from byte lookups on whole arrays.

A vector set is cached in its directory under a key the caller gives (what
determines the stream); a second run with the same key reuses the files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from flow.simrun import ROOT, file_lock
from models.batch import Batch, BatchModel
from models.config import FIELD, CoreConfig, Opcode

VECTORS = ROOT / "build" / "replay"
FORMAT_VERSION = 2  #: meta.hex word 5, checked by the harness
IDX_BITS = 20  #: width of each pool index in a record
CHUNK = 16384  #: instructions per BatchModel step: bounds the model's temporaries
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MUL = np.random.default_rng(0x5EED).integers(1, 1 << 63, 1024, dtype=np.uint64) | np.uint64(1)


# --------------------------------------------------------------------------- pools


def dedupe(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a uint8 ``[n, bytes]`` array and the pool index of every row.

    Rows are matched by a 64-bit multiplicative hash, then compared in full:
    should two different rows share a hash, the exact (slower) sort decides.
    """
    n, nbytes = rows.shape
    if n == 0:
        return rows[:0].copy(), np.zeros(0, dtype=np.int64)
    pad = -nbytes % 8
    words = np.ascontiguousarray(np.pad(rows, ((0, 0), (0, pad))) if pad else rows).view("<u8")
    with np.errstate(over="ignore"):
        h = words @ _MUL[: words.shape[1]]  # wraps mod 2^64
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1).astype(np.int64)
    rep = words[first]
    exact = all(
        np.array_equal(words[lo : lo + CHUNK], rep[inv[lo : lo + CHUNK]])
        for lo in range(0, n, CHUNK)
    )
    if not exact:
        void = np.ascontiguousarray(rows).view(np.dtype((np.void, nbytes))).reshape(-1)
        _, first, inv = np.unique(void, return_index=True, return_inverse=True)
        inv = inv.reshape(-1).astype(np.int64)
    return np.ascontiguousarray(rows[first]), inv


@dataclass
class Expected:
    """The model's answer to every instruction: tag, status and an index into a pool of D."""

    tag: np.ndarray  #: uint8 ``[n]``
    status: np.ndarray  #: uint8 ``[n]``
    d_idx: np.ndarray  #: int64 ``[n]``
    d_pool: np.ndarray  #: uint8 ``[P, c bytes]``: distinct ``out_d_o`` images

    def __len__(self) -> int:
        return len(self.tag)

    def corrupt(self, index: int, lane: int = 0) -> Expected:
        """A copy whose response ``index`` expects D with bit 0 of 32-bit ``lane`` flipped.

        The harness must then fail exactly there (negative tests, ``--corrupt``).
        """
        if not 0 <= index < len(self):
            raise ValueError(f"corrupt_index={index} outside the stream [0, {len(self)})")
        if not 0 <= lane < self.d_pool.shape[1] // 4:
            raise ValueError(f"lane={lane} outside [0, {self.d_pool.shape[1] // 4})")
        bad = self.d_pool[self.d_idx[index]].copy()
        bad[4 * lane] ^= 1
        d_idx = self.d_idx.copy()
        d_idx[index] = len(self.d_pool)
        return Expected(self.tag.copy(), self.status.copy(), d_idx, np.vstack([self.d_pool, bad]))


def predict(cfg: CoreConfig, stream: Batch, chunk: int = CHUNK) -> Expected:
    """Every response of ``stream`` from :class:`BatchModel`, from reset, in chunks."""
    if chunk < 1:
        raise ValueError(f"chunk={chunk} must be >= 1")
    model = BatchModel(cfg)
    n = len(stream)
    tag = np.empty(n, dtype=np.uint8)
    status = np.empty(n, dtype=np.uint8)
    d = np.empty((n, cfg.M * cfg.N), dtype=np.int32)
    for lo in range(0, n, chunk):
        r = model.step(stream[lo : lo + chunk])
        tag[lo : lo + chunk] = r.tag
        status[lo : lo + chunk] = r.status
        d[lo : lo + chunk] = r.d
    d_pool, d_idx = dedupe(d.view(np.uint8))
    return Expected(tag, status, d_idx, d_pool)


# --------------------------------------------------------------------------- hex files


def hex_lines(words: np.ndarray) -> bytes:
    """Rows of uint32 words (most significant word first) as lines of hex digits."""
    w = np.ascontiguousarray(words, dtype=">u4")
    if w.ndim == 1:
        w = w[:, None]
    raw = w.view(np.uint8).reshape(len(w), -1)
    out = np.empty((len(w), 2 * raw.shape[1] + 1), dtype=np.uint8)
    out[:, 0:-1:2] = _HEX[raw >> 4]
    out[:, 1:-1:2] = _HEX[raw & 0xF]
    out[:, -1] = ord("\n")
    return out.tobytes()


def lanes_hex(pool: np.ndarray) -> bytes:
    """A payload pool (uint8 ``[P, bytes]``) as 32-bit lanes, one per line, lane 0 first."""
    pad = -pool.shape[1] % 4
    rows = np.pad(pool, ((0, 0), (0, pad))) if pad else pool
    return hex_lines(np.ascontiguousarray(rows).view("<u4").reshape(-1))


def records(
    words: np.ndarray,
    exp: Expected,
    a_idx: np.ndarray,
    w_idx: np.ndarray,
    c_idx: np.ndarray,
) -> np.ndarray:
    """The 128-bit records of vec.hex as uint32 ``[n, 4]``, bits [127:96] first."""
    u = np.uint64
    lo = (
        words.astype(u)
        | exp.tag.astype(u) << u(32)
        | exp.status.astype(u) << u(40)
        | (a_idx.astype(u) & u(0xFFFF)) << u(48)
    )
    hi = (
        a_idx.astype(u) >> u(16)  # record bits [67:64]
        | w_idx.astype(u) << u(4)  # [87:68]
        | c_idx.astype(u) << u(24)  # [107:88]
        | exp.d_idx.astype(u) << u(44)  # [127:108]
    )
    mask = u(0xFFFFFFFF)
    return np.stack([hi >> u(32), hi & mask, lo >> u(32), lo & mask], axis=1).astype(np.uint32)


def write_vectors(cfg: CoreConfig, stream: Batch, exp: Expected, out: Path) -> dict[str, int]:
    """The vector directory the harness reads; returns its sizes (``n_vec``, ``n_a`` ...)."""
    stream.check(cfg)
    if len(exp) != len(stream):
        raise ValueError(f"exp: {len(exp)} responses for a stream of {len(stream)}")
    pools: dict[str, np.ndarray] = {}
    idx: dict[str, np.ndarray] = {}
    for name in ("a", "w", "c"):
        pools[name], idx[name] = dedupe(getattr(stream, name))
    pools["d"] = exp.d_pool
    for name, pool in pools.items():
        if len(pool) >= 1 << IDX_BITS:
            raise ValueError(
                f"{name}: {len(pool)} distinct payloads, the record holds {IDX_BITS}-bit indices"
            )
    out.mkdir(parents=True, exist_ok=True)
    n = len(stream)
    rec = records(stream.words, exp, idx["a"], idx["w"], idx["c"])
    (out / "vec.hex").write_bytes(hex_lines(rec))
    for name, pool in pools.items():
        (out / f"{name}.hex").write_bytes(lanes_hex(pool))
    sizes = {"n_vec": n, **{f"n_{k}": len(v) for k, v in pools.items()}}
    meta = [n, *(len(pools[k]) for k in "awcd"), FORMAT_VERSION, cfg.M, cfg.N, cfg.T]
    meta += [cfg.W_BITS_MAX, cfg.formats]
    (out / "meta.hex").write_bytes(hex_lines(np.array(meta, dtype=np.uint32)))
    return sizes


def record_word(path: Path, index: int) -> int:
    """The instruction word of record ``index`` of a written vector directory."""
    line = 33  # 32 hex digits and a newline
    with open(path / "vec.hex", "rb") as fh:
        fh.seek(index * line)
        return int(fh.read(32), 16) & 0xFFFFFFFF


def n_lmma(words: np.ndarray) -> int:
    """LMMA instructions of a stream, whatever their status."""
    op = FIELD["opcode"]
    return int(np.count_nonzero((words.astype(np.int64) >> op.lsb) & op.mask == Opcode.LMMA))


# --------------------------------------------------------------------------- sets


@dataclass
class VectorSet:
    """A written vector directory, what it holds and what making it cost."""

    path: Path
    sizes: dict[str, int]
    n_vec: int
    n_lmma: int
    cached: bool = False
    #: seconds: ``gen`` (making the stream), ``predict`` (BatchModel), ``write`` (pools + hex)
    times: dict[str, float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        """Stream + model + files (0 when taken from the cache)."""
        return sum(self.times.values())


def out_dir(label: str, key: Mapping[str, object]) -> Path:
    """``build/replay/<label>_<hash of key>``: one directory per distinct stream."""
    tag = hashlib.sha256(json.dumps(dict(key), sort_keys=True).encode()).hexdigest()[:10]
    return VECTORS / f"{label}_{tag}"


def prepare(
    cfg: CoreConfig,
    stream: Batch | Callable[[], Batch],
    out: Path,
    key: Mapping[str, object] | None = None,
    corrupt_index: int | None = None,
    use_cache: bool = True,
) -> VectorSet:
    """Predict ``stream`` and write its vector directory ``out``, or reuse it.

    ``stream`` is a :class:`Batch` or a function that makes one, called only
    when the cache cannot answer. ``key`` says what determines the stream
    (generator, seed, counts ...): with the same key, configuration, format
    and ``corrupt_index`` the files already in ``out`` are reused; without a
    key they are always rewritten. ``corrupt_index`` flips one expected D bit
    of that response (the harness must fail exactly there).
    """
    full_key = None
    if key is not None:
        full_key = {**dict(key), "cfg": cfg.name, "fmt": FORMAT_VERSION, "corrupt": corrupt_index}
        full_key = json.loads(json.dumps(full_key, sort_keys=True, default=str))
    with file_lock(out.with_name(out.name + ".lock")):
        manifest = out / "manifest.json"
        if use_cache and full_key is not None and manifest.exists():
            m = json.loads(manifest.read_text())
            if m.get("key") == full_key:
                return VectorSet(out, m["sizes"], m["n_vec"], m["n_lmma"], cached=True)
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        batch = stream() if callable(stream) else stream
        batch.check(cfg)
        t1 = time.perf_counter()
        exp = predict(cfg, batch)
        if corrupt_index is not None:
            exp = exp.corrupt(corrupt_index)
        t2 = time.perf_counter()
        if out.exists():
            shutil.rmtree(out)
        sizes = write_vectors(cfg, batch, exp, out)
        t3 = time.perf_counter()
        times.update(gen=t1 - t0, predict=t2 - t1, write=t3 - t2)
        vs = VectorSet(out, sizes, len(batch), n_lmma(batch.words), False, times)
        manifest.write_text(
            json.dumps(
                {"key": full_key, "sizes": sizes, "n_vec": vs.n_vec, "n_lmma": vs.n_lmma},
                indent=1,
            )
        )
    return vs
