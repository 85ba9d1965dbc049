# SPDX-License-Identifier: Apache-2.0
"""The response log: every response the core gave, in order, as a digest and optionally whole.

Two runs of the same stimulus must give the same responses bit for bit
whatever runs them: Icarus or Verilator (``make crosscheck``), alone or in a
group of tests in one simulator process. The digest is sha256 over the
three streams (tags as uint8, statuses as uint8, D lanes as int32, each in
order), so it does not depend on how a transport cuts the stream into
records, and it hashes the arrays the transports hand over without copying
them.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
from pyuvm import uvm_subscriber

from models.batch import BatchResponse
from tb import knobs
from tb.records import Observed

#: Files in the job's folder (:func:`tb.knobs.job_dir`).
SUMMARY_FILE = "responses.json"
LOG_FILE = "responses.npz"


#: The dtype of each stream, as the hardware gives it (8-bit tag and status, 32-bit lanes).
STREAMS = (("tag", np.uint8), ("status", np.uint8), ("d", np.int32))


def rows(r: Observed) -> np.ndarray:
    """``[B, 2 + lanes]`` int64: tag, status, D of each response (the full log's layout)."""
    resp = r.resp
    return np.column_stack(
        [
            np.asarray(resp.tag, dtype=np.int64),
            np.asarray(resp.status, dtype=np.int64),
            np.asarray(resp.d, dtype=np.int64).reshape(len(r), -1),
        ]
    )


class Digest:
    """sha256 of the tag, status and D streams of responses, fed a record at a time."""

    def __init__(self) -> None:
        self.shas = [hashlib.sha256() for _ in STREAMS]
        self.count = 0

    def update(self, resp: BatchResponse) -> None:
        for h, (name, dtype) in zip(self.shas, STREAMS, strict=True):
            a = np.ascontiguousarray(getattr(resp, name), dtype=dtype)
            h.update(memoryview(a).cast("B"))
        self.count += len(resp)

    def hexdigest(self) -> str:
        """One sha256 over the digests of the three streams."""
        return hashlib.sha256(b"".join(h.digest() for h in self.shas)).hexdigest()


class ResponseLog(uvm_subscriber):
    """Hashes every observed response; writes the summary (and with ``LUT_TC_RESP_LOG=1`` all)."""

    def build_phase(self) -> None:
        self.digest = Digest()
        self.keep = knobs.response_log()
        self.parts: list[np.ndarray] = []

    def write(self, r: Observed) -> None:
        self.digest.update(r.resp)
        if self.keep:
            self.parts.append(rows(r))

    def extract_phase(self) -> None:
        """Before the checks: a test the scoreboard fails still leaves its responses."""
        d = knobs.job_dir()
        d.mkdir(parents=True, exist_ok=True)
        summary = {"count": self.digest.count, "sha256": self.digest.hexdigest()}
        (d / SUMMARY_FILE).write_text(json.dumps(summary))
        if self.keep:
            lanes = self.parts[0].shape[1] if self.parts else 2
            allrows = np.concatenate(self.parts) if self.parts else np.zeros((0, lanes), np.int64)
            np.savez_compressed(d / LOG_FILE, rows=allrows)
        self.logger.info(f"responses: {self.digest.count}, sha256 {summary['sha256'][:16]}")
