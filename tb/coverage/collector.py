# SPDX-License-Identifier: Apache-2.0
"""Functional coverage, binned a whole record at a time with numpy, on every transport.

The bins are those of :mod:`tb.coverage.bins` (plain data, with the unreachable
cross bins derived from the model). A coverage library that samples one
value per call costs about 12 us a sample (pyvsc), a thousand times the cost
of checking an instruction on the batch transport; here every record
(one instruction on ``pins``, hundreds on ``batch``) is binned with a few
array operations and the counts are exact.

Inputs: every :class:`~tb.predictor.Prediction` (accepted instructions and
the status/D they must get: the instruction cross, table lookups, extremes,
INT32 wrap, LUTGEN -> LMMA reuse distance; on a configuration with FP formats
also the FP covergroups of :mod:`tb.coverage.fp`: lane classes, the accumulate and
table adders' result classes and alignment distances), every
:class:`~tb.records.Observed` record (input and output stall lengths, the
accepting cycles that tell a back-to-back LUTGEN -> LMMA) and every
transport reset. Predictions and observations are paired by position
(responses come in order, one per instruction, and a reset drops both).

At the end the hits go to ``$LUT_TC_COV_DIR/<name>.json`` (``$LUT_TC_COV_NAME``,
set by the regression runner to the job id):
``{covergroup: {coverpoint_or_cross: {bin: hits}}}`` plus ``_excluded`` (every
excluded cross bin with its reason) and ``_meta``; ``make cov`` merges them
into a UCIS database and reports (``tools/covmerge.py``). A missed bin fails
the test only with ``LUT_TC_COV_STRICT=1``: one test is not expected to close
coverage.
"""

from __future__ import annotations

import json
from collections import deque

import cocotb
import numpy as np
from pyuvm import ConfigDB, uvm_component, uvm_subscriber

from models.batch import activations_batch, unpack_codes_batch
from models.config import FIELD, INT_AFMT_BITS, AFmt, CoreConfig, Opcode, Status
from models.tables import SIGNS
from tb import knobs, rand
from tb.coverage.bins import (
    DIST_BINS,
    EXTREME_BINS,
    RESET_BINS,
    STALL_BINS,
    STATUS_BINS,
    WRAP_BINS,
    afmt_bins,
    op_bins,
    treg_bins,
    unreachable_instr_bins,
    wbits_bins,
)
from tb.coverage.fp_mac import fp_coverage
from tb.predictor import Prediction
from tb.records import Observed

_ENTRY_MIN, _ENTRY_MAX = -4 * 32768, 32767 + 3 * 32768  # table entry extremes for INT16
_CODES = [f"{'neg' if c >> 3 else 'pos'}_s{c & 7}" for c in range(16)]
#: By afmt code: an integer format (INT32 wrap is binned for integer LMMAs only).
_IS_INT = np.isin(np.arange(16), [int(f) for f in INT_AFMT_BITS])


def _lut(groups: dict[str, list[int]]) -> tuple[list[str], np.ndarray]:
    """Bin names and a 16-entry table field value -> bin index."""
    names = list(groups)
    lut = np.zeros(16, dtype=np.int64)
    for i, vals in enumerate(groups.values()):
        lut[vals] = i
    return names, lut


def _range_bin(values: np.ndarray, bins: dict[str, tuple[int, int]]) -> np.ndarray:
    """Index of the ``(lo, hi)`` range each value falls in (ranges are consecutive)."""
    lows = np.array([lo for lo, _ in bins.values()])
    return np.searchsorted(lows, values, side="right") - 1


def _field(words: np.ndarray, name: str) -> np.ndarray:
    f = FIELD[name]
    return ((words >> np.uint32(f.lsb)) & np.uint32(f.mask)).astype(np.intp)


