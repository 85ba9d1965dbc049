# SPDX-License-Identifier: Apache-2.0
"""Scoreboard: every accepted instruction answered once, in order, bit-exact on tag, status, D.

Expected responses arrive per :class:`~tb.predictor.Prediction`, actual ones
per :class:`~tb.records.Observed` record; the two sides are cut differently
(one instruction on ``pins``, hundreds on ``batch``), so both are kept as one
ordered stream of rows and compared a slice at a time with array operations.
When the tags at the head disagree the scoreboard looks for the reason
instead of cascading:

* the actual tag is a little further down the expected stream -> the
  responses in between were LOST (each one an error), then compare;
* the actual tag was answered a moment ago -> an EXTRA (duplicate) response;
* the actual tag was reported lost a moment ago -> it came late: REORDERED
  (the lost count is taken back);
* none of these -> a response with an UNKNOWN tag (corrupted).

Left-over expectations at ``check_phase`` are lost responses, left-over
actuals extra ones, and the transport adds what only it can see (the batch
bridge's counters). A transport reset drops both streams (in-flight
instructions are abandoned by reset, docs section 5).

Each reported mismatch names the instruction index in the test's stream, the
tag, the decoded instruction, the lanes ``[m, n]`` with expected and actual
values, and the time of the response's accepting clock edge, counted from
the job's start (:mod:`tb.timebase`): the time its waves and its repro show.
Errors fail the test in ``check_phase`` unless ``EXPECT_SB_ERRORS`` is set
in the ConfigDB (negative tests assert on :attr:`counts` themselves).
"""

from __future__ import annotations

import json
from collections import deque

import numpy as np
from pyuvm import ConfigDB, UVMConfigItemNotFound, uvm_component, uvm_subscriber

from models import isa
from models.config import AccFmt, CoreConfig, Status
from tb import knobs
from tb.predictor import Prediction
from tb.records import Observed

MAX_REPORTED = 10  #: detailed messages per error kind, then just counted
RECENT = 16  #: answered tags remembered to classify duplicates
LOOKAHEAD = 64  #: expected rows searched for a tag after a lost response
KINDS = ("mismatch", "lost", "extra", "reordered", "unknown_tag", "transport")
#: written into the run directory (the simulator's cwd) when a response was wrong
FIRST_ERROR_FILE = "scoreboard_first_error.json"


def _fp_lanes(word: int) -> AccFmt:
    """How the D lanes of this instruction's response read: its accfmt (INT32 for
    anything but an FP32 or FP16 LMMA)."""
    acc = isa.decode(word).accfmt
    return AccFmt(acc) if acc in (AccFmt.FP32, AccFmt.FP16) else AccFmt.INT32


def lane_text(v: int, fp: bool | AccFmt) -> str:
    """One D lane for a report: signed decimal, or the binary32 or binary16 value, and
    the bit pattern.

    An FP lane reads as a float (``-1.5``, ``inf``, ``nan``) so a rounding
    error is visible as a value, and its bits as hex so a NaN payload, a
    signed zero or a one-ulp difference is visible too. A binary16 lane
    (``AccFmt.FP16``) is the value of bits [15:0]; the hex shows all 32 bits,
    so a non-zero upper half is visible.
    """
    bits = v & 0xFFFFFFFF
    if fp is AccFmt.FP16:
        value = float(np.array(bits & 0xFFFF, dtype=np.uint16).view(np.float16))
        return f"{value!r} (0x{bits:08x})"
    if fp is True or fp is AccFmt.FP32:
        value = float(np.array(bits, dtype=np.uint32).view(np.float32))
        return f"{value!r} (0x{bits:08x})"
    return f"{v} (0x{bits:08x})"


def status_name(v: int) -> str:
    try:
        return Status(int(v)).name
    except ValueError:
        return f"?{int(v)}"


class _Rows:
    """Rows of named columns in arrival order; read and dropped from the front in any amount."""

    def __init__(self) -> None:
        self.parts: deque[dict[str, np.ndarray]] = deque()
        self.offset = 0  # rows of parts[0] already dropped
        self.rows = 0

    def put(self, cols: dict[str, np.ndarray]) -> None:
        n = len(next(iter(cols.values())))
        if n:
            self.parts.append(cols)
            self.rows += n

    def peek(self, n: int) -> dict[str, np.ndarray]:
        """The first ``n`` rows (a view when they sit in one part)."""
        out: dict[str, list[np.ndarray]] = {}
        off, left = self.offset, n
        for part in self.parts:
            size = len(next(iter(part.values())))
            k = min(left, size - off)
            for key, col in part.items():
                out.setdefault(key, []).append(col[off : off + k])
            left -= k
            off = 0
            if not left:
                break
        return {k: v[0] if len(v) == 1 else np.concatenate(v) for k, v in out.items()}

    def drop(self, n: int) -> None:
        self.rows -= n
        while n:
            size = len(next(iter(self.parts[0].values())))
            k = min(n, size - self.offset)
            self.offset += k
            n -= k
            if self.offset == size:
                self.parts.popleft()
                self.offset = 0

    def clear(self) -> None:
        self.parts.clear()
        self.offset = self.rows = 0


