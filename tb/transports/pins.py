# SPDX-License-Identifier: Apache-2.0
"""The ``pins`` transport: the cycle-level BFM on ``lut_tensor_core``'s own ports.

One instruction per handshake, idle and back-pressure patterns, resets at any
moment, and the BFM's protocol checks (a stalled response must hold). What
the core accepted is reported by the BFM's *passive* input monitor, which
re-reads every input pin at the accepting edge: the predictor never learns
from the driver's own account, so a driver bug cannot hide. The transport
also holds each accepted instruction against the one the sequence handed
over, in order: a driver that puts anything else on the pins is reported
(``end_checks``), while the scoreboard still judges the core on what it got.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator

import numpy as np

from models.batch import Batch, BatchResponse, bus_bytes, from_bytes
from models.config import CoreConfig
from tb import patterns
from tb.bfm import Accepted, Beat, BusTxn, LutTcBfm
from tb.records import Issued, Observed
from tb.transports.base import Transport


def _image(value: int, nbytes: int) -> np.ndarray:
    return np.frombuffer(value.to_bytes(nbytes, "little"), dtype=np.uint8)[None, :]


class PinsTransport(Transport):
    name = "pins"
    item_size = 16
    poll_cycles = 8
    hang_cycles = 2048

    def __init__(self, dut, cfg: CoreConfig, period_ns: int = 10) -> None:
        super().__init__(dut, cfg, period_ns)
        self.bfm = LutTcBfm(dut, cfg, period_ns)
        self.bfm.passive_in_monitor = True
        self.bfm.on_accept.append(self._accepted)
        self.bfm.on_response.append(self._response)
        self.bfm.on_reset.append(self._reset)
        self.nb = bus_bytes(cfg)
        self._inflight: deque[tuple[int, int]] = deque()  # (accept cycle, stall), unanswered
        self._handed: deque[tuple[int, int, int, int]] = deque()  # sent, not yet accepted
        self.driver_errors: list[str] = []

    def set_traffic(
        self,
        bp_pct: int,
        gap_pct: int,
        seed: int,
        shapes: tuple[Iterator[int], Iterator[int]] | None = None,
    ) -> None:
        super().set_traffic(bp_pct, gap_pct, seed)
        if shapes is not None:
            out_ready, in_idle = shapes
        else:
            rng = random.Random(seed)
            out_ready = patterns.random_pattern(rng, 1 - bp_pct / 100) if bp_pct else None
            in_idle = patterns.random_pattern(rng, gap_pct / 100) if gap_pct else None
        if out_ready is not None:
            self.bfm.set_out_ready(out_ready)
        if in_idle is not None:
            self.bfm.set_in_idle(in_idle)

    def start_clock(self) -> None:
        self.bfm.start_clock()

    async def reset(self, cycles: int = 4) -> None:
        await self.bfm.reset(cycles)

    async def send(self, batch: Batch) -> None:
        for i in range(len(batch)):
            txn = BusTxn(
                int(batch.words[i]),
                from_bytes(batch.a[i]),
                from_bytes(batch.w[i]),
                from_bytes(batch.c[i]),
            )
            self.sent += 1
            await self.bfm.send(txn)  # queued: it cannot be accepted before the next edge
            self._handed.append((txn.word, txn.a_bus, txn.w_bus, txn.c_bus))

    def busy(self) -> bool:
        return self.bfm.busy()

    @property
    def in_reset(self) -> bool:
        return self.bfm.in_reset

    # --- BFM callbacks ----------------------------------------------------------
    def _accepted(self, acc: Accepted) -> None:
        got = (acc.word, acc.a_bus, acc.w_bus, acc.c_bus)
        want = self._handed.popleft() if self._handed else None
        if got != want:
            which = (
                "an instruction nobody sent"
                if want is None
                else ", ".join(
                    name
                    for name, g, w in zip(("word", "A", "W", "C"), got, want, strict=True)
                    if g != w
                )
            )
            self.driver_errors.append(
                f"instruction {self.issued} accepted at cycle {acc.cycle}: the pins carried "
                f"another {which} than the sequence sent (driver bug)"
            )
        nb = self.nb
        batch = Batch(
            np.array([acc.word], dtype=np.uint32),
            _image(acc.a_bus, nb["a"]),
            _image(acc.w_bus, nb["w"]),
            _image(acc.c_bus, nb["c"]),
        )
        self._inflight.append((acc.cycle, acc.stall))
        one = np.ones(1, dtype=np.int64)
        self._issue(Issued(batch, one * self.issued, one * acc.cycle, one * acc.stall))

    def _response(self, beat: Beat) -> None:
        d = np.frombuffer(beat.d.to_bytes(self.nb["c"], "little"), dtype="<i4")[None, :]
        in_cycle, in_stall = self._inflight.popleft() if self._inflight else (-1, -1)
        resp = BatchResponse(
            np.array([beat.tag], dtype=np.uint8), np.array([beat.status], dtype=np.uint8), d
        )
        one = np.ones(1, dtype=np.int64)
        self._observe(
            Observed(resp, one * beat.cycle, one * beat.stall, one * in_cycle, one * in_stall)
        )

    def end_checks(self) -> list[tuple[str, str]]:
        return [("transport", msg) for msg in self.driver_errors]

    def _reset(self) -> None:
        # What the BFM still holds is driven again after reset; the rest is gone,
        # accepted or not (an accept on the reset edge may go unreported).
        while len(self._handed) > self.bfm.held():
            self._handed.popleft()
        self._inflight.clear()
        self._reset_observers()
