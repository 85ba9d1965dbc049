"""In-order scoreboard: every accepted instruction is answered once, in order, bit-exact.

Expected responses come from the predictor (one per accepted instruction),
actual ones from the response monitor. They are paired in order; a pair must
agree on tag, status and every D lane. When the tags disagree the scoreboard
looks for the reason instead of cascading:

* the actual tag is further down the expected queue -> the responses in
  between were LOST (each one an error), then compare;
* the actual tag was answered a moment ago -> an EXTRA (duplicate) response;
* neither -> a response with an unknown tag (REORDERED or corrupted).

Left-over expectations at ``check_phase`` are lost responses, left-over
actuals are extra ones. A BFM reset drops both queues (docs: in-flight
instructions are abandoned by reset). Errors fail the test in
``check_phase``, unless ``EXPECT_SB_ERRORS`` is set in the ConfigDB (negative
tests assert on :attr:`errors` themselves).
"""

from __future__ import annotations

from collections import deque

import numpy as np
from pyuvm import ConfigDB, UVMConfigItemNotFound, uvm_component, uvm_subscriber

from models.config import CoreConfig, Opcode, Status
from models.lmma import unpack_c
from tb.predictor import Prediction
from tb.seq_item import LutTcResp

MAX_REPORTED = 10  #: detailed error messages per category, then just counted
RECENT = 16  #: answered tags remembered to classify duplicates


def status_name(v: int) -> str:
    try:
        return Status(v).name
    except ValueError:
        return f"?{v}"


class ScoreboardBase(uvm_component):
    """What both scoreboards share: config, exports, error counting, the negative-test switch.

    Subclasses define ``counts`` (error kinds) and ``write_expected``/``write_actual``.
    """

    counts: dict[str, int]

    def build_phase(self) -> None:
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        try:
            self.expect_errors = bool(ConfigDB().get(self, "", "EXPECT_SB_ERRORS"))
        except UVMConfigItemNotFound:
            self.expect_errors = False
        self.exp_export = uvm_subscriber.uvm_AnalysisImp("exp_export", self, self.write_expected)
        self.act_export = uvm_subscriber.uvm_AnalysisImp("act_export", self, self.write_actual)

    def write_expected(self, item) -> None:
        raise NotImplementedError

    def write_actual(self, item) -> None:
        raise NotImplementedError

    @property
    def errors(self) -> int:
        return sum(self.counts.values())

    def _error(self, kind: str, msg: str, n: int = 1) -> None:
        """Count ``n`` errors of ``kind``; the first MAX_REPORTED of a kind are logged."""
        before = self.counts[kind]
        self.counts[kind] += n
        if before < MAX_REPORTED:
            self.logger.error(f"{kind.upper()}: {msg}")
        elif before == MAX_REPORTED:
            self.logger.error(f"{kind.upper()}: further errors of this kind only counted")


class Scoreboard(ScoreboardBase):
    def build_phase(self) -> None:
        super().build_phase()
        self.exp: deque[Prediction] = deque()
        self.act: deque[LutTcResp] = deque()
        self.recent: deque[int] = deque(maxlen=RECENT)
        self.matched = 0
        self.counts = {"mismatch": 0, "lost": 0, "extra": 0, "unknown_tag": 0}
        self.flushed = 0

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "BFM").on_reset.append(self.flush)

    # --- inputs -----------------------------------------------------------
    def write_expected(self, p: Prediction) -> None:
        self.exp.append(p)
        if self.act:
            self._match()

    def write_actual(self, r: LutTcResp) -> None:
        self.act.append(r)
        if self.exp:
            self._match()

    def flush(self) -> None:
        """Reset: outstanding instructions are abandoned, not lost."""
        self.flushed += len(self.exp)
        if self.exp or self.act:
            self.logger.info(f"reset: dropping {len(self.exp)} expected, {len(self.act)} actual")
        self.exp.clear()
        self.act.clear()
        self.recent.clear()

    # --- state ------------------------------------------------------------
    @property
    def outstanding(self) -> int:
        """Accepted instructions not yet answered."""
        return len(self.exp)

    # --- matching -----------------------------------------------------------
    def _match(self) -> None:
        exp, act = self.exp, self.act
        while exp and act:
            a = act[0]
            if exp[0].resp.tag != a.tag:
                j = next((j for j, p in enumerate(exp) if p.resp.tag == a.tag), None)
                if j is not None:
                    for _ in range(j):
                        p = exp.popleft()
                        self._error(
                            "lost", f"no response for {p.item} (next response is tag {a.tag})"
                        )
                elif a.tag in self.recent:
                    act.popleft()
                    self._error("extra", f"{a}: tag already answered (duplicate response)")
                    continue
                else:
                    act.popleft()
                    self._error(
                        "unknown_tag",
                        f"{a}: expected tag {exp[0].resp.tag} ({exp[0].item}); "
                        "response reordered or tag corrupted",
                    )
                    continue
            self._compare(exp.popleft(), act.popleft())

    def _compare(self, p: Prediction, a: LutTcResp) -> None:
        e = p.resp
        self.recent.append(a.tag)
        problems = []
        if a.status != e.status:
            problems.append(f"status {status_name(a.status)} != expected {Status(e.status).name}")
        if e.status == Status.OK and p.item.instr.opcode == Opcode.LMMA:
            # Compare bus words (one int compare); decode lanes only to explain a mismatch.
            if a.d != int.from_bytes(e.d.astype("<i4").tobytes(), "little"):
                problems.append(self._d_diff(unpack_c(a.d, self.cfg), e.d))
        elif a.d != 0:
            problems.append("D must be zero for this response")
        if problems:
            self._error("mismatch", f"{p.item} -> {a}: " + "; ".join(problems))
        else:
            self.matched += 1

    def _d_diff(self, d_act: np.ndarray, d_exp: np.ndarray) -> str:
        bad = np.argwhere(d_act != d_exp)
        shown = ", ".join(f"[{m},{n}] {int(d_act[m, n])} != {int(d_exp[m, n])}" for m, n in bad[:4])
        return f"D differs in {len(bad)}/{d_exp.size} lanes: {shown}"

    # --- end of test --------------------------------------------------------
    def check_phase(self) -> None:
        for p in self.exp:
            self._error("lost", f"no response for {p.item} by the end of the test")
        for a in self.act:
            self._error("extra", f"{a}: no instruction left to answer")
        self.exp.clear()
        self.act.clear()
        if self.errors and not self.expect_errors:
            raise AssertionError(f"scoreboard: {self.errors} errors {self.counts}")

    def report_phase(self) -> None:
        self.logger.info(
            f"scoreboard: {self.matched} responses matched, errors {self.counts}, "
            f"{self.flushed} abandoned by reset"
        )
