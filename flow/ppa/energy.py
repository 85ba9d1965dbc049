# SPDX-License-Identifier: Apache-2.0
"""Switching-energy proxy of a core's verified gate-level netlist on a traffic profile.

    proxy = sum over nets of (toggles of the net) x (gate inputs the net drives)

The netlist is :mod:`flow.synth`'s (the one ``make ppa`` counts and
``tests/tb/test_netlist.py`` runs under the testbench), written also as JSON
(``write_json``): every NAND, NOR and NOT input and every flip-flop's D counts
one load on the net it reads (a flip-flop's clock and reset are not counted:
the clock tree is left out). :mod:`flow.ppa.energy_sim` replays a GEMM of the
profile on that netlist under Verilator with toggle counters and checks every
response; the toggles of each net bit (both directions) times its load, summed,
is the proxy, in gate-input toggles. Per LMMA and per MAC (M x N x K per LMMA).

Net names: Yosys' unnamed nets are renamed ``n<k>`` before both netlists are
written (:data:`flow.synth.NET_NAMES`), so the Verilog netlist Verilator counts
and the JSON agree; Verilator reports an escaped name (``\\unit_c[4]``) encoded
(``unit_c__05b4__05d``), which :func:`vname` reproduces. Several names of one
net (Yosys' aliases) are counted once. :func:`energy` reports the share of the
load it found counters for (``load_matched``).

It is a proxy: no wire capacitance (broadcast buses cost as much as a local
net of the same fan-out), no clock tree, no leakage, no glitches (Verilator
evaluates each net once it settles: zero-delay, so only functional toggles),
and one unit per gate input whatever the gate.

Traffic (:data:`PROFILES`): a GEMM ``[2M x Kt] x [Kt x 2N]`` in the tiler's
order (``models.tiler.tile_gemm``: LUTGENs, then the LMMAs that read them, C
chained), about ``lmmas`` LMMAs.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from flow import synth
from flow.codecov.dat import Point
from flow.ppa import energy_sim
from flow.ppa.pairs import AFMTS, pair_config
from flow.replay import vectors
from models.batch import BatchModel
from models.config import FP_AFMTS, AFmt, CoreConfig, FpAcc, K
from models.fp import FP_FORMATS
from models.tables import act_range
from models.tiler import execute_batch, tile_gemm
from tb.stimulus.gemm import llm_activations

#: Traffic profiles: name -> what its activations and weights are.
PROFILES = {
    "llm": "LLM-like activations (tb.stimulus llm: per-token scales, outlier channels, spikes; "
    "integer formats quantized per row by absmax), weights as a low-bit LLM's: ternary "
    "(BitNet b1.58) at 2 bits, +-1 at 1 bit, Gaussian quantized to b bits otherwise",
    "random": "uniform random activations (integers over the format's range; FP normal "
    "values over 2^-6..2^6) and uniform random b-bit weight codes",
    "zero_w": "the random activations with every weight code 0 (no weight bit ever set)",
}
DEFAULT_PROFILES = "llm,random,zero_w"
#: LMMAs of a profile's GEMM (rounded to the tiling: a multiple of 4).
DEFAULT_LMMAS = 256
#: Cell inputs that load a net; the flip-flops' clock and reset are not counted.
LOAD_PINS = {
    "$_NAND_": ("A", "B"),
    "$_NOR_": ("A", "B"),
    "$_NOT_": ("A",),
    "$_DFF_P_": ("D",),
    "$_DFF_PN0_": ("D",),
}


class EnergyError(RuntimeError):
    """A profile or a netlist the proxy cannot price (one line)."""


# --------------------------------------------------------------------------- traffic


def _int_acts(rng: np.random.Generator, afmt: AFmt, shape: tuple[int, int], llm: bool):
    lo, hi = act_range(afmt)
    if not llm:
        return rng.integers(lo, hi, size=shape, endpoint=True)
    x = llm_activations(rng, AFmt.FP16, shape)
    scale = np.maximum(np.abs(x).max(axis=1, keepdims=True), 1e-30)
    return np.clip(np.rint(x / scale * hi), lo, hi).astype(np.int64)


def _fp_acts(rng: np.random.Generator, afmt: AFmt, shape: tuple[int, int], llm: bool):
    if llm:
        return llm_activations(rng, afmt, shape)
    dtype, _ = FP_FORMATS[afmt]
    x = rng.standard_normal(shape) * 2.0 ** rng.uniform(-6.0, 6.0, size=shape)
    return x.astype(np.float32).astype(dtype).astype(np.float64)


def _weights(rng: np.random.Generator, profile: str, b: int, shape: tuple[int, int]):
    top = (1 << b) - 1
    if profile == "zero_w":
        return np.zeros(shape, dtype=np.int64)
    if profile == "random" or b == 1:
        return rng.integers(0, top, size=shape, endpoint=True)
    if b == 2:  # ternary {-1, 0, 1} as q = w + 1, as tb.stimulus.gemm stores it
        return rng.choice(3, size=shape, p=[0.3, 0.4, 0.3])
    w = rng.standard_normal(shape)  # absmax at 3 sigma, zero point mid-range
    return np.clip(np.rint(w / 3.0 * (top / 2)) + (top + 1) // 2, 0, top).astype(np.int64)


def traffic(cfg: CoreConfig, profile: str, afmt: AFmt, b: int, lmmas: int, seed: int):
    """The profile's GEMM as a Batch in the tiler's order (C chained, model-checked)."""
    if profile not in PROFILES:
        raise EnergyError(f"profile={profile!r} unknown; choose from {', '.join(PROFILES)}")
    rng = np.random.default_rng(seed)
    mt, nt = 2 * cfg.M, 2 * cfg.N
    kt = K * max(1, lmmas // 4)
    acts = _fp_acts if afmt in FP_AFMTS else _int_acts
    a = acts(rng, afmt, (mt, kt), profile == "llm")
    q = _weights(rng, profile, b, (kt, nt))
    return execute_batch(tile_gemm(a, q, b, afmt, cfg), BatchModel(cfg)).batch


# --------------------------------------------------------------------------- netlist


def vname(name: str) -> str:
    """A netlist name as Verilator's coverage reports it: ``unit_c[4]`` -> ``unit_c__05b4__05d``."""
    out = []
    for i, c in enumerate(name):
        if c.isalnum() and c.isascii() and (i or not c.isdigit()):
            out.append(c)
        elif c == "_":
            out.append(c)
        else:
            out.append(f"__0{ord(c):02x}")
    return "".join(out)


