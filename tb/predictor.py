# SPDX-License-Identifier: Apache-2.0
"""Predictor: :class:`models.batch.BatchModel` on every run of instructions the core accepted.

It sees exactly the instruction words and bus images the transport reported
as accepted (on ``pins``: re-read from the pins by the passive monitor), so
the expected responses need no knowledge of what a sequence meant to send.
A transport reset resets the model. ``BatchModel`` is the vectorized twin of
``models.core.CoreModel`` (the readable specification), held equal to it by
``tests/models/test_batch.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyuvm import ConfigDB, uvm_analysis_port, uvm_subscriber

from models.batch import BatchModel, BatchResponse
from models.config import FIELD, CoreConfig, Opcode, Status
from tb.records import Issued


@dataclass
class Prediction:
    """Accepted instructions and the responses the model says they must get."""

    issued: Issued
    resp: BatchResponse

    def __len__(self) -> int:
        return len(self.issued)


def ok_lmma(issued: Issued, resp: BatchResponse) -> np.ndarray:
    """Rows that are LMMAs answered OK."""
    op = FIELD["opcode"]
    return ((issued.batch.words >> op.lsb) & op.mask == Opcode.LMMA) & (resp.status == Status.OK)


class Predictor(uvm_subscriber):
    """Subscribes to the issued monitor; publishes :class:`Prediction` on ``ap``."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.cfg: CoreConfig = ConfigDB().get(self, "", "CFG")
        self.model = BatchModel(self.cfg)
        self.count = 0

    def start_of_simulation_phase(self) -> None:
        ConfigDB().get(self, "", "TRANSPORT").on_reset.append(self.model.reset)

    def predict(self, issued: Issued) -> BatchResponse:
        """The expected responses; a factory override can make them wrong on purpose."""
        return self.model.step(issued.batch)

    def write(self, issued: Issued) -> None:
        self.count += len(issued)
        self.ap.write(Prediction(issued, self.predict(issued)))


class BrokenPredictor(Predictor):
    """Negative-test predictor: flips bit 0 of lane 0 of one OK LMMA in every other record.

    ``broken`` counts the corrupted responses; the scoreboard must report
    exactly that many mismatches (``BrokenPredictionTest``). Every other
    record, not every one: on the ``pins`` transport a record is one
    instruction, and a predictor that broke every OK LMMA would make a DUT
    that is wrong on those same responses count no more mismatches than
    the predictor broke, so the test would pass on a broken DUT.
    """

    def build_phase(self) -> None:
        super().build_phase()
        self.broken = 0
        self._records = 0

    def predict(self, issued: Issued) -> BatchResponse:
        resp = super().predict(issued)
        rows = np.flatnonzero(ok_lmma(issued, resp))
        if rows.size:
            self._records += 1
            if self._records % 2:
                resp.d[rows[len(rows) // 2], 0] ^= 1
                self.broken += 1
        return resp