class Scoreboard(uvm_component):
    def build_phase(self) -> None:
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        try:
            self.expect_errors = bool(ConfigDB().get(self, "", "EXPECT_SB_ERRORS"))
        except UVMConfigItemNotFound:
            self.expect_errors = False
        self.exp_export = uvm_subscriber.uvm_AnalysisImp("exp_export", self, self.write_expected)
        self.act_export = uvm_subscriber.uvm_AnalysisImp("act_export", self, self.write_actual)
        self.exp, self.act = _Rows(), _Rows()
        self.recent: deque[int] = deque(maxlen=RECENT)
        self.recent_lost: deque[int] = deque(maxlen=RECENT)  # tags reported lost
        self.counts = dict.fromkeys(KINDS, 0)
        self.n_exp = self.n_act = self.matched = self.flushed = 0
        self.first_error_ns: float | None = None  #: job time (ns) of the first bad response
        self.first_error = ""
        self.first_error_at: dict[str, int] = {}  #: its cycle and the tag on the pins then

    def start_of_simulation_phase(self) -> None:
        self.transport = ConfigDB().get(self, "", "TRANSPORT")
        self.period_ns = self.transport.period_ns
        self.transport.on_reset.append(self.flush)

    # --- inputs -----------------------------------------------------------------
    def write_expected(self, p: Prediction) -> None:
        n = len(p)
        self.n_exp += n
        self.exp.put(
            {
                "index": p.issued.index,
                "word": p.issued.batch.words,
                "tag": p.resp.tag,
                "status": p.resp.status,
                "d": p.resp.d,
            }
        )
        if self.act.rows:
            self._match()

    def write_actual(self, r: Observed) -> None:
        self.n_act += len(r)
        self.act.put({"tag": r.resp.tag, "status": r.resp.status, "d": r.resp.d, "cycle": r.cycle})
        if self.exp.rows:
            self._match()

    def flush(self) -> None:
        """Reset: outstanding instructions are abandoned, not lost."""
        self.flushed += self.exp.rows
        if self.exp.rows or self.act.rows:
            self.logger.info(
                f"reset: dropping {self.exp.rows} expected, {self.act.rows} actual responses"
            )
        self.exp.clear()
        self.act.clear()
        self.recent.clear()
        self.recent_lost.clear()

    @property
    def outstanding(self) -> int:
        """Accepted instructions not yet answered."""
        return self.exp.rows

    @property
    def errors(self) -> int:
        return sum(self.counts.values())

    # --- matching ---------------------------------------------------------------
    def _match(self) -> None:
        exp, act = self.exp, self.act
        while exp.rows and act.rows:
            n = min(exp.rows, act.rows, 8192)
            e, a = exp.peek(n), act.peek(n)
            tag_bad = e["tag"] != a["tag"]
            k = int(np.argmax(tag_bad)) if tag_bad.any() else n
            if k:
                self._compare(e, a, k)
                exp.drop(k)
                act.drop(k)
                continue
            self._resync(int(a["tag"][0]), a)

    def _resync(self, tag: int, a: dict[str, np.ndarray]) -> None:
        """The head tags differ: lost responses, a duplicate, or an unknown tag."""
        ahead = self.exp.peek(min(self.exp.rows, LOOKAHEAD))
        hits = np.flatnonzero(ahead["tag"] == tag)
        when = self._when(a, 0)
        if hits.size and hits[0] > 0:
            j = int(hits[0])
            for i in range(j):
                self.recent_lost.append(int(ahead["tag"][i]))
                self._error(
                    "lost",
                    f"no response for {self._instr(ahead, i)} (next response is tag {tag}, {when})",
                    a,
                    0,
                )
            self.exp.drop(j)
        elif tag in self.recent_lost:
            self.act.drop(1)
            self.recent_lost.remove(tag)
            self.counts["lost"] -= 1
            self._error(
                "reordered",
                f"response tag {tag} {when}: came after the response of a later instruction "
                "(counted as reordered, not lost)",
                a,
                0,
            )
        elif tag in self.recent:
            self.act.drop(1)
            self._error(
                "extra", f"response tag {tag} {when}: tag already answered (duplicate)", a, 0
            )
        else:
            self.act.drop(1)
            self._error(
                "unknown_tag",
                f"response tag {tag} {when}: expected {self._instr(ahead, 0)}; "
                "tag corrupted or never issued",
                a,
                0,
            )

    def _compare(self, e: dict, a: dict, n: int) -> None:
        d_bad = np.any(e["d"][:n] != a["d"][:n], axis=1)
        bad = np.flatnonzero((e["status"][:n] != a["status"][:n]) | d_bad)
        self.recent.extend(a["tag"][max(0, n - RECENT) : n].tolist())
        self.matched += n - bad.size
        if not bad.size:
            return
        room = max(0, MAX_REPORTED - self.counts["mismatch"])
        for i in bad[:room].tolist():
            self._error("mismatch", self._describe(e, a, i), a, i)
        rest = bad.size - min(room, bad.size)
        if rest:
            if self.counts["mismatch"] == MAX_REPORTED:
                self.logger.error("MISMATCH: further errors of this kind only counted")
            self.counts["mismatch"] += rest

    # --- messages -----------------------------------------------------------------
    def _when(self, a: dict, i: int) -> str:
        cyc = int(a["cycle"][i])
        return f"at {cyc * self.period_ns} ns (cycle {cyc})" if cyc >= 0 else "(time unknown)"

    @staticmethod
    def _instr(e: dict, i: int) -> str:
        return f"instruction {int(e['index'][i])} [{isa.disasm(int(e['word'][i]))}]"

    def _describe(self, e: dict, a: dict, i: int) -> str:
        parts = [f"{self._instr(e, i)} answered {self._when(a, i)}: tag {int(a['tag'][i])}"]
        if e["status"][i] != a["status"][i]:
            parts.append(
                f"status {status_name(a['status'][i])} != expected {status_name(e['status'][i])}"
            )
        lanes = np.flatnonzero(e["d"][i] != a["d"][i])
        if lanes.size:
            n = self.cfg.N
            fp = _fp_lanes(int(e["word"][i]))
            shown = ", ".join(
                f"[{k // n},{k % n}] {lane_text(int(a['d'][i, k]), fp)}"
                f" != expected {lane_text(int(e['d'][i, k]), fp)}"
                for k in lanes[:4].tolist()
            )
            parts.append(f"D differs in {lanes.size}/{e['d'].shape[1]} lanes: {shown}")
        return "; ".join(parts)

    def _error(
        self,
        kind: str,
        msg: str,
        a: dict | None = None,
        i: int = 0,
        n: int = 1,
        when_ns: float | None = None,
    ) -> None:
        """Count ``n`` errors of ``kind``; the first MAX_REPORTED of a kind are logged."""
        if when_ns is None and a is not None and int(a["cycle"][i]) >= 0:
            when_ns = float(a["cycle"][i]) * self.period_ns
        if self.first_error_ns is None and when_ns is not None:
            self.first_error_ns = when_ns
            self.first_error = f"{kind}: {msg}"
            if a is not None:
                self.first_error_at = {"cycle": int(a["cycle"][i]), "tag": int(a["tag"][i])}
        before = self.counts[kind]
        self.counts[kind] += n
        if before < MAX_REPORTED:
            self.logger.error(f"{kind.upper()}: {msg}")
        elif before == MAX_REPORTED:
            self.logger.error(f"{kind.upper()}: further errors of this kind only counted")

    # --- end of test --------------------------------------------------------------
    def check_phase(self) -> None:
        if self.exp.rows:
            left = self.exp.peek(min(self.exp.rows, 3))
            shown = ", ".join(self._instr(left, i) for i in range(len(left["tag"])))
            self._error(
                "lost",
                f"{self.exp.rows} accepted instructions never answered, from {shown}",
                n=self.exp.rows,
            )
        if self.act.rows:
            a = self.act.peek(1)
            self._error(
                "extra",
                f"{self.act.rows} responses beyond the accepted instructions, the first "
                f"tag {int(a['tag'][0])} {self._when(a, 0)}",
                a,
                0,
                n=self.act.rows,
            )
        self.exp.clear()
        self.act.clear()
        for kind, msg in self.transport.end_checks():
            self._error(kind, msg)
        if self.first_error_ns is not None:
            # make waves opens the waves on this response (tools/waves_run.py): the
            # accepting edge at time_ns, the response on the pins the period before it.
            self.logger.info(f"first error at {self.first_error_ns:.0f} ns: {self.first_error}")
            first = {
                "time_ns": self.first_error_ns,
                **self.first_error_at,
                "period_ns": self.period_ns,
                "error": self.first_error,
            }
            (knobs.job_dir() / FIRST_ERROR_FILE).write_text(json.dumps(first))
        if self.errors and not self.expect_errors:
            raise AssertionError(f"scoreboard: {self.errors} errors {self._nonzero()}")

    def _nonzero(self) -> dict[str, int]:
        return {k: v for k, v in self.counts.items() if v}

    def report_phase(self) -> None:
        self.logger.info(
            f"scoreboard: {self.matched}/{self.n_exp} responses matched bit-exactly, "
            f"errors {self._nonzero() or 0}, {self.flushed} abandoned by reset"
        )
