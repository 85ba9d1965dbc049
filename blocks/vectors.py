# SPDX-License-Identifier: Apache-2.0
"""The vector sets of the FP blocks: made, written in the harness's format, cached.

Every unit (:data:`blocks.units.UNITS`: adders, converter, scaler, multiplier)
has vector sets of a few kinds (``corners``/``random``, ``exhaustive``/
``sample``): three 32-bit words per vector, two inputs and the expected
binary32 pattern (Berkeley SoftFloat for the adder, the model or numpy
float32 for the others: :mod:`blocks.fpadd`, :mod:`blocks.fpops`). A set is
written as the harness reads it (``meta.hex`` and ``vec.hex``, format in
``blocks/sv/fp_block_check.sv``) plus ``vec.npy`` for the Python side, under
``build/blocks/``, keyed by what determines it, so 10^6 vectors are predicted
once (:func:`vector_set`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from blocks import fpadd, fpadd16, fpops
from blocks.units import DEFAULT_MAX_SHIFT, check_unit
from flow.replay.vectors import hex_lines
from flow.simrun import ROOT, file_lock
from models import fp

FORMAT_VERSION = 1  #: meta.hex word 1
VECTORS = ROOT / "build" / "blocks"
#: Sources whose change changes a set: the generators, this writer, the model's FP.
_GENERATORS = (
    Path(fpadd.__file__),
    Path(fpadd16.__file__),
    Path(fpops.__file__),
    Path(__file__),
    Path(fp.__file__),
)


@dataclass
class VectorSet:
    """A vector directory (``meta.hex``, ``vec.hex``, ``vec.npy``) of one unit."""

    unit: str
    path: Path
    n: int
    gen_s: float = 0.0  #: inputs + reference + files; 0 when the cache was used
    cached: bool = False

    def arrays(self) -> np.ndarray:
        """``uint32 [n, 3]``: input 0, input 1, expected output (as the harness reads them)."""
        return np.load(self.path / "vec.npy")


def _u32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.uint64).astype(np.uint32)


def write_vectors(unit: str, path: Path, in0: np.ndarray, in1: np.ndarray, s: np.ndarray) -> None:
    """The harness's files plus ``vec.npy``; ValueError names an input of the wrong shape."""
    u = check_unit(unit)
    in0, in1, s = fpadd.aligned(in0=in0, in1=in1, s=s)
    if in0.size < 1:
        raise ValueError("in0: a vector set needs at least one vector")
    path.mkdir(parents=True, exist_ok=True)
    vec = np.stack([_u32(in0), _u32(in1), _u32(s)], axis=1)
    np.save(path / "vec.npy", vec)
    (path / "vec.hex").write_bytes(hex_lines(vec.ravel()))
    (path / "meta.hex").write_bytes(hex_lines(np.array([u.magic, FORMAT_VERSION, vec.shape[0]])))


def _check_kind(unit: str, kind: str) -> None:
    u = check_unit(unit)
    if kind not in u.kinds:
        raise ValueError(f"kind={kind!r} unknown for {unit}; choose one of {u.kinds}")


