"""The stream environment, wired once.

    agent.driver  --batches handed over--> predictor --predicted batches--> scoreboard.exp_export
    agent.monitor --response segments-----------------------------------> scoreboard.act_export

Configuration and the bridge are put in the ConfigDB by the test
(:mod:`tb.stream.tests`). No functional coverage here: pyvsc samples one
transaction in about 3 ms, a thousand times the cost of checking it; the
per-transaction environment (``tb/env.py``) owns coverage closure.
"""

from __future__ import annotations

from pyuvm import uvm_env

from tb.stream.agent import StreamAgent
from tb.stream.predictor import StreamPredictor
from tb.stream.scoreboard import StreamScoreboard


class StreamEnv(uvm_env):
    def build_phase(self) -> None:
        self.agent = StreamAgent("agent", self)
        self.predictor = StreamPredictor.create("predictor", self)  # negative tests override
        self.scoreboard = StreamScoreboard("scoreboard", self)

    def connect_phase(self) -> None:
        self.agent.driver.ap.connect(self.predictor.analysis_export)
        self.predictor.ap.connect(self.scoreboard.exp_export)
        self.agent.monitor.ap.connect(self.scoreboard.act_export)
