"""The response log: every response the core gave, in order, as a digest and optionally whole.

Two runs of the same stimulus must give the same responses bit for bit
whatever runs them: Icarus or Verilator (``make crosscheck``), alone or in a
group of tests in one simulator process. The digest is over the rows
``(tag, status, D lanes)`` as int64, row after row, so it does not depend on
how a transport cuts the stream into records.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
from pyuvm import uvm_subscriber

from tb import knobs
from tb.records import Observed

#: Files in the job's folder (:func:`tb.knobs.job_dir`).
SUMMARY_FILE = "responses.json"
LOG_FILE = "responses.npz"


def rows(r: Observed) -> np.ndarray:
    """``[B, 2 + lanes]`` int64: tag, status, D of each response."""
    resp = r.resp
    return np.column_stack(
        [
            np.asarray(resp.tag, dtype=np.int64),
            np.asarray(resp.status, dtype=np.int64),
            np.asarray(resp.d, dtype=np.int64).reshape(len(r), -1),
        ]
    )


class ResponseLog(uvm_subscriber):
    """Hashes every observed response; writes the summary (and with ``LUT_TC_RESP_LOG=1`` all)."""

    def build_phase(self) -> None:
        self.sha = hashlib.sha256()
        self.count = 0
        self.keep = knobs.response_log()
        self.parts: list[np.ndarray] = []

    def write(self, r: Observed) -> None:
        block = np.ascontiguousarray(rows(r))
        self.sha.update(block.tobytes())
        self.count += len(block)
        if self.keep:
            self.parts.append(block)

    def extract_phase(self) -> None:
        """Before the checks: a test the scoreboard fails still leaves its responses."""
        d = knobs.job_dir()
        d.mkdir(parents=True, exist_ok=True)
        summary = {"count": self.count, "sha256": self.sha.hexdigest()}
        (d / SUMMARY_FILE).write_text(json.dumps(summary))
        if self.keep:
            lanes = self.parts[0].shape[1] if self.parts else 2
            allrows = np.concatenate(self.parts) if self.parts else np.zeros((0, lanes), np.int64)
            np.savez_compressed(d / LOG_FILE, rows=allrows)
        self.logger.info(f"responses: {self.count}, sha256 {summary['sha256'][:16]}")