def make_vectors(
    unit: str, kind: str, count: int = 0, seed: int = 1, max_shift: int = DEFAULT_MAX_SHIFT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in0, in1, expected) of one set, computed now (no files)."""
    _check_kind(unit, kind)
    if unit == "fpadd":
        a, b = fpadd.corner_pairs(seed) if kind == "corners" else fpadd.random_pairs(count, seed)
        return a, b, fpadd.ref_add(a, b)
    if unit in ("fpadd16", "fpadd16z"):
        a, b = (
            fpadd16.corner_pairs16() if kind == "corners" else fpadd16.random_pairs16(count, seed)
        )
        return a, b, fpadd16.ref_add16(a, b, ftz=unit == "fpadd16z")
    if unit == "fpow2h":
        x, neg, shift = fpadd16.pow2h_inputs(kind, seed)
        return x, fpops.pow2_control(neg, shift), fpadd16.ref_pow2h(x, neg, shift)
    if unit == "fcvt":
        lanes, afmts = fpops.convert_inputs(kind, seed)
        return lanes, afmts, fpops.ref_convert(lanes, afmts)
    if unit in ("fmul16", "fmul16z"):
        x, neg, mag = fpadd16.fmul16_inputs(kind, count, seed)
        ref = fpadd16.ref_fmul16(x, neg, mag, ftz=unit == "fmul16z")
        return x, fpops.pow2_control(neg, mag), ref
    if unit == "fmul":
        x, neg, mag = fpops.fmul_inputs(kind, count, seed)
        return x, fpops.pow2_control(neg, mag), fpops.ref_fmul(x, neg, mag)
    if kind == "corners":
        x, neg, shift = fpops.pow2_corners(max_shift)
    else:
        x, neg, shift = fpops.pow2_random(count, seed, max_shift)
    return x, fpops.pow2_control(neg, shift), fpops.ref_pow2(x, neg, shift)


def _cache_key(doc: dict[str, object]) -> str:
    """What determines a set, plus the generators' sources and the reference libraries."""
    doc = {
        **doc,
        "generators": [hashlib.sha256(p.read_bytes()).hexdigest() for p in _GENERATORS],
        "numpy": np.__version__,
        "ml_dtypes": importlib.metadata.version("ml_dtypes"),
        "softfloatpy": importlib.metadata.version("softfloatpy"),
        "format": FORMAT_VERSION,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def vector_set(
    unit: str,
    kind: str,
    count: int = 0,
    seed: int = 1,
    max_shift: int = DEFAULT_MAX_SHIFT,
    root: Path = VECTORS,
) -> VectorSet:
    """The cached vector set (unit, kind, count, seed, max_shift), made once under ``root``.

    ``count`` sizes a ``random`` set; ``max_shift`` the scaler's. Reused while
    its key (those, the generators' sources, the libraries' releases) matches;
    making it removes the sets of the same name under older keys (a 10^6 set
    is about 40 MB). A file lock makes parallel workers wait for one writer.
    """
    _check_kind(unit, kind)
    if kind == "random" and count < 1:
        raise ValueError(f"count={count}: a random set needs count >= 1")
    if kind != "random":
        count = 0
    if unit == "fpow2":
        fpops.check_max_shift(max_shift)
    else:
        max_shift = 0
    name = f"{unit}_{kind}_{count}_{seed}_s{max_shift}"
    key = _cache_key({"unit": unit, "kind": kind, "count": count, "seed": seed, "ms": max_shift})
    path = root / f"{name}_{key}"
    done = path / "done.json"
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root / f".{path.name}.lock"):
        if done.exists():
            return VectorSet(unit, path, int(json.loads(done.read_text())["n"]), cached=True)
        t0 = time.perf_counter()
        for stale in root.glob(f"{name}_*"):  # made by an older generator
            shutil.rmtree(stale, ignore_errors=True)
        in0, in1, s = make_vectors(unit, kind, count, seed, max_shift)
        write_vectors(unit, path, in0, in1, s)
        gen_s = time.perf_counter() - t0
        done.write_text(json.dumps({"n": int(in0.size), "gen_s": gen_s}))
    return VectorSet(unit, path, int(in0.size), gen_s=gen_s)


def corrupted_copy(vs: VectorSet, index: int, bit: int, dest: Path) -> VectorSet:
    """A copy of ``vs`` in ``dest`` whose expected output ``index`` has bit ``bit`` flipped."""
    if not 0 <= index < vs.n:
        raise ValueError(f"index={index} out of range [0, {vs.n})")
    if not 0 <= bit < 32:
        raise ValueError(f"bit={bit} out of range [0, 32)")
    vec = vs.arrays().copy()
    vec[index, 2] ^= np.uint32(1 << bit)
    write_vectors(vs.unit, dest, vec[:, 0], vec[:, 1], vec[:, 2])
    return VectorSet(vs.unit, dest, vs.n)
