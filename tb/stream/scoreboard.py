"""Stream scoreboard: every response, in order, bit-exact on tag, status and all of D.

Expected responses arrive per batch (predictor), actual ones per segment
(monitor); the boundaries differ, so both sides are consumed as one ordered
stream and compared a slice at a time with array operations. The bridge
issues and records strictly in order, so a position is an identity: a lost
response shows as a shifted stream (mismatches) plus one left-over
expectation at the end. The bridge's own counters (instructions issued,
protocol violations, malformed batch files) are checked in ``check_phase``.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from pyuvm import ConfigDB

from models.batch import BatchResponse
from tb.bridge import StreamBridge
from tb.scoreboard import MAX_REPORTED, ScoreboardBase, status_name


class _Fifo:
    """Responses in arrival order, taken from the front in slices of any size."""

    def __init__(self) -> None:
        self.parts: deque[BatchResponse] = deque()
        self.offset = 0  # rows of parts[0] already taken
        self.rows = 0  # rows waiting

    def put(self, r: BatchResponse) -> None:
        if len(r):
            self.parts.append(r)
            self.rows += len(r)

    def take(self, n: int) -> list[BatchResponse]:
        out = []
        while n:
            head = self.parts[0]
            k = min(n, len(head) - self.offset)
            out.append(head[self.offset : self.offset + k])
            self.offset += k
            n -= k
            self.rows -= k
            if self.offset == len(head):
                self.parts.popleft()
                self.offset = 0
        return out


class StreamScoreboard(ScoreboardBase):
    def build_phase(self) -> None:
        super().build_phase()
        self.exp, self.act = _Fifo(), _Fifo()
        self.n_exp = self.n_act = self.compared = self.matched = 0
        self.counts = {"mismatch": 0, "lost": 0, "extra": 0, "bridge": 0}
        self.expect_load_err = 0  #: malformed batch files a negative test offered on purpose

    def start_of_simulation_phase(self) -> None:
        self.bridge: StreamBridge = ConfigDB().get(self, "", "BRIDGE")

    # --- inputs -----------------------------------------------------------
    def write_expected(self, r: BatchResponse) -> None:
        self.n_exp += len(r)
        self.exp.put(r)
        self._match()

    def write_actual(self, r: BatchResponse) -> None:
        self.n_act += len(r)
        self.act.put(r)
        self._match()

    # --- state --------------------------------------------------------------
    @property
    def outstanding(self) -> int:
        """Predicted responses not yet received."""
        return self.n_exp - self.n_act

    # --- comparing -----------------------------------------------------------
    def _match(self) -> None:
        n = min(self.exp.rows, self.act.rows)
        if not n:
            return
        lanes = self.cfg.M * self.cfg.N
        e = BatchResponse.concat(self.exp.take(n), lanes)
        a = BatchResponse.concat(self.act.take(n), lanes)
        d_bad = np.any(e.d != a.d, axis=1)
        bad = np.flatnonzero((e.tag != a.tag) | (e.status != a.status) | d_bad)
        if bad.size:
            room = max(0, MAX_REPORTED - self.counts["mismatch"])
            for i in bad[:room]:
                self.logger.error(
                    "MISMATCH: " + self._describe(self.compared + int(i), e, a, int(i))
                )
            if bad.size > room:
                first, last = self.compared + int(bad[room]), self.compared + int(bad[-1])
                self.logger.error(f"MISMATCH: {bad.size - room} more in responses {first}..{last}")
            self.counts["mismatch"] += int(bad.size)
        self.compared += n
        self.matched += n - int(bad.size)

    def _describe(self, index: int, e: BatchResponse, a: BatchResponse, i: int) -> str:
        msg = (
            f"response {index}: tag {a.tag[i]} status {status_name(a.status[i])}, "
            f"expected tag {e.tag[i]} status {status_name(e.status[i])}"
        )
        lanes = np.flatnonzero(e.d[i] != a.d[i])
        if lanes.size:
            n = self.cfg.N
            shown = ", ".join(
                f"[{k // n},{k % n}] {int(a.d[i, k])} != {int(e.d[i, k])}" for k in lanes[:4]
            )
            msg += f"; D differs in {lanes.size}/{e.d.shape[1]} lanes: {shown}"
        return msg

    # --- end of test --------------------------------------------------------
    def check_phase(self) -> None:
        if self.exp.rows:
            self._error("lost", f"{self.exp.rows} predicted responses never arrived", self.exp.rows)
        if self.act.rows:
            self._error("extra", f"{self.act.rows} responses beyond the prediction", self.act.rows)
        b = self.bridge
        for name, want in (
            ("issued", b.sent),
            ("proto_err", 0),
            ("load_err", self.expect_load_err),
        ):
            got = b.counter(name)
            if got != want:
                self._error("bridge", f"bridge {name}_o = {got}, expected {want}")
        if self.errors and not self.expect_errors:
            raise AssertionError(f"stream scoreboard: {self.errors} errors {self.counts}")

    def report_phase(self) -> None:
        self.logger.info(
            f"stream scoreboard: {self.matched}/{self.compared} responses matched "
            f"bit-exactly, errors {self.counts}"
        )
