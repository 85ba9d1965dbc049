"""Functional coverage collector: samples the covergroups of :mod:`tb.covergroups`.

Inputs: every :class:`~tb.predictor.Prediction` (accepted instruction + the
status/D it must get), every response (output stall length) and every BFM
reset. Sampling is cheap by design: one pyvsc sample per instruction for the
instruction cross; table lookups (up to ``WBitsMax * N`` per LMMA) are counted
with numpy and only a bin's *first* hit goes through pyvsc, because a pyvsc
sample per lookup would cost about a millisecond per LMMA.

At the end, the per-bin hits go to ``$LUT_TC_COV_DIR/<name>.json`` (``$LUT_TC_COV_NAME``,
set by the regression runner to the job id, or ``<test>_<config>_<sim>_<seed>``)
(``{covergroup: {coverpoint_or_cross: {bin: hits}}}`` plus an ``_excluded``
section naming every excluded cross bin and the reason); ``tools/covmerge.py``
merges those files. A missed bin fails the test only with
``LUT_TC_COV_STRICT=1``: a single test is not expected to close coverage.
"""

from __future__ import annotations

import json

import cocotb
import numpy as np
from pyuvm import ConfigDB, uvm_component, uvm_subscriber

from models.config import AFmt, CoreConfig, Opcode, Status
from models.encoding import unpack_codes
from models.lmma import unpack_c
from models.tables import make_tables, unpack_a
from tb import knobs
from tb.covergroups import (
    EXTREME_BINS,
    ExtremesCg,
    HazardCg,
    InstrCg,
    LookupCg,
    ResetCg,
    StallCg,
    WrapCg,
    unreachable_instr_bins,
)
from tb.predictor import Prediction
from tb.seq_item import LutTcResp

_I8 = (-128, 127)
_I16 = (-32768, 32767)
_ENTRY_MIN, _ENTRY_MAX = -4 * 32768, 32767 + 3 * 32768  # table entry extremes for INT16


def covergroup_hits(cg) -> dict:
    """``{coverpoint_or_cross: {bin: hits}}`` of one pyvsc covergroup; excluded bins omitted."""
    model = cg.get_model()
    out: dict[str, dict[str, int]] = {}
    for cp in model.coverpoint_l:
        out[cp.name] = {cp.get_bin_name(i): cp.get_bin_hits(i) for i in range(cp.get_n_bins())}
    for cr in model.cross_l:
        bins = {}
        for i in range(cr.get_n_bins()):
            if cr.get_bin_valid(i):
                bins[cr.get_bin_name(i)] = cr.get_bin_hits(i)
        out[cr.name] = bins
    return out