def fanout(netlist_json: Path) -> dict[str, tuple[Counter, dict]]:
    """module -> (bit id -> gate inputs it drives, (Verilator name, index) -> bit id).

    The index is None for a one-bit net (Verilator's ``n107``), else the bit's
    Verilog index (``table_i[135]``).
    """
    doc = json.loads(Path(netlist_json).read_text())
    out = {}
    for mname, mod in doc["modules"].items():
        load: Counter = Counter()
        for cname, cell in mod.get("cells", {}).items():
            pins = LOAD_PINS.get(cell["type"])
            if pins is None:
                if cell["type"] not in doc["modules"]:
                    raise EnergyError(f"{mname}: cell {cname} of type {cell['type']} is unknown")
                continue  # an instance of another module: its gates count there
            for pin in pins:
                for bit in cell["connections"][pin]:
                    if isinstance(bit, int):
                        load[bit] += 1
        names = {}
        for net, info in mod.get("netnames", {}).items():
            bits, off = info["bits"], int(info.get("offset", 0))
            up = bool(info.get("upto", 0))
            for i, bit in enumerate(bits):
                if isinstance(bit, int):
                    idx = None if len(bits) == 1 else (off + len(bits) - 1 - i if up else off + i)
                    names[(vname(net), idx)] = bit
        out[mname] = (load, names)
    return out


_POINT = re.compile(r"^(?P<sig>.*?)(?:\[(?P<idx>\d+)\])?:(?:0->1|1->0)$")


