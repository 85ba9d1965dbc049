# SPDX-License-Identifier: Apache-2.0
"""What transports report, the same on every transport: runs of accepted instructions
and runs of responses, each with the clock cycles the waves show (counted from the
job's start, :mod:`tb.timebase`, in a group run as in a lone one).

Everything above the transports (predictor, scoreboard, coverage, tests)
deals only in these two records, so a scenario, a check or a covergroup is
written once and runs on the cycle-level pins transport and on the batch
transport alike. Arrays, not objects: a record holds one instruction (pins)
or a thousand (batch), and consumers work on it with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.batch import Batch, BatchResponse


@dataclass
class Issued:
    """Instructions the core accepted, in order, with the payload its input pins carried."""

    batch: Batch
    index: np.ndarray  #: int64 ``[B]``: position in the test's instruction stream (0, 1, ...)
    cycle: np.ndarray  #: int64 ``[B]``: clock cycle of the accepting edge (-1: not known)
    stall: np.ndarray  #: int64 ``[B]``: cycles ``in_valid_i`` waited for ``in_ready_o``

    def __len__(self) -> int:
        return len(self.batch)


@dataclass
class Observed:
    """Responses as they left the core, in order."""

    resp: BatchResponse
    cycle: np.ndarray  #: int64 ``[B]``: clock cycle of the response handshake
    stall: np.ndarray  #: int64 ``[B]``: cycles ``out_valid_o`` waited for ``out_ready_i``
    in_cycle: np.ndarray  #: int64 ``[B]``: accepting cycle of the instruction it answers
    in_stall: np.ndarray  #: int64 ``[B]``: that instruction's ``in_valid_i`` wait

    def __len__(self) -> int:
        return len(self.resp)
