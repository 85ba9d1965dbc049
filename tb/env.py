# SPDX-License-Identifier: Apache-2.0
"""The environment: one agent, predictor, scoreboard and coverage, wired once for every transport.

The test puts the configuration and the run's transport into the ConfigDB
before this is built (:mod:`tb.tests.base_test`).

    agent.issued_monitor   --Issued--> predictor --Prediction--> scoreboard.exp_export
                                                            \\--> coverage.pred_export
    agent.observed_monitor --Observed------------------------> scoreboard.act_export
                                                            \\--> coverage.obs_export
                                                            \\--> responses (digest, log)
"""

from __future__ import annotations

from pyuvm import uvm_env

from tb.agent import LutTcAgent
from tb.coverage.collector import Coverage
from tb.predictor import Predictor
from tb.responses import ResponseLog
from tb.scoreboard import Scoreboard


class LutTcEnv(uvm_env):
    def build_phase(self) -> None:
        self.agent = LutTcAgent("agent", self)
        self.predictor = Predictor.create("predictor", self)  # factory: negative tests override
        self.scoreboard = Scoreboard("scoreboard", self)
        self.coverage = Coverage("coverage", self)
        self.responses = ResponseLog("responses", self)

    def connect_phase(self) -> None:
        self.agent.issued_monitor.ap.connect(self.predictor.analysis_export)
        self.predictor.ap.connect(self.scoreboard.exp_export)
        self.predictor.ap.connect(self.coverage.pred_export)
        self.agent.observed_monitor.ap.connect(self.scoreboard.act_export)
        self.agent.observed_monitor.ap.connect(self.coverage.obs_export)
        self.agent.observed_monitor.ap.connect(self.responses.analysis_export)