def toggles(points: Mapping[Point, int]) -> dict[str, Counter]:
    """module -> (Verilator name, index) -> toggles, both directions, every instance summed."""
    out: dict[str, Counter] = {}
    for p, n in points.items():
        m = _POINT.match(p.comment)
        if not m or "/" not in p.page:
            continue
        mod = p.page.split("/", 1)[1]
        idx = m["idx"]
        out.setdefault(mod, Counter())[(m["sig"], None if idx is None else int(idx))] += n
    return out


def energy(fan: dict[str, tuple[Counter, dict]], tog: dict[str, Counter]) -> dict[str, float]:
    """The proxy (gate-input toggles), the raw net toggles, and the share of load matched."""
    total = raw = loaded = matched = 0
    for mod, (load, names) in fan.items():
        counts = tog.get(mod, Counter())
        seen: dict[int, int] = {}
        for key, bit in names.items():
            if bit not in seen and key in counts:
                seen[bit] = counts[key]
        loaded += sum(load.values())
        for bit, t in seen.items():
            raw += t
            total += t * load.get(bit, 0)
            matched += load.get(bit, 0)
    return {
        "energy": total,
        "toggles": raw,
        "load_matched": matched / loaded if loaded else 0.0,
    }


# --------------------------------------------------------------------------- one pair


def measure(
    core: str,
    b: int,
    afmt: str,
    profiles: list[str],
    m: int,
    n: int,
    t: int,
    out: Path,
    lmmas: int = DEFAULT_LMMAS,
    seed: int = 1,
    fp_acc: FpAcc = FpAcc.FP32,
    synthesized: synth.SynthResult | None = None,
) -> dict[str, dict]:
    """The proxy of one precision pair's netlist on each profile: profile -> its figures.

    ``synthesized``: that instance's synthesis with the energy netlist already written
    (:func:`flow.ppa.pairs.measure` with ``energy_netlist``); else it is synthesized here.
    One toggle-counting build serves every profile. Each profile's figures carry the
    seconds its pair spent: ``synth_s``, ``build_s`` (shared), ``replay_s`` (its own).
    """
    for p in profiles:
        if p not in PROFILES:
            raise EnergyError(f"profile={p!r} unknown; choose from {', '.join(PROFILES)}")
    cfg = pair_config(core, b, afmt, m, n, t, fp_acc)
    work = out.resolve() / "runs" / f"{cfg.name}_energy"  # the harness runs in its build
    t0 = time.monotonic()
    res = synthesized
    if res is None or res.cfg != cfg or res.netlist is None:
        res = synth.synthesize(cfg, work, netlist=True, json=True)
    assert res.netlist is not None
    synth_s = time.monotonic() - t0 if res is not synthesized else 0.0
    fan = fanout(res.netlist.with_suffix(".json"))
    sets = {}
    for profile in profiles:
        key = {"profile": profile, "lmmas": lmmas, "seed": seed, "wbits": b, "afmt": afmt}
        sets[profile] = vectors.prepare(
            cfg,
            lambda p=profile: traffic(cfg, p, AFMTS[afmt], b, lmmas, seed),
            work / f"vec_{profile}",
            key,
        )
    sizes = {k: max(vs.sizes[k] for vs in sets.values()) for k in next(iter(sets.values())).sizes}
    t1 = time.monotonic()
    built = energy_sim.build(cfg, res.netlist, sizes)
    build_s = time.monotonic() - t1
    rows = {}
    for profile, vs in sets.items():
        t2 = time.monotonic()
        run, points = energy_sim.run(built, vs.path, work / f"toggles_{profile}.dat")
        tog = {synth.TOP if m == energy_sim.BITS_TOP else m: c for m, c in toggles(points).items()}
        e = energy(fan, tog)
        macs = vs.n_lmma * cfg.M * cfg.N * K
        rows[profile] = {
            **e,
            "lmmas": vs.n_lmma,
            "instructions": vs.n_vec,
            "cycles": run.stats.get("cycles", 0),
            "energy_per_lmma": e["energy"] / vs.n_lmma,
            "energy_per_mac": e["energy"] / macs,
            "synth_s": round(synth_s, 1),
            "build_s": round(build_s, 1),
            "replay_s": round(time.monotonic() - t2, 1),
        }
    return rows
