"""Batch predictor: :class:`models.batch.BatchModel` on every batch the driver handed over."""

from __future__ import annotations

import numpy as np
from pyuvm import ConfigDB, uvm_analysis_port, uvm_subscriber

from models.batch import Batch, BatchModel, BatchResponse
from models.config import Status


class StreamPredictor(uvm_subscriber):
    """Publishes one :class:`BatchResponse` per batch on ``ap``."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0

    def start_of_simulation_phase(self) -> None:
        self.model = BatchModel(ConfigDB().get(self, "", "CFG"))

    def predict(self, batch: Batch) -> BatchResponse:
        return self.model.step(batch)

    def write(self, batch: Batch) -> None:
        self.count += len(batch)
        self.ap.write(self.predict(batch))


class BrokenStreamPredictor(StreamPredictor):
    """Wrong on purpose (negative test): flips bit 0 of lane 0 of one OK LMMA per batch."""

    def predict(self, batch: Batch) -> BatchResponse:
        resp = super().predict(batch)
        ok = np.flatnonzero((resp.status == Status.OK) & resp.d.any(axis=1))
        if ok.size:
            resp.d[ok[len(ok) // 2], 0] ^= 1
        return resp
