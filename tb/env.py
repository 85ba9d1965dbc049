"""The environment: agents, predictor, scoreboard and coverage, wired once.

Configuration (``LUT_TC_CONFIG``, default M2N64) and the BFM are put in the
ConfigDB by the test before this is built; see :mod:`tb.tests.base_test`.

    instr_agent.monitor --accepted--> predictor --prediction--> scoreboard.exp_export
                                                            \\-> coverage.pred_export
    resp_agent.monitor  --responses-----------------------> scoreboard.act_export
                                                            \\-> coverage.resp_export
"""

from __future__ import annotations

from pyuvm import uvm_env

from tb.agents import InstrAgent, RespAgent
from tb.coverage import Coverage
from tb.predictor import Predictor
from tb.scoreboard import Scoreboard


class LutTcEnv(uvm_env):
    def build_phase(self) -> None:
        self.instr_agent = InstrAgent("instr_agent", self)
        self.resp_agent = RespAgent("resp_agent", self)
        self.predictor = Predictor.create("predictor", self)  # factory: negative tests override
        self.scoreboard = Scoreboard("scoreboard", self)
        self.coverage = Coverage("coverage", self)

    def connect_phase(self) -> None:
        self.instr_agent.monitor.ap.connect(self.predictor.analysis_export)
        self.predictor.ap.connect(self.scoreboard.exp_export)
        self.predictor.ap.connect(self.coverage.pred_export)
        self.resp_agent.monitor.ap.connect(self.scoreboard.act_export)
        self.resp_agent.monitor.ap.connect(self.coverage.resp_export)