class CoverageCounts:
    """Every bin's hit count for one configuration; no simulator needed (unit-testable)."""

    def __init__(self, cfg: CoreConfig) -> None:
        self.cfg = cfg
        self.unreachable = unreachable_instr_bins(cfg)
        self.op_names, self.op_lut = _lut(op_bins())
        self.wb_names, self.wb_lut = _lut(wbits_bins(cfg))
        self.af_names, self.af_lut = _lut(afmt_bins(cfg))
        self.tr_names, self.tr_lut = _lut(treg_bins(cfg))
        self.st_names = list(STATUS_BINS)
        self.shape = tuple(
            len(n) for n in (self.op_names, self.wb_names, self.af_names, self.tr_names)
        ) + (len(self.st_names),)
        self.instr = np.zeros(int(np.prod(self.shape)), dtype=np.int64)
        self.lookup = np.zeros((cfg.W_BITS_MAX, 16), dtype=np.int64)  # LMMAs with code in plane
        self.hazard = np.zeros((cfg.T, len(DIST_BINS)), dtype=np.int64)
        self.b2b = 0
        self.in_stall = np.zeros(len(STALL_BINS), dtype=np.int64)
        self.out_stall = np.zeros(len(STALL_BINS), dtype=np.int64)
        self.extremes = np.zeros(len(EXTREME_BINS), dtype=np.int64)
        self.wrap = np.zeros(len(WRAP_BINS), dtype=np.int64)
        self.reset = np.zeros(len(RESET_BINS), dtype=np.int64)
        #: FP covergroups only where FP is built: integer dumps keep exactly their bins
        self.fp = fp_coverage(cfg) if cfg.has_fp else None
        self._restart()

    def _restart(self) -> None:
        """State of the stream since the last reset."""
        self.n_pred = self.n_obs = 0
        self.last_gen = np.full(self.cfg.T, -1, dtype=np.int64)  # index of the last OK LUTGEN
        self.candidates: deque[np.ndarray] = deque()  # per prediction row: OK LMMA at distance 0
        self.cand_offset = 0
        self.last_in_cycle = -1
        if self.fp is not None:
            self.fp.restart()

    # --- sampling -------------------------------------------------------------------
    def sample_reset(self) -> None:
        self.reset[1 if self.n_pred > self.n_obs else 0] += 1
        self._restart()

    def sample_prediction(self, p: Prediction) -> None:
        cfg, batch, status = self.cfg, p.issued.batch, p.resp.status.astype(np.int64)
        words, n = batch.words, len(p)
        op, wb, af, tr = (_field(words, f) for f in ("opcode", "wbits", "afmt", "treg"))
        idx = self.op_lut[op]
        for lut, v, size in zip(
            (self.wb_lut, self.af_lut, self.tr_lut), (wb, af, tr), self.shape[1:4], strict=True
        ):
            idx = idx * size + lut[v]
        idx = idx * self.shape[4] + status
        self.instr += np.bincount(idx, minlength=self.instr.size)

        ok = status == Status.OK
        gen = ok & (op == Opcode.LUTGEN)
        mm = ok & (op == Opcode.LMMA)
        pos = self.n_pred + np.arange(n, dtype=np.int64)
        # Index of the last OK LUTGEN of every register up to each row, all registers at once.
        regs = np.arange(cfg.T)[:, None]
        last = np.maximum.accumulate(np.where(gen & (tr == regs), pos, -1), axis=1)
        last = np.maximum(last, self.last_gen[:, None])
        before = np.concatenate((self.last_gen[:, None], last[:, :-1]), axis=1)
        if n:
            self.last_gen = last[:, -1].copy()
        seen = before[np.minimum(tr, cfg.T - 1), np.arange(n)]
        dist = np.where(mm & (tr < cfg.T) & (seen >= 0), pos - seen - 1, -1)
        has = dist >= 0
        if has.any():
            d_bin = _range_bin(dist[has], DIST_BINS)
            np.add.at(self.hazard, (tr[has], d_bin), 1)
        self.candidates.append(mm & (dist == 0))
        self.n_pred += n

        if gen.any():
            self._sample_acts(batch.a[gen], af[gen])
        if mm.any():
            rows = np.flatnonzero(mm)
            self._sample_lookups(batch.w[rows], wb[rows])
            if self.fp is not None:
                rows = rows[_IS_INT[af[rows]]]  # an FP LMMA's C and D are binary32
            if rows.size:
                c = np.ascontiguousarray(batch.c[rows]).view("<i4")
                self._sample_wrap(c, p.resp.d[rows])
        if self.fp is not None:
            self.fp.sample(batch, status)

    def _sample_wrap(self, c: np.ndarray, d: np.ndarray) -> None:
        """One LMMA adds less than 2^25 in magnitude, so D - C in wrapping int32 arithmetic
        is that sum; it wrapped where the sum's sign and the order of D and C disagree."""
        with np.errstate(over="ignore"):
            s = d - c
        up = np.any((s > 0) & (d < c), axis=1)
        down = np.any((s < 0) & (d > c), axis=1)
        self.wrap[1] += int(up.sum())
        self.wrap[2] += int(down.sum())
        self.wrap[0] += int((~(up | down)).sum())

    def _sample_lookups(self, w: np.ndarray, b: np.ndarray) -> None:
        """Per LMMA and plane a 16-bit set of the codes its lanes looked up, then bit counts."""
        planes = int(b.max())
        codes = unpack_codes_batch(w, self.cfg, planes)  # uint8 [L, P, N]
        seen = np.bitwise_or.reduce(np.left_shift(np.uint16(1), codes, dtype=np.uint16), axis=2)
        seen[np.arange(planes)[None, :] >= b[:, None]] = 0  # planes >= b are not looked up
        bits = (seen[:, :, None] >> np.arange(16, dtype=np.uint16)) & np.uint16(1)
        self.lookup[:planes] += bits.sum(axis=0, dtype=np.int64)

    def _sample_acts(self, a: np.ndarray, af: np.ndarray) -> None:
        vals = activations_batch(a, af, self.cfg).reshape(len(a), -1)
        raw = np.ascontiguousarray(a).view("<i2").astype(np.int64).reshape(len(a), -1)
        i8, i16 = af == AFmt.INT8, af == AFmt.INT16
        lo, hi = vals.min(axis=1), vals.max(axis=1)
        zero = (vals == 0).any(axis=1)
        names = EXTREME_BINS
        hits = {
            "i8_min": i8 & (lo == -128),
            "i8_max": i8 & (hi == 127),
            "i8_zero": i8 & zero,
            "i8_dirty_upper_byte": i8 & (raw != vals).any(axis=1),
            "i16_min": i16 & (lo == -32768),
            "i16_max": i16 & (hi == 32767),
            "i16_zero": i16 & zero,
        }
        if i16.any():
            t = activations_batch(a[i16], af[i16], self.cfg) @ SIGNS.T  # [G, M, 8]
            t = t.reshape(len(t), -1)
            for name, row in (
                ("entry_min", t.min(axis=1) == _ENTRY_MIN),
                ("entry_max", t.max(axis=1) == _ENTRY_MAX),
            ):
                full = np.zeros(len(a), dtype=bool)
                full[i16] = row
                hits[name] = full
        for name, rows in hits.items():
            self.extremes[names.index(name)] += int(rows.sum())

    def sample_observed(self, o: Observed) -> None:
        n = len(o)
        self.n_obs += n
        for arr, counts in ((o.stall, self.out_stall), (o.in_stall, self.in_stall)):
            known = arr[arr >= 0]
            if known.size:
                counts += np.bincount(_range_bin(known, STALL_BINS), minlength=len(STALL_BINS))
        prev = np.concatenate(([self.last_in_cycle], o.in_cycle[:-1]))
        adjacent = (o.in_cycle >= 0) & (prev >= 0) & (o.in_cycle == prev + 1)
        if n:
            self.last_in_cycle = int(o.in_cycle[-1])
        cand = self._take_candidates(n)
        self.b2b += int((cand[: len(adjacent)] & adjacent[: len(cand)]).sum())

    def _take_candidates(self, n: int) -> np.ndarray:
        out, left = [], n
        while left and self.candidates:
            head = self.candidates[0]
            k = min(left, len(head) - self.cand_offset)
            out.append(head[self.cand_offset : self.cand_offset + k])
            self.cand_offset += k
            left -= k
            if self.cand_offset == len(head):
                self.candidates.popleft()
                self.cand_offset = 0
        return np.concatenate(out) if out else np.zeros(0, dtype=bool)

    # --- results ----------------------------------------------------------------------
    def hits(self) -> dict:
        """All bins, in the JSON layout ``tools/covmerge.py`` reads."""
        cfg = self.cfg
        cube = self.instr.reshape(self.shape)
        names = (self.op_names, self.wb_names, self.af_names, self.tr_names, self.st_names)
        cps = ("cp_op", "cp_wbits", "cp_afmt", "cp_treg", "cp_status")
        instr: dict[str, dict[str, int]] = {}
        for axis, (cp, nm) in enumerate(zip(cps, names, strict=True)):
            marg = cube.sum(axis=tuple(a for a in range(5) if a != axis))
            instr[cp] = {b: int(v) for b, v in zip(nm, marg, strict=True)}
        cross = {}
        for key in np.ndindex(*self.shape):
            bins = tuple(nm[k] for nm, k in zip(names, key, strict=True))
            if bins not in self.unreachable:
                cross["<" + ",".join(bins) + ">"] = int(cube[key])
        instr["cross_op_wbits_afmt_treg_status"] = cross
        planes = [f"p{i}" for i in range(cfg.W_BITS_MAX)]
        tregs = [f"t{i}" for i in range(cfg.T)]
        dists = list(DIST_BINS)
        out = {
            "instr": instr,
            "lookup": {
                "cp_plane": {p: int(self.lookup[i].sum()) for i, p in enumerate(planes)},
                "cp_code": {c: int(self.lookup[:, k].sum()) for k, c in enumerate(_CODES)},
                "cross_plane_code": {
                    f"<{p},{c}>": int(self.lookup[i, k])
                    for i, p in enumerate(planes)
                    for k, c in enumerate(_CODES)
                },
            },
            "hazard": {
                "cp_treg": {t: int(self.hazard[i].sum()) for i, t in enumerate(tregs)},
                "cp_dist": {d: int(self.hazard[:, k].sum()) for k, d in enumerate(dists)},
                "cp_b2b_cycle": {"lutgen_lmma_b2b": int(self.b2b)},
                "cross_treg_dist": {
                    f"<{t},{d}>": int(self.hazard[i, k])
                    for i, t in enumerate(tregs)
                    for k, d in enumerate(dists)
                },
            },
            "stall": {
                "cp_in_stall": dict(zip(STALL_BINS, map(int, self.in_stall), strict=True)),
                "cp_out_stall": dict(zip(STALL_BINS, map(int, self.out_stall), strict=True)),
            },
            "extremes": {"cp_value": dict(zip(EXTREME_BINS, map(int, self.extremes), strict=True))},
            "wrap": {"cp_wrap": dict(zip(WRAP_BINS, map(int, self.wrap), strict=True))},
            "reset": {"cp_reset": dict(zip(RESET_BINS, map(int, self.reset), strict=True))},
            "_excluded": {
                "instr": {
                    "cross_op_wbits_afmt_treg_status": {
                        "<" + ",".join(k) + ">": why for k, why in self.unreachable.items()
                    }
                }
            },
        }
        if self.fp is not None:
            out.update(self.fp.hits())
            out["_excluded"].update(
                {
                    g: {pt: dict(b) for pt, b in pts.items()}
                    for g, pts in self.fp.unreachable.items()
                }
            )
        return out

    def missed(self) -> list[str]:
        return [
            f"{cg}.{cp}.{b}"
            for cg, cps in self.hits().items()
            if not cg.startswith("_")
            for cp, bins in cps.items()
            for b, n in bins.items()
            if n == 0
        ]


