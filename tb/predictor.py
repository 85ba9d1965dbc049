"""Predictor: the transaction-level model stepped on every ACCEPTED instruction.

``models.core.CoreModel`` sees exactly the instruction word and bus ints the
core's pins carried at the accepting edge, so the expected response needs no
knowledge of what the sequence meant to send. A BFM reset resets the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyuvm import ConfigDB, uvm_analysis_port, uvm_subscriber

from models.config import CoreConfig, Status
from models.core import CoreModel, Response
from tb.seq_item import LutTcItem


@dataclass
class Prediction:
    """An accepted instruction and the response the model says it must get."""

    item: LutTcItem
    resp: Response


class Predictor(uvm_subscriber):
    """Subscribes to the instruction monitor; publishes :class:`Prediction` on ``ap``."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        self.model = CoreModel(self.cfg)
        self.count = 0

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "BFM").on_reset.append(self.model.reset)

    def predict(self, item: LutTcItem) -> Response:
        """The expected response; a factory override can make it wrong on purpose."""
        return self.model.step(item.word, item.a_bus, item.w_bus, item.c_bus)

    def write(self, item: LutTcItem) -> None:
        self.count += 1
        self.ap.write(Prediction(item, self.predict(item)))


class BrokenPredictor(Predictor):
    """Negative-test predictor: every OK LMMA's D[0, 0] is off by one.

    The checker must notice; ``BrokenPredictionTest`` passes only if it does.
    """

    def predict(self, item: LutTcItem) -> Response:
        resp = super().predict(item)
        if resp.status == Status.OK and item.instr.opcode == 2:
            d = resp.d.copy()
            d[0, 0] = d[0, 0] + 1 if d[0, 0] < np.iinfo(np.int32).max else d[0, 0] - 1
            resp = Response(resp.tag, resp.status, d)
        return resp