class Coverage(uvm_component):
    """Subscribes to predictions and responses; owns the covergroups."""

    def build_phase(self) -> None:
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        self.enabled = knobs.cov_enabled()
        self.pred_export = uvm_subscriber.uvm_AnalysisImp(
            "pred_export", self, self.write_prediction
        )
        self.resp_export = uvm_subscriber.uvm_AnalysisImp("resp_export", self, self.write_response)
        cfg = self.cfg
        self.unreachable = unreachable_instr_bins(cfg)
        self.cg_instr = InstrCg(cfg, self.unreachable)
        self.cg_lookup = LookupCg(cfg)
        self.cg_hazard = HazardCg(cfg)
        self.cg_stall = StallCg()
        self.cg_extremes = ExtremesCg()
        self.cg_wrap = WrapCg()
        self.cg_reset = ResetCg()
        # LMMAs in which code c appeared in plane i (exact counts; pyvsc sees first hits)
        self.lookup_hits = np.zeros((cfg.W_BITS_MAX, 16), dtype=np.int64)
        self._n = 0  # accepted-instruction index since reset
        self._lutgen_at: dict[int, tuple[int, int]] = {}  # treg -> (index, cycle)
        self._outstanding = 0

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "BFM").on_reset.append(self._reset)

    # --- sampling -----------------------------------------------------------
    def _reset(self) -> None:
        if self.enabled:
            self.cg_reset.sample(1 if self._outstanding else 0)
        self._n, self._outstanding = 0, 0
        self._lutgen_at.clear()

    def write_response(self, r: LutTcResp) -> None:
        self._outstanding -= 1
        if self.enabled:
            self.cg_stall.sample(r.stall, 1)

    def write_prediction(self, p: Prediction) -> None:
        self._outstanding += 1
        self._n += 1
        if not self.enabled:
            return
        item, status = p.item, int(p.resp.status)
        i = item.instr
        self.cg_stall.sample(item.stall, 0)
        self.cg_instr.sample(i.opcode, i.wbits, i.afmt, i.treg, status)
        if status != Status.OK:
            return
        if i.opcode == Opcode.LUTGEN:
            self._lutgen_at[i.treg] = (self._n, item.cycle)
            self._sample_acts(item.a_bus, AFmt(i.afmt))
        elif i.opcode == Opcode.LMMA:
            n0, c0 = self._lutgen_at.get(i.treg, (None, None))
            if n0 is not None:
                dist = self._n - n0 - 1
                self.cg_hazard.sample(i.treg, dist, int(dist == 0 and item.cycle == c0 + 1))
            self._sample_lookups(item.w_bus, i.wbits)
            self._sample_wrap(item.c_bus, p.resp.d)

    def _sample_lookups(self, w_bus: int, b: int) -> None:
        codes = unpack_codes(w_bus, b, self.cfg).astype(np.int64)  # [b, N]
        flat = (np.arange(b)[:, None] * 16 + codes).ravel()
        seen = np.bincount(flat, minlength=self.cfg.W_BITS_MAX * 16) > 0
        seen = seen.reshape(self.cfg.W_BITS_MAX, 16)
        first = seen & (self.lookup_hits == 0)
        self.lookup_hits += seen
        for plane, code in np.argwhere(first):
            self.cg_lookup.sample(int(plane), int(code))

    def _sample_wrap(self, c_bus: int, d: np.ndarray) -> None:
        # One LMMA's own sum is below 2^25, so |D - C| > 2^31 only if C + sum wrapped.
        diff = d - unpack_c(c_bus, self.cfg)
        if (diff < -(1 << 31)).any():
            self.cg_wrap.sample(1)  # sum pushed C above INT32_MAX
        if (diff > (1 << 31)).any():
            self.cg_wrap.sample(2)
        if (np.abs(diff) < (1 << 31)).all():
            self.cg_wrap.sample(0)

    def _sample_acts(self, a_bus: int, afmt: AFmt) -> None:
        a = unpack_a(a_bus, self.cfg, afmt)
        names = EXTREME_BINS
        hits = []
        if afmt == AFmt.INT8:
            raw = unpack_a(a_bus, self.cfg, AFmt.INT16)
            hits += [a.min() == _I8[0] and "i8_min", a.max() == _I8[1] and "i8_max"]
            hits += [(a == 0).any() and "i8_zero", (raw != a).any() and "i8_dirty_upper_byte"]
        else:
            hits += [a.min() == _I16[0] and "i16_min", a.max() == _I16[1] and "i16_max"]
            hits += [(a == 0).any() and "i16_zero"]
            t = make_tables(a, afmt)
            hits += [t.min() == _ENTRY_MIN and "entry_min", t.max() == _ENTRY_MAX and "entry_max"]
        for h in hits:
            if h:
                self.cg_extremes.sample(names.index(h))

    # --- results --------------------------------------------------------------
    def hits(self) -> dict:
        """All bins of this test, the JSON layout ``tools/covmerge.py`` reads."""
        groups = {
            "instr": self.cg_instr,
            "lookup": self.cg_lookup,
            "hazard": self.cg_hazard,
            "stall": self.cg_stall,
            "extremes": self.cg_extremes,
            "wrap": self.cg_wrap,
            "reset": self.cg_reset,
        }
        out: dict = {name: covergroup_hits(cg) for name, cg in groups.items()}
        lk = out["lookup"]
        lk["cp_plane"] = {
            f"p{i}": int(self.lookup_hits[i].sum()) for i in range(self.cfg.W_BITS_MAX)
        }
        codes = list(lk["cp_code"])
        lk["cp_code"] = {n: int(self.lookup_hits[:, c].sum()) for c, n in enumerate(codes)}
        lk["cross_plane_code"] = {
            f"<p{i},{n}>": int(self.lookup_hits[i, c])
            for i in range(self.cfg.W_BITS_MAX)
            for c, n in enumerate(codes)
        }
        out["_excluded"] = {
            "instr": {
                "cross_op_wbits_afmt_treg_status": {
                    "<" + ",".join(k) + ">": why for k, why in self.unreachable.items()
                }
            }
        }
        return out

    def missed(self) -> list[str]:
        h = self.hits()
        return [
            f"{cg}.{cp}.{b}"
            for cg, cps in h.items()
            if not cg.startswith("_")
            for cp, bins in cps.items()
            for b, n in bins.items()
            if n == 0
        ]

    def report_phase(self) -> None:
        if not self.enabled:
            return
        h = self.hits()
        total = sum(
            len(bins) for cg, cps in h.items() if not cg.startswith("_") for bins in cps.values()
        )
        missed = self.missed()
        self.logger.info(f"coverage: {total - len(missed)}/{total} bins hit")
        d = knobs.cov_dir()
        if d is not None:
            d.mkdir(parents=True, exist_ok=True)
            test = ConfigDB().get(self, "", "TEST_NAME")
            # Unique per run: the same test and seed run on several configs and simulators.
            name = (
                knobs.cov_name()
                or f"{test}_{knobs.config_name()}_{cocotb.SIM_NAME}_{cocotb.RANDOM_SEED}"
            )
            path = d / f"{name}.json"
            meta = {"test": test, "seed": cocotb.RANDOM_SEED, "config": knobs.config_name()}
            path.write_text(json.dumps({"_meta": meta, **h}, indent=1, sort_keys=True))
            self.logger.info(f"coverage written to {path}")
        if missed and knobs.cov_strict():
            shown = ", ".join(missed[:20])
            raise AssertionError(f"LUT_TC_COV_STRICT: {len(missed)} bins missed: {shown} ...")