class Coverage(uvm_component):
    """Subscribes to predictions and observations; owns the counts; dumps them at the end."""

    def build_phase(self) -> None:
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        self.enabled = knobs.cov_enabled()
        self.pred_export = uvm_subscriber.uvm_AnalysisImp(
            "pred_export", self, self.write_prediction
        )
        self.obs_export = uvm_subscriber.uvm_AnalysisImp("obs_export", self, self.write_observed)
        self.counts = CoverageCounts(self.cfg)

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "TRANSPORT").on_reset.append(self._reset)

    def _reset(self) -> None:
        if self.enabled:
            self.counts.sample_reset()

    def write_prediction(self, p: Prediction) -> None:
        if self.enabled:
            self.counts.sample_prediction(p)

    def write_observed(self, o: Observed) -> None:
        if self.enabled:
            self.counts.sample_observed(o)

    def report_phase(self) -> None:
        if not self.enabled:
            return
        h = self.counts.hits()
        total = sum(
            len(bins) for cg, cps in h.items() if not cg.startswith("_") for bins in cps.values()
        )
        missed = self.counts.missed()
        self.logger.info(f"coverage: {total - len(missed)}/{total} bins hit")
        d = knobs.cov_dir()
        if d is not None:
            d.mkdir(parents=True, exist_ok=True)
            test = ConfigDB().get(self, "", "TEST_NAME")
            transport = ConfigDB().get(self, "", "TRANSPORT").name
            seed = rand.given_seed()
            name = knobs.cov_name() or (
                f"{test}_{knobs.config_label()}_{cocotb.SIM_NAME}_{transport}_{seed}"
            )
            path = d / f"{name}.json"
            meta = {
                "test": test,
                "seed": seed,
                "config": knobs.config_label(),
                "core": knobs.core(),
                "sim": str(cocotb.SIM_NAME),
                "transport": transport,
            }
            path.write_text(json.dumps({"_meta": meta, **h}, indent=1, sort_keys=True))
            self.logger.info(f"coverage written to {path}")
        if missed and knobs.cov_strict():
            shown = ", ".join(missed[:20])
            raise AssertionError(f"LUT_TC_COV_STRICT: {len(missed)} bins missed: {shown} ...")
